#!/usr/bin/env bash
# The benchmark of issue 6 in one command:
#
#   bench/run.sh [BUILD_DIR]          (default bench/build)
#
# 1. installs the peers with apt-get when missing (python3-torch, libtorch-dev);
# 2. builds bench/ (elman from the sources next door, Release -O2, no -march=native);
# 3. runs reference_bptt --check (the reference must agree with elman, else it stops);
# 4. runs elman fused, the sgemm ceiling (bench/sgemm_ceiling.hpp: OpenBLAS alone doing the
#    step's products), elman composed, the reference, PyTorch and LibTorch INTERLEAVED
#    (for each repetition, for each workload, for 1 and 2 threads, for each framework), then
#    elman's ms/step against T, the tape micro-benchmark and elman's one-row product kernel
#    against the sgemv it replaced (gemv_bench);
# 5. prints the markdown table and writes it to bench/results/latest.md (raw JSON lines beside).
#
# Knobs (environment): REPS (3), MIN_STEPS (200), MIN_TIME (2 s), MAX_TIME (6 s),
# WORKLOADS ("W1 W2 W3 W4 inference"), THREADS ("1 2"), SWEEP_T ("50 100 200 500 1000"),
# FRAMEWORKS ("elman_fused sgemm_ceiling elman_fused_inherited elman_composed elman_fused_masked
# elman_fused_dropout reference reference_libm pytorch libtorch"), SKIP_INSTALL=1, OPENBLAS_CORE
# (auto; see step 3b), RESULTS (bench/results).
# The gated cells (issue 16: the same model with the cell's layer in place of the SimpleRNN,
# against nn.LSTM and torch::nn::LSTM, one thread, interleaved with the rest): CELLS ("lstm"; an
# empty list skips them), CELL_WORKLOADS ("W1 W3 W4"), CELL_FRAMEWORKS ("elman_fused
# elman_composed pytorch libtorch"), CELL_SWEEP_T ("50 100 200 500 1000": elman fused, B16 F1 H32).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${1:-$BENCH_DIR/build}"
RESULTS="${RESULTS:-$BENCH_DIR/results}"
REPS="${REPS:-3}"
MIN_STEPS="${MIN_STEPS:-200}"
MIN_TIME="${MIN_TIME:-2}"
MAX_TIME="${MAX_TIME:-6}"
WORKLOADS="${WORKLOADS:-W1 W2 W3 W4 inference}"
THREADS="${THREADS:-1 2}"
SWEEP_T="${SWEEP_T:-50 100 200 500 1000}"
FRAMEWORKS="${FRAMEWORKS:-elman_fused sgemm_ceiling elman_fused_inherited elman_composed elman_fused_masked elman_fused_dropout reference reference_libm pytorch libtorch}"
OPENBLAS_CORE="${OPENBLAS_CORE:-auto}"
CELLS="${CELLS-lstm}"
CELL_WORKLOADS="${CELL_WORKLOADS:-W1 W3 W4}"
CELL_FRAMEWORKS="${CELL_FRAMEWORKS:-elman_fused elman_composed pytorch libtorch}"
CELL_SWEEP_T="${CELL_SWEEP_T-50 100 200 500 1000}"
PY=/usr/bin/python3   # Debian's python, where python3-torch lives
TRIPLET="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"

