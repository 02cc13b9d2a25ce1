#include "tools/forecast_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "tools/plot.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

using Json = nlohmann::ordered_json;

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json metrics_json(const MethodMetrics& mm, const std::map<std::string, std::size_t>* outside)
{
    Json j;
    for (const auto& name : forecast_methods()) {
        const Metrics& m = mm.at(name);
        j[name] = {{"rmse", number(m.rmse)}, {"mae", number(m.mae)}, {"mape", number(m.mape)}, {"mase", number(m.mase)}};
        if (outside) j[name]["outside_band"] = outside->at(name);
    }
    return j;
}

std::string cell(double v)
{
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream out(path);
    out << text;
    out.close();
    if (!out) throw Error("cannot write " + path.string());
}

Json metrics_document(const Series& s, const ForecastResult& r)
{
    Json j;
    j["n_train"] = r.n_train;
    j["n_test"] = r.n_test;
    j["frequency"] = frequency_name(s.time.calendar);
    j["frequency_source"] = to_string(s.time.frequency_source);
    j["period_column"] = s.time.period_column;
    j["date_format"] = s.time.date_format;
    j["season"] = r.season;
    j["season_source"] = to_string(r.season_source);
    j["horizon"] = r.horizon;
    j["horizon_source"] = to_string(r.horizon_source);
    j["multi_step_protocol"] = "rolling origins: the test part in consecutive blocks of " + std::to_string(r.horizon) +
                               " values, each forecast recursively from the true history before it";
    j["interrupted"] = r.interrupted;
    if (r.interrupted) {
        j["candidates"] = r.candidates;
        j["candidates_screened"] = r.screened.size();
        j["refits_planned"] = r.refits_planned;
        j["refits"] = r.refits;
        j["models"] = r.model.members.size();
    }
    j["plausible_band"] = {{"low", number(r.band.low)}, {"high", number(r.band.high)}, {"rule", PlausibleBand::rule()}};
    j["one_step"] = r.n_test ? metrics_json(r.one_step_metrics, nullptr) : Json(nullptr);
    j["multi_step"] = r.n_test ? metrics_json(r.multi_step_metrics, &r.outside_band) : Json(nullptr);
    if (!r.n_test) {
        Json f;
        for (const auto& name : forecast_methods()) f[name] = {{"outside_band", r.outside_band.at(name)}};
        j["future"] = f;
    }
    j["notes"] = s.notes;
    for (const auto& n : r.notes) j["notes"].push_back(n);
    return j;
}

std::string forecast_csv(const Series& s, const ForecastResult& r)
{
    std::ostringstream csv;
    const auto& methods = forecast_methods();
    if (r.n_test == 0) {
        csv << "period";
        for (const auto& name : methods) csv << "," << name;
        csv << "\n";
        for (std::size_t i = 0; i < r.horizon; ++i) {
            csv << r.future_periods[i];
            for (const auto& name : methods) csv << "," << cell(r.future.at(name)[i]);
            csv << "\n";
        }
        return csv.str();
    }
    csv << "period,actual";
    for (const auto& name : methods) csv << "," << name << "_one_step";
    for (const auto& name : methods) csv << "," << name << "_multi_step";
    csv << ",multi_step_lead\n";
    for (std::size_t i = 0; i < r.n_test; ++i) {
        csv << s.periods[r.n_train + i] << "," << cell(s.values[r.n_train + i]);
        for (const auto& name : methods) csv << "," << cell(r.one_step.at(name)[i]);
        for (const auto& name : methods) csv << "," << cell(r.multi_step.at(name)[i]);
        csv << "," << i % r.horizon + 1 << "\n";
    }
    return csv.str();
}

std::vector<double> part(const std::vector<double>& v, std::size_t a, std::size_t b)
{
    return {v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b)};
}

void plot_forecasts(const fs::path& dir, const Series& s, const std::string& label, const ForecastResult& r)
{
    const std::string mark = r.interrupted ? " (interrupted run)" : "";
    std::string x_label;
    std::vector<double> x = plot_times(s, x_label);
    const std::size_t n = s.values.size();
    // The x positions after the series, for a forecast of the future.
    for (std::size_t k = 1; k <= (r.n_test ? 0 : r.horizon); ++k)
        x.push_back(s.time.instants.empty() ? static_cast<double>(n - 1 + k)
                                            : fractional_year(advance(s.time.calendar, s.time.instants.back(),
                                                                      static_cast<std::int64_t>(k))));
    // Forecast lines start at the last value before them, so that the lines connect.
    auto joined = [&](const std::vector<double>& f, std::size_t before) {
        std::vector<double> v{s.values[before]};
        v.insert(v.end(), f.begin(), f.end());
        return v;
    };
    const std::string reference = r.season > 1 ? "seasonal_naive" : "naive";
    std::vector<PlotLine> lines{{"history (training part)", part(x, 0, r.n_train), part(s.values, 0, r.n_train), 15, 1}};
    if (r.n_test > 0) {
        const std::vector<double> x_test = part(x, r.n_train - 1, n);
        lines.push_back({"actual (test part)", x_test, part(s.values, r.n_train - 1, n), 9, 1});
        lines.push_back({"elman one-step", x_test, joined(r.one_step.at("elman"), r.n_train - 1), 1, 1});
        lines.push_back({"elman multi-step (origins every " + std::to_string(r.horizon) + ")", x_test,
                         joined(r.multi_step.at("elman"), r.n_train - 1), 3, 2});
        lines.push_back({reference + " one-step", x_test, joined(r.one_step.at(reference), r.n_train - 1), 7, 3});
    } else {
        const std::vector<double> x_future = part(x, n - 1, n + r.horizon);
        lines.push_back({"elman forecast", x_future, joined(r.future.at("elman"), n - 1), 1, 1});
        lines.push_back({reference + " forecast", x_future, joined(r.future.at(reference), n - 1), 7, 3});
    }
    const std::string what = r.n_test ? "forecasts of the last " + std::to_string(r.n_test) + " values"
                                      : "forecast of the next " + std::to_string(r.horizon) + " values";
    plot_lines((dir / "forecast.svg").string(), lines,
               {.title = label + ": " + what + mark, .x_label = x_label, .y_label = s.name});
}

