// elman against PyTorch: outputs and gradients for fixed weights and inputs, computed by
// tests/fixtures/make_rnn_fixtures.py (see tests/fixtures/README.md), compared at float32
// tolerance |a − b| <= 1e-5·|b| + 1e-6, through both the fused and the composed path.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "check.hpp"
#include "fixture.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

namespace {

using elman::test::require_matches;

const elman::test::Fixtures k_fixtures("rnn");

Tensor<float> load(const std::string& folder, const std::string& name)
{
    return k_fixtures.load(folder, name);
}

bool has(const std::string& folder, const std::string& name)
{
    return k_fixtures.has(folder, name);
}

struct Case {
    std::string folder;
    SimpleRNNOptions options;
};

}  // namespace

TEST_CASE("simple_rnn torch: outputs and gradients equal PyTorch's", "[rnn][torch]")
{
    const std::vector<Case> cases{
        {"tanh_seq_h0", {.units = 4, .activation = Activation::tanh, .return_sequences = true}},
        {"relu_last", {.units = 5, .activation = Activation::relu}},
        {"go_backwards", {.units = 3, .return_sequences = true, .go_backwards = true}},
        {"sigmoid_nobias",
         {.units = 3, .activation = Activation::sigmoid, .use_bias = false,
          .return_sequences = true}},
        {"linear_last_h0", {.units = 3, .activation = Activation::linear}},
    };
    for (const Case& c : cases) {
        for (bool fused : {true, false}) {
            INFO(c.folder << (fused ? " fused" : " composed"));
            SimpleRNNOptions o = c.options;
            o.fused = fused;
            SimpleRNN<float> rnn(o);
            std::vector<Tensor<float>> w{load(c.folder, "kernel"),
                                         load(c.folder, "recurrent_kernel")};
            if (o.use_bias) w.push_back(load(c.folder, "bias"));
            rnn.set_weights(w);
            for (auto* p : rnn.parameters()) p->zero_grad();

            Tape<float> tape;
            auto x = tape.variable(load(c.folder, "x"), "x");
            const bool given_h0 = has(c.folder, "h0");
            Var<float> h0;
            if (given_h0) h0 = tape.variable(load(c.folder, "h0"), "h0");
            auto r = rnn.call(tape, x, given_h0 ? &h0 : nullptr);
            require_matches(r.output.value(), load(c.folder, "output"), "output");
            require_matches(r.state.value(), load(c.folder, "state"), "state");

            // loss = Σ output ⊙ seed_out, so dL/doutput = seed_out
            tape.backward(r.output, load(c.folder, "seed_out"));
            require_matches(x.grad(), load(c.folder, "d_x"), "d_x");
            if (given_h0) require_matches(h0.grad(), load(c.folder, "d_h0"), "d_h0");
            require_matches(rnn.kernel.grad, load(c.folder, "d_kernel"), "d_kernel");
            require_matches(rnn.recurrent_kernel.grad, load(c.folder, "d_recurrent_kernel"),
                            "d_recurrent_kernel");
            if (o.use_bias) require_matches(rnn.bias.grad, load(c.folder, "d_bias"), "d_bias");
        }
    }
}

TEST_CASE("simple_rnn torch: stacked SimpleRNNs + Dense + MSE equal PyTorch's", "[rnn][torch]")
{
    const std::string f = "stacked_dense_mse";
    for (bool fused : {true, false}) {
        INFO(f << (fused ? " fused" : " composed"));
        SimpleRNN<float> r1({.units = 6, .return_sequences = true, .fused = fused});
        SimpleRNN<float> r2({.units = 4, .fused = fused});
        Dense<float> head({.units = 1});
        r1.set_weights({load(f, "rnn1_kernel"), load(f, "rnn1_recurrent_kernel"),
                        load(f, "rnn1_bias")});
        r2.set_weights({load(f, "rnn2_kernel"), load(f, "rnn2_recurrent_kernel"),
                        load(f, "rnn2_bias")});
        head.set_weights({load(f, "dense_kernel"), load(f, "dense_bias")});
        for (Module<float>* m : std::vector<Module<float>*>{&r1, &r2, &head})
            for (auto* p : m->parameters()) p->zero_grad();

        Tape<float> tape;
        auto x = tape.variable(load(f, "x"), "x");
        auto seq = r1.forward(tape, x);
        require_matches(seq.value(), load(f, "rnn1_output"), "rnn1_output");
        auto pred = head.forward(tape, r2.forward(tape, seq));
        require_matches(pred.value(), load(f, "output"), "output");
        // MSE = mean((pred − y)²)
        auto loss = mean(square(pred - tape.constant(load(f, "y"))));
        require_matches(xt::reshape_view(loss.value(), {1}), load(f, "loss"), "loss");
        tape.backward(loss);
        require_matches(x.grad(), load(f, "d_x"), "d_x");
        const std::vector<std::pair<Parameter<float>*, std::string>> grads{
            {&r1.kernel, "d_rnn1_kernel"},      {&r1.recurrent_kernel, "d_rnn1_recurrent_kernel"},
            {&r1.bias, "d_rnn1_bias"},          {&r2.kernel, "d_rnn2_kernel"},
            {&r2.recurrent_kernel, "d_rnn2_recurrent_kernel"},
            {&r2.bias, "d_rnn2_bias"},          {&head.kernel, "d_dense_kernel"},
            {&head.bias, "d_dense_bias"}};
        for (const auto& [p, file] : grads) require_matches(p->grad, load(f, file), file);
    }
}
