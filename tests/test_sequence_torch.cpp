// Masks and Bidirectional against PyTorch: right-padded batches through pack_padded_sequence
// and bidirectional nn.RNN on the same weights (tests/fixtures/make_sequence_fixtures.py),
// outputs, final states and gradients of L = Σ output ⊙ seed_out + Σ state ⊙ seed_state,
// through the fused and the composed path.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "core/ops.hpp"
#include "fixture.hpp"
#include "layers/bidirectional.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::require_matches;

namespace {

const elman::test::Fixtures k_fixtures("rnn");

Tensor<float> load_fixture(const std::string& folder, const std::string& name)
{
    return k_fixtures.load(folder, name);
}

Mask mask_of(const std::string& folder)
{
    const Tensor<float> m = load_fixture(folder, "mask");
    Mask out = Mask::from_shape({m.shape()[0], m.shape()[1]});
    for (std::size_t i = 0; i < m.size(); ++i) out.data()[i] = m.data()[i] != 0.0f;
    return out;
}

// a[d] of a [D,B,U] array
Tensor<float> direction(const Tensor<float>& a, std::size_t d)
{
    return xt::view(a, d, xt::all(), xt::all());
}

std::vector<Tensor<float>> weights(const std::string& folder, const std::string& prefix)
{
    return {load_fixture(folder, prefix + "kernel"), load_fixture(folder, prefix + "recurrent_kernel"),
            load_fixture(folder, prefix + "bias")};
}

}  // namespace

TEST_CASE("masking torch: a right-padded batch equals pack_padded_sequence", "[rnn][mask][torch]")
{
    const std::string f = "masked_right_padded";
    const Mask m = mask_of(f);
    const Tensor<float> state = load_fixture(f, "state");
    for (bool zero_output : {true, false})
        for (bool fused : {true, false}) {
            INFO((fused ? "fused" : "composed") << (zero_output ? " zero_output_for_mask" : ""));
            SimpleRNN<float> l({.units = 3, .return_sequences = true,
                                .zero_output_for_mask = zero_output, .fused = fused});
            l.set_weights(weights(f, ""));
            for (auto* p : l.parameters()) p->zero_grad();
            Tape<float> tape;
            const Var<float> x = tape.variable(load_fixture(f, "x"));
            const Var<float> h0 = tape.variable(direction(load_fixture(f, "h0"), 0));
            const auto r = l.call(tape, x, &h0, &m);
            // the final states agree whatever the padded outputs are
            require_matches(r.state.value(), direction(state, 0), "state");
            if (!zero_output) continue;  // torch pads the output with zeros: Keras' zero_output
            require_matches(r.output.value(), load_fixture(f, "output"), "output");
            const Tensor<float> seed_state = direction(load_fixture(f, "seed_state"), 0);
            tape.backward(sum(r.output * tape.constant(load_fixture(f, "seed_out"))) +
                          sum(r.state * tape.constant(seed_state)));
            require_matches(x.grad(), load_fixture(f, "d_x"), "d_x");
            require_matches(h0.grad(), direction(load_fixture(f, "d_h0"), 0), "d_h0");
            require_matches(l.kernel.grad, load_fixture(f, "d_kernel"), "d_kernel");
            require_matches(l.recurrent_kernel.grad, load_fixture(f, "d_recurrent_kernel"),
                            "d_recurrent_kernel");
            require_matches(l.bias.grad, load_fixture(f, "d_bias"), "d_bias");
        }
}

TEST_CASE("bidirectional torch: outputs, states and gradients equal bidirectional nn.RNN", "[rnn][bidirectional][torch]")
{
    for (const std::string f : {"bidirectional", "bidirectional_masked"}) {
        const bool masked = f == "bidirectional_masked";
        const Mask m = mask_of(f);
        const std::size_t units = load_fixture(f, "forward_recurrent_kernel").shape()[0];
        for (bool fused : {true, false}) {
            INFO(f << (fused ? " fused" : " composed"));
            Bidirectional<float> bi(
                SimpleRNN<float>({.units = units, .return_sequences = true, .fused = fused}));
            std::vector<Tensor<float>> w = weights(f, "forward_");
            for (auto& b : weights(f, "backward_")) w.push_back(b);
            bi.set_weights(w);
            for (auto* p : bi.parameters()) p->zero_grad();
            Tape<float> tape;
            const Var<float> x = tape.variable(load_fixture(f, "x"));
            const Tensor<float> h0 = load_fixture(f, "h0");
            const Var<float> h0f = tape.variable(direction(h0, 0));
            const Var<float> h0b = tape.variable(direction(h0, 1));
            const auto r = bi.call(tape, x, {h0f, h0b}, masked ? &m : nullptr);
            require_matches(r.output.value(), load_fixture(f, "output"), "output");
            const Tensor<float> state = load_fixture(f, "state");
            require_matches(r.forward_states[0].value(), direction(state, 0), "forward state");
            require_matches(r.backward_states[0].value(), direction(state, 1), "backward state");

            const Tensor<float> seed_state = load_fixture(f, "seed_state");
            tape.backward(
                sum(r.output * tape.constant(load_fixture(f, "seed_out"))) +
                sum(r.forward_states[0] * tape.constant(direction(seed_state, 0))) +
                sum(r.backward_states[0] * tape.constant(direction(seed_state, 1))));
            require_matches(x.grad(), load_fixture(f, "d_x"), "d_x");
            const Tensor<float> d_h0 = load_fixture(f, "d_h0");
            require_matches(h0f.grad(), direction(d_h0, 0), "d_h0 forward");
            require_matches(h0b.grad(), direction(d_h0, 1), "d_h0 backward");
            const auto params = bi.parameters();
            const std::vector<std::string> names{
                "d_forward_kernel",  "d_forward_recurrent_kernel",  "d_forward_bias",
                "d_backward_kernel", "d_backward_recurrent_kernel", "d_backward_bias"};
            REQUIRE(params.size() == names.size());
            for (std::size_t k = 0; k < names.size(); ++k)
                require_matches(params[k]->grad, load_fixture(f, names[k]), names[k]);
        }
    }
}
