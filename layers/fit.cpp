#include "layers/fit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "core/init.hpp"
#include "layers/fit_progress.hpp"
#include "layers/losses.hpp"
#include "layers/targets.hpp"
#include "optim/clipping.hpp"

namespace elman {

namespace {

using detail::Clock;
using detail::number;
using detail::seconds_since;

std::size_t row_size(const Shape& s)
{
    return std::accumulate(s.begin() + 1, s.end(), std::size_t(1), std::multiplies<>());
}

// out[i] = a[idx[i]] along the first axis: [N,...] -> [n,...]
template <class T>
Tensor<T> gather_rows(const Tensor<T>& a, const std::size_t* idx, std::size_t n)
{
    Shape s(a.shape().begin(), a.shape().end());
    const std::size_t row = row_size(s);
    s[0] = n;
    Tensor<T> out = Tensor<T>::from_shape(s);
    for (std::size_t i = 0; i < n; ++i)
        std::copy_n(a.data() + idx[i] * row, row, out.data() + i * row);
    return out;
}

// a[begin:end] along the first axis.
template <class T>
Tensor<T> slice_rows(const Tensor<T>& a, std::size_t begin, std::size_t end)
{
    Shape s(a.shape().begin(), a.shape().end());
    const std::size_t row = row_size(s);
    s[0] = end - begin;
    Tensor<T> out = Tensor<T>::from_shape(s);
    std::copy(a.data() + begin * row, a.data() + end * row, out.data());
    return out;
}

template <class T>
void check_pair(const char* what, const Tensor<T>& x, const Tensor<T>& y)
{
    if (x.dimension() == 0 || y.dimension() == 0)
        throw Error(std::string("fit: ") + what + " x and y need a sample axis, got x " +
                    shape_str(x.shape()) + " and y " + shape_str(y.shape()));
    if (x.shape()[0] != y.shape()[0])
        throw Error(std::string("fit: ") + what + " x and y have different numbers of samples: x " +
                    shape_str(x.shape()) + ", y " + shape_str(y.shape()));
    if (x.shape()[0] == 0) throw Error(std::string("fit: ") + what + " data has no samples");
}

// Every element finite, else an error naming the first bad one by its index, before any step
// changes a weight: "fit: x holds nan at [37,4,0]".
template <class T>
void check_finite(const char* fn, const char* name, const Tensor<T>& t)
{
    const T* p = t.data();
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::isfinite(p[i])) continue;
        std::vector<std::size_t> index(t.dimension());
        for (std::size_t d = t.dimension(), rest = i; d-- > 0; rest /= t.shape()[d]) index[d] = rest % t.shape()[d];
        std::string at;
        for (std::size_t d = 0; d < index.size(); ++d) at += (d ? "," : "") + std::to_string(index[d]);
        char v[16];
        std::snprintf(v, sizeof v, "%g", static_cast<double>(p[i]));
        throw Error(std::string(fn) + ": " + name + " holds " + v + " at [" + at + "]");
    }
}

// f() on one batch; an IdError from it (a class id in y, a token id in x that is not an id) is
// rethrown naming the caller and the sample of its own x or y: sample(row) maps the batch row.
template <class F, class S>
auto naming_sample(const char* caller, F f, S sample, const std::string& context = "")
{
    try {
        return f();
    } catch (const IdError& e) {
        const std::size_t row = e.position().empty() ? 0 : e.position()[0];
        throw e.with_sample(caller, e.tensor() == "x" ? "x" : "y", sample(row), context);
    }
}

template <class T>
LossFn<T> or_mse(LossFn<T> loss)
{
    if (loss) return loss;
    return [](const Var<T>& p, const Var<T>& t) { return mse(p, t); };
}

template <class T>
bool has_grad(const Parameter<T>& p)
{
    return p.grad.size() == p.value.size() && p.grad.shape() == p.value.shape();
}

// sqrt(Σ_p Σ_j g_pj²) over every gradient, accumulated in double.
template <class T>
double global_grad_norm(const std::vector<Parameter<T>*>& params)
{
    double sq = 0.0;
    for (const auto* p : params) {
        if (!has_grad(*p)) continue;
        for (T g : p->grad) sq += static_cast<double>(g) * static_cast<double>(g);
    }
    return std::sqrt(sq);
}

template <class T>
void copy_values(const std::vector<Parameter<T>*>& params, std::vector<Tensor<T>>& out)
{
    out.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) out[i] = params[i]->value;
}

template <class T>
void restore_values(const std::vector<Parameter<T>*>& params, const std::vector<Tensor<T>>& from)
{
    for (std::size_t i = 0; i < params.size(); ++i) params[i]->value = from[i];
}


