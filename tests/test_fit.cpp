#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "core/init.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/losses.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"

using namespace elman;

namespace {

constexpr std::size_t lookback = 20;

// sin(2π t / 25) + N(0, 0.05²), t = 0..n−1, cut into windows of `lookback` values -> the next.
// x:[n − lookback, lookback, 1], y:[n − lookback, 1]
struct SineData {
    Tensor<float> x, y;
};

SineData noisy_sine(std::size_t n = 400, std::uint64_t seed = 7)
{
    Rng rng(seed);
    std::vector<float> s(n);
    for (std::size_t t = 0; t < n; ++t)
        s[t] = static_cast<float>(std::sin(2 * std::numbers::pi * static_cast<double>(t) / 25.0) +
                                  0.05 * rng.normal());
    const std::size_t m = n - lookback;
    SineData d{Tensor<float>::from_shape({m, lookback, 1}), Tensor<float>::from_shape({m, 1})};
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t k = 0; k < lookback; ++k) d.x(i, k, 0) = s[i + k];
        d.y(i, 0) = s[i + lookback];
    }
    return d;
}

Sequential<float> make_model(std::uint64_t seed = 1)
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 16, .seed = seed});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = seed + 1});
    model.build({lookback, 1});
    return model;
}

std::vector<Tensor<float>> weights_of(Sequential<float>& model)
{
    std::vector<Tensor<float>> w;
    for (auto* p : model.parameters()) w.push_back(p->value);
    return w;
}

bool all_finite(const std::vector<Tensor<float>>& ws)
{
    for (const auto& w : ws)
        for (float v : w)
            if (!std::isfinite(v)) return false;
    return true;
}

// The first / last rows of a tensor along axis 0.
Tensor<float> rows(const Tensor<float>& a, std::size_t begin, std::size_t end)
{
    return xt::eval(xt::view(a, xt::range(begin, end)));
}

}  // namespace

TEST_CASE("fit: SimpleRNN(16)->Dense(1) forecasts a noisy sine to val MSE < 0.005 within 40 epochs", "[fit]")
{
    // The target's variance is 0.5 and the noise floor 0.0025: 0.005 means the sine was learned.
    const SineData d = noisy_sine();
    auto model = make_model();
    Adam<float> opt(model.parameters(), {.lr = 0.01f});
    const History<float> h = fit(model, opt, d.x, d.y,
                                 {.epochs = 40, .batch_size = 32, .seed = 3, .validation_split = 0.2f,
                                  .patience = 5, .verbose = false});
    REQUIRE(h.val_loss.size() == h.loss.size());
    const float best = *std::min_element(h.val_loss.begin(), h.val_loss.end());
    INFO("val_loss best " << best << " after " << h.val_loss.size() << " epochs; " << h.stop_reason);
    REQUIRE(best < 0.005f);
    REQUIRE(h.val_loss.front() > 2 * best);  // it trained, rather than starting there

    // The validation part is the chronological tail: evaluating the model on it reproduces the
    // restored epoch's val_loss exactly.
    const std::size_t n = d.x.shape()[0], n_train = static_cast<std::size_t>(n * (1.0 - 0.2f));
    REQUIRE(evaluate(model, rows(d.x, n_train, n), rows(d.y, n_train, n), 32) == h.val_loss[h.best_epoch]);
}

