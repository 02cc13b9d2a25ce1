#include "tools/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <plplot/plstream.h>

#include "core/error.hpp"

namespace elman {

namespace {

// PLplot exits the process on fatal errors (a missing device among them), so the device is
// looked up first and its absence reported as an Error instead.
bool has_svg_device()
{
    // plgDevs fills caller-allocated arrays of at most n entries and sets n to the count.
    std::vector<const char*> menu_buf(256), name_buf(256);
    const char** menus = menu_buf.data();
    const char** names = name_buf.data();
    int n = static_cast<int>(name_buf.size());
    plgDevs(&menus, &names, &n);
    for (int i = 0; i < n; ++i)
        if (std::strcmp(names[i], "svg") == 0) return true;
    return false;
}

struct Range {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    void add(double x, double y)
    {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
    }
};

// A log axis only when every finite value can be drawn on it (losses can be exactly 0).
bool can_log(const std::vector<PlotLine>& lines, const std::vector<PlotBand>& bands, bool wanted)
{
    if (!wanted) return false;
    for (const PlotLine& l : lines)
        for (double v : l.y)
            if (std::isfinite(v) && !(v > 0)) return false;
    for (const PlotBand& b : bands)
        for (double v : b.lo)
            if (std::isfinite(v) && !(v > 0)) return false;
    return true;
}

Range data_range(const std::vector<PlotLine>& lines, const std::vector<PlotBand>& bands, bool log_y)
{
    auto yv = [&](double v) { return log_y ? std::log10(v) : v; };
    Range r;
    for (const PlotLine& l : lines)
        for (std::size_t i = 0; i < l.x.size(); ++i) r.add(l.x[i], yv(l.y[i]));
    for (const PlotBand& b : bands)
        for (std::size_t i = 0; i < b.x.size(); ++i) {
            r.add(b.x[i], yv(b.lo[i]));
            r.add(b.x[i], yv(b.hi[i]));
        }
    if (!(r.x0 < std::numeric_limits<double>::infinity())) return {0, 1, 0, 1};  // nothing: empty axes
    // A single x or y value: widen the range around it (by 5% of it: x0 + 1 is x0 near 1e200).
    auto widen = [](double& lo, double& hi) {
        if (hi != lo) return;
        const double d = std::max(1.0, std::abs(lo) * 0.05);
        lo -= d;
        hi += d;
    };
    widen(r.x0, r.x1);
    widen(r.y0, r.y1);
    const double pad = 0.05 * (r.y1 - r.y0);
    r.y0 -= pad;
    r.y1 += pad;
    return r;
}

// The finite runs of a band, each filled as one polygon (upper edge forward, lower back).
void fill_band(plstream& pls, const PlotBand& b, bool log_y)
{
    auto yv = [&](double v) { return log_y ? std::log10(v) : v; };
    std::size_t i = 0;
    while (i < b.x.size()) {
        std::vector<PLFLT> xs, ys;
        std::size_t j = i;
        for (; j < b.x.size() && std::isfinite(b.x[j]) && std::isfinite(b.lo[j]) && std::isfinite(b.hi[j]) &&
               (!log_y || b.lo[j] > 0);
             ++j) {
            xs.push_back(b.x[j]);
            ys.push_back(yv(b.hi[j]));
        }
        for (std::size_t k = j; k-- > i;) {
            xs.push_back(b.x[k]);
            ys.push_back(yv(b.lo[k]));
        }
        if (xs.size() >= 4) pls.fill(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
        i = j + 1;
    }
}

// One line, its finite runs drawn separately so that gaps stay gaps.
void draw_line(plstream& pls, const PlotLine& l, bool log_y)
{
    std::vector<PLFLT> xs, ys;
    auto flush = [&] {
        if (xs.size() > 1) pls.line(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
        xs.clear();
        ys.clear();
    };
    for (std::size_t i = 0; i < l.x.size(); ++i) {
        if (!std::isfinite(l.x[i]) || !std::isfinite(l.y[i]) || (log_y && !(l.y[i] > 0))) {
            flush();
            continue;
        }
        xs.push_back(l.x[i]);
        ys.push_back(log_y ? std::log10(l.y[i]) : l.y[i]);
    }
    flush();
}

// cmap0 layout: 0 background (white), 1 text (black), then one colour per band and per line.
constexpr PLINT first_color = 2;

struct LegendEntries {
    std::vector<PLINT> opts, line_colors, styles, box_colors, box_patterns, text_colors;
    std::vector<PLFLT> widths, box_scales, box_widths;
    std::vector<const char*> texts;
};

LegendEntries legend_entries(const std::vector<PlotLine>& lines, const std::vector<PlotBand>& bands)
{
    LegendEntries e;
    auto add = [&](const std::string& text, PLINT opt, PLINT color, PLINT style, PLFLT width) {
        e.opts.push_back(opt);
        e.line_colors.push_back(color);
        e.box_colors.push_back(color);
        e.styles.push_back(style);
        e.widths.push_back(width);
        e.box_patterns.push_back(0);
        e.box_scales.push_back(0.8);
        e.box_widths.push_back(1);
        e.text_colors.push_back(1);
        e.texts.push_back(text.c_str());
    };
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!lines[i].label.empty())
            add(lines[i].label, PL_LEGEND_LINE, first_color + static_cast<PLINT>(bands.size() + i), lines[i].style,
                lines[i].width);
    for (std::size_t i = 0; i < bands.size(); ++i)
        if (!bands[i].label.empty()) add(bands[i].label, PL_LEGEND_COLOR_BOX, first_color + static_cast<PLINT>(i), 1, 1);
    return e;
}

}  // namespace

Rgb palette(std::size_t i)
{
    static const Rgb colors[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                                 {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return colors[i % 10];
}

void plot_lines(const std::string& path, const std::vector<PlotLine>& lines, const PlotOptions& options,
                const std::vector<PlotBand>& bands)
{
    if (!has_svg_device()) throw Error("plot: PLplot has no svg device (is libplplot17 installed completely?)");
    const bool log_y = can_log(lines, bands, options.log_y);
    const Range r = data_range(lines, bands, log_y);
    const LegendEntries legend = legend_entries(lines, bands);
    const int columns = std::max(1, options.legend_columns);
    const int rows = (static_cast<int>(legend.texts.size()) + columns - 1) / columns;
    // Pixels: title 60, the axes' box, tick labels and x label 75, the legend 34 a row (its text
    // spacing, 2 character heights, is about 33 px on this page).
    const int top = 60, below = 75, legend_h = rows > 0 ? rows * 34 + 16 : 0;
    const int height = top + options.plot_height + below + legend_h + 10;

    plstream pls;
    pls.sdev("svg");
    pls.sfnam(path.c_str());
    pls.spage(0, 0, options.width, height, 0, 0);
    pls.scmap0n(first_color + static_cast<PLINT>(bands.size() + lines.size()));
    pls.scol0(0, 255, 255, 255);
    pls.scol0(1, 0, 0, 0);
    for (std::size_t i = 0; i < bands.size(); ++i)
        pls.scol0a(first_color + static_cast<PLINT>(i), bands[i].color.r, bands[i].color.g, bands[i].color.b,
                   bands[i].alpha);
    for (std::size_t i = 0; i < lines.size(); ++i)
        pls.scol0(first_color + static_cast<PLINT>(bands.size() + i), lines[i].color.r, lines[i].color.g,
                  lines[i].color.b);
    pls.init();
    pls.adv(0);
    const double H = height;
    pls.vpor(0.11, 0.97, (below + legend_h + 10) / H, 1.0 - top / H);
    pls.wind(r.x0, r.x1, r.y0, r.y1);
    pls.col0(1);
    pls.box("bcnst", 0, 0, log_y ? "bcnstvl" : "bcnstv", 0, 0);
    pls.lab(options.x_label.c_str(), options.y_label.c_str(), options.title.c_str());
    for (std::size_t i = 0; i < bands.size(); ++i) {
        pls.col0(first_color + static_cast<PLINT>(i));
        fill_band(pls, bands[i], log_y);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        pls.col0(first_color + static_cast<PLINT>(bands.size() + i));
        pls.lsty(lines[i].style);
        pls.width(lines[i].width);
        draw_line(pls, lines[i], log_y);
    }
    pls.lsty(1);
    pls.col0(1);
    if (legend.texts.empty()) return;
    PLFLT lw = 0, lh = 0;
    // Below the axes, clear of the tick labels and the x label: offsets in viewport heights.
    const PLFLT offset = static_cast<PLFLT>(below) / options.plot_height;
    pls.legend(&lw, &lh, PL_LEGEND_ROW_MAJOR, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE, 0.0, offset, 0.08, 0, 1, 1,
               rows, columns, static_cast<PLINT>(legend.texts.size()), legend.opts.data(), 1.0, 0.75, 2.0, 0.0,
               legend.text_colors.data(), legend.texts.data(), legend.box_colors.data(), legend.box_patterns.data(),
               legend.box_scales.data(), legend.box_widths.data(), legend.line_colors.data(), legend.styles.data(),
               legend.widths.data(), nullptr, nullptr, nullptr, nullptr);
}

}  // namespace elman
