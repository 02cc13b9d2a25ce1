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
