// Line plots with shaded bands, written as SVG files with PLplot (its C++ bindings and "svg"
// device), for forecast.svg and loss.svg. Plotting lives here only; the pipeline knows nothing
// of it. The legend sits below the axes (it never hides data), in as many columns as fit.
#pragma once

#include <string>
#include <vector>

namespace elman {

struct Rgb {
    int r = 0, g = 0, b = 0;
};

// A palette of 10 colours that stay apart on white (Tableau 10), for up to 10 candidates; index
// i wraps around.
Rgb palette(std::size_t i);

struct PlotLine {
    std::string label;        // shown in the legend; empty: not in the legend
    std::vector<double> x, y; // same length; non-finite points are skipped
    Rgb color;
    int style = 1;            // PLplot line style: 1 solid, 2 short dashes, 3 long dashes...
    double width = 1.5;
};

// A shaded region between lo and hi (an interval), drawn under the lines.
struct PlotBand {
    std::string label;
    std::vector<double> x, lo, hi;  // same length; non-finite points break the band
    Rgb color;
    double alpha = 0.25;            // opacity of the fill
};

struct PlotOptions {
    std::string title, x_label, y_label;
    bool log_y = false;       // a logarithmic value axis (linear when some finite y <= 0)
    int width = 1000;         // pixels; the height grows with the legend's rows
    int plot_height = 380;    // pixels of the axes' box
    int legend_columns = 2;
};

// Draws the bands, then the lines, on one set of axes with the legend below them, and writes
// the SVG file `path` (empty axes when no point is finite). Throws elman::Error when PLplot has
// no svg device.
void plot_lines(const std::string& path, const std::vector<PlotLine>& lines, const PlotOptions& options,
                const std::vector<PlotBand>& bands = {});

}  // namespace elman
