// The cross-entropy losses: Keras' documented examples, the logits and probability paths against
// each other, gradchecks in float64 and the errors. (PyTorch parity: test_crossentropy_torch.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "check.hpp"
#include "layers/targets.hpp"
#include "layers/losses.hpp"

using namespace elman;
using Catch::Contains;
using elman::test::randn;
using elman::test::require_gradcheck;

namespace {

const CrossentropyOptions k_none{.reduction = Reduction::none};

Tensor<double> probabilities(const Shape& shape, std::uint64_t seed, int axis = -1)
{
    Tape<double> tape;
    return softmax(tape.constant(randn(shape, seed)), axis).value();
}

// A [n,1] column (a braced {{a}, {b}} is ambiguous for xtensor).
Tensor<double> column(std::initializer_list<double> v)
{
    Tensor<double> t = Tensor<double>::from_shape({v.size(), 1});
    std::copy(v.begin(), v.end(), t.begin());
    return t;
}

}  // namespace

TEST_CASE("crossentropy: Keras' documented examples give Keras' numbers", "[losses][crossentropy]")
{
    Tape<double> tape;
    // keras.losses.categorical_crossentropy docstring: [0.0513, 2.303]
    auto p = tape.constant(Tensor<double>{{0.05, 0.95, 0.0}, {0.1, 0.8, 0.1}});
    auto cce = categorical_crossentropy(p, tape.constant(Tensor<double>{{0, 1, 0}, {0, 0, 1}}), k_none);
    REQUIRE(cce.value()(0) == Approx(0.0513).margin(5e-5));
    REQUIRE(cce.value()(1) == Approx(2.303).margin(5e-4));
    // keras.losses.sparse_categorical_crossentropy docstring: the same with ids [1, 2]
    auto scce = sparse_categorical_crossentropy(p, tape.constant(Tensor<double>{1, 2}), k_none);
    REQUIRE(scce.value()(0) == Approx(cce.value()(0)).epsilon(1e-15));
    REQUIRE(scce.value()(1) == Approx(cce.value()(1)).epsilon(1e-15));
    // ... and the mean, Keras' default reduction (sum_over_batch_size)
    REQUIRE(sparse_categorical_crossentropy(p, tape.constant(Tensor<double>{1, 2})).item() ==
            Approx((scce.value()(0) + scce.value()(1)) / 2).epsilon(1e-15));
    // keras.losses.binary_crossentropy docstring: [0.916, 0.714]
    auto bce = binary_crossentropy(tape.constant(Tensor<double>{{0.6, 0.4}, {0.4, 0.6}}),
                                   tape.constant(Tensor<double>{{0, 1}, {0, 0}}), k_none);
    REQUIRE(bce.value()(0) == Approx(0.916).margin(5e-4));
    REQUIRE(bce.value()(1) == Approx(0.714).margin(5e-4));
}

TEST_CASE("crossentropy: logits and the probabilities of their softmax give the same loss",
          "[losses][crossentropy]")
{
    Tape<double> tape;
    const Tensor<double> z = randn({4, 3, 5}, 3);
    auto logits = tape.constant(z);
    auto probs = softmax(logits);
    const Tensor<double> ids = {{0, 4, 2}, {1, 1, 3}, {4, 0, 0}, {2, 3, 1}};
    auto a = sparse_categorical_crossentropy(logits, tape.constant(ids), {.from_logits = true});
    auto b = sparse_categorical_crossentropy(probs, tape.constant(ids));
    REQUIRE(a.item() == Approx(b.item()).epsilon(1e-12));
    // and sigmoid for binary
    auto t = tape.constant(Tensor<double>{{1, 0}, {0, 1}});
    const Tensor<double> zb = {{0.3, -1.2}, {2.0, 0.1}};
    REQUIRE(binary_crossentropy(tape.constant(zb), t, {.from_logits = true}).item() ==
            Approx(binary_crossentropy(sigmoid(tape.constant(zb)), t).item()).epsilon(1e-12));
}

