#include "tools/forecast.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "datasets/baselines.hpp"
#include "datasets/split.hpp"
#include "datasets/transforms.hpp"
#include "datasets/windows.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

namespace elman {

namespace {

using Clock = std::chrono::steady_clock;

std::string fmt(double v, const char* f = "%.4g")
{
    char buf[48];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::vector<double> slice(const std::vector<double>& v, std::size_t begin, std::size_t end)
{
    return {v.begin() + static_cast<std::ptrdiff_t>(begin),
            v.begin() + static_cast<std::ptrdiff_t>(end)};
}

// z = log y (or y), then differenced: d[j] belongs to time j + Σlags.
std::vector<double> to_model_scale(const std::vector<double>& y, bool log,
                                   const std::vector<std::size_t>& lags)
{
    return Differencing(lags).apply(log ? log_transform(y) : y);
}

Sequential<float> make_model(std::size_t lookback, std::size_t units, std::uint64_t seed)
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = units, .seed = seed});
    model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = seed + 1});
    model.build({lookback, 1});
    return model;
}

// The median of each column of rows[member][t] (the mean of the middle two for an even count).
std::vector<double> median_combine(const std::vector<std::vector<double>>& rows)
{
    std::vector<double> out(rows.front().size());
    std::vector<double> col(rows.size());
    for (std::size_t t = 0; t < out.size(); ++t) {
        for (std::size_t i = 0; i < rows.size(); ++i) col[i] = rows[i][t];
        std::sort(col.begin(), col.end());
        const std::size_t k = col.size() / 2;
        out[t] = col.size() % 2 ? col[k] : 0.5 * (col[k - 1] + col[k]);
    }
    return out;
}

struct Candidate {
    bool log;
    std::vector<std::size_t> lags;
    std::size_t lookback;
};

std::vector<Candidate> candidates(const std::vector<double>& train, std::size_t season,
                                  const ForecastOptions& o)
{
    const bool positive =
        std::all_of(train.begin(), train.end(), [](double v) { return v > 0.0; });
    std::vector<bool> logs = o.log ? std::vector<bool>{*o.log}
                                   : positive ? std::vector<bool>{false, true}
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

// Windows of the scaled differenced series s whose targets are s[first..last).
Windows<float> windows_for(const std::vector<double>& s, std::size_t first, std::size_t last,
                           std::size_t lookback)
{
    return make_windows<float>(slice(s, first - lookback, last), lookback, 1);
}

// Trains one member on y[0..fit_end): scaler from the differenced fitted part; when
// fit_end < y.size(), early stopping on the windows whose targets are in y[fit_end..), and
// mem.epochs = the best epoch count; otherwise exactly `epochs` epochs.
ForecastMember train_member(bool log, const std::vector<std::size_t>& lags, std::size_t lookback,
                            const std::vector<double>& y, std::size_t fit_end, std::uint64_t seed,
                            std::size_t epochs, const ForecastOptions& o)
{
    ForecastMember mem;
    mem.log = log;
    mem.lags = lags;
    mem.lookback = lookback;
    mem.seed = seed;
    const std::size_t order = Differencing(lags).order();
    const std::vector<double> d = to_model_scale(y, log, lags);
    const std::size_t fit_d = fit_end - order, all_d = y.size() - order;
    double mu = 0, var = 0;
    for (std::size_t j = 0; j < fit_d; ++j) mu += d[j];
    mu /= static_cast<double>(fit_d);
    for (std::size_t j = 0; j < fit_d; ++j) var += (d[j] - mu) * (d[j] - mu);
    mem.mean = mu;
    mem.scale = std::sqrt(var / static_cast<double>(fit_d));
    if (!(mem.scale > 0.0)) mem.scale = 1.0;
    std::vector<double> s(d.size());
    for (std::size_t j = 0; j < d.size(); ++j) s[j] = (d[j] - mem.mean) / mem.scale;
    const Windows<float> wt = windows_for(s, lookback, fit_d, lookback);
    mem.model = make_model(lookback, o.units, seed);
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
        const Windows<float> wv = windows_for(s, fit_d, all_d, lookback);
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

}  // namespace

std::string ForecastMember::describe() const
{
    std::string d = log ? "log, " : "";
    if (lags.empty())
        d += "no diff";
    else {
        d += "diff ";
        for (std::size_t i = 0; i < lags.size(); ++i)
            d += (i ? "," : "") + std::to_string(lags[i]);
    }
    return d + ", lookback " + std::to_string(lookback);
}

std::size_t ForecastMember::warmup() const
{
    return Differencing(lags).order() + lookback;
}

std::vector<double> ForecastMember::one_step(const std::vector<double>& y, std::size_t from)
{
    const Differencing diff(lags);
    const std::size_t o = diff.order();
    if (from < o + lookback)
        throw Error("forecast: " + describe() + " needs " + std::to_string(o + lookback) +
                    " values before the first forecast, got " + std::to_string(from));
    const std::vector<double> z = log ? log_transform(y) : y;
    const std::vector<double> d = diff.apply(z);
    // x[i] = s[t−o−L .. t−o) for t = from + i: the scaled differences before time t.
    const std::size_t N = y.size() - from;
    Tensor<float> x = Tensor<float>::from_shape({N, lookback, std::size_t(1)});
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t k = 0; k < lookback; ++k)
            x.data()[i * lookback + k] =
                static_cast<float>((d[from + i - o - lookback + k] - mean) / scale);
    const Tensor<float> p = predict(model, x);
    std::vector<double> f(N);
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t t = from + i;
        const double dhat = static_cast<double>(p.data()[i]) * scale + mean;
        const double zhat =
            o == 0 ? dhat : diff.invert(slice(z, t - o, t), {dhat}).front();
        f[i] = log ? std::exp(zhat) : zhat;
    }
    return f;
}

