// Backpropagation through time, by hand, next to the tape.
//
// Part 1: a tiny SimpleRNN (B=1, T=3, F=1, U=2, tanh, return_sequences, L = Σ_t Σ_j h_t[j])
// forward and backward written out with the equations of the fused kernel:
//   a_t = x_t·W_x + h_{t−1}·W_h + b        h_t = tanh(a_t)
//   g_t = dL/dh_t (from the output: 1) + δ_{t+1}·W_hᵀ          δ_{T+1} = 0
//   δ_t = g_t ⊙ (1 − h_t²)
//   dW_x = Σ_t x_tᵀ·δ_t     dW_h = Σ_t h_{t−1}ᵀ·δ_t     db = Σ_t δ_t
// and the layer's gradients (fused node and composed ops) printed beside them, then the
// layer's trace mode (a_t, h_t, dL/dh_t as the fused backward saw them) against the hand values.
//
// Part 2: the composed path's unrolled graph written as Graphviz DOT (bptt_unrolled.dot, in
// the directory given as the first argument, else the current one), rendered to SVG when
// Graphviz' `dot` is on PATH.
//
// Part 3: ||dL/dh_t|| per step for L = Σ h_T over 40 steps, tanh vs relu with the same
// weights: how far back a gradient reaches (vanishing gradients).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "core/ops.hpp"
#include "core/tape_dot.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

namespace {

constexpr std::size_t T = 3, U = 2;

void print_vec(const char* label, const std::vector<double>& v)
{
    std::printf("%s [", label);
    for (std::size_t j = 0; j < v.size(); ++j) std::printf("%s% .6f", j ? ", " : "", v[j]);
    std::printf("]\n");
}

double norm(const Tensor<double>& t)
{
    double s = 0;
    for (double v : t) s += v * v;
    return std::sqrt(s);
}

// True when an executable `name` is in one of $PATH's directories.
bool on_path(const std::string& name)
{
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::error_code ec;
        const auto p = std::filesystem::path(dir.empty() ? "." : dir) / name;
        if (std::filesystem::is_regular_file(p, ec) &&
            (std::filesystem::status(p, ec).permissions() & std::filesystem::perms::owner_exec) !=
                std::filesystem::perms::none)
            return true;
    }
    return false;
}

// The tiny model of part 1: its input and weights.
struct Tiny {
    Tensor<double> x;   // [B=1, T=3, F=1]
    Tensor<double> wx;  // kernel [1,2]
    Tensor<double> wh;  // recurrent_kernel [2,2]
    Tensor<double> b;   // bias [2]
};

using PerStep = std::vector<std::vector<double>>;  // [t][j]

// a_t = x_t·W_x + h_{t−1}·W_h + b,  h_t = tanh(a_t); returns h with h[0] = h_0 = 0.
PerStep forward_by_hand(const Tiny& m)
{
    std::printf("== Part 1: forward ==\n");
    PerStep h(T + 1, std::vector<double>(U, 0.0));
    for (std::size_t t = 1; t <= T; ++t) {
        std::vector<double> a(U);
        for (std::size_t j = 0; j < U; ++j) {
            a[j] = m.x(0, t - 1, 0) * m.wx(0, j) + m.b(j);
            for (std::size_t k = 0; k < U; ++k) a[j] += h[t - 1][k] * m.wh(k, j);
            h[t][j] = std::tanh(a[j]);
        }
        std::printf("t=%zu  x_t=% .2f  ", t, m.x(0, t - 1, 0));
        print_vec("a_t =", a);
        std::printf("                 ");
        print_vec("h_t =", h[t]);
    }
    return h;
}

// g_t = 1 + δ_{t+1}·W_hᵀ (L = Σ h: dL/dh_t from the output is 1),  δ_t = g_t ⊙ (1 − h_t²),
// for t = T..1; returns δ with δ[T+1] = 0.
PerStep backward_by_hand(const Tiny& m, const PerStep& h)
{
    std::printf("\n== Part 1: backward, t = T..1 ==\n");
    PerStep delta(T + 2, std::vector<double>(U, 0.0));
    for (std::size_t t = T; t >= 1; --t) {
        std::vector<double> g(U);
        for (std::size_t j = 0; j < U; ++j) {
            g[j] = 1.0;
            for (std::size_t k = 0; k < U; ++k) g[j] += delta[t + 1][k] * m.wh(j, k);  // δ·W_hᵀ
            delta[t][j] = g[j] * (1 - h[t][j] * h[t][j]);
        }
        std::printf("t=%zu  ", t);
        print_vec("g_t = 1 + δ_{t+1}·W_hᵀ =", g);
        std::printf("      ");
        print_vec("δ_t = g_t ⊙ (1 − h_t²)  =", delta[t]);
    }
    return delta;
}

