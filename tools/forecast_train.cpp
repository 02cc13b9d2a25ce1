// Training stages of run_forecast: candidates, one member, screening, keeping and refits.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <optional>
#include <thread>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "datasets/stats.hpp"
#include "datasets/transforms.hpp"
#include "datasets/windows.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "tools/forecast_stages.hpp"
#include "tools/forecast_util.hpp"

namespace elman::detail {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A model that cannot be trained: its transformed series is not finite.
class NotFinite : public Error {
public:
    using Error::Error;
};

Sequential<float> make_model(std::size_t lookback, std::size_t units, std::uint64_t seed)
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = units, .seed = seed});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = seed + 1});
    model.build({lookback, 1});
    return model;
}

// Windows of the scaled differenced series s whose targets are s[first..last).
Windows<float> windows_for(const std::vector<double>& s, std::size_t first, std::size_t last, std::size_t lookback)
{
    return make_windows<float>(slice(s, first - lookback, last), lookback, 1);
}

// Trains one member on y[0..fit_end): scaler from the differenced fitted part; when
// fit_end < y.size(), early stopping on the windows whose targets are in y[fit_end..), and
// mem.epochs = the best epoch count; otherwise exactly `epochs` epochs. A constant fitted part
// gives a constant member, untrained.
ForecastMember train_member(const Candidate& c, const std::vector<double>& y, std::size_t fit_end, std::uint64_t seed,
                            std::size_t epochs, const ForecastOptions& o)
{
    ForecastMember mem;
    mem.log = c.log;
    mem.lags = c.lags;
    mem.lookback = c.lookback;
    mem.seed = seed;
    mem.model = make_model(c.lookback, o.units, seed);
    const std::size_t order = Differencing(c.lags).order();
    const std::vector<double> d = Differencing(c.lags).apply(c.log ? log_transform(y) : y);
    const std::size_t fit_d = fit_end - order, all_d = y.size() - order;
    if (!detail::all_finite(d))
        throw NotFinite(mem.describe() + ": the transformed series is not finite (differences overflow)");
    // Constant: forecast by its value itself (a mean of equal values can round away from it).
    if (std::all_of(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(fit_d), [&](double x) { return x == d[0]; })) {
        mem.mean = d[0];
        mem.constant = true;
        return mem;
    }
    mem.mean = mean_of(d.data(), fit_d);
    const double sd = population_sd(d.data(), fit_d, mem.mean);
    if (!(sd > 0.0) || !std::isfinite(sd))
        throw NotFinite(mem.describe() + ": the spread of the transformed series is not a positive finite number");
    mem.scale = sd;
    std::vector<double> s(d.size());
    for (std::size_t j = 0; j < d.size(); ++j) s[j] = (d[j] - mem.mean) / mem.scale;
    const Windows<float> wt = windows_for(s, c.lookback, fit_d, c.lookback);
    Adam<float> opt(mem.model.parameters(), AdamOptions<float>{.lr = static_cast<float>(o.lr)});
    // At most o.max_steps optimizer steps: long series need fewer epochs, and the run time
    // stays bounded whatever the length.
    const std::size_t n_windows = wt.x.shape()[0];
    const std::size_t steps_per_epoch = (n_windows + o.batch_size - 1) / o.batch_size;
    FitOptions<float> fo;
    fo.epochs = std::max<std::size_t>(1, std::min(epochs, o.max_steps / steps_per_epoch));
    fo.batch_size = o.batch_size;
    fo.seed = seed;
    fo.verbose = false;
    fo.clip_norm = 1.0f;
    fo.should_stop = o.should_stop;
    if (fit_d < all_d) {
        const Windows<float> wv = windows_for(s, fit_d, all_d, c.lookback);
        fo.patience = o.patience;
        mem.history = fit(mem.model, opt, wt.x, wt.y, wv.x, wv.y, fo);
        mem.epochs = mem.history.best_epoch + 1;
    } else {
        mem.history = fit(mem.model, opt, wt.x, wt.y, fo);
        mem.epochs = fo.epochs;
    }
    return mem;
}