TEST_CASE("crossentropy: from logits, extreme scores give finite losses and gradients",
          "[losses][crossentropy]")
{
    Tape<float> tape;
    auto z = tape.variable(Tensor<float>{{1000.0f, -1000.0f, 0.0f}});
    auto l = sparse_categorical_crossentropy(z, tape.constant(Tensor<float>{1.0f}), {.from_logits = true});
    REQUIRE(l.item() == Approx(2000.0f));  // −log softmax_1 = lse − z_1 = 1000 + 1000
    tape.backward(l);
    REQUIRE(z.grad()(0) == Approx(1.0f));
    REQUIRE(z.grad()(1) == Approx(-1.0f));
    Tape<float> t2;
    auto zb = t2.variable(Tensor<float>{{-200.0f, 200.0f}});
    auto lb = binary_crossentropy(zb, t2.constant(Tensor<float>{{1.0f, 0.0f}}), {.from_logits = true});
    REQUIRE(lb.item() == Approx(200.0f));
    t2.backward(lb);
    REQUIRE(zb.grad()(0, 0) == Approx(-0.5f));  // (σ(−200) − 1) / 2 elements
}

TEST_CASE("crossentropy: probabilities are clipped to [1e-7, 1 − 1e-7] as Keras does",
          "[losses][crossentropy]")
{
    Tape<double> tape;
    // p_y = 0: −log(1e-7) instead of inf
    auto p = tape.constant(Tensor<double>{{0.0, 1.0}});
    REQUIRE(sparse_categorical_crossentropy(p, tape.constant(Tensor<double>{0})).item() ==
            Approx(-std::log(1e-7)).epsilon(1e-12));
    REQUIRE(binary_crossentropy(p, tape.constant(Tensor<double>{{1.0, 0.0}})).item() ==
            Approx(-std::log(1e-7)).epsilon(1e-6));
    // Keras renormalises: [2, 6] is read as [0.25, 0.75]
    REQUIRE(categorical_crossentropy(tape.constant(Tensor<double>{{2.0, 6.0}}),
                                     tape.constant(Tensor<double>{{0.0, 1.0}})).item() ==
            Approx(-std::log(0.75)).epsilon(1e-15));
}

TEST_CASE("crossentropy: reductions sum, none and sum_over_batch_size agree with each other",
          "[losses][crossentropy]")
{
    Tape<double> tape;
    auto z = tape.constant(randn({3, 4, 6}, 9));
    auto t = tape.constant(probabilities({3, 4, 6}, 10));
    auto none = categorical_crossentropy(z, t, {.from_logits = true, .reduction = Reduction::none});
    REQUIRE(none.shape() == Shape{3, 4});  // one loss per time step: per-step classification
    double total = 0;
    for (double v : none.value()) total += v;
    REQUIRE(categorical_crossentropy(z, t, {.from_logits = true, .reduction = Reduction::sum}).item() ==
            Approx(total).epsilon(1e-14));
    REQUIRE(categorical_crossentropy(z, t, {.from_logits = true}).item() == Approx(total / 12).epsilon(1e-14));
    // binary: the per-sample loss is the mean over the last axis
    auto bn = binary_crossentropy(z, t, {.from_logits = true, .reduction = Reduction::none});
    REQUIRE(bn.shape() == Shape{3, 4});
}

TEST_CASE("crossentropy: class ids may come as [B] or [B,1], binary targets as [B] for [B,1]",
          "[losses][crossentropy]")
{
    Tape<double> tape;
    auto z = tape.constant(randn({3, 4}, 2));
    const double a = sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{0, 3, 1}), {.from_logits = true}).item();
    const double b = sparse_categorical_crossentropy(z, tape.constant(column({0, 3, 1})), {.from_logits = true}).item();
    REQUIRE(a == b);
    auto p = tape.constant(column({0.2, 0.9, 0.6}));
    REQUIRE(binary_crossentropy(p, tape.constant(Tensor<double>{0, 1, 1})).item() ==
            binary_crossentropy(p, tape.constant(column({0, 1, 1}))).item());
}

