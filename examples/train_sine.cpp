// Train SimpleRNN(16) -> Dense(1) to forecast a noisy sine one step ahead, then save the model
// to a checkpoint and check that the reloaded model predicts exactly the same numbers.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <numbers>

#include "core/init.hpp"
#include "io/checkpoint.hpp"
#include "io/keras.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

using namespace elman;

int main()
{
    // 400 points of sin(2π t / 25) + N(0, 0.05²); windows of 20 values -> the next value.
    const std::size_t n = 400, lookback = 20, m = n - lookback;
    Rng rng(7);
    std::vector<float> s(n);
    for (std::size_t t = 0; t < n; ++t)
        s[t] = static_cast<float>(std::sin(2 * std::numbers::pi * double(t) / 25.0) + 0.05 * rng.normal());
    Tensor<float> x = Tensor<float>::from_shape({m, lookback, 1});
    Tensor<float> y = Tensor<float>::from_shape({m, 1});
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t k = 0; k < lookback; ++k) x(i, k, 0) = s[i + k];
        y(i, 0) = s[i + lookback];
    }

    Sequential<float> model;
    model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 16});
    model.emplace<Dense<float>>(DenseOptions{.units = 1});
    model.build({lookback, 1});
    std::cout << model.summary();

    Adam<float> opt(model.parameters(), {.lr = 0.01f});
    // The last 20% of the windows (the latest in time) validate; stop after 5 epochs without
    // improvement and keep the best epoch's weights.
    const History<float> h = fit(model, opt, x, y,
                                 {.epochs = 50, .batch_size = 32, .seed = 1, .validation_split = 0.2f,
                                  .patience = 5});
    std::cout << h.stop_reason << "\n"
              << "best epoch " << h.best_epoch + 1 << ": loss " << h.loss[h.best_epoch] << ", val_loss "
              << h.val_loss[h.best_epoch] << " (noise variance 0.0025, target variance 0.5)\n";

    const auto dir = std::filesystem::temp_directory_path() / "elman_train_sine_ckpt";
    save_checkpoint(dir.string(), model, &opt);
    Sequential<float> reloaded = load_model<float>(dir.string());
    const Tensor<float> a = predict(model, x), b = predict(reloaded, x);
    const bool same = std::equal(a.begin(), a.end(), b.begin());
    std::cout << "checkpoint " << dir.string() << ": reloaded predictions "
              << (same ? "identical" : "DIFFER") << "\n";
    std::filesystem::remove_all(dir);

    // The same model as a Keras 3 file, which keras.saving.load_model opens too.
    const auto keras_file = std::filesystem::temp_directory_path() / "elman_train_sine.keras";
    save_keras(keras_file.string(), model);
    Sequential<float> from_keras = load_keras<float>(keras_file.string());
    const Tensor<float> c = predict(from_keras, x);
    const bool same_keras = std::equal(a.begin(), a.end(), c.begin());
    std::cout << keras_file.string() << ": reloaded predictions " << (same_keras ? "identical" : "DIFFER") << "\n";
    std::filesystem::remove(keras_file);
    return same && same_keras ? EXIT_SUCCESS : EXIT_FAILURE;
}
