#include "tools/output_dir.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <system_error>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

void write_atomically(const fs::path& out, const std::function<void(const fs::path&)>& fill)
{
    const fs::path target = fs::absolute(out).lexically_normal();
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent))
        throw Error("--out " + out.string() + ": parent directory " + parent.string() + " does not exist");
    if (fs::exists(target) && !fs::is_directory(target))
        throw Error("--out " + out.string() + " exists and is not a directory");
    std::string templ = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    if (!mkdtemp(templ.data())) throw Error("cannot create a directory next to " + out.string());
    const fs::path tmp = templ;
    try {
        fill(tmp);
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
