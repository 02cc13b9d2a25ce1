// elman's LSTM against PyTorch's nn.LSTM: outputs, final h and c and every gradient for fixed
// weights and inputs (tests/fixtures/make_lstm_fixtures.py, tests/fixtures/README.md), at
// float32 tolerance |a − b| <= 1e-5·|b| + 1e-6, through both the fused and the composed path.
// Loss = Σ output ⊙ seed_out + Σ h ⊙ seed_h + Σ c ⊙ seed_c.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "core/ops.hpp"
#include "fixture.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/lstm.hpp"

using namespace elman;
using elman::test::require_matches;

namespace {

const elman::test::Fixtures k_fixtures("lstm");

Tensor<float> load(const std::string& folder, const std::string& name)
{
    return k_fixtures.load(folder, name);
}

std::vector<Tensor<float>> weights(const std::string& folder, const std::string& prefix,
                                   bool use_bias = true)
{
    std::vector<Tensor<float>> w{load(folder, prefix + "kernel"),
                                 load(folder, prefix + "recurrent_kernel")};
    if (use_bias) w.push_back(load(folder, prefix + "bias"));
    return w;
}

Mask mask_of(const std::string& folder)
{
    const Tensor<float> m = load(folder, "mask");
    Mask out = Mask::from_shape({m.shape()[0], m.shape()[1]});
    for (std::size_t i = 0; i < m.size(); ++i) out.data()[i] = m.data()[i] != 0.0f;
    return out;
}

Tensor<float> direction(const Tensor<float>& a, std::size_t d)
{
    return xt::view(a, d, xt::all(), xt::all());
}

struct Case {
    std::string folder;
    LSTMOptions options;
};

}  // namespace

TEST_CASE("lstm torch: outputs, final h and c and gradients equal nn.LSTM's", "[lstm][torch]")
{
    const std::vector<Case> cases{
        {"seq_h0c0", {.units = 4, .return_sequences = true}},
        {"last_two_biases", {.units = 5}},
        {"go_backwards", {.units = 3, .return_sequences = true, .go_backwards = true}},
        {"no_bias", {.units = 3, .use_bias = false, .return_sequences = true}},
        {"long_last", {.units = 8}},
        {"masked_right_padded", {.units = 3, .return_sequences = true,
                                 .zero_output_for_mask = true}},
    };
    for (const Case& c : cases) {
        for (bool fused : {true, false}) {
            INFO(c.folder << (fused ? " fused" : " composed"));
            const std::string& f = c.folder;
            LSTMOptions o = c.options;
            o.fused = fused;
            LSTM<float> l(o);
            l.set_weights(weights(f, "", o.use_bias));
            for (auto* p : l.parameters()) p->zero_grad();
            Tape<float> tape;
            const auto x = tape.variable(load(f, "x"), "x");
            const bool given = k_fixtures.has(f, "h0");
            Var<float> h0, c0;
            if (given) {
                h0 = tape.variable(load(f, "h0"), "h0");
                c0 = tape.variable(load(f, "c0"), "c0");
            }
            const bool masked = k_fixtures.has(f, "mask");
            const Mask m = masked ? mask_of(f) : Mask();
            const auto r = l.call(tape, x, given ? &h0 : nullptr, given ? &c0 : nullptr,
                                  masked ? &m : nullptr);
            require_matches(r.output.value(), load(f, "output"), "output");
            require_matches(r.h.value(), load(f, "h"), "h");
            require_matches(r.c.value(), load(f, "c"), "c");
            tape.backward(sum(r.output * tape.constant(load(f, "seed_out"))) +
                          sum(r.h * tape.constant(load(f, "seed_h"))) +
                          sum(r.c * tape.constant(load(f, "seed_c"))));
            require_matches(x.grad(), load(f, "d_x"), "d_x");
            if (given) {
                require_matches(h0.grad(), load(f, "d_h0"), "d_h0");
                require_matches(c0.grad(), load(f, "d_c0"), "d_c0");
            }
            require_matches(l.kernel.grad, load(f, "d_kernel"), "d_kernel");
            require_matches(l.recurrent_kernel.grad, load(f, "d_recurrent_kernel"),
                            "d_recurrent_kernel");
            if (o.use_bias) require_matches(l.bias.grad, load(f, "d_bias"), "d_bias");
        }
    }
}

TEST_CASE("lstm torch: Keras' one bias is PyTorch's bias_ih + bias_hh", "[lstm][torch]")
{
    const std::string f = "last_two_biases";
    const Tensor<float> sum_of_two = load(f, "bias_ih") + load(f, "bias_hh");
    require_matches(sum_of_two, load(f, "bias"), "bias_ih + bias_hh");
}

