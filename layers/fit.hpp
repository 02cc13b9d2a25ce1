// fit(), evaluate(), predict(): Keras' training loop for the common case.
//
// One epoch = one pass over the training samples in batches (shuffled with a seeded elman::Rng
// when asked, so the same seed gives the same run bit for bit). One training step per batch:
//
//     Tape tape;  xb = tape.constant(x[batch]);  pred = model.forward(tape, xb);
//     l = loss(pred, y[batch]);  opt.zero_grad();  tape.backward(l);  [clip];  opt.step();
//
// The epoch's loss is the mean of the batch losses weighted by batch size (Keras' reported
// loss); the validation loss is computed the same way under NoGrad, after the epoch.
//
// Inputs: fit(), evaluate() and predict() check x and y (and the validation data) for NaN and
// inf before the first step, and throw elman::Error naming the first bad element by its index
// ("fit: x holds nan at [37,4,0]"), leaving the weights untouched.
//
// Divergence guard: before each step the loss and the global gradient norm must be finite, and
// after it every weight; otherwise fit throws TrainingDiverged and the model keeps the weights
// it had before the failing step (the last good ones).
//
// Classification: for the sparse losses and metrics y holds class ids, [N] or [N,1] (or [N,T]
// for one class per time step), integers stored as T (layers/targets.hpp); for Embedding, x
// holds token ids the same way. A value that is not an id (2.5, −1, a class >= the number of
// classes) stops fit, evaluate or predict with an IdError naming its sample in the caller's y
// or x, e.g. "fit: y[412] = 2.5 is not a class id: ... (sparse_categorical_crossentropy,
// epoch 1, step 3)"; fit stops before that batch's step (the steps before it are kept).
//
// Interruption: FitOptions::should_stop is asked before every optimizer step, so the step in
// progress always finishes. When it says stop, fit returns normally with History::interrupted
// set; an epoch cut short is not in the history (its loss would cover part of the data), and
// the model holds the best epoch's weights when early stopping restores them and at least one
// epoch completed, otherwise the weights after the last step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "layers/sequential.hpp"
#include "optim/optimizer.hpp"

namespace elman {

// What on_epoch_end sees after each epoch.
template <class T>
struct EpochLog {
    std::size_t epoch = 0;       // 0-based index into History::loss
    std::size_t epochs = 0;      // FitOptions::epochs
    T loss = T(0);
    T val_loss = T(0);           // meaningful only when has_val
    bool has_val = false;
    double seconds = 0;          // wall time of this epoch
};

template <class T>
struct FitOptions {
    std::size_t epochs = 1;
    std::size_t batch_size = 32;           // >= 1; the last batch may be smaller
    bool shuffle = true;                   // reshuffle the training samples every epoch
    std::uint64_t seed = 0;                // drives the shuffling
    // Fraction in [0, 1) of the samples held out for validation: the LAST ones, in order (as
    // Keras takes the tail, which for time-series windows is a chronological split).
    T validation_split = T(0);
    // Early stopping: stop after `patience` epochs without improvement of the monitored loss
    // (val_loss when there is validation data, else loss) by more than min_delta. 0 = off.
    std::size_t patience = 0;
    // With early stopping on: end with the best epoch's weights (also when all epochs ran).
    bool restore_best_weights = true;
    T min_delta = T(0);
    // A progress line per epoch on stderr, only when stderr is a terminal.
    bool verbose = true;
    std::function<void(const EpochLog<T>&)> on_epoch_end = {};
    // Clip the gradients' global norm to this before each step (clip_grad_norm); 0 = off.
    T clip_norm = T(0);
    // Asked before each optimizer step; true stops training there (e.g. a flag set by a SIGINT
    // handler). Empty: never stop.
    std::function<bool()> should_stop = {};
};

template <class T>
struct History {
    std::vector<T> loss;        // per epoch
    std::vector<T> val_loss;    // per epoch; empty without validation data
    // Index of the epoch with the best monitored loss (val_loss, else loss): the epoch whose
    // weights early stopping restores.
    std::size_t best_epoch = 0;
    bool stopped_early = false; // before options.epochs: early stopping or interrupted
    bool interrupted = false;   // should_stop said stop
    std::size_t steps = 0;      // optimizer steps taken
    // "completed 50 epochs", "early stopping: ...", "interrupted after epoch 3, step 2"
    std::string stop_reason;
};

// Thrown when a loss, the gradient norm or a weight becomes non-finite. epoch() and step() are
// 1-based, as in the message.
class TrainingDiverged : public Error {
public:
    TrainingDiverged(const std::string& message, std::size_t epoch, std::size_t step)
        : Error(message), epoch_(epoch), step_(step)
    {
    }
    std::size_t epoch() const { return epoch_; }
    std::size_t step() const { return step_; }

private:
    std::size_t epoch_;
    std::size_t step_;
};

// loss(pred, target) -> a one-element Var. An empty function means mse.
template <class T>
using LossFn = std::function<Var<T>(const Var<T>&, const Var<T>&)>;

// Trains `model` (built, with `opt` made from its parameters) on x:[N,...] -> y:[N,...].
template <class T>
History<T> fit(Sequential<T>& model, Optimizer<T>& opt, const Tensor<T>& x, const Tensor<T>& y,
               const std::type_identity_t<FitOptions<T>>& options = {},
               std::type_identity_t<LossFn<T>> loss = {});

// The same with explicit validation data (options.validation_split must then be 0).
template <class T>
History<T> fit(Sequential<T>& model, Optimizer<T>& opt, const Tensor<T>& x, const Tensor<T>& y,
               const Tensor<T>& x_val, const Tensor<T>& y_val,
               const std::type_identity_t<FitOptions<T>>& options = {},
               std::type_identity_t<LossFn<T>> loss = {});

// The loss over all of x, y in batches under NoGrad: Σ_b n_b·loss_b / N (the mean loss for
// mean-reduced losses).
template <class T>
T evaluate(Sequential<T>& model, const Tensor<T>& x, const Tensor<T>& y,
           std::size_t batch_size = 256, std::type_identity_t<LossFn<T>> loss = {});

// model(x) for x:[N,...] in batches under NoGrad -> [N, ...output].
template <class T>
Tensor<T> predict(Sequential<T>& model, const Tensor<T>& x, std::size_t batch_size = 256);

}  // namespace elman
