#include "layers/rnn_mask.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/ops.hpp"

namespace elman {

bool StepMask::none_masked() const
{
    return std::all_of(all_real.begin(), all_real.end(), [](unsigned char a) { return a != 0; });
}

StepMask make_step_mask(const Mask& mask, const Shape& input_shape, bool go_backwards,
                        const std::string& who)
{
    const std::size_t nb = input_shape.at(0), nt = input_shape.at(1);
    if (mask.dimension() != 2 || mask.shape()[0] != nb || mask.shape()[1] != nt)
        throw Error(who + ": mask has shape " + shape_str(mask.shape()) + ", expected " +
                    shape_str(Shape{nb, nt}) + " [batch, timesteps] for input " +
                    shape_str(input_shape));
    StepMask m;
    m.steps = nt;
    m.batch = nb;
    m.real.resize(nt * nb);
    m.all_real.assign(nt, 1);
    for (std::size_t s = 0; s < nt; ++s) {
        const std::size_t t = go_backwards ? nt - 1 - s : s;
        for (std::size_t b = 0; b < nb; ++b) {
            const unsigned char r = mask(b, t) ? 1 : 0;
            m.real[s * nb + b] = r;
            if (!r) m.all_real[s] = 0;
        }
    }
    return m;
}

template <class T>
Tensor<T> output_keep(const StepMask& mask, bool zero_output_for_mask, bool return_sequences,
                      bool& any_zero)
{
    const std::size_t nb = mask.batch, nt = mask.steps;
    Tensor<T> e = return_sequences ? Tensor<T>::from_shape({nb, nt, 1})
                                   : Tensor<T>::from_shape({nb, 1});
    any_zero = false;
    for (std::size_t b = 0; b < nb; ++b) {
        bool seen = false;  // a real step at or before s
        for (std::size_t s = 0; s < nt; ++s) {
            const bool real = mask.real[s * nb + b] != 0;
            seen = seen || real;
            const bool keep = real || (!zero_output_for_mask && seen);
            any_zero = any_zero || ((return_sequences || s + 1 == nt) && !keep);
            if (return_sequences) e.data()[b * nt + s] = keep ? T(1) : T(0);
            if (!return_sequences && s + 1 == nt) e.data()[b] = keep ? T(1) : T(0);
        }
    }
    return e;
}

template <class T>
void carry_padded_rows(const unsigned char* real, const T* h_prev, T* h_new, std::size_t nb,
                       std::size_t nu)
{
    for (std::size_t b = 0; b < nb; ++b)
        if (!real[b]) std::copy_n(h_prev + b * nu, nu, h_new + b * nu);
}

template <class T>
void pass_padded_rows(const unsigned char* real, T* g, T* g_prev, std::size_t nb, std::size_t nu)
{
    for (std::size_t b = 0; b < nb; ++b) {
        if (real[b]) continue;
        // two different steps' blocks: no overlap (restrict lets the loop vectorise)
        T* __restrict gb = g + b * nu;
        T* __restrict pb = g_prev + b * nu;
        for (std::size_t u = 0; u < nu; ++u) {
            pb[u] += gb[u];
            gb[u] = T(0);
        }
    }
}

template <class T>
Var<T> carry_state(Tape<T>& tape, const Var<T>& candidate, const Var<T>& previous,
                   const StepMask& mask, std::size_t s)
{
    Tensor<T> m = Tensor<T>::from_shape({mask.batch, 1});
    Tensor<T> not_m = Tensor<T>::from_shape({mask.batch, 1});
    for (std::size_t b = 0; b < mask.batch; ++b) {
        m(b, 0) = mask.at(s)[b] ? T(1) : T(0);
        not_m(b, 0) = T(1) - m(b, 0);
    }
    // h_s = m ⊙ candidate + (1 − m) ⊙ previous        [B,U]⊙[B,1] + [B,U]⊙[B,1]
    return add(mul(candidate, tape.constant(std::move(m), "mask")),
               mul(previous, tape.constant(std::move(not_m), "1 - mask")));
}

#define ELMAN_INSTANTIATE(T)                                                                 \
    template Tensor<T> output_keep<T>(const StepMask&, bool, bool, bool&);                   \
    template void carry_padded_rows<T>(const unsigned char*, const T*, T*, std::size_t,      \
                                       std::size_t);                                         \
    template void pass_padded_rows<T>(const unsigned char*, T*, T*, std::size_t, std::size_t); \
    template Var<T> carry_state<T>(Tape<T>&, const Var<T>&, const Var<T>&, const StepMask&,  \
                                   std::size_t);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
