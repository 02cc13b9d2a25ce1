// Optimizer<T>: the contract every optimizer follows (torch.optim semantics).
//
// An optimizer holds non-owning pointers to Parameters (they must outlive it) and its
// per-parameter state in the same order. A training step is
//
//     opt.zero_grad();  tape.backward(loss);  opt.step();
//
// - zero_grad() fills every gradient with zeros (torch's set_to_none=False), allocating it if
//   needed: gradients accumulate across backward passes until then.
// - step() updates every parameter in place from its gradient. A parameter whose gradient was
//   never touched (empty, or not of the value's shape) is skipped and its state left
//   unchanged, as torch skips parameters whose grad is None.
// - lr()/set_lr(): the learning rate schedules change between steps (> 0, finite).
// - step_count(): the number of step() calls so far.
// - state()/load_state(): everything step() depends on besides the options and the weights, as
//   named tensors for checkpoints: "step" (shape [], the step count), "lr" (shape [], the
//   current learning rate: torch's state_dict restores it too, so a schedule resumes where it
//   was) and per parameter i "param<i>.<name>" (e.g. "param0.exp_avg", torch's state names).
//   load_state checks every name and shape before changing anything, so a bad state leaves
//   the optimizer as it was.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/tape.hpp"

namespace elman {

template <class T>
using NamedTensors = std::vector<std::pair<std::string, Tensor<T>>>;

namespace detail {

// Reads named state tensors for load_state: every entry must be used exactly once, with the
// expected shape; otherwise an Error names the optimizer, the entry and both shapes.
template <class T>
class StateReader {
public:
    StateReader(std::string where, const NamedTensors<T>& state) : where_(std::move(where))
    {
        for (const auto& [k, v] : state)
            if (!entries_.emplace(k, &v).second)
                throw Error(where_ + ": state entry '" + k + "' appears twice");
    }

    // nullptr when absent; `what` describes the expected owner of the shape in errors.
    const Tensor<T>* optional(const std::string& key, const Shape& shape, const std::string& what)
    {
        auto it = entries_.find(key);
        if (it == entries_.end()) return nullptr;
        const Tensor<T>* t = it->second;
        if (t->shape().size() != shape.size() ||
            !std::equal(shape.begin(), shape.end(), t->shape().begin()))
            throw Error(where_ + ": state entry '" + key + "' has shape " + shape_str(t->shape()) +
                        " but " + what + " has shape " + shape_str(shape));
        used_.push_back(key);
        return t;
    }

    const Tensor<T>& required(const std::string& key, const Shape& shape, const std::string& what)
    {
        const Tensor<T>* t = optional(key, shape, what);
        if (!t) throw Error(where_ + ": state entry '" + key + "' is missing");
        return *t;
    }

    // A step count: one element, a non-negative integer.
    std::size_t count(const std::string& key)
    {
        auto it = entries_.find(key);
        if (it == entries_.end()) throw Error(where_ + ": state entry '" + key + "' is missing");
        const Tensor<T>& t = *it->second;
        const T v = t.size() == 1 ? t.data()[0] : T(-1);
        if (t.size() != 1 || !(v >= T(0)) || !std::isfinite(v) || v != std::floor(v))
            throw Error(where_ + ": state entry '" + key + "' must be one non-negative integer, got shape " +
                        shape_str(t.shape()) + (t.size() == 1 ? " value " + std::to_string(v) : ""));
        used_.push_back(key);
        return static_cast<std::size_t>(v);
    }

    // A one-element entry's value.
    T scalar(const std::string& key)
    {
        auto it = entries_.find(key);
        if (it == entries_.end()) throw Error(where_ + ": state entry '" + key + "' is missing");
        if (it->second->size() != 1)
            throw Error(where_ + ": state entry '" + key + "' must have one element, got shape " +
                        shape_str(it->second->shape()));
        used_.push_back(key);
        return it->second->data()[0];
    }

    // Throws on any entry nobody asked for (a state from another optimizer or model).
    void finish() const
    {
        for (const auto& [k, v] : entries_)
            if (std::find(used_.begin(), used_.end(), k) == used_.end())
                throw Error(where_ + ": unknown state entry '" + k + "'");
    }

private:
    std::string where_;
    std::map<std::string, const Tensor<T>*> entries_;
    std::vector<std::string> used_;
};

}  // namespace detail

template <class T>
class Optimizer {
public:
    virtual ~Optimizer() = default;

    void zero_grad()
    {
        for (auto* p : params_) p->zero_grad();
    }
    virtual void step() = 0;

    const std::vector<Parameter<T>*>& params() const { return params_; }
    T lr() const { return lr_; }
    void set_lr(T lr)
    {
        check_lr(name_, lr);
        lr_ = lr;
    }
    std::size_t step_count() const { return steps_; }

    virtual NamedTensors<T> state() const = 0;
    virtual void load_state(const NamedTensors<T>& state) = 0;

protected:
    Optimizer(const char* name, std::vector<Parameter<T>*> params, T lr)
        : name_(name), params_(std::move(params))
    {
        check_lr(name_, lr);
        lr_ = lr;
        for (std::size_t i = 0; i < params_.size(); ++i) {
            if (!params_[i])
                throw Error(std::string(name_) + ": parameter " + std::to_string(i) + " is null");
            for (std::size_t j = 0; j < i; ++j)
                if (params_[j] == params_[i])
                    throw Error(std::string(name_) + ": parameter " + std::to_string(i) + " (" +
                                params_[i]->name + ") appears twice in the list");
        }
    }

    // The gradient step() may use: allocated and of the value's shape.
    static bool has_grad(const Parameter<T>& p)
    {
        return p.grad.size() == p.value.size() && p.grad.shape() == p.value.shape();
    }

    static void check_lr(const char* name, T lr)
    {
        if (!(lr > T(0)) || !std::isfinite(lr))
            throw Error(std::string(name) + ": lr must be a finite number > 0, got " +
                        std::to_string(lr));
    }

    static std::string key(std::size_t i, const char* what)
    {
        return "param" + std::to_string(i) + "." + what;
    }

    // The entries every optimizer's state starts with.
    NamedTensors<T> common_state() const
    {
        NamedTensors<T> s;
        s.emplace_back("step", scalar_tensor(static_cast<T>(steps_)));
        s.emplace_back("lr", scalar_tensor(lr_));
        return s;
    }

    // "parameter 2 (dense/kernel)", for error messages.
    std::string describe(std::size_t i) const
    {
        return "parameter " + std::to_string(i) + " (" + params_[i]->name + ")";
    }

    const char* name_;
    std::vector<Parameter<T>*> params_;
    T lr_ = T(0);
    std::size_t steps_ = 0;
};

}  // namespace elman
