// An LSTM written out with plain loops over doubles, independent of the layer's code, for the
// tests: Keras' LSTMCell (keras/src/layers/rnn/lstm.py) with its masking rule
// (keras/src/backend/tensorflow/rnn.py) and per-gate dropout masks.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "core/tensor.hpp"
#include "layers/activation.hpp"
#include "layers/module.hpp"

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
    default: break;  // softmax is refused by the recurrent layers
    }
    return v;
}

struct LSTMReferenceInputs {
    const Tensor<double>* kernel = nullptr;            // [F,4U]
    const Tensor<double>* recurrent_kernel = nullptr;  // [U,4U]
    const Tensor<double>* bias = nullptr;              // [4U] or null
    const Tensor<double>* h0 = nullptr;                // [B,U] or null (zeros)
    const Tensor<double>* c0 = nullptr;
    Activation act = Activation::tanh, rec = Activation::sigmoid;
    bool go_backwards = false;
    const Mask* mask = nullptr;  // [B,T] or null
    bool zero_output_for_mask = false;
    const Tensor<double>* input_dropout = nullptr;      // [G,B,F], G = 1 or 4, or null
    const Tensor<double>* recurrent_dropout = nullptr;  // [4,B,U] or null
};

struct LSTMReference {
    Tensor<double> outputs;  // [B,T,U] in processing order (Keras' outputs, with the mask rule)
    Tensor<double> h, c;     // final states [B,U]
};

inline LSTMReference lstm_reference(const Tensor<double>& x, const LSTMReferenceInputs& in)
{
    const std::size_t nb = x.shape()[0], nt = x.shape()[1], nf = x.shape()[2];
    const std::size_t nu = in.recurrent_kernel->shape()[0];
    LSTMReference r{xt::zeros<double>({nb, nt, nu}), xt::zeros<double>({nb, nu}),
                    xt::zeros<double>({nb, nu})};
    const auto mask_x = [&](std::size_t k, std::size_t b, std::size_t f) {
        if (!in.input_dropout) return 1.0;
        return (*in.input_dropout)(in.input_dropout->shape()[0] == 1 ? 0 : k, b, f);
    };
    const auto mask_h = [&](std::size_t k, std::size_t b, std::size_t j) {
        return in.recurrent_dropout ? (*in.recurrent_dropout)(k, b, j) : 1.0;
    };
    for (std::size_t b = 0; b < nb; ++b) {
        std::vector<double> h(nu, 0.0), c(nu, 0.0), prev_out(nu, 0.0);
        for (std::size_t j = 0; j < nu; ++j) {
            if (in.h0) h[j] = (*in.h0)(b, j);
            if (in.c0) c[j] = (*in.c0)(b, j);
        }
        for (std::size_t s = 0; s < nt; ++s) {
            const std::size_t t = in.go_backwards ? nt - 1 - s : s;
            std::vector<double> out(nu);
            if (!in.mask || (*in.mask)(b, t)) {
                std::vector<double> gate[4];
                for (std::size_t k = 0; k < 4; ++k) {
                    gate[k].resize(nu);
                    for (std::size_t j = 0; j < nu; ++j) {
                        const std::size_t col = k * nu + j;
                        double z = in.bias ? (*in.bias)(col) : 0.0;
                        for (std::size_t f = 0; f < nf; ++f)
                            z += x(b, t, f) * mask_x(k, b, f) * (*in.kernel)(f, col);
                        for (std::size_t q = 0; q < nu; ++q)
                            z += h[q] * mask_h(k, b, q) * (*in.recurrent_kernel)(q, col);
                        gate[k][j] = act_ref(k == 2 ? in.act : in.rec, z);
                    }
                }
                for (std::size_t j = 0; j < nu; ++j) {
                    c[j] = gate[1][j] * c[j] + gate[0][j] * gate[2][j];
                    out[j] = gate[3][j] * act_ref(in.act, c[j]);
                }
                h = out;
            } else {
                out = in.zero_output_for_mask ? std::vector<double>(nu, 0.0) : prev_out;
            }
            prev_out = out;
            for (std::size_t j = 0; j < nu; ++j) r.outputs(b, s, j) = out[j];
        }
        for (std::size_t j = 0; j < nu; ++j) {
            r.h(b, j) = h[j];
            r.c(b, j) = c[j];
        }
    }
    return r;
}

}  // namespace elman::test
