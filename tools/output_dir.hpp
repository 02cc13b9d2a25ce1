// An output directory written completely or not at all (`elman forecast --out DIR`), and never
// over a user's own files.
#pragma once

#include <filesystem>
#include <functional>

namespace elman::cli {

// The checks write_atomically makes before writing (below), for a command to make them before
// it spends minutes training. Returns `out` as an absolute path.
std::filesystem::path check_output_dir(const std::filesystem::path& out);

// Creates `out` from scratch: fill(tmp) writes everything into a temporary sibling directory,
// which then replaces `out` in one rename, so an error leaves no partial output behind and an old
// `out` whole. Every directory written this way holds a manifest (.elman-output: the entries
// fill wrote), and an existing `out` is replaced only when it is empty or holds nothing but the
// entries its manifest lists: a folder with any other file (the input CSV, a user's notes, an
// output of another program) is refused, never deleted.
// Throws elman::Error when the parent directory is missing, `out` is a file, the current
// directory or one of its parents, or holds entries elman did not write (naming the first);
// rethrows fill's exception after removing tmp.
void write_atomically(const std::filesystem::path& out, const std::function<void(const std::filesystem::path&)>& fill);

}  // namespace elman::cli
