// A loaded time series: one value column (Series) or several aligned ones (Frame), with the
// time axis the reader found for them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "datasets/frequency.hpp"

namespace elman {

// Where the periods come from and how they are spaced.
struct TimeAxis {
    Calendar calendar;                 // calendar.known() false: no calendar
    std::vector<Instant> instants;     // one per row when there is a calendar, else empty
    std::string period_column;         // "Month", "dteday + hr"; empty: no period column
    std::string date_format;           // the form the labels were read in ("%d/%m/%Y")
    bool index = false;                // the periods are a plain integer index
    Source frequency_source = Source::by_default;  // inferred from dates, given, or none
    Source season_source = Source::by_default;
};

struct Series {
    std::string name;                  // the value column's header
    std::vector<std::string> periods;  // labels as written in the file, one per value
    std::vector<double> values;
    Frequency frequency = Frequency::unknown;
    std::size_t season = 1;            // default_season(time.calendar) unless given
    TimeAxis time;
    // What the reader assumed, skipped or filled, one line each (the CLI prints them on stderr).
    std::vector<std::string> notes;
    // Covariates read alongside the values (CsvOptions::covariates): covariates[c][t] is
    // column covariate_names[c] at period t, one value per period.
    std::vector<std::string> covariate_names;
    std::vector<std::vector<double>> covariates;
    // Indices of the values the reader filled by interpolation (--interpolate), ascending:
    // made up, so the forecast pipeline does not score them as actuals.
    std::vector<std::size_t> filled;
};

struct Frame {
    std::vector<std::string> periods;
    std::vector<std::string> columns;          // value column names, in file order
    std::vector<std::vector<double>> values;   // values[c][t]: column c at time t
    Frequency frequency = Frequency::unknown;
    std::size_t season = 1;
    TimeAxis time;
    std::vector<std::string> notes;
    std::vector<std::vector<std::size_t>> filled;  // filled[c]: as Series::filled, for column c

    std::size_t size() const { return periods.size(); }
    // Column `name` as a Series; an unknown name is an elman::Error listing the columns.
    Series column(const std::string& name) const;
    // The named columns side by side, [time, columns.size()] (every column when `names` is empty).
    Tensor<double> matrix(const std::vector<std::string>& names = {}) const;
};

// The labels of the `count` periods after the series: on its calendar (ISO 8601 at the
// labels' resolution, e.g. "1961-01"), continuing a plain integer index, or numbering rows.
std::vector<std::string> future_periods(const Series& s, std::size_t count);

// The same periods labelled as the series' own labels are written: in the form they were read
// in (TimeAxis::date_format; "Jan 1961", "Mar-1956", "31.12.2020", "04-01"), each field
// zero-padded or not as the last labels have it ("1/5/1985"), when that form writes the last
// label back exactly; otherwise (labels with an offset, a form date.h cannot write)
// future_periods' ISO labels. What forecast.csv and `elman predict` print after a series.
std::vector<std::string> future_labels(const Series& s, std::size_t count);

// The time axis for plots: fractional years on a calendar, else the row number.
std::vector<double> plot_times(const Series& s, std::string& axis_label);

}  // namespace elman
