// elman::Error: the one exception type elman throws for a user's mistake.
// Messages name the operation and the shapes involved, e.g.
//   "matmul: inner dimensions differ: [2,3] · [4,5] (3 != 4)".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace elman {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "[2,3,4]" for a shape; "[]" for a scalar.
template <class S>
std::string shape_str(const S& shape)
{
    std::string s = "[";
    bool first = true;
    for (auto d : shape) {
        if (!first) s += ",";
        s += std::to_string(static_cast<long long>(d));
        first = false;
    }
    return s + "]";
}

}  // namespace elman
