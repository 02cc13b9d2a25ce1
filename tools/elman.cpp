// The `elman` command: forecast a time series with an Elman RNN and compare it with the
// classical baselines (forecast, tools/forecast_command.hpp), forecast with a saved model or run
// any model file on an array (predict, tools/predict.hpp and tools/model_commands.hpp), convert
// model files (convert), join the shards of a run of many series (merge, tools/forecast_many.hpp), print a model's Keras-style summary (summary), write an explorable
// BPTT page (explain, tools/explain_cli.hpp). Every error is one line
// "elman: error: ..." on stderr and a non-zero exit; forecast writes its output directory
// completely or not at all.
#include <cstdio>
#include <iostream>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "layers/cells.hpp"
#include "layers/dense.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "tools/cli_wording.hpp"
#include "tools/explain_cli.hpp"
#include "tools/forecast_command.hpp"
#include "tools/model_commands.hpp"
#include "tools/predict.hpp"

using elman::Error;

namespace {

struct SummaryArgs {
    std::string model, cell = "simple", onnx_output;
    std::size_t input_dim = 1, units = 0, dense = 1, timesteps = 0;
};

CLI::App* add_summary_command(CLI::App& app, SummaryArgs& a)
{
    CLI::App* sc = app.add_subcommand("summary", "print the Keras-style summary of a model file, or of "
                                                 "SimpleRNN, LSTM or GRU (--cell, --units) -> Dense(--dense)");
    sc->add_option("-m,--model", a.model, "a checkpoint directory, .keras, .h5 or .onnx file");
    sc->add_option("--onnx-output", a.onnx_output, "the output of an .onnx graph with several to import (e.g. Y_h)");
    sc->add_option("--input-dim", a.input_dim, "features per time step")->capture_default_str();
    sc->add_option("--units", a.units, "recurrent units (without --model)");
    sc->add_option("--cell", a.cell, "recurrent cell without --model: simple (SimpleRNN), lstm (LSTM) or gru (GRU, reset_after)")
        ->capture_default_str();
    sc->add_option("--dense", a.dense, "units of the Dense layer after it (0: none)")->capture_default_str();
    sc->add_option("--timesteps", a.timesteps, "sequence length (0: any)")->capture_default_str();
    return sc;
}

void run_summary(const SummaryArgs& a)
{
    if (!a.model.empty()) {
        std::cout << elman::tools::summarize_model(a.model, a.onnx_output);
        return;
    }
    if (!a.onnx_output.empty()) throw Error("--onnx-output picks an output of an .onnx --model");
    if (a.input_dim < 1) throw Error("--input-dim must be >= 1");
    elman::check_cell(a.cell);
    if (a.units < 1) throw Error("give --model PATH, or --units N (>= 1) for a new SimpleRNN (or --cell lstm, --cell gru)");
    elman::Sequential<float> model;
    model.add(elman::make_recurrent_layer<float>(a.cell, {.units = a.units}));
    if (a.dense > 0) model.emplace<elman::Dense<float>>(elman::DenseOptions{.units = a.dense});
    model.build({a.timesteps, a.input_dim});
    std::cout << model.summary();
}

using elman::tools::ConvertArgs;

CLI::App* add_convert_command(CLI::App& app, ConvertArgs& a)
{
    CLI::App* cc = app.add_subcommand("convert", "convert a model file: checkpoint directory, .keras, .h5 "
                                                 "(read only) or .onnx, by the names' extensions");
    cc->add_option("in", a.in, "the model to read")->required();
    cc->add_option("out", a.out, "the file or directory to write")->required();
    cc->add_option("--onnx-output", a.onnx_output, "the output of an .onnx graph with several to import (e.g. Y_h)");
    cc->add_option("--batch-size", a.batch_size,
                   "the batch size a .keras file records (Keras builds a stateful layer only with one; "
                   "default: any, or the batch of the state a stateful layer carries)");
    cc->add_flag("--state-io", a.state_io,
                 "to .onnx: write a stateful layer's state as a second graph input and output (for runtimes that "
                 "carry it, e.g. onnxruntime; elman reads single-input graphs)");
    return cc;
}

// One line: CLI11's and elman's messages can hold line breaks.
std::string one_line(std::string msg)
{
    for (char& c : msg)
        if (c == '\n') c = ' ';
    return msg;
}

// CLI11 2.1 reads "-3" into an unsigned option as 2^64 - 3, and the command then tried to
// allocate that much: every unsigned option refuses a leading '-' before the conversion.
void refuse_negative_counts(CLI::App& app)
{
    for (CLI::Option* o : app.get_options())
        if (o->get_type_name() == "UINT")
            o->check(CLI::Validator(
                [](std::string& v) { return v.starts_with('-') ? "must be 0 or more, not " + v : std::string(); }, "",
                "non-negative"));
    for (CLI::App* sub : app.get_subcommands({})) refuse_negative_counts(*sub);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"elman: forecast time series with an Elman RNN (SimpleRNN) and compare it with "
                 "the classical baselines"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "help for every subcommand");
    elman::cli::ForecastArgs forecast_args;
    elman::cli::add_forecast_command(app, forecast_args);
    elman::cli::PredictArgs predict_args;
    CLI::App* pc = elman::cli::add_predict_command(app, predict_args);
    SummaryArgs summary_args;
    CLI::App* sc = add_summary_command(app, summary_args);
    ConvertArgs convert_args;
    CLI::App* cc = add_convert_command(app, convert_args);
    elman::cli::MergeArgs merge_args;
    CLI::App* mc = elman::cli::add_merge_command(app, merge_args);
    elman::ExplainArgs explain_args;
    CLI::App* ec = elman::add_explain_command(app, explain_args);
    refuse_negative_counts(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "elman: error: %s (see elman --help)\n", one_line(e.what()).c_str());
        return 2;
    }

    try {
        if (ec->parsed()) {
            elman::run_explain(explain_args);
            return 0;
        }
        if (sc->parsed()) {
            run_summary(summary_args);
            return 0;
        }
        if (cc->parsed()) {
            std::cout << elman::tools::convert_model(convert_args) << "\n";
            return 0;
        }
        if (mc->parsed()) return elman::cli::run_merge_command(merge_args);
        if (pc->parsed()) {
            elman::cli::run_predict(predict_args);
            return 0;
        }
        return elman::cli::run_forecast_command(forecast_args);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "elman: error: out of memory: the model or the data is larger than this machine can hold "
                             "(check --units, --input-dim and the sizes in the file)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "elman: error: %s\n", one_line(elman::cli::cli_wording(e.what())).c_str());
        return 1;
    }
}
