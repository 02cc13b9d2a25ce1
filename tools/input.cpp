#include "tools/input.hpp"

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "datasets/builtin.hpp"
#include "datasets/csv.hpp"

namespace fs = std::filesystem;

namespace elman::cli {

void add_input_options(CLI::App* cmd, Input& in)
{
    cmd->add_option("file", in.file, "CSV file: a header row, a period column, value columns");
    cmd->add_option("--builtin", in.builtin,
                    "a shipped series instead of FILE: airline_passengers, co2_mauna_loa, "
                    "nile_flow, sunspots_yearly, us_macro_quarterly");
    cmd->add_option("-c,--column", in.column, "the value column (default: the only numeric one)");
    cmd->add_option("--period-column", in.period_columns,
                    "the period column, or columns to combine: date,hour or year,month,day,hour "
                    "(default: found from the data)")
        ->delimiter(',');
    cmd->add_flag("--no-period", in.no_period, "the file has no period column: number the rows");
    cmd->add_flag("--interpolate", in.interpolate,
                  "fill missing values and missing periods by linear interpolation instead of failing");
    cmd->add_flag("--ignore-gaps", in.ignore_gaps,
                  "keep rows with missing periods between them as consecutive observations");
    cmd->add_flag("--sort", in.sort, "sort rows by time instead of failing on rows out of order");
    cmd->add_option("--delimiter", in.delimiter, "cell delimiter: , ; tab | (default: sniffed)");
    cmd->add_option("--decimal", in.decimal, "decimal mark: . or , (default: sniffed)");
    cmd->add_option("--na-values", in.na_values,
                    "more missing-value markers, comma-separated (NA, N/A, NaN, null, ?, . and empty always are)")
        ->delimiter(',');
    cmd->add_option("--date-format", in.date_format,
                    "the form of the period labels, strftime style, e.g. %d/%m/%Y or %Y-%m-%d %H:%M");
    cmd->add_flag("--dayfirst", in.dayfirst, "read dates like 01/02/2020 day first");
    cmd->add_option("--frequency", in.frequency,
                    "the frequency when the periods are no dates: yearly, quarterly, monthly, weekly, "
                    "business-daily, daily, hourly, 15min, 3h (checked against dates)");
}

namespace {

char one_char(const std::string& value, const char* flag)
{
    if (value == "tab" || value == "\\t" || value == "\t") return '\t';
    if (value.size() != 1 || value[0] == '"' || value[0] == '\n' || value[0] == '\r')
        throw Error(std::string(flag) + " '" + value + "': expected one character such as , ; | or tab");
    return value[0];
}

}  // namespace

CsvOptions csv_options(const Input& in)
{
    CsvOptions o;
    o.column = in.column;
    o.period_columns = in.period_columns;
    o.has_period = !in.no_period;
    if (in.no_period && !in.period_columns.empty()) throw Error("give either --period-column or --no-period, not both");
    if (in.interpolate && in.ignore_gaps) throw Error("give either --interpolate or --ignore-gaps, not both");
    o.missing = in.interpolate ? Missing::interpolate : Missing::error;
    o.gaps = in.interpolate ? Gaps::interpolate : in.ignore_gaps ? Gaps::keep : Gaps::error;
    if (!in.delimiter.empty()) o.delimiter = one_char(in.delimiter, "--delimiter");
    if (!in.decimal.empty()) {
        o.decimal = one_char(in.decimal, "--decimal");
        if (*o.decimal != '.' && *o.decimal != ',') throw Error("--decimal '" + in.decimal + "': expected . or ,");
    }
    o.na_values = in.na_values;
    o.date_format = in.date_format;
    o.dayfirst = in.dayfirst;
    o.sort = in.sort;
    o.frequency = in.frequency;
    o.covariates = in.covariates;
    if (!o.frequency.empty()) parse_frequency(o.frequency);  // an unknown name fails before reading
    return o;
}

std::vector<std::string> adopt_reading(Input& in, const std::string& column, const std::optional<CsvOptions>& read)
{
    std::vector<std::string> taken;
    auto text = [&](std::string& mine, const std::string& theirs, const char* flag) {
        if (!mine.empty() || theirs.empty()) return;
        mine = theirs;
        taken.push_back(std::string(flag) + " " + theirs);
    };
    auto flag = [&](bool& mine, bool theirs, const char* name) {
        if (mine || !theirs) return;
        mine = true;
        taken.push_back(name);
    };
    text(in.column, column, "--column");
    if (!read) return taken;
    const CsvOptions& r = *read;
    if (in.period_columns.empty() && !in.no_period) {
        std::string names;
        for (const auto& c : r.period_columns) names += (names.empty() ? "" : ",") + c;
        if (!names.empty()) taken.push_back("--period-column " + names);
        in.period_columns = r.period_columns;
        flag(in.no_period, !r.has_period, "--no-period");
    }
    if (!in.interpolate && !in.ignore_gaps) {
        flag(in.interpolate, r.gaps == Gaps::interpolate || r.missing == Missing::interpolate, "--interpolate");
        flag(in.ignore_gaps, r.gaps == Gaps::keep, "--ignore-gaps");
    }
    const auto one = [](const std::optional<char>& c) {
        return !c ? std::string() : *c == '\t' ? std::string("tab") : std::string(1, *c);
    };
    text(in.delimiter, one(r.delimiter), "--delimiter");
    text(in.decimal, one(r.decimal), "--decimal");
    if (in.na_values.empty() && !r.na_values.empty()) {
        in.na_values = r.na_values;
        std::string all;
        for (const auto& v : r.na_values) all += (all.empty() ? "" : ",") + v;
        taken.push_back("--na-values " + all);
    }
    text(in.date_format, r.date_format, "--date-format");
    text(in.frequency, r.frequency, "--frequency");
    flag(in.dayfirst, r.dayfirst, "--dayfirst");
    flag(in.sort, r.sort, "--sort");
    return taken;
}

Series load_input(const Input& in)
{
    if (in.file.empty() == in.builtin.empty())
        throw Error(in.file.empty() ? "give a CSV file or --builtin NAME" : "give either a CSV file or --builtin, not both");
    const CsvOptions o = csv_options(in);
    if (!in.builtin.empty()) return load_csv(builtin_path(in.builtin), o);
    if (!fs::exists(in.file)) throw Error(in.file + ": no such file");
    return load_csv(in.file, o);
}

std::string series_label(const Input& in, const Series& s)
{
    return (in.builtin.empty() ? fs::path(in.file).filename().string() : in.builtin) + ":" + s.name;
}

std::string calendar_line(const Series& s, std::size_t season, Source season_source)
{
    const TimeAxis& t = s.time;
    std::string seasons;
    const auto all = seasonalities(t.calendar);
    for (std::size_t m : all)
        if (m != season) seasons += (seasons.empty() ? "" : " and ") + std::to_string(m);
    std::string season_text = "season " + std::to_string(season) + " (" + to_string(season_source);
    if (!seasons.empty()) season_text += "; " + frequency_name(t.calendar) + " data may also have a season of " + seasons;
    if (season_source == Source::by_default && season == 1 && !t.calendar.known())
        season_text += "; give --season or --frequency";
    season_text += ")";
    if (!t.calendar.known()) {
        const std::string why = t.period_column.empty() ? "no period column: the rows are numbered 0, 1, ..."
                                : t.index ? "the periods in column '" + t.period_column + "' are a plain row index"
                                          : "the periods in column '" + t.period_column + "' are no dates";
        return "no calendar (" + why + "): " + season_text;
    }
    std::string freq = "frequency " + describe(t.calendar, t.instants.empty() ? std::nullopt
                                                                                : std::optional<Instant>(t.instants[0]));
    if (t.frequency_source == Source::given)
        freq += " (given)";
    else if (!t.period_column.empty())
        freq += " (inferred from column '" + t.period_column + "', read as " + t.date_format + ")";
    return freq + ", " + season_text;
}

void print_notes(const std::string& label, const Series& s, std::size_t season, Source season_source,
                 bool summary_follows)
{
    for (const auto& n : s.notes) std::fprintf(stderr, "elman: note: %s: %s\n", label.c_str(), n.c_str());
    if (!s.time.calendar.known() && !summary_follows)
        std::fprintf(stderr, "elman: note: %s: %s\n", label.c_str(), calendar_line(s, season, season_source).c_str());
}

}  // namespace elman::cli
