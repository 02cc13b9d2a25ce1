// A fresh directory under the system temp dir for one test, removed with everything in it at
// scope exit.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>

namespace elman::test {

struct TempDir {
    std::filesystem::path path;
    // `prefix` names the test program, so a directory left behind says who left it.
    explicit TempDir(const std::string& prefix)
    {
        std::string t = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace elman::test