struct Grads {
    Tensor<double> dwx, dwh, db;
};

// dW_x = Σ_t x_tᵀ·δ_t,  dW_h = Σ_t h_{t−1}ᵀ·δ_t,  db = Σ_t δ_t
Grads weight_gradients(const Tiny& m, const PerStep& h, const PerStep& delta)
{
    Grads g{xt::zeros<double>({1ul, U}), xt::zeros<double>({U, U}), xt::zeros<double>({U})};
    for (std::size_t t = 1; t <= T; ++t)
        for (std::size_t j = 0; j < U; ++j) {
            g.dwx(0, j) += m.x(0, t - 1, 0) * delta[t][j];
            for (std::size_t k = 0; k < U; ++k) g.dwh(k, j) += h[t - 1][k] * delta[t][j];
            g.db(j) += delta[t][j];
        }
    return g;
}

// The layer's gradients, fused node and composed ops, beside the hand-written ones.
void compare_with_tape(const Tiny& m, const Grads& hand)
{
    std::printf("\n== Part 1: by hand vs the tape ==\n");
    for (bool fused : {true, false}) {
        SimpleRNN<double> rnn({.units = U, .return_sequences = true, .fused = fused});
        rnn.set_weights({m.wx, m.wh, m.b});
        for (auto* p : rnn.parameters()) p->zero_grad();
        Tape<double> tape;
        auto y = rnn.forward(tape, tape.constant(m.x));
        tape.backward(sum(y));
        std::printf("%s path (%zu node(s) with a backward on the tape):\n",
                    fused ? "fused" : "composed", tape.recorded());
        const struct {
            const char* name;
            const Tensor<double>& hand;
            const Tensor<double>& tape;
        } rows[] = {{"dW_x", hand.dwx, rnn.kernel.grad},
                    {"dW_h", hand.dwh, rnn.recurrent_kernel.grad},
                    {"db  ", hand.db, rnn.bias.grad}};
        for (const auto& r : rows) {
            double worst = 0;
            std::printf("  %s  by hand:", r.name);
            for (double v : r.hand) std::printf(" % .8f", v);
            std::printf("\n        tape:   ");
            for (double v : r.tape) std::printf(" % .8f", v);
            for (std::size_t i = 0; i < r.hand.size(); ++i)
                worst = std::max(worst, std::abs(r.hand.data()[i] - r.tape.data()[i]));
            std::printf("\n        max |difference| = %.1e\n", worst);
        }
    }
}

// The layer's trace mode (a_t, h_t, dL/dh_t as the fused backward saw them) against the hand values.
void compare_with_trace(const Tiny& m, const PerStep& h, const PerStep& delta)
{
    std::printf("\n== Part 1: trace mode (fused path) ==\n");
    SimpleRNN<double> traced({.units = U, .return_sequences = true, .trace = true});
    traced.set_weights({m.wx, m.wh, m.b});
    {
        Tape<double> tape;
        tape.backward(sum(traced.forward(tape, tape.constant(m.x))));
    }
    std::printf("%s", traced.trace().str().c_str());
    double worst = 0;
    for (std::size_t t = 1; t <= T; ++t)
        for (std::size_t j = 0; j < U; ++j) {
            // the hand-written g_t is dL/dh_t; δ_t = g_t ⊙ (1 − h_t²)
            const double g = delta[t][j] / (1 - h[t][j] * h[t][j]);
            worst = std::max({worst, std::abs(traced.trace().h[t - 1](0, j) - h[t][j]),
                              std::abs(traced.trace().dh[t - 1](0, j) - g)});
        }
    std::printf("trace vs by hand (h_t and dL/dh_t): max |difference| = %.1e\n", worst);
}

