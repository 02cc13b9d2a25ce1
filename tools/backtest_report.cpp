#include "tools/backtest_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tools/forecast_report.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

using Json = nlohmann::ordered_json;

Json fold_json(const BacktestFold& f)
{
    Json j;
    j["n"] = f.n;
    j["n_train"] = f.n_train;
    j["n_test"] = f.n_test;
    j["test_periods"] = {f.first_test_period, f.last_test_period};
    j["ensembles"] = {{"one_step", f.one_step_ensemble}, {"multi_step", f.multi_step_ensemble}};
    j["one_step"] = metrics_json(f.one_step);
    j["multi_step"] = metrics_json(f.multi_step);
    j["intervals"] = {{"one_step", interval_scores_json(f.one_step_intervals)},
                      {"multi_step", interval_scores_json(f.multi_step_intervals)}};
    return j;
}

Json backtest_json(const BacktestResult& b)
{
    Json j;
    j["protocol"] = "rolling origin: fold k of K trains on the first n_k - n_test values, n_k = n - (K - k) * step, "
                    "and is scored on the next n_test (one-step and rolling-origin multi-step, as metrics.json)";
    j["step"] = b.step;
    j["interrupted"] = b.interrupted;
    j["folds"] = Json::array();
    for (const BacktestFold& f : b.folds) j["folds"].push_back(fold_json(f));
    Json summary;
    for (const auto& [key, s] : b.summary)
        summary[key] = {{"mean", json_number(s.mean)}, {"sd", json_number(s.sd)}, {"folds", s.folds}};
    j["summary"] = summary;
    return j;
}

std::string folds_csv(const BacktestResult& b)
{
    std::ostringstream csv;
    csv << "fold,n_train,n_test,first_test_period,last_test_period,protocol,method,rmse,mae,mape,mase,"
           "coverage80,coverage95,msis80,msis95\n";
    for (std::size_t k = 0; k < b.folds.size(); ++k) {
        const BacktestFold& f = b.folds[k];
        for (const auto& [protocol, mm, iv] : {std::tuple{"one_step", &f.one_step, &f.one_step_intervals},
                                               std::tuple{"multi_step", &f.multi_step, &f.multi_step_intervals}})
            for (const auto& name : forecast_methods()) {
                const Metrics& m = mm->at(name);
                csv << k + 1 << "," << f.n_train << "," << f.n_test << "," << f.first_test_period << ","
                    << f.last_test_period << "," << protocol << "," << name << "," << csv_cell(m.rmse) << ","
                    << csv_cell(m.mae) << "," << csv_cell(m.mape) << "," << csv_cell(m.mase);
                if (name == "elman")
                    csv << "," << csv_cell(iv->coverage80) << "," << csv_cell(iv->coverage95) << "," << csv_cell(iv->msis80) << ","
                        << csv_cell(iv->msis95) << "\n";
                else
                    csv << ",,,,\n";
            }
    }
    return csv.str();
}

std::string shown(double v)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

}  // namespace

void write_backtest(const fs::path& dir, const BacktestResult& b)
{
    write_text(dir / "backtest.json", backtest_json(b).dump(2) + "\n");
    write_text(dir / "folds.csv", folds_csv(b));
}

void print_backtest(const BacktestResult& b)
{
    static const char* const methods[] = {"elman", "naive", "seasonal_naive"};
    std::printf("\nbacktest: %zu folds, origins %zu values apart; MASE one-step | multi-step\n", b.folds.size(), b.step);
    std::printf("%-22s %8s %8s %8s | %8s %8s %8s\n", "fold (test periods)", "elman", "naive", "s.naive", "elman",
                "naive", "s.naive");
    for (std::size_t k = 0; k < b.folds.size(); ++k) {
        const BacktestFold& f = b.folds[k];
        std::printf("%-22s", (std::to_string(k + 1) + " (" + f.first_test_period + "..)").c_str());
        for (const auto* mm : {&f.one_step, &f.multi_step}) {
            for (const char* m : methods) std::printf(" %8s", shown(mm->at(m).mase).c_str());
            if (mm == &f.one_step) std::printf(" |");
        }
        std::printf("\n");
    }
    for (const bool sd : {false, true}) {
        std::printf("%-22s", sd ? "sd" : "mean");
        for (const char* protocol : {"one_step", "multi_step"}) {
            for (const char* m : methods) {
                const Spread& s = b.summary.at(std::string(protocol) + "." + m + ".mase");
                std::printf(" %8s", shown(sd ? s.sd : s.mean).c_str());
            }
            if (std::string(protocol) == "one_step") std::printf(" |");
        }
        std::printf("\n");
    }
}

}  // namespace elman::cli