# 1. peers
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
    missing=()
    [[ -x $PY ]] && $PY -c 'import torch' 2>/dev/null || missing+=(python3-torch)
    [[ -f /usr/lib/$TRIPLET/cmake/Torch/TorchConfig.cmake ]] || missing+=(libtorch-dev)
    if ((${#missing[@]})); then
        echo "== installing ${missing[*]} with apt-get"
        SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
    fi
fi

# 2. build
echo "== building into $BUILD"
cmake -S "$BENCH_DIR" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 >/dev/null

# 3. agreement check
echo "== reference_bptt --check"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$BUILD/reference_bptt" --check | tail -1

# 3b. OpenBLAS's kernels. OpenBLAS picks them for the CPU when it loads, unless the environment
# forces a choice with OPENBLAS_CORETYPE (some machines export one, e.g. Haswell, the AVX2
# kernels, on an AVX-512 CPU). OPENBLAS_CORE=auto (the default): EVERY program of the run (elman,
# the reference, PyTorch, LibTorch,) gets OpenBLAS's own choice, unless that choice is
# older than the best kernels the CPU supports (OpenBLAS 0.3.21 falls back to its generic Prescott
# kernels on CPUs it does not recognise, such as a virtual "Intel Xeon Processor" with AVX-512):
# then every program gets the best ones (best_core below) and the report says so. When the
# environment had forced a core, elman is also timed with it (elman_fused_inherited), so the
# report shows what that setting costs. OPENBLAS_CORE=inherit keeps the environment's setting for
# every program; any other value is exported as OPENBLAS_CORETYPE for every program.
inherited_coretype="${OPENBLAS_CORETYPE-}"
own_core="$(env -u OPENBLAS_CORETYPE "$BUILD/elman_bench" --blas)"
cpu_flags=" $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1) "
best_core=""
if [[ $cpu_flags == *" avx512_bf16 "* ]]; then best_core=Cooperlake
elif [[ $cpu_flags == *" avx512f "* && $cpu_flags == *" avx512vl "* && $cpu_flags == *" avx512bw "* ]]; then best_core=SkylakeX
elif [[ $cpu_flags == *" avx2 "* && $cpu_flags == *" fma "* ]]; then best_core=Haswell
fi
core_rank() {  # how capable OpenBLAS's kernels named in $1 are: 3 AVX-512 BF16, 2 AVX-512, 1 AVX2
    case $1 in
        *Cooperlake* | *SapphireRapids*) echo 3 ;;
        *SkylakeX*) echo 2 ;;
        *Haswell* | *Zen* | *Skylake*) echo 1 ;;
        *) echo 0 ;;
    esac
}
core_note=""
case $OPENBLAS_CORE in
    auto)
        unset OPENBLAS_CORETYPE
        if [[ -n $best_core ]] && (($(core_rank "$own_core") < $(core_rank "$best_core"))); then
            export OPENBLAS_CORETYPE=$best_core
            core_note="OpenBLAS's own choice, $own_core, is older than the CPU supports (it does not recognise this CPU): every program gets $best_core (the best for its flags)"
        fi ;;
    inherit) ;;
    *) export OPENBLAS_CORETYPE="$OPENBLAS_CORE" ;;
esac
used_core="$("$BUILD/elman_bench" --blas)"
inherited_core=""
if [[ -n $inherited_coretype ]]; then
    inherited_core="$(OPENBLAS_CORETYPE=$inherited_coretype "$BUILD/elman_bench" --blas)"
fi
if [[ -z $inherited_core || $inherited_core == "$used_core" ]]; then
    FRAMEWORKS="${FRAMEWORKS//elman_fused_inherited/}"
fi
echo "== BLAS for every program: $used_core${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}; OpenBLAS's own choice: $own_core${inherited_coretype:+; the environment had OPENBLAS_CORETYPE=$inherited_coretype}"
[[ -n $core_note ]] && echo "   $core_note"

# 4. timed runs, interleaved
mkdir -p "$RESULTS"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$RESULTS/raw-$stamp.jsonl"
META="$RESULTS/meta-$stamp.md"
: >"$RAW"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
timing=(--min-steps "$MIN_STEPS" --min-time "$MIN_TIME" --max-time "$MAX_TIME")

