#!/usr/bin/env bash
# Accuracy of `elman forecast` with default settings on every builtin series (issue 14's goal):
# one-step and rolling-origin multi-step MASE over the test part (at the frequency's M4 horizon)
# of elman against the naive and seasonal naive forecasts, and the empirical coverage and MSIS
# of elman's 80% and 95% intervals on the test part. Not a test: it trains the default ensemble
# (seconds per series), and its figures go to docs/forecasting.md.
#
#   bench/forecast_accuracy.sh [ELMAN] [SEEDS...]      e.g. bench/forecast_accuracy.sh build/elman 42 1 7
#
# Output: one tab-separated row per series and seed. "beats" is yes when elman's multi-step MASE
# is below the better of naive and seasonal naive (nile and sunspots have no season: naive only).
set -euo pipefail
elman=${1:-build/elman}
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(42)
# us_macro_quarterly has several value columns: its real GDP and its unemployment rate.
series=(airline_passengers co2_mauna_loa nile_flow sunspots_yearly us_macro_quarterly:realgdp us_macro_quarterly:unemp)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf 'series\tseed\tn_train/n_test\tH\t1-step elman\t1-step best baseline\tmulti elman\tmulti naive\tmulti snaive\tbeats\tcov80 1s/ms\tcov95 1s/ms\tMSIS95 ms\n'
for s in "${series[@]}"; do
    name=${s%%:*}
    column=()
    [ "$name" = "$s" ] || column=(--column "${s#*:}")
    for seed in "${seeds[@]}"; do
        "$elman" forecast --builtin "$name" "${column[@]}" --seed "$seed" --quiet -o "$out/$s-$seed" >/dev/null
        jq -r --arg s "$s" --arg seed "$seed" '
          def f: if . == null then "-" else (. * 1000 | round / 1000 | tostring) end;
          def best(m): [m.naive.mase, (m.seasonal_naive.mase // empty)] | min;
          [ $s, $seed, "\(.n_train)/\(.n_test)", (.horizon | tostring),
            (.one_step.elman.mase | f), (best(.one_step) | f),
            (.multi_step.elman.mase | f), (.multi_step.naive.mase | f),
            ((.multi_step.seasonal_naive.mase // null) | f),
            (if .multi_step.elman.mase < best(.multi_step) then "yes" else "NO" end),
            "\(.intervals.one_step.coverage80 | f)/\(.intervals.multi_step.coverage80 | f)",
            "\(.intervals.one_step.coverage95 | f)/\(.intervals.multi_step.coverage95 | f)",
            (.intervals.multi_step.msis95 | f) ] | @tsv' "$out/$s-$seed/metrics.json"
    done
done
