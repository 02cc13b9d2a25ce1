#include "layers/time_distributed.hpp"

#include "core/error.hpp"
#include "core/ops.hpp"

namespace elman {

template <class T>
TimeDistributed<T>::TimeDistributed(std::shared_ptr<Module<T>> layer) : layer_(std::move(layer))
{
    if (!layer_) throw Error("time_distributed: the wrapped layer is null");
}

template <class T>
Var<T> TimeDistributed<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    const Shape xs = x.shape(this->name().c_str());
    if (xs.size() < 3)
        throw Error(this->name() + ": expects input [batch, timesteps, ...] (rank >= 3), got " +
                    shape_str(xs));
    // rows [B·T, ...]: step t of sequence b is row b·T + t
    Shape rows{xs[0] * xs[1]};
    rows.insert(rows.end(), xs.begin() + 2, xs.end());
    const Var<T> y = layer_->forward(tape, reshape(x, rows), {.training = ctx.training, .mask = nullptr});
    this->built_ = true;
    const Shape ys = y.shape(this->name().c_str());
    Shape out{xs[0], xs[1]};
    out.insert(out.end(), ys.begin() + 1, ys.end());
    return reshape(y, out);
}

template <class T>
void TimeDistributed<T>::build(const Shape& input_shape)
{
    if (input_shape.size() < 2)
        throw Error(this->name() + ": build expects {timesteps, features, ...} without the batch axis, got " +
                    shape_str(input_shape));
    layer_->build(Shape(input_shape.begin() + 1, input_shape.end()));
    this->built_ = true;
}

template <class T>
Shape TimeDistributed<T>::output_shape(const Shape& input_shape) const
{
    if (input_shape.size() < 2)
        throw Error(this->name() + ": output_shape expects {timesteps, features, ...}, got " + shape_str(input_shape));
    const Shape inner = layer_->output_shape(Shape(input_shape.begin() + 1, input_shape.end()));
    Shape out{input_shape[0]};
    out.insert(out.end(), inner.begin(), inner.end());
    return out;
}

template class TimeDistributed<float>;
template class TimeDistributed<double>;

}  // namespace elman