TEST_CASE("fit: early stopping restores the best epoch's weights", "[fit]")
{
    const SineData d = noisy_sine();
    const Tensor<float> x_train = rows(d.x, 0, 300), y_train = rows(d.y, 0, 300);
    const Tensor<float> x_val = rows(d.x, 300, 380), y_val = rows(d.y, 300, 380);
    auto model = make_model();
    SGD<float> opt(model.parameters(), {.lr = 0.05f, .momentum = 0.9f});
    std::vector<std::vector<Tensor<float>>> weights_after;
    FitOptions<float> o{.epochs = 60, .batch_size = 16, .seed = 5, .patience = 3, .verbose = false};
    // A min_delta larger than any possible improvement after the first epochs forces a stop with
    // a best epoch that is not the last one.
    o.min_delta = 0.05f;
    o.on_epoch_end = [&](const EpochLog<float>& log) {
        REQUIRE(log.epoch == weights_after.size());
        REQUIRE(log.has_val);
        weights_after.push_back(weights_of(model));
    };
    const History<float> h = fit(model, opt, x_train, y_train, x_val, y_val, o);
    INFO(h.stop_reason);
    REQUIRE(h.stopped_early);
    REQUIRE(h.loss.size() == h.best_epoch + 1 + 3);
    REQUIRE(h.stop_reason.find("early stopping") != std::string::npos);
    REQUIRE(weights_after.size() == h.loss.size());

    const auto final_weights = weights_of(model);
    const auto& best = weights_after[h.best_epoch];
    const auto& last = weights_after.back();
    bool differs_from_last = false;
    for (std::size_t i = 0; i < best.size(); ++i) {
        REQUIRE(final_weights[i] == best[i]);
        differs_from_last = differs_from_last || final_weights[i] != last[i];
    }
    REQUIRE(differs_from_last);
    REQUIRE(evaluate(model, x_val, y_val, 16) == h.val_loss[h.best_epoch]);
}

TEST_CASE("fit: the same seed gives the same run bit for bit, another seed a different one", "[fit]")
{
    const SineData d = noisy_sine(200);
    const auto run = [&](std::uint64_t seed) {
        auto model = make_model();
        Adam<float> opt(model.parameters(), {.lr = 0.01f});
        const History<float> h = fit(model, opt, d.x, d.y,
                                     {.epochs = 3, .batch_size = 16, .seed = seed, .validation_split = 0.25f,
                                      .verbose = false});
        return std::make_pair(h, weights_of(model));
    };
    const auto [h1, w1] = run(11);
    const auto [h2, w2] = run(11);
    const auto [h3, w3] = run(12);
    REQUIRE(h1.loss == h2.loss);
    REQUIRE(h1.val_loss == h2.val_loss);
    REQUIRE(w1 == w2);
    REQUIRE(h1.loss != h3.loss);
    REQUIRE(w1 != w3);
}

TEST_CASE("fit: without shuffling, batches follow the sample order and the seed does not matter", "[fit]")
{
    const SineData d = noisy_sine(120);
    const auto run = [&](std::uint64_t seed) {
        auto model = make_model();
        SGD<float> opt(model.parameters(), {.lr = 0.01f});
        fit(model, opt, d.x, d.y, {.epochs = 2, .batch_size = 10, .shuffle = false, .seed = seed, .verbose = false});
        return weights_of(model);
    };
    REQUIRE(run(1) == run(2));
}

TEST_CASE("fit: an exploding learning rate throws TrainingDiverged and keeps the last good weights", "[fit]")
{
    const SineData d = noisy_sine(120);
    const std::size_t n = d.x.shape()[0];
    // One step per epoch (batch = all samples, no shuffle): epoch k's weights are reproducible
    // by training a fresh model for k epochs.
    const FitOptions<float> o{.epochs = 50, .batch_size = n, .shuffle = false, .verbose = false};
    auto model = make_model();
    SGD<float> opt(model.parameters(), {.lr = 1e6f});
    std::size_t failed_epoch = 0;
    try {
        fit(model, opt, d.x, d.y, o);
        FAIL("fit did not diverge");
    } catch (const TrainingDiverged& e) {
        const std::string msg = e.what();
        INFO(msg);
        failed_epoch = e.epoch();
        REQUIRE(e.step() == 1);
        REQUIRE(failed_epoch >= 2);
        REQUIRE(msg.find("at epoch " + std::to_string(failed_epoch) + ", step 1") != std::string::npos);
    }
    const auto kept = weights_of(model);
    REQUIRE(all_finite(kept));

    auto replay = make_model();
    SGD<float> opt2(replay.parameters(), {.lr = 1e6f});
    FitOptions<float> o2 = o;
    o2.epochs = failed_epoch - 1;
    fit(replay, opt2, d.x, d.y, o2);
    REQUIRE(weights_of(replay) == kept);
}

