#!/usr/bin/env bash
# Before/after of two elman_bench builds, interleaved: each round runs BEFORE then AFTER with the
# same arguments, so that a slow phase of a shared machine hits both. Prints each build's
# per-round medians, then median [min–max] of them and the ratio after/before.
#
#   bench/ab.sh BEFORE_BIN AFTER_BIN ROUNDS elman_bench-args...
#   e.g. (a build of the old commit in a git worktree):
#   git worktree add /tmp/old HEAD~2 && cmake -S /tmp/old/bench -B /tmp/old/bench/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=Release && ninja -C /tmp/old/bench/build elman_bench
#   bench/ab.sh /tmp/old/bench/build/elman_bench bench/build/elman_bench 9 --workload inference
#
# One thread and OpenBLAS's AVX-512 kernels unless the caller's environment says otherwise
# (OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE); figures are in elman_bench's unit (ms per step).
set -euo pipefail
[ "$#" -ge 3 ] || { echo "usage: bench/ab.sh BEFORE_BIN AFTER_BIN ROUNDS args..." >&2; exit 2; }
before=$1 after=$2 rounds=$3
shift 3
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Cooperlake}"
median_of() {
  local out m
  out=$("$1" "${@:2}") || { echo "bench/ab.sh: $1 ${*:2} failed" >&2; exit 1; }
  m=$(sed -n 's/.*"median_ms": \([0-9.eE+-]*\).*/\1/p' <<<"$out")
  [ -n "$m" ] || { echo "bench/ab.sh: $1 printed no median_ms" >&2; exit 1; }
  echo "$m"
}
b=() a=()
for ((r = 0; r < rounds; r++)); do
  b+=("$(median_of "$before" "$@")")
  a+=("$(median_of "$after" "$@")")
done
echo "before: ${b[*]}"
echo "after:  ${a[*]}"
# median [min-max] of the numbers given, and the median alone
summary() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.4g [%.4g-%.4g] %s", m, v[1], v[NR], m}'; }
sb=$(summary "${b[@]}") sa=$(summary "${a[@]}")
echo "median [min-max] ms: before ${sb% *}, after ${sa% *}, after/before $(awk -v x="${sa##* }" -v y="${sb##* }" 'BEGIN{printf "%.2f", x/y}')"
