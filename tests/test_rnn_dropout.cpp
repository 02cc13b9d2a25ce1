// SimpleRNN's dropout and recurrent_dropout (layers/rnn_dropout.hpp): one mask per sequence for
// the inputs and one for the state, the same at every step, training only, inverted scaling.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/sgd.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

// a_s = (x_s ⊙ d_x)·W_x + (h_{s−1} ⊙ d_h)·W_h + b with the layer's last masks, plain loops.
Tensor<double> reference(const Tensor<double>& x, const SimpleRNN<double>& l)
{
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2];
    const std::size_t nu = l.options().units;
    const auto& m = l.dropout_masks();
    Tensor<double> out = xt::zeros<double>({nb, nt, nu});
    for (std::size_t b = 0; b < nb; ++b) {
        std::vector<double> h(nu, 0.0);
        for (std::size_t t = 0; t < nt; ++t) {
            std::vector<double> next(nu);
            for (std::size_t j = 0; j < nu; ++j) {
                double a = l.bias.value(j);
                for (std::size_t f = 0; f < nf; ++f)
                    a += x(b, t, f) * (m.has_input() ? m.input(b, f) : 1.0) * l.kernel.value(f, j);
                for (std::size_t k = 0; k < nu; ++k)
                    a += h[k] * (m.has_recurrent() ? m.recurrent(b, k) : 1.0) *
                         l.recurrent_kernel.value(k, j);
                next[j] = std::tanh(a);
            }
            h = next;
            for (std::size_t j = 0; j < nu; ++j) out(b, t, j) = h[j];
        }
    }
    return out;
}

SimpleRNNOptions opts(double dropout, double recurrent, bool fused, bool seq = true)
{
    return {.units = 4, .return_sequences = seq, .bias_initializer = "random_normal", .seed = 3,
            .dropout = dropout, .recurrent_dropout = recurrent, .fused = fused};
}

}  // namespace

TEST_CASE("rnn dropout: one input and one recurrent mask per sequence, the same at every step", "[rnn][dropout]")
{
    const Tensor<double> x = randn({6, 5, 3}, 1);
    for (auto [p, q] : {std::pair{0.5, 0.0}, std::pair{0.0, 0.4}, std::pair{0.3, 0.6}})
        for (bool fused : {true, false}) {
            INFO("dropout " << p << " recurrent_dropout " << q << (fused ? " fused" : " composed"));
            SimpleRNN<double> l(opts(p, q, fused));
            Tape<double> tape;
            const Tensor<double> y =
                l.call(tape, tape.constant(x), nullptr, nullptr, true).output.value();
            const auto& m = l.dropout_masks();
            REQUIRE(m.has_input() == (p > 0));
            REQUIRE(m.has_recurrent() == (q > 0));
            if (m.has_input()) {
                REQUIRE(m.input.shape() == std::vector<std::size_t>{6, 3});
                for (double v : m.input) REQUIRE((v == 0.0 || v == Approx(1 / (1 - p))));
            }
            if (m.has_recurrent()) {
                REQUIRE(m.recurrent.shape() == std::vector<std::size_t>{6, 4});
                for (double v : m.recurrent) REQUIRE((v == 0.0 || v == Approx(1 / (1 - q))));
            }
            require_close(y, reference(x, l), 1e-12);
        }
}

TEST_CASE("rnn dropout: inference uses no mask at all", "[rnn][dropout]")
{
    const Tensor<double> x = randn({2, 4, 3}, 2);
    for (bool fused : {true, false}) {
        SimpleRNN<double> with(opts(0.5, 0.5, fused)), without(opts(0, 0, fused));
        Tape<double> tape;
        // a training call first: its masks must not carry over into inference
        with.forward(tape, tape.constant(x), {.training = true});
        REQUIRE(with.dropout_masks().input.size() == 2 * 3);  // [batch, features]
        REQUIRE(with.dropout_masks().recurrent.size() == 2 * 4);  // [batch, units]
        const Tensor<double> a = with.forward(tape, tape.constant(x)).value();
        const Tensor<double> b = without.forward(tape, tape.constant(x)).value();
        REQUIRE(with.dropout_masks().input.size() == 0);
        REQUIRE(with.dropout_masks().recurrent.size() == 0);
        REQUIRE((a == b));
    }
}

