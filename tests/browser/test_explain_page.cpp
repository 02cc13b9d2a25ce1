// The page of `elman explain` in a real browser: headless Chromium (chromium.hpp) opens the
// page elman wrote, the test dumps the DOM after the script ran and checks every number shown
// against the JSON embedded in the file, clicks "step" and checks that the backward pass moved,
// and checks that the page made no network request. A missing Chromium is a failure, not a skip.
// Artifacts (kept under the build directory): artifacts/explain/index.html, dom_*.html,
// explain_page.png (a full-page screenshot), chromium.log.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "chromium.hpp"
#include "tests/cli_run.hpp"
#include "tests/text.hpp"

using namespace elman::test;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path artifacts = ELMAN_BROWSER_ARTIFACTS;

struct Shown {
    std::string ref, text;
};

// Every element of `dom` with a data-ref (the JSON pointer of the number it shows) and its
// text: data-ref="REF" ...>TEXT<. (The page puts data-ref only on <span> and <text> elements
// holding nothing but the number.)
std::vector<Shown> shown_values(const std::string& dom)
{
    std::vector<Shown> out;
    const std::string key = "data-ref=\"";
    for (auto at = dom.find(key); at != std::string::npos; at = dom.find(key, at + 1)) {
        const auto ref_end = dom.find('"', at + key.size());
        const auto open_end = dom.find('>', ref_end);
        const auto text_end = dom.find('<', open_end);
        REQUIRE(text_end != std::string::npos);
        out.push_back({dom.substr(at + key.size(), ref_end - at - key.size()),
                       dom.substr(open_end + 1, text_end - open_end - 1)});
    }
    return out;
}

std::set<std::string> refs(const std::vector<Shown>& shown)
{
    std::set<std::string> out;
    for (const auto& s : shown) out.insert(s.ref);
    return out;
}

// The JSON in <script type="application/json" id="elman-data"> of the page file itself.
Json page_data(const fs::path& page)
{
    const std::string html = read_file(page);
    const std::string open = "<script type=\"application/json\" id=\"elman-data\">";
    const auto a = html.find(open);
    REQUIRE(a != std::string::npos);
    const auto b = html.find("</script>", a);
    return Json::parse(html.substr(a + open.size(), b - a - open.size()));
}

// The displayed text as a number, and half a unit of its last digit (what rounding allows).
std::pair<double, double> parse_shown(std::string text)
{
    for (std::size_t at; (at = text.find("\xE2\x88\x92")) != std::string::npos;)
        text.replace(at, 3, "-");
    const auto e = text.find('e'), dot = text.find('.');
    const int exponent = e == std::string::npos ? 0 : std::stoi(text.substr(e + 1));
    const std::size_t mantissa_end = e == std::string::npos ? text.size() : e;
    const int decimals = dot == std::string::npos ? 0 : static_cast<int>(mantissa_end - dot - 1);
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    REQUIRE(used == text.size());
    return {v, 0.5 * std::pow(10.0, exponent - decimals)};
}

// Each number shown equals its JSON value to the digits shown; returns how many were checked.
std::size_t check_shown(const std::vector<Shown>& shown, const Json& data)
{
    for (const auto& s : shown) {
        INFO("data-ref " << s.ref << " shows '" << s.text << "'");
        const Json::json_pointer pointer(s.ref);
        REQUIRE(data.contains(pointer));
        const Json& v = data.at(pointer);
        if (v.is_null()) {
            REQUIRE(s.text == "overflow");
            continue;
        }
        REQUIRE(v.is_number());
        const auto [shown_value, half_unit] = parse_shown(s.text);
        const double expected = v.get<double>();
        INFO("JSON value " << expected);
        REQUIRE(std::abs(shown_value - expected) <=
                half_unit * (1 + 1e-9) + 1e-15 * std::abs(expected));
    }
    return shown.size();
}

