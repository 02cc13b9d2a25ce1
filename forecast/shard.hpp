// Splitting a run of many series over machines (`elman forecast --shard K/N`), and naming each
// series' output directory, both from the series' id alone, so that every machine decides the
// same without talking to the others.
//
// The shard of a series: h = XXH64(id bytes as written in the file, seed 0) (xxHash, Debian
// libxxhash-dev; the algorithm and its canonical 64-bit value are fixed by its specification,
// https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md, the same on every machine
// and version), and the series belongs to shard (h mod N) + 1. Every series is in exactly one
// of shards 1..N, whatever the other series are, so a shard's series do not depend on the
// file's order either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace elman {

// XXH64 of the bytes of `text`, seed 0.
std::uint64_t series_hash(const std::string& text);

// XXH64 (seed 0) of a file's bytes, as 16 lowercase hex digits. Throws elman::Error when the
// file cannot be read.
std::string file_hash(const std::string& path);

// 16 lowercase hex digits.
std::string hex64(std::uint64_t v);

// Shard `index` of `count` (1 <= index <= count); {1, 1} is the whole run.
struct Shard {
    std::size_t index = 1, count = 1;

    // "K/N" as --shard takes it; throws elman::Error "--shard '...': expected K/N with
    // 1 <= K <= N, e.g. --shard 1/4" for anything else (0-based indices included, with a hint).
    static Shard parse(const std::string& text);
    // Whether the series `id` belongs to this shard.
    bool contains(const std::string& id) const;
    bool whole() const { return count == 1; }
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// The output directory name of each id (DIR/<name>/), decided from the set of ids alone:
//   - an id made of ASCII letters, digits, '.', '_' and '-', not starting with '.', at most
//     100 bytes, is its own name ("H1", "store_12.a");
//   - any other id (spaces, '/', non-ASCII, empty, too long) becomes those characters kept,
//     the others '_', cut at 80 bytes, then '-' and 8 hex digits of its hash ("a/b" ->
//     "a_b-<hash>"), so that two ids never share a name;
//   - names equal but for letter case (which a case-insensitive file system would merge) get
//     the '-<hash>' suffix too.
// The same set of ids gives the same names in one run and in a merge of shards.
std::vector<std::string> series_dirs(const std::vector<std::string>& ids);

}  // namespace elman