void plot_losses(const fs::path& dir, const std::string& label, const ForecastResult& r)
{
    std::vector<PlotLine> loss;
    const int colors[] = {1, 3, 9, 8, 10, 11, 12, 13, 14, 2};
    // One seed per kept candidate (the first), so that the picture stays readable.
    std::vector<std::string> drawn;
    for (const ForecastMember& m : r.model.members) {
        const std::string who = m.describe();
        if (m.history.loss.empty() || std::find(drawn.begin(), drawn.end(), who) != drawn.end()) continue;
        std::vector<double> e, tl, vl;
        for (std::size_t i = 0; i < m.history.loss.size(); ++i) {
            e.push_back(static_cast<double>(i + 1));
            tl.push_back(m.history.loss[i]);
            vl.push_back(i < m.history.val_loss.size() ? m.history.val_loss[i] : NAN);
        }
        const int c = colors[drawn.size() % 10];
        drawn.push_back(who);
        loss.push_back({"train: " + who, e, tl, c, 1});
        loss.push_back({"validation: " + who, e, vl, c, 2});
    }
    const std::string none = loss.empty() ? " (no model was trained: the transformed series is constant)" : "";
    plot_lines((dir / "loss.svg").string(), loss,
               {.title = label + ": MSE per epoch (scaled series), kept candidates" +
                         (r.interrupted ? std::string(" (interrupted run)") : std::string()) + none,
                .x_label = "",  // the legend sits where it would be; the title says "epoch"
                .y_label = "loss",
                .log_y = true,
                .height = 700,
                .legend_below = true});
}

std::string metric(double v, const char* f)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

}  // namespace

void write_outputs(const fs::path& dir, const Series& s, const std::string& label, ForecastResult& r)
{
    write_text(dir / "metrics.json", metrics_document(s, r).dump(2) + "\n");
    write_text(dir / "forecast.csv", forecast_csv(s, r));
    plot_forecasts(dir, s, label, r);
    plot_losses(dir, label, r);
    r.model.save((dir / "model").string());
}

void print_table(const ForecastResult& r)
{
    if (r.n_test == 0) {
        std::printf("%-12s", "period");
        for (const auto& name : forecast_methods()) std::printf(" %14s", name.c_str());
        std::printf("\n");
        for (std::size_t i = 0; i < r.horizon; ++i) {
            std::printf("%-12s", r.future_periods[i].c_str());
            for (const auto& name : forecast_methods()) std::printf(" %14s", metric(r.future.at(name)[i], "%.6g").c_str());
            std::printf("\n");
        }
        return;
    }
    std::printf("%-16s %10s %10s %8s %7s   %10s %10s %8s %7s\n", "", "one-step", "", "", "",
                ("multi-step (" + std::to_string(r.horizon) + " ahead)").c_str(), "", "", "");
    std::printf("%-16s %10s %10s %8s %7s   %10s %10s %8s %7s\n", "method", "RMSE", "MAE", "MAPE%", "MASE", "RMSE",
                "MAE", "MAPE%", "MASE");
    for (const auto& name : forecast_methods()) {
        const auto& a = r.one_step_metrics.at(name);
        const auto& b = r.multi_step_metrics.at(name);
        const std::string shown = name + (r.outside_band.at(name) ? " (!)" : "");
        std::printf("%-16s %10s %10s %8s %7s   %10s %10s %8s %7s\n", shown.c_str(), metric(a.rmse, "%.4g").c_str(),
                    metric(a.mae, "%.4g").c_str(), metric(a.mape, "%.3g").c_str(), metric(a.mase, "%.3f").c_str(),
                    metric(b.rmse, "%.4g").c_str(), metric(b.mae, "%.4g").c_str(), metric(b.mape, "%.3g").c_str(),
                    metric(b.mase, "%.3f").c_str());
    }
}

std::vector<std::string> band_warnings(const ForecastResult& r)
{
    std::vector<std::string> out;
    const std::size_t total = r.n_test ? r.n_test : r.horizon;
    char band[96];
    std::snprintf(band, sizeof band, "[%.4g, %.4g]", r.band.low, r.band.high);
    for (const auto& name : forecast_methods()) {
        const std::size_t k = r.outside_band.at(name);
        if (k == 0) continue;
        out.push_back(name + "'s multi-step forecast leaves the plausible band " + band + " at " + std::to_string(k) +
                      " of " + std::to_string(total) + " points (band: " + PlausibleBand::rule() + ")");
    }
    return out;
}

}  // namespace elman::cli
