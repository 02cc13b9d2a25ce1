#include "layers/targets.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/axis.hpp"

namespace elman {

namespace {

std::string message(const std::string& op, const std::string& tensor, const Shape& position,
                    const std::string& value, const std::string& kind, const std::string& rule)
{
    return op + ": " + tensor + shape_str(position) + " = " + value + " is not a " + kind + ": " +
           rule;
}

// The value as the user would write it: 5, 2.5, nan, -inf (no trailing zeros).
template <class T>
std::string value_str(T v)
{
    std::ostringstream os;
    os.precision(9);
    os << static_cast<double>(v);
    return os.str();
}

}  // namespace

IdError::IdError(std::string op, std::string tensor, Shape position, std::string value,
                 std::string kind, std::string rule)
    : Error(message(op, tensor, position, value, kind, rule)), op_(std::move(op)),
      tensor_(std::move(tensor)), position_(std::move(position)), value_(std::move(value)),
      kind_(std::move(kind)), rule_(std::move(rule))
{
}

IdError::IdError(const std::string& message, std::string op, std::string tensor, Shape position,
                 std::string value, std::string kind, std::string rule)
    : Error(message), op_(std::move(op)), tensor_(std::move(tensor)),
      position_(std::move(position)), value_(std::move(value)), kind_(std::move(kind)),
      rule_(std::move(rule))
{
}

IdError IdError::with_sample(const std::string& caller, const std::string& tensor,
                             std::size_t sample, const std::string& context) const
{
    Shape pos = position_;
    if (!pos.empty()) pos[0] = sample;
    const std::string m = message(caller, tensor, pos, value_, kind_, rule_) + " (" + op_ +
                          (context.empty() ? "" : ", " + context) + ")";
    return IdError(m, caller, tensor, pos, value_, kind_, rule_);
}

bool pairs_up(const Shape& a, const Shape& b)
{
    if (a == b) return true;
    const Shape& longer = a.size() > b.size() ? a : b;
    const Shape& shorter = a.size() > b.size() ? b : a;
    return longer.size() == shorter.size() + 1 && longer.back() == 1 &&
           std::equal(shorter.begin(), shorter.end(), longer.begin());
}

std::size_t check_class_id_shape(const std::string& op, const Shape& pred, const Shape& target)
{
    if (pred.empty() || pred.back() == 0)
        throw Error(op + ": pred " + shape_str(pred) + " needs a non-empty class axis (the last)");
    Shape lines(pred.begin(), pred.end() - 1);
    Shape with_one = lines;
    with_one.push_back(1);
    if (target != lines && target != with_one)
        throw Error(op + ": pred " + shape_str(pred) + " needs class ids of shape " +
                    shape_str(lines) + " or " + shape_str(with_one) + ", got target " +
                    shape_str(target));
    return pred.back();
}

template <class T>
std::vector<std::size_t> to_ids(const Tensor<T>& v, std::size_t limit, const std::string& op,
                                const std::string& tensor, const std::string& kind,
                                const std::string& rule)
{
    std::vector<std::size_t> ids(v.size());
    const T* p = v.data();
    for (std::size_t i = 0; i < v.size(); ++i) {
        // NaN fails the first test, inf and fractions the second.
        const bool ok = p[i] >= T(0) && p[i] < static_cast<T>(limit) && std::floor(p[i]) == p[i];
        if (!ok) {
            const Shape shape(v.shape().begin(), v.shape().end());
            throw IdError(op, tensor, unravel_index(i, shape), value_str(p[i]), kind, rule);
        }
        ids[i] = static_cast<std::size_t>(p[i]);
    }
    return ids;
}

template std::vector<std::size_t> to_ids(const Tensor<float>&, std::size_t, const std::string&,
                                         const std::string&, const std::string&, const std::string&);
template std::vector<std::size_t> to_ids(const Tensor<double>&, std::size_t, const std::string&,
                                         const std::string&, const std::string&, const std::string&);

}  // namespace elman
