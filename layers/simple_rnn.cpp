#include "layers/simple_rnn.hpp"

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/initializers.hpp"
#include "layers/recurrent_common.hpp"

namespace elman {

template <class T>
SimpleRNN<T>::SimpleRNN(SimpleRNNOptions options)
    : options_(std::move(options)),
      dropout_(options_.dropout, options_.recurrent_dropout, options_.seed, "simple_rnn")
{
    if (options_.units == 0) throw Error("simple_rnn: units must be positive, got 0");
    if (!is_elementwise(options_.activation))
        throw Error("simple_rnn: activation " + to_string(options_.activation) +
                    " is not supported for the recurrence (it would make every state a "
                    "probability vector); put it on the output: Dense(units, softmax)");
    for (const std::string* init : {&options_.kernel_initializer,
                                    &options_.recurrent_initializer, &options_.bias_initializer})
        check_initializer(*init, "simple_rnn");
}

template <class T>
void SimpleRNN<T>::build_features(std::size_t features)
{
    if (this->built_for_features(features, input_dim_, kernel)) return;
    const std::size_t u = options_.units;
    input_dim_ = features;
    kernel.name = this->name() + "/kernel";
    kernel.value = initialize<T>(options_.kernel_initializer, {features, u},
                                 derive_seed(options_.seed, 0));
    recurrent_kernel.name = this->name() + "/recurrent_kernel";
    recurrent_kernel.value = initialize<T>(options_.recurrent_initializer, {u, u},
                                           derive_seed(options_.seed, 1));
    if (options_.use_bias) {
        bias.name = this->name() + "/bias";
        bias.value = initialize<T>(options_.bias_initializer, {u}, derive_seed(options_.seed, 2));
    }
    this->built_ = true;
}

template <class T>
void SimpleRNN<T>::build(const Shape& input_shape)
{
    build_features(recurrent_detail::build_features(this->name(), input_shape));
}

template <class T>
Shape SimpleRNN<T>::output_shape(const Shape& input_shape) const
{
    return recurrent_detail::output_shape(this->name(), input_shape, options_.units, options_.return_sequences);
}

template <class T>
Shape SimpleRNN<T>::built_input_shape() const
{
    if (!this->built_) return {};
    return {0, input_dim_};
}

template <class T>
std::shared_ptr<RecurrentLayer<T>> SimpleRNN<T>::recreate(bool go_backwards,
                                                          bool zero_output_for_mask,
                                                          std::uint64_t seed) const
{
    return recurrent_detail::recreate<SimpleRNN, T>(options_, go_backwards, zero_output_for_mask, seed);
}

template <class T>
void SimpleRNN<T>::reset_states()
{
    state_ = Tensor<T>();
    has_state_ = false;
}

template <class T>
std::vector<Parameter<T>*> SimpleRNN<T>::parameters()
{
    if (!this->built_) return {};
    if (options_.use_bias) return {&kernel, &recurrent_kernel, &bias};
    return {&kernel, &recurrent_kernel};
}

template <class T>
std::size_t SimpleRNN<T>::param_count() const
{
    if (!this->built_) throw Error(this->name() + ": param_count: the layer is not built yet");
    const std::size_t u = options_.units;
    return u * (input_dim_ + u + (options_.use_bias ? 1 : 0));
}

template <class T>
std::string SimpleRNN<T>::param_formula() const
{
    if (!this->built_) throw Error(this->name() + ": param_formula: the layer is not built yet");
    const std::string u = std::to_string(options_.units);
    return u + "·(" + std::to_string(input_dim_) + " + " + u +
           (options_.use_bias ? " + 1)" : ")");
}

template <class T>
std::vector<Tensor<T>> SimpleRNN<T>::get_weights() const
{
    if (!this->built_) return {};
    if (options_.use_bias) return {kernel.value, recurrent_kernel.value, bias.value};
    return {kernel.value, recurrent_kernel.value};
}

template <class T>
void SimpleRNN<T>::set_weights(const std::vector<Tensor<T>>& weights)
{
    const std::string nm = this->name();
    const std::size_t u = options_.units;
    const std::size_t expected = options_.use_bias ? 3 : 2;
    if (weights.size() != expected)
        throw Error(nm + ": set_weights expects " + std::to_string(expected) +
                    " arrays [kernel, recurrent_kernel" + (options_.use_bias ? ", bias" : "") +
                    "], got " + std::to_string(weights.size()));
    if (weights[0].dimension() != 2 || weights[0].shape()[1] != u)
        throw Error(nm + ": set_weights: kernel has shape " + shape_str(weights[0].shape()) +
                    ", expected [input_dim, " + std::to_string(u) + "]");
    if (!this->built_) build_features(weights[0].shape()[0]);
    const auto check = [&](const Tensor<T>& w, const Shape& want, const char* what) {
        if (Shape(w.shape().begin(), w.shape().end()) != want)
            throw Error(nm + ": set_weights: " + what + " has shape " + shape_str(w.shape()) +
                        ", expected " + shape_str(want));
    };
    check(weights[0], {input_dim_, u}, "kernel");
    check(weights[1], {u, u}, "recurrent_kernel");
    if (options_.use_bias) check(weights[2], {u}, "bias");
    kernel.value = weights[0];
    recurrent_kernel.value = weights[1];
    if (options_.use_bias) bias.value = weights[2];
}

template class SimpleRNN<float>;
template class SimpleRNN<double>;

}  // namespace elman
