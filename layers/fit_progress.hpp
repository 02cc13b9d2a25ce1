// fit's progress line on stderr (layers/fit.cpp): "Epoch 3/50 [=====>    ] loss 0.0123
// val_loss 0.0150 1.2s", redrawn in place on a terminal, nothing otherwise. Internal to fit.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace elman::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// v with 4 significant digits, as the progress line and fit's errors print losses.
inline std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// "Epoch 3/50 [=====>    ] loss 0.0123 val_loss 0.0150 1.2s", redrawn in place with \r on a
// terminal; nothing otherwise.
class FitProgress {
public:
    FitProgress(bool verbose, std::size_t epochs)
        : on_(verbose && isatty(fileno(stderr))), epochs_(epochs)
    {
    }
    ~FitProgress()
    {
        if (open_) std::fputs("\n", stderr);
    }

    void start(std::size_t epoch)
    {
        epoch_ = epoch;
        t0_ = Clock::now();
        last_ = Clock::time_point{};
    }

    // Redraws at most every 0.1 s: tiny models take far less than that per step.
    void batch(std::size_t done, std::size_t total, double loss)
    {
        if (!on_ || (done < total && Clock::now() - last_ < std::chrono::milliseconds(100))) return;
        last_ = Clock::now();
        draw(done, total, loss, nullptr);
    }

    void end(std::size_t total, double loss, const double* val_loss)
    {
        if (!on_) return;
        draw(total, total, loss, val_loss);
        std::fputs("\n", stderr);
        open_ = false;
    }

private:
    void draw(std::size_t done, std::size_t total, double loss, const double* val_loss)
    {
        constexpr std::size_t width = 20;
        const std::size_t filled = total ? done * width / total : width;
        std::string bar(width, ' ');
        for (std::size_t i = 0; i < filled; ++i) bar[i] = '=';
        if (filled < width) bar[filled] = '>';
        std::string line = "\rEpoch " + std::to_string(epoch_ + 1) + "/" + std::to_string(epochs_) +
                           " [" + bar + "] loss " + number(loss);
        if (val_loss) line += " val_loss " + number(*val_loss);
        char t[32];
        std::snprintf(t, sizeof t, " %.1fs\x1b[K", seconds_since(t0_));
        line += t;
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        open_ = true;
    }

    bool on_;
    bool open_ = false;
    std::size_t epochs_;
    std::size_t epoch_ = 0;
    Clock::time_point t0_, last_;
};

}  // namespace elman::detail
