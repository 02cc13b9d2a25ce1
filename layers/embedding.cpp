#include "layers/embedding.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/init.hpp"
#include "layers/targets.hpp"

namespace elman {

namespace {

const char* const k_initializers[] = {"uniform", "random_uniform", "normal", "random_normal",
                                      "glorot_uniform", "zeros"};

// The lookup as one tape node, inputs (x, embeddings):
//   y[i, :] = E[id_i, :]          ids:[N] (x flattened)  E:[V,D] -> y:[N,D], reshaped to x + [D]
//   dE[id_i, :] += dy[i, :]       for every i: a scatter-add, so an id used at several
//                                 positions receives the sum of their gradients
// x gets no gradient: ids are not differentiable.
template <class T>
Var<T> lookup(const Var<T>& x, const Var<T>& table, std::vector<std::size_t> ids, std::size_t d)
{
    Shape ys = x.shape("embedding");
    ys.push_back(d);
    Tensor<T> y = Tensor<T>::from_shape(ys);
    const T* e = table.value("embedding").data();
    for (std::size_t i = 0; i < ids.size(); ++i) std::copy_n(e + ids[i] * d, d, y.data() + i * d);
    return record<T>("embedding", std::move(y), {x, table}, [ids = std::move(ids), d](BackwardContext<T>& c) {
        if (!c.needs_grad(1)) return;
        const T* dy = c.grad().data();
        T* de = c.grad_buffer(1).data();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            T* row = de + ids[i] * d;
            for (std::size_t j = 0; j < d; ++j) row[j] += dy[i * d + j];
        }
    });
}

}  // namespace

template <class T>
Embedding<T>::Embedding(EmbeddingOptions options) : options_(std::move(options))
{
    if (options_.input_dim == 0 || options_.output_dim == 0)
        throw Error("embedding: input_dim and output_dim must be positive, got input_dim " +
                    std::to_string(options_.input_dim) + ", output_dim " +
                    std::to_string(options_.output_dim));
    if (std::find(std::begin(k_initializers), std::end(k_initializers),
                  options_.embeddings_initializer) == std::end(k_initializers))
        throw Error("embedding: unknown embeddings_initializer \"" + options_.embeddings_initializer +
                    "\" (expected uniform, normal, glorot_uniform or zeros)");
}

template <class T>
void Embedding<T>::create_weights()
{
    if (this->built_) return;
    const Shape s{options_.input_dim, options_.output_dim};
    const std::string& init = options_.embeddings_initializer;
    embeddings.name = this->name() + "/embeddings";
    if (init == "uniform" || init == "random_uniform")
        embeddings.value = uniform<T>(s, T(-0.05), T(0.05), options_.seed);
    else if (init == "normal" || init == "random_normal")
        embeddings.value = normal<T>(s, T(0), T(0.05), options_.seed);
    else if (init == "glorot_uniform")
        embeddings.value = glorot_uniform<T>(s, options_.seed);
    else
        embeddings.value = zeros<T>(s);
    this->built_ = true;
}

template <class T>
void Embedding<T>::build(const Shape& input_shape)
{
    (void)input_shape;
    create_weights();
}

template <class T>
Shape Embedding<T>::output_shape(const Shape& input_shape) const
{
    Shape s = input_shape;
    s.push_back(options_.output_dim);
    return s;
}

template <class T>
Var<T> Embedding<T>::forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx)
{
    (void)ctx;
    const std::string nm = this->name();
    const Shape xs = x.shape(nm.c_str());
    if (xs.empty())
        throw Error(nm + ": expects token ids with a batch axis, [batch, ...], got a scalar");
    create_weights();
    const std::size_t v = options_.input_dim;
    std::vector<std::size_t> ids =
        to_ids(x.value(), v, nm, "x", "token id",
               "token ids are integers in [0, " + std::to_string(v) + ") (input_dim " +
                   std::to_string(v) + ")");
    return lookup(x, tape.param(embeddings), std::move(ids), options_.output_dim);
}

template <class T>
std::optional<Mask> Embedding<T>::compute_mask(const Var<T>& x, const Mask* mask) const
{
    (void)mask;
    if (!options_.mask_zero) return std::nullopt;
    const Tensor<T>& v = x.value(this->name().c_str());
    if (v.dimension() != 2)
        throw Error(this->name() + ": mask_zero needs token ids [batch, timesteps], got " +
                    shape_str(v.shape()));
    Mask m = Mask::from_shape({v.shape()[0], v.shape()[1]});
    for (std::size_t i = 0; i < v.size(); ++i) m.data()[i] = v.data()[i] != T(0);
    return m;
}

template <class T>
std::vector<Parameter<T>*> Embedding<T>::parameters()
{
    if (!this->built_) return {};
    return {&embeddings};
}

template <class T>
std::size_t Embedding<T>::param_count() const
{
    return options_.input_dim * options_.output_dim;
}

template <class T>
std::string Embedding<T>::param_formula() const
{
    return std::to_string(options_.input_dim) + "·" + std::to_string(options_.output_dim);
}

template <class T>
std::vector<Tensor<T>> Embedding<T>::get_weights() const
{
    if (!this->built_) return {};
    return {embeddings.value};
}

template <class T>
void Embedding<T>::set_weights(const std::vector<Tensor<T>>& weights)
{
    if (weights.size() != 1)
        throw Error(this->name() + ": set_weights expects 1 array [embeddings], got " +
                    std::to_string(weights.size()));
    const Shape want{options_.input_dim, options_.output_dim};
    if (Shape(weights[0].shape().begin(), weights[0].shape().end()) != want)
        throw Error(this->name() + ": set_weights: embeddings has shape " +
                    shape_str(weights[0].shape()) + ", expected " + shape_str(want));
    create_weights();
    embeddings.value = weights[0];
}

template class Embedding<float>;
template class Embedding<double>;

}  // namespace elman
