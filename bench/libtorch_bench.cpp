// The LibTorch peer (Debian libtorch-dev 1.13): the same model with torch::nn in C++.
// torch::nn::RNN(F, H, tanh, batch_first) -> Linear(H, 1), mse_loss, torch::optim::Adam(1e-3);
// bias_hh is frozen at zero (Keras' SimpleRNN has one bias). Threads: at::set_num_threads(k)
// here, OPENBLAS_NUM_THREADS / OMP_NUM_THREADS from bench/run.sh.
//
//   libtorch_bench --workload W1 --threads 1
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "bench/bench_common.hpp"

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

        torch::nn::RNN rnn(torch::nn::RNNOptions(w.F, w.H).nonlinearity(torch::kTanh).batch_first(true));
        torch::nn::Linear lin(w.H, 1);
        std::vector<torch::Tensor> params;
        for (auto& p : rnn->named_parameters()) {
            if (p.key() == "bias_hh_l0") {
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
                const auto h = std::get<1>(rnn->forward(x));  // [1,B,H]
                loss_value = lin->forward(h[0]).item<float>();
            });
        }
        else {
            t = bench::time_steps(a, [&] {
                opt.zero_grad();
                const auto h = std::get<1>(rnn->forward(x));
                const auto loss = torch::mse_loss(lin->forward(h[0]), y);
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
