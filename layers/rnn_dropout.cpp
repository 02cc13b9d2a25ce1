#include "layers/rnn_dropout.hpp"

#include "layers/dropout.hpp"

namespace elman {

RecurrentDropout::RecurrentDropout(double dropout, double recurrent_dropout, std::uint64_t seed,
                                   const std::string& who)
    : dropout_(dropout), recurrent_dropout_(recurrent_dropout), seed_(seed)
{
    check_dropout_rate(dropout, who, "dropout");
    check_dropout_rate(recurrent_dropout, who, "recurrent_dropout");
}

namespace {
// A mask of size 0 (none), left alone when it already is one: inference calls a layer with no
// dropout over and over, and building an empty tensor was a visible part of a batch-1 forward.
template <class T>
void set_none(Tensor<T>& mask)
{
    if (mask.size() != 0) mask = Tensor<T>::from_shape({0});
}
}  // namespace

template <class T>
void RecurrentDropout::draw(RNNDropoutMasks<T>& m, bool training, std::size_t nb, std::size_t nf,
                            std::size_t nu, const std::string& name)
{
    set_none(m.input);
    set_none(m.recurrent);
    if (!training || !active()) return;
    Rng& rng = stream(name);
    // The input mask first, then the recurrent one (Keras draws them in this order).
    if (dropout_ > 0.0) m.input = dropout_mask<T>({nb, nf}, dropout_, rng);
    if (recurrent_dropout_ > 0.0) m.recurrent = dropout_mask<T>({nb, nu}, recurrent_dropout_, rng);
}

template <class T>
void RecurrentDropout::draw_gates(GateDropoutMasks<T>& m, bool training, std::size_t gates,
                                  std::size_t nb, std::size_t nf, std::size_t nu,
                                  const std::string& name)
{
    set_none(m.input);
    set_none(m.recurrent);
    if (!training || !active()) return;
    Rng& rng = stream(name);
    // Keras' per-gate implementation runs exactly when recurrent_dropout > 0
    const std::size_t count = recurrent_dropout_ > 0.0 ? gates : 1;
    if (dropout_ > 0.0) m.input = dropout_mask<T>({count, nb, nf}, dropout_, rng);
    if (recurrent_dropout_ > 0.0)
        m.recurrent = dropout_mask<T>({gates, nb, nu}, recurrent_dropout_, rng);
}

Rng& RecurrentDropout::stream(const std::string& name)
{
    if (!ready_) {
        rng_ = Rng(named_seed(seed_, name + "/dropout"));
        ready_ = true;
    }
    return rng_;
}

void RecurrentDropout::reseed(std::uint64_t seed)
{
    seed_ = seed;
    ready_ = false;
}

template void RecurrentDropout::draw<float>(RNNDropoutMasks<float>&, bool, std::size_t,
                                            std::size_t, std::size_t, const std::string&);
template void RecurrentDropout::draw<double>(RNNDropoutMasks<double>&, bool, std::size_t,
                                             std::size_t, std::size_t, const std::string&);
template void RecurrentDropout::draw_gates<float>(GateDropoutMasks<float>&, bool, std::size_t,
                                                  std::size_t, std::size_t, std::size_t,
                                                  const std::string&);
template void RecurrentDropout::draw_gates<double>(GateDropoutMasks<double>&, bool, std::size_t,
                                                   std::size_t, std::size_t, std::size_t,
                                                   const std::string&);

}  // namespace elman
