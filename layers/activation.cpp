#include "layers/activation.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/error.hpp"
#include "core/ops.hpp"
#include "core/simd.hpp"
#include "core/tanh_rational.hpp"

namespace elman {

Activation parse_activation(const std::string& name)
{
    if (name == "tanh") return Activation::tanh;
    if (name == "relu") return Activation::relu;
    if (name == "sigmoid") return Activation::sigmoid;
    if (name == "linear") return Activation::linear;
    if (name == "softmax") return Activation::softmax;
    if (name == "hard_sigmoid") return Activation::hard_sigmoid;
    if (name == "hard_sigmoid_keras2") return Activation::hard_sigmoid_keras2;
    throw Error("activation: unknown name \"" + name +
                "\" (expected tanh, relu, sigmoid, linear, softmax, hard_sigmoid or "
                "hard_sigmoid_keras2)");
}

std::string to_string(Activation a)
{
    switch (a) {
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::linear: return "linear";
    case Activation::softmax: return "softmax";
    case Activation::hard_sigmoid: return "hard_sigmoid";
    case Activation::hard_sigmoid_keras2: return "hard_sigmoid_keras2";
    }
    return "linear";
}

bool is_elementwise(Activation a) { return a != Activation::softmax; }

namespace {

// The two hard sigmoids, computed in the order their Keras versions compute them (the order
// decides the rounding near the kinks). NaN passes through both.
//   Keras 3 (keras/src/backend/*/nn.py):  relu6(a + 3) / 6
//   Keras 2 (keras/backend.py):           clip_by_value(a·0.2 + 0.5, 0, 1)
template <class T>
[[gnu::always_inline]] inline T hard_sigmoid_keras3_value(T a)
{
    T r = a + T(3);
    r = r < T(0) ? T(0) : r;
    r = r > T(6) ? T(6) : r;
    return r / T(6);
}

template <class T>
[[gnu::always_inline]] inline T hard_sigmoid_keras2_value(T a)
{
    T r = a * T(0.2) + T(0.5);
    r = r < T(0) ? T(0) : r;
    return r > T(1) ? T(1) : r;
}

// Where the hard sigmoids have slope: 0 < y < 1 (the kinks, y = 0 or 1, count as outside).
template <class T>
[[gnu::always_inline]] inline bool on_slope(T y)
{
    return y > T(0) && y < T(1);
}

// y = hard_sigmoid(x)  (either form, computed by activate_inplace)
// dx += dy ⊙ act'(x)   from y alone (multiply_by_derivative): the fused path's own rule
template <class T>
Var<T> hard_sigmoid_op(const Var<T>& x, Activation a)
{
    const char* op = a == Activation::hard_sigmoid ? "hard_sigmoid" : "hard_sigmoid_keras2";
    Tensor<T> y = x.value(op);
    activate_inplace(a, y.data(), y.size());
    return record<T>(op, std::move(y), {x}, [a](BackwardContext<T>& c) {
        Tensor<T> d = c.grad();
        multiply_by_derivative(a, c.value().data(), d.data(), d.size());
        c.add_grad(0, d);
    });
}

}  // namespace

template <class T>
Var<T> activate(const Var<T>& x, Activation a)
{
    switch (a) {
    case Activation::tanh: return tanh(x);
    case Activation::relu: return relu(x);
    case Activation::sigmoid: return sigmoid(x);
    case Activation::linear: return x;
    case Activation::softmax: return softmax(x, -1);
    case Activation::hard_sigmoid:
    case Activation::hard_sigmoid_keras2: return hard_sigmoid_op(x, a);
    }
    return x;
}

namespace {

[[noreturn]] void not_elementwise(const char* fn)
{
    throw Error(std::string(fn) + ": activation softmax is not elementwise (each output depends "
                "on its whole row); use the tape op activate(x, Activation::softmax)");
}

// σ(a) = 1 / (1 + e^(−a)) for float without the libm call (glibc's expf does not vectorise,
// and the GRU's and LSTM's gates are sigmoids: it was a sixth of a GRU training step):
//   e^v = 2^k · p(r),  k = round(v·log2 e),  r = v − k·ln 2 (Cody–Waite: ln 2 in two parts),
//   p(r) = 1 + r + r²·P(r), P of degree 5 with Cephes' expf coefficients (minimax on
//   |r| <= ln2/2; Taylor's 1/2, 1/6, ... would lose an ulp)
// with v = −a clamped to [−87, 87] (2^k stays a normal float: σ(−87) = 1.6e−38, and σ of
// anything below is as good as 0), k rounded by adding and subtracting 1.5·2^23 (round to
// nearest without a branch), and 2^k built in the exponent bits. Within 2 ulp of the exact
// σ where σ >= 1e−37 (tests/test_activation.cpp); NaN passes through. The clamp and the NaN
// test work on the bits, as in tanh_rational, so the loop vectorises.
// Kept over SLEEF 3.5.1 (issue 17; bench/tanh_bench.cpp, as above): 1/(1 +
// Sleef_expf16_u10avx512f(−x)) is as fast (0.85–1.04x this loop's time, the same 2 ulp) but it
// uses FMA, so its results differ from its SSE2 build's (54,050 of 140.8 M inputs) and elman's
// would then depend on the CPU; its no-FMA build, which rounds alike everywhere as this does,
// takes 1.07–1.13x as long.
[[gnu::always_inline]] inline float sigmoid_exp(float a)
{
    constexpr std::uint32_t clamp_bits = std::bit_cast<std::uint32_t>(87.0f);
    constexpr std::uint32_t inf_bits = 0x7f800000u;
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(a);
    const std::uint32_t mag = bits & 0x7fffffffu;
    // v = −a, |v| <= 87
    const float v = std::bit_cast<float>(((bits ^ 0x80000000u) & 0x80000000u) |
                                         std::min(mag, clamp_bits));
    constexpr float magic = 12582912.0f;  // 1.5·2^23
    const float kf = (v * 1.44269504088896341f + magic) - magic;
    const std::int32_t k = static_cast<std::int32_t>(kf);
    const float r = (v - kf * 0.693359375f) - kf * -2.12194440e-4f;
    float p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = r * p + 8.3334519073e-3f;
    p = r * p + 4.1665795894e-2f;
    p = r * p + 1.6666665459e-1f;
    p = r * p + 5.0000001201e-1f;
    p = (r * r) * p + r + 1.0f;
    const float e = p * std::bit_cast<float>(static_cast<std::uint32_t>(k + 127) << 23);
    const float y = 1.0f / (1.0f + e);
    const std::uint32_t keep = 0u - static_cast<std::uint32_t>(mag > inf_bits);  // NaN
    return std::bit_cast<float>((bits & keep) | (std::bit_cast<std::uint32_t>(y) & ~keep));
}

// y[i] = f(y[i]), or g[i] = f(y[i], g[i]), in blocks of 16 with a fixed trip count, which the
// compiler turns into SIMD code even at -O2, then the remainder one by one. Always inlined, so
// that each clone below compiles it for its own instruction set.
template <class T, class F>
[[gnu::always_inline]] inline void map_inplace(T* y, std::size_t n, F f)
{
    constexpr std::size_t w = 16;
    std::size_t i = 0;
    for (; i + w <= n; i += w)
        for (std::size_t k = 0; k < w; ++k) y[i + k] = f(y[i + k]);
    for (; i < n; ++i) y[i] = f(y[i]);
}

// y and g do not overlap (__restrict lets the compiler load y and g a block at a time).
template <class T, class F>
[[gnu::always_inline]] inline void map2_inplace(const T* __restrict y, T* __restrict g,
                                                std::size_t n, F f)
{
    constexpr std::size_t w = 16;
    std::size_t i = 0;
    for (; i + w <= n; i += w)
        for (std::size_t k = 0; k < w; ++k) g[i + k] = f(y[i + k], g[i + k]);
    for (; i < n; ++i) g[i] = f(y[i], g[i]);
}

// The float loops, one clone per instruction set (core/simd.hpp).
ELMAN_CLONES void tanh_f32(float* y, std::size_t n)
{
    map_inplace(y, n, [](float v) { return tanh_rational(v); });
}

ELMAN_CLONES void relu_f32(float* y, std::size_t n)
{
    map_inplace(y, n, [](float v) { return v > 0.0f ? v : 0.0f; });
}

ELMAN_CLONES void sigmoid_f32(float* y, std::size_t n)
{
    map_inplace(y, n, [](float v) { return sigmoid_exp(v); });
}

ELMAN_CLONES void sigmoid_derivative_f32(const float* y, float* g, std::size_t n)
{
    map2_inplace(y, g, n, [](float yi, float gi) { return gi * (yi * (1.0f - yi)); });
}

ELMAN_CLONES void tanh_derivative_f32(const float* y, float* g, std::size_t n)
{
    map2_inplace(y, g, n, [](float yi, float gi) { return gi * (1.0f - yi * yi); });
}

}  // namespace

// float's tanh is the rational approximation above; double keeps std::tanh (exact to 1 ulp,
// which the float64 tests and gradchecks rely on).
template <class T>
void activate_inplace(Activation a, T* y, std::size_t n)
{
    switch (a) {
    case Activation::tanh:
        if constexpr (std::is_same_v<T, float>)
            tanh_f32(y, n);
        else
            for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
        break;
    case Activation::relu:
        if constexpr (std::is_same_v<T, float>)
            relu_f32(y, n);
        else
            map_inplace(y, n, [](T v) { return v > T(0) ? v : T(0); });
        break;
    case Activation::sigmoid:
        if constexpr (std::is_same_v<T, float>)
            sigmoid_f32(y, n);
        else
            for (std::size_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-y[i]));
        break;
    case Activation::linear: break;
    case Activation::softmax: not_elementwise("activate_inplace");
    case Activation::hard_sigmoid:
        map_inplace(y, n, [](T v) { return hard_sigmoid_keras3_value(v); });
        break;
    case Activation::hard_sigmoid_keras2:
        map_inplace(y, n, [](T v) { return hard_sigmoid_keras2_value(v); });
        break;
    }
}

