#include <catch2/catch.hpp>

#include "check.hpp"
#include "layers/accuracy.hpp"
#include "layers/targets.hpp"

using namespace elman;
using Catch::Contains;

TEST_CASE("accuracy: the fraction of samples whose argmax is the target class", "[accuracy]")
{
    const Tensor<double> pred = {{0.1, 0.7, 0.2}, {0.5, 0.4, 0.1}, {0.2, 0.2, 0.6}, {0.3, 0.3, 0.4}};
    REQUIRE(sparse_categorical_accuracy(pred, Tensor<double>{1, 0, 1, 2}) == 0.75);
    Tensor<double> ids = Tensor<double>::from_shape({4, 1});
    std::copy_n(Tensor<double>{1, 1, 2, 2}.begin(), 4, ids.begin());
    REQUIRE(sparse_categorical_accuracy(pred, ids) == 0.75);  // [B,1] as Keras
    const Tensor<double> onehot = {{0, 1, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    REQUIRE(categorical_accuracy(pred, onehot) == 0.75);
    // ties: the first maximum wins (numpy's argmax), so [0.5, 0.5] is class 0
    REQUIRE(sparse_categorical_accuracy(Tensor<double>{{0.5, 0.5}}, Tensor<double>{0}) == 1.0);
    REQUIRE(sparse_categorical_accuracy(Tensor<double>{{0.5, 0.5}}, Tensor<double>{1}) == 0.0);
}

TEST_CASE("accuracy: per time step on [B,T,C], and binary accuracy with Keras' threshold 0.5",
          "[accuracy]")
{
    const Tensor<float> pred = {{{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}},
                                {{0.3f, 0.7f}, {0.5f, 0.5f}, {0.1f, 0.9f}}};
    const Tensor<float> ids = {{0, 1, 1}, {1, 0, 0}};  // right: 2 of 3, then 2 of 3
    REQUIRE(sparse_categorical_accuracy(pred, ids) == Approx(4.0f / 6.0f));
    const Tensor<float> p = {{0.2f, 0.5f, 0.51f}, {0.9f, 0.49f, 0.7f}};
    const Tensor<float> t = {{0, 1, 1}, {1, 0, 0}};
    REQUIRE(binary_accuracy(p, t) == Approx(4.0f / 6.0f));  // 0.5 is not > 0.5
    REQUIRE(binary_accuracy(p, t, 0.495f) == Approx(5.0f / 6.0f));  // 0.5 is now a 1
    // logits: threshold 0
    REQUIRE(binary_accuracy(Tensor<float>{-1.0f, 2.0f}, Tensor<float>{0, 1}, 0.0f) == 1.0f);
}

TEST_CASE("accuracy: as a Var it is a constant node, usable as evaluate's loss", "[accuracy]")
{
    Tape<double> tape;
    auto p = tape.variable(Tensor<double>{{0.2, 0.8}, {0.6, 0.4}});
    auto a = sparse_categorical_accuracy(p, tape.constant(Tensor<double>{1, 1}));
    REQUIRE(a.shape().empty());
    REQUIRE(a.item() == 0.5);
    REQUIRE_FALSE(a.requires_grad());
    REQUIRE(categorical_accuracy(p, tape.constant(Tensor<double>{{0, 1}, {1, 0}})).item() == 1.0);
    REQUIRE(binary_accuracy(p, tape.constant(Tensor<double>{{0, 1}, {1, 1}})).item() == 0.75);
}

TEST_CASE("accuracy: bad targets and shapes are errors naming the metric and the position",
          "[accuracy][errors]")
{
    const Tensor<double> pred = {{0.1, 0.9}, {0.8, 0.2}};
    REQUIRE_THROWS_AS(sparse_categorical_accuracy(pred, Tensor<double>{0, 2}), IdError);
    REQUIRE_THROWS_WITH(sparse_categorical_accuracy(pred, Tensor<double>{0, 2}),
                        Contains("sparse_categorical_accuracy: target[1] = 2 is not a class id"));
    REQUIRE_THROWS_WITH(sparse_categorical_accuracy(pred, Tensor<double>{0, 1, 1}),
                        Contains("needs class ids of shape [2] or [2,1], got target [3]"));
    REQUIRE_THROWS_WITH(binary_accuracy(pred, Tensor<double>{{0, 1}, {0.5, 1}}),
                        Contains("binary_accuracy: target[1,0] = 0.5 is not a binary label: "
                                 "binary labels are 0 or 1"));
    REQUIRE_THROWS_WITH(categorical_accuracy(pred, Tensor<double>{1, 0}),
                        Contains("categorical_accuracy: pred has shape [2,2] but target has shape [2]"));
    REQUIRE_THROWS_WITH(binary_accuracy(pred, Tensor<double>{1, 0}),
                        Contains("binary_accuracy: pred has shape [2,2] but target has shape [2]"));
}
