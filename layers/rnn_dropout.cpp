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
    Rng& rng = stream(name);
    // The input mask first, then the recurrent one (Keras draws them in this order).
    if (dropout_ > 0.0) m.input = dropout_mask<T>({nb, nf}, dropout_, rng);
    if (recurrent_dropout_ > 0.0) m.recurrent = dropout_mask<T>({nb, nu}, recurrent_dropout_, rng);
    return m;
}

template <class T>
GateDropoutMasks<T> RecurrentDropout::draw_gates(bool training, std::size_t gates, std::size_t nb,
                                                 std::size_t nf, std::size_t nu,
                                                 const std::string& name)
{
    GateDropoutMasks<T> m;
    if (!training || !active()) return m;
    Rng& rng = stream(name);
    // Keras' per-gate implementation runs exactly when recurrent_dropout > 0
    const std::size_t count = recurrent_dropout_ > 0.0 ? gates : 1;
    if (dropout_ > 0.0) m.input = dropout_mask<T>({count, nb, nf}, dropout_, rng);
    if (recurrent_dropout_ > 0.0)
        m.recurrent = dropout_mask<T>({gates, nb, nu}, recurrent_dropout_, rng);
    return m;
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

template RNNDropoutMasks<float> RecurrentDropout::draw<float>(bool, std::size_t, std::size_t,
                                                              std::size_t, const std::string&);
template RNNDropoutMasks<double> RecurrentDropout::draw<double>(bool, std::size_t, std::size_t,
                                                                std::size_t, const std::string&);
template GateDropoutMasks<float> RecurrentDropout::draw_gates<float>(
    bool, std::size_t, std::size_t, std::size_t, std::size_t, const std::string&);
template GateDropoutMasks<double> RecurrentDropout::draw_gates<double>(
    bool, std::size_t, std::size_t, std::size_t, std::size_t, const std::string&);

}  // namespace elman
