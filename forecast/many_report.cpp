// summary.csv, metrics.json and the merge of shards (forecast/many_report.hpp).
#include "forecast/many_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace elman {

namespace {

using Json = nlohmann::ordered_json;

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
double number_of(const Json& j) { return j.is_null() ? k_nan : j.get<double>(); }

std::string csv_text(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string csv_number(double v)
{
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

Json metrics_json(const MethodMetrics& mm)
{
    Json j = Json::object();
    for (const auto& [name, m] : mm)
        j[name] = {{"rmse", number(m.rmse)}, {"mae", number(m.mae)}, {"mape", number(m.mape)}, {"mase", number(m.mase)}};
    return j;
}

MethodMetrics metrics_of(const Json& j)
{
    MethodMetrics mm;
    for (const auto& [name, m] : j.items())
        mm[name] = Metrics{number_of(m.at("rmse")), number_of(m.at("mae")), number_of(m.at("mape")),
                           number_of(m.at("mase"))};
    return mm;
}

Json summary_json(const SeriesSummary& s)
{
    return {{"id", s.id},           {"dir", s.dir},         {"index", s.index},     {"error", s.error}, {"global_error", s.global_error},
            {"n", s.n},             {"n_train", s.n_train}, {"n_test", s.n_test},   {"season", s.season},
            {"horizon", s.horizon}, {"frequency", s.frequency}, {"model", s.model},
            {"one_step", metrics_json(s.one_step)}, {"multi_step", metrics_json(s.multi_step)}};
}

SeriesSummary summary_of(const Json& j)
{
    SeriesSummary s;
    s.id = j.at("id").get<std::string>();
    s.dir = j.at("dir").get<std::string>();
    s.index = j.at("index").get<std::size_t>();
    s.error = j.at("error").get<std::string>();
    s.global_error = j.value("global_error", "");
    s.n = j.at("n").get<std::size_t>();
    s.n_train = j.at("n_train").get<std::size_t>();
    s.n_test = j.at("n_test").get<std::size_t>();
    s.season = j.at("season").get<std::size_t>();
    s.horizon = j.at("horizon").get<std::size_t>();
    s.frequency = j.at("frequency").get<std::string>();
    s.model = j.at("model").get<std::string>();
    s.one_step = metrics_of(j.at("one_step"));
    s.multi_step = metrics_of(j.at("multi_step"));
    return s;
}

Json stats_json(const std::map<std::string, MaseStats>& stats)
{
    Json j = Json::object();
    for (const auto& [method, s] : stats)
        j[method] = {{"series", s.n}, {"mean_mase", number(s.mean)}, {"median_mase", number(s.median)}};
    return j;
}

Json vs_json(const std::map<std::string, Comparison>& vs)
{
    Json j = Json::object();
    for (const auto& [name, c] : vs)
        j[name] = {{"series", c.n},  {"better", c.better}, {"worse", c.worse},
                   {"ties", c.ties}, {"relative_mase", number(c.relative_mase)}};
    return j;
}

Json info_json(const RunInfo& i)
{
    return {{"input", i.input}, {"input_xxh64", i.input_hash}, {"layout", i.layout},     {"shard", i.shard.str()},
            {"series_total", i.total}, {"options", i.options},  {"global", i.global}, {"interrupted", i.interrupted}};
}

RunInfo info_of(const Json& j)
{
    RunInfo i;
    i.input = j.at("input").get<std::string>();
    i.input_hash = j.at("input_xxh64").get<std::string>();
    i.layout = j.at("layout").get<std::string>();
    i.shard = Shard::parse(j.at("shard").get<std::string>());
    i.total = j.at("series_total").get<std::size_t>();
    i.options = j.at("options").get<std::string>();
    i.interrupted = j.at("interrupted").get<bool>();
    i.global = j.value("global", false);
    return i;
}

// The merged runs' common info, or an error naming the run that differs.
RunInfo common_info(const std::vector<RunFile>& runs, const std::vector<std::string>& paths)
{
    if (runs.empty()) throw Error("merge: no runs given");
    const RunInfo& first = runs[0].info;
    const std::size_t n = first.shard.count;
    std::vector<std::string> seen(n + 1);
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const RunInfo& i = runs[k].info;
        auto differs = [&](const std::string& what, const std::string& a, const std::string& b) {
            throw Error("merge: " + paths[k] + " is a run of " + what + " " + b + ", " + paths[0] + " of " + a +
                        "; only the shards of one run merge");
        };
        if (i.input_hash != first.input_hash) differs("input (XXH64)", first.input_hash, i.input_hash);
        if (i.options != first.options) differs("options", "'" + first.options + "'", "'" + i.options + "'");
        if (i.layout != first.layout) differs("layout", first.layout, i.layout);
        if (i.shard.count != n)
            differs("shard count", std::to_string(n), std::to_string(i.shard.count));
        if (!seen[i.shard.index].empty())
            throw Error("merge: shard " + i.shard.str() + " is given twice: " + seen[i.shard.index] + " and " + paths[k]);
        seen[i.shard.index] = paths[k];
    }
    std::string missing;
    for (std::size_t s = 1; s <= n; ++s)
        if (seen[s].empty()) missing += (missing.empty() ? "" : ", ") + std::to_string(s) + "/" + std::to_string(n);
    if (!missing.empty()) throw Error("merge: shard" + std::string(missing.find(',') == std::string::npos ? " " : "s ") +
                                      missing + " missing; give the directories of all " + std::to_string(n) + " shards");
    RunInfo merged = first;
    merged.shard = Shard{};
    for (const auto& r : runs) merged.interrupted = merged.interrupted || r.info.interrupted;
    return merged;
}

}  // namespace

std::string summary_csv(const std::vector<SeriesSummary>& summaries, bool global)
{
    const std::vector<std::string> methods = run_methods(global);
    std::ostringstream out;
    out << "id,dir,status,error," << (global ? "global_error," : "") << "n,n_train,n_test,frequency,season,horizon,model";
    for (const char* part : {"one_step", "multi_step"})
        for (const auto& m : methods) out << "," << part << "_mase_" << m;
    out << "\n";
    for (const auto& s : summaries) {
        out << csv_text(s.id) << "," << csv_text(s.dir) << "," << (s.ok() ? "ok" : "failed") << ","
            << csv_text(s.error) << "," << (global ? csv_text(s.global_error) + "," : "") << s.n << "," << s.n_train << "," << s.n_test << "," << csv_text(s.frequency)
            << "," << s.season << "," << s.horizon << "," << csv_text(s.model);
        for (const auto& m : methods) out << "," << csv_number(mase_of(s.one_step, m));
        for (const auto& m : methods) out << "," << csv_number(mase_of(s.multi_step, m));
        out << "\n";
    }
    return out.str();
}

std::string many_metrics_json(const RunInfo& info, const std::vector<SeriesSummary>& summaries,
                              const Aggregate& a)
{
    Json j;
    j["run"] = info_json(info);
    j["aggregate"] = {{"series", a.series},
                      {"succeeded", a.succeeded},
                      {"failed", a.failed},
                      {"one_step", stats_json(a.one_step)},
                      {"multi_step", stats_json(a.multi_step)},
                      {"one_step_vs", vs_json(a.one_step_vs)},
                      {"multi_step_vs", vs_json(a.multi_step_vs)}};
    Json series = Json::array();
    for (const auto& s : summaries) series.push_back(summary_json(s));
    j["series"] = std::move(series);
    return j.dump(2) + "\n";
}

RunFile read_many_metrics(const std::string& path)
{
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open file (a directory written by elman forecast --id-column/--columns?)");
    try {
        const Json j = Json::parse(in);
        RunFile r;
        r.info = info_of(j.at("run"));
        for (const auto& s : j.at("series")) r.series.push_back(summary_of(s));
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": not the metrics.json of a run of many series: " + e.what());
    }
}

Merged merge_runs(const std::vector<RunFile>& runs, const std::vector<std::string>& paths)
{
    Merged m;
    m.info = common_info(runs, paths);
    for (const auto& r : runs) m.series.insert(m.series.end(), r.series.begin(), r.series.end());
    std::sort(m.series.begin(), m.series.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    for (std::size_t i = 1; i < m.series.size(); ++i)
        if (m.series[i].index == m.series[i - 1].index)
            throw Error("merge: series '" + m.series[i].id + "' is in two shards; only the shards of one run merge");
    if (m.series.size() != m.info.total)
        throw Error("merge: the shards hold " + std::to_string(m.series.size()) + " series, the input " +
                    std::to_string(m.info.total));
    m.aggregate = aggregate(m.series, m.info.global);
    return m;
}

}  // namespace elman
