// Shards and series directory names from the series' ids (forecast/shard.hpp).
#include "forecast/shard.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>

#include "core/error.hpp"

namespace elman {

namespace {

bool safe_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

bool safe_name(const std::string& id)
{
    return !id.empty() && id.size() <= 100 && id[0] != '.' && std::all_of(id.begin(), id.end(), safe_char);
}

std::string with_hash(const std::string& id)
{
    std::string base;
    for (char c : id) base += safe_char(c) ? c : '_';
    if (base.size() > 80) base.resize(80);
    if (!base.empty() && base[0] == '.') base[0] = '_';
    return base + (base.empty() ? "" : "-") + hex64(series_hash(id)).substr(0, 8);
}

std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::size_t parse_count(const std::string& part, const std::string& text)
{
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size())
        throw Error("--shard '" + text + "': expected K/N with 1 <= K <= N, e.g. --shard 1/4");
    return v;
}

}  // namespace

std::uint64_t series_hash(const std::string& text) { return XXH64(text.data(), text.size(), 0); }

std::string hex64(std::uint64_t v)
{
    char buf[17];
    for (int i = 15; i >= 0; --i, v >>= 4) buf[i] = "0123456789abcdef"[v & 15];
    buf[16] = '\0';
    return buf;
}

std::string file_hash(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file");
    XXH64_state_t* state = XXH64_createState();
    if (!state || XXH64_reset(state, 0) == XXH_ERROR) {
        XXH64_freeState(state);
        throw Error("file_hash: cannot start an XXH64 state");
    }
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        XXH64_update(state, buf.data(), static_cast<std::size_t>(in.gcount()));
    }
    const bool failed = in.bad();
    const std::uint64_t h = XXH64_digest(state);
    XXH64_freeState(state);
    if (failed) throw Error(path + ": read error");
    return hex64(h);
}

Shard Shard::parse(const std::string& text)
{
    const auto slash = text.find('/');
    if (slash == std::string::npos) throw Error("--shard '" + text + "': expected K/N with 1 <= K <= N, e.g. --shard 1/4");
    const std::size_t k = parse_count(text.substr(0, slash), text), n = parse_count(text.substr(slash + 1), text);
    if (n < 1) throw Error("--shard '" + text + "': N must be >= 1");
    if (k == 0)
        throw Error("--shard '" + text + "': shards are numbered 1.." + std::to_string(n) +
                    " (a 0-based index such as Kubernetes' JOB_COMPLETION_INDEX needs + 1)");
    if (k > n) throw Error("--shard '" + text + "': K must be <= N (" + std::to_string(n) + " shards)");
    return {k, n};
}

bool Shard::contains(const std::string& id) const { return series_hash(id) % count + 1 == index; }

std::vector<std::string> series_dirs(const std::vector<std::string>& ids)
{
    std::vector<std::string> names;
    for (const auto& id : ids) names.push_back(safe_name(id) ? id : with_hash(id));
    std::map<std::string, std::size_t> seen;
    for (const auto& n : names) ++seen[lower(n)];
    for (std::size_t i = 0; i < names.size(); ++i)
        if (seen[lower(names[i])] > 1 && safe_name(ids[i])) names[i] = with_hash(ids[i]);
    // A safe id spelled like another's hashed name ("a_b-1f2e3d4c" next to "a/b"): no guess.
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto [it, fresh] = first.emplace(lower(names[i]), i);
        if (!fresh)
            throw Error("series ids '" + ids[it->second] + "' and '" + ids[i] + "' would share the output directory '" +
                        names[i] + "'; rename one of them");
    }
    return names;
}

}  // namespace elman
