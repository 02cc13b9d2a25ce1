#!/bin/bash
# Throughput of `elman forecast` on many series (issue 14): N synthetic monthly series of 100-300
# values (bench/many_series_data.py), default settings, --threads 2, series per second; then
# statsmodels' ETS on the same series and the same training parts (bench/ets_many.py).
# Usage: bench/many_series.sh BUILD_DIR [N=1000]   (needs /usr/bin/python3 with python3-statsmodels)
# ELMAN_ARGS adds options to elman's run, e.g. ELMAN_ARGS=--global (both models on the same run).
set -euo pipefail
build=${1:?usage: bench/many_series.sh BUILD_DIR [N]}
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/many_series_data.py" "$n" "$work/series.csv"
start=$(date +%s.%N)
"$build/elman" forecast "$work/series.csv" --id-column unique_id --threads 2 -q ${ELMAN_ARGS:-} -o "$work/out"
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "elman: %d series in %.1f s = %.3f series/s\n", n, e - s, n / (e - s) }'
/usr/bin/python3 - "$work/out/metrics.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["aggregate"]
for part in ("one_step", "multi_step"):
    print(part, {m: (round(v["mean_mase"], 3), round(v["median_mase"], 3)) for m, v in a[part].items()})
PY
/usr/bin/python3 "$here/ets_many.py" "$work/series.csv" "$work/out/summary.csv"
