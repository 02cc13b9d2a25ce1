#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "optim/adam.hpp"
#include "optim/sgd.hpp"

using namespace elman;

namespace {

// A two-element parameter w = [1, −2] and the gradients of three steps.
template <class T>
Parameter<T> make_w()
{
    return Parameter<T>{"w", Tensor<T>{T(1), T(-2)}, {}};
}

const std::vector<std::vector<double>> kGrads = {{0.5, -1.0}, {0.1, 0.3}, {-0.2, 0.4}};

// Runs opt for as many steps as `grads` has, setting p.grad before each step.
template <class T>
void run(Optimizer<T>& opt, Parameter<T>& p, const std::vector<std::vector<double>>& grads)
{
    for (const auto& g : grads) {
        opt.zero_grad();
        for (std::size_t j = 0; j < g.size(); ++j) p.grad(j) = static_cast<T>(g[j]);
        opt.step();
    }
}

template <class T>
double tol()
{
    return sizeof(T) == 4 ? 1e-6 : 1e-14;
}

// torch.optim.Adam on one scalar, written out step by step in double.
double adam_torch_scalar(double w, const std::vector<double>& g, double lr, double b1, double b2,
                         double eps, double wd)
{
    double m = 0, v = 0;
    for (std::size_t t = 1; t <= g.size(); ++t) {
        const double gt = g[t - 1] + wd * w;
        m = b1 * m + (1 - b1) * gt;
        v = b2 * v + (1 - b2) * gt * gt;
        const double m_hat = m / (1 - std::pow(b1, double(t)));
        const double v_hat = v / (1 - std::pow(b2, double(t)));
        w -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
    return w;
}

// Keras' Adam on one scalar: eps added to the uncorrected sqrt(v), bias correction in lr_t.
double adam_keras_scalar(double w, const std::vector<double>& g, double lr, double b1, double b2,
                         double eps)
{
    double m = 0, v = 0;
    for (std::size_t t = 1; t <= g.size(); ++t) {
        m = b1 * m + (1 - b1) * g[t - 1];
        v = b2 * v + (1 - b2) * g[t - 1] * g[t - 1];
        const double lr_t = lr * std::sqrt(1 - std::pow(b2, double(t))) / (1 - std::pow(b1, double(t)));
        w -= lr_t * m / (std::sqrt(v) + eps);
    }
    return w;
}

std::vector<double> column(std::size_t j)
{
    std::vector<double> c;
    for (const auto& g : kGrads) c.push_back(g[j]);
    return c;
}

}  // namespace

TEMPLATE_TEST_CASE("sgd: plain step is w − lr·g", "[optim][sgd]", float, double)
{
    auto w = make_w<TestType>();
    SGD<TestType> opt({&w}, {.lr = TestType(0.1)});
    run<TestType>(opt, w, {kGrads[0], kGrads[1]});
    // w0: 1 − 0.1·0.5 − 0.1·0.1 = 0.94;   w1: −2 + 0.1 − 0.03 = −1.93
    REQUIRE(w.value(0) == Approx(0.94).epsilon(tol<TestType>()));
    REQUIRE(w.value(1) == Approx(-1.93).epsilon(tol<TestType>()));
    REQUIRE(opt.step_count() == 2);
}

TEMPLATE_TEST_CASE("sgd: momentum starts its buffer at the first gradient", "[optim][sgd]", float, double)
{
    auto w = make_w<TestType>();
    SGD<TestType> opt({&w}, {.lr = TestType(0.1), .momentum = TestType(0.9)});
    run<TestType>(opt, w, {kGrads[0], kGrads[1], kGrads[2]});
    // w0: buf 0.5 -> w 0.95;  buf 0.45 + 0.1 = 0.55 -> w 0.895;  buf 0.495 − 0.2 = 0.295 -> w 0.8655
    REQUIRE(w.value(0) == Approx(0.8655).epsilon(tol<TestType>()));
    // w1: buf −1 -> w −1.9;  buf −0.9 + 0.3 = −0.6 -> w −1.84;  buf −0.54 + 0.4 = −0.14 -> w −1.826
    REQUIRE(w.value(1) == Approx(-1.826).epsilon(tol<TestType>()));
}

TEMPLATE_TEST_CASE("sgd: dampening scales the gradient after the first step only", "[optim][sgd]", float, double)
{
    auto w = make_w<TestType>();
    SGD<TestType> opt({&w}, {.lr = TestType(0.1), .momentum = TestType(0.9), .dampening = TestType(0.5)});
    run<TestType>(opt, w, {kGrads[0], kGrads[1]});
    // w0: buf 0.5 -> w 0.95;  buf 0.45 + 0.5·0.1 = 0.5 -> w 0.9
    REQUIRE(w.value(0) == Approx(0.9).epsilon(tol<TestType>()));
}

TEMPLATE_TEST_CASE("sgd: nesterov steps along g + momentum·buf", "[optim][sgd]", float, double)
{
    auto w = make_w<TestType>();
    SGD<TestType> opt({&w}, {.lr = TestType(0.1), .momentum = TestType(0.9), .nesterov = true});
    run<TestType>(opt, w, {kGrads[0], kGrads[1]});
    // w0: buf 0.5, d = 0.5 + 0.45 = 0.95 -> 0.905;  buf 0.55, d = 0.1 + 0.495 = 0.595 -> 0.8455
    REQUIRE(w.value(0) == Approx(0.8455).epsilon(tol<TestType>()));
    // w1: buf −1, d = −1.9 -> −1.81;  buf −0.6, d = 0.3 − 0.54 = −0.24 -> −1.786
    REQUIRE(w.value(1) == Approx(-1.786).epsilon(tol<TestType>()));
}

TEMPLATE_TEST_CASE("sgd: weight decay adds wd·w to the gradient", "[optim][sgd]", float, double)
{
    auto w = make_w<TestType>();
    SGD<TestType> opt({&w}, {.lr = TestType(0.1), .weight_decay = TestType(0.1)});
    run<TestType>(opt, w, {kGrads[0], kGrads[1]});
    // w0: g 0.5 + 0.1 = 0.6 -> 0.94;  g 0.1 + 0.094 = 0.194 -> 0.9206
    REQUIRE(w.value(0) == Approx(0.9206).epsilon(tol<TestType>()));
    // w1: g −1 − 0.2 = −1.2 -> −1.88;  g 0.3 − 0.188 = 0.112 -> −1.8912
    REQUIRE(w.value(1) == Approx(-1.8912).epsilon(tol<TestType>()));
}

TEMPLATE_TEST_CASE("adam: torch formula, bias-corrected with eps outside the sqrt", "[optim][adam]", float, double)
{
    auto w = make_w<TestType>();
    Adam<TestType> opt({&w}, {.lr = TestType(0.1)});
    run<TestType>(opt, w, kGrads);
    REQUIRE(w.value(0) == Approx(adam_torch_scalar(1.0, column(0), 0.1, 0.9, 0.999, 1e-8, 0)).epsilon(10 * tol<TestType>()));
    REQUIRE(w.value(1) == Approx(adam_torch_scalar(-2.0, column(1), 0.1, 0.9, 0.999, 1e-8, 0)).epsilon(10 * tol<TestType>()));
    // The first step moves every weight by lr·|g|/(|g| + eps) against the sign of its gradient.
    auto u = make_w<TestType>();
    Adam<TestType> one({&u}, {.lr = TestType(0.1)});
    run<TestType>(one, u, {kGrads[0]});
    REQUIRE(u.value(0) == Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(tol<TestType>()));
    REQUIRE(u.value(1) == Approx(-2.0 + 0.1 * 1.0 / (1.0 + 1e-8)).epsilon(tol<TestType>()));
}

TEMPLATE_TEST_CASE("adam: weight decay adds wd·w to the gradient", "[optim][adam]", float, double)
{
    auto w = make_w<TestType>();
    Adam<TestType> opt({&w}, {.lr = TestType(0.05), .weight_decay = TestType(0.5)});
    run<TestType>(opt, w, kGrads);
    REQUIRE(w.value(0) == Approx(adam_torch_scalar(1.0, column(0), 0.05, 0.9, 0.999, 1e-8, 0.5)).epsilon(10 * tol<TestType>()));
    REQUIRE(w.value(1) == Approx(adam_torch_scalar(-2.0, column(1), 0.05, 0.9, 0.999, 1e-8, 0.5)).epsilon(10 * tol<TestType>()));
}

TEMPLATE_TEST_CASE("adam: keras variant follows Keras' epsilon-hat formula and differs from torch's", "[optim][adam]", float, double)
{
    // A large eps makes the difference visible: Keras' eps acts like eps/sqrt(1 − β2^t) in
    // torch's formula.
    const AdamOptions<TestType> torch_opts{.lr = TestType(0.1), .eps = TestType(0.1)};
    AdamOptions<TestType> keras_opts = torch_opts;
    keras_opts.keras_epsilon = true;

    auto a = make_w<TestType>();
    auto b = make_w<TestType>();
    Adam<TestType> torch_adam({&a}, torch_opts);
    Adam<TestType> keras_adam({&b}, keras_opts);
    run<TestType>(torch_adam, a, kGrads);
    run<TestType>(keras_adam, b, kGrads);
    for (std::size_t j = 0; j < 2; ++j) {
        const double w0 = j == 0 ? 1.0 : -2.0;
        REQUIRE(a.value(j) == Approx(adam_torch_scalar(w0, column(j), 0.1, 0.9, 0.999, 0.1, 0)).epsilon(10 * tol<TestType>()));
        REQUIRE(b.value(j) == Approx(adam_keras_scalar(w0, column(j), 0.1, 0.9, 0.999, 0.1)).epsilon(10 * tol<TestType>()));
        REQUIRE(std::abs(double(a.value(j)) - double(b.value(j))) > 0.01);
    }
    // First step by hand, w0 = 1, g = 0.5: torch 1 − 0.1·0.5/(0.5 + 0.1);
    // Keras 1 − 0.1·sqrt(0.001)/0.1 · 0.05/(sqrt(0.00025) + 0.1)
    auto c = make_w<TestType>();
    auto d = make_w<TestType>();
    Adam<TestType> t1({&c}, torch_opts);
    Adam<TestType> k1({&d}, keras_opts);
    run<TestType>(t1, c, {kGrads[0]});
    run<TestType>(k1, d, {kGrads[0]});
    REQUIRE(c.value(0) == Approx(1.0 - 0.05 / 0.6).epsilon(tol<TestType>()));
    REQUIRE(d.value(0) == Approx(1.0 - std::sqrt(0.001) * 0.05 / (std::sqrt(0.00025) + 0.1)).epsilon(tol<TestType>()));
}

TEST_CASE("adam: keras() gives Keras' defaults", "[optim][adam]")
{
    const auto k = AdamOptions<float>::keras();
    REQUIRE(k.lr == 0.001f);
    REQUIRE(k.eps == 1e-7f);
    REQUIRE(k.keras_epsilon);
    REQUIRE(k.beta1 == 0.9f);
    REQUIRE(k.beta2 == 0.999f);
    const AdamOptions<float> t;
    REQUIRE(t.eps == 1e-8f);
    REQUIRE_FALSE(t.keras_epsilon);
    // Keras' Adam(learning_rate=0.01): the rate is an argument, the rest stays Keras'
    const auto k2 = AdamOptions<float>::keras(0.01f);
    REQUIRE(k2.lr == 0.01f);
    REQUIRE(k2.eps == 1e-7f);
    REQUIRE(k2.keras_epsilon);
}

TEST_CASE("optim: a parameter whose gradient was never touched is skipped", "[optim]")
{
    auto w = make_w<double>();
    Parameter<double> frozen{"frozen", Tensor<double>{5.0}, {}};
    Adam<double> opt({&w, &frozen}, {.lr = 0.1});
    w.grad = Tensor<double>{0.5, -1.0};  // frozen.grad stays empty
    opt.step();
    REQUIRE(frozen.value(0) == 5.0);
    REQUIRE(w.value(0) == Approx(0.9));
    // Its Adam step count did not advance: its first real step is bias-corrected as t = 1.
    opt.zero_grad();
    frozen.grad(0) = 2.0;
    opt.step();
    REQUIRE(frozen.value(0) == Approx(4.9));
    const auto state = opt.state();
    for (const auto& [k, v] : state) {
        if (k == "param0.step") REQUIRE(v() == 2.0);
        if (k == "param1.step") REQUIRE(v() == 1.0);
        if (k == "step") REQUIRE(v() == 2.0);
    }
}

TEST_CASE("optim: zero_grad zeroes every gradient and allocates missing ones", "[optim]")
{
    auto w = make_w<float>();
    Parameter<float> b{"b", Tensor<float>{0.0f, 0.0f, 0.0f}, {}};
    w.grad = Tensor<float>{3.0f, 4.0f};
    SGD<float> opt({&w, &b});
    opt.zero_grad();
    REQUIRE((w.grad == Tensor<float>{0.0f, 0.0f}));
    REQUIRE(b.grad.shape() == b.value.shape());
    REQUIRE(opt.params().size() == 2);
    REQUIRE(opt.params()[1] == &b);
}

TEST_CASE("optim: set_lr changes the next step", "[optim]")
{
    auto w = make_w<double>();
    SGD<double> opt({&w}, {.lr = 0.1});
    REQUIRE(opt.lr() == 0.1);
    opt.set_lr(0.5);
    REQUIRE(opt.lr() == 0.5);
    run<double>(opt, w, {kGrads[0]});
    REQUIRE(w.value(0) == Approx(0.75));
    REQUIRE_THROWS_WITH(opt.set_lr(0.0), Catch::Contains("lr"));
}

TEMPLATE_TEST_CASE("optim: state round trip continues the same trajectory", "[optim][state]", float, double)
{
    auto check = [](auto make) {
        auto a = make_w<TestType>();
        auto opt_a = make(a);
        run<TestType>(*opt_a, a, {kGrads[0], kGrads[1]});
        // A second optimizer on a copy of the weights, fed the first one's state.
        Parameter<TestType> b{"w", a.value, {}};
        auto opt_b = make(b);
        opt_b->load_state(opt_a->state());
        REQUIRE(opt_b->step_count() == 2);
        run<TestType>(*opt_a, a, {kGrads[2]});
        run<TestType>(*opt_b, b, {kGrads[2]});
        REQUIRE((a.value == b.value));
        // Without the state the trajectory differs (fresh momentum / moments).
        Parameter<TestType> c{"w", a.value, {}};
        auto opt_c = make(c);
        run<TestType>(*opt_c, c, {kGrads[2]});
        run<TestType>(*opt_a, a, {kGrads[2]});
        REQUIRE((a.value != c.value));
    };
    check([](Parameter<TestType>& p) {
        return std::make_unique<SGD<TestType>>(std::vector<Parameter<TestType>*>{&p},
                                               SGDOptions<TestType>{.lr = TestType(0.1), .momentum = TestType(0.9)});
    });
    check([](Parameter<TestType>& p) {
        return std::make_unique<Adam<TestType>>(std::vector<Parameter<TestType>*>{&p},
                                                AdamOptions<TestType>{.lr = TestType(0.1)});
    });
}

TEST_CASE("optim: load_state restores the learning rate", "[optim][state]")
{
    auto w = make_w<double>();
    SGD<double> a({&w}, {.lr = 0.1});
    a.set_lr(0.025);
    SGD<double> b({&w}, {.lr = 0.1});
    b.load_state(a.state());
    REQUIRE(b.lr() == 0.025);
}

TEST_CASE("optim: state has torch's names", "[optim][state]")
{
    auto w = make_w<float>();
    Adam<float> adam({&w});
    std::vector<std::string> names;
    for (const auto& [k, v] : adam.state()) names.push_back(k);
    REQUIRE(names == std::vector<std::string>{"step", "lr", "param0.step", "param0.exp_avg", "param0.exp_avg_sq"});
    SGD<float> sgd({&w}, {.lr = 0.1f, .momentum = 0.9f});
    REQUIRE(sgd.state().size() == 2);  // no momentum buffer before the first step
    run<float>(sgd, w, {kGrads[0]});
    REQUIRE(sgd.state().size() == 3);
    REQUIRE(sgd.state()[2].first == "param0.momentum_buffer");
    REQUIRE((sgd.state()[2].second == Tensor<float>{0.5f, -1.0f}));
    REQUIRE(sgd.state()[1].second() == 0.1f);
}

TEST_CASE("optim: load_state checks names and shapes and changes nothing on error", "[optim][state][errors]")
{
    auto w = make_w<double>();
    Adam<double> opt({&w}, {.lr = 0.1});
    run<double>(opt, w, {kGrads[0]});
    const auto good = opt.state();

    auto bad_shape = good;
    REQUIRE(bad_shape[3].first == "param0.exp_avg");
    bad_shape[3].second = Tensor<double>{1.0, 2.0, 3.0};
    REQUIRE_THROWS_WITH(opt.load_state(bad_shape),
                        Catch::Contains("Adam.load_state") && Catch::Contains("param0.exp_avg") &&
                            Catch::Contains("[3]") && Catch::Contains("[2]") && Catch::Contains("(w)"));

    auto extra = good;
    extra.emplace_back("param1.exp_avg", Tensor<double>{1.0});
    REQUIRE_THROWS_WITH(opt.load_state(extra), Catch::Contains("unknown state entry 'param1.exp_avg'"));

    auto missing = good;
    missing.pop_back();
    REQUIRE_THROWS_WITH(opt.load_state(missing), Catch::Contains("'param0.exp_avg_sq' is missing"));

    auto bad_step = good;
    bad_step[0].second = scalar_tensor(-1.0);
    REQUIRE_THROWS_WITH(opt.load_state(bad_step), Catch::Contains("'step'"));

    auto bad_lr = good;
    bad_lr[1].second = scalar_tensor(0.0);
    REQUIRE_THROWS_WITH(opt.load_state(bad_lr), Catch::Contains("lr"));

    // A zeroed-out state whose last entry is wrong: nothing of it may have been applied.
    auto partial = good;
    for (auto& [k, v] : partial)
        if (k != "lr") v.fill(0.0);
    partial.back().second = Tensor<double>{1.0};
    REQUIRE_THROWS_AS(opt.load_state(partial), Error);
    const auto after = opt.state();
    for (std::size_t i = 0; i < good.size(); ++i) REQUIRE((after[i].second == good[i].second));

    SGD<double> sgd({&w}, {.lr = 0.1, .momentum = 0.9});
    REQUIRE_THROWS_WITH(sgd.load_state(good), Catch::Contains("SGD.load_state") && Catch::Contains("unknown"));
}

TEST_CASE("optim: invalid options name the option and the value", "[optim][errors]")
{
    auto w = make_w<float>();
    std::vector<Parameter<float>*> ps{&w};
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.lr = 0.0f}), Catch::Contains("SGD") && Catch::Contains("lr") && Catch::Contains("0.0"));
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.lr = -0.1f}), Catch::Contains("lr") && Catch::Contains("-0.1"));
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.momentum = -0.5f}), Catch::Contains("momentum") && Catch::Contains("-0.5"));
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.nesterov = true}), Catch::Contains("nesterov") && Catch::Contains("momentum"));
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.momentum = 0.9f, .dampening = 0.1f, .nesterov = true}),
                        Catch::Contains("nesterov") && Catch::Contains("dampening"));
    REQUIRE_THROWS_WITH(SGD<float>(ps, {.weight_decay = -1.0f}), Catch::Contains("weight_decay"));
    REQUIRE_THROWS_WITH(Adam<float>(ps, {.lr = 0.0f}), Catch::Contains("Adam") && Catch::Contains("lr"));
    REQUIRE_THROWS_WITH(Adam<float>(ps, {.beta1 = 1.0f}), Catch::Contains("beta1") && Catch::Contains("1.0"));
    REQUIRE_THROWS_WITH(Adam<float>(ps, {.beta2 = -0.1f}), Catch::Contains("beta2") && Catch::Contains("-0.1"));
    REQUIRE_THROWS_WITH(Adam<float>(ps, {.eps = 0.0f}), Catch::Contains("eps"));
    REQUIRE_THROWS_WITH(Adam<float>(ps, {.lr = std::nanf("")}), Catch::Contains("lr"));
    REQUIRE_THROWS_WITH(SGD<float>({&w, &w}), Catch::Contains("twice"));
    REQUIRE_THROWS_WITH(SGD<float>({nullptr}), Catch::Contains("null"));
    REQUIRE_NOTHROW(Adam<float>(ps, {.beta1 = 0.0f}));
}
