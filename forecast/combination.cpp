// The combination stage: the best candidates' models kept with their refits on the whole
// training part, and the median that combines their forecasts (forecast/combination.hpp).
#include "forecast/combination.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "core/blas.hpp"
#include "forecast/training.hpp"
#include "forecast/util.hpp"
#include "layers/fit.hpp"

namespace elman::detail {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

std::vector<double> median_combine(const std::vector<std::vector<double>>& rows)
{
    std::vector<double> out(rows.front().size());
    std::vector<double> col;
    for (std::size_t t = 0; t < out.size(); ++t) {
        col.clear();
        for (const auto& r : rows)
            if (std::isfinite(r[t])) col.push_back(r[t]);
        if (col.empty()) {
            out[t] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        std::sort(col.begin(), col.end());
        const std::size_t k = col.size() / 2;
        out[t] = col.size() % 2 ? col[k] : 0.5 * col[k - 1] + 0.5 * col[k];
    }
    return out;
}

namespace {

// The refit of a kept member on the whole training part for its early-stopping epoch count, in
// the same ensembles; nullopt when it was interrupted, diverged or is not finite.
std::optional<ForecastMember> refit_one(const ForecastMember& sm, const std::vector<double>& train,
                                        const ForecastOptions& o, RunControl& run, ForecastResult& r,
                                        const Covariates& x)
{
    const auto t0 = Clock::now();
    try {
        ForecastMember mem =
            train_member({sm.log, sm.lags, sm.lookback, sm.outputs}, train, train.size(), sm.seed, sm.epochs, o, x);
        if (mem.history.interrupted) {
            run.mark_interrupted();
            run.report("refit (" + mem.describe() + ") interrupted, dropped");
            return std::nullopt;
        }
        mem.val_mae = sm.val_mae;
        mem.val_multi_mae = sm.val_multi_mae;
        mem.in_one_step = sm.in_one_step;
        mem.in_multi_step = sm.in_multi_step;
        mem.history = sm.history;
        run.report("refit (" + mem.describe() + ") on all " + std::to_string(train.size()) + " training values, " +
                   std::to_string(mem.epochs) + " epochs, " + fmt(seconds_since(t0), "%.2f") + " s");
        return mem;
    } catch (const TrainingDiverged& e) {
        run.drop("refit (" + sm.describe() + ") diverged, dropped: " + e.what(), r);
    } catch (const NotFinite& e) {
        run.drop("refit dropped: " + std::string(e.what()), r);
    }
    return std::nullopt;
}

// Marks the o.ensemble best recursive groups by the one-step score and the o.ensemble best
// groups by the multi-step score (a group whose multi-step score is not finite is never chosen
// for multi-step), and returns the members of every group marked at least once, in the order
// of the groups.
std::vector<ForecastMember*> keep_best(std::vector<Group>& groups, std::size_t ensemble)
{
    // One-step forecasts come from the recursive candidates, trained for exactly that, unless
    // there are none (--strategy mimo): a MIMO model's first output shares its network with
    // the later ones, and ranking both kinds on a short tail picked it by chance.
    const bool any_recursive =
        std::any_of(groups.begin(), groups.end(), [](const Group& g) { return g.members.front().outputs == 1; });
    std::vector<std::size_t> by_one, by_multi(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i) {
        by_multi[i] = i;
        if (!any_recursive || groups[i].members.front().outputs == 1) by_one.push_back(i);
    }
    std::stable_sort(by_one.begin(), by_one.end(),
                     [&](std::size_t a, std::size_t b) { return groups[a].val_mae < groups[b].val_mae; });
    std::stable_sort(by_multi.begin(), by_multi.end(),
                     [&](std::size_t a, std::size_t b) { return groups[a].val_multi_mae < groups[b].val_multi_mae; });
    std::vector<bool> one(groups.size(), false), multi(groups.size(), false);
    for (std::size_t k = 0; k < std::min(ensemble, by_one.size()); ++k) one[by_one[k]] = true;
    for (std::size_t k = 0; k < std::min(ensemble, by_multi.size()); ++k)
        multi[by_multi[k]] = std::isfinite(groups[by_multi[k]].val_multi_mae);
    // No finite multi-step score at all: the one-step choice forecasts multi-step too.
    if (std::find(multi.begin(), multi.end(), true) == multi.end()) multi = one;
    std::vector<ForecastMember*> kept;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        if (!one[gi] && !multi[gi]) continue;
        for (ForecastMember& mem : groups[gi].members) {
            mem.val_mae = groups[gi].val_mae;
            mem.val_multi_mae = groups[gi].val_multi_mae;
            mem.in_one_step = one[gi];
            mem.in_multi_step = multi[gi];
            kept.push_back(&mem);
        }
    }
    return kept;
}

}  // namespace

void keep_and_refit(std::vector<Group>& groups, const std::vector<double>& train, const ForecastOptions& o,
                    RunControl& run, ForecastResult& r, const Covariates& x)
{
    const std::vector<ForecastMember*> kept = keep_best(groups, o.ensemble);
    // Refits only after a complete screening: an interrupted run has to stop.
    if (o.refit && !run.interrupted() && !run.stop_now()) {
        r.refits_planned = kept.size();
        std::vector<std::optional<ForecastMember>> refitted(kept.size());
        const std::optional<BlasThreadsScope> one_blas_thread =
            o.threads > 1 ? std::make_optional<BlasThreadsScope>(1) : std::nullopt;
        parallel_for(kept.size(), o.threads, [&](std::size_t i) {
            if (!run.stop_now()) refitted[i] = refit_one(*kept[i], train, o, run, r, x);
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
