// The benchmark's model written with elman's public API only, as a user would:
// Sequential{SimpleRNN(H) (fused or composed), Dense(1)}, mse, Adam(1e-3), one Tape per step.
// Shared by elman_bench (timing) and reference_bptt --check (agreement). `cell` picks the
// recurrent layer by name (layers/cells.hpp: "simple", "lstm", ...), with Keras' defaults.
//
// Variants (elman_bench --masked / --dropout): a right-padding mask of lengths T, 3T/4, T/2,
// T/4 (row b: T − (b mod 4)·⌊T/4⌋, 37.5% of the steps padded) passed to forward();
// recurrent_dropout 0.2, and dropout 0.2 when F > 1, active in the training step. (With F = 1
// input dropout zeroes whole sequences, whose state then stays 0: tanh' = 1 there, and with
// recurrent_dropout's 1/(1 − rate) the gradient grows back over 500 steps until it overflows
// float32, which is Keras' arithmetic too, but no workload to time.)
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/bench_common.hpp"
#include "core/tape.hpp"
#include "layers/cells.hpp"
#include "layers/dense.hpp"
#include "layers/losses.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

namespace bench {

class ElmanModel {
public:
    ElmanModel(const Workload& w, const Batch& batch, bool fused, std::uint64_t seed = 7,
               bool masked = false, bool dropout = false, const std::string& cell = "simple")
    {
        layer = elman::make_recurrent_layer<float>(
            cell, {.units = static_cast<std::size_t>(w.H), .seed = seed,
                   .dropout = dropout && w.F > 1 ? 0.2 : 0.0,
                   .recurrent_dropout = dropout ? 0.2 : 0.0, .fused = fused});
        model.add(layer);
        rnn = std::dynamic_pointer_cast<elman::SimpleRNN<float>>(layer);
        dense = model.emplace<elman::Dense<float>>(elman::DenseOptions{.units = 1, .seed = seed + 1});
        model.build({static_cast<std::size_t>(w.T), static_cast<std::size_t>(w.F)});
        opt = std::make_unique<elman::Adam<float>>(model.parameters());
        x = elman::Tensor<float>::from_shape({static_cast<std::size_t>(w.B),
                                              static_cast<std::size_t>(w.T),
                                              static_cast<std::size_t>(w.F)});
        std::copy(batch.x.begin(), batch.x.end(), x.data());
        y = elman::Tensor<float>::from_shape({static_cast<std::size_t>(w.B), 1});
        std::copy(batch.y.begin(), batch.y.end(), y.data());
        if (masked) {
            const std::size_t nb = x.shape()[0], nt = x.shape()[1];
            mask = elman::Mask::from_shape({nb, nt});
            for (std::size_t b = 0; b < nb; ++b)
                for (std::size_t t = 0; t < nt; ++t) mask(b, t) = t < nt - (b % 4) * (nt / 4);
        }
        ctx.mask = masked ? &mask : nullptr;
    }

    // zero_grad, forward, loss, backward (no update); returns the loss.
    float loss_and_grad()
    {
        elman::Tape<float> tape;
        opt->zero_grad();
        elman::CallContext train = ctx;
        train.training = true;
        const auto pred = model.forward(tape, tape.constant(x), train);
        const auto loss = elman::mse(pred, tape.constant(y));
        tape.backward(loss);
        return loss.item();
    }

    // One training step: zero_grad, forward, loss, backward, Adam step.
    float train_step()
    {
        const float loss = loss_and_grad();
        opt->step();
        return loss;
    }

    // Forward only, under NoGrad; returns the first prediction.
    float infer()
    {
        elman::NoGrad guard;
        elman::Tape<float> tape;
        const auto pred = model.forward(tape, tape.constant(x), ctx);
        return pred.value().data()[0];
    }

    elman::Sequential<float> model;
    std::shared_ptr<elman::RecurrentLayer<float>> layer;
    std::shared_ptr<elman::SimpleRNN<float>> rnn;  // the layer when cell is "simple", else null
    std::shared_ptr<elman::Dense<float>> dense;
    std::unique_ptr<elman::Adam<float>> opt;
    elman::Tensor<float> x, y;
    elman::Mask mask;
    elman::CallContext ctx;  // the mask, if any (training is set per step)
};

}  // namespace bench
