#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "datasets/builtin.hpp"
#include "datasets/synthetic.hpp"

using namespace elman;
using Catch::Contains;

TEST_CASE("builtin: the five series have their documented lengths and frequencies", "[builtin]")
{
    struct Case {
        const char* name;
        std::size_t length;
        Frequency frequency;
        std::size_t season;
        const char* first;
        const char* last;
    };
    for (const Case& c : {Case{"airline_passengers", 144, Frequency::monthly, 12, "1949-01", "1960-12"},
                          Case{"co2_mauna_loa", 468, Frequency::monthly, 12, "1959-01", "1997-12"},
                          Case{"nile_flow", 100, Frequency::yearly, 1, "1871", "1970"},
                          Case{"sunspots_yearly", 309, Frequency::yearly, 1, "1700", "2008"}}) {
        const Series s = load_builtin(c.name);
        INFO(c.name);
        REQUIRE(s.values.size() == c.length);
        REQUIRE(s.frequency == c.frequency);
        REQUIRE(s.season == c.season);
        REQUIRE(s.time.frequency_source == Source::inferred);
        REQUIRE(s.notes.empty());
        REQUIRE(s.periods.front() == c.first);
        REQUIRE(s.periods.back() == c.last);
    }
    const Series air = load_builtin("airline_passengers");
    REQUIRE(air.values.front() == 112);
    REQUIRE(air.values.back() == 432);
}

TEST_CASE("builtin: us_macro_quarterly is a quarterly frame of 12 series", "[builtin]")
{
    const Frame f = load_builtin_frame("us_macro_quarterly");
    REQUIRE(f.size() == 203);
    REQUIRE(f.columns.size() == 12);
    REQUIRE(f.columns.front() == "realgdp");
    REQUIRE(f.frequency == Frequency::quarterly);
    REQUIRE(f.season == 4);
    REQUIRE(f.periods.back() == "2009-Q3");
    REQUIRE(f.column("realgdp").values.front() == 2710.349);
    REQUIRE(load_builtin("us_macro_quarterly", "unemp").values.front() == 5.8);
    REQUIRE_THROWS_WITH(load_builtin("us_macro_quarterly"), Contains("several value columns"));
}

TEST_CASE("builtin: an unknown name lists the available series", "[builtin]")
{
    REQUIRE_THROWS_WITH(load_builtin("airline"),
                        Contains("no builtin series 'airline'; available: airline_passengers, "
                                 "co2_mauna_loa, nile_flow, sunspots_yearly, us_macro_quarterly"));
}

TEST_CASE("builtin: ELMAN_DATA_DIR overrides the data folder", "[builtin]")
{
    const auto dir = std::filesystem::temp_directory_path() / ("elman_test_builtin_data_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "nile_flow.csv") << "year,flow\n2000,1\n2001,2\n";
    ::setenv("ELMAN_DATA_DIR", dir.c_str(), 1);
    const std::string used = data_dir();
    const Series s = load_builtin("nile_flow");
    ::unsetenv("ELMAN_DATA_DIR");
    std::filesystem::remove_all(dir);
    REQUIRE(used == dir.string());
    REQUIRE(s.values == std::vector<double>{1, 2});
    REQUIRE(load_builtin("nile_flow").values.size() == 100);
}

TEST_CASE("synthetic: noisy_sine is the sine plus seeded noise", "[builtin]")
{
    const Series clean = noisy_sine(50, 12.0, 0.0);
    for (std::size_t t = 0; t < 50; ++t)
        REQUIRE(clean.values[t] == Approx(std::sin(2.0 * M_PI * static_cast<double>(t) / 12.0)).margin(1e-12));
    REQUIRE(clean.season == 12);
    const Series a = noisy_sine(200, 20.0, 0.1, 3), b = noisy_sine(200, 20.0, 0.1, 3),
                 c = noisy_sine(200, 20.0, 0.1, 4);
    REQUIRE(a.values == b.values);
    REQUIRE(a.values != c.values);
    // The noise has about the asked standard deviation.
    double ss = 0.0;
    for (std::size_t t = 0; t < 200; ++t) {
        const double e = a.values[t] - std::sin(2.0 * M_PI * static_cast<double>(t) / 20.0);
        ss += e * e;
    }
    REQUIRE(std::sqrt(ss / 200.0) == Approx(0.1).epsilon(0.25));
    REQUIRE(noisy_sine(10, 7.5).season == 1);
}

TEST_CASE("synthetic: Mackey-Glass starts from its history and stays in its attractor", "[builtin]")
{
    const Series s = mackey_glass(1500);
    REQUIRE(s.values.size() == 1500);
    REQUIRE(s.values[0] == 1.2);
    // First Euler step from the constant history: x + dt·(β·1.2/(1 + 1.2¹⁰) − γ·x).
    MackeyGlassOptions one;
    one.sample_every = 0.1;
    const double x1 = mackey_glass(2, one).values[1];
    REQUIRE(x1 == Approx(1.2 + 0.1 * (0.2 * 1.2 / (1.0 + std::pow(1.2, 10.0)) - 0.1 * 1.2)));
    // Chaotic regime for τ = 17: bounded, aperiodic swings roughly within [0.2, 1.4].
    double lo = 10, hi = -10;
    for (std::size_t t = 300; t < s.values.size(); ++t) {
        lo = std::min(lo, s.values[t]);
        hi = std::max(hi, s.values[t]);
    }
    REQUIRE(lo > 0.1);
    REQUIRE(hi < 1.5);
    REQUIRE(hi - lo > 0.6);
    MackeyGlassOptions skip;
    skip.discard = 100;
    REQUIRE(mackey_glass(10, skip).values[0] == s.values[100]);
    MackeyGlassOptions bad;
    bad.dt = 0.3;
    REQUIRE_THROWS_WITH(mackey_glass(10, bad), Contains("tau/dt must be a whole number"));
}
