// The `elman explain` subcommand: its options (CLI11) and its run. tools/elman.cpp only adds it
// and calls run_explain when it was parsed.
//
//   elman explain [--units U] [--steps T] [--input-dim F] [--activation A] [--seed S]
//                 [--norm-steps N] --out DIR
//   elman explain --model PATH --input X.npy [--sequence I] --out DIR
#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/explain.hpp"

namespace elman {

struct ExplainArgs {
    ExplainOptions options;
    std::string activation = "tanh";
    std::string model, input, out;
    std::size_t sequence = 0;
    CLI::App* command = nullptr;  // set by add_explain_command
};

// Adds the subcommand `explain` to `app`, storing into `args` (which must outlive parsing).
CLI::App* add_explain_command(CLI::App& app, ExplainArgs& args);

// Checks the parsed options (one elman::Error naming the first bad one), computes the page,
// writes DIR/index.html atomically and prints "wrote DIR/index.html" to stdout.
void run_explain(const ExplainArgs& args);

}  // namespace elman
