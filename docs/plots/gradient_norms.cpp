// Draws docs/img/gradient_norms.svg for docs/bptt.md section 5: ‖dL/dh_t‖ per time step for
// L = Σ h_40 (8 units), W_h = scale·Q (Q orthogonal), read from SimpleRNN's trace mode — the
// same runs as the section's program. PLplot (libplplot-dev) draws it, log y axis.
//   cmake --build build --target docs_plots        (usage: gradient_norms <out.svg>)
#include <cmath>
#include <cstdio>
#include <vector>

#include <plplot/plstream.h>

#include "core/init.hpp"
#include "core/ops.hpp"
#include "layers/simple_rnn.hpp"

using namespace elman;

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: gradient_norms <out.svg>\n");
        return 2;
    }
    const std::size_t T = 40, U = 8;
    const Tensor<double> x = normal<double>({1, T, 1}, 0.0, 1.0, 4);
    struct Case {
        const char* name;
        Activation act;
        double scale;
        PLINT color;
    } cases[] = {{"tanh, W#dh#u = 0.5 Q", Activation::tanh, 0.5, 1},
                 {"tanh, W#dh#u = 1.0 Q", Activation::tanh, 1.0, 9},
                 {"linear, W#dh#u = 1.1 Q", Activation::linear, 1.1, 3}};

    plstream pls;
    pls.sdev("svg");
    pls.sfnam(argv[1]);
    pls.spage(0, 0, 800, 500, 0, 0);
    pls.scolbg(255, 255, 255);
    pls.scol0(15, 0, 0, 0);
    pls.init();
    pls.col0(15);
    // y: log10 ‖dL/dh_t‖ from 1e-16 to 1e3
    pls.env(1, double(T), -16, 3, 0, 20);
    pls.lab("time step t", "||dL/dh#dt#u||", "Gradient reaching h#dt#u from L = sum h#d40#u");

    std::vector<PLINT> opts, colors, styles, text_colors;
    std::vector<PLFLT> widths;
    std::vector<const char*> texts;
    for (const Case& c : cases) {
        SimpleRNN<double> rnn({.units = U, .activation = c.act, .seed = 3, .trace = true});
        rnn.build({T, 1});
        rnn.recurrent_kernel.value = orthogonal<double>({U, U}, 9, c.scale);
        Tape<double> tape;
        tape.backward(sum(rnn.forward(tape, tape.constant(x))));
        std::vector<PLFLT> ts, ys;
        for (std::size_t t = 0; t < T; ++t) {
            double s = 0;
            for (double v : rnn.trace().dh[t]) s += v * v;
            ts.push_back(double(t + 1));
            ys.push_back(std::log10(std::max(std::sqrt(s), 1e-300)));
        }
        pls.col0(c.color);
        pls.width(2);
        pls.line(static_cast<PLINT>(T), ts.data(), ys.data());
        opts.push_back(PL_LEGEND_LINE);
        colors.push_back(c.color);
        styles.push_back(1);
        widths.push_back(2);
        texts.push_back(c.name);
        text_colors.push_back(15);
    }
    pls.col0(15);
    PLFLT lw = 0, lh = 0;
    pls.legend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
               PL_POSITION_BOTTOM | PL_POSITION_RIGHT | PL_POSITION_INSIDE, 0.02, 0.02, 0.08, 0,
               15, 1, 0, 0, static_cast<PLINT>(opts.size()), opts.data(), 1.0, 0.8, 2.0, 0.0,
               text_colors.data(), texts.data(), nullptr, nullptr, nullptr, nullptr,
               colors.data(), styles.data(), widths.data(), nullptr, nullptr, nullptr, nullptr);
    std::printf("wrote %s\n", argv[1]);
    return 0;
}
