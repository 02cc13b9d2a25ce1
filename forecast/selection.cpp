// The selection stage: every feasible candidate's seeds trained in parallel, each scored by its
// one-step MAE on the validation tail, the candidates ranked by the MAE of their seeds' median
// (forecast/selection.hpp).
#include "forecast/selection.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
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

// The validation MAE of a group: of the median of its members' one-step forecasts.
double group_score(std::vector<ForecastMember>& members, const std::vector<double>& train, std::size_t n_fit)
{
    std::vector<std::vector<double>> forecasts;
    for (auto& m : members) forecasts.push_back(m.one_step(train, n_fit));
    return mae(slice(train, n_fit, train.size()), median_combine(forecasts));
}

}  // namespace

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

std::vector<ForecastMember> screened_candidates(const std::vector<Group>& groups)
{
    std::vector<ForecastMember> out;
    for (const Group& g : groups) {
        const ForecastMember& f = g.members.front();
        ForecastMember c;
        c.log = f.log;
        c.lags = f.lags;
        c.lookback = f.lookback;
        c.val_mae = g.val_mae;
        c.epochs = f.epochs;
        c.seed = f.seed;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace elman::detail
