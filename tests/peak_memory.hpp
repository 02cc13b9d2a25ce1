// Peak memory of a piece of code: run in a forked child, so that nothing the parent (or an
// earlier measurement) allocated or freed blurs the figure. The result is the child's peak
// resident set (VmHWM) minus its resident set before the code ran.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>

namespace elman::test {

// A "kB" line of /proc/self/status (VmRSS, VmHWM), in bytes.
inline std::optional<std::size_t> proc_status_bytes(const std::string& key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1)) * 1024;
    return std::nullopt;
}

// The peak RSS growth while f() runs in a child process, in bytes; nullopt when it cannot be
// measured (no /proc) or f threw.
template <class F>
std::optional<std::size_t> peak_rss_growth(F&& f)
{
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    const pid_t pid = ::fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        ::close(fds[0]);
        long long growth = -1;
        try {
            const auto before = proc_status_bytes("VmRSS");
            f();
            const auto peak = proc_status_bytes("VmHWM");
            if (before && peak) growth = static_cast<long long>(*peak) - static_cast<long long>(*before);
        } catch (...) {
        }
        [[maybe_unused]] const auto n = ::write(fds[1], &growth, sizeof growth);
        ::_exit(0);
    }
    ::close(fds[1]);
    long long growth = -1;
    const auto n = ::read(fds[0], &growth, sizeof growth);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (n != sizeof growth || growth < 0 || !WIFEXITED(status)) return std::nullopt;
    return static_cast<std::size_t>(growth);
}

}  // namespace elman::test
