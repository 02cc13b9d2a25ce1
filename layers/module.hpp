// Module: what every layer (and Sequential) promises. The contract of each method is written
// here once; layers only say where they differ.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "core/error.hpp"
#include "core/tape.hpp"
#include "core/tensor.hpp"

namespace elman {

// Keras' mask: [B,T], true where time step t of sequence b is real data, false where it is
// padding. Made by a layer that knows which steps are padding (Masking, Embedding with
// mask_zero) and consumed by the recurrent layers, which carry their state over masked steps.
using Mask = xt::xtensor<bool, 2>;

// What forward() receives besides its input: Keras' call(inputs, training=None, mask=None).
struct CallContext {
    // Training mode: dropout is active only when true. fit() passes true; evaluate(),
    // predict() and a plain forward(tape, x) run with false (inference).
    bool training = false;
    // The mask of the input, [B,T], or null for none (every step is real).
    const Mask* mask = nullptr;
};

template <class T>
class Module {
public:
    virtual ~Module() = default;

    // y = layer(x), recorded on `tape`. x carries the batch axis first ([B,...]). Builds the
    // layer from x's shape on the first call if build() was not called. Throws elman::Error
    // naming the layer and the shapes when x does not fit, or when ctx.mask is given to a layer
    // that cannot honour it. ctx.training switches dropout on (see CallContext).
    virtual Var<T> forward(Tape<T>& tape, const Var<T>& x, const CallContext& ctx = {}) = 0;

    // The mask of this layer's output, given its input x and the input's mask (null: none):
    // Keras' compute_mask. Called right after forward(tape, x, ctx) with the same x and
    // ctx.mask (Sequential does so for each layer in turn). The default passes the input's mask on unchanged, right for layers
    // that act on each time step alone (Dense). A layer that makes a mask (Masking) or ends the
    // time axis (a recurrent layer without return_sequences) overrides it.
    virtual std::optional<Mask> compute_mask(const Var<T>& x, const Mask* mask) const
    {
        (void)x;
        if (!mask) return std::nullopt;
        return *mask;
    }

    // The trainable weights in registration order (Keras' order, e.g. kernel, bias). The
    // pointers stay valid as long as the layer lives; empty before build().
    virtual std::vector<Parameter<T>*> parameters() { return {}; }

    // The instance name: "simple_rnn", "dense_1", ... (Keras style). Parameters are named
    // "<layer name>/<weight name>".
    virtual std::string name() const { return name_.empty() ? default_name() : name_; }
    // Renames the layer and its parameters.
    virtual void set_name(std::string name)
    {
        name_ = std::move(name);
        for (Parameter<T>* p : parameters()) {
            const auto slash = p->name.rfind('/');
            const std::string weight =
                slash == std::string::npos ? p->name : p->name.substr(slash + 1);
            p->name = name_ + "/" + weight;
        }
    }
    // True once set_name() gave this layer a name (Sequential leaves such names alone).
    bool has_name() const { return !name_.empty(); }
    // The base of the automatic name ("simple_rnn", "dense").
    virtual std::string default_name() const { return "module"; }

    // Create the weights for inputs of `input_shape`, given WITHOUT the batch axis:
    // {T, F} for a sequence layer, {F} (or {T, F}) for Dense. A 0 means "any length" (None).
    // Building twice with compatible shapes is a no-op; an incompatible one throws.
    virtual void build(const Shape& input_shape) { (void)input_shape; built_ = true; }

    // The output shape for `input_shape` (both without the batch axis; 0 stands for None).
    virtual Shape output_shape(const Shape& input_shape) const { return input_shape; }

    // The input shape (without the batch axis) that this layer's weights fix, 0 where any size
    // fits: {0, F} for a recurrent layer, {F} for Dense. Empty when the layer is not built or
    // its weights fix nothing (Dropout, Masking). Lets Sequential build itself from layers
    // that set_weights() built.
    virtual Shape built_input_shape() const { return {}; }
    // The form of input shape build() wants, for messages about unbuilt layers:
    // "{timesteps, features}", "{features} or {timesteps, features}".
    virtual std::string input_shape_hint() const { return "its input shape"; }

    // Number of trainable scalars, and the formula behind it with the numbers filled in,
    // e.g. "1·(5 + 1 + 1)" for SimpleRNN(1) on 5 features. Throw if the layer is not built.
    virtual std::size_t param_count() const { return 0; }
    virtual std::string param_formula() const { return "0"; }

    // The class name as Keras prints it in summary(): "SimpleRNN", "Dense".
    virtual std::string type() const { return "Module"; }

    // Whether the weights exist (Sequential: whether every layer is built).
    virtual bool built() const { return built_; }

protected:
    // For a layer whose weights depend on the number of input features: true when it is
    // already built for `features` (nothing left to do); throws naming the layer when it was
    // built for another number (`built_for`, with its kernel's shape) or when `features` is 0.
    bool built_for_features(std::size_t features, std::size_t built_for,
                            const Parameter<T>& kernel) const
    {
        if (built_) {
            if (features != built_for)
                throw Error(name() + ": input has " + std::to_string(features) +
                            " features but the layer was built for " + std::to_string(built_for) +
                            " (kernel " + shape_str(kernel.value.shape()) + ")");
            return true;
        }
        if (features == 0) throw Error(name() + ": cannot build for 0 input features");
        return false;
    }

    bool built_ = false;
    std::string name_;
};

}  // namespace elman
