// See chromium.hpp.
#include "chromium.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace elman::test {

namespace {

bool executable(const fs::path& p)
{
    return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p);
}

[[noreturn]] void fail(const std::string& what)
{
    throw std::runtime_error("chromium: " + what);
}

// A descriptor of `fd` at 10 or above, close-on-exec, so that dup2 onto 3 and 4 in the child
// cannot clobber the other end.
int high_fd(int fd)
{
    const int h = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    if (h < 0) fail(std::string("fcntl: ") + std::strerror(errno));
    ::close(fd);
    return h;
}

}  // namespace

std::string find_chromium()
{
    if (const char* env = std::getenv("ELMAN_CHROMIUM"); env && *env)
        return executable(env) ? env : "";
    if (executable("/usr/bin/chromium")) return "/usr/bin/chromium";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        for (const char* name : {"chromium", "chromium-browser"})
            if (!dir.empty() && executable(fs::path(dir) / name))
                return (fs::path(dir) / name).string();
    return "";
}

Chromium::Chromium(const std::string& exe, const fs::path& scratch, const fs::path& log)
{
    std::string profile = (scratch / "chromium-profile-XXXXXX").string();
    if (!::mkdtemp(profile.data()))
        fail("cannot create a profile directory under " + scratch.string());
    profile_ = profile;
    int to[2], from[2];
    if (::pipe(to) != 0 || ::pipe(from) != 0) fail(std::string("pipe: ") + std::strerror(errno));
    const int child_in = high_fd(to[0]), child_out = high_fd(from[1]);
    to_browser_ = high_fd(to[1]);
    from_browser_ = high_fd(from[0]);
    std::vector<std::string> args = {exe,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--user-data-dir=" + profile_.string(),
                                     "--remote-debugging-pipe",
                                     // Containers often give /dev/shm only 64 MB.
                                     "--disable-dev-shm-usage",
                                     // Nothing leaves the machine even if a page asks: every
                                     // host name fails to resolve (requests are still counted).
                                     "--host-resolver-rules=MAP * ~NOTFOUND",
                                     "about:blank"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, child_in, 3);
    posix_spawn_file_actions_adddup2(&fa, child_out, 4);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const int rc = ::posix_spawn(&pid_, exe.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(child_in);
    ::close(child_out);
    if (rc != 0) {
        pid_ = -1;
        fail("cannot start " + exe + ": " + std::strerror(rc));
    }
    ::signal(SIGPIPE, SIG_IGN);  // a browser that died is reported by read/write, not by a signal
}

Chromium::~Chromium()
{
    if (pid_ > 0) {
        try {
            timeout = std::chrono::milliseconds(3000);
            send({{"id", ++next_id_}, {"method", "Browser.close"}});
        } catch (...) {
        }
        // Wait for the exit without reaping (WNOWAIT): while the browser is an unreaped zombie
        // its process group id cannot be reused, so the group kill below reaches only its own
        // helpers (renderer, zygote) should any outlive it.
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        bool killed = false;
        for (;;) {
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
                break;
            if (info.si_pid == pid_) break;
            if (!killed && std::chrono::steady_clock::now() > end) {
                ::kill(-pid_, SIGKILL);
                killed = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (to_browser_ >= 0) ::close(to_browser_);
    if (from_browser_ >= 0) ::close(from_browser_);
    std::error_code ec;
    if (!profile_.empty()) fs::remove_all(profile_, ec);
}

void Chromium::send(const Json& message)
{
    const std::string text = message.dump() + '\0';
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(to_browser_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            fail(std::string("the browser went away (write: ") + std::strerror(errno) + ")");
        done += static_cast<std::size_t>(n);
    }
}

Chromium::Json Chromium::read_message(std::chrono::steady_clock::time_point deadline)
{
    for (;;) {
        if (const auto end = buffer_.find('\0'); end != std::string::npos) {
            Json m = Json::parse(buffer_.substr(0, end));
            buffer_.erase(0, end + 1);
            return m;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) fail("timed out waiting for the browser");
        pollfd p{from_browser_, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        char chunk[65536];
        const ssize_t n = ::read(from_browser_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("the browser closed its pipe (it exited or crashed; see its log)");
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

Chromium::Json Chromium::call(const std::string& method, const Json& params,
                              const std::string& session)
{
    const int id = ++next_id_;
    Json m = {{"id", id}, {"method", method}, {"params", params}};
    if (!session.empty()) m["sessionId"] = session;
    send(m);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        Json r = read_message(deadline);
        if (!r.contains("id")) {
            events_.push_back(std::move(r));
            continue;
        }
        if (r["id"] != id) continue;
        if (r.contains("error")) fail(method + ": " + r["error"].dump());
        return r.value("result", Json::object());
    }
}

std::string Chromium::open_page()
{
    const Json target = call("Target.createTarget", {{"url", "about:blank"}});
    const Json attached =
        call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}});
    return attached["sessionId"].get<std::string>();
}

Chromium::Json Chromium::wait_event(const std::string& method)
{
    for (const auto& e : events_)
        if (e.value("method", "") == method) return e;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        Json r = read_message(deadline);
        if (r.contains("id")) continue;
        events_.push_back(r);
        if (r.value("method", "") == method) return r;
    }
}

Chromium::Json Chromium::evaluate(const std::string& session, const std::string& expression)
{
    const Json r = call(
        "Runtime.evaluate",
        {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, session);
    if (r.contains("exceptionDetails"))
        fail("evaluate(" + expression + "): " + r["exceptionDetails"].dump());
    return r["result"].value("value", Json());
}

}  // namespace elman::test