// The rows fit validates on: the given validation pair, or Keras' validation_split tail of x
// and y (split_at = int(N · (1 − validation_split))); n_train is the number of rows trained on.
// Filled in place: x_val / y_val may point at the tails it owns.
template <class T>
struct FitData {
    std::size_t n_train = 0;
    Tensor<T> x_tail, y_tail;
    const Tensor<T>* x_val = nullptr;
    const Tensor<T>* y_val = nullptr;
};

template <class T>
void split_validation(FitData<T>& d, const Tensor<T>& x, const Tensor<T>& y,
                      const std::optional<std::pair<Tensor<T>, Tensor<T>>>& val, const FitOptions<T>& options)
{
    d.n_train = x.shape()[0];
    if (options.validation_split != T(0)) {
        if (!(options.validation_split > T(0) && options.validation_split < T(1)))
            throw Error("fit: validation_split must be in [0, 1), got " +
                        std::to_string(options.validation_split));
        d.n_train = static_cast<std::size_t>(static_cast<double>(x.shape()[0]) *
                                             (1.0 - static_cast<double>(options.validation_split)));
        if (d.n_train == 0 || d.n_train == x.shape()[0])
            throw Error("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                        std::to_string(x.shape()[0]) + " samples leaves " + std::to_string(d.n_train) +
                        " for training and " + std::to_string(x.shape()[0] - d.n_train) +
                        " for validation; both need at least one");
    }
    if (val) {
        d.x_val = &val->first;
        d.y_val = &val->second;
    } else if (d.n_train < x.shape()[0]) {
        d.x_tail = slice_rows(x, d.n_train, x.shape()[0]);
        d.y_tail = slice_rows(y, d.n_train, y.shape()[0]);
        d.x_val = &d.x_tail;
        d.y_val = &d.y_tail;
    }
}