std::vector<double> ForecastMember::multi_step(const std::vector<double>& history,
                                               std::size_t horizon)
{
    const Differencing diff(lags);
    if (history.size() < warmup())
        throw Error("forecast: " + describe() + " needs " + std::to_string(warmup()) +
                    " values of history, got " + std::to_string(history.size()));
    const std::vector<double> z = log ? log_transform(history) : history;
    std::vector<double> s = diff.apply(z);
    for (double& v : s) v = (v - mean) / scale;
    std::vector<double> dhat;
    Tensor<float> x = Tensor<float>::from_shape({std::size_t(1), lookback, std::size_t(1)});
    for (std::size_t h = 0; h < horizon; ++h) {
        for (std::size_t k = 0; k < lookback; ++k)
            x.data()[k] = static_cast<float>(s[s.size() - lookback + k]);
        const double next = static_cast<double>(predict(model, x).data()[0]);
        s.push_back(next);
        dhat.push_back(next * scale + mean);
    }
    std::vector<double> zhat = diff.order() == 0 ? dhat : diff.invert(z, dhat);
    if (log)
        for (double& v : zhat) v = std::exp(v);
    return zhat;
}

std::size_t ForecastModel::warmup() const
{
    std::size_t w = 0;
    for (const auto& m : members) w = std::max(w, m.warmup());
    return w;
}

std::vector<double> ForecastModel::one_step(const std::vector<double>& y, std::size_t from)
{
    std::vector<std::vector<double>> rows;
    for (auto& m : members) rows.push_back(m.one_step(y, from));
    return median_combine(rows);
}

std::vector<double> ForecastModel::multi_step(const std::vector<double>& history,
                                              std::size_t horizon)
{
    std::vector<std::vector<double>> rows;
    for (auto& m : members) rows.push_back(m.multi_step(history, horizon));
    return median_combine(rows);
}

std::string ForecastModel::describe() const
{
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const auto& m : members) {
        const std::string d = m.describe();
        auto it = std::find_if(counts.begin(), counts.end(),
                               [&](const auto& c) { return c.first == d; });
        if (it == counts.end())
            counts.emplace_back(d, 1);
        else
            ++it->second;
    }
    std::string out;
    for (const auto& [d, k] : counts)
        out += (out.empty() ? "" : ", ") + std::to_string(k) + " × [" + d + "]";
    return out;
}

