// Keras' GRU written out with plain loops in float64, independent of the layer's code: the
// cell of keras/src/layers/rnn/gru.py (implementation 1, gate by gate, which is what Keras
// runs with recurrent_dropout and equals implementation 2 without), the masked recurrence of
// keras/src/backend/tensorflow/rnn.py (state carried over padded steps; the output there is the
// previous output, 0 before the first real step, or 0 with zero_output_for_mask), and
// go_backwards (input and mask reversed, outputs in processing order).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <xtensor/xview.hpp>

#include "layers/gru.hpp"

namespace elman::test {

inline double act_ref(Activation a, double v)
{
    switch (a) {
    case Activation::tanh: return std::tanh(v);
    case Activation::relu: return v > 0 ? v : 0;
    case Activation::sigmoid: return 1 / (1 + std::exp(-v));
    case Activation::linear: return v;
    case Activation::hard_sigmoid: return std::clamp(v / 6 + 0.5, 0.0, 1.0);
    case Activation::hard_sigmoid_keras2: return std::clamp(0.2 * v + 0.5, 0.0, 1.0);
    case Activation::softmax: break;  // refused by the layer
    }
    return v;
}

struct GRURef {
    Tensor<double> output;  // [B,T,U] with return_sequences, else [B,U]
    Tensor<double> state;   // [B,U]
};

// drop: the layer's dropout masks of the call (input [G,B,F], recurrent [3,B,U]) or null.
inline GRURef gru_reference(const Tensor<double>& x, const GRU<double>& l,
                            const Tensor<double>* h0 = nullptr, const Mask* mask = nullptr,
                            const GateDropoutMasks<double>* drop = nullptr)
{
    const GRUOptions& o = l.options();
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2], nu = o.units;
    const Tensor<double>& w = l.kernel.value;
    const Tensor<double>& r = l.recurrent_kernel.value;
    const double* bias = o.use_bias ? l.bias.value.data() : nullptr;
    const auto dx = [&](std::size_t g, std::size_t b, std::size_t f) {
        if (!drop || !drop->has_input()) return 1.0;
        return drop->input(drop->input.shape()[0] == 1 ? 0 : g, b, f);
    };
    const auto dh = [&](std::size_t g, std::size_t b, std::size_t k) {
        return drop && drop->has_recurrent() ? drop->recurrent(g, b, k) : 1.0;
    };
    Tensor<double> seq = xt::zeros<double>({nb, nt, nu});
    Tensor<double> state = xt::zeros<double>({nb, nu});
    for (std::size_t b = 0; b < nb; ++b) {
        std::vector<double> h(nu, 0.0), prev_out(nu, 0.0);
        if (h0)
            for (std::size_t j = 0; j < nu; ++j) h[j] = (*h0)(b, j);
        for (std::size_t s = 0; s < nt; ++s) {
            const std::size_t t = o.go_backwards ? nt - 1 - s : s;
            std::vector<double> out(nu);
            if (mask && !(*mask)(b, t)) {
                out = o.zero_output_for_mask ? std::vector<double>(nu, 0.0) : prev_out;
            } else {
                // a^x_g = (x ⊙ d_x^g)·W_g + b^x_g;  a^h_g = (h ⊙ d_h^g)·R_g (+ b^h_g)
                std::vector<double> ax(3 * nu, 0.0), ah(3 * nu, 0.0);
                for (std::size_t g = 0; g < 3; ++g)
                    for (std::size_t j = 0; j < nu; ++j) {
                        const std::size_t c = g * nu + j;
                        double v = bias ? bias[c] : 0.0;
                        for (std::size_t f = 0; f < nf; ++f)
                            v += x(b, t, f) * dx(g, b, f) * w(f, c);
                        ax[c] = v;
                        double a = bias && o.reset_after ? bias[3 * nu + c] : 0.0;
                        for (std::size_t k = 0; k < nu; ++k) a += h[k] * dh(g, b, k) * r(k, c);
                        ah[c] = a;
                    }
                std::vector<double> z(nu), rr(nu), next(nu);
                for (std::size_t j = 0; j < nu; ++j) {
                    z[j] = act_ref(o.recurrent_activation, ax[j] + ah[j]);
                    rr[j] = act_ref(o.recurrent_activation, ax[nu + j] + ah[nu + j]);
                }
                for (std::size_t j = 0; j < nu; ++j) {
                    double rec = 0.0;
                    if (o.reset_after) {
                        rec = rr[j] * ah[2 * nu + j];
                    } else {
                        for (std::size_t k = 0; k < nu; ++k)
                            rec += rr[k] * h[k] * dh(2, b, k) * r(k, 2 * nu + j);
                    }
                    const double hh = act_ref(o.activation, ax[2 * nu + j] + rec);
                    next[j] = z[j] * h[j] + (1 - z[j]) * hh;
                }
                h = next;
                out = next;
            }
            prev_out = out;
            for (std::size_t j = 0; j < nu; ++j) seq(b, s, j) = out[j];
        }
        for (std::size_t j = 0; j < nu; ++j) state(b, j) = h[j];
    }
    GRURef ref;
    ref.state = state;
    ref.output = o.return_sequences ? seq
                                    : Tensor<double>(xt::view(seq, xt::all(), nt - 1, xt::all()));
    return ref;
}

}  // namespace elman::test
