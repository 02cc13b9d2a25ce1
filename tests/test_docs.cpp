// The documentation stays true: quoted library code is still in the file it quotes, relative
// links point at files that exist, and docs/README.md indexes every page. (The runnable ```cpp
// blocks of docs/tutorial.md and docs/bptt.md are separate ctest tests, "docs: <page> block n",
// made by cmake/ElmanDocTests.cmake.)
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path k_root = ELMAN_SOURCE_DIR;

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string l; std::getline(ss, l);) out.push_back(l);
    return out;
}

struct Excerpt {
    fs::path doc;
    std::size_t line;  // 1-based line of the opening fence
    std::string file;
    std::vector<std::string> code;
};

std::vector<Excerpt> excerpts(const fs::path& doc)
{
    std::vector<Excerpt> out;
    const auto ls = lines(read(doc));
    const std::string fence = "```cpp excerpt=";
    for (std::size_t i = 0; i < ls.size(); ++i) {
        if (ls[i].rfind(fence, 0) != 0) continue;
        Excerpt e{doc, i + 1, trim(ls[i].substr(fence.size())), {}};
        for (++i; i < ls.size() && trim(ls[i]) != "```"; ++i) e.code.push_back(ls[i]);
        out.push_back(e);
    }
    return out;
}

std::vector<fs::path> pages()
{
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(k_root / "docs"))
        if (e.path().extension() == ".md") out.push_back(e.path());
    return out;
}

}  // namespace

TEST_CASE("docs: quoted code is still, line by line and in order, in the file it quotes",
          "[docs]")
{
    std::size_t checked = 0;
    for (const auto& page : pages())
        for (const auto& e : excerpts(page)) {
            INFO(e.doc.filename().string() << ":" << e.line << " quotes " << e.file);
            const fs::path src = k_root / e.file;
            REQUIRE(fs::exists(src));
            const auto file = lines(read(src));
            std::size_t at = 0;
            for (const auto& quoted : e.code) {
                const std::string q = trim(quoted);
                if (q.empty()) continue;
                while (at < file.size() && trim(file[at]) != q) ++at;
                INFO("line not found (or out of order): " << q);
                REQUIRE(at < file.size());
                ++at;
                ++checked;
            }
        }
    REQUIRE(checked > 10);  // bptt.md quotes the fused backward
}

TEST_CASE("docs: relative links in docs/*.md point at existing files", "[docs]")
{
    std::size_t checked = 0;
    for (const auto& page : pages()) {
        // The prose only: fenced blocks and `inline code` hold code, not links.
        std::string text;
        bool in_code = false;
        for (const auto& l : lines(read(page))) {
            if (trim(l).rfind("```", 0) == 0) {
                in_code = !in_code;
                continue;
            }
            if (in_code) continue;
            bool in_span = false;
            for (char c : l) {
                if (c == '`') in_span = !in_span;
                else if (!in_span) text += c;
            }
            text += '\n';
        }
        // [text](target) or [text](target#anchor); web addresses are not checked.
        for (auto pos = text.find("]("); pos != std::string::npos; pos = text.find("](", pos + 2)) {
            const auto end = text.find_first_of(")# \n", pos + 2);
            const std::string target = text.substr(pos + 2, end - pos - 2);
            if (target.empty() || target.find("://") != std::string::npos) continue;
            INFO(page.filename().string() << " links to " << target);
            REQUIRE(fs::exists(page.parent_path() / target));
            ++checked;
        }
    }
    REQUIRE(checked > 0);
}

TEST_CASE("docs: docs/README.md links every page in docs/", "[docs]")
{
    const std::string index = read(k_root / "docs" / "README.md");
    REQUIRE_FALSE(index.empty());
    for (const auto& page : pages()) {
        if (page.filename() == "README.md") continue;
        INFO("docs/README.md does not link " << page.filename().string());
        REQUIRE(index.find("(" + page.filename().string() + ")") != std::string::npos);
    }
}