run() {  # run THREADS FRAMEWORK ARGS...: one program, its JSON line appended to $RAW
    local th=$1 fw=$2; shift 2
    local cmd
    case $fw in
        elman_fused) cmd=("$BUILD/elman_bench") ;;
        elman_fused_inherited) cmd=(env "OPENBLAS_CORETYPE=$inherited_coretype" "$BUILD/elman_bench") ;;
        elman_composed) cmd=("$BUILD/elman_bench" --composed) ;;
        sgemm_ceiling) cmd=("$BUILD/elman_bench" --ceiling) ;;
        elman_fused_masked) cmd=("$BUILD/elman_bench" --masked) ;;
        elman_fused_dropout) cmd=("$BUILD/elman_bench" --dropout) ;;
        reference) cmd=("$BUILD/reference_bptt") ;;
        reference_libm) cmd=("$BUILD/reference_bptt" --libm-tanh) ;;
        pytorch) cmd=("$PY" "$BENCH_DIR/torch_bench.py") ;;
        libtorch) [[ -x $BUILD/libtorch_bench ]] || return 0; cmd=("$BUILD/libtorch_bench") ;;
        *) echo "unknown framework $fw" >&2; return 1 ;;
    esac
    local line
    if line="$(OPENBLAS_NUM_THREADS=$th OMP_NUM_THREADS=$th "${cmd[@]}" --threads "$th" "$@" "${timing[@]}")"; then
        [[ $fw == elman_fused_inherited ]] && line="${line/\"elman_fused\"/\"elman_fused_inherited\"}"
        echo "$line" >>"$RAW"
        printf '   %-15s %-6s %-10s %st  %s ms\n' "$fw" "$(sed -n 's/.*"cell": "\([^"]*\)".*/\1/p' <<<"$line")" \
            "$(sed -n 's/.*"workload": "\([^"]*\)".*/\1/p' <<<"$line")" \
            "$th" "$(sed -n 's/.*"median_ms": \([0-9.]*\).*/\1/p' <<<"$line")"
    else
        echo "   $fw $* (threads $th) FAILED" >&2
    fi
}

for ((rep = 1; rep <= REPS; rep++)); do
    echo "== repetition $rep/$REPS (load $(cut -d' ' -f1 /proc/loadavg))"
    for wl in $WORKLOADS; do
        for th in $THREADS; do
            for fw in $FRAMEWORKS; do run "$th" "$fw" --workload "$wl"; done
        done
    done
    for t in $SWEEP_T; do
        for fw in elman_fused reference reference_libm; do run 1 "$fw" --shape "16,$t,1,32"; done
    done
    for cell in $CELLS; do
        for wl in $CELL_WORKLOADS; do
            for fw in $CELL_FRAMEWORKS; do run 1 "$fw" --workload "$wl" --cell "$cell"; done
        done
        for t in $CELL_SWEEP_T; do run 1 elman_fused --shape "16,$t,1,32" --cell "$cell"; done
    done
    OPENBLAS_NUM_THREADS=1 "$BUILD/elman_bench" --tape-micro --ops 1000 | tee -a "$RAW" | sed 's/^/   /'
done
# elman's one-row product kernel against the sgemv it replaced (core/row_gemv.hpp), one thread;
# gemv_bench interleaves the two itself. Each path of the kernel against the OpenBLAS kernels a
# CPU of its class gets: AVX-512 against this run's, AVX2 against Haswell's, SSE2 against
# Prescott's (OpenBLAS's generic SSE3 kernels); a path this CPU cannot run is skipped.
echo "== one-row product: row_gemv against sgemv"
for path_core in "avx512:${OPENBLAS_CORETYPE:-}" avx2:Haswell sse2:Prescott; do
    path=${path_core%%:*} core=${path_core#*:}
    if [[ -n $core ]]; then
        OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$core "$BUILD/gemv_bench" --reps 21 --path "$path"
    else
        OPENBLAS_NUM_THREADS=1 "$BUILD/gemv_bench" --reps 21 --path "$path"
    fi | tee -a "$RAW" | sed 's/^/   /'
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# 5. report
torch_v="$($PY -c 'import torch; print(torch.__version__)' 2>/dev/null || echo '?')"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
cat >"$META" <<META_EOF
Run $stamp on $(nproc) × $cpu; torch $torch_v; $REPS repetitions, each program timed for
≥ $MIN_STEPS steps and ≥ $MIN_TIME s (capped at $MAX_TIME s once 20 steps are done) after warm-up.
Load average (1/5/15 min) at start: $load_start; at end: $load_end. Raw data: results/$(basename "$RAW").
BLAS for every program: $used_core${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}; OpenBLAS's own choice on this CPU: $own_core${inherited_coretype:+; the environment had OPENBLAS_CORETYPE=$inherited_coretype ($inherited_core), see bench/run.sh step 3b}.${core_note:+ $core_note.}
META_EOF
$PY "$BENCH_DIR/aggregate.py" "$RAW" --meta "$META" >"$RESULTS/latest.md"
echo
cat "$RESULTS/latest.md"
echo "(written to $RESULTS/latest.md)"
