// See tools/explain_cli.hpp.
#include "tools/explain_cli.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "io/checkpoint.hpp"
#include "io/model_file.hpp"
#include "io/npy.hpp"

namespace fs = std::filesystem;

namespace elman {

namespace {

// The options that only the demo network takes (the model fixes them with --model).
const char* const demo_flags[] = {"--units",      "--steps", "--input-dim",
                                  "--activation", "--seed",  "--norm-steps"};

std::string demo_command(const ExplainArgs& a)
{
    const ExplainOptions& o = a.options;
    return "elman explain --units " + std::to_string(o.units) + " --steps " +
           std::to_string(o.steps) +
           (o.input_dim != 1 ? " --input-dim " + std::to_string(o.input_dim) : std::string()) +
           " --activation " + to_string(o.activation) + " --seed " + std::to_string(o.seed) +
           (o.norm_steps != 40 ? " --norm-steps " + std::to_string(o.norm_steps) : std::string()) +
           " --out " + a.out;
}

// "float64" when the checkpoint's model.json says so; anything else (a broken file included)
// is left to load_model<float>, whose errors name the problem.
std::string checkpoint_dtype(const fs::path& dir)
{
    std::ifstream in(dir / "model.json");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("dtype") && j["dtype"] == "float64") return "float64";
    return "float32";
}

// The model at `path` explained on sequence `sequence` of x: an elman checkpoint directory (in
// its own dtype), a .keras, .h5 or .onnx file (io/model_file.hpp, float32).
ExplainJson explain_model_file(const ExplainArgs& a, const std::string& command)
{
    const fs::path dir = a.model;
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error("--model " + a.model + ": no such file or directory");
    if (fs::is_directory(dir, ec) && !fs::exists(dir / "model.json") &&
        fs::exists(dir / "pipeline.json"))
        throw Error("--model " + a.model +
                    " is a forecast model of several members; explain one of them, "
                    "e.g. --model " +
                    (dir / "member_0").string());
    const ExplainJson source = {{"model", a.model}, {"input", a.input}};
    const Tensor<double> x = load_npy<double>(a.input, {.convert = true, .finite = false});
    if (model_format(a.model) == ModelFormat::checkpoint && checkpoint_dtype(dir) == "float64")
        return explain_model(load_model<double>(a.model), x, a.sequence, source, command);
    const Tensor<float> xf = xt::cast<float>(x);
    return explain_model(load_model_file<float>(a.model), xf, a.sequence, source, command);
}

}  // namespace

CLI::App* add_explain_command(CLI::App& app, ExplainArgs& a)
{
    CLI::App* c = app.add_subcommand(
        "explain", "write an explorable page of backpropagation through time (DIR/index.html)");
    ExplainOptions& o = a.options;
    c->add_option("--units", o.units, "SimpleRNN units of the demo network")->capture_default_str();
    c->add_option("--steps", o.steps, "time steps of the demo sequence")->capture_default_str();
    c->add_option("--input-dim", o.input_dim, "features per step of the demo sequence")
        ->capture_default_str();
    c->add_option("--activation", a.activation, "tanh, relu, sigmoid or linear")
        ->capture_default_str();
    c->add_option("--seed", o.seed, "seed of the weights and of the sequence's noise")
        ->capture_default_str();
    c->add_option("--norm-steps", o.norm_steps, "steps of the gradient-norm curves")
        ->capture_default_str();
    c->add_option("--model", a.model,
                  "a model to explain instead of the demo: an elman checkpoint directory, .keras, .h5 or .onnx file");
    c->add_option("--input", a.input, "with --model: a .npy array [N, T, F] of input sequences");
    c->add_option("--sequence", a.sequence, "with --model: which sequence of --input (0-based)")
        ->capture_default_str();
    c->add_option("-o,--out", a.out, "output directory (created if missing)")->required();
    // CLI11 reads "-3" into an unsigned option as a huge number: refuse the sign instead.
    const CLI::Validator whole(
        [](std::string& v) {
            return v.find_first_not_of("0123456789") == std::string::npos && !v.empty()
                       ? std::string()
                       : "expected a whole number >= 0, got '" + v + "'";
        },
        "");
    for (const char* flag :
         {"--units", "--steps", "--input-dim", "--seed", "--norm-steps", "--sequence"})
        c->get_option(flag)->check(whole);
    a.command = c;
    return c;
}

void run_explain(const ExplainArgs& a)
{
    const CLI::App& c = *a.command;
    ExplainArgs args = a;
    if (!a.model.empty() || !a.input.empty()) {
        if (a.model.empty()) throw Error("--input needs --model (the network to explain)");
        if (a.input.empty())
            throw Error("--model needs --input X.npy (the sequences to explain it on)");
        for (const char* flag : demo_flags)
            if (c.count(flag))
                throw Error(std::string(flag) +
                            " cannot be used with --model (the model fixes it)");
    } else {
        if (c.count("--sequence")) throw Error("--sequence needs --model and --input");
        // SimpleRNN's activations (parse_activation knows softmax too, which it refuses).
        if (a.activation != "tanh" && a.activation != "relu" && a.activation != "sigmoid" &&
            a.activation != "linear")
            throw Error("--activation: expected tanh, relu, sigmoid or linear, got '" +
                        a.activation + "'");
        args.options.activation = parse_activation(a.activation);
        validate_explain_options(args.options);
    }
    check_explain_out(a.out);
    ExplainJson data;
    if (a.model.empty()) {
        data = explain_demo(args.options, demo_command(args));
    } else {
        const std::string command =
            "elman explain --model " + a.model + " --input " + a.input +
            (a.sequence ? " --sequence " + std::to_string(a.sequence) : std::string()) + " --out " +
            a.out;
        data = explain_model_file(a, command);
    }
    const std::string page = write_explain_page(a.out, explain_page_html(data));
    std::printf("wrote %s\n", page.c_str());
}

}  // namespace elman
