#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "optim/schedules.hpp"
#include "optim/sgd.hpp"

using namespace elman;

namespace {

struct Fixture {
    Parameter<double> w{"w", Tensor<double>{1.0}, {}};
    SGD<double> opt{{&w}, {.lr = 1.0}};
};

}  // namespace

TEST_CASE("step_decay: lr = initial·gamma^floor(epoch/step_size)", "[schedules]")
{
    Fixture f;
    StepDecay<double> sched(f.opt, 2, 0.5);
    REQUIRE(f.opt.lr() == 1.0);
    std::vector<double> lrs;
    for (int e = 0; e < 5; ++e) {
        sched.step();
        lrs.push_back(f.opt.lr());
    }
    // epochs 1..5 -> floor(e/2) = 0, 1, 1, 2, 2
    REQUIRE(lrs == std::vector<double>{1.0, 0.5, 0.5, 0.25, 0.25});
    REQUIRE(sched.epoch() == 5);
    REQUIRE(sched.lr_at(11) == Approx(1.0 / 32));
}

TEST_CASE("step_decay: default gamma is torch's 0.1, and bad arguments throw", "[schedules][errors]")
{
    Fixture f;
    StepDecay<double> sched(f.opt, 1);
    sched.step();
    REQUIRE(f.opt.lr() == Approx(0.1));
    REQUIRE_THROWS_WITH(StepDecay<double>(f.opt, 0), Catch::Contains("step_size"));
    REQUIRE_THROWS_WITH(StepDecay<double>(f.opt, 1, -0.5), Catch::Contains("gamma") && Catch::Contains("-0.5"));
}

TEST_CASE("plateau: hand-worked sequence with patience and cooldown", "[schedules]")
{
    Fixture f;
    ReduceLROnPlateau<double> sched(f.opt, {.factor = 0.5, .patience = 2, .cooldown = 1});
    const std::vector<double> metrics = {1.0, 0.9, 0.95, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96, 0.5};
    // bad epochs: 0 0 1 2 3->reduce(0) cooldown(0) 1 2 3->reduce(0) 0(better)
    const std::vector<double> expected_lr = {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25};
    const std::vector<bool> expected_reduced = {false, false, false, false, true, false, false, false, true, false};
    for (std::size_t e = 0; e < metrics.size(); ++e) {
        INFO("epoch " << e + 1);
        REQUIRE(sched.step(metrics[e]) == expected_reduced[e]);
        REQUIRE(f.opt.lr() == expected_lr[e]);
    }
    REQUIRE(sched.best() == 0.5);
}

TEST_CASE("plateau: torch defaults wait 10 bad epochs and cut the lr tenfold", "[schedules]")
{
    Fixture f;
    ReduceLROnPlateau<double> sched(f.opt);
    REQUIRE(sched.step(1.0) == false);  // first metric is always better than +inf
    for (int e = 0; e < 10; ++e) REQUIRE(sched.step(1.0) == false);
    REQUIRE(sched.num_bad_epochs() == 10);
    REQUIRE(sched.step(1.0) == true);
    REQUIRE(f.opt.lr() == Approx(0.1));
    REQUIRE(sched.num_bad_epochs() == 0);
}

TEST_CASE("plateau: relative threshold needs an improvement of more than 1e-4·best", "[schedules]")
{
    Fixture f;
    ReduceLROnPlateau<double> sched(f.opt);
    sched.step(1.0);
    sched.step(0.99995);  // not below 1·(1 − 1e-4)
    REQUIRE(sched.num_bad_epochs() == 1);
    REQUIRE(sched.best() == 1.0);
    sched.step(0.9998);
    REQUIRE(sched.num_bad_epochs() == 0);
    REQUIRE(sched.best() == 0.9998);
    sched.step(std::numeric_limits<double>::quiet_NaN());  // never better
    REQUIRE(sched.num_bad_epochs() == 1);
}

TEST_CASE("plateau: max mode with an absolute threshold", "[schedules]")
{
    Fixture f;
    ReduceLROnPlateau<double> sched(
        f.opt, {.mode = PlateauMode::max, .patience = 0, .threshold = 0.1, .threshold_mode = ThresholdMode::abs});
    sched.step(0.5);
    REQUIRE(sched.step(0.55) == true);  // not above 0.5 + 0.1: one bad epoch > patience 0
    REQUIRE(f.opt.lr() == Approx(0.1));
    REQUIRE(sched.step(0.65) == false);  // better
    REQUIRE(sched.best() == 0.65);
}

TEST_CASE("plateau: lr never goes below min_lr", "[schedules]")
{
    Fixture f;
    ReduceLROnPlateau<double> sched(f.opt, {.patience = 0, .min_lr = 0.5});
    sched.step(1.0);
    REQUIRE(sched.step(2.0) == true);
    REQUIRE(f.opt.lr() == 0.5);
    REQUIRE(sched.step(3.0) == false);  // max(0.05, 0.5) is no reduction
    REQUIRE(f.opt.lr() == 0.5);
}

TEST_CASE("plateau: invalid options throw naming the option", "[schedules][errors]")
{
    Fixture f;
    REQUIRE_THROWS_WITH(ReduceLROnPlateau<double>(f.opt, {.factor = 1.0}), Catch::Contains("factor") && Catch::Contains("1.0"));
    REQUIRE_THROWS_WITH(ReduceLROnPlateau<double>(f.opt, {.threshold = -1.0}), Catch::Contains("threshold"));
    REQUIRE_THROWS_WITH(ReduceLROnPlateau<double>(f.opt, {.min_lr = -1.0}), Catch::Contains("min_lr"));
}
