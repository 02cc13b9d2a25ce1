#include "datasets/builtin.hpp"

#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "datasets/csv.hpp"

#ifndef ELMAN_SOURCE_DIR
#error "ELMAN_SOURCE_DIR must name the source tree (CMake defines it)"
#endif

namespace elman {

std::string data_dir()
{
    if (const char* env = std::getenv("ELMAN_DATA_DIR"); env && *env) return env;
    const std::string in_tree = std::string(ELMAN_SOURCE_DIR) + "/datasets/data";
#ifdef ELMAN_INSTALL_DATA_DIR
    // An installed library whose source tree is gone reads the copy `cmake --install` made.
    if (!std::filesystem::is_directory(in_tree)) return ELMAN_INSTALL_DATA_DIR;
#endif
    return in_tree;
}

const std::vector<std::string>& builtin_names()
{
    static const std::vector<std::string> names = {"airline_passengers", "co2_mauna_loa",
                                                   "nile_flow", "sunspots_yearly",
                                                   "us_macro_quarterly"};
    return names;
}

std::string builtin_path(const std::string& name)
{
    for (const auto& n : builtin_names())
        if (n == name) return data_dir() + "/" + name + ".csv";
    std::string list;
    for (const auto& n : builtin_names()) list += (list.empty() ? "" : ", ") + n;
    throw Error("load_builtin: no builtin series '" + name + "'; available: " + list);
}

Series load_builtin(const std::string& name, const std::string& column)
{
    CsvOptions options;
    options.column = column;
    return load_csv(builtin_path(name), options);
}

Frame load_builtin_frame(const std::string& name) { return load_csv_frame(builtin_path(name)); }

}  // namespace elman
