#include "tools/forecast_plots.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tools/plot.hpp"

namespace elman::cli {

namespace {

std::vector<double> part(const std::vector<double>& v, std::size_t a, std::size_t b)
{
    return {v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b)};
}

// x positions of the values, then of `after` periods past the series.
std::vector<double> time_axis(const Series& s, std::size_t after, std::string& x_label)
{
    std::vector<double> x = plot_times(s, x_label);
    const std::size_t n = s.values.size();
    for (std::size_t k = 1; k <= after; ++k)
        x.push_back(s.time.instants.empty()
                        ? static_cast<double>(n - 1 + k)
                        : fractional_year(advance(s.time.calendar, s.time.instants.back(), static_cast<std::int64_t>(k))));
    if (x_label == "year") x_label = "time (years)";
    return x;
}

// The 80% and 95% bands of forecasts over x (they start at the forecasts, not at the history).
std::vector<PlotBand> interval_bands(const std::vector<double>& x, const IntervalBounds& b, const std::string& what)
{
    if (b.empty()) return {};
    const Rgb c = palette(2);
    return {{what + " 95% interval", x, b.lo95, b.hi95, c, 0.18}, {what + " 80% interval", x, b.lo80, b.hi80, c, 0.35}};
}

// More points than a plot's width can show make a file of megabytes (100,000 hourly values: 21
// MB) that browsers draw slowly, with nothing more to see.
constexpr std::size_t max_plotted = 4000;

// Every `k` consecutive points as two, their lowest and highest (in time order), so that the
// thinned line keeps the series' envelope: its peaks and troughs.
void thin_line(PlotLine& l, std::size_t k)
{
    std::vector<double> x, y;
    for (std::size_t a = 0; a < l.y.size(); a += k) {
        const std::size_t b = std::min(a + k, l.y.size());
        std::size_t lo = a, hi = a;
        for (std::size_t i = a; i < b; ++i) {
            if (!(l.y[i] >= l.y[lo])) lo = i;
            if (!(l.y[i] <= l.y[hi])) hi = i;
        }
        for (std::size_t i : {std::min(lo, hi), std::max(lo, hi)}) {
            if (!x.empty() && x.back() == l.x[i]) continue;
            x.push_back(l.x[i]);
            y.push_back(l.y[i]);
        }
    }
    l.x = std::move(x);
    l.y = std::move(y);
}

// A band's every `k` points as one: the widest (lowest lo, highest hi) over them.
void thin_band(PlotBand& b, std::size_t k)
{
    std::vector<double> x, lo, hi;
    for (std::size_t a = 0; a < b.x.size(); a += k) {
        const std::size_t e = std::min(a + k, b.x.size());
        x.push_back(b.x[a]);
        lo.push_back(*std::min_element(b.lo.begin() + static_cast<std::ptrdiff_t>(a), b.lo.begin() + static_cast<std::ptrdiff_t>(e)));
        hi.push_back(*std::max_element(b.hi.begin() + static_cast<std::ptrdiff_t>(a), b.hi.begin() + static_cast<std::ptrdiff_t>(e)));
    }
    b.x = std::move(x);
    b.lo = std::move(lo);
    b.hi = std::move(hi);
}

// Thins every line and band longer than max_plotted points; returns "" or the words for the
// title: " (lines of more than 4000 points drawn as the lowest and highest of every k)".
std::string thin_plot(std::vector<PlotLine>& lines, std::vector<PlotBand>& bands)
{
    std::size_t most = 0;
    for (const auto& l : lines) most = std::max(most, l.y.size());
    for (const auto& b : bands) most = std::max(most, b.x.size());
    if (most <= max_plotted) return "";
    const std::size_t k = (most + max_plotted / 2 - 1) / (max_plotted / 2);  // two points per bucket
    for (auto& l : lines)
        if (l.y.size() > max_plotted) thin_line(l, k);
    for (auto& b : bands)
        if (b.x.size() > max_plotted) thin_band(b, k);
    return " (long lines drawn as the lowest and highest of every " + std::to_string(k) + " values)";
}

}  // namespace