// Part 2: the composed path's unrolled graph as DOT in `dir` (and SVG when `dot` is on PATH).
// Returns false when the file cannot be written.
bool write_unrolled_graph(const Tiny& m, const std::filesystem::path& dir)
{
    std::printf("\n== Part 2: the unrolled graph of the composed path ==\n");
    SimpleRNN<double> rnn({.units = U, .return_sequences = true, .fused = false});
    rnn.set_weights({m.wx, m.wh, m.b});
    Tape<double> tape;
    tape.backward(sum(rnn.forward(tape, tape.constant(m.x, "x"))));
    const auto dot_file = dir / "bptt_unrolled.dot";
    std::ofstream out(dot_file);
    out << to_dot(tape, {.name = "bptt_unrolled"});
    out.close();
    if (!out) {
        std::fprintf(stderr, "bptt_by_hand: error: cannot write %s\n", dot_file.string().c_str());
        return false;
    }
    std::printf("%zu nodes: 3 steps of select, matmul, matmul, add, add, tanh; solid edges "
                "carry values forward, dashed ones gradients back.\nwrote %s\n",
                tape.size(), dot_file.string().c_str());
    if (on_path("dot")) {
        const auto svg = dir / "bptt_unrolled.svg";
        const std::string cmd = "dot -Tsvg \"" + dot_file.string() + "\" -o \"" + svg.string() + "\"";
        const int rc = std::system(cmd.c_str());
        std::printf(rc == 0 ? "wrote %s\n" : "dot failed; no %s\n", svg.string().c_str());
    } else {
        std::printf("Graphviz `dot` not on PATH: SVG skipped (apt-get install graphviz, then "
                    "dot -Tsvg %s -o bptt_unrolled.svg)\n",
                    dot_file.string().c_str());
    }
    return true;
}

// Part 3: ||dL/dh_t|| for L = Σ h_T over 40 steps, tanh vs relu with the same weights. The
// recurrence is written with tape ops so that every h_t is a Var whose gradient we can read.
void vanishing_gradients()
{
    std::printf("\n== Part 3: ||dL/dh_t|| for L = Σ h_T, 40 steps, 8 units ==\n");
    const std::size_t steps = 40, units = 8;
    SimpleRNN<double> init({.units = units, .seed = 3});
    init.build({steps, 1});
    const Tensor<double> xs = normal<double>({1, steps, 1}, 0.0, 1.0, 4);
    std::printf("  t    tanh          relu\n");
    std::vector<std::vector<double>> norms(2, std::vector<double>(steps));
    for (int k = 0; k < 2; ++k) {
        const Activation act = k == 0 ? Activation::tanh : Activation::relu;
        Tape<double> tape;
        auto w = tape.param(init.kernel), r = tape.param(init.recurrent_kernel);
        auto bb = tape.param(init.bias);
        auto xv = tape.constant(xs);
        Var<double> hv = tape.constant(xt::zeros<double>({1ul, units}));
        std::vector<Var<double>> hs;
        for (std::size_t t = 0; t < steps; ++t) {
            hv = activate(matmul(select(xv, 1, t), w) + matmul(hv, r) + bb, act);
            hs.push_back(hv);
        }
        tape.backward(sum(hv));
        for (std::size_t t = 0; t < steps; ++t) norms[k][t] = norm(hs[t].grad());
    }
    for (std::size_t t = steps; t-- > 0;)
        if ((t + 1) % 5 == 0 || t == 0)
            std::printf("  %2zu   %.3e     %.3e\n", t + 1, norms[0][t], norms[1][t]);
    std::printf("tanh' = 1 − h² < 1 shrinks the gradient at every step it travels back.\n"
                "relu' is 0 or 1: units that are off cut their paths, the others pass the\n"
                "gradient through W_h (orthogonal here) unchanged, so it fades more slowly.\n");
    for (auto* p : init.parameters()) p->zero_grad();
}

}  // namespace

int main(int argc, char** argv)
{
    Tiny m{{0.5, -1.0, 0.8}, {{0.6, -0.4}}, {{0.3, 0.7}, {-0.5, 0.2}}, {0.1, -0.2}};
    m.x.reshape({1, T, 1});
    const PerStep h = forward_by_hand(m);
    const PerStep delta = backward_by_hand(m, h);
    compare_with_tape(m, weight_gradients(m, h, delta));
    compare_with_trace(m, h, delta);
    if (!write_unrolled_graph(m, argc > 1 ? argv[1] : ".")) return 1;
    vanishing_gradients();
    return 0;
}
