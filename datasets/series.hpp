// A loaded time series: one value column (Series) or several aligned ones (Frame).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "datasets/period.hpp"

namespace elman {

struct Series {
    std::string name;                  // the value column's header
    std::vector<std::string> periods;  // labels as written in the file, one per value
    std::vector<double> values;
    Frequency frequency = Frequency::unknown;
    std::size_t season = 1;            // season_length(frequency)
};

struct Frame {
    std::vector<std::string> periods;
    std::vector<std::string> columns;          // value column names, in file order
    std::vector<std::vector<double>> values;   // values[c][t]: column c at time t
    Frequency frequency = Frequency::unknown;
    std::size_t season = 1;

    std::size_t size() const { return periods.size(); }
    // Column `name` as a Series; an unknown name is an elman::Error listing the columns.
    Series column(const std::string& name) const;
    // The named columns side by side, [time, columns.size()] (every column when `names` is empty).
    Tensor<double> matrix(const std::vector<std::string>& names = {}) const;
};

}  // namespace elman
