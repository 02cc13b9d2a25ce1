#include "layers/accuracy.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "layers/targets.hpp"

namespace elman {

namespace {

Shape shape_of(const auto& t) { return Shape(t.shape().begin(), t.shape().end()); }

// argmax over the K values of line r (lines along the last axis); the first of equal maxima.
template <class T>
std::size_t argmax(const T* line, std::size_t k)
{
    return static_cast<std::size_t>(std::max_element(line, line + k) - line);
}

// The class count K = pred's last axis, > 0; throws naming the metric otherwise.
template <class T>
std::size_t classes(const std::string& op, const Tensor<T>& pred)
{
    if (pred.dimension() == 0 || pred.shape().back() == 0 || pred.size() == 0)
        throw Error(op + ": pred " + shape_str(pred.shape()) + " needs a non-empty class axis (the last)");
    return pred.shape().back();
}

// Records value as a node of shape [] without a backward (a metric, not a loss).
template <class T>
Var<T> metric_node(const char* op, T value, const Var<T>& pred, const Var<T>& target)
{
    NoGrad no_grad;
    return record<T>(op, scalar_tensor(value), {pred, target}, nullptr);
}

}  // namespace

template <class T>
T sparse_categorical_accuracy(const Tensor<T>& pred, const Tensor<T>& target)
{
    const std::string op = "sparse_categorical_accuracy";
    const std::size_t k = check_class_id_shape(op, shape_of(pred), shape_of(target));
    const std::vector<std::size_t> ids =
        to_ids(target, k, op, "target", "class id",
               "class ids are integers in [0, " + std::to_string(k) + ") (pred " +
                   shape_str(pred.shape()) + " has " + std::to_string(k) + " classes)");
    std::size_t right = 0;
    for (std::size_t r = 0; r < ids.size(); ++r) right += argmax(pred.data() + r * k, k) == ids[r];
    return static_cast<T>(static_cast<double>(right) / static_cast<double>(ids.size()));
}

template <class T>
T categorical_accuracy(const Tensor<T>& pred, const Tensor<T>& target)
{
    const std::string op = "categorical_accuracy";
    const std::size_t k = classes(op, pred);
    if (pred.shape() != target.shape())
        throw Error(op + ": pred has shape " + shape_str(pred.shape()) + " but target has shape " +
                    shape_str(target.shape()) + "; they must be identical (one-hot targets)");
    const std::size_t n = pred.size() / k;
    std::size_t right = 0;
    for (std::size_t r = 0; r < n; ++r)
        right += argmax(pred.data() + r * k, k) == argmax(target.data() + r * k, k);
    return static_cast<T>(static_cast<double>(right) / static_cast<double>(n));
}

template <class T>
T binary_accuracy(const Tensor<T>& pred, const Tensor<T>& target, std::type_identity_t<T> threshold)
{
    const std::string op = "binary_accuracy";
    const Shape ps = shape_of(pred), ts = shape_of(target);
    if (!pairs_up(ps, ts))
        throw Error(op + ": pred has shape " + shape_str(ps) + " but target has shape " +
                    shape_str(ts) + "; they must be identical (or differ by a last axis of 1)");
    if (pred.size() == 0) throw Error(op + ": pred of shape " + shape_str(ps) + " is empty");
    const std::vector<std::size_t> labels =
        to_ids(target, 2, op, "target", "binary label", "binary labels are 0 or 1");
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
        right += static_cast<std::size_t>(pred.data()[i] > threshold) == labels[i];
    return static_cast<T>(static_cast<double>(right) / static_cast<double>(labels.size()));
}

template <class T>
Var<T> sparse_categorical_accuracy(const Var<T>& pred, const Var<T>& target)
{
    const T v = sparse_categorical_accuracy(pred.value("sparse_categorical_accuracy"), target.value());
    return metric_node("sparse_categorical_accuracy", v, pred, target);
}

template <class T>
Var<T> categorical_accuracy(const Var<T>& pred, const Var<T>& target)
{
    const T v = categorical_accuracy(pred.value("categorical_accuracy"), target.value());
    return metric_node("categorical_accuracy", v, pred, target);
}

template <class T>
Var<T> binary_accuracy(const Var<T>& pred, const Var<T>& target, std::type_identity_t<T> threshold)
{
    const T v = binary_accuracy(pred.value("binary_accuracy"), target.value(), threshold);
    return metric_node("binary_accuracy", v, pred, target);
}

#define ELMAN_INSTANTIATE(T)                                                               \
    template T sparse_categorical_accuracy(const Tensor<T>&, const Tensor<T>&);            \
    template T categorical_accuracy(const Tensor<T>&, const Tensor<T>&);                   \
    template T binary_accuracy(const Tensor<T>&, const Tensor<T>&, std::type_identity_t<T>); \
    template Var<T> sparse_categorical_accuracy(const Var<T>&, const Var<T>&);             \
    template Var<T> categorical_accuracy(const Var<T>&, const Var<T>&);                    \
    template Var<T> binary_accuracy(const Var<T>&, const Var<T>&, std::type_identity_t<T>);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