void ForecastModel::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    nlohmann::json j;
    j["format"] = "elman-forecast";
    j["format_version"] = 1;
    j["season"] = season;
    j["combine"] = "median";
    j["interrupted"] = interrupted;
    j["members"] = nlohmann::json::array();
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto& m = members[i];
        const std::string sub = "member_" + std::to_string(i);
        save_checkpoint(dir + "/" + sub, m.model);
        j["members"].push_back({{"checkpoint", sub},
                                {"log", m.log},
                                {"lags", m.lags},
                                {"lookback", m.lookback},
                                {"mean", m.mean},
                                {"scale", m.scale},
                                {"val_mae", m.val_mae},
                                {"epochs", m.epochs},
                                {"seed", m.seed}});
    }
    std::ofstream out(dir + "/pipeline.json");
    out << j.dump(2) << "\n";
    if (!out) throw Error("forecast: cannot write " + dir + "/pipeline.json");
}

ForecastModel ForecastModel::load(const std::string& dir)
{
    const std::string path = dir + "/pipeline.json";
    std::ifstream in(path);
    if (!in) throw Error("model " + dir + ": cannot open " + path);
    ForecastModel fm;
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        if (j.at("format") != "elman-forecast")
            throw Error("model " + dir + ": " + path + " is not an elman forecast model");
        fm.season = j.at("season").get<std::size_t>();
        fm.interrupted = j.value("interrupted", false);
        for (const auto& e : j.at("members")) {
            ForecastMember m;
            m.log = e.at("log").get<bool>();
            m.lags = e.at("lags").get<std::vector<std::size_t>>();
            m.lookback = e.at("lookback").get<std::size_t>();
            m.mean = e.at("mean").get<double>();
            m.scale = e.at("scale").get<double>();
            m.val_mae = e.at("val_mae").get<double>();
            m.epochs = e.at("epochs").get<std::size_t>();
            m.seed = e.at("seed").get<std::uint64_t>();
            m.model = load_model<float>(dir + "/" + e.at("checkpoint").get<std::string>());
            fm.members.push_back(std::move(m));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("model " + dir + ": malformed " + path + ": " + e.what());
    }
    if (fm.members.empty()) throw Error("model " + dir + ": " + path + " lists no members");
    return fm;
}

std::size_t default_threads()
{
    return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
}

const std::vector<std::string>& forecast_methods()
{
    static const std::vector<std::string> m{"elman", "naive", "seasonal_naive", "drift"};
    return m;
}

void validate_forecast_options(const ForecastOptions& o)
{
    if (o.units < 1) throw Error("--units must be >= 1");
    if (o.epochs < 1) throw Error("--epochs must be >= 1");
    if (o.batch_size < 1) throw Error("--batch-size must be >= 1");
    if (o.ensemble < 1) throw Error("--ensemble must be >= 1");
    if (o.seeds < 1) throw Error("--seeds must be >= 1");
    if (o.threads < 1) throw Error("--threads must be >= 1");
    if (o.max_steps < 1) throw Error("--max-steps must be >= 1");
    if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw Error("--lr must be a finite number > 0");
    if (o.lookback && *o.lookback < 1) throw Error("--lookback must be >= 1");
    if (o.test && *o.test < 1) throw Error("--test must be >= 1");
    if (o.season && *o.season < 1) throw Error("--season must be >= 1");
    if (o.lags)
        for (std::size_t l : *o.lags)
            if (l < 1) throw Error("--diff lags must be >= 1");
}

