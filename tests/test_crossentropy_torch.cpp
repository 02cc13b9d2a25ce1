// softmax, log_softmax and the cross-entropy losses against PyTorch (CrossEntropyLoss, NLLLoss,
// BCEWithLogitsLoss, BCELoss) and Keras' formulas: values and gradients from
// tests/fixtures/make_classification_fixtures.py (see tests/fixtures/README.md), in float32,
// compared at |a − b| <= 1e-5·|b| + 1e-6.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/ops.hpp"
#include "fixture.hpp"
#include "layers/losses.hpp"

using namespace elman;

namespace {

using elman::test::require_matches;

const elman::test::Fixtures k_fixtures("classification");

enum class Loss { sparse, categorical, binary };

struct LossCase {
    std::string folder;
    Loss loss;
    CrossentropyOptions options;
    // Where Keras' clip to [1e-7, 1 − 1e-7] is active, the reference is float64 arithmetic: in
    // float32 1 − 1e-7 rounds to 1 − 2^-23 (as in Keras with float32), which moves −log(1 − c)
    // from 16.12 to 15.94. Those cases run elman in double.
    bool clip_active = false;
};

template <class T>
Var<T> compute(const LossCase& c, const Var<T>& pred, const Var<T>& target)
{
    switch (c.loss) {
    case Loss::sparse: return sparse_categorical_crossentropy(pred, target, c.options);
    case Loss::categorical: return categorical_crossentropy(pred, target, c.options);
    case Loss::binary: return binary_crossentropy(pred, target, c.options);
    }
    return pred;
}

template <class T>
Tensor<float> as_float(const Tensor<T>& t)
{
    return xt::cast<float>(t);
}

template <class T>
void check_case(const LossCase& c)
{
    const bool target_grad = c.loss != Loss::sparse;  // class ids receive no gradient
    Tape<T> tape;
    auto pred = tape.variable(xt::cast<T>(k_fixtures.load(c.folder, "pred")), "pred");
    const Tensor<T> t = xt::cast<T>(k_fixtures.load(c.folder, "target"));
    auto target = target_grad ? tape.variable(t, "target") : tape.constant(t, "target");
    auto l = compute(c, pred, target);
    require_matches(as_float(l.value()), k_fixtures.load(c.folder, "loss"), "loss");
    if (c.options.reduction == Reduction::none) {
        REQUIRE(k_fixtures.has(c.folder, "seed_out"));
        tape.backward(l, xt::cast<T>(k_fixtures.load(c.folder, "seed_out")));
    } else {
        REQUIRE(l.shape().empty());
        tape.backward(l);
    }
    require_matches(as_float(pred.grad()), k_fixtures.load(c.folder, "d_pred"), "d_pred");
    if (target_grad) require_matches(as_float(target.grad()), k_fixtures.load(c.folder, "d_target"), "d_target");
}

}  // namespace

TEST_CASE("crossentropy torch: softmax and log_softmax equal PyTorch's, values and gradients",
          "[softmax][torch]")
{
    struct Case {
        std::string folder;
        bool log;
        int axis;
    };
    for (const Case& c : {Case{"softmax_last", false, -1}, Case{"softmax_axis1", false, 1},
                          Case{"log_softmax_last", true, -1}, Case{"log_softmax_axis0", true, 0}}) {
        SECTION(c.folder)
        {
            Tape<float> tape;
            auto x = tape.variable(k_fixtures.load(c.folder, "x"));
            auto y = c.log ? log_softmax(x, c.axis) : softmax(x, c.axis);
            require_matches(y.value(), k_fixtures.load(c.folder, "y"), "y");
            tape.backward(y, k_fixtures.load(c.folder, "seed_out"));
            require_matches(x.grad(), k_fixtures.load(c.folder, "d_x"), "d_x");
        }
    }
}

TEST_CASE("crossentropy torch: the three losses equal PyTorch's and Keras' values and gradients",
          "[losses][torch]")
{
    const Loss sparse = Loss::sparse, categorical = Loss::categorical, binary = Loss::binary;
    const Reduction mean = Reduction::sum_over_batch_size, sum = Reduction::sum, none = Reduction::none;
    const std::vector<LossCase> cases{
        {"sparse_logits_mean", sparse, {.from_logits = true, .reduction = mean}},
        {"sparse_logits_sum", sparse, {.from_logits = true, .reduction = sum}},
        {"sparse_logits_none", sparse, {.from_logits = true, .reduction = none}},
        {"sparse_logits_seq", sparse, {.from_logits = true}},
        {"sparse_logits_smooth", sparse, {.from_logits = true, .label_smoothing = 0.1}},
        {"sparse_probs_mean", sparse, {}},
        {"sparse_probs_seq", sparse, {}},
        {"sparse_probs_clip", sparse, {}, true},
        {"categorical_logits_mean", categorical, {.from_logits = true}},
        {"categorical_logits_seq_none", categorical, {.from_logits = true, .reduction = none}},
        {"categorical_logits_axis1", categorical, {.from_logits = true, .reduction = sum, .axis = 1}},
        {"categorical_logits_smooth", categorical, {.from_logits = true, .label_smoothing = 0.2}},
        {"categorical_probs_mean", categorical, {}},
        {"binary_logits_mean", binary, {.from_logits = true}},
        {"binary_logits_none", binary, {.from_logits = true, .reduction = none}},
        {"binary_probs_mean", binary, {}},
        {"binary_probs_sum_smooth", binary, {.reduction = sum, .label_smoothing = 0.1}},
        {"binary_probs_clip", binary, {}, true},
    };
    for (const LossCase& c : cases) {
        SECTION(c.folder)
        {
            if (c.clip_active)
                check_case<double>(c);
            else
                check_case<float>(c);
        }
    }
}
