#include "layers/bidirectional.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/ops.hpp"
#include "layers/dropout.hpp"

namespace elman {

namespace {

// y[b,t,:] = x[b,T−1−t,:]            x, y: [B,T,U]
// dx[b,t,:] += dy[b,T−1−t,:]
template <class T>
Var<T> flip_time(const Var<T>& x)
{
    const Tensor<T>& xv = x.value("flip_time");
    const std::size_t nb = xv.shape()[0], nt = xv.shape()[1], nu = xv.shape()[2];
    const auto flip = [nb, nt, nu](const T* from, T* to, bool add) {
        for (std::size_t b = 0; b < nb; ++b)
            for (std::size_t t = 0; t < nt; ++t) {
                const T* src = from + (b * nt + (nt - 1 - t)) * nu;
                T* dst = to + (b * nt + t) * nu;
                for (std::size_t u = 0; u < nu; ++u) dst[u] = add ? dst[u] + src[u] : src[u];
            }
    };
    Tensor<T> y = Tensor<T>::from_shape(xv.shape());
    flip(xv.data(), y.data(), false);
    return record<T>("flip_time", std::move(y), {x}, [flip](BackwardContext<T>& c) {
        if (c.needs_grad(0)) flip(c.grad().data(), c.grad_buffer(0).data(), true);
    });
}

}  // namespace

MergeMode parse_merge_mode(const std::string& name)
{
    if (name == "concat") return MergeMode::concat;
    if (name == "sum") return MergeMode::sum;
    if (name == "mul") return MergeMode::mul;
    if (name == "ave") return MergeMode::ave;
    if (name == "none") return MergeMode::none;
    throw Error("bidirectional: unknown merge_mode \"" + name +
                "\" (expected concat, sum, mul, ave or none)");
}

std::string to_string(MergeMode mode)
{
    switch (mode) {
    case MergeMode::concat: return "concat";
    case MergeMode::sum: return "sum";
    case MergeMode::mul: return "mul";
    case MergeMode::ave: return "ave";
    case MergeMode::none: return "none";
    }
    return "concat";
}

template <class T>
Bidirectional<T>::Bidirectional(const RecurrentLayer<T>& layer, BidirectionalOptions options)
    : options_(options)
{
    if (layer.go_backwards())
        throw Error("bidirectional: the wrapped layer '" + layer.name() +
                    "' has go_backwards set; give it reading forwards (the backward copy reads "
                    "backwards)");
    // Keras forces zero_output_for_mask = return_sequences on both layers.
    const bool zeros = layer.return_sequences();
    forward_ = layer.recreate(false, zeros, layer.seed());
    backward_ = layer.recreate(true, zeros, named_seed(layer.seed(), "backward"));
    forward_->set_name("forward_" + layer.name());
    backward_->set_name("backward_" + layer.name());
}

template <class T>
void Bidirectional<T>::name_parameters()
{
    for (const auto& l : {forward_, backward_})
        for (Parameter<T>* p : l->parameters())
            p->name = this->name() + "/" + l->name() + "/" + p->name.substr(p->name.rfind('/') + 1);
}

template <class T>
void Bidirectional<T>::set_name(std::string name)
{
    this->name_ = std::move(name);
    name_parameters();
}

template <class T>
void Bidirectional<T>::build(const Shape& input_shape)
{
    forward_->build(input_shape);
    backward_->build(input_shape);
    name_parameters();
}

template <class T>
bool Bidirectional<T>::built() const
{
    return forward_->built() && backward_->built();
}

template <class T>
typename Bidirectional<T>::BidirectionalResult Bidirectional<T>::call(
    Tape<T>& tape, const Var<T>& x, const std::vector<Var<T>>& initial_states, const Mask* mask,
    bool training)
{
    (void)tape;
    const std::size_t k = forward_->state_count();
    if (!initial_states.empty() && initial_states.size() != 2 * k)
        throw Error(this->name() + ": expects " + std::to_string(2 * k) +
                    " initial states (the forward layer's, then the backward layer's), got " +
                    std::to_string(initial_states.size()));
    const bool given = !initial_states.empty();
    const std::vector<Var<T>> fw_init =
        given ? std::vector<Var<T>>(initial_states.begin(), initial_states.begin() + k)
              : std::vector<Var<T>>{};
    const std::vector<Var<T>> bw_init =
        given ? std::vector<Var<T>>(initial_states.begin() + k, initial_states.end())
              : std::vector<Var<T>>{};
    const CallContext ctx{.training = training, .mask = mask};
    auto fw = forward_->call_states(tape, x, fw_init, ctx);
    auto bw = backward_->call_states(tape, x, bw_init, ctx);
    name_parameters();  // the first call built the layers

    BidirectionalResult r;
    r.forward_output = fw.output;
    // the backward layer's sequence runs from the last step to the first: flip it back
    r.backward_output = return_sequences() ? flip_time(bw.output) : bw.output;
    r.forward_states = std::move(fw.states);
    r.backward_states = std::move(bw.states);
    const Var<T>& y = r.forward_output;
    const Var<T>& y_rev = r.backward_output;
    switch (options_.merge_mode) {
    case MergeMode::concat: r.output = concat(std::vector<Var<T>>{y, y_rev}, -1); break;
    case MergeMode::sum: r.output = add(y, y_rev); break;
    case MergeMode::mul: r.output = mul(y, y_rev); break;
    case MergeMode::ave: r.output = mul_scalar(add(y, y_rev), T(0.5)); break;
    case MergeMode::none: break;
    }
    return r;
}

template <class T>
Var<T> Bidirectional<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    if (options_.merge_mode == MergeMode::none)
        throw Error(this->name() + ": merge_mode none gives two outputs; use call() for "
                    "forward_output and backward_output");
    return call(tape, x, {}, ctx.mask, ctx.training).output;
}