template <class T>
void multiply_by_derivative(Activation a, const T* y, T* g, std::size_t n)
{
    switch (a) {
    case Activation::tanh:  // g ⊙ (1 − y²)
        if constexpr (std::is_same_v<T, float>)
            tanh_derivative_f32(y, g, n);
        else
            map2_inplace(y, g, n, [](T yi, T gi) { return gi * (T(1) - yi * yi); });
        break;
    case Activation::relu:  // g ⊙ [y > 0]
        map2_inplace(y, g, n, [](T yi, T gi) { return yi > T(0) ? gi : T(0); });
        break;
    case Activation::sigmoid:  // g ⊙ y(1 − y)
        if constexpr (std::is_same_v<T, float>)
            sigmoid_derivative_f32(y, g, n);
        else
            map2_inplace(y, g, n, [](T yi, T gi) { return gi * (yi * (T(1) - yi)); });
        break;
    case Activation::linear: break;
    case Activation::softmax: not_elementwise("multiply_by_derivative");
    case Activation::hard_sigmoid:  // g ⊙ [0 < y < 1] / 6
        map2_inplace(y, g, n, [](T yi, T gi) { return on_slope(yi) ? gi / T(6) : T(0); });
        break;
    case Activation::hard_sigmoid_keras2:  // g ⊙ [0 < y < 1] · 0.2
        map2_inplace(y, g, n, [](T yi, T gi) { return on_slope(yi) ? gi * T(0.2) : T(0); });
        break;
    }
}

#define ELMAN_INSTANTIATE(T)                                                \
    template Var<T> activate(const Var<T>&, Activation);                    \
    template void activate_inplace(Activation, T*, std::size_t);            \
    template void multiply_by_derivative(Activation, const T*, T*, std::size_t);

ELMAN_INSTANTIATE(float)
ELMAN_INSTANTIATE(double)
#undef ELMAN_INSTANTIATE

}  // namespace elman
