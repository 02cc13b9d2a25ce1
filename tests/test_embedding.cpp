#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "check.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/sequential.hpp"
#include "layers/targets.hpp"

using namespace elman;
using Catch::Contains;
using elman::test::randn;
using elman::test::require_gradcheck;

TEST_CASE("embedding: each id picks its row of the table, the output adds an axis of output_dim",
          "[embedding]")
{
    Embedding<double> emb({.input_dim = 5, .output_dim = 3});
    const Tensor<double> table = randn({5, 3}, 1);
    emb.set_weights({table});
    Tape<double> tape;
    const Tensor<double> ids = {{4, 0, 2}, {2, 2, 1}};
    const Tensor<double> y = emb.forward(tape, tape.constant(ids)).value();
    REQUIRE(y.shape() == Shape{2, 3, 3});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 3; ++t)
            for (std::size_t j = 0; j < 3; ++j)
                REQUIRE(y(b, t, j) == table(static_cast<std::size_t>(ids(b, t)), j));
    REQUIRE(emb.forward(tape, tape.constant(Tensor<double>{3, 1})).shape() == Shape{2, 3});
}

TEST_CASE("embedding: the gradient of a repeated id is the sum over its positions (scatter-add)",
          "[embedding][gradcheck]")
{
    Embedding<double> emb({.input_dim = 4, .output_dim = 2, .seed = 3});
    const Tensor<double> ids = {{1, 1, 3}, {1, 0, 1}};  // id 1 four times, id 2 never
    Tape<double> tape;
    auto y = emb.forward(tape, tape.constant(ids));
    const Tensor<double> seed = randn({2, 3, 2}, 4);
    tape.backward(y, seed);
    const Tensor<double>& g = emb.embeddings.grad;
    for (std::size_t j = 0; j < 2; ++j) {
        REQUIRE(g(1, j) == Approx(seed(0, 0, j) + seed(0, 1, j) + seed(1, 0, j) + seed(1, 2, j)).epsilon(1e-15));
        REQUIRE(g(0, j) == seed(1, 1, j));
        REQUIRE(g(3, j) == seed(0, 2, j));
        REQUIRE(g(2, j) == 0.0);
    }
    require_gradcheck(
        [&](Tape<double>& t, const auto&) { return sum(square(emb.forward(t, t.constant(ids)))); },
        {}, emb.parameters());
}

TEST_CASE("embedding: a lookup equals Dense(use_bias = false) on one-hot inputs", "[embedding]")
{
    Embedding<float> emb({.input_dim = 6, .output_dim = 4, .seed = 9});
    emb.build({});
    Dense<float> dense({.units = 4, .use_bias = false});
    dense.set_weights({emb.embeddings.value});
    const Tensor<float> ids = {{5, 0}, {3, 3}};
    Tensor<float> onehot = xt::zeros<float>({2, 2, 6});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 2; ++t) onehot(b, t, static_cast<std::size_t>(ids(b, t))) = 1.0f;
    Tape<float> tape;
    REQUIRE((emb.forward(tape, tape.constant(ids)).value() ==
             dense.forward(tape, tape.constant(onehot)).value()));
}

TEST_CASE("embedding: Keras' uniform(-0.05, 0.05) initializer, seeded", "[embedding]")
{
    Embedding<float> a({.input_dim = 50, .output_dim = 8, .seed = 1});
    Embedding<float> b({.input_dim = 50, .output_dim = 8, .seed = 1});
    Embedding<float> c({.input_dim = 50, .output_dim = 8, .seed = 2});
    for (auto* e : {&a, &b, &c}) e->build({7});
    REQUIRE(a.embeddings.value.shape() == Shape{50, 8});
    float lo = 1, hi = -1;
    for (float v : a.embeddings.value) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    REQUIRE(lo >= -0.05f);
    REQUIRE(hi <= 0.05f);
    REQUIRE(hi - lo > 0.09f);  // spread over the range, not a constant
    REQUIRE((a.embeddings.value == b.embeddings.value));
    REQUIRE((a.embeddings.value != c.embeddings.value));
    REQUIRE(a.embeddings.name == "embedding/embeddings");
    Embedding<float> z({.input_dim = 3, .output_dim = 2, .embeddings_initializer = "zeros"});
    z.build({});
    for (float v : z.embeddings.value) REQUIRE(v == 0.0f);
}

