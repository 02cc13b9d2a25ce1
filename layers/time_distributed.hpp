// TimeDistributed: Keras' wrapper that applies one layer to every time step with the same
// weights.
//   x:[B,T,F] -> reshape [B·T,F] -> layer -> [B·T,U] -> reshape [B,T,U]
// The wrapped layer sees plain rows, so TimeDistributed(Dense(U)) gives exactly Dense(U) on
// 3-D input (Keras' own Dense acts on the last axis). Weights and parameter counts are the
// wrapped layer's; the mask passes through.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/module.hpp"

namespace elman {

template <class T>
class TimeDistributed : public Module<T> {
public:
    // Throws Error when `layer` is null.
    explicit TimeDistributed(std::shared_ptr<Module<T>> layer);

    Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) override;
    std::vector<Parameter<T>*> parameters() override { return layer_->parameters(); }
    std::string default_name() const override { return "time_distributed"; }
    // input_shape {T, F}: the wrapped layer is built for {F}.
    void build(const Shape& input_shape) override;
    Shape output_shape(const Shape& input_shape) const override;
    std::size_t param_count() const override { return layer_->param_count(); }
    std::string param_formula() const override { return layer_->param_formula(); }
    std::string type() const override { return "TimeDistributed"; }
    // Renames this wrapper only; the wrapped layer keeps its name (Keras: "dense" inside
    // "time_distributed").
    void set_name(std::string name) override { this->name_ = std::move(name); }

    const std::shared_ptr<Module<T>>& layer() const { return layer_; }

private:
    std::shared_ptr<Module<T>> layer_;
};

}  // namespace elman
