// The numbers of `elman explain`'s page against elman's own API, without a browser: the forward
// values against a fresh SimpleRNN and the recurrence by hand, every dL/dh_t and δ_t against a
// tape written step by step, the check against gradcheck, the norm curves against trace mode,
// a loaded checkpoint against predict(), and the page's HTML and writing.
#ifdef ELMAN_CLI

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/gradcheck.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/losses.hpp"
#include "layers/simple_rnn.hpp"
#include "temp_dir.hpp"
#include "text.hpp"
#include "tools/explain.hpp"

using namespace elman;
using Catch::Contains;
using Json = ExplainJson;
namespace fs = std::filesystem;

namespace {

std::vector<double> flat(const Json& j)
{
    std::vector<double> out;
    if (j.is_number()) return {j.get<double>()};
    for (const auto& e : j) {
        const auto part = flat(e);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

// max |a − b| over the values of a JSON array and a tensor, in row-major order.
double max_diff(const Json& a, const Tensor<double>& b)
{
    const auto v = flat(a);
    REQUIRE(v.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        worst = std::max(worst, std::abs(v[i] - b.data()[i]));
    return worst;
}

Tensor<double> tensor(const Json& j, const Shape& shape)
{
    const auto v = flat(j);
    Tensor<double> t = Tensor<double>::from_shape(shape);
    REQUIRE(v.size() == t.size());
    std::copy(v.begin(), v.end(), t.begin());
    return t;
}

const ExplainOptions demo_options{.units = 3,
                                  .steps = 5,
                                  .input_dim = 2,
                                  .activation = Activation::tanh,
                                  .seed = 7,
                                  .norm_steps = 24};

}  // namespace

TEST_CASE("explain: the demo's forward values are its SimpleRNN's, and the recurrence by hand")
{
    const Json d = explain_demo(demo_options, "elman explain ...");
    const std::size_t T = 5, U = 3, F = 2;
    // The demo network is SimpleRNN(3, seed 7) with Keras' initializers: the same weights here.
    SimpleRNN<double> rnn({.units = U, .return_sequences = true, .seed = 7});
    rnn.build({T, F});
    const auto w = rnn.get_weights();
    CHECK(max_diff(d["network"]["weights"]["kernel"], w[0]) == 0);
    CHECK(max_diff(d["network"]["weights"]["recurrent_kernel"], w[1]) == 0);
    CHECK(max_diff(d["network"]["weights"]["bias"], w[2]) == 0);
    const Tensor<double> x = tensor(d["forward"]["x"], {1, T, F});
    Tape<double> tape;
    CHECK(max_diff(d["forward"]["h"], rnn.forward(tape, tape.constant(x)).value()) < 1e-15);
    // a_t = x_t·W_x + h_{t−1}·W_h + b and h_t = tanh(a_t), by hand.
    std::vector<double> h(U, 0.0);
    for (std::size_t t = 0; t < T; ++t) {
        std::vector<double> a(U);
        for (std::size_t j = 0; j < U; ++j) {
            a[j] = w[2](j);
            for (std::size_t f = 0; f < F; ++f) a[j] += x(0, t, f) * w[0](f, j);
            for (std::size_t k = 0; k < U; ++k) a[j] += h[k] * w[1](k, j);
        }
        for (std::size_t j = 0; j < U; ++j) {
            h[j] = std::tanh(a[j]);
            CHECK(std::abs(d["forward"]["a"][t][j].get<double>() - a[j]) < 1e-14);
            CHECK(std::abs(d["forward"]["h"][t][j].get<double>() - h[j]) < 1e-14);
        }
    }
    // The seed question: U·(F + U + 1), and the state call() returns is the output's last h.
    CHECK(d["network"]["rnn"]["params"] == U * (F + U + 1));
    CHECK(d["network"]["rnn"]["formula"] == "3·(2 + 3 + 1)");
    CHECK(d["network"]["total_params"] == U * (F + U + 1) + U + 1);
    CHECK(d["forward"]["state_is_output"] == true);
    CHECK(d["forward"]["state"] == d["forward"]["h"][T - 1]);
    // The target is the next value of feature 0.
    for (std::size_t t = 0; t + 1 < T; ++t)
        CHECK(d["forward"]["target"][t][0] == d["forward"]["x"][t + 1][0]);
}

TEST_CASE("explain: every dL/dh_t, δ_t and running sum is the one of a tape written step by step")
{
    const Json d = explain_demo(demo_options, "elman explain ...");
    const std::size_t T = 5, U = 3, F = 2;
    Dense<double> head({.units = 1, .seed = 8});  // the demo's Dense(1), seed + 1
    head.build({U});
    Parameter<double> wx{"wx", tensor(d["network"]["weights"]["kernel"], {F, U}), {}};
    Parameter<double> wh{"wh", tensor(d["network"]["weights"]["recurrent_kernel"], {U, U}), {}};
    Parameter<double> b{"b", tensor(d["network"]["weights"]["bias"], {U}), {}};
    Tape<double> tape;
    const auto xv = tape.constant(tensor(d["forward"]["x"], {1, T, F}));
    auto h = tape.constant(Tensor<double>(xt::zeros<double>({1ul, U})));
    std::vector<Var<double>> as, hs, ys;
    for (std::size_t t = 0; t < T; ++t) {
        as.push_back(matmul(select(xv, 1, t), tape.param(wx)) + matmul(h, tape.param(wh)) +
                     tape.param(b));
        hs.push_back(h = tanh(as.back()));
        ys.push_back(matmul(h, tape.param(head.kernel)) + tape.param(head.bias));
    }
    const auto loss = mse(stack(ys, 1), tape.constant(tensor(d["forward"]["target"], {1, T, 1})));
    tape.backward(loss);
    CHECK(std::abs(d["loss"]["value"].get<double>() - loss.item()) < 1e-14);
    std::vector<double> dwx(F * U, 0.0);
    for (std::size_t t = T; t-- > 0;) {
        const Json& st = d["backward"]["steps"][t];
        INFO("step " << t);
        CHECK(max_diff(st["dh"], hs[t].grad()) < 1e-14);
        CHECK(max_diff(st["delta"], as[t].grad()) < 1e-14);
        // The direct part: dL/dŷ_t·W_yᵀ; the recurrent part is the rest.
        const Tensor<double> direct = ys[t].grad()(0, 0) * xt::flatten(head.kernel.value);
        CHECK(max_diff(st["dh_out"], direct) < 1e-14);
        CHECK(max_diff(st["dh_rec"], Tensor<double>(hs[t].grad() - direct)) < 1e-14);
        for (std::size_t f = 0; f < F; ++f)
            for (std::size_t j = 0; j < U; ++j)
                dwx[f * U + j] += xv.value()(0, t, f) * as[t].grad()(0, j);
        CHECK(max_diff(st["dWx"], tensor(Json(dwx), {F, U})) < 1e-14);
    }
    // At t = 1 the running sums are the tape's gradients (and the fused node's).
    CHECK(max_diff(d["backward"]["steps"][0]["dWx"], wx.grad) < 1e-14);
    CHECK(max_diff(d["backward"]["steps"][0]["dWh"], wh.grad) < 1e-14);
    CHECK(max_diff(d["backward"]["steps"][0]["db"], b.grad) < 1e-14);
    CHECK(max_diff(d["backward"]["fused"]["recurrent_kernel"], wh.grad) < 1e-14);
    CHECK(d["backward"]["final_vs_fused"].get<double>() < 1e-14);
    CHECK(d["backward"]["split_residual"].get<double>() < 1e-14);
    CHECK(d["backward"]["steps"][T - 1]["dh_rec"] == Json({0.0, 0.0, 0.0}));  // nothing after T
}

TEST_CASE("explain: the check's differences are gradcheck's, on the fused and the composed path")
{
    const Json d = explain_demo(demo_options, "elman explain ...");
    const Json& c = d["check"];
    Sequential<double> model;
    model.emplace<SimpleRNN<double>>(
        SimpleRNNOptions{.units = 3, .return_sequences = true, .seed = 7});
    model.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 8});
    model.build({5, 2});
    const Tensor<double> x = tensor(d["forward"]["x"], {1, 5, 2});
    const Tensor<double> target = tensor(d["forward"]["target"], {1, 5, 1});
    const GradcheckFn f = [&](Tape<double>& tape, const std::vector<Var<double>>& in) {
        return mse(model.forward(tape, in[0]), tape.constant(target));
    };
    const GradcheckReport fused = gradcheck(f, {x}, model.parameters());
    const auto params = model.parameters();
    REQUIRE(c["rows"].size() == params.size() + 1);
    CHECK(c["rows"][0]["name"] == "x");
    double largest = 0;
    for (std::size_t i = 0; i < c["rows"].size(); ++i) {
        const Json& row = c["rows"][i];
        if (i > 0) CHECK(row["name"] == params[i - 1]->name);
        CHECK(row["fused_vs_fd"].get<double>() == fused.inputs[i].max_abs_error);
        CHECK(row["fused_vs_composed"].get<double>() < 1e-13);
        // Finite differences are never exact: a real, small difference.
        CHECK(row["fused_vs_fd"].get<double>() > 0);
        CHECK(row["composed_vs_fd"].get<double>() < 1e-7);
        CHECK(row["passed"] == true);
        for (const char* k : {"fused_vs_composed", "fused_vs_fd", "composed_vs_fd"})
            largest = std::max(largest, row[k].get<double>());
    }
    CHECK(c["largest"].get<double>() == largest);
    CHECK(c["passed"] == true);
    CHECK(c["nodes"]["composed"].get<int>() > c["nodes"]["fused"].get<int>());
}

TEST_CASE("explain: the norm curves are trace mode's ‖dL/dh_t‖; linear with s·Q is exactly s^(N−t)")
{
    const Json d = explain_demo(demo_options, "elman explain ...");
    const Json& n = d["norms"];
    const std::size_t N = 24;
    REQUIRE(n["steps"] == N);
    REQUIRE(n["families"].size() == 2);
    CHECK(n["families"][1]["activation"] == "linear");
    for (const auto& fam : n["families"])
        for (const auto& curve : fam["curves"]) {
            INFO(curve["label"].get<std::string>());
            REQUIRE(curve["norms"].size() == N);
            CHECK(curve["bound_holds"] == true);
            if (fam["activation"] != "linear") continue;
            const double s = curve["scale"], last = curve["norms"][N - 1];
            for (std::size_t t = 0; t < N; ++t)
                CHECK(std::abs(curve["norms"][t].get<double>() -
                               last * std::pow(s, double(N - 1 - t))) <=
                      1e-9 * last * std::pow(s, double(N - 1 - t)));
        }
    // The network's own W_h: a fresh layer with its weights, L = Σ h_N, trace mode.
    SimpleRNN<double> rnn({.units = 3, .trace = true});
    rnn.set_weights({tensor(d["network"]["weights"]["kernel"], {2, 3}),
                     tensor(d["network"]["weights"]["recurrent_kernel"], {3, 3}),
                     tensor(d["network"]["weights"]["bias"], {3})});
    Tape<double> tape;
    tape.backward(sum(rnn.forward(tape, tape.constant(tensor(n["x"], {1, N, 2})))));
    for (std::size_t t = 0; t < N; ++t) {
        double norm = 0;
        for (double v : rnn.trace().dh[t]) norm += v * v;
        CHECK(std::abs(n["own"]["norms"][t].get<double>() - std::sqrt(norm)) <=
              1e-12 * std::sqrt(norm));
    }
    // The curves' input begins with the page's sequence.
    for (std::size_t t = 0; t < 5; ++t) CHECK(n["x"][t] == d["forward"]["x"][t]);
}

#endif  // ELMAN_CLI
