#include <catch2/catch.hpp>

#include <cmath>

#include "check.hpp"
#include "layers/losses.hpp"

using namespace elman;
using elman::test::randn;
using elman::test::require_gradcheck;

namespace {

// pred − target = [0.5, −0.5, −2, 0]: one element on each side of 0, one beyond huber's
// delta = 1, one exactly at mae's kink.
const Tensor<double> kPred = {{1.0, 2.0}, {-1.0, 0.5}};
const Tensor<double> kTarget = {{0.5, 2.5}, {1.0, 0.5}};

template <class F>
void check_values(F loss, double mean_value, double sum_value, const Tensor<double>& dpred_mean)
{
    {
        Tape<double> tape;
        auto p = tape.variable(kPred, "pred");
        auto t = tape.variable(kTarget, "target");
        auto l = loss(p, t, Reduction::mean);
        REQUIRE(l.shape().empty());
        REQUIRE(l.item() == Approx(mean_value).epsilon(1e-15));
        tape.backward(l);
        for (std::size_t i = 0; i < 4; ++i) {
            REQUIRE(p.grad().data()[i] == Approx(dpred_mean.data()[i]).margin(1e-15));
            REQUIRE(t.grad().data()[i] == Approx(-dpred_mean.data()[i]).margin(1e-15));
        }
    }
    Tape<double> tape;
    auto p = tape.variable(kPred, "pred");
    auto l = loss(p, tape.constant(kTarget), Reduction::sum);
    REQUIRE(l.item() == Approx(sum_value).epsilon(1e-15));
    tape.backward(l);
    for (std::size_t i = 0; i < 4; ++i) REQUIRE(p.grad().data()[i] == Approx(4.0 * dpred_mean.data()[i]));
}

}  // namespace

TEST_CASE("losses: mse forward and gradient match hand-computed values", "[losses]")
{
    // mean(e²) = (0.25 + 0.25 + 4 + 0) / 4;  d/dpred = 2e / 4
    check_values([](auto p, auto t, Reduction r) { return mse(p, t, r); }, 4.5 / 4, 4.5,
                 Tensor<double>{{0.25, -0.25}, {-1.0, 0.0}});
}

TEST_CASE("losses: mae forward and gradient match hand-computed values, 0 at the kink", "[losses]")
{
    // mean|e| = (0.5 + 0.5 + 2 + 0) / 4;  d/dpred = sign(e) / 4, sign(0) = 0
    check_values([](auto p, auto t, Reduction r) { return mae(p, t, r); }, 3.0 / 4, 3.0,
                 Tensor<double>{{0.25, -0.25}, {-0.25, 0.0}});
}

TEST_CASE("losses: huber is quadratic inside delta and linear outside", "[losses]")
{
    // 0.5·0.25 + 0.5·0.25 + 1·(2 − 0.5) + 0 = 1.75;  d/dpred = [0.5, −0.5, −1 (clipped), 0] / 4
    check_values([](auto p, auto t, Reduction r) { return huber(p, t, 1.0, r); }, 1.75 / 4, 1.75,
                 Tensor<double>{{0.125, -0.125}, {-0.25, 0.0}});
    // delta = 0.25: every nonzero error is in the linear part: 0.25·(|e| − 0.125)
    Tape<double> tape;
    auto l = huber(tape.variable(kPred), tape.constant(kTarget), 0.25);
    REQUIRE(l.item() == Approx(0.25 * (0.375 + 0.375 + 1.875) / 4));
}

TEST_CASE("losses: huber equals mse/2 when every error is within delta", "[losses]")
{
    Tape<double> tape;
    auto p = tape.variable(kPred);
    auto t = tape.constant(kTarget);
    REQUIRE(huber(p, t, 10.0).item() == Approx(0.5 * mse(p, t).item()).epsilon(1e-15));
}

TEST_CASE("losses: gradcheck in float64 for pred and target", "[losses][gradcheck]")
{
    const Tensor<double> pred = randn({3, 5}, 11);
    const Tensor<double> target = randn({3, 5}, 12);
    const double delta = 0.7;
    // Keep the finite differences away from the kinks (e = 0 for mae, |e| = delta for huber),
    // and make sure huber sees both of its pieces.
    int inside = 0, outside = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) {
        const double e = pred.data()[i] - target.data()[i];
        REQUIRE(std::abs(e) > 1e-3);
        REQUIRE(std::abs(std::abs(e) - delta) > 1e-3);
        (std::abs(e) <= delta ? inside : outside)++;
    }
    REQUIRE(inside > 0);
    REQUIRE(outside > 0);

    for (Reduction r : {Reduction::mean, Reduction::sum}) {
        require_gradcheck([r](Tape<double>&, const std::vector<Var<double>>& v) { return mse(v[0], v[1], r); },
                          {pred, target});
        require_gradcheck([r](Tape<double>&, const std::vector<Var<double>>& v) { return mae(v[0], v[1], r); },
                          {pred, target});
        require_gradcheck(
            [r, delta](Tape<double>&, const std::vector<Var<double>>& v) { return huber(v[0], v[1], delta, r); },
            {pred, target});
    }
}

TEST_CASE("losses: float32 agrees with float64", "[losses]")
{
    const Tensor<double> pred = randn({8, 1}, 3);
    const Tensor<double> target = randn({8, 1}, 4);
    Tape<double> td;
    const double expected = mse(td.constant(pred), td.constant(target)).item();
    Tape<float> tf;
    Tensor<float> pf = xt::cast<float>(pred);
    Tensor<float> tgt = xt::cast<float>(target);
    auto pv = tf.variable(pf);
    auto l = mse(pv, tf.constant(tgt));
    REQUIRE(l.item() == Approx(expected).epsilon(1e-6));
    REQUIRE(huber(pv, tf.constant(tgt), 0.5).item() > 0.0f);  // delta given as a double literal
    tf.backward(l);
    REQUIRE(pv.grad()(3, 0) == Approx(2.0 * (pred(3, 0) - target(3, 0)) / 8).epsilon(1e-6));
}

TEST_CASE("losses: shapes must be identical, and the error names the loss and both shapes", "[losses][errors]")
{
    Tape<double> tape;
    auto p = tape.variable(Tensor<double>(xt::zeros<double>({4, 1})));
    auto t = tape.constant(Tensor<double>(xt::zeros<double>({4})));
    REQUIRE_THROWS_AS(mse(p, t), Error);
    REQUIRE_THROWS_WITH(mse(p, t), Catch::Contains("mse") && Catch::Contains("[4,1]") && Catch::Contains("[4]"));
    REQUIRE_THROWS_WITH(mae(p, t), Catch::Contains("mae") && Catch::Contains("[4,1]"));
    REQUIRE_THROWS_WITH(huber(p, t), Catch::Contains("huber") && Catch::Contains("[4]"));
}

TEST_CASE("losses: huber rejects a non-positive delta", "[losses][errors]")
{
    Tape<double> tape;
    auto p = tape.variable(kPred);
    auto t = tape.constant(kTarget);
    REQUIRE_THROWS_WITH(huber(p, t, 0.0), Catch::Contains("huber") && Catch::Contains("delta"));
    REQUIRE_THROWS_WITH(huber(p, t, -1.0), Catch::Contains("delta"));
}

TEST_CASE("losses: one tape node per loss", "[losses]")
{
    Tape<double> tape;
    auto p = tape.variable(kPred);
    auto t = tape.constant(kTarget);
    const auto before = tape.size();
    mse(p, t);
    mae(p, t);
    huber(p, t);
    REQUIRE(tape.size() == before + 3);
}
