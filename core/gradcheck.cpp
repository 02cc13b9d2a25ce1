#include "core/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <xtensor/xbuilder.hpp>

#include "core/axis.hpp"
#include "core/init.hpp"

namespace elman {

std::string GradcheckReport::str() const
{
    std::ostringstream os;
    os << (passed ? "gradcheck passed" : "gradcheck FAILED") << "\n";
    for (const auto& r : inputs) {
        os << "  " << r.name << " " << shape_str(r.shape) << ": max abs error " << r.max_abs_error
           << ", max rel error " << r.max_rel_error;
        if (!r.passed)
            os << "  FAILED at " << shape_str(r.worst) << " (analytic " << r.analytic
               << ", numeric " << r.numeric << ")";
        os << "\n";
    }
    return os.str();
}

GradcheckReport gradcheck(const GradcheckFn& f, const std::vector<Tensor<double>>& inputs,
                          const std::vector<Parameter<double>*>& params,
                          const GradcheckOptions& options)
{
    std::vector<Tensor<double>> xs = inputs;
    Tensor<double> u;  // projection direction, fixed once the output shape is known

    // L(xs) on a fresh tape, values only.
    auto loss_value = [&]() {
        Tape<double> tape;
        NoGrad guard;
        std::vector<Var<double>> vars;
        for (const auto& x : xs) vars.push_back(tape.constant(x));
        const auto& y = f(tape, vars).value();
        return y.size() == 1 ? y.data()[0] : static_cast<double>(xt::sum(y * u)());
    };

    // Analytic gradients.
    for (auto* p : params) p->zero_grad();
    std::vector<Tensor<double>> analytic;
    {
        Tape<double> tape;
        std::vector<Var<double>> vars;
        for (std::size_t i = 0; i < xs.size(); ++i)
            vars.push_back(tape.variable(xs[i], "input " + std::to_string(i)));
        Var<double> y = f(tape, vars);
        if (y.size() == 1) {
            tape.backward(y);
        } else {
            Shape ys = y.shape();
            u = normal<double>(ys, 0.0, 1.0, options.seed);
            tape.backward(y, u);
        }
        for (std::size_t i = 0; i < xs.size(); ++i)
            analytic.push_back(vars[i].has_grad() ? vars[i].grad()
                                                  : Tensor<double>(xt::zeros<double>(xs[i].shape())));
        for (auto* p : params) analytic.push_back(p->grad);
    }

    GradcheckReport report;
    const std::size_t n_checked = xs.size() + params.size();
    for (std::size_t i = 0; i < n_checked; ++i) {
        const bool is_param = i >= xs.size();
        Tensor<double>& target = is_param ? params[i - xs.size()]->value : xs[i];
        GradcheckInputReport r;
        r.name = is_param ? params[i - xs.size()]->name : "input " + std::to_string(i);
        r.shape = Shape(target.shape().begin(), target.shape().end());
        // -inf, not a finite guess: with a large tolerance every excess can be very negative,
        // and the report must still name a worst element.
        double worst_excess = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < target.size(); ++j) {
            const double saved = target.data()[j];
            target.data()[j] = saved + options.eps;
            const double lp = loss_value();
            target.data()[j] = saved - options.eps;
            const double lm = loss_value();
            target.data()[j] = saved;
            const double num = (lp - lm) / (2.0 * options.eps);
            const double ana = analytic[i].data()[j];
            const double err = std::abs(ana - num);
            const double scale = std::max(std::abs(ana), std::abs(num));
            r.max_abs_error = std::max(r.max_abs_error, err);
            if (scale > 0 && scale * options.rtol >= options.atol)
                r.max_rel_error = std::max(r.max_rel_error, err / scale);
            const double excess = err - (options.atol + options.rtol * scale);
            if (!std::isfinite(num) || !std::isfinite(ana) || excess > 0) r.passed = false;
            if (excess > worst_excess || !std::isfinite(excess)) {
                // A non-finite gradient is the worst there is: later finite errors keep off it.
                worst_excess =
                    std::isfinite(excess) ? excess : std::numeric_limits<double>::infinity();
                r.worst = unravel_index(j, r.shape);
                r.analytic = ana;
                r.numeric = num;
            }
        }
        report.passed = report.passed && r.passed;
        report.inputs.push_back(std::move(r));
    }
    return report;
}

}  // namespace elman
