// An output directory written completely or not at all (`elman forecast --out DIR`).
#pragma once

#include <filesystem>
#include <functional>

namespace elman::cli {

// Creates `out` from scratch: fill(tmp) writes everything into a temporary sibling directory,
// which then replaces `out` in one rename (an existing `out` is swapped out and deleted), so an
// error leaves no partial output behind and an old `out` whole. Throws elman::Error when the
// parent directory is missing or `out` is a file; rethrows fill's exception after removing tmp.
void write_atomically(const std::filesystem::path& out, const std::function<void(const std::filesystem::path&)>& fill);

}  // namespace elman::cli
