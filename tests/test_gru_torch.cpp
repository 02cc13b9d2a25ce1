// GRU against PyTorch: outputs, final states and every gradient for fixed weights and inputs
// (tests/fixtures/make_gru_fixtures.py): torch.nn.GRU for reset_after = true (weights mapped
// from Keras' z, r, h to torch's r, z, n), Keras' formula written in torch ops (and checked
// against numpy) for reset_after = false, which no torch module has. Loss L = Σ output ⊙
// seed_out + Σ state ⊙ seed_state; both paths; float32 tolerance.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "core/ops.hpp"
#include "fixture.hpp"
#include "layers/bidirectional.hpp"
#include "layers/gru.hpp"

using namespace elman;
using elman::test::require_matches;

namespace {

const elman::test::Fixtures k_fixtures("rnn");

Tensor<float> load(const std::string& folder, const std::string& name)
{
    return k_fixtures.load(folder, name);
}

// a[d] of a [D,B,U] array
Tensor<float> direction(const Tensor<float>& a, std::size_t d)
{
    return xt::view(a, d, xt::all(), xt::all());
}

std::optional<Mask> mask_of(const std::string& folder)
{
    if (!k_fixtures.has(folder, "mask")) return std::nullopt;
    const Tensor<float> m = load(folder, "mask");
    Mask out = Mask::from_shape({m.shape()[0], m.shape()[1]});
    for (std::size_t i = 0; i < m.size(); ++i) out.data()[i] = m.data()[i] != 0.0f;
    return out;
}

std::vector<Tensor<float>> weights(const std::string& folder, const std::string& prefix,
                                   bool use_bias)
{
    std::vector<Tensor<float>> w{load(folder, prefix + "kernel"),
                                 load(folder, prefix + "recurrent_kernel")};
    if (use_bias) w.push_back(load(folder, prefix + "bias"));
    return w;
}

struct Case {
    std::string folder;
    GRUOptions options;  // units filled in from the fixture
};

}  // namespace

TEST_CASE("gru torch: outputs, states and gradients equal nn.GRU (reset_after) and Keras' "
          "formula (reset_after = false)", "[gru][torch]")
{
    const std::vector<Case> cases{
        {"gru_seq_h0", {.return_sequences = true}},
        {"gru_last", {}},
        {"gru_go_backwards", {.return_sequences = true, .go_backwards = true}},
        {"gru_nobias", {.use_bias = false, .return_sequences = true}},
        {"gru_masked", {.return_sequences = true, .zero_output_for_mask = true}},
        {"gru_reset_before_seq_h0", {.reset_after = false, .return_sequences = true}},
        {"gru_reset_before_keras2",
         {.recurrent_activation = Activation::hard_sigmoid_keras2, .reset_after = false}},
        {"gru_reset_before_masked_backwards",
         {.reset_after = false, .return_sequences = true, .go_backwards = true}},
    };
    for (const Case& c : cases)
        for (bool fused : {true, false}) {
            INFO(c.folder << (fused ? " fused" : " composed"));
            const std::string& f = c.folder;
            GRUOptions o = c.options;
            o.units = load(f, "recurrent_kernel").shape()[0];
            o.fused = fused;
            GRU<float> gru(o);
            gru.set_weights(weights(f, "", o.use_bias));
            for (auto* p : gru.parameters()) p->zero_grad();
            const std::optional<Mask> m = mask_of(f);
            const bool given_h0 = k_fixtures.has(f, "h0");

            Tape<float> tape;
            const Var<float> x = tape.variable(load(f, "x"), "x");
            Var<float> h0;
            if (given_h0) h0 = tape.variable(direction(load(f, "h0"), 0), "h0");
            const auto r = gru.call(tape, x, given_h0 ? &h0 : nullptr, m ? &*m : nullptr);
            require_matches(r.output.value(), load(f, "output"), "output");
            require_matches(r.state.value(), direction(load(f, "state"), 0), "state");

            tape.backward(sum(r.output * tape.constant(load(f, "seed_out"))) +
                          sum(r.state * tape.constant(direction(load(f, "seed_state"), 0))));
            require_matches(x.grad(), load(f, "d_x"), "d_x");
            if (given_h0) require_matches(h0.grad(), direction(load(f, "d_h0"), 0), "d_h0");
            require_matches(gru.kernel.grad, load(f, "d_kernel"), "d_kernel");
            require_matches(gru.recurrent_kernel.grad, load(f, "d_recurrent_kernel"),
                            "d_recurrent_kernel");
            if (o.use_bias) require_matches(gru.bias.grad, load(f, "d_bias"), "d_bias");
        }
}

TEST_CASE("gru torch: Bidirectional(GRU) with a mask equals bidirectional nn.GRU over a packed "
          "batch", "[gru][bidirectional][torch]")
{
    const std::string f = "gru_bidirectional_masked";
    const Mask m = *mask_of(f);
    const std::size_t units = load(f, "forward_recurrent_kernel").shape()[0];
    for (bool fused : {true, false}) {
        INFO((fused ? "fused" : "composed"));
        Bidirectional<float> bi(GRU<float>({.units = units, .return_sequences = true,
                                            .fused = fused}));
        std::vector<Tensor<float>> w = weights(f, "forward_", true);
        for (auto& b : weights(f, "backward_", true)) w.push_back(b);
        bi.set_weights(w);
        for (auto* p : bi.parameters()) p->zero_grad();
        Tape<float> tape;
        const Var<float> x = tape.variable(load(f, "x"));
        const Tensor<float> h0 = load(f, "h0");
        const Var<float> h0f = tape.variable(direction(h0, 0));
        const Var<float> h0b = tape.variable(direction(h0, 1));
        const auto r = bi.call(tape, x, {h0f, h0b}, &m);
        require_matches(r.output.value(), load(f, "output"), "output");
        const Tensor<float> state = load(f, "state");
        require_matches(r.forward_states[0].value(), direction(state, 0), "forward state");
        require_matches(r.backward_states[0].value(), direction(state, 1), "backward state");
        const Tensor<float> seed_state = load(f, "seed_state");
        tape.backward(sum(r.output * tape.constant(load(f, "seed_out"))) +
                      sum(r.forward_states[0] * tape.constant(direction(seed_state, 0))) +
                      sum(r.backward_states[0] * tape.constant(direction(seed_state, 1))));
        require_matches(x.grad(), load(f, "d_x"), "d_x");
        const Tensor<float> d_h0 = load(f, "d_h0");
        require_matches(h0f.grad(), direction(d_h0, 0), "d_h0 forward");
        require_matches(h0b.grad(), direction(d_h0, 1), "d_h0 backward");
        const std::vector<std::string> names{
            "d_forward_kernel",  "d_forward_recurrent_kernel",  "d_forward_bias",
            "d_backward_kernel", "d_backward_recurrent_kernel", "d_backward_bias"};
        const auto params = bi.parameters();
        REQUIRE(params.size() == names.size());
        for (std::size_t k = 0; k < names.size(); ++k)
            require_matches(params[k]->grad, load(f, names[k]), names[k]);
    }
}