TEST_CASE("rnn dropout: the same seed gives the same masks, each training call draws new ones", "[rnn][dropout]")
{
    const Tensor<double> x = randn({8, 3, 3}, 3);
    SimpleRNN<double> a(opts(0.5, 0.5, true)), b(opts(0.5, 0.5, false));
    Tape<double> tape;
    const auto draw = [&](SimpleRNN<double>& l) {
        l.call(tape, tape.constant(x), nullptr, nullptr, true);
        return l.dropout_masks();
    };
    const auto a1 = draw(a), a2 = draw(a), b1 = draw(b);
    REQUIRE((a1.input == b1.input));  // fused and composed layers with one seed: one stream
    REQUIRE((a1.recurrent == b1.recurrent));
    REQUIRE((a1.input != a2.input));
    REQUIRE((a1.recurrent != a2.recurrent));
    a.reseed(3);
    REQUIRE((draw(a).input == a1.input));
}

TEST_CASE("rnn dropout: fused and composed agree to 1e-10 with dropout and a mask", "[rnn][dropout]")
{
    const Tensor<double> x = randn({3, 5, 3}, 4);
    const Tensor<double> h0 = randn({3, 4}, 5);
    Mask m = Mask::from_shape({3, 5});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 5; ++t) m(b, t) = (t + b) % 3 != 0;
    for (bool seq : {false, true})
        for (bool back : {false, true}) {
            INFO((seq ? "return_sequences" : "last") << (back ? " go_backwards" : ""));
            std::vector<Tensor<double>> outs, grads;
            for (bool fused : {true, false}) {
                SimpleRNNOptions o = opts(0.3, 0.4, fused, seq);
                o.go_backwards = back;
                SimpleRNN<double> l(o);
                Tape<double> tape;
                const Var<double> xv = tape.variable(x), hv = tape.variable(h0);
                l.build({5, 3});
                for (auto* p : l.parameters()) p->zero_grad();
                const auto r = l.call(tape, xv, &hv, &m, true);
                tape.backward(sum(r.output * tape.constant(randn(r.output.shape(), 6))));
                outs.push_back(r.output.value());
                grads.insert(grads.end(), {xv.grad(), hv.grad()});
                for (auto* p : l.parameters()) grads.push_back(p->grad);
            }
            require_close(outs[0], outs[1], 1e-10);
            const std::size_t half = grads.size() / 2;
            for (std::size_t k = 0; k < half; ++k) require_close(grads[k], grads[half + k], 1e-10);
        }
}

TEST_CASE("rnn dropout: gradcheck with a fixed dropout mask, both paths", "[rnn][dropout][gradcheck]")
{
    const Tensor<double> x = randn({3, 4, 3}, 7);
    const Tensor<double> h0 = randn({3, 4}, 8);
    Mask m = Mask::from_shape({3, 4});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 4; ++t) m(b, t) = t < 4 - b;
    for (bool masked : {false, true})
        for (bool fused : {true, false}) {
            INFO((fused ? "fused" : "composed") << (masked ? " masked" : ""));
            SimpleRNN<double> l(opts(0.3, 0.4, fused));
            l.build({4, 3});
            test::require_gradcheck(
                [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                    l.reseed(11);  // the same masks at every evaluation
                    return l.call(tape, in[0], &in[1], masked ? &m : nullptr, true).output;
                },
                {x, h0}, l.parameters());
            REQUIRE(l.dropout_masks().has_input());
        }
}

TEST_CASE("rnn dropout: fit trains with the masks, predict runs without them", "[rnn][dropout]")
{
    Sequential<double> model;
    auto rnn = model.emplace<SimpleRNN<double>>(
        SimpleRNNOptions{.units = 4, .seed = 1, .dropout = 0.2, .recurrent_dropout = 0.2});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 2});
    model.build({5, 2});
    const Tensor<double> x = randn({8, 5, 2}, 9), y = randn({8, 1}, 10);
    const Tensor<double> p = predict(model, x);
    REQUIRE((predict(model, x) == p));
    REQUIRE(rnn->dropout_masks().input.size() == 0);
    SGD<double> opt(model.parameters(), {.lr = 0.01});
    fit(model, opt, x, y, {.epochs = 1, .batch_size = 8, .verbose = false});
    REQUIRE(rnn->dropout_masks().input.shape() == std::vector<std::size_t>{8, 2});
    REQUIRE(rnn->dropout_masks().recurrent.shape() == std::vector<std::size_t>{8, 4});
}

TEST_CASE("rnn dropout: a rate below 0, or of 1 or more, names the option", "[rnn][dropout]")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double r : {-0.5, 1.0, nan}) {
        REQUIRE_THROWS_WITH(SimpleRNN<float>({.units = 2, .dropout = r}),
                            Catch::Contains("simple_rnn: dropout must be in [0, 1)"));
        REQUIRE_THROWS_WITH(SimpleRNN<float>({.units = 2, .recurrent_dropout = r}),
                            Catch::Contains("simple_rnn: recurrent_dropout must be in [0, 1)"));
    }
}