TEST_CASE("crossentropy: gradcheck in float64, logits and probabilities, every reduction",
          "[losses][crossentropy][gradcheck]")
{
    const Tensor<double> ids = {{2, 0, 1}, {1, 1, 0}};
    for (Reduction r : {Reduction::sum_over_batch_size, Reduction::sum, Reduction::none})
        for (bool logits : {true, false})
            for (double smooth : {0.0, 0.1}) {
                INFO("reduction " << int(r) << ", from_logits " << logits << ", label_smoothing " << smooth);
                const CrossentropyOptions o{.from_logits = logits, .reduction = r, .label_smoothing = smooth};
                const Tensor<double> pred = logits ? randn({2, 3, 4}, 4) : probabilities({2, 3, 4}, 4);
                require_gradcheck(
                    [&](Tape<double>& tape, const auto& v) {
                        return sparse_categorical_crossentropy(v[0], tape.constant(ids), o);
                    },
                    {pred});
                require_gradcheck([&](Tape<double>&, const auto& v) { return categorical_crossentropy(v[0], v[1], o); },
                                  {pred, probabilities({2, 3, 4}, 5)});
                Tape<double> tape;
                const Tensor<double> bp = logits ? randn({3, 2}, 6) : sigmoid(tape.constant(randn({3, 2}, 6))).value();
                require_gradcheck([&](Tape<double>&, const auto& v) { return binary_crossentropy(v[0], v[1], o); },
                                  {bp, Tensor<double>{{0, 1}, {1, 0.3}, {1, 1}}});
            }
    // a class axis other than the last
    require_gradcheck([](Tape<double>&, const auto& v) {
        return categorical_crossentropy(v[0], v[1], {.from_logits = true, .axis = 1});
    }, {randn({2, 3, 4}, 7), probabilities({2, 3, 4}, 8, 1)});
    require_gradcheck([](Tape<double>&, const auto& v) {
        return categorical_crossentropy(v[0], v[1], {.axis = 0});
    }, {probabilities({3, 2}, 9, 0), probabilities({3, 2}, 10, 0)});
}

TEST_CASE("crossentropy: mistakes are errors naming the loss, the tensor and the position",
          "[losses][crossentropy][errors]")
{
    Tape<double> tape;
    auto z = tape.constant(randn({2, 3}, 1));
    auto p = tape.constant(probabilities({2, 3}, 1));
    REQUIRE_THROWS_WITH(categorical_crossentropy(z, tape.constant(randn({2, 4}, 2))),
                        Contains("categorical_crossentropy: pred has shape [2,3] but target has shape [2,4]"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{0, 1, 2})),
                        Contains("pred [2,3] needs class ids of shape [2] or [2,1], got target [3]"));
    REQUIRE_THROWS_AS(sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{0, 1.5})), IdError);
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{0, 1.5})),
                        Contains("sparse_categorical_crossentropy: target[1] = 1.5 is not a class id: "
                                 "class ids are integers in [0, 3) (pred [2,3] has 3 classes)"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(z, tape.constant(column({3, 0}))),
                        Contains("target[0,0] = 3 is not a class id"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{-1, 0})),
                        Contains("target[0] = -1 is not a class id"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(z, tape.constant(Tensor<double>{std::nan(""), 0})),
                        Contains("target[0] = nan is not a class id"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(tape.constant(randn({2, 3, 4}, 3)),
                                                        tape.constant(Tensor<double>{{0, 1, 2, 3}}), {.axis = 1}),
                        Contains("the class axis must be the last (axis -1)"));
    // logits passed as probabilities
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(tape.constant(Tensor<double>{{0.5, -0.2}}),
                                                        tape.constant(Tensor<double>{0})),
                        Contains("pred[0,1] = -0.2 is negative; with from_logits = false") &&
                            Contains("pass from_logits = true"));
    REQUIRE_THROWS_WITH(binary_crossentropy(tape.constant(column({0.5, 1.7})),
                                            tape.constant(column({1, 0}))),
                        Contains("binary_crossentropy: pred[1,0] = 1.7 is outside [0, 1]"));
    REQUIRE_THROWS_WITH(categorical_crossentropy(tape.constant(Tensor<double>{{0.0, 0.0}}),
                                                 tape.constant(Tensor<double>{{1.0, 0.0}})),
                        Contains("sums to 0"));
    REQUIRE_THROWS_WITH(binary_crossentropy(p, p, {.label_smoothing = 1.5}),
                        Contains("label_smoothing must be in [0, 1], got 1.5"));
    REQUIRE_THROWS_WITH(binary_crossentropy(p, tape.constant(Tensor<double>{1, 0})),
                        Contains("binary_crossentropy: pred has shape [2,3] but target has shape [2]"));
    REQUIRE_THROWS_WITH(mse(p, p, Reduction::none), Contains("mse: Reduction::none is not offered"));
    REQUIRE_THROWS_WITH(sparse_categorical_crossentropy(tape.constant(scalar_tensor(1.0)),
                                                        tape.constant(scalar_tensor(0.0))),
                        Contains("pred [] needs a non-empty class axis"));
    REQUIRE_THROWS_WITH(categorical_crossentropy(tape.constant(scalar_tensor(1.0)),
                                                 tape.constant(scalar_tensor(0.0))),
                        Contains("scalar"));
}
