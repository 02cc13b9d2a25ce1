#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "check.hpp"

using namespace elman;
using elman::test::randn;

TEST_CASE("tape: fan-out accumulates both contributions (c = a*a + a)", "[tape]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{1.5, -2.0, 3.0}, "a");
    auto c = sum(a * a + a);
    tape.backward(c);
    // dc/da = 2a + 1
    REQUIRE(a.grad() == Tensor<double>{4.0, -3.0, 7.0});
}

TEST_CASE("tape: no_grad records nothing for backward", "[tape]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{1.0, 2.0});
    const auto before = tape.recorded();
    Var<double> y;
    {
        NoGrad guard;
        REQUIRE_FALSE(grad_enabled());
        y = tanh(x * x);
    }
    REQUIRE(grad_enabled());
    REQUIRE(tape.recorded() == before);
    REQUIRE_FALSE(y.requires_grad());
    REQUIRE(y.value()(1) == Approx(std::tanh(4.0)));
    REQUIRE_THROWS_WITH(tape.backward(sum(y)), Catch::Contains("does not depend"));
}

TEST_CASE("tape: detach stops the gradient", "[tape]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{2.0});
    auto y = x * detach(x);  // d/dx (x · const) = const = 2, not 2x = 4
    tape.backward(sum(y));
    REQUIRE(x.grad()(0) == 2.0);
}

TEST_CASE("tape: parameter gradients persist across tapes until zeroed", "[tape]")
{
    Parameter<double> w{"w", Tensor<double>{3.0}, {}};
    for (int step = 0; step < 2; ++step) {
        Tape<double> tape;
        auto x = tape.constant(Tensor<double>{2.0});
        tape.backward(sum(tape.param(w) * x));
    }
    REQUIRE(w.grad(0) == 4.0);  // 2 + 2
    w.zero_grad();
    REQUIRE(w.grad(0) == 0.0);
}

TEST_CASE("tape: backward from a non-scalar without a seed names the op", "[tape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 3}, 1));
    auto y = tanh(x);
    REQUIRE_THROWS_WITH(tape.backward(y), Catch::Contains("backward") && Catch::Contains("[2,3]"));
    Tensor<double> seed = xt::ones<double>({2, 3});
    tape.backward(y, seed);
    REQUIRE(x.grad().shape() == y.value().shape());
}

TEST_CASE("tape: backward twice is an error", "[tape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{1.0});
    auto y = sum(x * x);
    tape.backward(y);
    REQUIRE_THROWS_WITH(tape.backward(y), Catch::Contains("backward: called twice"));
}

TEST_CASE("tape: a Var used after its tape is destroyed throws", "[tape][errors]")
{
    Var<double> v;
    {
        Tape<double> tape;
        v = tape.variable(Tensor<double>{1.0});
    }
    REQUIRE_THROWS_WITH(tanh(v), Catch::Contains("tanh") && Catch::Contains("tape was destroyed"));
    REQUIRE_THROWS_WITH(v.value(), Catch::Contains("tape was destroyed"));
    Var<double> empty;
    REQUIRE_THROWS_WITH(exp(empty), Catch::Contains("exp") && Catch::Contains("empty"));
}

TEST_CASE("tape: a value stays where it is while many more nodes are recorded", "[tape]")
{
    // Nodes are stored in chunks (core/node_list.hpp): appending must never move one.
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{0.5, -1.0});
    const Tensor<double>* first = &x.value();
    std::vector<Var<double>> chain{x};
    for (int i = 0; i < 200; ++i) chain.push_back(chain.back() * 0.5 + 1.0);
    REQUIRE(&x.value() == first);
    REQUIRE(tape.size() >= 401);  // 25 chunks of 16 nodes, at least
    REQUIRE(chain.back().value()(0) == Approx(2.0).epsilon(1e-12));
    tape.backward(sum(chain.back()));
    REQUIRE(x.grad()(1) == Approx(std::pow(0.5, 200)).epsilon(1e-12));
}