TEST_CASE("fit: a loss that overflows stops at the first step with the weights untouched", "[fit]")
{
    SineData d = noisy_sine(100);
    d.y.fill(1e30f);
    auto model = make_model();
    const auto initial = weights_of(model);
    Adam<float> opt(model.parameters());
    try {
        fit(model, opt, d.x, d.y, {.epochs = 2, .verbose = false});
        FAIL("fit did not diverge");
    } catch (const TrainingDiverged& e) {
        INFO(e.what());
        REQUIRE(e.epoch() == 1);
        REQUIRE(e.step() == 1);
        REQUIRE(std::string(e.what()).find("loss became inf at epoch 1, step 1") != std::string::npos);
    }
    REQUIRE(weights_of(model) == initial);
    REQUIRE(opt.step_count() == 0);
}

TEST_CASE("fit: clip_norm bounds each step of plain SGD", "[fit]")
{
    const SineData d = noisy_sine(100);
    const std::size_t n = d.x.shape()[0];
    auto model = make_model();
    const auto before = weights_of(model);
    SGD<float> opt(model.parameters(), {.lr = 1.0f});
    fit(model, opt, d.x, d.y, {.epochs = 1, .batch_size = n, .shuffle = false, .verbose = false, .clip_norm = 0.01f});
    // One SGD step of lr 1 moves the weights by exactly the clipped gradient: norm <= 0.01.
    double sq = 0;
    const auto after = weights_of(model);
    for (std::size_t i = 0; i < after.size(); ++i)
        for (std::size_t j = 0; j < after[i].size(); ++j) {
            const double delta = double(after[i].data()[j]) - double(before[i].data()[j]);
            sq += delta * delta;
        }
    REQUIRE(std::sqrt(sq) <= 0.01 * 1.001);
    REQUIRE(std::sqrt(sq) > 0.005);
}

TEST_CASE("fit: predict returns one output row per sample, whatever the batch size", "[fit]")
{
    const SineData d = noisy_sine(100);
    auto model = make_model();
    const Tensor<float> all = predict(model, d.x, 1000);
    const Tensor<float> small = predict(model, d.x, 7);
    REQUIRE(all.shape() == d.y.shape());
    // Different batch sizes take different BLAS kernels: equal up to float rounding.
    REQUIRE(xt::allclose(all, small, 1e-5, 1e-6));
    // mse of the predictions is what evaluate reports.
    double sq = 0;
    for (std::size_t i = 0; i < all.size(); ++i) sq += double(all.data()[i] - d.y.data()[i]) * (all.data()[i] - d.y.data()[i]);
    REQUIRE(evaluate(model, d.x, d.y, 1000) == Approx(sq / all.size()).epsilon(1e-5));
}

TEST_CASE("fit: bad arguments give named errors", "[fit]")
{
    const SineData d = noisy_sine(100);
    auto model = make_model();
    Adam<float> opt(model.parameters());
    const Tensor<float> y_short = rows(d.y, 0, 10);
    REQUIRE_THROWS_WITH(fit(model, opt, d.x, y_short, {.verbose = false}),
                        Catch::Contains("different numbers of samples"));
    REQUIRE_THROWS_WITH(fit(model, opt, d.x, d.y, {.batch_size = 0, .verbose = false}),
                        Catch::Contains("batch_size"));
    REQUIRE_THROWS_WITH(fit(model, opt, d.x, d.y, {.validation_split = 1.0f, .verbose = false}),
                        Catch::Contains("validation_split"));
    REQUIRE_THROWS_WITH(fit(model, opt, d.x, d.y, d.x, d.y, {.validation_split = 0.5f, .verbose = false}),
                        Catch::Contains("not both"));

    Sequential<float> unbuilt;
    unbuilt.emplace<Dense<float>>(DenseOptions{.units = 1});
    Adam<float> empty_opt(unbuilt.parameters());
    REQUIRE_THROWS_WITH(fit(unbuilt, empty_opt, d.x, d.y, {.verbose = false}), Catch::Contains("not built"));
}

