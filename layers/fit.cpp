#include "layers/fit.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

#include "core/init.hpp"
#include "layers/losses.hpp"
#include "layers/targets.hpp"
#include "optim/clipping.hpp"

namespace elman {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

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

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// "Epoch 3/50 [=====>    ] loss 0.0123 val_loss 0.0150 1.2s", redrawn in place with \r on a
// terminal; nothing otherwise.
class Progress {
public:
    Progress(bool verbose, std::size_t epochs)
        : on_(verbose && isatty(fileno(stderr))), epochs_(epochs)
    {
    }
    ~Progress()
    {
        if (open_) std::fputs("\n", stderr);
    }

    void start(std::size_t epoch)
    {
        epoch_ = epoch;
        t0_ = Clock::now();
        last_ = Clock::time_point{};
    }

    // Redraws at most every 0.1 s: tiny models take far less than that per step.
    void batch(std::size_t done, std::size_t total, double loss)
    {
        if (!on_ || (done < total && Clock::now() - last_ < std::chrono::milliseconds(100))) return;
        last_ = Clock::now();
        draw(done, total, loss, nullptr);
    }

    void end(std::size_t total, double loss, const double* val_loss)
    {
        if (!on_) return;
        draw(total, total, loss, val_loss);
        std::fputs("\n", stderr);
        open_ = false;
    }

private:
    void draw(std::size_t done, std::size_t total, double loss, const double* val_loss)
    {
        constexpr std::size_t width = 20;
        const std::size_t filled = total ? done * width / total : width;
        std::string bar(width, ' ');
        for (std::size_t i = 0; i < filled; ++i) bar[i] = '=';
        if (filled < width) bar[filled] = '>';
        std::string line = "\rEpoch " + std::to_string(epoch_ + 1) + "/" + std::to_string(epochs_) +
                           " [" + bar + "] loss " + number(loss);
        if (val_loss) line += " val_loss " + number(*val_loss);
        char t[32];
        std::snprintf(t, sizeof t, " %.1fs\x1b[K", seconds_since(t0_));
        line += t;
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        open_ = true;
    }

    bool on_;
    bool open_ = false;
    std::size_t epochs_;
    std::size_t epoch_ = 0;
    Clock::time_point t0_, last_;
};

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
    const auto& params = opt.params();

    std::size_t n_train = x.shape()[0];
    if (options.validation_split != T(0)) {
        if (!(options.validation_split > T(0) && options.validation_split < T(1)))
            throw Error("fit: validation_split must be in [0, 1), got " +
                        std::to_string(options.validation_split));
        // Keras: split_at = int(N · (1 − validation_split)); the tail is validation.
        n_train = static_cast<std::size_t>(static_cast<double>(x.shape()[0]) *
                                           (1.0 - static_cast<double>(options.validation_split)));
        if (n_train == 0 || n_train == x.shape()[0])
            throw Error("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                        std::to_string(x.shape()[0]) + " samples leaves " + std::to_string(n_train) +
                        " for training and " + std::to_string(x.shape()[0] - n_train) +
                        " for validation; both need at least one");
    }
    const Tensor<T>* x_val = nullptr;
    const Tensor<T>* y_val = nullptr;
    Tensor<T> x_tail, y_tail;
    if (val) {
        x_val = &val->first;
        y_val = &val->second;
    } else if (n_train < x.shape()[0]) {
        x_tail = slice_rows(x, n_train, x.shape()[0]);
        y_tail = slice_rows(y, n_train, y.shape()[0]);
        x_val = &x_tail;
        y_val = &y_tail;
    }
    const bool has_val = x_val != nullptr;

    History<T> history;
    Rng rng(options.seed);
    std::vector<std::size_t> order(n_train);
    std::iota(order.begin(), order.end(), std::size_t(0));
    const std::size_t n_batches = (n_train + options.batch_size - 1) / options.batch_size;
    const bool early_stopping = options.patience > 0;
    std::vector<Tensor<T>> before_step, best_weights;
    double best = 0;
    std::size_t wait = 0;
    Progress progress(options.verbose, options.epochs);

