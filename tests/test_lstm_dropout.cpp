// The LSTM's dropout and recurrent_dropout, Keras 3.8+ (layers/rnn_dropout.hpp): one input mask
// for every gate without recurrent_dropout; one mask per gate for the inputs and for h with it;
// the same masks at every step, training only, inverted scaling; both paths, with gradients.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include "check.hpp"
#include "lstm_reference.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/lstm.hpp"
#include "layers/sequential.hpp"
#include "optim/sgd.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_close;

namespace {

LSTMOptions opts(double dropout, double recurrent, bool fused, bool seq = true)
{
    return {.units = 4, .unit_forget_bias = false, .return_sequences = seq,
            .bias_initializer = "random_normal", .seed = 3, .dropout = dropout,
            .recurrent_dropout = recurrent, .fused = fused};
}

// The reference with the layer's last masks.
test::LSTMReference reference(const Tensor<double>& x, const LSTM<double>& l,
                              const Tensor<double>* h0 = nullptr,
                              const Tensor<double>* c0 = nullptr, const Mask* mask = nullptr)
{
    const auto& m = l.dropout_masks();
    return test::lstm_reference(
        x, {.kernel = &l.kernel.value, .recurrent_kernel = &l.recurrent_kernel.value,
            .bias = &l.bias.value, .h0 = h0, .c0 = c0, .go_backwards = l.options().go_backwards,
            .mask = mask, .input_dropout = m.has_input() ? &m.input : nullptr,
            .recurrent_dropout = m.has_recurrent() ? &m.recurrent : nullptr});
}

const std::vector<std::pair<double, double>> k_rates{{0.5, 0.0}, {0.0, 0.4}, {0.3, 0.6}};

}  // namespace

TEST_CASE("lstm dropout: Keras 3.8's masks, one per gate exactly when recurrent_dropout > 0", "[lstm][dropout]")
{
    const Tensor<double> x = randn({6, 5, 3}, 1);
    for (auto [p, q] : k_rates)
        for (bool fused : {true, false}) {
            INFO("dropout " << p << " recurrent_dropout " << q << (fused ? " fused" : " composed"));
            LSTM<double> l(opts(p, q, fused));
            Tape<double> tape;
            const auto r = l.call(tape, tape.constant(x), nullptr, nullptr, nullptr, true);
            const auto& m = l.dropout_masks();
            REQUIRE(m.has_input() == (p > 0));
            REQUIRE(m.has_recurrent() == (q > 0));
            const std::size_t gates = q > 0 ? 4 : 1;
            if (m.has_input()) {
                REQUIRE(m.input.shape() == std::vector<std::size_t>{gates, 6, 3});
                for (double v : m.input) REQUIRE((v == 0.0 || v == Approx(1 / (1 - p))));
            }
            if (m.has_recurrent()) {
                REQUIRE(m.recurrent.shape() == std::vector<std::size_t>{4, 6, 4});
                for (double v : m.recurrent) REQUIRE((v == 0.0 || v == Approx(1 / (1 - q))));
                // four different masks, not one repeated
                const Tensor<double> m0 = xt::view(m.recurrent, 0, xt::all(), xt::all());
                const Tensor<double> m1 = xt::view(m.recurrent, 1, xt::all(), xt::all());
                REQUIRE((m0 != m1));
            }
            const auto want = reference(x, l);
            require_close(r.output.value(), want.outputs, 1e-12);
            require_close(r.c.value(), want.c, 1e-12);
        }
}

TEST_CASE("lstm dropout: inference uses no mask at all", "[lstm][dropout]")
{
    const Tensor<double> x = randn({2, 4, 3}, 2);
    for (bool fused : {true, false}) {
        LSTM<double> with(opts(0.5, 0.5, fused)), without(opts(0, 0, fused));
        Tape<double> tape;
        const Tensor<double> a = with.forward(tape, tape.constant(x)).value();
        const Tensor<double> b = without.forward(tape, tape.constant(x)).value();
        REQUIRE_FALSE(with.dropout_masks().has_input());
        REQUIRE_FALSE(with.dropout_masks().has_recurrent());
        REQUIRE((a == b));
    }
}

