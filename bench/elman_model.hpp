// The benchmark's model written with elman's public API only, as a user would:
// Sequential{SimpleRNN(H) (fused or composed), Dense(1)}, mse, Adam(1e-3), one Tape per step.
// Shared by elman_bench (timing) and reference_bptt --check (agreement).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "bench/bench_common.hpp"
#include "core/tape.hpp"
#include "layers/dense.hpp"
#include "layers/losses.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

namespace bench {

class ElmanModel {
public:
    ElmanModel(const Workload& w, const Batch& batch, bool fused, std::uint64_t seed = 7)
    {
        rnn = model.emplace<elman::SimpleRNN<float>>(elman::SimpleRNNOptions{
            .units = static_cast<std::size_t>(w.H), .seed = seed, .fused = fused});
        dense = model.emplace<elman::Dense<float>>(elman::DenseOptions{.units = 1, .seed = seed + 1});
        model.build({static_cast<std::size_t>(w.T), static_cast<std::size_t>(w.F)});
        opt = std::make_unique<elman::Adam<float>>(model.parameters());
        x = elman::Tensor<float>::from_shape({static_cast<std::size_t>(w.B),
                                              static_cast<std::size_t>(w.T),
                                              static_cast<std::size_t>(w.F)});
        std::copy(batch.x.begin(), batch.x.end(), x.data());
        y = elman::Tensor<float>::from_shape({static_cast<std::size_t>(w.B), 1});
        std::copy(batch.y.begin(), batch.y.end(), y.data());
    }

    // zero_grad, forward, loss, backward (no update); returns the loss.
    float loss_and_grad()
    {
        elman::Tape<float> tape;
        opt->zero_grad();
        const auto pred = model.forward(tape, tape.constant(x));
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
        const auto pred = model.forward(tape, tape.constant(x));
        return pred.value().data()[0];
    }

    elman::Sequential<float> model;
    std::shared_ptr<elman::SimpleRNN<float>> rnn;
    std::shared_ptr<elman::Dense<float>> dense;
    std::unique_ptr<elman::Adam<float>> opt;
    elman::Tensor<float> x, y;
};

}  // namespace bench
