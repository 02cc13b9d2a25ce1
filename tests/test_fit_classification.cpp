// fit / evaluate / predict on classification: class ids as targets ([N], [N,1], per step [N,T]),
// token ids through Embedding, accuracy from evaluate, and a bad id named by its sample.
#include <catch2/catch.hpp>

#include <string>

#include "core/init.hpp"
#include "layers/accuracy.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/fit.hpp"
#include "layers/losses.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/targets.hpp"
#include "optim/adam.hpp"

using namespace elman;
using Catch::Contains;

namespace {

// x:[n,6,1] from N(0,1); class 0 if Σ_t x_t < −1, 2 if > 1, else 1 (about 35 / 30 / 35 %).
struct Data {
    Tensor<float> x, y;
};

Data sums(std::size_t n, std::uint64_t seed)
{
    Rng rng(seed);
    Data d{Tensor<float>::from_shape({n, 6, 1}), Tensor<float>::from_shape({n})};
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t t = 0; t < 6; ++t) s += d.x(i, t, 0) = static_cast<float>(rng.normal());
        d.y(i) = s < -1 ? 0.0f : (s > 1 ? 2.0f : 1.0f);
    }
    return d;
}

Sequential<float> rnn_classifier(std::size_t classes)
{
    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 8, .seed = 1});
    model.emplace<Dense<float>>(DenseOptions{.units = classes, .activation = Activation::softmax, .seed = 2});
    model.build({6, 1});
    return model;
}

const LossFn<float> k_sparse = [](const Var<float>& p, const Var<float>& t) {
    return sparse_categorical_crossentropy(p, t);
};
const LossFn<float> k_accuracy = [](const Var<float>& p, const Var<float>& t) {
    return sparse_categorical_accuracy(p, t);
};

// The largest class's share: what always answering it would score.
float majority(const Tensor<float>& y, std::size_t classes)
{
    std::vector<std::size_t> count(classes);
    for (float v : y) ++count[static_cast<std::size_t>(v)];
    return static_cast<float>(*std::max_element(count.begin(), count.end())) / static_cast<float>(y.size());
}

}  // namespace

TEST_CASE("fit: class ids [N] train a Dense(softmax) classifier well past the majority class",
          "[fit][classification]")
{
    const Data train = sums(600, 3), test = sums(300, 4);
    Sequential<float> model = rnn_classifier(3);
    Adam<float> opt(model.parameters(), {.lr = 0.02f});
    const History<float> h = fit(model, opt, train.x, train.y, {.epochs = 15, .batch_size = 32, .seed = 5,
                                                               .verbose = false}, k_sparse);
    REQUIRE(h.loss.back() < 0.5f * h.loss.front());
    const float acc = evaluate(model, test.x, test.y, 64, k_accuracy);
    INFO("test accuracy " << acc << ", majority " << majority(test.y, 3));
    REQUIRE(acc > 0.85f);
    REQUIRE(acc > majority(test.y, 3) + 0.4f);
    // the same figure from predict and the plain function
    REQUIRE(sparse_categorical_accuracy(predict(model, test.x), test.y) == Approx(acc).epsilon(1e-6));
}

TEST_CASE("fit: class ids as [N,1] give bit-identical training to [N]", "[fit][classification]")
{
    const Data d = sums(200, 6);
    Tensor<float> column = d.y;
    column.reshape({200, 1});
    std::vector<float> losses[2];
    for (int k = 0; k < 2; ++k) {
        Sequential<float> model = rnn_classifier(3);
        Adam<float> opt(model.parameters(), {.lr = 0.01f});
        losses[k] = fit(model, opt, d.x, k ? column : d.y, {.epochs = 3, .seed = 1, .verbose = false},
                        k_sparse).loss;
    }
    REQUIRE(losses[0] == losses[1]);
}

TEST_CASE("fit: token ids through Embedding, and per-step class ids [N,T]", "[fit][classification]")
{
    // Tokens 1..5 (0 unused); the target at step t is the token at step t−1 (0 at t = 0): the
    // network must carry one step of memory.
    Rng rng(8);
    const std::size_t n = 256, steps = 8;
    Tensor<float> x = Tensor<float>::from_shape({n, steps}), y = Tensor<float>::from_shape({n, steps});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < steps; ++t) {
            x(i, t) = static_cast<float>(1 + rng.below(5));
            y(i, t) = t == 0 ? 0.0f : x(i, t - 1);
        }
    Sequential<float> model;
    model.emplace<Embedding<float>>(EmbeddingOptions{.input_dim = 6, .output_dim = 8, .seed = 1});
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 16, .return_sequences = true, .seed = 2});
    model.emplace<Dense<float>>(DenseOptions{.units = 6, .seed = 3});
    model.build({steps});
    Adam<float> opt(model.parameters(), {.lr = 0.02f});
    const LossFn<float> logits = [](const Var<float>& p, const Var<float>& t) {
        return sparse_categorical_crossentropy(p, t, {.from_logits = true});
    };
    fit(model, opt, x, y, {.epochs = 20, .batch_size = 32, .seed = 2, .verbose = false}, logits);
    const float acc = evaluate(model, x, y, 64, k_accuracy);
    INFO("per-step accuracy " << acc);
    REQUIRE(acc > 0.95f);  // chance is 1/5
}

TEST_CASE("fit, evaluate, predict: an id that is not one names its sample in y or x",
          "[fit][classification][errors]")
{
    Data d = sums(64, 9);
    Sequential<float> model = rnn_classifier(3);
    Adam<float> opt(model.parameters(), {.lr = 0.01f});
    d.y(41) = 2.5f;
    // shuffled batches: the message gives the sample's index in y, not its row in the batch
    REQUIRE_THROWS_AS(fit(model, opt, d.x, d.y, {.epochs = 2, .batch_size = 8, .seed = 3, .verbose = false}, k_sparse),
                      IdError);
    REQUIRE_THROWS_WITH(fit(model, opt, d.x, d.y, {.batch_size = 8, .seed = 3, .verbose = false}, k_sparse),
                        Contains("fit: y[41] = 2.5 is not a class id: class ids are integers in [0, 3)") &&
                            Contains("(sparse_categorical_crossentropy, epoch 1, step "));
    d.y(41) = 3.0f;
    REQUIRE_THROWS_WITH(evaluate(model, d.x, d.y, 16, k_sparse),
                        Contains("evaluate: y[41] = 3 is not a class id") &&
                            Contains("(pred [16,3] has 3 classes) (sparse_categorical_crossentropy)"));
    REQUIRE_THROWS_WITH(evaluate(model, d.x, d.y, 16, k_accuracy),
                        Contains("evaluate: y[41] = 3 is not a class id"));
    Sequential<float> tokens;
    tokens.emplace<Embedding<float>>(EmbeddingOptions{.input_dim = 10, .output_dim = 2});
    Tensor<float> ids = xt::ones<float>({20, 4});
    ids(13, 2) = 99.0f;
    REQUIRE_THROWS_WITH(predict(tokens, ids, 8),
                        Contains("predict: x[13,2] = 99 is not a token id: token ids are integers in "
                                 "[0, 10) (input_dim 10) (embedding)"));
}
