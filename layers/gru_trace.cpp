#include "layers/gru_trace.hpp"

#include <algorithm>
#include <ostream>

#include "layers/rnn_trace.hpp"

namespace elman {

template <class T>
void GRUTrace<T>::clear()
{
    for (auto* v : {&z, &r, &hh, &h, &dh}) v->clear();
}

template <class T>
void GRUTrace<T>::push_step(const T* gates, const T* h_s, std::size_t nb, std::size_t nu)
{
    std::vector<Tensor<T>>* to[3] = {&z, &r, &hh};
    for (std::size_t k = 0; k < 3; ++k) {
        Tensor<T> block = Tensor<T>::from_shape({nb, nu});
        for (std::size_t b = 0; b < nb; ++b)
            std::copy_n(gates + b * 3 * nu + k * nu, nu, block.data() + b * nu);
        to[k]->push_back(std::move(block));
    }
    RNNTrace<T>::push(h, h_s, nb, nu);
}

template <class T>
std::string GRUTrace<T>::str() const
{
    std::string out;
    for (std::size_t s = 0; s < h.size(); ++s) {
        out += "step " + std::to_string(s + 1) + "\n";
        append_trace_rows(out, "z      ", z[s]);
        append_trace_rows(out, "r      ", r[s]);
        append_trace_rows(out, "ĥ      ", hh[s]);
        append_trace_rows(out, "h      ", h[s]);
        if (s < dh.size() && dh[s].dimension() == 2) {
            append_trace_rows(out, "dL/dh  ", dh[s]);
            append_trace_norm(out, "dL/dh", dh[s]);
        }
    }
    return out;
}

template <class T>
std::ostream& operator<<(std::ostream& os, const GRUTrace<T>& trace)
{
    return os << trace.str();
}

template struct GRUTrace<float>;
template struct GRUTrace<double>;
template std::ostream& operator<<(std::ostream&, const GRUTrace<float>&);
template std::ostream& operator<<(std::ostream&, const GRUTrace<double>&);

}  // namespace elman
