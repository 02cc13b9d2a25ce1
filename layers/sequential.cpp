#include "layers/sequential.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "layers/recurrent.hpp"

namespace elman {

namespace {

// Keras prints shapes with the batch axis as None: (None, 12, 4). 0 (any length) is None too.
std::string keras_shape(const Shape& s)
{
    std::string out = "(None";
    for (std::size_t d : s) out += ", " + (d == 0 ? std::string("None") : std::to_string(d));
    return out + ")";
}

// Display width of UTF-8 text (the formula's "·" is two bytes, one column).
std::size_t columns(const std::string& s)
{
    std::size_t n = 0;
    for (unsigned char ch : s) n += (ch & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

std::string pad(const std::string& s, std::size_t width)
{
    const std::size_t n = columns(s);
    return s + std::string(n < width ? width - n : 1, ' ');
}

std::string joined(const std::vector<std::string>& parts)
{
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i)
        s += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return s;
}

const char* const k_how_to_build =
    "call build(input_shape) (without the batch axis), run the model on a batch, or "
    "set_weights on each layer";

}  // namespace

template <class T>
std::shared_ptr<Module<T>> Sequential<T>::add(std::shared_ptr<Module<T>> layer)
{
    if (!layer) throw Error(this->name() + ": add: null layer");
    if (!layer->has_name()) {
        const std::string base = layer->default_name();
        const std::size_t k = name_counts_[base]++;
        layer->set_name(k == 0 ? base : base + "_" + std::to_string(k));
    }
    if (this->built_) {
        Shape s = input_shape_;
        for (const auto& l : layers_) s = l->output_shape(s);
        layer->build(s);
    }
    layers_.push_back(layer);
    return layer;
}

template <class T>
void Sequential<T>::build(const Shape& input_shape)
{
    Shape s = input_shape;
    for (const auto& l : layers_) {
        l->build(s);
        s = l->output_shape(s);
    }
    input_shape_ = input_shape;
    this->built_ = true;
}

template <class T>
Var<T> Sequential<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    return run(tape, x, {}, ctx, false).output;
}

template <class T>
typename Sequential<T>::SequentialResult Sequential<T>::call(Tape<T>& tape, const Var<T>& x,
                                                             const LayerStates<T>& initial_states,
                                                             const CallContext& ctx)
{
    return run(tape, x, initial_states, ctx, true);
}

template <class T>
typename Sequential<T>::SequentialResult Sequential<T>::run(Tape<T>& tape, const Var<T>& x,
                                                            const LayerStates<T>& initial_states,
                                                            const CallContext& ctx,
                                                            bool want_states)
{
    if (layers_.empty()) throw Error(this->name() + ": forward: the model has no layers");
    if (!initial_states.empty() && initial_states.size() != layers_.size())
        throw Error(this->name() + ": call: initial_states has " +
                    std::to_string(initial_states.size()) + " entries for " +
                    std::to_string(layers_.size()) + " layers (one per layer, or none)");
    if (!this->built_) {
        const Shape xs = x.shape(this->name().c_str());
        if (xs.empty()) throw Error(this->name() + ": forward: input must have a batch axis");
        build(Shape(xs.begin() + 1, xs.end()));
    }
    SequentialResult r;
    r.states.resize(layers_.size());
    Var<T> y = x;
    std::optional<Mask> mask;
    if (ctx.mask) mask = *ctx.mask;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        Module<T>& l = *layers_[i];
        const CallContext lctx{.training = ctx.training, .mask = mask ? &*mask : nullptr};
        Var<T> out;
        // Only states (asked for or given) need the layer's kind: a forward skips the cast.
        auto* rec = want_states || !initial_states.empty()
                        ? dynamic_cast<RecurrentLayer<T>*>(&l) : nullptr;
        if (rec && want_states) {
            static const std::vector<Var<T>> none;
            auto res = rec->call_states(tape, y, initial_states.empty() ? none : initial_states[i],
                                        lctx);
            out = res.output;
            r.states[i] = std::move(res.states);
        } else if (rec) {
            // forward() records nothing for the states that are not asked for
            out = rec->forward(tape, y, lctx);
        } else {
            if (!initial_states.empty() && !initial_states[i].empty())
                throw Error(this->name() + ": call: layer '" + l.name() + "' (" + l.type() +
                            ") has no state, but initial_states[" + std::to_string(i) +
                            "] gives it " + std::to_string(initial_states[i].size()));
            out = l.forward(tape, y, lctx);
        }
        mask = l.compute_mask(y, mask ? &*mask : nullptr);
        y = out;
    }
    output_mask_ = std::move(mask);
    r.output = y;
    return r;
}

