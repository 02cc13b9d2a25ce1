#include "layers/sequential.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"

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
    if (layers_.empty()) throw Error(this->name() + ": forward: the model has no layers");
    if (!this->built_) {
        const Shape xs = x.shape(this->name().c_str());
        if (xs.empty()) throw Error(this->name() + ": forward: input must have a batch axis");
        build(Shape(xs.begin() + 1, xs.end()));
    }
    Var<T> y = x;
    std::optional<Mask> mask;
    if (ctx.mask) mask = *ctx.mask;
    for (const auto& l : layers_) {
        const Var<T> out = l->forward(tape, y, {.training = ctx.training,
                                               .mask = mask ? &*mask : nullptr});
        mask = l->compute_mask(y, mask ? &*mask : nullptr);
        y = out;
    }
    output_mask_ = std::move(mask);
    return y;
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
std::size_t Sequential<T>::param_count() const
{
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
    if (!this->built_)
        throw Error(this->name() + ": summary: the model is not built; call build(input_shape) "
                    "or run it on a batch first");
    struct Row {
        std::string layer, shape, params;
    };
    std::vector<Row> rows;
    std::size_t w_layer = 28, w_shape = 22, w_params = 16;
    Shape s = input_shape_;
    for (const auto& l : layers_) {
        s = l->output_shape(s);
        const std::size_t n = l->param_count();
        const std::string formula = l->param_formula();
        Row r{l->name() + " (" + l->type() + ")", keras_shape(s),
              std::to_string(n) + (formula == std::to_string(n) ? "" : " = " + formula)};
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
    const std::size_t total = param_count();
    os << thick << "\n"
       << "Total params: " << total << "\n"
       << "Trainable params: " << total << "\n"
       << "Non-trainable params: 0\n"
       << thin << "\n";
    return os.str();
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace elman
