// libFuzzer target for the CSV reader (datasets/csv.cpp). Contract under test: any bytes give a
// Series/Frame or an elman::Error — never a crash, a hang, a sanitizer report or another
// exception type (which escapes and is reported by libFuzzer as a crash).
//
// Each input is one CSV file, read six ways: the defaults, with interpolation of missing
// cells, without a period column (value column by index), as a frame of every column, with
// gaps filled, rows sorted and dates day first, and with date and hour columns combined.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.hpp"
#include "datasets/csv.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

namespace {

// A loaded series must hold finite values only, one per period: anything else would reach
// training as NaN.
void check(const std::vector<std::string>& periods, const std::vector<double>& values)
{
    if (periods.size() != values.size() || values.empty()) std::abort();
    for (double v : values)
        if (!std::isfinite(v)) std::abort();
}

template <class F>
void try_load(F&& load)
{
    try {
        load();
    } catch (const elman::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string path = (fuzz::scratch_dir() / "input.csv").string();
    fuzz::write_bytes(path, data, size);

    try_load([&] {
        const Series s = load_csv(path);
        check(s.periods, s.values);
    });
    try_load([&] {
        CsvOptions o;
        o.missing = Missing::interpolate;
        const Series s = load_csv(path, o);
        check(s.periods, s.values);
    });
    try_load([&] {
        CsvOptions o;
        o.has_period = false;
        o.column_index = 1;
        const Series s = load_csv(path, o);
        check(s.periods, s.values);
    });
    try_load([&] {
        CsvOptions o;
        o.missing = Missing::interpolate;
        const Frame f = load_csv_frame(path, {}, o);
        for (const auto& column : f.values) check(f.periods, column);
    });
    try_load([&] {
        CsvOptions o;
        o.missing = Missing::interpolate;
        o.gaps = Gaps::interpolate;
        o.sort = true;
        o.dayfirst = true;
        const Series s = load_csv(path, o);
        check(s.periods, s.values);
        if (s.time.calendar.known() && s.time.instants.size() != s.values.size()) std::abort();
        (void)future_periods(s, 3);
    });
    try_load([&] {
        CsvOptions o;
        o.gaps = Gaps::keep;
        o.period_columns = {"date", "hour"};
        const Series s = load_csv(path, o);
        check(s.periods, s.values);
    });
    return 0;
}
