// Running the built `elman` program from a test, to the end, with stdout and stderr captured in
// files of a scratch directory. ELMAN_CLI is the program's path (tools/CMakeLists.txt).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "text.hpp"

#ifndef ELMAN_CLI
#error "cli_run.hpp needs ELMAN_CLI, the path of the elman program"
#endif

namespace elman::test {

struct CliRun {
    int status = -1;  // the exit status; -1 when a signal ended it
    std::string out, err;
};

// `elman ARGS`, ARGS pasted into a shell command line as they are.
inline CliRun run_cli(const std::string& args, const std::filesystem::path& scratch)
{
    const std::filesystem::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
    const std::string cmd = std::string("'") + ELMAN_CLI + "' " + args + " > '" + out.string() +
                            "' 2> '" + err.string() + "'";
    const int rc = std::system(cmd.c_str());
    CliRun r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

// The same with each argument single-quoted (none may contain a quote).
inline CliRun run_cli(const std::vector<std::string>& args, const std::filesystem::path& scratch)
{
    std::string line;
    for (const auto& a : args) line += (line.empty() ? "'" : " '") + a + "'";
    return run_cli(line, scratch);
}

}  // namespace elman::test
