// A tape as a Graphviz DOT graph, for teaching: one box per node (index, op, label, shape),
// solid edges for the forward data flow (parent -> child), and after backward the gradient
// flow: dashed red edges child -> parent wherever a backward function sent dL/d(parent), and
// "grad [shape]" in the label of every node a gradient reached.
//
//   std::ofstream("graph.dot") << to_dot(tape);      then: dot -Tsvg graph.dot -o graph.svg
#pragma once

#include <iosfwd>
#include <string>

#include "core/tape.hpp"

namespace elman {

struct DotOptions {
    // The graph's name: `digraph <name> {`.
    std::string name = "tape";
    // Draw the gradient flow (dashed reverse edges, grad shapes); default true.
    bool gradients = true;
    // Graphviz rankdir: "TB" (inputs on top, loss at the bottom, the default) or "LR".
    std::string rankdir = "TB";
};

// Writes the DOT graph of every node on `tape` to `os`. Deterministic: the same tape gives
// the same text, so a DOT file can be a test fixture.
template <class T>
void write_dot(std::ostream& os, const Tape<T>& tape, const DotOptions& options = {});

// write_dot into a string.
template <class T>
std::string to_dot(const Tape<T>& tape, const DotOptions& options = {});

}  // namespace elman
