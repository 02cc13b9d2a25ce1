// ForecastModel::save and ::load (forecast/model.hpp): pipeline.json and one checkpoint per member.
//
// pipeline.json (format_version 3; 4 when the model takes covariates):
//   {"format": "elman-forecast", "format_version": 3, "season": m, "horizon": H,
//    "combine": "median", "interrupted": bool,
//    "covariates": {"past": [names], "future": [names]} (version 4; absent: none),
//    "series": {"column", "frequency", "calendar": {"unit", "step", "day_of_month", "last_day",
//               "resolution", "utc"} | null, "frequency_source", "season", "season_source",
//               "min", "max", "n", "last_period", "last_value", "last_instant" (ms, or null),
//               "read": {"column", "period_columns", "has_period", "missing", "gaps", "delimiter",
//                        "decimal" (one-character strings, or "": sniffed), "na_values",
//                        "date_format", "dayfirst", "sort", "frequency"} (absent: not known)},
//    "intervals": {"one_step": {"additive": C, "log": C (for a positive series)},
//                  "multi_step": {"additive": C, "log": C}},
//      C = {"scale": [s_1..s_H], "q80", "q95", "scores"} (forecast/intervals.hpp),
//    "members": [{"checkpoint", "log", "lags", "lookback", "outputs", "mean", "scale",
//                 "constant", "refit", "one_step", "multi_step", "val_mae",
//                 "val_multi_mae" (absent when not finite), "epochs", "seed",
//                 "cell": "simple", "lstm" or "gru" (absent in older files: simple),
//                 "covariate_mean", "covariate_scale" (version 4: one per covariate, past
//                 first)}, ...]}
// Version 2 files (no "horizon", "intervals", "outputs", "refit", "one_step", "multi_step":
// every member recursive, in both ensembles, no intervals) and version 1 files (no "series",
// no "constant"; predict then cannot check its input) still load.
#include "forecast/model.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/checkpoint.hpp"

