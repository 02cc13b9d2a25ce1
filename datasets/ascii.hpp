// ASCII character classes for the readers of dates and numbers: unlike std::isdigit and
// std::isalpha they do not depend on the locale and take any char, negative ones included.
#pragma once

namespace elman {

inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

inline bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace elman