TEST_CASE("embedding: mask_zero makes the mask x != 0, and Sequential passes it on", "[embedding][mask]")
{
    Sequential<double> model;
    model.emplace<Embedding<double>>(EmbeddingOptions{.input_dim = 10, .output_dim = 4, .mask_zero = true});
    model.emplace<Dense<double>>(DenseOptions{.units = 2});
    model.build({5});
    Tape<double> tape;
    auto x = tape.constant(Tensor<double>{{3, 7, 1, 0, 0}, {0, 0, 2, 9, 4}});
    model.forward(tape, x);
    const auto mask = model.compute_mask(x, nullptr);
    REQUIRE(mask.has_value());
    const bool want[2][5] = {{true, true, true, false, false}, {false, false, true, true, true}};
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 5; ++t) REQUIRE((*mask)(b, t) == want[b][t]);
    // without mask_zero there is no mask (Keras returns None)
    Embedding<double> plain({.input_dim = 10, .output_dim = 4});
    plain.forward(tape, x);
    REQUIRE_FALSE(plain.compute_mask(x, nullptr).has_value());
    REQUIRE(model.summary().find("embedding (Embedding)") != std::string::npos);
    REQUIRE(model.summary().find("40 = 10·4") != std::string::npos);
    REQUIRE(model.summary().find("(None, 5, 4)") != std::string::npos);
}

TEST_CASE("embedding: ids that are not integers in [0, input_dim) are errors naming id and position",
          "[embedding][errors]")
{
    Embedding<float> emb({.input_dim = 10, .output_dim = 2});
    Tape<float> tape;
    auto call = [&](const Tensor<float>& x) { return emb.forward(tape, tape.constant(x)); };
    REQUIRE_THROWS_AS(call(Tensor<float>{{1, 10}}), IdError);
    REQUIRE_THROWS_WITH(call(Tensor<float>{{1, 2, 3}, {4, 10, 5}}),
                        Contains("embedding: x[1,1] = 10 is not a token id: token ids are integers in "
                                 "[0, 10) (input_dim 10)"));
    REQUIRE_THROWS_WITH(call(Tensor<float>{{1, 2.5f}}), Contains("x[0,1] = 2.5 is not a token id"));
    REQUIRE_THROWS_WITH(call(Tensor<float>{{-1, 0}}), Contains("x[0,0] = -1 is not a token id"));
    REQUIRE_THROWS_WITH(call(Tensor<float>{{0, std::nanf("")}}), Contains("x[0,1] = nan"));
    REQUIRE_THROWS_WITH(call(scalar_tensor(1.0f)), Contains("embedding: expects token ids with a batch axis"));
    REQUIRE_THROWS_WITH(Embedding<float>({.input_dim = 0, .output_dim = 2}),
                        Contains("embedding: input_dim and output_dim must be positive, got input_dim 0"));
    REQUIRE_THROWS_WITH(Embedding<float>({.input_dim = 3, .output_dim = 2, .embeddings_initializer = "he"}),
                        Contains("unknown embeddings_initializer \"he\""));
    REQUIRE_THROWS_WITH(emb.set_weights({xt::zeros<float>({10, 3})}),
                        Contains("embedding: set_weights: embeddings has shape [10,3], expected [10,2]"));
    Embedding<float> masked({.input_dim = 4, .output_dim = 2, .mask_zero = true});
    auto x3 = tape.constant(xt::zeros<float>({2, 2, 2}));
    masked.forward(tape, x3);
    REQUIRE_THROWS_WITH(masked.compute_mask(x3, nullptr),
                        Contains("mask_zero needs token ids [batch, timesteps], got [2,2,2]"));
}
