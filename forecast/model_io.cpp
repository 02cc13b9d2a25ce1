// ForecastModel::save and ::load (forecast/model.hpp): pipeline.json and one checkpoint per member.
//
// pipeline.json (format_version 2):
//   {"format": "elman-forecast", "format_version": 2, "season": m, "combine": "median",
//    "interrupted": bool,
//    "series": {"column", "frequency", "calendar": {"unit", "step", "day_of_month", "last_day",
//               "resolution", "utc"} | null, "frequency_source", "season", "season_source",
//               "min", "max", "n", "last_period", "last_value", "last_instant" (ms, or null)},
//    "members": [{"checkpoint", "log", "lags", "lookback", "mean", "scale", "constant",
//                 "val_mae", "epochs", "seed"}, ...]}
// Version 1 files (no "series", no "constant") still load; predict then cannot check its input.
#include "forecast/model.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

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

nlohmann::json series_json(const SeriesInfo& s)
{
    nlohmann::json cal = nullptr;
    if (s.calendar.known())
        cal = {{"unit", unit_name(s.calendar.unit)},         {"step", s.calendar.step},
               {"day_of_month", s.calendar.day_of_month},    {"last_day", s.calendar.last_day},
               {"resolution", to_string(s.calendar.resolution)}, {"utc", s.calendar.utc}};
    return {{"column", s.column},
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

}  // namespace

void ForecastModel::save(const std::string& dir) const
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    nlohmann::json j;
    j["format"] = "elman-forecast";
    j["format_version"] = 2;
    j["season"] = season;
    j["combine"] = "median";
    j["interrupted"] = interrupted;
    j["series"] = series_json(series);
    j["members"] = nlohmann::json::array();
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto& m = members[i];
        const std::string sub = "member_" + std::to_string(i);
        const std::string who = "member " + std::to_string(i) + " (" + m.describe() + ")";
        j["members"].push_back({{"checkpoint", sub},
                                {"log", m.log},
                                {"lags", m.lags},
                                {"lookback", m.lookback},
                                {"mean", finite(m.mean, who + " mean")},
                                {"scale", finite(m.scale, who + " scale")},
                                {"constant", m.constant},
                                {"val_mae", finite(m.val_mae, who + " validation MAE")},
                                {"epochs", m.epochs},
                                {"seed", m.seed}});
        save_checkpoint(dir + "/" + sub, m.model);
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
        if (j.contains("series")) fm.series = series_of(j.at("series"));
        for (const auto& e : j.at("members")) {
            ForecastMember m;
            m.log = e.at("log").get<bool>();
            m.lags = e.at("lags").get<std::vector<std::size_t>>();
            m.lookback = e.at("lookback").get<std::size_t>();
            const std::size_t i = fm.members.size();
            m.mean = number_at(e, "mean", i, "model " + dir + ": " + path);
            m.scale = number_at(e, "scale", i, "model " + dir + ": " + path);
            m.constant = e.value("constant", false);
            m.val_mae = number_at(e, "val_mae", i, "model " + dir + ": " + path);
            m.epochs = e.at("epochs").get<std::size_t>();
            m.seed = e.at("seed").get<std::uint64_t>();
            if (!(m.scale > 0.0))
                throw Error("model " + dir + ": " + path + ": member " + std::to_string(i) + "'s scale is not > 0");
            m.model = load_model<float>(dir + "/" + e.at("checkpoint").get<std::string>());
            fm.members.push_back(std::move(m));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("model " + dir + ": malformed " + path + ": " + e.what());
    }
    if (fm.members.empty()) throw Error("model " + dir + ": " + path + " lists no members");
    return fm;
}

}  // namespace elman