void plot_forecasts(const std::filesystem::path& dir, const Series& s, const std::string& label,
                    const ForecastResult& r)
{
    std::string x_label;
    const std::size_t n = s.values.size();
    const std::vector<double> x = time_axis(s, r.n_test ? 0 : r.horizon, x_label);
    // Forecast lines start at the last value before them, so that the lines connect.
    auto joined = [&](const std::vector<double>& f, std::size_t before) {
        std::vector<double> v{s.values[before]};
        v.insert(v.end(), f.begin(), f.end());
        return v;
    };
    const std::string reference = r.season > 1 ? "seasonal_naive" : "naive";
    const Rgb black{0, 0, 0}, grey{110, 110, 110};
    std::vector<PlotLine> lines{{"history (training part)", part(x, 0, r.n_train), part(s.values, 0, r.n_train), black}};
    std::vector<PlotBand> bands;
    if (r.n_test > 0) {
        const std::vector<double> x_test = part(x, r.n_train - 1, n);
        bands = interval_bands(part(x, r.n_train, n), r.multi_step_intervals, "elman multi-step");
        lines.push_back({"actual (test part)", x_test, part(s.values, r.n_train - 1, n), black, 1, 2.5});
        lines.push_back({"elman one-step", x_test, joined(r.one_step.at("elman"), r.n_train - 1), palette(3)});
        lines.push_back({"elman multi-step (origins every " + std::to_string(r.horizon) + ")", x_test,
                         joined(r.multi_step.at("elman"), r.n_train - 1), palette(2), 1, 2.0});
        lines.push_back({reference + " one-step", x_test, joined(r.one_step.at(reference), r.n_train - 1), grey, 3});
    } else {
        const std::vector<double> x_future = part(x, n - 1, n + r.horizon);
        bands = interval_bands(part(x, n, n + r.horizon), r.future_intervals, "elman");
        lines.push_back({"elman forecast", x_future, joined(r.future.at("elman"), n - 1), palette(2), 1, 2.0});
        lines.push_back({reference + " forecast", x_future, joined(r.future.at(reference), n - 1), grey, 3});
    }
    const std::string thinned = thin_plot(lines, bands);
    const std::string what = (r.n_test ? "forecasts of the last " + std::to_string(r.n_test) + " values"
                                       : "forecast of the next " + std::to_string(r.horizon) + " values") + thinned;
    plot_lines((dir / "forecast.svg").string(), lines,
               {.title = label + ": " + what + (r.interrupted ? " (interrupted run)" : ""),
                .x_label = x_label,
                .y_label = s.name + " (units of the file)"},
               bands);
}

void plot_losses(const std::filesystem::path& dir, const std::string& label, const ForecastResult& r)
{
    std::vector<PlotLine> loss;
    // One seed per kept candidate (the first), so that the picture stays readable.
    std::vector<std::string> drawn;
    for (const ForecastMember& m : r.model.members) {
        const std::string who = m.describe();
        if (m.history.loss.empty() || std::find(drawn.begin(), drawn.end(), who) != drawn.end()) continue;
        std::vector<double> e, tl, vl;
        for (std::size_t i = 0; i < m.history.loss.size(); ++i) {
            e.push_back(static_cast<double>(i + 1));
            tl.push_back(m.history.loss[i]);
            vl.push_back(i < m.history.val_loss.size() ? m.history.val_loss[i] : std::numeric_limits<double>::quiet_NaN());
        }
        const Rgb c = palette(drawn.size());
        drawn.push_back(who);
        loss.push_back({who, e, tl, c, 1});
        loss.push_back({"", e, vl, c, 2});
    }
    if (!loss.empty()) {
        // The line styles, explained once (an empty line draws nothing).
        loss.push_back({"training loss (solid)", {}, {}, Rgb{0, 0, 0}, 1});
        loss.push_back({"validation loss (dashed)", {}, {}, Rgb{0, 0, 0}, 2});
    }
    const std::string none = loss.empty() ? " (no model was trained: the transformed series is constant)" : "";
    plot_lines((dir / "loss.svg").string(), loss,
               {.title = label + ": loss per epoch of the kept candidates" +
                         (r.interrupted ? std::string(" (interrupted run)") : std::string()) + none,
                .x_label = "epoch",
                .y_label = "MSE of the scaled series (dimensionless)",
                .log_y = true});
}

}  // namespace elman::cli
