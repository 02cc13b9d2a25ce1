// GRU beside the other layers: trace mode (the gates per step), the DOT export of its fused
// node, Bidirectional(GRU), Masking -> GRU in a Sequential, summary(), and its error messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "check.hpp"
#include "core/tape_dot.hpp"
#include "layers/bidirectional.hpp"
#include "layers/cells.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/masking.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

TEST_CASE("gru trace: the gates give h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ and h_t is the output",
          "[gru][trace]")
{
    for (bool after : {true, false})
        for (bool fused : {true, false}) {
            INFO((fused ? "fused" : "composed") << " reset_after " << after);
            GRU<double> gru({.units = 4, .reset_after = after, .return_sequences = true,
                             .seed = 11, .fused = fused, .trace = true});
            Tape<double> tape;
            const Tensor<double> y = gru.forward(tape, tape.constant(randn({2, 5, 3}, 1))).value();
            const auto& tr = gru.trace();
            REQUIRE(tr.steps() == 5);
            REQUIRE_FALSE(tr.has_backward());
            for (std::size_t t = 0; t < 5; ++t) {
                require_close(tr.h[t], xt::view(y, xt::all(), t, xt::all()), 0);
                for (std::size_t i = 0; i < 8; ++i) {
                    const double z = tr.z[t].data()[i], hh = tr.hh[t].data()[i];
                    const double prev = t ? tr.h[t - 1].data()[i] : 0.0;
                    REQUIRE(tr.h[t].data()[i] == Approx(z * prev + (1 - z) * hh).epsilon(1e-14));
                    REQUIRE((z > 0 && z < 1 && tr.r[t].data()[i] > 0 && tr.r[t].data()[i] < 1));
                    REQUIRE(std::abs(hh) < 1);
                }
            }
        }
}

TEST_CASE("gru trace: dL/dh_{t−1} = dL/dh_t ⊙ z_t + Σ_g δ^g_t·R_gᵀ, the same on both paths",
          "[gru][trace]")
{
    // With a linear candidate and linear gates the δs are simple: δ_h = g ⊙ (1 − z),
    // δ_z = g ⊙ (h_{t−1} − ĥ), δ_r = δ_h ⊙ N (reset_after); checked against the trace.
    std::vector<GRUTrace<double>> traces;
    for (bool fused : {true, false}) {
        GRU<double> gru({.units = 3, .activation = Activation::linear,
                         .recurrent_activation = Activation::linear, .seed = 2, .fused = fused,
                         .trace = true});
        Tape<double> tape;
        auto y = gru.forward(tape, tape.constant(randn({2, 4, 2}, 3)));
        const Tensor<double> seed = randn({2, 3}, 4);
        tape.backward(y, seed);
        const auto& tr = gru.trace();
        REQUIRE(tr.dh.size() == 4);
        REQUIRE(tr.dh[3] == seed);
        const Tensor<double>& r = gru.recurrent_kernel.value;
        const Tensor<double>& bh = gru.bias.value;
        for (std::size_t t = 1; t < 4; ++t)
            for (std::size_t b = 0; b < 2; ++b)
                for (std::size_t j = 0; j < 3; ++j) {
                    double want = tr.dh[t](b, j) * tr.z[t](b, j);
                    for (std::size_t k = 0; k < 3; ++k) {
                        const double g = tr.dh[t](b, k), z = tr.z[t](b, k), rr = tr.r[t](b, k);
                        double n = bh(1, 6 + k);
                        for (std::size_t m = 0; m < 3; ++m) n += tr.h[t - 1](b, m) * r(m, 6 + k);
                        const double dhh = g * (1 - z);
                        const double dz = g * (tr.h[t - 1](b, k) - tr.hh[t](b, k));
                        want += dz * r(j, k) + dhh * n * r(j, 3 + k) + dhh * rr * r(j, 6 + k);
                    }
                    REQUIRE(tr.dh[t - 1](b, j) == Approx(want).epsilon(1e-12));
                }
        traces.push_back(tr);
    }
    for (std::size_t t = 0; t < 4; ++t) {
        require_close(traces[0].dh[t], traces[1].dh[t], 1e-12);
        require_close(traces[0].r[t], traces[1].r[t], 1e-12);
    }
    std::ostringstream os;
    os << traces[0];
    REQUIRE(os.str().find("step 4\n  z") != std::string::npos);
    REQUIRE(os.str().find("ĥ") != std::string::npos);
    REQUIRE(os.str().find("|dL/dh|") != std::string::npos);
}