TEST_CASE("tape: under NoGrad an op keeps no backward function", "[tape]")
{
    // record() builds the std::function only when a gradient can flow: what the backward
    // lambda owns is released as soon as the op returns.
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{1.0, 2.0});
    auto owned = std::make_shared<int>(1);
    const auto op = [&](const char* name) {
        return record<double>(name, Tensor<double>(x.value()), {x},
                              [owned](BackwardContext<double>& c) { c.add_grad(0, c.grad()); });
    };
    {
        NoGrad guard;
        const auto y = op("copy");
        REQUIRE(owned.use_count() == 1);
        REQUIRE_FALSE(y.requires_grad());
    }
    const auto z = op("copy");
    REQUIRE(owned.use_count() == 2);  // kept by the node, for backward
    tape.backward(sum(z));
    REQUIRE(x.grad() == Tensor<double>{1.0, 1.0});
}

TEST_CASE("tape: a backward function that cannot be stored leaves the tape as it was",
          "[tape][errors]")
{
    struct ThrowOnCopy {
        const bool* armed;
        explicit ThrowOnCopy(const bool* a) : armed(a) {}
        ThrowOnCopy(const ThrowOnCopy& o) : armed(o.armed)
        {
            if (*armed) throw std::runtime_error("copy failed");
        }
    };
    Tape<double> tape;
    auto x = tape.variable(Tensor<double>{1.0, 2.0});
    bool armed = false;
    const ThrowOnCopy t{&armed};
    const auto backward = [t](BackwardContext<double>& c) { c.add_grad(0, c.grad()); };
    armed = true;  // record() copies the lambda into the node's std::function: that copy throws
    REQUIRE_THROWS_WITH(record<double>("boom", Tensor<double>(x.value()), {x}, backward),
                        Catch::Contains("copy failed"));
    REQUIRE(tape.size() == 1);
    REQUIRE(tape.recorded() == 0);
    tape.backward(sum(x * 2.0));  // the tape still works
    REQUIRE(x.grad() == Tensor<double>{2.0, 2.0});
}

TEST_CASE("tape: a moved-from Var is empty, not one whose tape is gone", "[tape][errors]")
{
    Tape<double> tape;
    auto a = tape.variable(Tensor<double>{1.0});
    auto b = std::move(a);
    REQUIRE(b.value()(0) == 1.0);
    REQUIRE_THROWS_WITH(a.value(), Catch::Contains("empty"));
    Var<double> c;
    c = std::move(b);
    REQUIRE_THROWS_WITH(b.item(), Catch::Contains("item") && Catch::Contains("empty"));
    REQUIRE(c.item() == 1.0);
}

TEST_CASE("tape: mixing Vars of two tapes names the op", "[tape][errors]")
{
    Tape<double> t1, t2;
    auto a = t1.variable(Tensor<double>{1.0});
    auto b = t2.variable(Tensor<double>{1.0});
    REQUIRE_THROWS_WITH(a + b, Catch::Contains("add") && Catch::Contains("different tapes"));
}

TEST_CASE("tape: prints one line per node with op, parents and shape", "[tape]")
{
    Tape<double> tape;
    Parameter<double> w{"kernel", randn({3, 4}, 2), {}};
    auto x = tape.variable(randn({2, 3}, 3), "x");
    auto y = tanh(matmul(x, tape.param(w)));
    (void)y;
    const std::string s = tape.str();
    REQUIRE(s ==
            "%0 = input x                     [2,3]\n"
            "%1 = param kernel                [3,4]\n"
            "%2 = matmul(%0, %1)              [2,4]\n"
            "%3 = tanh(%2)                    [2,4]\n");
}

TEST_CASE("tape: item() of a multi-element Var names the shape", "[tape][errors]")
{
    Tape<double> tape;
    auto x = tape.variable(randn({2, 2}, 4));
    REQUIRE_THROWS_WITH(x.item(), Catch::Contains("item") && Catch::Contains("[2,2]"));
}
