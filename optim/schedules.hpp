// Learning-rate schedules, torch.optim.lr_scheduler semantics. Each drives one optimizer's lr
// through set_lr(); call step() once per epoch, after that epoch's optimizer steps.
#pragma once

#include <cstddef>

#include "optim/optimizer.hpp"

namespace elman {

// torch StepLR: after `epoch` calls of step(),
//   lr = initial_lr · gamma^floor(epoch / step_size)
// where initial_lr is the optimizer's lr when the schedule is made.
template <class T>
class StepDecay {
public:
    // step_size >= 1; gamma finite and > 0 (torch's default 0.1).
    StepDecay(Optimizer<T>& optimizer, std::size_t step_size, T gamma = T(0.1));

    void step();                          // one epoch done: epoch += 1, set the lr for it
    T lr_at(std::size_t epoch) const;     // the lr the schedule gives epoch `epoch`
    std::size_t epoch() const { return epoch_; }
    T initial_lr() const { return initial_lr_; }

private:
    Optimizer<T>& optimizer_;
    std::size_t step_size_;
    T gamma_;
    T initial_lr_;
    std::size_t epoch_ = 0;
};

enum class PlateauMode { min, max };        // a lower (min) or higher (max) metric is better
enum class ThresholdMode { rel, abs };

// torch ReduceLROnPlateau's options and defaults.
template <class T>
struct PlateauOptions {
    PlateauMode mode = PlateauMode::min;    // min: lower is better (a loss); default min
    T factor = T(0.1);                      // new lr = max(lr · factor, min_lr); in (0, 1)
    std::size_t patience = 10;              // bad epochs tolerated before a reduction
    T threshold = T(1e-4);                  // how much better counts as better (>= 0)
    ThresholdMode threshold_mode = ThresholdMode::rel;  // rel: best·(1 ∓ threshold); default rel
    std::size_t cooldown = 0;               // epochs after a reduction during which bad epochs are not counted
    T min_lr = T(0);                        // >= 0
    T eps = T(1e-8);                        // a reduction smaller than this is skipped
};

// torch ReduceLROnPlateau. step(metric), once per epoch:
//   better = metric < best·(1 − threshold)  (min, rel)   metric < best − threshold (min, abs)
//            metric > best·(1 + threshold)  (max, rel)   metric > best + threshold (max, abs)
//   better: best = metric, bad = 0;  otherwise bad += 1   (a NaN metric is never better)
//   in cooldown: cooldown_left −= 1, bad = 0
//   bad > patience: lr = max(lr · factor, min_lr) if that lowers it by more than eps;
//                   cooldown_left = cooldown, bad = 0
// best starts at +inf (min) or −inf (max).
template <class T>
class ReduceLROnPlateau {
public:
    explicit ReduceLROnPlateau(Optimizer<T>& optimizer, PlateauOptions<T> options = {});

    // Returns true when this call lowered the learning rate.
    bool step(T metric);

    double best() const { return best_; }
    std::size_t num_bad_epochs() const { return bad_; }
    bool in_cooldown() const { return cooldown_left_ > 0; }
    const PlateauOptions<T>& options() const { return options_; }

private:
    bool is_better(double metric) const;

    Optimizer<T>& optimizer_;
    PlateauOptions<T> options_;
    double best_;
    std::size_t bad_ = 0;
    std::size_t cooldown_left_ = 0;
};

}  // namespace elman