TEST_CASE("lstm dropout: the same seed gives the same masks, each training call draws new ones", "[lstm][dropout]")
{
    const Tensor<double> x = randn({8, 3, 3}, 3);
    LSTM<double> a(opts(0.5, 0.5, true)), b(opts(0.5, 0.5, false));
    Tape<double> tape;
    const auto draw = [&](LSTM<double>& l) {
        l.call(tape, tape.constant(x), nullptr, nullptr, nullptr, true);
        return l.dropout_masks();
    };
    const auto a1 = draw(a), a2 = draw(a), b1 = draw(b);
    REQUIRE((a1.input == b1.input));
    REQUIRE((a1.recurrent == b1.recurrent));
    REQUIRE((a1.input != a2.input));
    REQUIRE((a1.recurrent != a2.recurrent));
    a.reseed(3);
    REQUIRE((draw(a).recurrent == a1.recurrent));
}

TEST_CASE("lstm dropout: fused and composed agree to 1e-10 with dropout and a mask", "[lstm][dropout]")
{
    const Tensor<double> x = randn({3, 5, 3}, 4);
    const Tensor<double> h0 = randn({3, 4}, 5), c0 = randn({3, 4}, 6);
    Mask m = Mask::from_shape({3, 5});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 5; ++t) m(b, t) = (t + b) % 3 != 0;
    for (auto [p, q] : k_rates)
        for (bool seq : {false, true})
            for (bool back : {false, true}) {
                INFO("dropout " << p << " recurrent_dropout " << q << (seq ? " return_sequences" : "")
                                << (back ? " go_backwards" : ""));
                std::vector<Tensor<double>> got;
                for (bool fused : {true, false}) {
                    LSTMOptions o = opts(p, q, fused, seq);
                    o.go_backwards = back;
                    LSTM<double> l(o);
                    l.build({5, 3});
                    for (auto* w : l.parameters()) w->zero_grad();
                    Tape<double> tape;
                    const Var<double> xv = tape.variable(x), hv = tape.variable(h0),
                                      cv = tape.variable(c0);
                    const auto r = l.call(tape, xv, &hv, &cv, &m, true);
                    const auto want = reference(x, l, &h0, &c0, &m);
                    require_close(r.h.value(), want.h, 1e-12);
                    require_close(r.c.value(), want.c, 1e-12);
                    tape.backward(sum(r.output * tape.constant(randn(r.output.shape(), 7))) +
                                  sum(r.c * tape.constant(randn(r.c.shape(), 8))));
                    got.insert(got.end(), {r.output.value(), xv.grad(), hv.grad(), cv.grad()});
                    for (auto* w : l.parameters()) got.push_back(w->grad);
                }
                const std::size_t half = got.size() / 2;
                for (std::size_t k = 0; k < half; ++k) require_close(got[k], got[half + k], 1e-10);
            }
}

TEST_CASE("lstm dropout: gradcheck with fixed dropout masks, both paths", "[lstm][dropout][gradcheck]")
{
    const Tensor<double> x = randn({3, 4, 3}, 9);
    const Tensor<double> h0 = randn({3, 4}, 10), c0 = randn({3, 4}, 11);
    Mask m = Mask::from_shape({3, 4});
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t t = 0; t < 4; ++t) m(b, t) = t < 4 - b;
    for (auto [p, q] : k_rates)
        for (bool masked : {false, true})
            for (bool fused : {true, false}) {
                INFO("dropout " << p << " recurrent_dropout " << q
                                << (fused ? " fused" : " composed") << (masked ? " masked" : ""));
                LSTM<double> l(opts(p, q, fused));
                l.build({4, 3});
                test::require_gradcheck(
                    [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
                        l.reseed(11);  // the same masks at every evaluation
                        const auto r = l.call(tape, in[0], &in[1], &in[2],
                                              masked ? &m : nullptr, true);
                        return sum(r.output) + sum(r.c * r.c);
                    },
                    {x, h0, c0}, l.parameters());
            }
}

TEST_CASE("lstm dropout: fit trains with the masks, predict runs without them", "[lstm][dropout]")
{
    Sequential<double> model;
    auto lstm = model.emplace<LSTM<double>>(
        LSTMOptions{.units = 4, .seed = 1, .dropout = 0.2, .recurrent_dropout = 0.2});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 2});
    model.build({5, 2});
    const Tensor<double> x = randn({8, 5, 2}, 12), y = randn({8, 1}, 13);
    const Tensor<double> p = predict(model, x);
    REQUIRE((predict(model, x) == p));
    REQUIRE_FALSE(lstm->dropout_masks().has_input());
    SGD<double> opt(model.parameters(), {.lr = 0.01});
    fit(model, opt, x, y, {.epochs = 1, .batch_size = 8, .verbose = false});
    REQUIRE(lstm->dropout_masks().input.shape() == std::vector<std::size_t>{4, 8, 2});
    REQUIRE(lstm->dropout_masks().recurrent.shape() == std::vector<std::size_t>{4, 8, 4});
}