std::string base64_decode(const std::string& in)
{
    static const std::string chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        const auto p = chars.find(c);
        if (p == std::string::npos) continue;  // '=' padding
        acc = (acc << 6) | static_cast<unsigned>(p);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

struct Page {
    Chromium& browser;
    std::string session;

    std::string dom()
    {
        return browser.evaluate(session, "document.documentElement.outerHTML").get<std::string>();
    }
    std::string text(const std::string& id)
    {
        return browser.evaluate(session, "document.getElementById('" + id + "').textContent")
            .get<std::string>();
    }
    // A real click: the mouse pressed and released at the middle of the element.
    void click(const std::string& id)
    {
        const Json r =
            browser.evaluate(session, "(() => { const e = document.getElementById('" + id +
                                          "'); e.scrollIntoView({block: 'center'}); const b = "
                                          "e.getBoundingClientRect(); return [b.x + b.width / 2, "
                                          "b.y + b.height / 2]; })()");
        for (const char* type : {"mousePressed", "mouseReleased"})
            browser.call(
                "Input.dispatchMouseEvent",
                {{"type", type}, {"x", r[0]}, {"y", r[1]}, {"button", "left"}, {"clickCount", 1}},
                session);
    }
    void open(const std::string& url) { browser.call("Page.navigate", {{"url", url}}, session); }
    void wait_ready()
    {
        for (int i = 0; i < 400; ++i) {
            if (browser.evaluate(
                    session, "document.body && document.body.getAttribute('data-ready')") == "1")
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        FAIL("the page's script did not finish (no data-ready on <body>)");
    }
};

// Requests (Network.requestWillBeSent) for anything but `page_url`.
std::vector<std::string> other_requests(const Chromium& b, const std::string& page_url)
{
    std::vector<std::string> out;
    for (const auto& e : b.events())
        if (e.value("method", "") == "Network.requestWillBeSent") {
            const std::string url = e["params"]["request"]["url"];
            if (url != page_url) out.push_back(url);
        }
    return out;
}

std::size_t count_events(const Chromium& b, const std::string& method,
                         const std::string& level = "")
{
    std::size_t n = 0;
    for (const auto& e : b.events())
        if (e.value("method", "") == method &&
            (level.empty() || e["params"]["entry"].value("level", "") == level))
            ++n;
    return n;
}

void write(const fs::path& p, const std::string& text)
{
    std::ofstream(p, std::ios::binary) << text;
}

// Every number shown is the JSON's, and the backward pass starts at t = T.
void check_first_view(Page& page, const Json& data, std::size_t T, std::size_t U)
{
    const std::string dom = page.dom();
    write(artifacts / "dom_initial.html", dom);
    const auto shown = shown_values(dom);
    // At least: h, a (T·U each), x, h_0, target, ŷ, dL/dŷ, the gradient cells of step T, the
    // step table (dh_out, dh_rec, dh, act', δ, db: 6·U; dW_x: U; dW_h: U²).
    CHECK(check_shown(shown, data) >= 2 * T * U + T + U + 3 * T + 2 * U + 7 * U + U * U);
    const auto r = refs(shown);
    const auto step = [](std::size_t s, const std::string& rest) {
        return "/backward/steps/" + std::to_string(s) + "/" + rest;
    };
    for (std::size_t s = 0; s < T; ++s)
        for (std::size_t j = 0; j < U; ++j) {
            const std::string at = std::to_string(s) + "/" + std::to_string(j);
            CHECK(r.count("/forward/h/" + at));
            CHECK(r.count("/forward/a/" + at));
            // The gradient cells are filled for the steps the backward pass reached: only T.
            CHECK(r.count(step(s, "delta/" + std::to_string(j))) == (s == T - 1));
        }
    for (const char* q : {"dh_out", "dh_rec", "dh", "dact", "delta", "db"})
        CHECK(r.count(step(T - 1, std::string(q) + "/0")));
    CHECK(r.count(step(T - 1, "dWh/3/3")));
    CHECK(r.count("/network/rnn/params"));
    CHECK(data["network"]["rnn"]["params"] == U * (1 + U + 1));
    CHECK(r.count("/check/largest"));
    for (std::size_t i = 0; i < data["check"]["rows"].size(); ++i)
        CHECK(r.count("/check/rows/" + std::to_string(i) + "/fused_vs_fd"));
    CHECK(page.text("bw-t") == std::to_string(T));
}

// Clicking step moves the backward pass one step back in time, down to t = 1; back and reset.
void check_stepping(Page& page, const Json& data, std::size_t T)
{
    const std::string before = page.dom();
    page.click("bw-step");
    CHECK(page.text("bw-t") == std::to_string(T - 1));
    const std::string after = page.dom();
    write(artifacts / "dom_after_step.html", after);
    const auto shown = shown_values(after);
    check_shown(shown, data);
    const auto r = refs(shown);
    const auto step = [](std::size_t s, const std::string& rest) {
        return "/backward/steps/" + std::to_string(s) + "/" + rest;
    };
    CHECK(r.count(step(T - 2, "delta/0")));  // the step table and the new gradient cells
    CHECK(r.count(step(T - 2, "dWx/0/0")));
    CHECK_FALSE(r.count(step(T - 1, "dWx/0/0")));
    CHECK_FALSE(r.count(step(T - 3, "delta/0")));
    CHECK(before != after);
    for (std::size_t k = 2; k < T; ++k) page.click("bw-step");
    CHECK(page.text("bw-t") == "1");
    CHECK(page.browser.evaluate(page.session, "document.getElementById('bw-step').disabled") ==
          true);
    CHECK(refs(shown_values(page.dom())).count(step(0, "dWh/0/0")));
    page.click("bw-back");
    CHECK(page.text("bw-t") == "2");
    page.click("bw-reset");
    CHECK(page.text("bw-t") == std::to_string(T));
}

// The scale slider picks the curves the readout shows.
void check_scale_slider(Page& page, const Json& data)
{
    page.browser.evaluate(
        page.session, "(() => { const s = document.getElementById('scale-slider'); s.value = 0; "
                      "s.dispatchEvent(new Event('input')); })()");
    const auto shown = shown_values(page.dom());
    check_shown(shown, data);
    CHECK(refs(shown).count("/norms/families/0/curves/0/norms/0"));
    CHECK(refs(shown).count("/norms/scales/0"));
}

// The whole page at 1280 px wide, as artifacts/explain_page.png.
void screenshot(Page& page)
{
    const Json metrics = page.browser.call("Page.getLayoutMetrics", Json::object(), page.session);
    const int height =
        static_cast<int>(std::ceil(metrics["cssContentSize"]["height"].get<double>()));
    page.browser.call(
        "Emulation.setDeviceMetricsOverride",
        {{"width", 1280}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}},
        page.session);
    const Json shot =
        page.browser.call("Page.captureScreenshot", {{"format", "png"}}, page.session);
    const std::string png = base64_decode(shot["data"].get<std::string>());
    write(artifacts / "explain_page.png", png);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(png.size() > 20000);
}

// Counts Content-Security-Policy violations in window.__csp: a request the page's policy
// blocks makes no Network event.
void count_csp_violations(Page& page)
{
    page.browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        {{"source", "window.__csp = 0; document.addEventListener('securitypolicyviolation', "
                    "() => { window.__csp++; });"}},
        page.session);
}

