// The selection stage: every feasible candidate's seeds trained in parallel, each scored by its
// one-step MAE on the validation tail, the candidates ranked by the MAE of their seeds' median
// (forecast/selection.hpp).
#include "forecast/selection.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "core/blas.hpp"
#include "datasets/metrics.hpp"
#include "forecast/candidates.hpp"
#include "forecast/combination.hpp"
#include "forecast/training.hpp"
#include "forecast/util.hpp"

namespace elman::detail {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The validation scores of a group, from the median of its members' paths from every origin
// of the validation tail (lead by lead): one-step = the MAE at lead 1; multi-step = the MAE at
// each lead 1..min(H, tail), averaged over the leads (each lead weighs the same).
void score_group(Group& g, const std::vector<double>& train, std::size_t n_fit, std::size_t horizon,
                 const Covariates& x)
{
    const std::size_t n = train.size(), H = std::min(horizon, n - n_fit);
    std::vector<std::size_t> origins;
    for (std::size_t t = n_fit; t < n; ++t) origins.push_back(t);
    std::vector<std::vector<std::vector<double>>> member_paths;
    // Paths from the tail's last origins run past its end, unscored: their covariates may be unknown
    // (padded_future's filler is read only by those steps).
    const Covariates known = padded_future(x, n + H);
    for (auto& m : g.members) member_paths.push_back(m.paths(train, origins, H, known));
    double multi = 0;
    for (std::size_t h = 0; h < H; ++h) {
        // Lead h + 1 from the origins whose target lies in the tail.
        std::vector<std::vector<double>> rows(member_paths.size());
        for (std::size_t m = 0; m < member_paths.size(); ++m)
            for (std::size_t i = 0; n_fit + i + h < n; ++i) rows[m].push_back(member_paths[m][i][h]);
        const double e = mae(slice(train, n_fit + h, n), median_combine(rows));
        if (h == 0) g.val_mae = e;
        multi += e / static_cast<double>(H);
    }
    // A recursive forecast that overflowed on the tail: never chosen for multi-step forecasts.
    g.val_multi_mae = std::isfinite(multi) ? multi : std::numeric_limits<double>::infinity();
}

// The progress line of a screened model.
std::string screened_line(const std::string& who, const ForecastMember& mem, double seconds)
{
    return who + " (" + mem.describe() + "): validation MAE " + fmt(mem.val_mae) + ", " +
           (mem.constant ? std::string("constant, not trained") : std::to_string(mem.epochs) + " epochs") +
           (mem.history.interrupted
                ? " (the best of " + std::to_string(mem.history.loss.size()) + " before the interrupt)"
                : std::string()) +
           ", " + fmt(seconds, "%.2f") + " s";
}

// Trains and checks one model of the screening (candidate c, seed index k): nullopt when it was
// dropped (diverged, not finite, interrupted before an epoch), each with a line why.
std::optional<ForecastMember> screen_one(const Candidate& c, const std::string& who, std::uint64_t seed,
                                         const std::vector<double>& train, std::size_t n_fit,
                                         const ForecastOptions& o, RunControl& run, ForecastResult& r,
                                         const Covariates& x)
{
    const auto t0 = Clock::now();
    try {
        ForecastMember mem = train_member(c, train, n_fit, seed, o.epochs, o, x);
        if (mem.history.interrupted) {
            run.mark_interrupted();
            if (mem.history.loss.empty()) {
                run.report(who + " (" + mem.describe() + "): interrupted before its first epoch ended, dropped");
                return std::nullopt;
            }
        }
        mem.val_mae = mae(slice(train, n_fit, train.size()), mem.one_step(train, n_fit, x));
        if (!std::isfinite(mem.val_mae)) {
            run.drop(who + " (" + mem.describe() + "): validation MAE is not finite, dropped", r);
            return std::nullopt;
        }
        run.report(screened_line(who, mem, seconds_since(t0)));
        return mem;
    } catch (const TrainingDiverged& e) {
        run.drop(who + " diverged, dropped: " + e.what(), r);
    } catch (const NotFinite& e) {
        run.drop(who + " dropped: " + e.what(), r);
    }
    return std::nullopt;
}

}  // namespace

std::vector<Group> screen(const std::vector<double>& train, std::size_t n_fit, std::size_t season,
                          std::size_t horizon, const ForecastOptions& o, RunControl& run, ForecastResult& r,
                          const Covariates& x)
{
    const std::vector<Candidate> cands = candidates(train, season, horizon, o);
    const std::vector<std::size_t> feasible = feasible_candidates(cands, n_fit, train.size(), season, o);
    r.candidates = feasible.size();
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
        models[job] = screen_one(cands[ci], who, o.seed + 7919 * ci + 104729 * k, train, n_fit, o, run, r, x);
    });
    std::vector<Group> groups;
    for (std::size_t f = 0; f < feasible.size(); ++f) {
        Group g;
        for (std::size_t k = 0; k < S; ++k)
            if (auto& slot = models[f * S + k]) g.members.push_back(std::move(*slot));
        if (g.members.empty()) continue;
        score_group(g, train, n_fit, horizon, x);
        if (std::isfinite(g.val_mae)) groups.push_back(std::move(g));
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.val_mae < b.val_mae; });
    return groups;
}

std::vector<ForecastMember> screened_candidates(const std::vector<Group>& groups)
{
    std::vector<ForecastMember> out;
    for (const Group& g : groups) {
        const ForecastMember& f = g.members.front();
        ForecastMember c;
        c.log = f.log;
        c.lags = f.lags;
        c.lookback = f.lookback;
        c.outputs = f.outputs;
        c.val_mae = g.val_mae;
        c.val_multi_mae = g.val_multi_mae;
        c.epochs = f.epochs;
        c.seed = f.seed;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace elman::detail
