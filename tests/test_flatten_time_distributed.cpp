// Flatten and TimeDistributed: Keras' shapes and semantics, and gradients that pass gradcheck.
#include <catch2/catch.hpp>

#include <memory>

#include "core/gradcheck.hpp"
#include "core/ops.hpp"
#include "core/init.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/flatten.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"

using namespace elman;

TEST_CASE("flatten: [B,T,F] becomes [B,T·F] in row-major order, as Keras' Flatten", "[layers]")
{
    Flatten<double> f;
    Tape<double> tape;
    const Tensor<double> x = uniform<double>({2, 3, 4}, -1.0, 1.0, 1);
    const Var<double> y = f.forward(tape, tape.constant(x));
    REQUIRE(y.shape() == Shape{2, 12});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 3; ++t)
            for (std::size_t k = 0; k < 4; ++k) REQUIRE(y.value()(b, t * 4 + k) == x(b, t, k));
    REQUIRE(f.output_shape({3, 4}) == Shape{12});
    REQUIRE(f.param_count() == 0);
    Mask m = xt::ones<bool>({2, 3});
    REQUIRE_FALSE(f.compute_mask(tape.constant(x), &m).has_value());  // the time axis is gone
    REQUIRE_THROWS_WITH(f.forward(tape, tape.constant(Tensor<double>{1.0, 2.0})), Catch::Contains("flatten: expects input with a batch axis"));
}

TEST_CASE("time_distributed: Dense on every step equals Dense on the 3-D input, with the same weights and formula", "[layers]")
{
    auto inner = std::make_shared<Dense<double>>(DenseOptions{.units = 3, .activation = Activation::tanh, .seed = 2});
    TimeDistributed<double> td(inner);
    td.build({5, 4});
    REQUIRE(td.output_shape({5, 4}) == Shape{5, 3});
    REQUIRE(td.param_count() == 15);
    REQUIRE(td.param_formula() == "4·3 + 3");
    REQUIRE(td.parameters().size() == 2);
    Dense<double> same(DenseOptions{.units = 3, .activation = Activation::tanh});
    same.set_weights(inner->get_weights());
    const Tensor<double> x = uniform<double>({2, 5, 4}, -1.0, 1.0, 3);
    Tape<double> tape;
    const Tensor<double> a = td.forward(tape, tape.constant(x)).value();
    const Tensor<double> b = same.forward(tape, tape.constant(x)).value();
    REQUIRE(a.shape() == Shape{2, 5, 3});
    REQUIRE(bool(a == b));
    REQUIRE_THROWS_WITH(TimeDistributed<double>(nullptr), Catch::Contains("time_distributed: the wrapped layer is null"));
    REQUIRE_THROWS_WITH(td.forward(tape, tape.constant(Tensor<double>(xt::zeros<double>({2, 4})))),
                        Catch::Contains("expects input [batch, timesteps, ...] (rank >= 3), got [2,4]"));
}

TEST_CASE("flatten, time_distributed: gradients through both pass gradcheck (float64)", "[layers][gradcheck]")
{
    Sequential<double> m;
    m.emplace<SimpleRNN<double>>(SimpleRNNOptions{.units = 3, .return_sequences = true, .seed = 4});
    m.emplace<TimeDistributed<double>>(std::make_shared<Dense<double>>(DenseOptions{.units = 2, .activation = Activation::sigmoid, .seed = 5}));
    m.emplace<Flatten<double>>();
    m.emplace<Dense<double>>(DenseOptions{.units = 1, .seed = 6});
    m.build({4, 2});
    const Tensor<double> x = uniform<double>({2, 4, 2}, -1.0, 1.0, 7);
    const auto report = gradcheck([&](Tape<double>& tape, const std::vector<Var<double>>& in) { return sum(square(m.forward(tape, in[0]))); },
                                          {x}, m.parameters());
    INFO(report.str());
    REQUIRE(report.passed);
}