template <class T>
typename RecurrentLayer<T>::Result Bidirectional<T>::call_states(
    Tape<T>& tape, const Var<T>& x, const std::vector<Var<T>>& initial_states,
    const CallContext& ctx)
{
    if (options_.merge_mode == MergeMode::none)
        throw Error(this->name() + ": merge_mode none gives two outputs; use call()");
    BidirectionalResult r = call(tape, x, initial_states, ctx.mask, ctx.training);
    std::vector<Var<T>> states = std::move(r.forward_states);
    states.insert(states.end(), r.backward_states.begin(), r.backward_states.end());
    return {r.output, std::move(states)};
}

template <class T>
std::optional<Mask> Bidirectional<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    if (!mask || !return_sequences()) return std::nullopt;
    return *mask;
}

template <class T>
std::vector<Parameter<T>*> Bidirectional<T>::parameters()
{
    std::vector<Parameter<T>*> ps = forward_->parameters();
    for (Parameter<T>* p : backward_->parameters()) ps.push_back(p);
    return ps;
}

template <class T>
Shape Bidirectional<T>::output_shape(const Shape& input_shape) const
{
    Shape s = forward_->output_shape(input_shape);
    if (options_.merge_mode == MergeMode::concat) s.back() *= 2;
    return s;
}

template <class T>
Shape Bidirectional<T>::built_input_shape() const
{
    return forward_->built_input_shape();
}

template <class T>
std::string Bidirectional<T>::input_shape_hint() const
{
    return forward_->input_shape_hint();
}

template <class T>
std::size_t Bidirectional<T>::param_count() const
{
    return forward_->param_count() + backward_->param_count();
}

template <class T>
std::string Bidirectional<T>::param_formula() const
{
    return forward_->param_formula() + " + " + backward_->param_formula();
}

template <class T>
void Bidirectional<T>::reset_states()
{
    forward_->reset_states();
    backward_->reset_states();
}

template <class T>
std::shared_ptr<RecurrentLayer<T>> Bidirectional<T>::recreate(bool, bool, std::uint64_t) const
{
    throw Error(this->name() + ": a Bidirectional cannot be wrapped in another Bidirectional");
}

template <class T>
std::vector<Tensor<T>> Bidirectional<T>::get_weights() const
{
    std::vector<Tensor<T>> w = forward_->get_weights();
    for (auto& b : backward_->get_weights()) w.push_back(std::move(b));
    return w;
}

template <class T>
void Bidirectional<T>::set_weights(const std::vector<Tensor<T>>& weights)
{
    if (weights.size() % 2 != 0)
        throw Error(this->name() + ": set_weights expects the forward layer's weights then the "
                    "backward layer's (an even count), got " + std::to_string(weights.size()));
    const auto half = weights.begin() + static_cast<std::ptrdiff_t>(weights.size() / 2);
    forward_->set_weights(std::vector<Tensor<T>>(weights.begin(), half));
    backward_->set_weights(std::vector<Tensor<T>>(half, weights.end()));
    name_parameters();
}

template class Bidirectional<float>;
template class Bidirectional<double>;

}  // namespace elman
