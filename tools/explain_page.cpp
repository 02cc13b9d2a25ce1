// The page of `elman explain` and its safe writing (tools/explain.hpp). The HTML, CSS and
// JavaScript are tools/explain_page.{html,css,js} and explain_plots.js, compiled in as strings
// (tools/CMakeLists.txt); the data goes into <script type="application/json" id="elman-data">.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "tools/explain.hpp"
#include "io/files.hpp"

namespace fs = std::filesystem;

namespace elman {

extern const char explain_asset_html[];
extern const char explain_asset_css[];
extern const char explain_asset_js[];

namespace {

// The mark of a page elman explain wrote: only such a page is ever replaced.
constexpr const char* generator_mark = "<meta name=\"generator\" content=\"elman explain\">";

void replace_once(std::string& text, const std::string& key, const std::string& value)
{
    const auto at = text.find(key);
    if (at == std::string::npos) throw Error("explain: the page template has no " + key);
    text.replace(at, key.size(), value);
}

}  // namespace

std::string explain_page_html(const ExplainJson& data)
{
    // JSON inside <script>: a '<' can only be inside a JSON string, where \u003c means the same
    // and no "</script>" or "<!--" can end or confuse the element.
    const std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string safe;
    safe.reserve(json.size());
    for (char ch : json) safe += ch == '<' ? std::string("\\u003c") : std::string(1, ch);
    std::string page = explain_asset_html;
    replace_once(page, "@ELMAN_CSS@", explain_asset_css);
    replace_once(page, "@ELMAN_JS@", explain_asset_js);
    replace_once(page, "@ELMAN_DATA@", safe);  // last: the data may contain anything
    return page;
}

void check_explain_out(const std::string& dir)
{
    const fs::path out = fs::absolute(dir).lexically_normal();
    std::error_code ec;
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec))
            throw Error("--out " + dir + " exists and is not a directory");
    } else if (!fs::is_directory(out.parent_path(), ec)) {
        throw Error("--out " + dir + ": parent directory " + out.parent_path().string() +
                    " does not exist");
    }
    const fs::path page = out / "index.html";
    if (!fs::exists(page, ec)) return;
    if (!fs::is_regular_file(page, ec))
        throw Error(page.string() + " exists and is not a file; refusing to replace it");
    std::ifstream in(page, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head.find(generator_mark) == std::string::npos)
        throw Error(page.string() +
                    " exists and was not written by elman explain; refusing to replace it "
                    "(choose another --out)");
}

std::string write_explain_page(const std::string& dir, const std::string& html)
{
    check_explain_out(dir);
    const fs::path out = fs::absolute(dir).lexically_normal();
    std::error_code ec;
    if (!fs::exists(out, ec) && !fs::create_directory(out, ec) && !fs::is_directory(out))
        throw Error("--out " + dir + ": cannot create the directory: " + ec.message());
    const std::string page = (out / "index.html").string();
    replace_file_atomically(page, html);
    return page;
}

}  // namespace elman
