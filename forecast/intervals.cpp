// Prediction intervals: the conformal calibration, the bounds, and their scores on the test
// part (forecast/intervals.hpp has the method and its sources).
#include "forecast/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "datasets/metrics.hpp"
#include "datasets/stats.hpp"

namespace elman {

namespace {

constexpr double z80 = 1.2815515655446004, z95 = 1.959963984540054;  // normal quantiles 0.9, 0.975

// Weighted isotonic (non-decreasing) regression by pooling adjacent violators.
std::vector<double> non_decreasing(const std::vector<double>& v, const std::vector<double>& w)
{
    struct Block {
        double value, weight;
        std::size_t count;
    };
    std::vector<Block> blocks;
    for (std::size_t i = 0; i < v.size(); ++i) {
        blocks.push_back({v[i], w[i], 1});
        while (blocks.size() > 1 && blocks[blocks.size() - 2].value > blocks.back().value) {
            Block b = blocks.back();
            blocks.pop_back();
            Block& a = blocks.back();
            const double total = a.weight + b.weight;
            a.value = total > 0 ? (a.value * a.weight + b.value * b.weight) / total : std::max(a.value, b.value);
            a.weight = total;
            a.count += b.count;
        }
    }
    std::vector<double> out;
    for (const Block& b : blocks) out.insert(out.end(), b.count, b.value);
    return out;
}

// s_h: the RMS residual at each lead, made non-decreasing (leads without residuals take the
// previous lead's value).
std::vector<double> lead_scales(const std::vector<std::vector<double>>& residuals, std::size_t leads)
{
    std::vector<double> rms(leads, 0.0), count(leads, 0.0);
    for (std::size_t h = 0; h < leads; ++h) {
        std::vector<double> e;
        for (const auto& row : residuals)
            if (h < row.size() && std::isfinite(row[h])) e.push_back(row[h]);
        count[h] = static_cast<double>(e.size());
        // Scaled before squaring (datasets/stats.hpp): residuals near 1e200 do not overflow.
        rms[h] = !e.empty() ? root_mean_square(e) : h > 0 ? rms[h - 1] : 0.0;
    }
    return non_decreasing(rms, count);
}

// The conformal quantile of the scores for miscoverage α, or the normal fallback for too few.
double conformal_quantile(std::vector<double> scores, double alpha, double z)
{
    const std::size_t n = scores.size();
    const auto k = static_cast<std::size_t>(std::ceil(static_cast<double>(n + 1) * (1.0 - alpha)));
    if (k <= n) {
        std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(k - 1), scores.end());
        return scores[k - 1];
    }
    double ms = 0;
    for (double r : scores) ms += r * r / static_cast<double>(n);
    return z * std::sqrt(ms);
}

// The normalized score |e| / σ; 0 for an exact forecast with σ = 0 (a constant series).
double score(double e, double sigma) { return e == 0.0 ? 0.0 : std::abs(e) / sigma; }

}  // namespace

double Conformal::scale_at(std::size_t lead) const
{
    if (scale.empty() || lead < 1) throw Error("intervals: no calibration for lead " + std::to_string(lead));
    if (lead <= scale.size()) return scale[lead - 1];
    return scale.back() * std::sqrt(static_cast<double>(lead) / static_cast<double>(scale.size()));
}

std::vector<double> member_spread(const std::vector<std::vector<double>>& rows, std::size_t count, bool log)
{
    std::vector<double> out(count, 0.0), col;
    for (std::size_t t = 0; t < count; ++t) {
        col.clear();
        for (const auto& r : rows)
            if (std::isfinite(r[t]) && (!log || r[t] > 0)) col.push_back(log ? std::log(r[t]) : r[t]);
        if (col.size() > 1) out[t] = population_sd(col, mean_of(col));
    }
    return out;
}

Conformal calibrate_conformal(const std::vector<std::vector<double>>& residuals,
                              const std::vector<std::vector<double>>& spreads)
{
    std::size_t leads = 0;
    for (const auto& row : residuals) leads = std::max(leads, row.size());
    Conformal c;
    c.scale = lead_scales(residuals, leads);
    std::vector<double> scores;
    for (std::size_t i = 0; i < residuals.size(); ++i)
        for (std::size_t h = 0; h < residuals[i].size(); ++h) {
            const double e = residuals[i][h], sd = spreads[i][h];
            if (!std::isfinite(e) || !std::isfinite(sd)) continue;
            const double r = score(e, std::hypot(c.scale[h], sd));
            if (std::isfinite(r)) scores.push_back(r);
        }
    if (scores.empty()) throw Error("intervals: no finite validation residual to calibrate the intervals on");
    c.scores = scores.size();
    c.q80 = conformal_quantile(scores, 0.2, z80);
    c.q95 = conformal_quantile(scores, 0.05, z95);
    return c;
}

IntervalBounds interval_bounds(const IntervalCalibration& c, const std::vector<double>& point,
                               const std::vector<std::vector<double>>& rows, const std::vector<std::size_t>& leads)
{
    const std::vector<double> sd = member_spread(rows, point.size(), false);
    const std::vector<double> sd_log = member_spread(rows, point.size(), true);
    IntervalBounds b;
    for (std::size_t i = 0; i < point.size(); ++i) {
        const double p = point[i];
        if (c.log.calibrated() && p > 0) {
            const double sigma = std::hypot(c.log.scale_at(leads[i]), sd_log[i]);
            b.lo80.push_back(p * std::exp(-c.log.q80 * sigma));
            b.hi80.push_back(p * std::exp(c.log.q80 * sigma));
            b.lo95.push_back(p * std::exp(-c.log.q95 * sigma));
            b.hi95.push_back(p * std::exp(c.log.q95 * sigma));
            continue;
        }
        const Conformal& a = c.additive;
        const double sigma = std::hypot(a.scale_at(leads[i]), sd[i]);
        b.lo80.push_back(p - a.q80 * sigma);
        b.hi80.push_back(p + a.q80 * sigma);
        b.lo95.push_back(p - a.q95 * sigma);
        b.hi95.push_back(p + a.q95 * sigma);
    }
    return b;
}

IntervalScores score_intervals(const std::vector<double>& actual, const IntervalBounds& b,
                               const std::vector<double>& train, std::size_t season)
{
    const double scale = mase_scale(train, season);
    const double n = static_cast<double>(actual.size());
    auto level = [&](const std::vector<double>& lo, const std::vector<double>& hi, double alpha, double& coverage,
                     double& msis, double& width) {
        double inside = 0, is = 0, w = 0;
        for (std::size_t t = 0; t < actual.size(); ++t) {
            const double y = actual[t];
            inside += y >= lo[t] && y <= hi[t];
            w += (hi[t] - lo[t]) / n;
            is += ((hi[t] - lo[t]) + (2 / alpha) * std::max(0.0, lo[t] - y) + (2 / alpha) * std::max(0.0, y - hi[t])) / n;
        }
        coverage = inside / n;
        width = w;
        msis = scale > 0 ? is / scale : std::numeric_limits<double>::quiet_NaN();
    };
    IntervalScores s;
    level(b.lo80, b.hi80, 0.2, s.coverage80, s.msis80, s.width80);
    level(b.lo95, b.hi95, 0.05, s.coverage95, s.msis95, s.width95);
    return s;
}

}  // namespace elman
