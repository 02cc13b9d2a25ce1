// Line plots written as SVG files with PLplot (its C++ bindings and "svg" device), for
// forecast.svg and loss.svg. Plotting lives here only; the pipeline knows nothing of it.
#pragma once

#include <string>
#include <vector>

namespace elman {

struct PlotLine {
    std::string label;        // shown in the legend
    std::vector<double> x, y; // same length; non-finite points are skipped
    int color = 1;            // PLplot cmap0 index: 1 red, 2 yellow, 3 green, 9 blue, 15 black...
    int style = 1;            // PLplot line style: 1 solid, 2.. dashed/dotted
};

struct PlotOptions {
    std::string title, x_label, y_label;
    bool log_y = false;       // a logarithmic value axis (linear when some finite y <= 0)
    int width = 1000, height = 560;
    // The legend goes below the axes, in two columns, instead of inside their top-left corner:
    // for plots with many lines that would otherwise hide the data.
    bool legend_below = false;
};

// Draws the lines on one set of axes with a legend and writes the SVG file `path` (empty axes
// when no point is finite). Throws elman::Error when PLplot has no svg device.
void plot_lines(const std::string& path, const std::vector<PlotLine>& lines,
                const PlotOptions& options);

}  // namespace elman
