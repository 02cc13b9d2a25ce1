// The tape in ten lines: y = tanh(x·W + b), loss = mean(y²), backward, print the gradients.
#include <iostream>

#include <xtensor/xio.hpp>

#include "core/init.hpp"
#include "core/ops.hpp"

int main()
{
    using namespace elman;
    Parameter<float> W{"W", glorot_uniform<float>({3, 2}, 42), {}};
    Parameter<float> b{"b", Tensor<float>{0.1f, -0.1f}, {}};
    Tape<float> tape;
    auto x = tape.constant(Tensor<float>{{1, 2, 3}, {-1, 0, 1}}, "x");
    auto w = tape.param(W), bias = tape.param(b);
    auto y = tanh(matmul(x, w) + bias);
    auto loss = mean(square(y));
    tape.backward(loss);

    std::cout << "tape:\n" << tape.str() << "\nloss = " << loss.item() << "\n\n";
    std::cout << "dL/dW =\n" << W.grad << "\n\ndL/db =\n" << b.grad << "\n";
}
