// "Does SimpleRNN keep a hidden state apart from its output, and why does summary() say 6
// parameters?" — answered by running it.
//
// 1. x of shape [2,3,1] through SimpleRNN(4, return_state): the output and the state are the
//    same numbers, because the output at step t IS h_t.
// 2. summary() of SimpleRNN(1) on 4 and on 5 input features: units·(input_dim + units + 1)
//    = 1·(4 + 1 + 1) = 6 and 1·(5 + 1 + 1) = 7.
// 3. An explicit Elman network: SimpleRNN(return_sequences) + Dense per time step, which is
//    where a separate output layer (y_t = h_t·W_y + b_y) lives.
#include <iostream>
#include <memory>

#include <xtensor/xio.hpp>

#include "layers/dense.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

int main()
{
    std::cout << "== 1. output vs state ==\n";
    Tensor<float> x = {0.1f, 0.2f, 0.3f, -0.5f, 0.0f, 0.5f};
    x.reshape({2, 3, 1});  // [batch 2, timesteps 3, features 1]
    SimpleRNN<float> rnn({.units = 4, .return_state = true, .seed = 42});
    Tape<float> tape;
    auto r = rnn.call(tape, tape.constant(x));
    const Tensor<float> output = r.output.value();
    const Tensor<float> state = r.state.value();
    std::cout << "x " << shape_str(x.shape()) << " -> SimpleRNN(4, return_state=True)\n"
              << "output " << shape_str(output.shape()) << ":\n" << output << "\n"
              << "state  " << shape_str(state.shape()) << ":\n" << state << "\n"
              << "output == state: " << (output == state ? "yes" : "NO") << "\n"
              << "SimpleRNN has one vector per step, h_t = tanh(x_t·kernel + h_{t-1}·"
                 "recurrent_kernel + bias),\nand it is both the output and the state. "
                 "The state returned is the last output.\n\n";

    std::cout << "== 2. where the parameter count comes from ==\n";
    for (std::size_t features : {4u, 5u}) {
        Sequential<float> model;
        model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 1});
        model.build({3, features});
        std::cout << "SimpleRNN(1) on " << features << " features:\n" << model.summary();
    }
    std::cout << "kernel [input_dim, units] + recurrent_kernel [units, units] + bias [units]\n"
                 "= units·(input_dim + units + 1). No output weights: the output is h_t.\n\n";

    std::cout << "== 3. an explicit Elman network: hidden state h_t and a separate output y_t ==\n";
    Sequential<float> elman_net;
    auto hidden = elman_net.emplace<SimpleRNN<float>>(
        SimpleRNNOptions{.units = 4, .return_sequences = true, .seed = 1});
    auto out = elman_net.emplace<Dense<float>>(DenseOptions{.units = 1, .seed = 2});
    elman_net.build({3, 1});
    std::cout << elman_net.summary();
    Tape<float> t2;
    auto xs = t2.constant(x);
    const Tensor<float> h = hidden->forward(t2, xs).value();
    const Tensor<float> y = out->forward(t2, t2.constant(h)).value();
    std::cout << "h_t (state, [2,3,4]) is what the recurrence carries; y_t = h_t·W_y + b_y "
                 "([2,3,1]) is the output layer Elman had, applied at every step:\n"
              << y << "\n";
    return 0;
}
