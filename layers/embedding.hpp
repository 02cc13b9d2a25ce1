// Embedding: integer token ids -> dense vectors, Keras' Embedding(input_dim, output_dim).
//
//   y[b, t, :] = embeddings[x[b, t], :]      x:[B,T] ids in [0, input_dim)   embeddings:[V,D]
//   any rank: y has x's shape + [D] (x:[B] -> [B,D])
//
// The ids come in a Tensor<T> like every input in elman (whose tensors hold float or double):
// each must be an integral value in [0, input_dim). float holds every integer below 2^24 =
// 16,777,216 exactly, so any vocabulary fits. A value that is not such an id (2.5, −1, 1000 for
// input_dim 1000, NaN) is an IdError naming the value and its position; fit, evaluate and
// predict rethrow it naming the sample of their x. x receives no gradient.
//
// mask_zero (Keras): id 0 means padding. compute_mask() then gives x != 0, [B,T], which
// Sequential passes to the layers after it (the recurrent layers skip masked steps). Id 0 keeps
// its own row of the table, and input_dim must count it (vocabulary size + 1), as in Keras.
//
// Weights: embeddings [input_dim, output_dim], Keras' "uniform" initializer U(−0.05, 0.05);
// param count input_dim·output_dim. Looking up a row of embeddings is the same as multiplying a
// one-hot row vector by it, so Embedding(V, D) equals Dense(D, use_bias = false) on one-hot
// inputs, without building them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/module.hpp"

namespace elman {

struct EmbeddingOptions {
    std::size_t input_dim = 0;   // V: number of ids (largest id + 1); required (> 0)
    std::size_t output_dim = 0;  // D: size of each vector; required (> 0)
    // "uniform" (Keras' default: U(−0.05, 0.05)), "normal" (N(0, 0.05²)), "glorot_uniform",
    // "zeros"; Keras' aliases "random_uniform" and "random_normal" are accepted too.
    std::string embeddings_initializer = "uniform";
    bool mask_zero = false;      // id 0 is padding: compute_mask gives x != 0; default false
    std::uint64_t seed = 0;      // seeds the initializer; default 0
};

template <class T>
class Embedding : public Module<T> {
public:
    explicit Embedding(EmbeddingOptions options);

    // x: token ids [B, ...] -> [B, ..., D]. A mask in ctx is ignored (Keras' Embedding makes
    // masks, it does not consume them).
    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    // With mask_zero: x != 0 for x:[B,T] (throws for another rank); otherwise none (Keras).
    std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const override;
    std::vector<Parameter<T>*> parameters() override;
    std::string default_name() const override { return "embedding"; }
    // Any input shape ({T}, {}): the table depends only on the options.
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;  // input_shape + {D}
    std::size_t param_count() const override;
    std::string param_formula() const override;  // "input_dim·output_dim", e.g. "40·16"
    std::string type() const override { return "Embedding"; }

    // Keras order and layout: [embeddings [input_dim, output_dim]].
    std::vector<Tensor<T>> get_weights() const;
    // Throws naming the layer and both shapes on a wrong count or shape.
    void set_weights(const std::vector<Tensor<T>>& weights);

    const EmbeddingOptions& options() const { return options_; }

    Parameter<T> embeddings;

private:
    void create_weights();

    EmbeddingOptions options_;
};

}  // namespace elman