// One optimizer step on the rows rows[0..nb) of x and y; returns the batch's loss. Throws
// TrainingDiverged (the weights as before the step) when the loss, the gradient norm or a
// weight becomes non-finite; `epoch` and `step` are 0-based.
template <class T>
T train_step(Sequential<T>& model, Optimizer<T>& opt, const LossFn<T>& loss, const Tensor<T>& x,
             const Tensor<T>& y, const std::size_t* rows, std::size_t nb, const FitOptions<T>& options,
             std::size_t epoch, std::size_t step, std::vector<Tensor<T>>& before_step)
{
    const auto& params = opt.params();
    const auto where = [&] { return " at epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(step + 1); };
    Tape<T> tape;
    const Var<T> xb = tape.constant(gather_rows(x, rows, nb), "x");
    const Var<T> yb = tape.constant(gather_rows(y, rows, nb), "y");
    const Var<T> l = naming_sample(
        "fit", [&] { return loss(model.forward(tape, xb, {.training = true}), yb); },
        [&](std::size_t row) { return rows[row]; },
        "epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(step + 1));
    const T lv = l.item();
    if (!std::isfinite(lv))
        throw TrainingDiverged("fit: loss became " + number(lv) + where() +
                                   "; the model keeps its weights from before that step",
                               epoch + 1, step + 1);
    opt.zero_grad();
    tape.backward(l);
    const double norm = global_grad_norm(params);
    if (!std::isfinite(norm))
        throw TrainingDiverged("fit: gradient norm became " + number(norm) + where() +
                                   "; the model keeps its weights from before that step",
                               epoch + 1, step + 1);
    if (options.clip_norm > T(0)) clip_grad_norm(params, options.clip_norm);
    copy_values(params, before_step);
    opt.step();
    for (const auto* p : params) {
        if (std::all_of(p->value.begin(), p->value.end(), [](T v) { return std::isfinite(v); })) continue;
        restore_values(params, before_step);
        throw TrainingDiverged("fit: weight '" + p->name + "' became non-finite" + where() +
                                   " (learning rate too high?); weights restored to the last good step",
                               epoch + 1, step + 1);
    }
    return lv;
}

// Keras' EarlyStopping (mode min) after an epoch: better when monitor < best − min_delta (a NaN
// is never better), the best weights kept when restore_best_weights. Returns whether to stop.
template <class T>
struct EarlyStopping {
    double best = 0;
    std::size_t wait = 0;
    std::vector<Tensor<T>> best_weights;

    bool after_epoch(std::size_t epoch, double monitor, bool has_val, const FitOptions<T>& options,
                     const std::vector<Parameter<T>*>& params, History<T>& history)
    {
        const bool on = options.patience > 0;
        if (epoch == 0 || monitor < best - static_cast<double>(options.min_delta)) {
            best = monitor;
            history.best_epoch = epoch;
            wait = 0;
            if (on && options.restore_best_weights) copy_values(params, best_weights);
            return false;
        }
        if (!on || ++wait < options.patience) return false;
        history.stopped_early = true;
        history.stop_reason = "early stopping: " + std::string(has_val ? "val_loss" : "loss") + " did not improve for " +
                              std::to_string(options.patience) + " epochs after epoch " + std::to_string(history.best_epoch + 1);
        return true;
    }
};

// Keras' fit loop: per epoch, shuffle (Fisher–Yates with elman's generator: the same seed gives
// the same orders), one train_step per batch, the epoch's mean loss and validation loss, the
// callback, early stopping; should_stop is asked before every step.
template <class T>
History<T> fit_impl(Sequential<T>& model, Optimizer<T>& opt, const Tensor<T>& x, const Tensor<T>& y,
                    const std::optional<std::pair<Tensor<T>, Tensor<T>>>& val,
                    const FitOptions<T>& options, LossFn<T> loss_fn)
{
    const LossFn<T> loss = or_mse(std::move(loss_fn));
    if (!model.built())
        throw Error("fit: the model is not built; call model.build(input_shape) before making the "
                    "optimizer from model.parameters()");
    if (opt.params().empty())
        throw Error("fit: the optimizer has no parameters (was it made before the model was built?)");
    if (options.batch_size == 0) throw Error("fit: batch_size must be >= 1");
    FitData<T> data;
    split_validation(data, x, y, val, options);
    const std::size_t n_train = data.n_train;
    const bool has_val = data.x_val != nullptr;

    History<T> history;
    Rng rng(options.seed);
    std::vector<std::size_t> order(n_train);
    std::iota(order.begin(), order.end(), std::size_t(0));
    const std::size_t n_batches = (n_train + options.batch_size - 1) / options.batch_size;
    std::vector<Tensor<T>> before_step;
    EarlyStopping<T> stopping;
    detail::FitProgress progress(options.verbose, options.epochs);

    // Before each step; (epoch, b) is the step about to run, both 0-based.
    const auto interrupt = [&](std::size_t epoch, std::size_t b) {
        if (!options.should_stop || !options.should_stop()) return false;
        history.stopped_early = true;
        history.interrupted = true;
        if (history.steps == 0)
            history.stop_reason = "interrupted before the first step";
        else if (b == 0)
            history.stop_reason = "interrupted after epoch " + std::to_string(epoch) + ", step " + std::to_string(n_batches);
        else
            history.stop_reason = "interrupted after epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(b);
        return true;
    };

    for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
        const auto t0 = Clock::now();
        progress.start(epoch);
        if (options.shuffle)
            for (std::size_t i = n_train; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
        double loss_sum = 0;
        for (std::size_t b = 0; b < n_batches; ++b) {
            if (interrupt(epoch, b)) break;
            const std::size_t begin = b * options.batch_size;
            const std::size_t nb = std::min(options.batch_size, n_train - begin);
            const T lv = train_step(model, opt, loss, x, y, order.data() + begin, nb, options, epoch, b, before_step);
            ++history.steps;
            loss_sum += static_cast<double>(lv) * static_cast<double>(nb);
            progress.batch(b + 1, n_batches, loss_sum / static_cast<double>(begin + nb));
        }
        if (history.interrupted) break;

        EpochLog<T> log;
        log.epoch = epoch;
        log.epochs = options.epochs;
        log.loss = static_cast<T>(loss_sum / static_cast<double>(n_train));
        history.loss.push_back(log.loss);
        if (has_val) {
            log.val_loss = evaluate(model, *data.x_val, *data.y_val, options.batch_size, loss);
            log.has_val = true;
            history.val_loss.push_back(log.val_loss);
        }
        log.seconds = seconds_since(t0);
        const double lv = log.loss, vv = log.val_loss;
        progress.end(n_batches, lv, has_val ? &vv : nullptr);
        const bool stop = stopping.after_epoch(epoch, has_val ? vv : lv, has_val, options, opt.params(), history);
        if (options.on_epoch_end) options.on_epoch_end(log);
        if (stop) break;
    }
    if (!history.stopped_early) history.stop_reason = "completed " + std::to_string(options.epochs) + " epochs";
    if (options.patience > 0 && options.restore_best_weights && !stopping.best_weights.empty())
        restore_values(opt.params(), stopping.best_weights);
    return history;
}

}  // namespace

template <class T>
History<T> fit(Sequential<T>& model, Optimizer<T>& opt, const Tensor<T>& x, const Tensor<T>& y,
               const std::type_identity_t<FitOptions<T>>& options, std::type_identity_t<LossFn<T>> loss)
{
    check_pair("training", x, y);
    check_finite("fit", "x", x);
    check_finite("fit", "y", y);
    return fit_impl<T>(model, opt, x, y, std::nullopt, options, std::move(loss));
}

template <class T>
History<T> fit(Sequential<T>& model, Optimizer<T>& opt, const Tensor<T>& x, const Tensor<T>& y,
               const Tensor<T>& x_val, const Tensor<T>& y_val,
               const std::type_identity_t<FitOptions<T>>& options, std::type_identity_t<LossFn<T>> loss)
{
    check_pair("training", x, y);
    check_pair("validation", x_val, y_val);
    check_finite("fit", "x", x);
    check_finite("fit", "y", y);
    check_finite("fit", "x_val", x_val);
    check_finite("fit", "y_val", y_val);
    if (options.validation_split != T(0))
        throw Error("fit: give either validation data or validation_split, not both");
    return fit_impl<T>(model, opt, x, y, std::make_optional(std::make_pair(x_val, y_val)), options,
                       std::move(loss));
}

template <class T>
T evaluate(Sequential<T>& model, const Tensor<T>& x, const Tensor<T>& y, std::size_t batch_size,
           std::type_identity_t<LossFn<T>> loss_fn)
{
    if (batch_size == 0) throw Error("evaluate: batch_size must be >= 1");
    if (x.dimension() == 0 || y.dimension() == 0 || x.shape()[0] != y.shape()[0] || x.shape()[0] == 0)
        throw Error("evaluate: x and y need the same number (>= 1) of samples, got x " +
                    shape_str(x.shape()) + " and y " + shape_str(y.shape()));
    check_finite("evaluate", "x", x);
    check_finite("evaluate", "y", y);
    const LossFn<T> loss = or_mse(std::move(loss_fn));
    NoGrad no_grad;
    const std::size_t n = x.shape()[0];
    // Σ_b n_b·loss_b / N
    double sum = 0;
    for (std::size_t begin = 0; begin < n; begin += batch_size) {
        const std::size_t end = std::min(n, begin + batch_size);
        Tape<T> tape;
        const Var<T> xb = tape.constant(slice_rows(x, begin, end), "x");
        const Var<T> yb = tape.constant(slice_rows(y, begin, end), "y");
        const Var<T> l = naming_sample("evaluate", [&] { return loss(model.forward(tape, xb), yb); },
                                       [&](std::size_t row) { return begin + row; });
        sum += static_cast<double>(l.item()) * static_cast<double>(end - begin);
    }
    return static_cast<T>(sum / static_cast<double>(n));
}

template <class T>
Tensor<T> predict(Sequential<T>& model, const Tensor<T>& x, std::size_t batch_size)
{
    if (batch_size == 0) throw Error("predict: batch_size must be >= 1");
    if (x.dimension() == 0 || x.shape()[0] == 0)
        throw Error("predict: x needs a sample axis with at least one sample, got " + shape_str(x.shape()));
    check_finite("predict", "x", x);
    NoGrad no_grad;
    const std::size_t n = x.shape()[0];
    Tensor<T> out;
    std::size_t row = 0;
    for (std::size_t begin = 0; begin < n; begin += batch_size) {
        const std::size_t end = std::min(n, begin + batch_size);
        Tape<T> tape;
        const Tensor<T>& yb =
            naming_sample("predict", [&] { return model.forward(tape, tape.constant(slice_rows(x, begin, end), "x")); },
                          [&](std::size_t row) { return begin + row; })
                .value();
        if (begin == 0) {
            Shape s(yb.shape().begin(), yb.shape().end());
            if (s.empty()) throw Error("predict: the model's output has no batch axis");
            row = row_size(s);
            s[0] = n;
            out = Tensor<T>::from_shape(s);
        }
        std::copy_n(yb.data(), (end - begin) * row, out.data() + begin * row);
    }
    return out;
}

#define ELMAN_INSTANTIATE_FIT(T)                                                                   \
    template History<T> fit(Sequential<T>&, Optimizer<T>&, const Tensor<T>&, const Tensor<T>&,     \
                            const std::type_identity_t<FitOptions<T>>&,                            \
                            std::type_identity_t<LossFn<T>>);                                      \
    template History<T> fit(Sequential<T>&, Optimizer<T>&, const Tensor<T>&, const Tensor<T>&,     \
                            const Tensor<T>&, const Tensor<T>&,                                    \
                            const std::type_identity_t<FitOptions<T>>&,                            \
                            std::type_identity_t<LossFn<T>>);                                      \
    template T evaluate(Sequential<T>&, const Tensor<T>&, const Tensor<T>&, std::size_t,           \
                        std::type_identity_t<LossFn<T>>);                                          \
    template Tensor<T> predict(Sequential<T>&, const Tensor<T>&, std::size_t);

ELMAN_INSTANTIATE_FIT(float)
ELMAN_INSTANTIATE_FIT(double)
#undef ELMAN_INSTANTIATE_FIT

}  // namespace elman