TEST_CASE("gru: the DOT export shows the fused node and its gradient flow", "[gru][tape_dot]")
{
    GRU<double> gru({.units = 2, .seed = 1});
    Tape<double> tape;
    auto y = gru.forward(tape, tape.variable(randn({1, 3, 2}, 1), "x"));
    tape.backward(sum(y));
    const std::string dot = to_dot(tape);
    REQUIRE(dot.find("gru_fused") != std::string::npos);
    REQUIRE(dot.find("gru/recurrent_kernel") != std::string::npos);
    REQUIRE(dot.find("gru/bias") != std::string::npos);
    // x, kernel, recurrent_kernel and bias each receive a gradient from the one node
    std::size_t dashed = 0;
    for (auto p = dot.find("style=dashed"); p != std::string::npos;
         p = dot.find("style=dashed", p + 1))
        ++dashed;
    REQUIRE(dashed == 5);  // the four inputs of gru_fused, and gru_fused from sum
}

TEST_CASE("gru: Bidirectional(GRU) reads both ways with its own weights", "[gru][bidirectional]")
{
    const Tensor<double> x = randn({2, 4, 3}, 5);
    for (bool fused : {true, false}) {
        Bidirectional<double> bi(GRU<double>({.units = 3, .return_sequences = true, .seed = 2,
                                              .fused = fused}));
        Tape<double> tape;
        const auto r = bi.call(tape, tape.constant(x));
        REQUIRE(r.output.shape() == Shape{2, 4, 6});
        REQUIRE(bi.parameters().size() == 6);
        REQUIRE(bi.parameters()[0]->name == "bidirectional/forward_gru/kernel");
        REQUIRE(bi.param_count() == 2 * 3 * 3 * (3 + 3 + 2));
        // the backward half is a go_backwards GRU with the backward weights, flipped back
        GRU<double> back({.units = 3, .return_sequences = true, .go_backwards = true,
                          .fused = fused});
        back.set_weights(bi.backward_layer()->get_weights());
        const Tensor<double> yb = back.forward(tape, tape.constant(x)).value();
        for (std::size_t t = 0; t < 4; ++t)
            for (std::size_t j = 0; j < 3; ++j)
                REQUIRE(r.output.value()(1, t, 3 + j) == Approx(yb(1, 3 - t, j)).epsilon(1e-14));
    }
}

TEST_CASE("gru: Masking -> GRU in a Sequential equals the GRU called with the mask, and summary "
          "shows the formula", "[gru][masking][sequential]")
{
    Tensor<double> x = randn({2, 5, 2}, 6);
    for (std::size_t t = 3; t < 5; ++t)
        for (std::size_t f = 0; f < 2; ++f) x(1, t, f) = 0;
    Sequential<double> model;
    model.emplace<Masking<double>>(MaskingOptions{.mask_value = 0});
    auto gru = model.emplace<GRU<double>>(GRUOptions{.units = 3, .seed = 2});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 3});
    model.build({5, 2});
    Tape<double> tape;
    const Tensor<double> y = model.forward(tape, tape.constant(x)).value();
    Mask m = Mask::from_shape({2, 5});
    for (std::size_t t = 0; t < 5; ++t) m(0, t) = m(1, t) = true;
    m(1, 3) = m(1, 4) = false;
    GRU<double> alone({.units = 3});
    alone.set_weights(gru->get_weights());
    const Tensor<double> h = alone.call(tape, tape.constant(x), nullptr, &m).output.value();
    const auto& d = dynamic_cast<Dense<double>&>(*model.layers()[2]);
    for (std::size_t b = 0; b < 2; ++b) {
        double v = d.bias.value(0);
        for (std::size_t j = 0; j < 3; ++j) v += h(b, j) * d.kernel.value(j, 0);
        REQUIRE(y(b, 0) == Approx(v).epsilon(1e-13));
    }
    const std::string s = model.summary();
    REQUIRE(s.find("gru (GRU)") != std::string::npos);
    REQUIRE(s.find("3·3·(2 + 3 + 2)") != std::string::npos);
    REQUIRE(s.find("63") != std::string::npos);
}

