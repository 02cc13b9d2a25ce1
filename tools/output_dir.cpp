#include "tools/output_dir.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

namespace {

constexpr const char* k_manifest = ".elman-output";

// The entries a previous write_atomically listed in `dir`'s manifest (empty without one).
std::set<std::string> manifest_entries(const fs::path& dir)
{
    std::ifstream in(dir / k_manifest);
    if (!in) return {};
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        return j.at("entries").get<std::set<std::string>>();
    } catch (const nlohmann::json::exception&) {
        return {};
    }
}

void write_manifest(const fs::path& dir)
{
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : fs::directory_iterator(dir)) entries.push_back(e.path().filename().string());
    std::ofstream(dir / k_manifest) << nlohmann::json{{"written_by", "elman"}, {"entries", entries}}.dump(1) << '\n';
}

// An existing `target` may be replaced only when every entry in it is one elman wrote there.
void check_replaceable(const fs::path& target, const fs::path& out)
{
    const fs::path cwd = fs::current_path();
    const auto [t_end, c_end] = std::mismatch(target.begin(), target.end(), cwd.begin(), cwd.end());
    if (t_end == target.end())
        throw Error("--out " + out.string() + " is the current directory or one of its parents; choose a new folder");
    const std::set<std::string> listed = manifest_entries(target);
    for (const auto& e : fs::directory_iterator(target)) {
        const std::string name = e.path().filename().string();
        if (name != k_manifest && !listed.count(name))
            throw Error("--out " + out.string() + " holds '" + name +
                        "', which elman did not write there; choose another folder or empty this one (elman replaces an "
                        "output folder whole and never deletes files it did not write)");
    }
}

}  // namespace

fs::path check_output_dir(const fs::path& out)
{
    fs::path target = fs::absolute(out).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();  // "dir/" and "."
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent))
        throw Error("--out " + out.string() + ": parent directory " + parent.string() + " does not exist");
    if (fs::exists(target) && !fs::is_directory(target))
        throw Error("--out " + out.string() + " exists and is not a directory");
    if (fs::exists(target)) check_replaceable(target, out);
    return target;
}

void write_atomically(const fs::path& out, const std::function<void(const fs::path&)>& fill)
{
    const fs::path target = check_output_dir(out);
    const fs::path parent = target.parent_path();
    std::string templ = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    if (!mkdtemp(templ.data())) throw Error("cannot create a directory next to " + out.string());
    const fs::path tmp = templ;
    try {
        fill(tmp);
        write_manifest(tmp);
        fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
        if (fs::exists(target)) {
            // Swap the old output out, then delete it.
            if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
                const fs::path old = tmp.string() + ".old";
                fs::rename(target, old);
                fs::rename(tmp, target);
                fs::remove_all(old);
            } else {
                fs::remove_all(tmp);
            }
        } else {
            fs::rename(tmp, target);
        }
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
}

}  // namespace elman::cli
