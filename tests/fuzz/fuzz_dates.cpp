// libFuzzer target for the date parser and the frequency inference (datasets/period.hpp,
// datasets/frequency.hpp). Contract under test: any bytes give forms, instants and calendars
// or an elman::Error, never a crash, a hang, a sanitizer report (signed overflow included) or
// another exception.
//
// The input is lines: the first is also tried as a --date-format; every line is a label, read
// in each form its shape allows and in the first line's format. The instants of the first form
// that reads two or more labels are sorted and de-duplicated, their calendar fitted, and the
// next periods labelled.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "datasets/frequency.hpp"
#include "datasets/period.hpp"

namespace {

std::vector<std::string> lines_of(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < size && out.size() <= 64; ++i) {
        if (data[i] == '\n')
            out.emplace_back();
        else
            out.back() += static_cast<char>(data[i]);
    }
    return out;
}

void calendar_of(std::vector<elman::Instant> t, const elman::DateForm& form)
{
    using namespace elman;
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    if (t.size() < 2) return;
    const CalendarFit fit = fit_calendar(t, form.resolution, form.utc);
    if (fit.calendar.step < 1) std::abort();
    (void)default_season(fit.calendar);
    (void)default_horizon(fit.calendar);
    (void)describe(fit.calendar, t.front());
    for (std::int64_t k = 1; k <= 3; ++k) {
        const Instant next = advance(fit.calendar, t.back(), k);
        if (next <= t.back()) std::abort();  // the future comes after the last row
        (void)format_instant(next, fit.calendar.resolution, fit.calendar.utc);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    const std::vector<std::string> labels = lines_of(data, size);
    std::vector<DateForm> forms;
    try {
        forms.push_back(form_from_format(labels.front()));
    } catch (const Error&) {
    }
    for (const auto& l : labels)
        for (const DateForm& f : label_forms(l))
            if (std::find(forms.begin(), forms.end(), f) == forms.end()) forms.push_back(f);
    for (const DateForm& f : forms) {
        std::vector<Instant> t;
        for (const auto& l : labels)
            if (const auto x = parse_label(l, f)) {
                (void)format_instant(*x, f.resolution, f.utc);
                (void)civil(*x);
                t.push_back(*x);
            }
        try {
            calendar_of(t, f);
        } catch (const Error&) {
        }
    }
    return 0;
}