TEST_CASE("lstm torch: Bidirectional(LSTM) with a mask equals bidirectional nn.LSTM", "[lstm][torch][bidirectional]")
{
    const std::string f = "bidirectional_masked";
    const Mask m = mask_of(f);
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        Bidirectional<float> bi(LSTM<float>({.units = 4, .return_sequences = true, .fused = fused}));
        std::vector<Tensor<float>> w = weights(f, "forward_");
        for (auto& b : weights(f, "backward_")) w.push_back(b);
        bi.set_weights(w);
        for (auto* p : bi.parameters()) p->zero_grad();
        Tape<float> tape;
        const Var<float> x = tape.variable(load(f, "x"));
        const Tensor<float> h0 = load(f, "h0"), c0 = load(f, "c0");
        std::vector<Var<float>> s0;
        for (std::size_t d = 0; d < 2; ++d)  // Keras' order: forward h, c, backward h, c
            s0.insert(s0.end(), {tape.variable(direction(h0, d)), tape.variable(direction(c0, d))});
        const auto r = bi.call(tape, x, s0, &m);
        require_matches(r.output.value(), load(f, "output"), "output");
        const Tensor<float> h = load(f, "h"), c = load(f, "c");
        require_matches(r.forward_states[0].value(), direction(h, 0), "forward h");
        require_matches(r.forward_states[1].value(), direction(c, 0), "forward c");
        require_matches(r.backward_states[0].value(), direction(h, 1), "backward h");
        require_matches(r.backward_states[1].value(), direction(c, 1), "backward c");
        const Tensor<float> sh = load(f, "seed_h"), sc = load(f, "seed_c");
        Var<float> loss = sum(r.output * tape.constant(load(f, "seed_out")));
        for (std::size_t d = 0; d < 2; ++d) {
            const auto& st = d == 0 ? r.forward_states : r.backward_states;
            loss = loss + sum(st[0] * tape.constant(direction(sh, d))) +
                   sum(st[1] * tape.constant(direction(sc, d)));
        }
        tape.backward(loss);
        require_matches(x.grad(), load(f, "d_x"), "d_x");
        const Tensor<float> dh0 = load(f, "d_h0"), dc0 = load(f, "d_c0");
        for (std::size_t d = 0; d < 2; ++d) {
            require_matches(s0[2 * d].grad(), direction(dh0, d), "d_h0");
            require_matches(s0[2 * d + 1].grad(), direction(dc0, d), "d_c0");
        }
        const auto params = bi.parameters();
        const std::vector<std::string> names{
            "d_forward_kernel",  "d_forward_recurrent_kernel",  "d_forward_bias",
            "d_backward_kernel", "d_backward_recurrent_kernel", "d_backward_bias"};
        REQUIRE(params.size() == names.size());
        for (std::size_t k = 0; k < names.size(); ++k)
            require_matches(params[k]->grad, load(f, names[k]), names[k]);
    }
}

TEST_CASE("lstm torch: stacked LSTMs + Dense + MSE equal nn.LSTM + nn.Linear", "[lstm][torch]")
{
    const std::string f = "stacked_dense_mse";
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        LSTM<float> l1({.units = 6, .return_sequences = true, .fused = fused});
        LSTM<float> l2({.units = 4, .fused = fused});
        Dense<float> head({.units = 1});
        l1.set_weights(weights(f, "lstm1_"));
        l2.set_weights(weights(f, "lstm2_"));
        head.set_weights({load(f, "dense_kernel"), load(f, "dense_bias")});
        for (Module<float>* mod : std::vector<Module<float>*>{&l1, &l2, &head})
            for (auto* p : mod->parameters()) p->zero_grad();
        Tape<float> tape;
        const auto x = tape.variable(load(f, "x"), "x");
        const auto seq = l1.forward(tape, x);
        require_matches(seq.value(), load(f, "rnn1_output"), "rnn1_output");
        const auto pred = head.forward(tape, l2.forward(tape, seq));
        require_matches(pred.value(), load(f, "output"), "output");
        const auto loss = mean(square(pred - tape.constant(load(f, "y"))));
        require_matches(xt::reshape_view(loss.value(), {1}), load(f, "loss"), "loss");
        tape.backward(loss);
        require_matches(x.grad(), load(f, "d_x"), "d_x");
        const std::vector<std::pair<Parameter<float>*, std::string>> grads{
            {&l1.kernel, "d_lstm1_kernel"}, {&l1.recurrent_kernel, "d_lstm1_recurrent_kernel"},
            {&l1.bias, "d_lstm1_bias"},     {&l2.kernel, "d_lstm2_kernel"},
            {&l2.recurrent_kernel, "d_lstm2_recurrent_kernel"},
            {&l2.bias, "d_lstm2_bias"},     {&head.kernel, "d_dense_kernel"},
            {&head.bias, "d_dense_bias"}};
        for (const auto& [p, file] : grads) require_matches(p->grad, load(f, file), file);
    }
}
