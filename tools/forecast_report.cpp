#include "tools/forecast_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "tools/forecast_plots.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

using Json = nlohmann::ordered_json;

Json conformal_json(const Conformal& c)
{
    Json scale = Json::array();
    for (double v : c.scale) scale.push_back(json_number(v));
    return {{"q80", json_number(c.q80)}, {"q95", json_number(c.q95)}, {"residuals", c.scores}, {"scale", scale}};
}

Json calibration_json(const IntervalCalibration& c)
{
    Json j = {{"additive", conformal_json(c.additive)}};
    j["log"] = c.log.calibrated() ? conformal_json(c.log) : Json(nullptr);
    return j;
}

// How the intervals were made and, with a test part, how they did (coverage, MSIS, width).
Json intervals_json(const ForecastResult& r)
{
    Json j;
    j["levels"] = {80, 95};
    j["method"] = "split conformal on the validation tail: residuals of the validated members' median normalized "
                  "by sqrt(s_h^2 + spread^2), s_h the lead's RMS residual (non-decreasing), spread the ensemble's "
                  "standard deviation; forecast +- q * sqrt(s_h^2 + spread^2)";
    j["msis"] = "M4's mean scaled interval score (alpha 0.05 for msis95, 0.2 for msis80), scaled by the in-sample "
                "seasonal naive MAE";
    j["calibration"] = {{"one_step", calibration_json(r.model.one_step_intervals)},
                        {"multi_step", calibration_json(r.model.multi_step_intervals)}};
    if (r.n_test > 0 && !r.one_step_intervals.empty()) {
        j["one_step"] = interval_scores_json(r.one_step_interval_scores);
        j["multi_step"] = interval_scores_json(r.multi_step_interval_scores);
    }
    return j;
}

// Every candidate tried, best one-step validation score first.
Json candidates_json(const ForecastResult& r)
{
    Json out = Json::array();
    for (const ForecastMember& c : r.screened)
        out.push_back({{"candidate", c.describe()},
                       {"strategy", c.outputs > 1 ? "mimo" : "recursive"},
                       {"validation_mae", json_number(c.val_mae)},
                       {"validation_multi_step_mae", json_number(c.val_multi_mae)}});
    return out;
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
    j["covariates"] = {{"past", r.model.past_covariates}, {"future", r.model.future_covariates}};
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
    j["plausible_band"] = {{"low", json_number(r.band.low)}, {"high", json_number(r.band.high)}, {"rule", PlausibleBand::rule()}};
    j["ensembles"] = {{"one_step", r.model.describe(Ensemble::one_step)},
                      {"multi_step", r.model.describe(Ensemble::multi_step)}};
    j["candidates_tried"] = candidates_json(r);
    j["intervals"] = intervals_json(r);
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

// The four interval cells of forecast i ("" when there are no intervals).
std::string interval_cells(const IntervalBounds& b, std::size_t i)
{
    if (b.empty()) return ",,,,";
    return "," + csv_cell(b.lo80[i]) + "," + csv_cell(b.hi80[i]) + "," + csv_cell(b.lo95[i]) + "," + csv_cell(b.hi95[i]);
}

std::string forecast_csv(const Series& s, const ForecastResult& r)
{
    std::ostringstream csv;
    const auto& methods = forecast_methods();
    if (r.n_test == 0) {
        csv << "period";
        for (const auto& name : methods) csv << "," << name;
        csv << ",lo80,hi80,lo95,hi95\n";
        for (std::size_t i = 0; i < r.horizon; ++i) {
            csv << r.future_periods[i];
            for (const auto& name : methods) csv << "," << csv_cell(r.future.at(name)[i]);
            csv << interval_cells(r.future_intervals, i) << "\n";
        }
        return csv.str();
    }
    csv << "period,actual";
    for (const auto& name : methods) csv << "," << name << "_one_step";
    for (const auto& name : methods) csv << "," << name << "_multi_step";
    csv << ",multi_step_lead";
    for (const char* which : {"one_step", "multi_step"})
        for (const char* bound : {"lo80", "hi80", "lo95", "hi95"}) csv << ",elman_" << which << "_" << bound;
    csv << "\n";
    for (std::size_t i = 0; i < r.n_test; ++i) {
        csv << s.periods[r.n_train + i] << "," << csv_cell(s.values[r.n_train + i]);
        for (const auto& name : methods) csv << "," << csv_cell(r.one_step.at(name)[i]);
        for (const auto& name : methods) csv << "," << csv_cell(r.multi_step.at(name)[i]);
        csv << "," << i % r.horizon + 1 << interval_cells(r.one_step_intervals, i)
            << interval_cells(r.multi_step_intervals, i) << "\n";
    }
    return csv.str();
}

std::string metric(double v, const char* f)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// `v` as `f` writes it when that fits in `width` characters, else in as many significant
// digits as fit ("5.7e+05" for a MASE of 573670.8 in a column of 7), so that the table's
// columns stay aligned whatever a diverged model scores.
std::string fitted(double v, const char* f, std::size_t width)
{
    std::string s = metric(v, f);
    for (int digits = 4; s.size() > width && digits >= 1; --digits) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        s = buf;
    }
    return s;
}

}  // namespace

Json json_number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string csv_cell(double v)
{
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

Json metrics_json(const MethodMetrics& mm, const std::map<std::string, std::size_t>* outside)
{
    Json j;
    for (const auto& name : forecast_methods()) {
        const Metrics& m = mm.at(name);
        j[name] = {{"rmse", json_number(m.rmse)}, {"mae", json_number(m.mae)}, {"mape", json_number(m.mape)}, {"mase", json_number(m.mase)}};
        if (outside) j[name]["outside_band"] = outside->at(name);
    }
    return j;
}

Json interval_scores_json(const IntervalScores& s)
{
    return {{"coverage80", json_number(s.coverage80)}, {"coverage95", json_number(s.coverage95)},
            {"msis80", json_number(s.msis80)},         {"msis95", json_number(s.msis95)},
            {"width80", json_number(s.width80)},       {"width95", json_number(s.width95)}};
}

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream out(path);
    out << text;
    out.close();
    if (!out) throw Error("cannot write " + path.string());
}

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
    std::printf("%-18s %10s %10s %8s %7s   %10s %10s %8s %7s\n", "", "one-step", "", "", "",
                ("multi-step (" + std::to_string(r.horizon) + " ahead)").c_str(), "", "", "");
    std::printf("%-18s %10s %10s %8s %7s   %10s %10s %8s %7s\n", "method", "RMSE", "MAE", "MAPE%", "MASE", "RMSE",
                "MAE", "MAPE%", "MASE");
    for (const auto& name : forecast_methods()) {
        const auto& a = r.one_step_metrics.at(name);
        const auto& b = r.multi_step_metrics.at(name);
        const std::string shown = name + (r.outside_band.at(name) ? " (!)" : "");
        std::printf("%-18s %10s %10s %8s %7s   %10s %10s %8s %7s\n", shown.c_str(), fitted(a.rmse, "%.4g", 10).c_str(),
                    fitted(a.mae, "%.4g", 10).c_str(), fitted(a.mape, "%.3g", 8).c_str(),
                    fitted(a.mase, "%.3f", 7).c_str(), fitted(b.rmse, "%.4g", 10).c_str(),
                    fitted(b.mae, "%.4g", 10).c_str(), fitted(b.mape, "%.3g", 8).c_str(),
                    fitted(b.mase, "%.3f", 7).c_str());
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