// Runs fn(0..n−1) on up to `threads` threads; the first exception is rethrown after all join.
void parallel_for(std::size_t n, std::size_t threads, const std::function<void(std::size_t)>& fn)
{
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) {
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < std::min(threads, n); ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

// The candidates with enough windows to train on, or an error naming what would help.
std::vector<std::size_t> feasible_candidates(const std::vector<Candidate>& cands, std::size_t n_fit,
                                             std::size_t n_train, std::size_t season, const ForecastOptions& o)
{
    constexpr std::size_t min_windows = 8;
    std::vector<std::size_t> feasible;
    for (std::size_t ci = 0; ci < cands.size(); ++ci)
        if (n_fit >= Differencing(cands[ci].lags).order() + cands[ci].lookback + min_windows) feasible.push_back(ci);
    if (!feasible.empty()) return feasible;
    std::size_t smallest = cands.front().lookback;
    for (const auto& c : cands) smallest = std::min(smallest, c.lookback);
    std::vector<std::string> remedies;
    if (o.test.value_or(1) > 0) remedies.push_back("a smaller --test");
    if (smallest > 1) remedies.push_back("a smaller --lookback");
    if (season > 1) remedies.push_back("a smaller --season");
    std::string hint;
    for (std::size_t i = 0; i < remedies.size(); ++i)
        hint += (i == 0 ? "; try " : i + 1 == remedies.size() ? " or " : ", ") + remedies[i];
    throw Error("series too short: " + std::to_string(n_train) + " training values leave fewer than " +
                std::to_string(min_windows) + " windows for lookback " + std::to_string(smallest) + hint);
}

// The validation MAE of a group: of the median of its members' one-step forecasts.
double group_score(std::vector<ForecastMember>& members, const std::vector<double>& train, std::size_t n_fit)
{
    std::vector<std::vector<double>> forecasts;
    for (auto& m : members) forecasts.push_back(m.one_step(train, n_fit));
    return mae(slice(train, n_fit, train.size()), median_combine(forecasts));
}

}  // namespace

std::vector<Candidate> candidates(const std::vector<double>& train, std::size_t season, const ForecastOptions& o)
{
    const bool positive = std::all_of(train.begin(), train.end(), [](double v) { return v > 0.0; });
    // A constant part is forecast exactly without logs: exp(log y) can be off by an ulp.
    const bool constant = std::all_of(train.begin(), train.end(), [&](double v) { return v == train.front(); });
    std::vector<bool> logs = o.log ? std::vector<bool>{*o.log}
                             : positive && !constant ? std::vector<bool>{false, true}
                                                     : std::vector<bool>{false};
    std::vector<std::vector<std::size_t>> lag_sets;
    if (o.lags)
        lag_sets = {*o.lags};
    else if (season > 1)
        lag_sets = {{}, {1}, {season}, {1, season}};
    else
        lag_sets = {{}, {1}};
    std::vector<std::size_t> lookbacks;
    if (o.lookback)
        lookbacks = {*o.lookback};
    else if (season > 1)
        lookbacks = {std::max<std::size_t>(season, 4), std::max<std::size_t>(2 * season, 8)};
    else
        lookbacks = {4, 8, 12, 16};
    std::vector<Candidate> out;
    for (bool lg : logs)
        for (const auto& lags : lag_sets)
            for (std::size_t L : lookbacks) out.push_back({lg, lags, L});
    return out;
}

void RunControl::report(const std::string& line)
{
    if (!o_.progress) return;
    std::lock_guard<std::mutex> lock(mutex_);
    o_.progress(line);
}

void RunControl::drop(const std::string& line, ForecastResult& r)
{
    std::lock_guard<std::mutex> lock(mutex_);
    r.notes.push_back(line);
    if (o_.progress) o_.progress(line);
}

bool RunControl::stop_now()
{
    if (!o_.should_stop || !o_.should_stop()) return false;
    interrupted_ = true;
    return true;
}

