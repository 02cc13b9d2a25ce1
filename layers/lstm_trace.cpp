#include "layers/lstm_trace.hpp"

#include <ostream>

#include "layers/rnn_trace.hpp"

namespace elman {

template <class T>
void LSTMTrace<T>::clear()
{
    for (auto* v : {&i, &f, &g, &o, &c, &h, &dh, &dc}) v->clear();
}

template <class T>
std::string LSTMTrace<T>::str() const
{
    std::string out;
    for (std::size_t s = 0; s < h.size(); ++s) {
        out += "step " + std::to_string(s + 1) + "\n";
        append_trace_rows(out, "i      ", i[s]);
        append_trace_rows(out, "f      ", f[s]);
        append_trace_rows(out, "g      ", g[s]);
        append_trace_rows(out, "o      ", o[s]);
        append_trace_rows(out, "c      ", c[s]);
        append_trace_rows(out, "h      ", h[s]);
        if (s < dh.size() && dh[s].dimension() == 2) {
            append_trace_rows(out, "dL/dh  ", dh[s]);
            append_trace_rows(out, "dL/dc  ", dc[s]);
            append_trace_norm(out, "dL/dh", dh[s]);
            append_trace_norm(out, "dL/dc", dc[s]);
        }
    }
    return out;
}

template <class T>
std::ostream& operator<<(std::ostream& os, const LSTMTrace<T>& trace)
{
    return os << trace.str();
}

template struct LSTMTrace<float>;
template struct LSTMTrace<double>;
template std::ostream& operator<<(std::ostream&, const LSTMTrace<float>&);
template std::ostream& operator<<(std::ostream&, const LSTMTrace<double>&);

}  // namespace elman
