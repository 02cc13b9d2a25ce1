// The real series shipped in datasets/data/ (provenance and licences in datasets/data/README.md).
#pragma once

#include <string>
#include <vector>

#include "datasets/series.hpp"

namespace elman {

// Where the builtin CSV files are: $ELMAN_DATA_DIR when set and non-empty, else
// <source tree>/datasets/data (ELMAN_SOURCE_DIR, set by CMake), else, when that directory is
// gone, the installed copy <prefix>/share/elman/data.
std::string data_dir();

// airline_passengers, co2_mauna_loa, nile_flow, sunspots_yearly, us_macro_quarterly.
const std::vector<std::string>& builtin_names();

// The path of a builtin series' CSV file; an unknown name is an elman::Error listing the names.
std::string builtin_path(const std::string& name);

// A builtin series; `column` picks one column of a multivariate one (us_macro_quarterly).
Series load_builtin(const std::string& name, const std::string& column = "");

// Every column of a builtin series (several for us_macro_quarterly).
Frame load_builtin_frame(const std::string& name);

}  // namespace elman
