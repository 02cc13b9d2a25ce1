// The framework-free reference: SimpleRNN(H, tanh, last state) -> Dense(1), MSE, Adam (torch's
// formula), float32, written with plain loops and cblas_sgemm only. It is the "no framework"
// column of the benchmark: what the step costs when nothing but the arithmetic is left.
//
// Shapes (row-major, time-major internally so each step's rows are contiguous):
//   x:[B,T,F] batch-major (as given)  ->  xs:[T·B,F]   row t·B + b = x[b,t,:]
//   Wx:[F,H]  Wh:[H,H]  b:[H]  Wd:[H] (Dense kernel [H,1])  bd:[1]
//   hs:[T·B,H]   rows t·B..t·B+B−1 hold h_t
//
// Forward:
//   Z  = xs·Wx                                   one GEMM [T·B,F]·[F,H], written into hs
//   h_t = tanh(Z_t + h_{t−1}·Wh + b)             one GEMM [B,H]·[H,H] with beta = 1 per step
//   ŷ  = h_T·Wd + bd,   L = (1/B) Σ (ŷ − y)²
// Backward:
//   dŷ = 2(ŷ − y)/B,   dWd = h_Tᵀ·dŷ,   dbd = Σ dŷ,   dh_T = dŷ·Wdᵀ
//   δ_t = dh_t ⊙ (1 − h_t²),   dh_{t−1} = δ_t·Whᵀ     one GEMM [B,H]·[H,H]ᵀ per step
//   db = Σ_t Σ_b δ_t
//   dWx = xsᵀ·δ                                  one GEMM over all T·B rows
//   dWh = hs[0..T−2]ᵀ·δ[1..T−1]                  one GEMM over all (T−1)·B rows
// Adam (torch): m = β1 m + (1−β1) g,  v = β2 v + (1−β2) g²,
//   w −= (lr/(1−β1^t)) · m / (sqrt(v)/sqrt(1−β2^t) + eps)      one loop over all parameters
//
// All parameters, gradients and Adam moments live in single flat buffers; every buffer is
// allocated once in the constructor, so a step allocates nothing.
#pragma once

#include <cblas.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace bench {

// tanh as a rational function, x·P(x²)/Q(x²) on [−7.9053, 7.9053] (clamped outside, where tanh
// is ±1 in float), x itself for |x| < 4e-4: the minimax approximation Eigen and other
// vectorised math libraries use, within a few float ulp of std::tanh (reference_bptt --check
// measures the error) and free of the libm call that costs ~20 ns per element.
inline float fast_tanh(float a)
{
    const float x = a > 7.90531110763549805f ? 7.90531110763549805f
                  : a < -7.90531110763549805f ? -7.90531110763549805f : a;
    const float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    p = x * p;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return std::abs(a) < 0.0004f ? a : p / q;
}

class ReferenceRnn {
public:
    ReferenceRnn(int B, int T, int F, int H)
        : B_(B), T_(T), F_(F), H_(H),
          n_(static_cast<std::size_t>(F) * H + static_cast<std::size_t>(H) * H + 2 * H + 1),
          w_(n_), g_(n_), m_(n_), v_(n_),
          xs_(static_cast<std::size_t>(T) * B * F), hs_(static_cast<std::size_t>(T) * B * H),
          delta_(static_cast<std::size_t>(T) * B * H), dh_(static_cast<std::size_t>(B) * H),
          yhat_(static_cast<std::size_t>(B))
    {
    }

    // Parameter views into the flat buffer, in Keras order: Wx, Wh, b, Wd, bd.
    float* Wx() { return w_.data(); }
    float* Wh() { return Wx() + static_cast<std::size_t>(F_) * H_; }
    float* b() { return Wh() + static_cast<std::size_t>(H_) * H_; }
    float* Wd() { return b() + H_; }
    float* bd() { return Wd() + H_; }
    const float* gWx() const { return g_.data(); }
    const float* gWh() const { return gWx() + static_cast<std::size_t>(F_) * H_; }
    const float* gb() const { return gWh() + static_cast<std::size_t>(H_) * H_; }
    const float* gWd() const { return gb() + H_; }
    const float* gbd() const { return gWd() + H_; }
    std::size_t num_params() const { return n_; }