TEST_CASE("fit: should_stop stops after exactly the steps taken, and an epoch cut short is not in the history", "[fit]")
{
    const SineData d = noisy_sine(120);  // 100 samples, batch 25: 4 steps per epoch
    const FitOptions<float> base{.epochs = 10, .batch_size = 25, .seed = 3, .verbose = false};
    // mse, counting its calls: without validation data fit calls the loss once per step.
    std::size_t loss_calls = 0;
    const LossFn<float> counting = [&](const Var<float>& p, const Var<float>& t) {
        ++loss_calls;
        return mse(p, t);
    };
    const auto stop_after = [&](std::size_t n_steps, Sequential<float>& model) {
        Adam<float> opt(model.parameters(), {.lr = 0.01f});
        FitOptions<float> o = base;
        std::size_t asked = 0;
        o.should_stop = [&asked, n_steps] { return asked++ >= n_steps; };
        loss_calls = 0;
        const History<float> h = fit(model, opt, d.x, d.y, o, counting);
        REQUIRE(asked == n_steps + 1);
        REQUIRE(loss_calls == n_steps);
        REQUIRE(opt.step_count() == n_steps);
        return h;
    };

    SECTION("in the middle of an epoch")
    {
        auto model = make_model();
        const History<float> h = stop_after(6, model);
        REQUIRE(h.interrupted);
        REQUIRE(h.stopped_early);
        REQUIRE(h.steps == 6);
        REQUIRE(h.stop_reason == "interrupted after epoch 2, step 2");
        REQUIRE(h.loss.size() == 1);  // epoch 2 ran 2 of its 4 steps: not in the history
        REQUIRE(all_finite(weights_of(model)));
    }
    SECTION("at the end of an epoch: bit-identical to a run of that many epochs")
    {
        auto model = make_model();
        const History<float> h = stop_after(8, model);
        REQUIRE(h.stop_reason == "interrupted after epoch 2, step 4");
        REQUIRE(h.loss.size() == 2);

        auto replay = make_model();
        Adam<float> opt(replay.parameters(), {.lr = 0.01f});
        FitOptions<float> o = base;
        o.epochs = 2;
        const History<float> full = fit(replay, opt, d.x, d.y, o);
        REQUIRE_FALSE(full.interrupted);
        REQUIRE(full.steps == 8);
        REQUIRE(full.loss == h.loss);
        REQUIRE(weights_of(replay) == weights_of(model));
    }
    SECTION("before the first step: nothing changes")
    {
        auto model = make_model();
        const auto initial = weights_of(model);
        const History<float> h = stop_after(0, model);
        REQUIRE(h.interrupted);
        REQUIRE(h.stop_reason == "interrupted before the first step");
        REQUIRE(h.loss.empty());
        REQUIRE(weights_of(model) == initial);
    }
}

TEST_CASE("fit: interrupted with early stopping on, the model holds the best epoch's weights so far", "[fit]")
{
    const SineData d = noisy_sine();
    const Tensor<float> x_train = rows(d.x, 0, 300), y_train = rows(d.y, 0, 300);  // 19 steps
    const Tensor<float> x_val = rows(d.x, 300, 380), y_val = rows(d.y, 300, 380);
    auto model = make_model();
    SGD<float> opt(model.parameters(), {.lr = 0.05f, .momentum = 0.9f});
    std::vector<std::vector<Tensor<float>>> weights_after;
    FitOptions<float> o{.epochs = 60, .batch_size = 16, .seed = 5, .patience = 50, .verbose = false};
    // As in the early-stopping test: a large min_delta makes an early epoch the best one.
    o.min_delta = 0.05f;
    o.on_epoch_end = [&](const EpochLog<float>&) { weights_after.push_back(weights_of(model)); };
    const std::size_t n_steps = 5 * 19 + 7;  // 5 epochs and 7 steps of the 6th
    std::size_t asked = 0;
    o.should_stop = [&] { return asked++ >= n_steps; };
    const History<float> h = fit(model, opt, x_train, y_train, x_val, y_val, o);
    INFO(h.stop_reason);
    REQUIRE(h.interrupted);
    REQUIRE(h.steps == n_steps);
    REQUIRE(h.stop_reason == "interrupted after epoch 6, step 7");
    REQUIRE(h.loss.size() == 5);
    REQUIRE(h.val_loss.size() == 5);
    REQUIRE(weights_after.size() == 5);
    REQUIRE(h.best_epoch < 4);

    const auto final_weights = weights_of(model);
    REQUIRE(final_weights == weights_after[h.best_epoch]);
    REQUIRE(final_weights != weights_after.back());
    REQUIRE(evaluate(model, x_val, y_val, 16) == h.val_loss[h.best_epoch]);
}