std::vector<Group> screen(const std::vector<double>& train, std::size_t n_fit, std::size_t season,
                          const ForecastOptions& o, RunControl& run, ForecastResult& r)
{
    const std::vector<Candidate> cands = candidates(train, season, o);
    const std::vector<std::size_t> feasible = feasible_candidates(cands, n_fit, train.size(), season, o);
    r.candidates = feasible.size();
    const std::vector<double> val_part = slice(train, n_fit, train.size());
    // The models train in parallel, each on one thread: BLAS gets one thread for the whole run
    // (core/blas.hpp: per-GEMM switching of the process-wide count would race between them).
    const std::optional<BlasThreadsScope> one_blas_thread =
        o.threads > 1 ? std::make_optional<BlasThreadsScope>(1) : std::nullopt;
    const std::size_t S = o.seeds;
    std::vector<std::optional<ForecastMember>> models(feasible.size() * S);
    parallel_for(models.size(), o.threads, [&](std::size_t job) {
        if (run.stop_now()) return;
        const std::size_t ci = feasible[job / S], k = job % S;
        const std::string who = "candidate " + std::to_string(ci + 1) + "/" + std::to_string(cands.size()) +
                                " seed " + std::to_string(k + 1) + "/" + std::to_string(S);
        const auto t0 = Clock::now();
        try {
            ForecastMember mem = train_member(cands[ci], train, n_fit, o.seed + 7919 * ci + 104729 * k, o.epochs, o);
            if (mem.history.interrupted) {
                run.mark_interrupted();
                if (mem.history.loss.empty()) {
                    run.report(who + " (" + mem.describe() + "): interrupted before its first epoch ended, dropped");
                    return;
                }
            }
            mem.val_mae = mae(val_part, mem.one_step(train, n_fit));
            if (!std::isfinite(mem.val_mae)) {
                run.drop(who + " (" + mem.describe() + "): validation MAE is not finite, dropped", r);
                return;
            }
            run.report(who + " (" + mem.describe() + "): validation MAE " + fmt(mem.val_mae) + ", " +
                       (mem.constant ? std::string("constant, not trained") : std::to_string(mem.epochs) + " epochs") +
                       (mem.history.interrupted
                            ? " (the best of " + std::to_string(mem.history.loss.size()) + " before the interrupt)"
                            : std::string()) +
                       ", " + fmt(seconds_since(t0), "%.2f") + " s");
            models[job] = std::move(mem);
        } catch (const TrainingDiverged& e) {
            run.drop(who + " diverged, dropped: " + e.what(), r);
        } catch (const NotFinite& e) {
            run.drop(who + " dropped: " + e.what(), r);
        }
    });
    std::vector<Group> groups;
    for (std::size_t f = 0; f < feasible.size(); ++f) {
        Group g;
        for (std::size_t k = 0; k < S; ++k)
            if (auto& slot = models[f * S + k]) g.members.push_back(std::move(*slot));
        if (g.members.empty()) continue;
        g.val_mae = group_score(g.members, train, n_fit);
        if (std::isfinite(g.val_mae)) groups.push_back(std::move(g));
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.val_mae < b.val_mae; });
    return groups;
}

void keep_and_refit(std::vector<Group>& groups, const std::vector<double>& train, const ForecastOptions& o,
                    RunControl& run, ForecastResult& r)
{
    const std::size_t keep = std::min(o.ensemble, groups.size());
    std::vector<ForecastMember*> kept;
    for (std::size_t gi = 0; gi < keep; ++gi)
        for (ForecastMember& mem : groups[gi].members) {
            mem.val_mae = groups[gi].val_mae;
            kept.push_back(&mem);
        }
    // Refits only after a complete screening: an interrupted run has to stop.
    if (o.refit && !run.interrupted() && !run.stop_now()) {
        r.refits_planned = kept.size();
        std::vector<std::optional<ForecastMember>> refitted(kept.size());
        const std::optional<BlasThreadsScope> one_blas_thread =
            o.threads > 1 ? std::make_optional<BlasThreadsScope>(1) : std::nullopt;
        parallel_for(kept.size(), o.threads, [&](std::size_t i) {
            if (run.stop_now()) return;
            const ForecastMember& sm = *kept[i];
            const auto t0 = Clock::now();
            try {
                ForecastMember mem = train_member({sm.log, sm.lags, sm.lookback}, train, train.size(), sm.seed, sm.epochs, o);
                if (mem.history.interrupted) {
                    run.mark_interrupted();
                    run.report("refit (" + mem.describe() + ") interrupted, dropped");
                    return;
                }
                mem.val_mae = sm.val_mae;
                mem.history = sm.history;
                run.report("refit (" + mem.describe() + ") on all " + std::to_string(train.size()) + " training values, " +
                           std::to_string(mem.epochs) + " epochs, " + fmt(seconds_since(t0), "%.2f") + " s");
                refitted[i] = std::move(mem);
            } catch (const TrainingDiverged& e) {
                run.drop("refit (" + sm.describe() + ") diverged, dropped: " + e.what(), r);
            } catch (const NotFinite& e) {
                run.drop("refit dropped: " + std::string(e.what()), r);
            }
        });
        // Both generations vote: the refitted models saw the latest values, the early-stopped
        // ones were validated; the median of the two sets was steadier than either alone.
        for (auto& mem : refitted)
            if (mem) {
                r.model.members.push_back(std::move(*mem));
                ++r.refits;
            }
    }
    for (ForecastMember* mem : kept) r.model.members.push_back(std::move(*mem));
}

}  // namespace elman::detail