    // Forward over x:[B,T,F]; returns ŷ:[B] (valid until the next call).
    const float* forward(const float* x)
    {
        const int B = B_, T = T_, F = F_, H = H_;
        // xs[t·B + b, f] = x[b, t, f]
        for (int bi = 0; bi < B; ++bi)
            for (int t = 0; t < T; ++t)
                for (int f = 0; f < F; ++f)
                    xs_[(static_cast<std::size_t>(t) * B + bi) * F + f] =
                        x[(static_cast<std::size_t>(bi) * T + t) * F + f];
        // hs = xs·Wx   [T·B,F]·[F,H]
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T * B, H, F, 1.f, xs_.data(), F,
                    Wx(), H, 0.f, hs_.data(), H);
        const float* bias = b();
        for (int t = 0; t < T; ++t) {
            float* ht = hs_.data() + static_cast<std::size_t>(t) * B * H;
            // h_t += h_{t−1}·Wh   [B,H]·[H,H], beta = 1
            if (t > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H, 1.f,
                            ht - static_cast<std::size_t>(B) * H, H, Wh(), H, 1.f, ht, H);
            // h_t = tanh(h_t + b)
            for (int i = 0; i < B; ++i) {
                float* z = ht + static_cast<std::size_t>(i) * H;
                if (libm_tanh)
                    for (int j = 0; j < H; ++j) z[j] = std::tanh(z[j] + bias[j]);
                else
                    for (int j = 0; j < H; ++j) z[j] = fast_tanh(z[j] + bias[j]);
            }
        }
        // ŷ = h_T·Wd + bd
        const float* hT = hs_.data() + static_cast<std::size_t>(T - 1) * B * H;
        const float* wd = Wd();
        for (int i = 0; i < B; ++i) {
            float s = bd()[0];
            for (int j = 0; j < H; ++j) s += hT[static_cast<std::size_t>(i) * H + j] * wd[j];
            yhat_[i] = s;
        }
        return yhat_.data();
    }

    // Forward + backward: fills the gradients (overwritten, not accumulated); returns the loss.
    float loss_and_grad(const float* x, const float* y)
    {
        const int B = B_, T = T_, F = F_, H = H_;
        forward(x);
        float* gwx = g_.data();
        float* gwh = gwx + static_cast<std::size_t>(F) * H;
        float* gbias = gwh + static_cast<std::size_t>(H) * H;
        float* gwd = gbias + H;
        float* gbd_ = gwd + H;
        // L = (1/B) Σ (ŷ − y)²,  dŷ = 2(ŷ − y)/B  (kept in yhat_)
        float loss = 0.f;
        for (int i = 0; i < B; ++i) {
            const float e = yhat_[i] - y[i];
            loss += e * e;
            yhat_[i] = 2.f * e / static_cast<float>(B);
        }
        loss /= static_cast<float>(B);
        // dWd = h_Tᵀ·dŷ,  dbd = Σ dŷ,  dh_T = dŷ·Wdᵀ
        const float* hT = hs_.data() + static_cast<std::size_t>(T - 1) * B * H;
        const float* wd = Wd();
        for (int j = 0; j < H; ++j) gwd[j] = 0.f;
        gbd_[0] = 0.f;
        for (int i = 0; i < B; ++i) {
            const float d = yhat_[i];
            gbd_[0] += d;
            for (int j = 0; j < H; ++j) {
                gwd[j] += hT[static_cast<std::size_t>(i) * H + j] * d;
                dh_[static_cast<std::size_t>(i) * H + j] = d * wd[j];
            }
        }
        for (int j = 0; j < H; ++j) gbias[j] = 0.f;
        for (int t = T - 1; t >= 0; --t) {
            const float* ht = hs_.data() + static_cast<std::size_t>(t) * B * H;
            float* dt = delta_.data() + static_cast<std::size_t>(t) * B * H;
            // δ_t = dh_t ⊙ (1 − h_t²),  db += Σ_b δ_t
            for (int i = 0; i < B; ++i)
                for (int j = 0; j < H; ++j) {
                    const std::size_t k = static_cast<std::size_t>(i) * H + j;
                    const float d = dh_[k] * (1.f - ht[k] * ht[k]);
                    dt[k] = d;
                    gbias[j] += d;
                }
            // dh_{t−1} = δ_t·Whᵀ   [B,H]·[H,H]ᵀ
            if (t > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, H, 1.f, dt, H, Wh(),
                            H, 0.f, dh_.data(), H);
        }
        // dWx = xsᵀ·δ   [F,T·B]·[T·B,H]
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, F, H, T * B, 1.f, xs_.data(), F,
                    delta_.data(), H, 0.f, gwx, H);
        // dWh = hs[0..T−2]ᵀ·δ[1..T−1]   [H,(T−1)·B]·[(T−1)·B,H]
        if (T > 1)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, (T - 1) * B, 1.f,
                        hs_.data(), H, delta_.data() + static_cast<std::size_t>(B) * H, H, 0.f,
                        gwh, H);
        else
            for (std::size_t k = 0; k < static_cast<std::size_t>(H) * H; ++k) gwh[k] = 0.f;
        return loss;
    }

    void adam_step()
    {
        ++t_;
        const float bc1 = 1.f - std::pow(beta1, static_cast<float>(t_));
        const float bc2 = 1.f - std::pow(beta2, static_cast<float>(t_));
        const float step_size = lr / bc1;
        const float sqrt_bc2 = std::sqrt(bc2);
        for (std::size_t k = 0; k < n_; ++k) {
            const float g = g_[k];
            m_[k] = beta1 * m_[k] + (1.f - beta1) * g;
            v_[k] = beta2 * v_[k] + (1.f - beta2) * g * g;
            w_[k] -= step_size * m_[k] / (std::sqrt(v_[k]) / sqrt_bc2 + eps);
        }
    }

    float train_step(const float* x, const float* y)
    {
        const float loss = loss_and_grad(x, y);
        adam_step();
        return loss;
    }

    float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    // std::tanh (glibc tanhf, as elman uses) instead of fast_tanh.
    bool libm_tanh = false;

private:
    int B_, T_, F_, H_;
    std::size_t n_;
    std::vector<float> w_, g_, m_, v_;
    std::vector<float> xs_, hs_, delta_, dh_, yhat_;
    long t_ = 0;
};

}  // namespace bench
