// The input options `elman forecast` and `elman predict` share: which file or builtin series,
// and how to read it (datasets/csv.hpp), and the lines that tell the user what was assumed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "datasets/csv.hpp"
#include "datasets/frequency.hpp"
#include "datasets/series.hpp"

namespace CLI {
class App;
}

namespace elman::cli {

struct Input {
    std::string file, builtin, column;
    std::vector<std::string> period_columns, na_values;
    std::string delimiter, decimal, date_format, frequency;
    bool no_period = false, interpolate = false, ignore_gaps = false, sort = false, dayfirst = false;
    // Covariate columns read with the values (CsvOptions::covariates); set by the commands from
    // --past-covariates and --future-covariates (forecast) or the model (predict).
    std::vector<std::string> covariates;
};

// Adds FILE, --builtin, --column, --period-column, --no-period, --interpolate, --ignore-gaps,
// --sort, --delimiter, --decimal, --na-values, --date-format, --dayfirst, --frequency.
void add_input_options(CLI::App* cmd, Input& in);

// How to read the file the options name (datasets/csv.hpp); an elman::Error for a bad option.
CsvOptions csv_options(const Input& in);

// Completes `in` with how a model's series was read, for each option the user left unset:
// `column` (the model's value column, when --column is not given) and `read` (the options its
// CSV file was read with, SeriesInfo::read; empty for older models). Returns the options taken,
// as the command line spells them: {"--column Close", "--ignore-gaps"}.
std::vector<std::string> adopt_reading(Input& in, const std::string& column, const std::optional<CsvOptions>& read);

// The series the options name; an elman::Error for a bad file or option.
Series load_input(const Input& in);

// "airline_passengers:Passengers", "sales.csv:units": how messages name the series.
std::string series_label(const Input& in, const Series& s);

// One line on the time axis and the season used:
//   "frequency monthly (inferred from column 'Month', read as %Y-%m), season 12 (default)"
//   "no calendar (the periods in column 't' are a plain row index): season 1 (default; ...)"
std::string calendar_line(const Series& s, std::size_t season, Source season_source);

// Prints each of the series' notes on stderr as "elman: note: LABEL: ...", and the calendar
// line too when there is no calendar (an assumption about the user's data) unless
// `summary_follows`: then the summary's first line on stdout says it, once.
void print_notes(const std::string& label, const Series& s, std::size_t season, Source season_source,
                 bool summary_follows = false);

}  // namespace elman::cli
