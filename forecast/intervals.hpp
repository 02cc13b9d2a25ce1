// Prediction intervals (80% and 95%) for every forecast, one-step and at each lead of a
// multi-step forecast: split conformal prediction on the validation tail, with each residual
// normalized by the expected size of the error at its lead and by the ensemble's spread there.
//
// Calibration (on the validation tail of the training part, which the validated members did
// not train on; forecast/forecast.hpp): from every origin t of the tail, the ensemble's
// validated members forecast leads h = 1..H (H = 1 for the one-step ensemble). With ŷ the
// median of the members, sd their standard deviation, and e = y − ŷ the residual,
//   s_h   = sqrt(mean of e² at lead h), made non-decreasing in h (isotonic regression, pool
//           adjacent violators, weighted by the residuals at each lead);
//   σ     = sqrt(s_h² + sd²)          the scale of an error at lead h with that spread;
//   r     = |e| / σ                    the nonconformity score, pooled over every lead;
//   q_α   = the ⌈(n + 1)(1 − α)⌉-th smallest of the n scores (split conformal: Vovk et al.
//           2005, "Algorithmic Learning in a Random World"; normalized scores as in
//           Papadopoulos et al. 2008 and Lei et al. 2018, "Distribution-free predictive
//           inference for regression", JASA 113(523)), for α = 0.2 and 0.05. When n is too small
//           for that rank (n < 19 for 95%, n < 4 for 80%), q_α = z_{1−α/2}·sqrt(mean r²), the
//           normal quantile of the scores' RMS.
// An interval at lead h with spread sd is then ŷ ± q_α·sqrt(s_h² + sd²). Beyond the calibrated
// leads (a `predict --horizon` past the training horizon) s_h grows as s_H·sqrt(h/H), the
// random walk's rule.
//
// On the log scale for a positive series: when every training value and every validation
// forecast is positive, the same is also done with e = log y − log ŷ and the spread of the
// members' log forecasts, and a positive forecast's interval is ŷ·exp(±q_α·σ): errors that grow
// with the level (airline passengers) carry over to a higher level, and lower bounds stay
// positive. A forecast at or below zero takes the additive interval.
#pragma once

#include <cstddef>
#include <vector>

namespace elman {

// The calibration on one scale (original or log).
struct Conformal {
    std::vector<double> scale;  // s_h for leads h = 1..scale.size(); empty: not calibrated
    double q80 = 0, q95 = 0;    // the quantiles of the normalized scores for 80% and 95%
    std::size_t scores = 0;     // the number of validation residuals behind them

    bool calibrated() const { return !scale.empty(); }
    // s_h at lead h >= 1 (s_H·sqrt(h/H) beyond the calibrated leads).
    double scale_at(std::size_t lead) const;
};

struct IntervalCalibration {
    Conformal additive;  // on the original scale
    Conformal log;       // on the log scale; not calibrated unless everything was positive

    bool calibrated() const { return additive.calibrated(); }
    // The leads the calibration saw.
    std::size_t leads() const { return additive.scale.size(); }
};

// The validated members' forecasts behind an ensemble forecast, rows[member][forecast], and the
// spread (standard deviation) of each forecast on either scale: 0 with fewer than two finite
// values (two positive ones on the log scale).
std::vector<double> member_spread(const std::vector<std::vector<double>>& rows, std::size_t count, bool log);

// Lower and upper bounds of the 80% and 95% intervals, one per forecast.
struct IntervalBounds {
    std::vector<double> lo80, hi80, lo95, hi95;
    bool empty() const { return lo80.empty(); }
};

// How the intervals did on the test part.
struct IntervalScores {
    double coverage80 = 0, coverage95 = 0;  // the fractions of actual values inside, in [0, 1]
    double msis80 = 0, msis95 = 0;          // mean scaled interval score (below), α = 0.2 and 0.05
    double width80 = 0, width95 = 0;        // mean width U − L, on the original scale
};

// The calibration on one scale from validation residuals[i][h] (of origin i at lead h + 1; NaN
// where there is no target) and the ensemble's spreads[i][h] there. Throws elman::Error when no
// residual is finite.
Conformal calibrate_conformal(const std::vector<std::vector<double>>& residuals,
                              const std::vector<std::vector<double>>& spreads);

// The bounds of forecasts point[i] at lead leads[i] (>= 1), from the validated members'
// forecasts rows[member][i] (their spread).
IntervalBounds interval_bounds(const IntervalCalibration& c, const std::vector<double>& point,
                               const std::vector<std::vector<double>>& rows, const std::vector<std::size_t>& leads);

// Coverage, width and MSIS of the bounds against `actual`. The mean scaled interval score of
// the M4 competition (Makridakis, Spiliotis & Assimakopoulos 2020, "The M4 Competition:
// 100,000 time series and 61 forecasting methods", IJF 36(1), eq. for MSIS; M4 Competitor's
// Guide 2018), for a (1 − α) interval [L_t, U_t]:
//   MSIS = (1/h) Σ_t [ (U_t − L_t) + (2/α)(L_t − Y_t)·1{Y_t < L_t} + (2/α)(Y_t − U_t)·1{Y_t > U_t} ]
//          / ( (1/(n − m)) Σ_{t=m+1..n} |Y_t − Y_{t−m}| ),
// the interval score of Gneiting & Raftery (2007) scaled like MASE by the in-sample seasonal
// naive MAE of the training part (m = season), the scale of MASE.
// M4 scored α = 0.05; msis80 is the same with α = 0.2. NaN (undefined) when the scale is 0.
IntervalScores score_intervals(const std::vector<double>& actual, const IntervalBounds& bounds,
                               const std::vector<double>& train, std::size_t season);

}  // namespace elman
