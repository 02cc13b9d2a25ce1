// The LibTorch peer (Debian libtorch-dev 1.13): the same model with torch::nn in C++.
// torch::nn::RNN(F, H, tanh, batch_first) -> Linear(H, 1), mse_loss, torch::optim::Adam(1e-3);
// bias_hh is frozen at zero (Keras' SimpleRNN has one bias). --cell lstm: torch::nn::LSTM(F, H,
// batch_first), bias_hh frozen at zero too (Keras' LSTM has one bias). --cell gru:
// torch::nn::GRU(F, H, batch_first) with both biases trained (Keras' GRU with reset_after has
// both: 3H(F + H + 2) parameters on each side). Threads:
// at::set_num_threads(k) here, OPENBLAS_NUM_THREADS / OMP_NUM_THREADS from bench/run.sh.
//
//   libtorch_bench --workload W1 --threads 1 [--cell lstm|gru]
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_common.hpp"

namespace {

// The recurrent layer of a --cell, and how to get its last h [B,H] from x [B,T,F].
struct Peer {
    std::shared_ptr<torch::nn::Module> module;
    std::function<torch::Tensor(const torch::Tensor&)> last_h;
};

Peer make_peer(const std::string& cell, int F, int H)
{
    if (cell == "simple") {
        torch::nn::RNN rnn(torch::nn::RNNOptions(F, H).nonlinearity(torch::kTanh).batch_first(true));
        // h_n [1,B,H]
        return {rnn.ptr(), [rnn](const torch::Tensor& x) mutable {
                    return std::get<1>(rnn->forward(x))[0];
                }};
    }
    if (cell == "lstm") {
        torch::nn::LSTM lstm(torch::nn::LSTMOptions(F, H).batch_first(true));
        // (h_n, c_n), each [1,B,H]
        return {lstm.ptr(), [lstm](const torch::Tensor& x) mutable {
                    return std::get<0>(std::get<1>(lstm->forward(x)))[0];
                }};
    }
    if (cell == "gru") {
        torch::nn::GRU gru(torch::nn::GRUOptions(F, H).batch_first(true));
        // h_n [1,B,H]
        return {gru.ptr(), [gru](const torch::Tensor& x) mutable {
                    return std::get<1>(gru->forward(x))[0];
                }};
    }
    throw std::runtime_error("unknown --cell '" + cell + "' (simple, lstm, gru)");
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const bench::Args a = bench::parse_args(argc, argv);
        const bench::Workload& w = a.w;
        at::set_num_threads(a.threads);
        torch::manual_seed(7);
        const bench::Batch batch = bench::make_batch(w);
        const torch::Tensor x =
            torch::from_blob(const_cast<float*>(batch.x.data()), {w.B, w.T, w.F}).clone();
        const torch::Tensor y = torch::from_blob(const_cast<float*>(batch.y.data()), {w.B, 1}).clone();

        Peer rnn = make_peer(a.cell, w.F, w.H);
        torch::nn::Linear lin(w.H, 1);
        std::vector<torch::Tensor> params;
        for (auto& p : rnn.module->named_parameters()) {
            // Keras' SimpleRNN and LSTM have one bias where torch has two (its GRU has both)
            if (p.key() == "bias_hh_l0" && a.cell != "gru") {
                torch::NoGradGuard g;
                p.value().zero_();
                p.value().set_requires_grad(false);
            }
            else
                params.push_back(p.value());
        }
        for (auto& p : lin->parameters()) params.push_back(p);
        torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-3));

        float loss_value = 0.f;
        bench::Timing t;
        if (w.infer) {
            t = bench::time_steps(a, [&] {
                torch::NoGradGuard g;
                loss_value = lin->forward(rnn.last_h(x)).item<float>();
            });
        }
        else {
            t = bench::time_steps(a, [&] {
                opt.zero_grad();
                const auto loss = torch::mse_loss(lin->forward(rnn.last_h(x)), y);
                loss.backward();
                opt.step();
                loss_value = loss.item<float>();
            });
        }
        bench::print_json("libtorch", a, t, loss_value);
        return 0;
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "libtorch_bench: %s\n", e.what());
        return 2;
    }
}