    // Before each step; (epoch, b) is the step about to run, both 0-based.
    const auto interrupt = [&](std::size_t epoch, std::size_t b) {
        if (!options.should_stop || !options.should_stop()) return false;
        history.stopped_early = true;
        history.interrupted = true;
        if (history.steps == 0)
            history.stop_reason = "interrupted before the first step";
        else if (b == 0)
            history.stop_reason = "interrupted after epoch " + std::to_string(epoch) + ", step " +
                                  std::to_string(n_batches);
        else
            history.stop_reason = "interrupted after epoch " + std::to_string(epoch + 1) +
                                  ", step " + std::to_string(b);
        return true;
    };

    for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
        const auto t0 = Clock::now();
        progress.start(epoch);
        if (options.shuffle) {
            // Fisher–Yates with elman's own generator: the same seed gives the same orders.
            for (std::size_t i = n_train; i > 1; --i)
                std::swap(order[i - 1], order[rng.below(i)]);
        }
        double loss_sum = 0;
        for (std::size_t b = 0; b < n_batches; ++b) {
            if (interrupt(epoch, b)) break;
            const std::size_t begin = b * options.batch_size;
            const std::size_t nb = std::min(options.batch_size, n_train - begin);
            const auto where = [&] {
                return " at epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(b + 1);
            };
            Tape<T> tape;
            const Var<T> xb = tape.constant(gather_rows(x, order.data() + begin, nb), "x");
            const Var<T> yb = tape.constant(gather_rows(y, order.data() + begin, nb), "y");
            const Var<T> l = naming_sample(
                "fit", [&] { return loss(model.forward(tape, xb, {.training = true}), yb); },
                [&](std::size_t row) { return order[begin + row]; },
                "epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(b + 1));
            const T lv = l.item();
            if (!std::isfinite(lv))
                throw TrainingDiverged("fit: loss became " + number(lv) + where() +
                                           "; the model keeps its weights from before that step",
                                       epoch + 1, b + 1);
            opt.zero_grad();
            tape.backward(l);
            const double norm = global_grad_norm(params);
            if (!std::isfinite(norm))
                throw TrainingDiverged("fit: gradient norm became " + number(norm) + where() +
                                           "; the model keeps its weights from before that step",
                                       epoch + 1, b + 1);
            if (options.clip_norm > T(0)) clip_grad_norm(params, options.clip_norm);
            copy_values(params, before_step);
            opt.step();
            for (const auto* p : params) {
                if (std::all_of(p->value.begin(), p->value.end(), [](T v) { return std::isfinite(v); }))
                    continue;
                restore_values(params, before_step);
                throw TrainingDiverged("fit: weight '" + p->name + "' became non-finite" + where() +
                                           " (learning rate too high?); weights restored to the last "
                                           "good step",
                                       epoch + 1, b + 1);
            }
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
            log.val_loss = evaluate(model, *x_val, *y_val, options.batch_size, loss);
            log.has_val = true;
            history.val_loss.push_back(log.val_loss);
        }
        log.seconds = seconds_since(t0);
        const double lv = log.loss, vv = log.val_loss;
        progress.end(n_batches, lv, has_val ? &vv : nullptr);

        // Keras EarlyStopping (mode min): better when monitor < best − min_delta. A NaN
        // validation loss is never better.
        const double monitor = has_val ? vv : lv;
        if (epoch == 0 || monitor < best - static_cast<double>(options.min_delta)) {
            best = monitor;
            history.best_epoch = epoch;
            wait = 0;
            if (early_stopping && options.restore_best_weights) copy_values(params, best_weights);
        } else {
            ++wait;
        }
        if (options.on_epoch_end) options.on_epoch_end(log);
        if (early_stopping && wait >= options.patience) {
            history.stopped_early = true;
            history.stop_reason = "early stopping: " + std::string(has_val ? "val_loss" : "loss") +
                                  " did not improve for " + std::to_string(options.patience) +
                                  " epochs after epoch " + std::to_string(history.best_epoch + 1);
            break;
        }
    }
    if (!history.stopped_early)
        history.stop_reason = "completed " + std::to_string(options.epochs) + " epochs";
    if (early_stopping && options.restore_best_weights && !best_weights.empty())
        restore_values(params, best_weights);
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

}  // namespace elman
