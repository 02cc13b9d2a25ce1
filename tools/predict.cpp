#include "tools/predict.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "forecast/covariates.hpp"
#include "forecast/predict.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

void warn(const std::string& what) { std::fprintf(stderr, "elman: warning: %s\n", what.c_str()); }

// The series `in` names, read as the model's series was (its column, --ignore-gaps, ...: the
// options recorded in DIR/pipeline.json) for each option `in` leaves unset, with a note naming
// them; `in` gets the options used. A file without the model's column is read with its own, so
// that check_series names both columns.
Series read_like_model(Input& in, const ForecastModel& model, const fs::path& dir)
{
    const std::string given_column = in.column;
    std::vector<std::string> taken = adopt_reading(in, model.series.column, model.series.read);
    const std::string name = in.builtin.empty() ? fs::path(in.file).filename().string() : in.builtin;
    const auto say_taken = [&] {
        if (taken.empty()) return;
        std::string flags;
        for (const auto& t : taken) flags += (flags.empty() ? "" : " ") + t;
        std::fprintf(stderr, "elman: note: %s: read as the model's series was (%s): %s\n", name.c_str(),
                     (dir / "pipeline.json").string().c_str(), flags.c_str());
    };
    Series s;
    try {
        s = load_input(in);
    } catch (const Error& e) {
        const bool missing_column = given_column.empty() && !in.column.empty() &&
                                    std::string(e.what()).find("no column '" + in.column + "'") != std::string::npos;
        if (!missing_column) {
            say_taken();
            throw;
        }
        const std::exception_ptr first = std::current_exception();
        Input own = in;
        own.column.clear();
        try {
            s = load_input(own);
        } catch (const Error&) {
            say_taken();
            std::rethrow_exception(first);
        }
        std::erase(taken, "--column " + in.column);
        in = own;
    }
    say_taken();
    return s;
}

}  // namespace

CLI::App* add_predict_command(CLI::App& app, PredictArgs& a)
{
    CLI::App* pc = app.add_subcommand(
        "predict", "forecast the values after the end of a series with a saved model, or run a "
                   "model file on an array (--input X.npy --output Y.npy)");
    a.command = pc;
    pc->add_option("-m,--model", a.model_dir,
                   "a forecast output directory or its model/; with --input: a checkpoint "
                   "directory, .keras, .h5 or .onnx file")
        ->required();
    pc->add_option("--input", a.array.input, "X.npy [N, T, F] (float32 or float64) to run the model on");
    pc->add_option("--output", a.array.output, "Y.npy to write the model's output to (with --input)");
    pc->add_option("--batch-size", a.array.batch_size, "rows per forward pass (with --input)")
        ->capture_default_str();
    pc->add_option("--onnx-output", a.array.onnx_output,
                   "with --input: the output of an .onnx graph with several to run (e.g. Y_h)");
    add_input_options(pc, a.in);
    pc->add_option("--future", a.future,
                   "a CSV of the periods to forecast with the model's known-future covariate columns (a model fitted "
                   "with --future-covariates needs it)")
        ->check(CLI::ExistingFile);
    pc->add_option("--horizon", a.horizon, "values to forecast (default: M4's for the frequency, e.g. 18 monthly)")
        ->check(CLI::Range(std::size_t(1), std::size_t(1000000)));  // 0 is not "the default"
    return pc;
}

void run_predict(const PredictArgs& a)
{
    if (!a.array.input.empty()) {
        if (!a.in.file.empty() || !a.in.builtin.empty())
            throw Error("predict: give either --input X.npy or a CSV series, not both");
        tools::ArrayPredictArgs array = a.array;
        array.model = a.model_dir;
        std::printf("%s\n", tools::predict_array(array).c_str());
        return;
    }
    const std::string& model_dir = a.model_dir;
    fs::path dir = model_dir;
    if (!fs::exists(dir / "pipeline.json") && fs::exists(dir / "model" / "pipeline.json")) dir /= "model";
    if (!fs::is_directory(dir)) throw Error("--model " + model_dir + ": no such directory");
    ForecastModel model = ForecastModel::load(dir.string());
    Input in = a.in;
    // The model's covariates are read with the series: a file without them fails naming the column.
    in.covariates = model.past_covariates;
    in.covariates.insert(in.covariates.end(), model.future_covariates.begin(), model.future_covariates.end());
    Series s = read_like_model(in, model, dir);
    if (!a.future.empty()) {
        if (model.future_covariates.empty())
            throw Error("--future " + a.future + ": the model takes no known-future covariates (fitted without "
                        "--future-covariates)");
        append_future_covariates(s, a.future, model.future_covariates,
                                 a.horizon ? a.horizon : default_horizon(model.series.calendar));
    }
    const std::string label = series_label(in, s);
    for (const auto& n : s.notes) std::fprintf(stderr, "elman: note: %s: %s\n", label.c_str(), n.c_str());
    for (const auto& w : check_series(model, s, label)) warn(w);
    const Prediction p = forecast_after(model, s, a.horizon);
    for (const auto& w : p.warnings) warn(w);
    const IntervalBounds& b = p.intervals;
    std::printf("period,%s_forecast,lo80,hi80,lo95,hi95\n", s.name.c_str());
    for (std::size_t i = 0; i < p.values.size(); ++i) {
        std::printf("%s,%.10g", p.periods[i].c_str(), p.values[i]);
        if (b.empty())
            std::printf(",,,,\n");
        else
            std::printf(",%.10g,%.10g,%.10g,%.10g\n", b.lo80[i], b.hi80[i], b.lo95[i], b.hi95[i]);
    }
}

}  // namespace elman::cli
