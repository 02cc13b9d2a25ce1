#include "layers/rnn_trace.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>


namespace elman {

template <class T>
void RNNTrace<T>::push(std::vector<Tensor<T>>& to, const T* data, std::size_t nb, std::size_t nu)
{
    Tensor<T> block = Tensor<T>::from_shape({nb, nu});
    for (std::size_t i = 0; i < nb * nu; ++i) block.data()[i] = data[i];
    to.push_back(std::move(block));
}

template <class T>
void RNNTrace<T>::put(std::vector<Tensor<T>>& to, std::size_t s, const T* data, std::size_t nb,
                      std::size_t nu)
{
    if (to.size() <= s) to.resize(s + 1);
    Tensor<T> block = Tensor<T>::from_shape({nb, nu});
    for (std::size_t i = 0; i < nb * nu; ++i) block.data()[i] = data[i];
    to[s] = std::move(block);
}

template <class T>
void append_trace_rows(std::string& out, const char* name, const Tensor<T>& m)
{
    const std::size_t nb = m.shape()[0], nu = m.shape()[1];
    char buf[32];
    for (std::size_t b = 0; b < nb; ++b) {
        out += b == 0 ? std::string("  ") + name : std::string("         ");
        out += nb > 1 ? " [b=" + std::to_string(b) + "]" : std::string();
        for (std::size_t u = 0; u < nu; ++u) {
            std::snprintf(buf, sizeof buf, " % .6f", static_cast<double>(m(b, u)));
            out += buf;
        }
        out += "\n";
    }
}

template <class T>
void append_trace_norm(std::string& out, const char* label, const Tensor<T>& m)
{
    double sq = 0;
    for (T v : m) sq += static_cast<double>(v) * static_cast<double>(v);
    char buf[64];
    std::snprintf(buf, sizeof buf, "  |%s| %.6e\n", label, std::sqrt(sq));
    out += buf;
}

template <class T>
std::string RNNTrace<T>::str() const
{
    std::string out;
    for (std::size_t s = 0; s < h.size(); ++s) {
        out += "step " + std::to_string(s + 1) + "\n";
        append_trace_rows(out, "a      ", a[s]);
        append_trace_rows(out, "h      ", h[s]);
        if (s < dh.size() && dh[s].dimension() == 2) {
            append_trace_rows(out, "dL/dh  ", dh[s]);
            append_trace_norm(out, "dL/dh", dh[s]);
        }
    }
    return out;
}

template <class T>
std::ostream& operator<<(std::ostream& os, const RNNTrace<T>& trace)
{
    return os << trace.str();
}

template struct RNNTrace<float>;
template struct RNNTrace<double>;
template std::ostream& operator<<(std::ostream&, const RNNTrace<float>&);
template std::ostream& operator<<(std::ostream&, const RNNTrace<double>&);
template void append_trace_rows(std::string&, const char*, const Tensor<float>&);
template void append_trace_rows(std::string&, const char*, const Tensor<double>&);
template void append_trace_norm(std::string&, const char*, const Tensor<float>&);
template void append_trace_norm(std::string&, const char*, const Tensor<double>&);

}  // namespace elman
