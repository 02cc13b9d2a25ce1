// The recurrent layers by cell name (layers/cells.hpp): what the forecasting pipeline and the
// benchmark build from their --cell option.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "check.hpp"
#include "layers/cells.hpp"
#include "layers/dense.hpp"
#include "layers/lstm.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

TEST_CASE("cells: each name builds its layer with Keras' defaults and the common options", "[cells]")
{
    REQUIRE(cell_names().front() == "simple");
    const RecurrentOptions o{.units = 5, .return_sequences = true, .seed = 3, .dropout = 0.1,
                             .recurrent_dropout = 0.2, .fused = false};
    const auto simple = make_recurrent_layer<float>("simple", o);
    const auto* rnn = dynamic_cast<const SimpleRNN<float>*>(simple.get());
    REQUIRE(rnn != nullptr);
    REQUIRE(rnn->options().units == 5);
    REQUIRE(rnn->options().activation == Activation::tanh);
    REQUIRE(rnn->options().recurrent_dropout == 0.2);
    REQUIRE_FALSE(rnn->options().fused);

    const auto lstm_layer = make_recurrent_layer<double>("lstm", o);
    const auto* lstm = dynamic_cast<const LSTM<double>*>(lstm_layer.get());
    REQUIRE(lstm != nullptr);
    REQUIRE(lstm->state_count() == 2);
    REQUIRE(lstm->return_sequences());
    REQUIRE(lstm->seed() == 3);
    REQUIRE(lstm->options().unit_forget_bias);
    REQUIRE(lstm->options().recurrent_activation == Activation::sigmoid);
    REQUIRE(lstm->options().dropout == 0.1);
}

TEST_CASE("cells: the pipeline's model with an LSTM in place of the SimpleRNN", "[cells]")
{
    // SimpleRNN(units) -> Dense(1) as tools/forecast.cpp builds it, with the cell by name
    for (const std::string& cell : cell_names()) {
        INFO(cell);
        Sequential<float> model;
        model.add(make_recurrent_layer<float>(cell, {.units = 4, .seed = 7}));
        model.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 8});
        model.build({12, 1});
        // SimpleRNN U·(F+U+1), LSTM 4·U·(F+U+1), GRU (reset_after) 3·U·(F+U+2); Dense 4 + 1
        const std::size_t rnn = cell == "lstm" ? 4 * 4 * (1 + 4 + 1) : cell == "gru" ? 3 * 4 * (1 + 4 + 2) : 4 * (1 + 4 + 1);
        REQUIRE(model.param_count() == rnn + 4 + 1);
        Tape<float> tape;
        REQUIRE(model.forward(tape, tape.constant(Tensor<float>(xt::ones<float>({3, 12, 1}))))
                    .shape() == Shape{3, 1});
    }
}

TEST_CASE("cells: an unknown cell name is an error listing the known ones", "[cells]")
{
    REQUIRE_NOTHROW(check_cell("lstm"));
    REQUIRE_THROWS_WITH(check_cell("elman"),
                        Catch::Contains("unknown cell \"elman\"") && Catch::Contains("simple") &&
                            Catch::Contains("lstm"));
    REQUIRE_THROWS_WITH(make_recurrent_layer<float>("LSTM", {.units = 2}),
                        Catch::Contains("unknown cell \"LSTM\""));
    REQUIRE_THROWS_WITH(make_recurrent_layer<float>("lstm", {.units = 0}),
                        Catch::Contains("lstm: units must be positive"));
}