namespace elman {

namespace {

const char* unit_name(CalendarUnit u)
{
    switch (u) {
    case CalendarUnit::month: return "month";
    case CalendarUnit::day: return "day";
    case CalendarUnit::business_day: return "business_day";
    case CalendarUnit::minute: return "minute";
    case CalendarUnit::none: break;
    }
    return "none";
}

CalendarUnit unit_of(const std::string& s)
{
    for (CalendarUnit u : {CalendarUnit::month, CalendarUnit::day, CalendarUnit::business_day, CalendarUnit::minute})
        if (s == unit_name(u)) return u;
    throw Error("unknown calendar unit '" + s + "'");
}

Resolution resolution_of(const std::string& s)
{
    for (Resolution r : {Resolution::year, Resolution::quarter, Resolution::month, Resolution::day,
                         Resolution::minute, Resolution::second})
        if (s == to_string(r)) return r;
    throw Error("unknown resolution '" + s + "'");
}

Source source_of(const std::string& s)
{
    for (Source x : {Source::inferred, Source::given, Source::by_default})
        if (s == to_string(x)) return x;
    throw Error("unknown source '" + s + "'");
}

// A number for pipeline.json: never NaN or inf (nlohmann would write null, which no reader
// can turn back into the number the model needs).
double finite(double v, const std::string& what)
{
    if (!std::isfinite(v)) throw Error("forecast: cannot save the model: " + what + " is " + std::to_string(v));
    return v;
}

const char* gaps_name(Gaps g) { return g == Gaps::interpolate ? "interpolate" : g == Gaps::keep ? "keep" : "error"; }

nlohmann::json read_json(const CsvOptions& o)
{
    auto one = [](const std::optional<char>& c) { return c ? std::string(1, *c) : std::string(); };
    return {{"column", o.column},
            {"period_columns", o.period_columns},
            {"has_period", o.has_period},
            {"missing", o.missing == Missing::interpolate ? "interpolate" : "error"},
            {"gaps", gaps_name(o.gaps)},
            {"delimiter", one(o.delimiter)},
            {"decimal", one(o.decimal)},
            {"na_values", o.na_values},
            {"date_format", o.date_format},
            {"dayfirst", o.dayfirst},
            {"sort", o.sort},
            {"frequency", o.frequency}};
}

CsvOptions read_of(const nlohmann::json& j)
{
    auto one = [&](const char* key) {
        const std::string s = j.at(key).get<std::string>();
        if (s.empty()) return std::optional<char>{};
        if (s.size() != 1) throw Error(std::string("\"read\": \"") + key + "\" is not one character");
        return std::optional<char>{s[0]};
    };
    CsvOptions o;
    o.column = j.at("column").get<std::string>();
    o.period_columns = j.at("period_columns").get<std::vector<std::string>>();
    o.has_period = j.at("has_period").get<bool>();
    o.missing = j.at("missing").get<std::string>() == "interpolate" ? Missing::interpolate : Missing::error;
    const std::string gaps = j.at("gaps").get<std::string>();
    o.gaps = gaps == "interpolate" ? Gaps::interpolate : gaps == "keep" ? Gaps::keep : Gaps::error;
    o.delimiter = one("delimiter");
    o.decimal = one("decimal");
    o.na_values = j.at("na_values").get<std::vector<std::string>>();
    o.date_format = j.at("date_format").get<std::string>();
    o.dayfirst = j.at("dayfirst").get<bool>();
    o.sort = j.at("sort").get<bool>();
    o.frequency = j.at("frequency").get<std::string>();
    return o;
}

nlohmann::json series_json(const SeriesInfo& s)
{
    nlohmann::json cal = nullptr;
    if (s.calendar.known())
        cal = {{"unit", unit_name(s.calendar.unit)},         {"step", s.calendar.step},
               {"day_of_month", s.calendar.day_of_month},    {"last_day", s.calendar.last_day},
               {"resolution", to_string(s.calendar.resolution)}, {"utc", s.calendar.utc}};
    nlohmann::json j = {{"column", s.column},
            {"frequency", frequency_name(s.calendar)},
            {"calendar", cal},
            {"frequency_source", to_string(s.frequency_source)},
            {"season", s.season},
            {"season_source", to_string(s.season_source)},
            {"min", finite(s.min, "the training minimum")},
            {"max", finite(s.max, "the training maximum")},
            {"n", s.n},
            {"last_period", s.last_period},
            {"last_value", finite(s.last_value, "the last training value")},
            {"last_instant", s.last_instant ? nlohmann::json(*s.last_instant) : nlohmann::json(nullptr)}};
    if (s.read) j["read"] = read_json(*s.read);
    return j;
}

SeriesInfo series_of(const nlohmann::json& j)
{
    SeriesInfo s;
    s.column = j.at("column").get<std::string>();
    if (!j.at("calendar").is_null()) {
        const auto& c = j.at("calendar");
        s.calendar.unit = unit_of(c.at("unit").get<std::string>());
        s.calendar.step = c.at("step").get<std::int64_t>();
        s.calendar.day_of_month = c.at("day_of_month").get<int>();
        s.calendar.last_day = c.at("last_day").get<bool>();
        s.calendar.resolution = resolution_of(c.at("resolution").get<std::string>());
        s.calendar.utc = c.at("utc").get<bool>();
        if (s.calendar.step < 1) throw Error("calendar step below 1");
    }
    s.frequency_source = source_of(j.at("frequency_source").get<std::string>());
    s.season = j.at("season").get<std::size_t>();
    s.season_source = source_of(j.at("season_source").get<std::string>());
    s.min = j.at("min").get<double>();
    s.max = j.at("max").get<double>();
    s.n = j.at("n").get<std::size_t>();
    s.last_period = j.at("last_period").get<std::string>();
    s.last_value = j.at("last_value").get<double>();
    if (!j.at("last_instant").is_null()) s.last_instant = j.at("last_instant").get<Instant>();
    if (j.contains("read")) s.read = read_of(j.at("read"));
    return s;
}

// A member's number, with an error that says what is wrong rather than nlohmann's type error
// (a pipeline.json written by an older elman from a failed run held null scales).
double number_at(const nlohmann::json& member, const char* key, std::size_t i, const std::string& path)
{
    const nlohmann::json& v = member.at(key);
    if (!v.is_number())
        throw Error(path + ": member " + std::to_string(i) + "'s \"" + key + "\" is " + v.dump() +
                    ", expected a number (fit the model again)");
    const double x = v.get<double>();
    if (!std::isfinite(x)) throw Error(path + ": member " + std::to_string(i) + "'s \"" + key + "\" is not finite");
    return x;
}

// The cell name (layers/cells.hpp) of a member's recurrent layer, for pipeline.json.
std::string cell_of(const Module<float>& layer)
{
    const std::string t = layer.type();
    return t == "SimpleRNN" ? "simple" : t == "LSTM" ? "lstm" : t == "GRU" ? "gru" : t;
}

// The checkpoint holds the cell the entry names (files before "cell" were all SimpleRNN's).
void check_cell_of(const ForecastMember& m, const nlohmann::json& e, std::size_t i, const std::string& where)
{
    const std::string want = e.value("cell", std::string("simple"));
    const std::string have = m.model.layers().empty() ? "" : cell_of(*m.model.layers().front());
    if (have != want)
        throw Error(where + ": member " + std::to_string(i) + "'s checkpoint holds a " + have + " cell, but pipeline.json says \"" +
                    want + "\"");
}

// The checkpoint must be the network the entry describes: windows [lookback, 1 + covariates]
// in, `outputs` values out (a hand-edited pipeline.json would otherwise read past a prediction).
void check_shapes(ForecastMember& m, std::size_t i, const std::string& where)
{
    const Shape in = m.model.input_shape();
    if (in.size() == 2 && in[1] != m.inputs())
        throw Error(where + ": member " + std::to_string(i) + "'s checkpoint takes " + std::to_string(in[1]) +
                    " inputs per step, but pipeline.json gives it " +
                    std::to_string(m.inputs() - 1) + " covariates (" + std::to_string(m.inputs()) + " inputs)");
    const Shape out = m.model.output_shape({m.lookback, m.inputs()});
    if (out.size() != 1 || out[0] != m.outputs)
        throw Error(where + ": member " + std::to_string(i) + "'s checkpoint gives output " + shape_str(out) +
                    " for windows of " + std::to_string(m.lookback) + " values, expected [" +
                    std::to_string(m.outputs) + "]");
}

nlohmann::json conformal_json(const Conformal& c, const std::string& who)
{
    nlohmann::json scale = nlohmann::json::array();
    for (double v : c.scale) scale.push_back(finite(v, who + " interval scale"));
    return {{"scale", scale},
            {"q80", finite(c.q80, who + " 80% quantile")},
            {"q95", finite(c.q95, who + " 95% quantile")},
            {"scores", c.scores}};
}

nlohmann::json calibration_json(const IntervalCalibration& c, const std::string& who)
{
    nlohmann::json j = {{"additive", conformal_json(c.additive, who)}};
    if (c.log.calibrated()) j["log"] = conformal_json(c.log, who + " log-scale");
    return j;
}

Conformal conformal_of(const nlohmann::json& j, const std::string& where)
{
    Conformal c;
    c.scale = j.at("scale").get<std::vector<double>>();
    c.q80 = j.at("q80").get<double>();
    c.q95 = j.at("q95").get<double>();
    c.scores = j.at("scores").get<std::size_t>();
    bool ok = !c.scale.empty() && std::isfinite(c.q80) && std::isfinite(c.q95) && c.q80 >= 0 && c.q95 >= 0;
    for (double v : c.scale) ok = ok && std::isfinite(v) && v >= 0;
    if (!ok) throw Error(where + ": the interval calibration is not finite and non-negative (fit the model again)");
    return c;
}

IntervalCalibration calibration_of(const nlohmann::json& j, const std::string& where)
{
    IntervalCalibration c;
    c.additive = conformal_of(j.at("additive"), where);
    if (j.contains("log")) c.log = conformal_of(j.at("log"), where);
    return c;
}

nlohmann::json member_json(const ForecastMember& m, std::size_t i)
{
    const std::string who = "member " + std::to_string(i) + " (" + m.describe() + ")";
    nlohmann::json j = {{"checkpoint", "member_" + std::to_string(i)},
                        {"log", m.log},
                        {"lags", m.lags},
                        {"lookback", m.lookback},
                        {"outputs", m.outputs},
                        {"mean", finite(m.mean, who + " mean")},
                        {"scale", finite(m.scale, who + " scale")},
                        {"constant", m.constant},
                        {"refit", m.refit},
                        {"one_step", m.in_one_step},
                        {"multi_step", m.in_multi_step},
                        {"val_mae", finite(m.val_mae, who + " validation MAE")},
                        {"epochs", m.epochs},
                        {"seed", m.seed},
                        {"cell", m.model.layers().empty() ? "" : cell_of(*m.model.layers().front())}};
    if (std::isfinite(m.val_multi_mae)) j["val_multi_mae"] = m.val_multi_mae;
    if (!m.covariate_mean.empty()) {
        j["covariate_mean"] = nlohmann::json::array();
        j["covariate_scale"] = nlohmann::json::array();
        for (std::size_t c = 0; c < m.covariate_mean.size(); ++c) {
            j["covariate_mean"].push_back(finite(m.covariate_mean[c], who + " covariate mean"));
            j["covariate_scale"].push_back(finite(m.covariate_scale[c], who + " covariate scale"));
        }
    }
    return j;
}

// A member from its entry; its checkpoint is loaded by the caller.
ForecastMember member_of(const nlohmann::json& e, std::size_t i, const std::string& where)
{
    ForecastMember m;
    m.log = e.at("log").get<bool>();
    m.lags = e.at("lags").get<std::vector<std::size_t>>();
    m.lookback = e.at("lookback").get<std::size_t>();
    m.outputs = e.value("outputs", std::size_t(1));
    m.mean = number_at(e, "mean", i, where);
    m.scale = number_at(e, "scale", i, where);
    m.constant = e.value("constant", false);
    m.refit = e.value("refit", false);
    m.in_one_step = e.value("one_step", true);
    m.in_multi_step = e.value("multi_step", true);
    m.val_mae = number_at(e, "val_mae", i, where);
    m.val_multi_mae = e.contains("val_multi_mae") ? number_at(e, "val_multi_mae", i, where)
                                                  : std::numeric_limits<double>::infinity();
    m.epochs = e.at("epochs").get<std::size_t>();
    m.seed = e.at("seed").get<std::uint64_t>();
    if (!(m.scale > 0.0)) throw Error(where + ": member " + std::to_string(i) + "'s scale is not > 0");
    if (m.outputs < 1 || m.lookback < 1)
        throw Error(where + ": member " + std::to_string(i) + "'s outputs and lookback must be >= 1");
    m.covariate_mean = e.value("covariate_mean", std::vector<double>{});
    m.covariate_scale = e.value("covariate_scale", std::vector<double>{});
    for (std::size_t c = 0; c < m.covariate_mean.size(); ++c)
        if (!std::isfinite(m.covariate_mean[c]) || c >= m.covariate_scale.size() || !(m.covariate_scale[c] > 0.0) ||
            !std::isfinite(m.covariate_scale[c]))
            throw Error(where + ": member " + std::to_string(i) + "'s covariate " + std::to_string(c + 1) +
                        " has no finite mean and positive scale");
    return m;
}

}  // namespace

void ForecastModel::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    nlohmann::json j;
    j["format"] = "elman-forecast";
    const bool covariates = !past_covariates.empty() || !future_covariates.empty();
    j["format_version"] = covariates ? 4 : 3;
    j["season"] = season;
    j["horizon"] = horizon;
    j["combine"] = "median";
    j["interrupted"] = interrupted;
    j["series"] = series_json(series);
    if (covariates) j["covariates"] = {{"past", past_covariates}, {"future", future_covariates}};
    if (one_step_intervals.calibrated() && multi_step_intervals.calibrated())
        j["intervals"] = {{"one_step", calibration_json(one_step_intervals, "the one-step")},
                          {"multi_step", calibration_json(multi_step_intervals, "the multi-step")}};
    j["members"] = nlohmann::json::array();
    for (std::size_t i = 0; i < members.size(); ++i) {
        j["members"].push_back(member_json(members[i], i));
        save_checkpoint(dir + "/member_" + std::to_string(i), members[i].model);
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
        const std::string where = "model " + dir + ": " + path;
        fm.season = j.at("season").get<std::size_t>();
        fm.horizon = j.value("horizon", std::size_t(1));
        fm.interrupted = j.value("interrupted", false);
        if (j.value("format_version", 1) > 4)
            throw Error(where + " has format_version " + j.at("format_version").dump() +
                        ", newer than this elman reads (4); update elman");
        if (j.contains("covariates")) {
            fm.past_covariates = j.at("covariates").at("past").get<std::vector<std::string>>();
            fm.future_covariates = j.at("covariates").at("future").get<std::vector<std::string>>();
        }
        if (j.contains("series")) fm.series = series_of(j.at("series"));
        if (j.contains("intervals")) {
            fm.one_step_intervals = calibration_of(j.at("intervals").at("one_step"), where);
            fm.multi_step_intervals = calibration_of(j.at("intervals").at("multi_step"), where);
        }
        for (const auto& e : j.at("members")) {
            const std::size_t i = fm.members.size();
            ForecastMember m = member_of(e, i, where);
            m.past_covariates = fm.past_covariates.size();
            if (m.covariate_mean.size() != fm.past_covariates.size() + fm.future_covariates.size())
                throw Error(where + ": member " + std::to_string(i) + " has a scaler for " +
                            std::to_string(m.covariate_mean.size()) + " covariates, the model names " +
                            std::to_string(fm.past_covariates.size() + fm.future_covariates.size()));
            m.model = load_model<float>(dir + "/" + e.at("checkpoint").get<std::string>());
            check_shapes(m, i, where);
            check_cell_of(m, e, i, where);
            fm.members.push_back(std::move(m));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("model " + dir + ": malformed " + path + ": " + e.what());
    }
    if (fm.members.empty()) throw Error("model " + dir + ": " + path + " lists no members");
    return fm;
}

}  // namespace elman
