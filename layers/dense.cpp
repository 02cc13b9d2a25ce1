#include "layers/dense.hpp"

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/ops.hpp"

namespace elman {

template <class T>
Dense<T>::Dense(DenseOptions options) : options_(options)
{
    if (options_.units == 0) throw Error("dense: units must be positive, got 0");
}

template <class T>
void Dense<T>::build_features(std::size_t features)
{
    if (this->built_for_features(features, input_dim_, kernel)) return;
    input_dim_ = features;
    kernel.name = this->name() + "/kernel";
    kernel.value = glorot_uniform<T>({features, options_.units}, options_.seed);
    if (options_.use_bias) {
        bias.name = this->name() + "/bias";
        bias.value = zeros<T>({options_.units});
    }
    this->built_ = true;
}

template <class T>
void Dense<T>::build(const Shape& input_shape)
{
    if (input_shape.empty() || input_shape.size() > 2)
        throw Error(this->name() + ": build expects the input shape without the batch axis, "
                    "{features} or {timesteps, features}, got " + shape_str(input_shape));
    build_features(input_shape.back());
}

template <class T>
Shape Dense<T>::output_shape(const Shape& input_shape) const
{
    Shape s = input_shape;
    if (s.empty()) throw Error(this->name() + ": output_shape of a scalar input");
    s.back() = options_.units;
    return s;
}

template <class T>
Shape Dense<T>::built_input_shape() const
{
    if (!this->built_) return {};
    return {input_dim_};
}

// y = act(x·W + b)      x:[B,F] or [B,T,F]   W:[F,U]   b:[U] (broadcast over rows)
template <class T>
Var<T> Dense<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    (void)ctx;  // no dropout; a mask passes through (compute_mask)
    const Shape xs = x.shape(this->name().c_str());
    if (xs.size() != 2 && xs.size() != 3)
        throw Error(this->name() + ": expects input [batch, features] or [batch, timesteps, "
                    "features], got " + shape_str(xs));
    build_features(xs.back());
    const Var<T> y = options_.use_bias ? affine(x, tape.param(kernel), tape.param(bias))
                                       : matmul(x, tape.param(kernel));
    return activate(y, options_.activation);
}

template <class T>
std::vector<Parameter<T>*> Dense<T>::parameters()
{
    if (!this->built_) return {};
    if (options_.use_bias) return {&kernel, &bias};
    return {&kernel};
}

template <class T>
std::size_t Dense<T>::param_count() const
{
    if (!this->built_) throw Error(this->name() + ": param_count: the layer is not built yet");
    return input_dim_ * options_.units + (options_.use_bias ? options_.units : 0);
}

template <class T>
std::string Dense<T>::param_formula() const
{
    if (!this->built_) throw Error(this->name() + ": param_formula: the layer is not built yet");
    const std::string u = std::to_string(options_.units);
    return std::to_string(input_dim_) + "·" + u + (options_.use_bias ? " + " + u : "");
}

template <class T>
std::vector<Tensor<T>> Dense<T>::get_weights() const
{
    if (!this->built_) return {};
    if (options_.use_bias) return {kernel.value, bias.value};
    return {kernel.value};
}

template <class T>
void Dense<T>::set_weights(const std::vector<Tensor<T>>& weights)
{
    const std::size_t expected = options_.use_bias ? 2 : 1;
    if (weights.size() != expected)
        throw Error(this->name() + ": set_weights expects " + std::to_string(expected) +
                    " arrays [kernel" + (options_.use_bias ? ", bias" : "") + "], got " +
                    std::to_string(weights.size()));
    if (weights[0].dimension() != 2)
        throw Error(this->name() + ": set_weights: kernel must be [input_dim, " +
                    std::to_string(options_.units) + "], got " + shape_str(weights[0].shape()));
    if (!this->built_) build_features(weights[0].shape()[0]);
    const Shape ks{input_dim_, options_.units};
    if (Shape(weights[0].shape().begin(), weights[0].shape().end()) != ks)
        throw Error(this->name() + ": set_weights: kernel has shape " +
                    shape_str(weights[0].shape()) + ", expected " + shape_str(ks));
    if (options_.use_bias && (weights[1].dimension() != 1 || weights[1].size() != options_.units))
        throw Error(this->name() + ": set_weights: bias has shape " +
                    shape_str(weights[1].shape()) + ", expected " +
                    shape_str(Shape{options_.units}));
    kernel.value = weights[0];
    if (options_.use_bias) bias.value = weights[1];
}

template class Dense<float>;
template class Dense<double>;

}  // namespace elman
