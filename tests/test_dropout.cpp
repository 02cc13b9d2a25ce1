#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/fit.hpp"
#include "layers/sequential.hpp"
#include "optim/sgd.hpp"

using namespace elman;
using elman::test::randn;

TEST_CASE("dropout: inference passes the input through without recording anything", "[dropout]")
{
    Dropout<double> d({.rate = 0.5, .seed = 1});
    Tape<double> tape;
    const Var<double> x = tape.variable(randn({4, 3, 2}, 1));
    const std::size_t nodes = tape.size();
    const Var<double> y = d.forward(tape, x);
    REQUIRE(y.index() == x.index());
    REQUIRE(tape.size() == nodes);
    // rate 0 is the identity in training too
    Dropout<double> none({.rate = 0.0});
    REQUIRE(none.forward(tape, x, {.training = true}).index() == x.index());
    REQUIRE(d.type() == "Dropout");
    REQUIRE(d.name() == "dropout");
    REQUIRE(d.param_count() == 0);
    REQUIRE(d.parameters().empty());
}

TEST_CASE("dropout: training zeroes a fraction rate and scales the rest by 1/(1 − rate)", "[dropout]")
{
    for (double rate : {0.1, 0.3, 0.5, 0.9}) {
        INFO("rate " << rate);
        Dropout<double> d({.rate = rate, .seed = 7});
        Tape<double> tape;
        const Tensor<double> x = randn({200, 500}, 2);
        const Tensor<double> y = d.forward(tape, tape.constant(x), {.training = true}).value();
        std::size_t dropped = 0;
        double sum = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double yi = y.data()[i], xi = x.data()[i];
            if (yi == 0.0) {
                ++dropped;
            } else {
                REQUIRE(yi == Approx(xi / (1.0 - rate)).epsilon(1e-15));
            }
            sum += d.last_mask().data()[i];
        }
        // 100000 draws: the dropped fraction is within 5 standard deviations of rate, and
        // the mask's mean (the expected scale of the output) within 5 of 1
        const double n = static_cast<double>(x.size());
        const double sd = std::sqrt(rate * (1 - rate) / n);
        REQUIRE(std::abs(static_cast<double>(dropped) / n - rate) < 5 * sd);
        REQUIRE(std::abs(sum / n - 1.0) < 5 * sd / (1 - rate));
    }
}

TEST_CASE("dropout: the same seed and name give the same masks, each call a new one", "[dropout]")
{
    const Tensor<double> x = xt::ones<double>({8, 16});
    Dropout<double> a({.rate = 0.5, .seed = 3});
    Dropout<double> b({.rate = 0.5, .seed = 3});
    Dropout<double> other_seed({.rate = 0.5, .seed = 4});
    Dropout<double> other_name({.rate = 0.5, .seed = 3});
    other_name.set_name("dropout_1");
    Tape<double> tape;
    const auto draw = [&](Dropout<double>& d) {
        return Tensor<double>(d.forward(tape, tape.constant(x), {.training = true}).value());
    };
    const Tensor<double> a1 = draw(a), a2 = draw(a);
    REQUIRE((a1 == draw(b)));
    REQUIRE((a2 == draw(b)));
    REQUIRE((a1 != a2));
    REQUIRE((a1 != draw(other_seed)));
    REQUIRE((a1 != draw(other_name)));
    a.reseed(3);
    REQUIRE((draw(a) == a1));
}

TEST_CASE("dropout: backward multiplies the gradient by the same mask (gradcheck)", "[dropout][gradcheck]")
{
    Dropout<double> d({.rate = 0.4, .seed = 5});
    const Tensor<double> x = randn({3, 4, 2}, 3);
    // the mask is fixed by restarting the stream before every evaluation
    test::require_gradcheck(
        [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
            d.reseed(5);
            return d.forward(tape, in[0], {.training = true});
        },
        {x});
    Tape<double> tape;
    const Var<double> xv = tape.variable(x);
    const Var<double> y = d.forward(tape, xv, {.training = true});
    const Tensor<double> u = randn({3, 4, 2}, 4);
    tape.backward(y, u);
    const Tensor<double> expected = u * d.last_mask();
    REQUIRE((xv.grad() == expected));
}

TEST_CASE("dropout: noise_shape shares one draw along axes of size 1", "[dropout]")
{
    // {0, 1, 0} on [B,T,F]: one mask per sequence and feature, the same at every step
    Dropout<double> d({.rate = 0.5, .noise_shape = {0, 1, 0}, .seed = 2});
    Tape<double> tape;
    d.forward(tape, tape.constant(xt::ones<double>({4, 6, 5})), {.training = true});
    const Tensor<double>& m = d.last_mask();
    REQUIRE(m.shape() == std::vector<std::size_t>{4, 6, 5});
    bool some_zero = false, some_kept = false;
    for (std::size_t b = 0; b < 4; ++b)
        for (std::size_t f = 0; f < 5; ++f) {
            for (std::size_t t = 1; t < 6; ++t) REQUIRE(m(b, t, f) == m(b, 0, f));
            some_zero = some_zero || m(b, 0, f) == 0.0;
            some_kept = some_kept || m(b, 0, f) == 2.0;
        }
    REQUIRE(some_zero);
    REQUIRE(some_kept);
    Dropout<double> bad({.rate = 0.5, .noise_shape = {0, 2, 0}});
    REQUIRE_THROWS_WITH(bad.forward(tape, tape.constant(xt::ones<double>({4, 6, 5}))),
                        Catch::Contains("dropout") && Catch::Contains("noise_shape [0,2,0]") &&
                            Catch::Contains("[4,6,5]"));
}

TEST_CASE("dropout: a rate below 0, or of 1 or more, is an error naming the rate", "[dropout]")
{
    for (double rate : {-0.1, 1.0, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
        INFO("rate " << rate);
        REQUIRE_THROWS_WITH(Dropout<float>({.rate = rate}),
                            Catch::Contains("dropout: rate must be in [0, 1)"));
    }
}

TEST_CASE("dropout: fit trains with it, evaluate and predict run without it", "[dropout]")
{
    Sequential<double> model;
    model.emplace<Dense<double>>(DenseOptions{.units = 8, .activation = Activation::tanh,
                                              .seed = 1});
    auto drop = model.emplace<Dropout<double>>(DropoutOptions{.rate = 0.5, .seed = 1});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 2});
    model.build({3});
    const Tensor<double> x = randn({16, 3}, 6);
    const Tensor<double> y = randn({16, 1}, 7);
    const Tensor<double> p1 = predict(model, x);
    REQUIRE((predict(model, x) == p1));  // inference is deterministic
    REQUIRE(drop->last_mask().size() == 0);
    SGD<double> opt(model.parameters(), {.lr = 0.01});
    fit(model, opt, x, y, {.epochs = 1, .batch_size = 16, .verbose = false});
    REQUIRE(drop->last_mask().shape() == std::vector<std::size_t>{16, 8});
    // evaluate equals the loss of predict's outputs: no dropout there
    const Tensor<double> p2 = predict(model, x);
    double mse = 0;
    for (std::size_t i = 0; i < 16; ++i) mse += (p2(i, 0) - y(i, 0)) * (p2(i, 0) - y(i, 0));
    REQUIRE(evaluate(model, x, y) == Approx(mse / 16).epsilon(1e-12));
}
