// Headless Chromium driven over the Chrome DevTools Protocol on --remote-debugging-pipe: the
// browser reads JSON commands, each ended by a NUL byte, on its file descriptor 3 and writes
// replies and events the same way on descriptor 4 (no port, no npm, no WebDriver). Commands are
// those of https://chromedevtools.github.io/devtools-protocol/ (Target, Page, Runtime, Input,
// Network, Emulation).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace elman::test {

// The Chromium to run: $ELMAN_CHROMIUM if set, else /usr/bin/chromium, else `chromium` or
// `chromium-browser` on PATH; "" when there is none.
std::string find_chromium();

class Chromium {
public:
    using Json = nlohmann::json;

    // Starts `executable` with --headless --no-sandbox --disable-gpu --no-first-run
    // --disable-background-networking --disable-component-update --disable-sync, a fresh
    // --user-data-dir made under `scratch` (removed again by the destructor), in a process group
    // of its own; its stdout and stderr go to `log`. Throws std::runtime_error if it cannot.
    Chromium(const std::string& executable, const std::filesystem::path& scratch,
             const std::filesystem::path& log);
    // Browser.close, then SIGKILL to the browser's own process group if it has not exited
    // within 3 s.
    ~Chromium();
    Chromium(const Chromium&) = delete;
    Chromium& operator=(const Chromium&) = delete;

    // Sends one command (to `session`, or to the browser when empty) and returns its result,
    // collecting the events that arrive meanwhile. Throws std::runtime_error on a protocol
    // error, on a timeout, or when the browser went away.
    Json call(const std::string& method, const Json& params = Json::object(),
              const std::string& session = "");
    // A new page target (about:blank) attached in flat mode: its session id.
    std::string open_page();
    // Waits until an event `method` has arrived (from any session); throws on timeout.
    Json wait_event(const std::string& method);
    // Runtime.evaluate of `expression` in `session`, awaiting a promise, by value. Throws when
    // the expression throws.
    Json evaluate(const std::string& session, const std::string& expression);
    // Every event received so far, in order.
    const std::vector<Json>& events() const { return events_; }

    std::chrono::milliseconds timeout{30000};  // per call / wait

private:
    Json read_message(std::chrono::steady_clock::time_point deadline);
    void send(const Json& message);

    pid_t pid_ = -1;
    int to_browser_ = -1, from_browser_ = -1;
    std::filesystem::path profile_;
    std::string buffer_;
    int next_id_ = 0;
    std::vector<Json> events_;
};

}  // namespace elman::test
