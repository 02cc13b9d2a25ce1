// libFuzzer target for the CSV dialect sniffer and the cell readers (datasets/csv_dialect.hpp,
// datasets/csv_cells.hpp). Contract under test: any bytes give a dialect, cells and values or an
// elman::Error, never a crash, a hang, a sanitizer report or another exception; a cell read as
// a number is finite; the sniffed delimiter is one of , ; tab |.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/csv_cells.hpp"
#include "datasets/csv_dialect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    std::vector<std::string> records(1);
    for (std::size_t i = 0; i < size && records.size() <= 101; ++i) {
        if (data[i] == '\n')
            records.emplace_back();
        else
            records.back() += static_cast<char>(data[i]);
    }
    const Dialect d = sniff_dialect(records);
    if (sniffed_delimiters.find(d.delimiter) == std::string_view::npos) std::abort();
    if (d.decimal != '.' && d.decimal != ',') std::abort();
    try {
        (void)sniff_dialect(records, ';', ',');
        (void)sniff_dialect(records, ',', ',');  // the same character twice: an Error
        std::abort();
    } catch (const Error&) {
    }
    std::vector<std::string> cells;
    const std::vector<std::string> extra{"-999", ""};
    for (const auto& r : records) {
        (void)ends_inside_quotes(r, d.delimiter);
        const auto e = split_record(r, d.delimiter, cells);
        if (e && e->cell != cells.size()) std::abort();  // cells holds those before the bad one
        for (const auto& c : cells) {
            (void)strip_typographic_quotes(c);
            for (char decimal : {'.', ','}) {
                const CellValue v = parse_cell(c, decimal, extra);
                if (v.kind == CellKind::number && !std::isfinite(v.value)) std::abort();
                (void)decimal_hint(c, decimal);
            }
        }
    }
    return 0;
}
