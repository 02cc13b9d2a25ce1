// Targets as the classification losses and metrics take them: how a target's shape pairs with
// pred's, and integer ids carried in float tensors: class ids (targets of the sparse losses and
// metrics) and token ids (the input of Embedding).
//
// elman's tensors hold float or double, so an id is stored as a float value that must be an
// integer in [0, limit). float represents every integer up to 2^24 = 16,777,216 exactly, double
// up to 2^53: far beyond any vocabulary or class count. A value that is not an integer (2.5,
// NaN, inf) or lies outside the range is an IdError, never truncated or clamped (Keras casts
// 2.5 to class 2 without a word).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/tensor.hpp"

namespace elman {

// Thrown for a value that is not a valid id. The message names the op, the tensor, the
// element's position and the rule, e.g.
//   sparse_categorical_crossentropy: target[3,7] = 5 is not a class id: class ids are integers
//   in [0, 5) (pred [8,10,5] has 5 classes)
// fit, evaluate and predict catch it and rethrow it with the position of the sample in their
// x or y (with_sample), since the batch they pass on is a (shuffled) slice of those.
class IdError : public Error {
public:
    IdError(std::string op, std::string tensor, Shape position, std::string value,
            std::string kind, std::string rule);

    const std::string& op() const { return op_; }
    const std::string& tensor() const { return tensor_; }
    // The element's multi-index in the tensor that was checked (batch row first).
    const Shape& position() const { return position_; }

    // The same error located in a caller's data: `tensor` (e.g. "y") with the batch row replaced
    // by `sample`, and `context` appended ("epoch 1, step 3"), the op named in parentheses:
    //   fit: y[412,7] = 5 is not a class id: ... (sparse_categorical_crossentropy, epoch 1, step 3)
    IdError with_sample(const std::string& caller, const std::string& tensor, std::size_t sample,
                        const std::string& context) const;

private:
    IdError(const std::string& message, std::string op, std::string tensor, Shape position,
            std::string value, std::string kind, std::string rule);

    std::string op_, tensor_;
    Shape position_;
    std::string value_, kind_, rule_;
};

// Keras' squeeze_or_expand_to_same_rank: target pairs with pred when the shapes are equal or
// differ by one trailing axis of 1 (target [B] for pred [B,1]); the elements then pair up in
// row-major order.
bool pairs_up(const Shape& pred, const Shape& target);

// Class ids for pred [..., C] come as [...] or [..., 1]; throws naming `op` and both shapes
// otherwise. Returns C (> 0; throws for a scalar pred or an empty class axis).
std::size_t check_class_id_shape(const std::string& op, const Shape& pred, const Shape& target);

// The ids in v (row-major order), each checked to be an integer in [0, limit); throws IdError
// naming `op`, `tensor` (e.g. "target"), the first bad element's position in v, `kind`
// ("class id") and `rule` (the sentence after it, e.g. "class ids are integers in [0, 5) (pred
// [8,5] has 5 classes)").
template <class T>
std::vector<std::size_t> to_ids(const Tensor<T>& v, std::size_t limit, const std::string& op,
                                const std::string& tensor, const std::string& kind,
                                const std::string& rule);

}  // namespace elman
