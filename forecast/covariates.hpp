// Covariates of the forecasting pipeline: extra input columns next to the series' own values
// (ForecastOptions::past_covariates, ::future_covariates; docs/forecasting.md, "Covariates").
//
// How they enter a window. A member's input at window step k (the period τ of that step) is
//   [ s_τ,  (p_1,τ − μ)/σ, ..., (p_P,τ − μ)/σ,  (f_1,τ+1 − μ)/σ, ..., (f_F,τ+1 − μ)/σ ]
// so the recurrent layer has input_dim = 1 + P + F. s is the member's scaled differenced series;
// a past-only covariate p enters at the step's own period τ (known when the window is seen); a
// known-future covariate f enters with its value one period ahead, τ + 1: the last step of a
// window carries its value at the forecast time (the period of the first target). A recursive
// forecast steps forward one period at a time and so sees every horizon step's value; a MIMO
// member sees the value at its first target only.
// Scaling: μ, σ per covariate (population sd) on the member's fitted part alone, like the
// target's scaler; a covariate constant there gets σ = 1 (it enters as 0 wherever it keeps that
// value) and run_forecast says so in a note. Covariates are neither logged nor differenced.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "datasets/series.hpp"

namespace elman {

// Covariate values aligned with a series y: past[c][t] and future[c][t] are covariate c at
// period t of y (t = 0: y's first period). A forecast from origin t (the first forecast period)
// reads past[c] before t only, and future[c] up to the last period whose value it forecasts
// (a recursive forecast: origin + horizon − 1), so future[c] may run past the end of y: the
// values given for the future periods (Series::covariates may be longer than Series::values).
struct Covariates {
    std::vector<std::vector<double>> past, future;
    std::size_t count() const { return past.size() + future.size(); }
    bool empty() const { return count() == 0; }
};

// The covariates `past` and `future` name, taken from s.covariates, past ones first. Throws
// elman::Error naming `option_past` / `option_future` (e.g. "--past-covariates") for a name s
// does not carry (listing those it does), a name given twice or in both lists, a covariate with
// fewer values than s, or a value that is not finite (naming the covariate, value number and
// period: fill it in the file, or read with --interpolate).
Covariates select_covariates(const Series& s, const std::vector<std::string>& past,
                             const std::vector<std::string>& future,
                             const std::string& option_past = "--past-covariates",
                             const std::string& option_future = "--future-covariates");

// Mean and population sd of each covariate (past, then future) over periods [0, fit_end): the
// member's covariate scaler. A covariate constant there gets scale 1.
void fit_covariate_scaler(const Covariates& x, std::size_t fit_end, std::vector<double>& mean,
                          std::vector<double>& scale);

// Writes the scaled covariates of the window step at period tau into out[0..x.count()): past
// ones at tau, future ones at tau + 1 (see above). The caller checks the lengths; an index past
// a covariate's end is a std::out_of_range (a bug, never a user error).
void put_covariates(float* out, const Covariates& x, const std::vector<double>& mean, const std::vector<double>& scale,
                    std::size_t tau);

// One line for each covariate constant over periods [0, n) (named by `names`, past then
// future): what happens to it. run_forecast passes the screened models' fitted part.
std::vector<std::string> constant_covariate_notes(const Covariates& x, const std::vector<std::string>& names,
                                                  std::size_t n);

// x with every future covariate extended to at least n periods by repeating its last value: for
// forecasts whose steps past the known values are computed but never used (rolling blocks cut
// at the end of the series, validation paths past the end of the tail: a step forecasting
// period t reads covariates up to t only, so a forecast that is kept never reads the filler).
// Internal to the pipeline.
Covariates padded_future(const Covariates& x, std::size_t n);

// The future values of the covariates `names`, read from the CSV `file` (one row per future
// period: a period column and these columns; `reader` says how to read it, e.g. its delimiter),
// appended to s.covariates so that s carries them past its last value. The file's first
// `needed` rows must be the `needed` periods right after s's last one, in order. Throws
// elman::Error naming the file (and the row and period, or the column) for a missing column, a
// file shorter than `needed` rows, a period that is not the one expected, a missing or
// non-numeric cell (the reader's error), or s not carrying the covariate.
void append_future_covariates(Series& s, const std::string& file, const std::vector<std::string>& names,
                              std::size_t needed);

}  // namespace elman
