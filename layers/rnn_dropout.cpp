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

template <class T>
RNNDropoutMasks<T> RecurrentDropout::draw(bool training, std::size_t nb, std::size_t nf,
                                          std::size_t nu, const std::string& name)
{
    RNNDropoutMasks<T> m;
    if (!training || !active()) return m;
    if (!ready_) {
        rng_ = Rng(named_seed(seed_, name + "/dropout"));
        ready_ = true;
    }
    // The input mask first, then the recurrent one (Keras draws them in this order).
    if (dropout_ > 0.0) m.input = dropout_mask<T>({nb, nf}, dropout_, rng_);
    if (recurrent_dropout_ > 0.0) m.recurrent = dropout_mask<T>({nb, nu}, recurrent_dropout_, rng_);
    return m;
}

void RecurrentDropout::reseed(std::uint64_t seed)
{
    seed_ = seed;
    ready_ = false;
}

template RNNDropoutMasks<float> RecurrentDropout::draw<float>(bool, std::size_t, std::size_t,
                                                              std::size_t, const std::string&);
template RNNDropoutMasks<double> RecurrentDropout::draw<double>(bool, std::size_t, std::size_t,
                                                                std::size_t, const std::string&);

}  // namespace elman