ForecastResult run_forecast(const Series& series, const ForecastOptions& o)
{
    validate_forecast_options(o);
    const std::vector<double>& y = series.values;
    const std::size_t n = y.size();
    ForecastResult r;
    r.season = o.season ? *o.season : std::max<std::size_t>(series.season, 1);
    const std::size_t m = r.season;
    r.n_test = o.test ? *o.test : default_test_size(n, m);
    if (r.n_test < 1)
        throw Error("series of " + std::to_string(n) +
                    " values is too short for a test part (use --test)");
    if (r.n_test >= n)
        throw Error("--test " + std::to_string(r.n_test) + " leaves no training values out of " +
                    std::to_string(n));
    r.n_train = n - r.n_test;
    r.horizon = o.horizon ? o.horizon : r.n_test;
    if (r.horizon > r.n_test)
        throw Error("--horizon " + std::to_string(r.horizon) + " exceeds the test part (" +
                    std::to_string(r.n_test) + " values)");
    if (r.n_train <= m)
        throw Error("series too short: the training part (" + std::to_string(r.n_train) +
                    " values) must be longer than the season (" + std::to_string(m) + ")");
    const std::vector<double> train = slice(y, 0, r.n_train);
    const std::vector<double> test = slice(y, r.n_train, n);
    if (o.log && *o.log)
        for (std::size_t t = 0; t < n; ++t)
            if (!(y[t] > 0.0))
                throw Error("--log needs positive values, but value " + std::to_string(t + 1) +
                            " (" + series.periods[t] + ") is " + fmt(y[t], "%g"));

    // The validation tail inside the training part, by the same rule as the test part.
    const std::size_t n_val = std::max<std::size_t>(default_test_size(r.n_train, m), 1);
    const std::size_t n_fit = r.n_train - std::min(n_val, r.n_train - 1);
    const std::vector<double> val_part = slice(train, n_fit, r.n_train);
    // Positivity is checked on the whole series: one-step forecasts take logs of the test history.
    ForecastOptions co = o;
    if (!o.log && !std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; }))
        co.log = false;
    const std::vector<Candidate> cands = candidates(train, m, co);
    constexpr std::size_t min_windows = 8;

    // Candidates are scored by the median forecast of `seeds` models each (less noise than
    // one), on the validation tail; the best `ensemble` candidates are kept with all their seeds.
    // Every model trains independently (its own tape, weights and seeds), so they run on
    // `threads` threads and the result does not depend on the scheduling.
    std::vector<std::size_t> feasible;
    for (std::size_t ci = 0; ci < cands.size(); ++ci)
        if (n_fit >= Differencing(cands[ci].lags).order() + cands[ci].lookback + min_windows)
            feasible.push_back(ci);
    if (feasible.empty())
        throw Error("series too short: " + std::to_string(r.n_train) +
                    " training values leave too few windows for lookback " +
                    std::to_string(cands.front().lookback) + " (test part " +
                    std::to_string(r.n_test) + "; try a smaller --test or --lookback)");
    std::mutex progress_mutex;
    auto report = [&](const std::string& line) {
        if (!o.progress) return;
        std::lock_guard<std::mutex> lock(progress_mutex);
        o.progress(line);
    };
    // Set by any thread that skips or cuts short a model because should_stop said so.
    std::atomic<bool> interrupted{false};
    auto stop_now = [&] {
        if (!o.should_stop || !o.should_stop()) return false;
        interrupted = true;
        return true;
    };
    r.candidates = feasible.size();
    // The models train in parallel, each on one thread: BLAS gets one thread for the whole run
    // (core/blas.hpp: per-GEMM switching of the process-wide count would race between them).
    const std::optional<BlasThreadsScope> one_blas_thread =
        o.threads > 1 ? std::make_optional<BlasThreadsScope>(1) : std::nullopt;
    const std::size_t S = o.seeds;
    std::vector<std::optional<ForecastMember>> screened_models(feasible.size() * S);
    parallel_for(screened_models.size(), o.threads, [&](std::size_t job) {
        if (stop_now()) return;
        const std::size_t ci = feasible[job / S], k = job % S;
        const Candidate& c = cands[ci];
        const auto t0 = Clock::now();
        try {
            ForecastMember mem = train_member(c.log, c.lags, c.lookback, train, n_fit,
                                              o.seed + 7919 * ci + 104729 * k, o.epochs, o);
            const std::string who = "candidate " + std::to_string(ci + 1) + "/" +
                                    std::to_string(cands.size()) + " seed " +
                                    std::to_string(k + 1) + "/" + std::to_string(S) + " (" +
                                    mem.describe() + ")";
            if (mem.history.interrupted) {
                interrupted = true;
                if (mem.history.loss.empty()) {
                    report(who + ": interrupted before its first epoch ended, dropped");
                    return;
                }
            }
            mem.val_mae = mae(val_part, mem.one_step(train, n_fit));
            report(who + ": validation MAE " + fmt(mem.val_mae) + ", " +
                   std::to_string(mem.epochs) + " epochs" +
                   (mem.history.interrupted
                        ? " (the best of " + std::to_string(mem.history.loss.size()) +
                              " before the interrupt)"
                        : std::string()) +
                   ", " + fmt(std::chrono::duration<double>(Clock::now() - t0).count(), "%.2f") +
                   " s");
            screened_models[job] = std::move(mem);
        } catch (const TrainingDiverged& e) {
            report("candidate " + std::to_string(ci + 1) + " seed " + std::to_string(k + 1) +
                   " diverged, dropped: " + e.what());
        }
    });

    struct Group {
        std::vector<ForecastMember> members;
        double val_mae = 0;
    };
    std::vector<Group> groups;
    for (std::size_t f = 0; f < feasible.size(); ++f) {
        Group g;
        std::vector<std::vector<double>> val_forecasts;
        for (std::size_t k = 0; k < S; ++k) {
            auto& slot = screened_models[f * S + k];
            if (!slot) continue;
            val_forecasts.push_back(slot->one_step(train, n_fit));
            g.members.push_back(std::move(*slot));
        }
        if (g.members.empty()) continue;
        g.val_mae = mae(val_part, median_combine(val_forecasts));
        groups.push_back(std::move(g));
    }
    if (groups.empty() && interrupted)
        throw ForecastInterrupted("forecast: interrupted before any model finished an epoch");
    if (groups.empty()) throw Error("training diverged for every candidate (try a smaller --lr)");
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group& a, const Group& b) { return a.val_mae < b.val_mae; });

    for (const Group& g : groups) {
        const ForecastMember& f = g.members.front();
        ForecastMember c;
        c.log = f.log;
        c.lags = f.lags;
        c.lookback = f.lookback;
        c.val_mae = g.val_mae;
        c.epochs = f.epochs;
        c.seed = f.seed;
        r.screened.push_back(std::move(c));
    }

    r.model.season = m;
    const std::size_t keep = std::min(o.ensemble, groups.size());
    std::vector<ForecastMember*> kept;
    for (std::size_t gi = 0; gi < keep; ++gi)
        for (ForecastMember& mem : groups[gi].members) {
            mem.val_mae = groups[gi].val_mae;
            kept.push_back(&mem);
        }
    // Refits only after a complete screening: an interrupted run has to stop.
    if (!o.refit || interrupted || stop_now()) {
        for (ForecastMember* mem : kept) r.model.members.push_back(std::move(*mem));
    } else {
        r.refits_planned = kept.size();
        std::vector<std::optional<ForecastMember>> refitted(kept.size());
        parallel_for(kept.size(), o.threads, [&](std::size_t i) {
            if (stop_now()) return;
            const ForecastMember& sm = *kept[i];
            const auto t0 = Clock::now();
            try {
                ForecastMember mem = train_member(sm.log, sm.lags, sm.lookback, train, r.n_train,
                                                  sm.seed, sm.epochs, o);
                if (mem.history.interrupted) {
                    interrupted = true;
                    report("refit (" + mem.describe() + ") interrupted, dropped");
                    return;
                }
                mem.val_mae = sm.val_mae;
                mem.history = sm.history;
                report("refit (" + mem.describe() + ") on all " + std::to_string(r.n_train) +
                       " training values, " + std::to_string(mem.epochs) + " epochs, " +
                       fmt(std::chrono::duration<double>(Clock::now() - t0).count(), "%.2f") +
                       " s");
                refitted[i] = std::move(mem);
            } catch (const TrainingDiverged& e) {
                report("refit (" + sm.describe() + ") diverged, dropped: " + e.what());
            }
        });
        // Both generations vote: the refitted models saw the latest values, the early-stopped
        // ones were validated; the median of the two sets was steadier than either alone.
        for (auto& mem : refitted)
            if (mem) {
                r.model.members.push_back(std::move(*mem));
                ++r.refits;
            }
        for (ForecastMember* mem : kept) r.model.members.push_back(std::move(*mem));
    }

    r.interrupted = interrupted;
    r.model.interrupted = interrupted;
    r.one_step["elman"] = r.model.one_step(y, r.n_train);
    r.multi_step["elman"] = r.model.multi_step(train, r.horizon);
    for (Baseline b : {Baseline::naive, Baseline::seasonal_naive, Baseline::drift}) {
        r.one_step[to_string(b)] = baseline_one_step(b, y, r.n_train, m);
        r.multi_step[to_string(b)] = baseline_multi_step(b, train, r.horizon, m);
    }
    const std::vector<double> test_h = slice(test, 0, r.horizon);
    for (const auto& name : forecast_methods()) {
        r.one_step_metrics[name] = evaluate(test, r.one_step[name], train, m);
        r.multi_step_metrics[name] = evaluate(test_h, r.multi_step[name], train, m);
    }
    return r;
}

}  // namespace elman
