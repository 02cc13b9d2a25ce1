#include "layers/gru.hpp"

#include "core/error.hpp"
#include "layers/initializers.hpp"
#include "layers/recurrent_common.hpp"

namespace elman {

template <class T>
GRU<T>::GRU(GRUOptions options)
    : options_(std::move(options)),
      dropout_(options_.dropout, options_.recurrent_dropout, options_.seed, "gru")
{
    if (options_.units == 0) throw Error("gru: units must be positive, got 0");
    for (auto [a, what] : {std::pair{options_.activation, "activation"},
                           std::pair{options_.recurrent_activation, "recurrent_activation"}})
        if (!is_elementwise(a))
            throw Error(std::string("gru: ") + what + " " + to_string(a) +
                        " is not supported (the cell applies it element by element); put "
                        "softmax on the output: Dense(units, softmax)");
    for (const std::string* init : {&options_.kernel_initializer,
                                    &options_.recurrent_initializer, &options_.bias_initializer})
        check_initializer(*init, "gru");
}

// [2,3U] with reset_after (input bias, recurrent bias), else [3U].
template <class T>
Shape GRU<T>::bias_shape() const
{
    const std::size_t u3 = 3 * options_.units;
    return options_.reset_after ? Shape{2, u3} : Shape{u3};
}

// Keras' GRUCell.build: kernel [F,3U], recurrent_kernel [U,3U] and bias, each drawn whole from
// its initializer.
template <class T>
void GRU<T>::build_features(std::size_t features)
{
    if (this->built_for_features(features, input_dim_, kernel)) return;
    const std::size_t u = options_.units;
    input_dim_ = features;
    kernel.name = this->name() + "/kernel";
    kernel.value = initialize<T>(options_.kernel_initializer, {features, 3 * u},
                                 derive_seed(options_.seed, 0));
    recurrent_kernel.name = this->name() + "/recurrent_kernel";
    recurrent_kernel.value = initialize<T>(options_.recurrent_initializer, {u, 3 * u},
                                           derive_seed(options_.seed, 1));
    if (options_.use_bias) {
        bias.name = this->name() + "/bias";
        bias.value = initialize<T>(options_.bias_initializer, bias_shape(),
                                   derive_seed(options_.seed, 2));
    }
    this->built_ = true;
}

template <class T>
void GRU<T>::build(const Shape& input_shape)
{
    build_features(recurrent_detail::build_features(this->name(), input_shape));
}

template <class T>
Shape GRU<T>::output_shape(const Shape& input_shape) const
{
    return recurrent_detail::output_shape(this->name(), input_shape, options_.units, options_.return_sequences);
}

template <class T>
Shape GRU<T>::built_input_shape() const
{
    if (!this->built_) return {};
    return {0, input_dim_};
}

template <class T>
std::shared_ptr<RecurrentLayer<T>> GRU<T>::recreate(bool go_backwards, bool zero_output_for_mask,
                                                    std::uint64_t seed) const
{
    return recurrent_detail::recreate<GRU, T>(options_, go_backwards, zero_output_for_mask, seed);
}

template <class T>
void GRU<T>::reset_states()
{
    state_ = Tensor<T>();
    has_state_ = false;
}

template <class T>
std::vector<Parameter<T>*> GRU<T>::parameters()
{
    if (!this->built_) return {};
    if (options_.use_bias) return {&kernel, &recurrent_kernel, &bias};
    return {&kernel, &recurrent_kernel};
}

// 3·U·(F + U + 2): three gates, each with a kernel [F,U], a recurrent kernel [U,U] and two bias
// vectors (input and recurrent) with reset_after; one bias vector without it.
template <class T>
std::size_t GRU<T>::param_count() const
{
    if (!this->built_) throw Error(this->name() + ": param_count: the layer is not built yet");
    const std::size_t u = options_.units;
    const std::size_t biases = options_.use_bias ? (options_.reset_after ? 2 : 1) : 0;
    return 3 * u * (input_dim_ + u + biases);
}

template <class T>
std::string GRU<T>::param_formula() const
{
    if (!this->built_) throw Error(this->name() + ": param_formula: the layer is not built yet");
    const std::string u = std::to_string(options_.units);
    const std::string biases =
        options_.use_bias ? (options_.reset_after ? " + 2)" : " + 1)") : ")";
    return "3·" + u + "·(" + std::to_string(input_dim_) + " + " + u + biases;
}

template <class T>
std::vector<Tensor<T>> GRU<T>::get_weights() const
{
    if (!this->built_) return {};
    if (options_.use_bias) return {kernel.value, recurrent_kernel.value, bias.value};
    return {kernel.value, recurrent_kernel.value};
}

template <class T>
void GRU<T>::set_weights(const std::vector<Tensor<T>>& weights)
{
    const std::string nm = this->name();
    const std::size_t u = options_.units;
    const std::size_t expected = options_.use_bias ? 3 : 2;
    if (weights.size() != expected)
        throw Error(nm + ": set_weights expects " + std::to_string(expected) +
                    " arrays [kernel, recurrent_kernel" + (options_.use_bias ? ", bias" : "") +
                    "], got " + std::to_string(weights.size()));
    if (weights[0].dimension() != 2 || weights[0].shape()[1] != 3 * u)
        throw Error(nm + ": set_weights: kernel has shape " + shape_str(weights[0].shape()) +
                    ", expected [input_dim, " + std::to_string(3 * u) +
                    "] (3·units: gates z, r, h)");
    if (!this->built_) build_features(weights[0].shape()[0]);
    const auto check = [&](const Tensor<T>& w, const Shape& want, const std::string& what) {
        if (Shape(w.shape().begin(), w.shape().end()) != want)
            throw Error(nm + ": set_weights: " + what + " has shape " + shape_str(w.shape()) +
                        ", expected " + shape_str(want));
    };
    check(weights[0], {input_dim_, 3 * u}, "kernel");
    check(weights[1], {u, 3 * u}, "recurrent_kernel");
    if (options_.use_bias)
        check(weights[2], bias_shape(),
              options_.reset_after
                  ? "bias (reset_after = true: input and recurrent bias rows)"
                  : "bias (reset_after = false: one bias)");
    kernel.value = weights[0];
    recurrent_kernel.value = weights[1];
    if (options_.use_bias) bias.value = weights[2];
}

template class GRU<float>;
template class GRU<double>;

}  // namespace elman
