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

}  // namespace

void plot_lines(const std::string& path, const std::vector<PlotLine>& lines,
                const PlotOptions& options)
{
    if (!has_svg_device())
        throw Error("plot: PLplot has no svg device (is libplplot17 installed completely?)");
    // A log axis only when every finite value can be drawn on it (losses can be exactly 0).
    bool log_y = options.log_y;
    for (const PlotLine& l : lines)
        for (double v : l.y)
            if (std::isfinite(v) && !(v > 0)) log_y = false;
    const double inf = std::numeric_limits<double>::infinity();
    double x0 = inf, x1 = -inf, y0 = inf, y1 = -inf;
    auto yv = [&](double v) { return log_y ? std::log10(v) : v; };
    for (const PlotLine& l : lines)
        for (std::size_t i = 0; i < l.x.size(); ++i) {
            if (!std::isfinite(l.x[i]) || !std::isfinite(l.y[i])) continue;
            x0 = std::min(x0, l.x[i]);
            x1 = std::max(x1, l.x[i]);
            y0 = std::min(y0, yv(l.y[i]));
            y1 = std::max(y1, yv(l.y[i]));
        }
    if (!(x0 < inf)) {  // nothing to draw: empty axes, the title says why
        x0 = y0 = 0;
        x1 = y1 = 1;
    }
    // A single x or y value: widen the range around it (by 5% of it: x0 + 1 is x0 near 1e200).
    auto widen = [](double& lo, double& hi) {
        if (hi != lo) return;
        const double d = std::max(1.0, std::abs(lo) * 0.05);
        lo -= d;
        hi += d;
    };
    widen(x0, x1);
    widen(y0, y1);
    const double pad = 0.05 * (y1 - y0);

    plstream pls;
    pls.sdev("svg");
    pls.sfnam(path.c_str());
    pls.spage(0, 0, options.width, options.height, 0, 0);
    pls.scolbg(255, 255, 255);
    pls.scol0(15, 0, 0, 0);
    pls.init();
    pls.col0(15);
    if (options.legend_below) {
        // Axes in the top part of the page, the legend under them.
        pls.adv(0);
        const PLFLT bottom = 0.12 + 0.045 * static_cast<PLFLT>((lines.size() + 1) / 2);
        pls.vpor(0.1, 0.95, bottom + 0.06, 0.9);
        pls.wind(x0, x1, y0 - pad, y1 + pad);
        pls.box("bcnst", 0, 0, log_y ? "bcnstvl" : "bcnstv", 0, 0);
    } else {
        pls.env(x0, x1, y0 - pad, y1 + pad, 0, log_y ? 20 : 0);
    }
    pls.lab(options.x_label.c_str(), options.y_label.c_str(), options.title.c_str());

    std::vector<PLINT> opts, colors, styles;
    std::vector<PLFLT> widths;
    std::vector<const char*> texts;
    for (const PlotLine& l : lines) {
        // Finite runs drawn separately, so that gaps stay gaps.
        pls.col0(l.color);
        pls.lsty(l.style);
        pls.width(1.5);
        std::vector<PLFLT> xs, ys;
        auto flush = [&] {
            if (xs.size() > 1) pls.line(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
            xs.clear();
            ys.clear();
        };
        for (std::size_t i = 0; i < l.x.size(); ++i) {
            const bool ok = std::isfinite(l.x[i]) && std::isfinite(l.y[i]) &&
                            (!log_y || l.y[i] > 0);
            if (!ok) {
                flush();
                continue;
            }
            xs.push_back(l.x[i]);
            ys.push_back(yv(l.y[i]));
        }
        flush();
        opts.push_back(PL_LEGEND_LINE);
        colors.push_back(l.color);
        styles.push_back(l.style);
        widths.push_back(1.5);
        texts.push_back(l.label.c_str());
    }
    pls.lsty(1);
    pls.col0(15);
    std::vector<PLINT> text_colors(lines.size(), 15);
    PLFLT lw = 0, lh = 0;
    const PLINT position = options.legend_below
                               ? PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE
                               : PL_POSITION_TOP | PL_POSITION_LEFT | PL_POSITION_INSIDE;
    const PLFLT offset_y = options.legend_below ? 0.1 : 0.02;
    const PLINT rows = options.legend_below ? static_cast<PLINT>((lines.size() + 1) / 2) : 0;
    const PLINT columns = options.legend_below ? 2 : 0;
    pls.legend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX | PL_LEGEND_ROW_MAJOR,
               position, options.legend_below ? 0.0 : 0.02, offset_y, 0.08, 0, 15, 1, rows,
               columns, static_cast<PLINT>(lines.size()), opts.data(), 1.0, 0.8, 2.0, 0.0,
               text_colors.data(), texts.data(), nullptr, nullptr, nullptr, nullptr,
               colors.data(), styles.data(), widths.data(), nullptr, nullptr, nullptr, nullptr);
}

}  // namespace elman
