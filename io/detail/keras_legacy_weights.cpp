// Older Keras weight layouts (io/detail/keras_legacy_weights.hpp).
#include "io/detail/keras_legacy_weights.hpp"

#include <cmath>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "core/error.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"

namespace elman::detail {

namespace {

// Dataset `name` of the file, checked to be finite.
template <class T>
Tensor<T> read_finite(const Hdf5Reader& r, const std::string& name, const std::string& whom)
{
    if (!r.has_dataset(name)) throw Error(r.shown() + ": " + whom + ": missing weight: no dataset " + name);
    Tensor<T> t = r.read<T>(name);
    for (std::size_t k = 0; k < t.size(); ++k)
        if (!std::isfinite(t.data()[k]))
            throw Error(r.shown() + ": " + whom + ": weight " + name + " holds a non-finite value at flat index " + std::to_string(k));
    return t;
}

// CuDNNLSTM hands each gate's kernel block k_g [F,U] to cuDNN flattened as stored (its
// _canonical_to_params reshapes without a transpose), and cuDNN reads it as a row-major [U,F]
// matrix W_g: W_g(q, f) = k_g.flat[q·F + f]; likewise R_g(q, p) = rk_g.flat[q·U + p] = rk_g(q, p).
// The LSTM's kernel is W_gᵀ and its recurrent kernel R_gᵀ per gate, as Keras 2's
// _convert_rnn_weights does it (transpose_input(from_cudnn=True), then k.T per recurrent block).
// Arrays of another shape are left for the shape check to name.
template <class T>
void from_cudnn_layout(Tensor<T>& kernel, Tensor<T>& recurrent, std::size_t u)
{
    if (kernel.dimension() != 2 || kernel.shape()[1] != 4 * u || recurrent.shape() != std::vector<std::size_t>{u, 4 * u}) return;
    const std::size_t f = kernel.shape()[0];
    Tensor<T> k = Tensor<T>::from_shape({f, 4 * u}), rk = Tensor<T>::from_shape({u, 4 * u});
    std::vector<T> block(f * u);
    for (std::size_t g = 0; g < 4; ++g) {
        for (std::size_t a = 0; a < f; ++a)
            for (std::size_t q = 0; q < u; ++q) block[a * u + q] = kernel(a, g * u + q);  // k_g, row-major
        for (std::size_t q = 0; q < u; ++q)
            for (std::size_t a = 0; a < f; ++a) k(a, g * u + q) = block[q * f + a];
        for (std::size_t q = 0; q < u; ++q)
            for (std::size_t p = 0; p < u; ++p) rk(p, g * u + q) = recurrent(q, g * u + p);
    }
    kernel = std::move(k);
    recurrent = std::move(rk);
}

// Older LSTM layouts, as Keras 2's preprocess_weights_for_loading converts them: Keras 1 kept
// 12 arrays, W, U and b of each gate in the order i, c, f, o (kernel = [W_i | W_f | W_c | W_o]);
// CuDNNLSTM one bias [8U], the input product's then the recurrent product's, which add up, and
// its kernels in cuDNN's reading (from_cudnn_layout).
// Returns the LSTM's [kernel, recurrent_kernel, bias], or nothing when `ds` is neither.
}  // namespace

template <class T>
std::optional<std::vector<Tensor<T>>> legacy_lstm_weights(const Hdf5Reader& r, const Module<T>& layer,
                                                          const std::vector<std::string>& ds)
{
    const auto* lstm = dynamic_cast<const LSTM<T>*>(&layer);
    if (!lstm) return std::nullopt;
    const std::size_t u = lstm->options().units;
    if (ds.size() == 12) {
        std::vector<Tensor<T>> w;
        for (const std::string& d : ds) w.push_back(read_finite<T>(r, d, layer_who(layer)));
        std::vector<Tensor<T>> out;
        for (std::size_t part = 0; part < 3; ++part) {  // W, U, b
            std::vector<Tensor<T>> gates;
            for (std::size_t g : {0u, 2u, 1u, 3u}) gates.push_back(w[3 * g + part]);  // i, f, c, o
            for (const Tensor<T>& t : gates)
                if (t.shape().back() != u)
                    throw Error(r.shown() + ": " + layer_who(layer) + ": Keras 1 per-gate weight has shape " + shape_str(t.shape()) +
                                ", expected its last axis to be units " + std::to_string(u));
            out.push_back(xt::concatenate(xt::xtuple(gates[0], gates[1], gates[2], gates[3]), gates[0].dimension() - 1));
        }
        return out;
    }
    if (ds.size() == 3 && r.has_dataset(ds[2]) && r.dataset_shape(ds[2]) == Shape{8 * u}) {
        std::vector<Tensor<T>> w;
        for (const std::string& d : ds) w.push_back(read_finite<T>(r, d, layer_who(layer)));
        Tensor<T> bias = xt::view(w[2], xt::range(0, 4 * u)) + xt::view(w[2], xt::range(4 * u, 8 * u));
        w[2] = std::move(bias);
        from_cudnn_layout(w[0], w[1], u);
        return w;
    }
    return std::nullopt;
}

// Keras 1's GRU kept nine arrays, W, U and b of each gate in the order z, r, h; Keras 2's
// preprocess_weights_for_loading concatenates them gate by gate: kernel = [W_z | W_r | W_h],
// recurrent_kernel = [U_z | U_r | U_h], bias = [b_z | b_r | b_h] (its reset_after = false form).
// Returns the GRU's [kernel, recurrent_kernel, bias], or nothing when `ds` is not that layout.
template <class T>
std::optional<std::vector<Tensor<T>>> keras1_gru_weights(const Hdf5Reader& r, const Module<T>& layer,
                                                         const std::vector<std::string>& ds)
{
    const auto* gru = dynamic_cast<const GRU<T>*>(&layer);
    if (!gru || ds.size() != 9 || gru->options().reset_after || !gru->options().use_bias) return std::nullopt;
    std::vector<Tensor<T>> w;
    for (const std::string& d : ds) w.push_back(read_finite<T>(r, d, layer_who(layer)));
    std::vector<Tensor<T>> out;
    for (std::size_t part = 0; part < 3; ++part) {  // W, U, b
        const Tensor<T>& z = w[part];
        for (std::size_t g = 1; g < 3; ++g)
            if (w[3 * g + part].shape() != z.shape() || z.dimension() == 0)
                throw Error(r.shown() + ": " + layer_who(layer) + ": Keras 1 per-gate weights " + ds[part] + " " + shape_str(z.shape()) +
                            " and " + ds[3 * g + part] + " " + shape_str(w[3 * g + part].shape()) + " differ in shape");
        out.push_back(xt::concatenate(xt::xtuple(z, w[3 + part], w[6 + part]), z.dimension() - 1));
    }
    return out;
}

#define ELMAN_INSTANTIATE_LEGACY(T)                                                                                        \
    template std::optional<std::vector<Tensor<T>>> legacy_lstm_weights<T>(const Hdf5Reader&, const Module<T>&,            \
                                                                          const std::vector<std::string>&);               \
    template std::optional<std::vector<Tensor<T>>> keras1_gru_weights<T>(const Hdf5Reader&, const Module<T>&,             \
                                                                         const std::vector<std::string>&);

ELMAN_INSTANTIATE_LEGACY(float)
ELMAN_INSTANTIATE_LEGACY(double)
#undef ELMAN_INSTANTIATE_LEGACY

}  // namespace elman::detail
