#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "core/ops.hpp"
#include "core/tape_dot.hpp"

using namespace elman;

namespace {

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

std::string read_fixture(const std::string& name)
{
    std::ifstream in(std::string(ELMAN_SOURCE_DIR) + "/tests/fixtures/dot/" + name);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The README's example: loss = mean(tanh(x·W + b)²) with x a constant.
struct SmallTape {
    Parameter<double> W{"W", Tensor<double>{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}}, {}};
    Parameter<double> b{"b", Tensor<double>{0.1, -0.1}, {}};
    Tape<double> tape;
    Var<double> loss;

    SmallTape()
    {
        auto x = tape.constant(Tensor<double>{{1, 2, 3}, {-1, 0, 1}}, "x");
        auto w = tape.param(W);
        auto bias = tape.param(b);
        loss = mean(square(tanh(matmul(x, w) + bias)));
    }
};

}  // namespace

TEST_CASE("tape_dot: a small tape after backward matches tests/fixtures/dot/small_tape.dot",
          "[tape_dot]")
{
    SmallTape t;
    t.tape.backward(t.loss);
    REQUIRE(to_dot(t.tape, {.name = "small_tape"}) == read_fixture("small_tape.dot"));
}

TEST_CASE("tape_dot: one solid edge per input, one dashed edge per gradient sent", "[tape_dot]")
{
    SmallTape t;
    const std::string before = to_dot(t.tape);
    std::size_t inputs = 0;
    for (std::size_t i = 0; i < t.tape.size(); ++i)
        inputs += t.tape.state().nodes[i].parents.size();
    REQUIRE(count(before, "->") == inputs);
    // No backward yet: no gradient anywhere.
    REQUIRE(count(before, "style=dashed, color") == 0);
    REQUIRE(count(before, "grad [") == 0);

    t.tape.backward(t.loss);
    const std::string after = to_dot(t.tape);
    // Every input except the constant x (which takes no gradient) receives one.
    REQUIRE(count(after, "style=dashed, color") == inputs - 1);
    REQUIRE(count(after, "n3 -> n0 [style=dashed") == 0);
    REQUIRE(count(after, "grad [") == t.tape.size() - 1);
    REQUIRE(count(to_dot(t.tape, {.gradients = false}), "style=dashed") == 0);
}

TEST_CASE("tape_dot: nodes computed from constants keep their edges (dashed, no gradient)",
          "[tape_dot]")
{
    Tape<double> tape;
    auto x = tape.constant(Tensor<double>{1.0, 2.0}, "x");
    auto y = tanh(x * 2.0);
    {
        NoGrad guard;
        auto w = tape.variable(Tensor<double>{3.0, 4.0}, "w");
        auto z = y + w;  // no gradient under NoGrad, but still drawn from its inputs
        (void)z;
    }
    const std::string dot = to_dot(tape);
    INFO(dot);
    std::size_t inputs = 0;
    for (std::size_t i = 0; i < tape.size(); ++i) inputs += tape.state().nodes[i].parents.size();
    REQUIRE(inputs >= 3);  // x -> mul (+ the scalar), mul -> tanh, tanh and w -> add
    REQUIRE(count(dot, "->") == inputs);
    REQUIRE(count(dot, "n0 -> n") >= 1);
    const std::string printed = tape.str();
    INFO(printed);
    REQUIRE(printed.find("tanh(%") != std::string::npos);
    REQUIRE(tape.recorded() == 0);
}

TEST_CASE("tape_dot: labels are escaped and options reach the header", "[tape_dot]")
{
    Tape<float> tape;
    auto a = tape.variable(Tensor<float>{1.0f, 2.0f}, "say \"hi\"\\");
    auto y = sum(a * a);
    tape.backward(y);
    const std::string dot = to_dot(tape, {.name = "g", .rankdir = "LR"});
    REQUIRE(dot.rfind("digraph \"g\" {\n  rankdir=LR;\n", 0) == 0);
    REQUIRE(dot.find("%0 input say \\\"hi\\\"\\\\\\n[2]\\ngrad [2]") != std::string::npos);
    REQUIRE(dot.substr(dot.size() - 2) == "}\n");
}