template <class T>
std::optional<Mask> Sequential<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)x;
    (void)mask;
    return output_mask_;
}

template <class T>
std::vector<Parameter<T>*> Sequential<T>::parameters()
{
    std::vector<Parameter<T>*> ps;
    for (const auto& l : layers_)
        for (Parameter<T>* p : l->parameters()) ps.push_back(p);
    return ps;
}

template <class T>
Shape Sequential<T>::output_shape(const Shape& input_shape) const
{
    Shape s = input_shape;
    for (const auto& l : layers_) s = l->output_shape(s);
    return s;
}

template <class T>
bool Sequential<T>::built() const
{
    if (this->built_) return true;
    return !layers_.empty() &&
           std::all_of(layers_.begin(), layers_.end(), [](const auto& l) { return l->built(); });
}

template <class T>
Shape Sequential<T>::input_shape() const
{
    if (this->built_) return input_shape_;
    // The first layer whose weights fix its input shape; the layers before it (Masking,
    // Dropout) must pass that shape through unchanged.
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const Shape s = layers_[i]->built_input_shape();
        if (s.empty()) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (layers_[j]->output_shape(s) != s) return {};
        return s;
    }
    return {};
}

template <class T>
std::vector<std::string> Sequential<T>::unbuilt_layers() const
{
    std::vector<std::string> out;
    for (const auto& l : layers_)
        if (!l->built())
            out.push_back("'" + l->name() + "' (" + l->type() + ") needs its input shape " +
                          l->input_shape_hint());
    return out;
}

template <class T>
std::size_t Sequential<T>::param_count() const
{
    const auto missing = unbuilt_layers();
    if (!missing.empty())
        throw Error(this->name() + ": param_count: the model is not built: " +
                    (missing.size() == 1 ? "layer " : "layers ") + joined(missing) + "; " +
                    k_how_to_build);
    std::size_t n = 0;
    for (const auto& l : layers_) n += l->param_count();
    return n;
}

template <class T>
std::string Sequential<T>::param_formula() const
{
    std::string f;
    for (const auto& l : layers_) f += (f.empty() ? "" : " + ") + std::to_string(l->param_count());
    return f.empty() ? "0" : f;
}

template <class T>
std::string Sequential<T>::summary() const
{
    struct Row {
        std::string layer, shape, params;
    };
    std::vector<Row> rows;
    std::size_t w_layer = 28, w_shape = 22, w_params = 16, total = 0;
    // Shapes follow from the input shape when it is known; "?" after that otherwise.
    Shape s = input_shape();
    bool known = !s.empty();
    for (const auto& l : layers_) {
        if (known) s = l->output_shape(s);
        std::string params = "0 (unbuilt)";
        if (l->built()) {
            const std::size_t n = l->param_count();
            const std::string formula = l->param_formula();
            params = std::to_string(n) + (formula == std::to_string(n) ? "" : " = " + formula);
            total += n;
        }
        Row r{l->name() + " (" + l->type() + ")", known ? keras_shape(s) : "?", params};
        w_layer = std::max(w_layer, columns(r.layer) + 2);
        w_shape = std::max(w_shape, columns(r.shape) + 2);
        w_params = std::max(w_params, columns(r.params));
        rows.push_back(std::move(r));
    }
    const std::size_t width = w_layer + w_shape + w_params + 1;
    const std::string thin(width, '_'), thick(width, '=');
    std::ostringstream os;
    os << "Model: \"" << this->name() << "\"\n" << thin << "\n"
       << " " << pad("Layer (type)", w_layer) << pad("Output Shape", w_shape) << "Param #\n"
       << thick << "\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        os << " " << pad(rows[i].layer, w_layer) << pad(rows[i].shape, w_shape) << rows[i].params
           << "\n";
        if (i + 1 < rows.size()) os << "\n";
    }
    os << thick << "\n"
       << "Total params: " << total << "\n"
       << "Trainable params: " << total << "\n"
       << "Non-trainable params: 0\n"
       << thin << "\n";
    const auto missing = unbuilt_layers();
    if (!missing.empty())
        os << "The model is not built: " << (missing.size() == 1 ? "layer " : "layers ")
           << joined(missing) << "; " << k_how_to_build << ".\n";
    return os.str();
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace elman