std::string require_chromium()
{
    const std::string exe = find_chromium();
    if (exe.empty())
        FAIL("no Chromium found: install Debian's chromium (tools/setup.sh does) or set "
             "ELMAN_CHROMIUM");
    fs::create_directories(artifacts);
    return exe;
}

}  // namespace

TEST_CASE("explain page: in headless Chromium the values shown are the JSON's, step moves the "
          "backward pass, and nothing is requested from the network")
{
    const std::string exe = require_chromium();
    const fs::path dir = artifacts / "explain";
    const std::size_t T = 6, U = 4;
    const CliRun run = run_cli({"explain", "--units", std::to_string(U), "--steps",
                                std::to_string(T), "--seed", "3", "--out", dir.string()},
                               artifacts);
    INFO(run.err);
    REQUIRE(run.status == 0);
    const Json data = page_data(dir / "index.html");
    const std::string url = "file://" + fs::absolute(dir / "index.html").string();

    Chromium browser(exe, artifacts, artifacts / "chromium.log");
    Page page{browser, browser.open_page()};
    for (const char* domain : {"Network.enable", "Page.enable", "Runtime.enable", "Log.enable"})
        browser.call(domain, Json::object(), page.session);
    count_csp_violations(page);
    browser.call("Emulation.setDeviceMetricsOverride",
                 {{"width", 1280}, {"height", 900}, {"deviceScaleFactor", 1}, {"mobile", false}},
                 page.session);
    page.open(url);
    browser.wait_event("Page.loadEventFired");
    page.wait_ready();

    check_first_view(page, data, T, U);
    check_stepping(page, data, T);
    check_scale_slider(page, data);
    // Nothing but the page itself was requested, nothing was blocked by the page's
    // Content-Security-Policy, no error was logged, no script error was thrown.
    CHECK(other_requests(browser, url).empty());
    CHECK(browser.evaluate(page.session, "window.__csp") == 0);
    CHECK(count_events(browser, "Log.entryAdded", "error") == 0);
    CHECK(count_events(browser, "Runtime.exceptionThrown") == 0);
    screenshot(page);
}

TEST_CASE("explain page: the browser test's network checks do see requests (a probe page)")
{
    const std::string exe = require_chromium();
    const std::string body =
        "<body><img src=\"http://network-probe.invalid/a.png\"><script>"
        "fetch('http://network-probe.invalid/b').catch(() => {});</script></body></html>";
    write(artifacts / "probe_open.html", "<!DOCTYPE html><html>" + body);
    const std::string csp = "<meta http-equiv=\"Content-Security-Policy\" "
                            "content=\"default-src 'none'; script-src 'unsafe-inline'\">";
    write(artifacts / "probe_csp.html", "<!DOCTYPE html><html><head>" + csp + "</head>" + body);
    Chromium browser(exe, artifacts, artifacts / "chromium_probe.log");
    Page page{browser, browser.open_page()};
    browser.call("Network.enable", Json::object(), page.session);
    browser.call("Page.enable", Json::object(), page.session);
    count_csp_violations(page);

    const std::string open_url = "file://" + fs::absolute(artifacts / "probe_open.html").string();
    page.open(open_url);
    for (int i = 0; i < 200 && other_requests(browser, open_url).size() < 2; ++i) {
        browser.evaluate(page.session, "1");  // lets the events in
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(other_requests(browser, open_url).size() >= 2);

    page.open("file://" + fs::absolute(artifacts / "probe_csp.html").string());
    int blocked = 0;
    for (int i = 0; i < 200 && blocked < 2; ++i) {
        blocked = browser.evaluate(page.session, "window.__csp === undefined ? 0 : window.__csp")
                      .get<int>();
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(blocked >= 2);
}