TEST_CASE("gru: mistakes throw errors naming the layer, weight and shapes", "[gru][errors]")
{
    GRU<double> gru({.units = 3});
    Tape<double> tape;
    REQUIRE_THROWS_WITH(gru.forward(tape, tape.constant(randn({2, 4}, 1))),
                        Catch::Contains("gru: expects input [batch, timesteps, features] (rank 3), "
                                        "got [2,4]"));
    gru.forward(tape, tape.constant(randn({2, 4, 2}, 1)));
    REQUIRE_THROWS_WITH(gru.forward(tape, tape.constant(randn({2, 4, 5}, 1))),
                        Catch::Contains("gru: input has 5 features but the layer was built for 2"));
    auto bad_h0 = tape.constant(randn({2, 4}, 2));
    REQUIRE_THROWS_WITH(gru.call(tape, tape.constant(randn({2, 4, 2}, 1)), &bad_h0),
                        Catch::Contains("gru: initial_state has shape [2,4], expected [2,3]"));
    REQUIRE_THROWS_WITH(gru.set_weights({randn({2, 9}, 1), randn({3, 9}, 1), randn({9}, 1)}),
                        Catch::Contains("gru: set_weights: bias (reset_after = true: input and "
                                        "recurrent bias rows) has shape [9], expected [2,9]"));
    REQUIRE_THROWS_WITH(gru.set_weights({randn({2, 12}, 1), randn({3, 9}, 1), randn({2, 9}, 1)}),
                        Catch::Contains("gru: set_weights: kernel has shape [2,12], expected "
                                        "[input_dim, 9] (3·units: gates z, r, h)"));
    GRU<double> old({.units = 3, .reset_after = false});
    REQUIRE_THROWS_WITH(old.set_weights({randn({2, 9}, 1), randn({3, 9}, 1), randn({2, 9}, 1)}),
                        Catch::Contains("bias (reset_after = false: one bias) has shape [2,9], "
                                        "expected [9]"));
    REQUIRE_THROWS_WITH(GRU<double>({.units = 0}), Catch::Contains("gru: units must be positive"));
    REQUIRE_THROWS_WITH(GRU<double>({.units = 2, .recurrent_activation = Activation::softmax}),
                        Catch::Contains("gru: recurrent_activation softmax is not supported"));
    REQUIRE_THROWS_WITH(GRU<double>({.units = 2, .kernel_initializer = "he_normal"}),
                        Catch::Contains("gru: unknown initializer \"he_normal\""));
    REQUIRE_THROWS_WITH(GRU<double>({.units = 2, .dropout = 1.0}),
                        Catch::Contains("gru: dropout must be in [0, 1)"));
    REQUIRE_THROWS_WITH(gru.call_states(tape, tape.constant(randn({2, 4, 2}, 1)),
                                        {tape.constant(randn({2, 3}, 1)),
                                         tape.constant(randn({2, 3}, 1))}),
                        Catch::Contains("gru: GRU has one state, got 2 initial states"));
    GRU<double> st({.units = 3, .stateful = true});
    st.forward(tape, tape.constant(randn({2, 4, 2}, 1)));
    REQUIRE_THROWS_WITH(st.forward(tape, tape.constant(randn({5, 4, 2}, 1))),
                        Catch::Contains("gru: stateful layer carries a state [2,3]") &&
                            Catch::Contains("reset_states()"));
}

TEST_CASE("gru: built by its cell name from the options every recurrent cell shares",
          "[gru][cells]")
{
    const auto layer = make_recurrent_layer<float>(
        "gru", {.units = 5, .return_sequences = true, .seed = 3, .dropout = 0.1,
                .recurrent_dropout = 0.2, .fused = false});
    const auto* gru = dynamic_cast<const GRU<float>*>(layer.get());
    REQUIRE(gru != nullptr);
    REQUIRE(gru->options().units == 5);
    REQUIRE(gru->options().return_sequences);
    REQUIRE(gru->options().seed == 3);
    REQUIRE(gru->options().dropout == 0.1);
    REQUIRE(gru->options().recurrent_dropout == 0.2);
    REQUIRE_FALSE(gru->options().fused);
    // Keras' defaults for the rest
    REQUIRE(gru->options().reset_after);
    REQUIRE(gru->options().recurrent_activation == Activation::sigmoid);
    REQUIRE(dynamic_cast<const SimpleRNN<float>*>(
                make_recurrent_layer<float>("simple", {.units = 2}).get()) != nullptr);
    const std::vector<std::string> names = cell_names();
    REQUIRE(std::find(names.begin(), names.end(), "gru") != names.end());
    REQUIRE_THROWS_WITH(make_recurrent_layer<float>("gur", {.units = 2}),
                        Catch::StartsWith("unknown cell \"gur\" (expected simple") &&
                            Catch::Contains("gru"));
}
