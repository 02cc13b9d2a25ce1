#include "datasets/filled_values.hpp"

#include <cmath>

#include "datasets/csv_reader.hpp"

namespace elman {

std::vector<std::vector<std::size_t>> filled_values(const RawRows& rows, const std::vector<std::string>& columns,
                                                    std::vector<std::string>& notes)
{
    constexpr std::size_t listed = 5;
    std::vector<std::vector<std::size_t>> filled(rows.values.size());
    std::size_t cells = 0;
    std::string list;
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t c = 0; c < rows.values.size(); ++c) {
            if (!std::isnan(rows.values[c][i])) continue;
            filled[c].push_back(i);
            if (rows.lines[i] == 0) continue;  // an inserted period, noted by the time axis
            if (cells++ < listed)
                list += (cells > 1 ? ", " : "") + std::string("line ") + std::to_string(rows.lines[i]) + " " +
                        shown_cell(rows.labels[i]) + (columns.size() > 1 ? " (column '" + columns[c] + "')" : "");
        }
    if (cells == 0) return filled;
    notes.push_back("filled " + std::to_string(cells) + " missing value" + (cells > 1 ? "s" : "") +
                    " by linear interpolation (--interpolate): " + list + (cells > listed ? ", ..." : ""));
    return filled;
}

}  // namespace elman
