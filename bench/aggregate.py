#!/usr/bin/env python3
"""Turns the JSON lines of one bench/run.sh run into the markdown report.

    python3 bench/aggregate.py RAW.jsonl [--meta META.txt] > latest.md

Per (workload, threads, framework) over the repetitions: the median of the runs' median ms/step,
the min of their mins and the max of their maxes, and the largest peak RSS. Ratios are taken
between medians of the same run, so they are comparable even when the machine's speed drifts.
Standard library only (any python3).
"""
import argparse
import json
import statistics
from collections import defaultdict

from ceiling_report import ceiling_section

WORKLOADS = [("W1", "32, 12, 1, 32"), ("W2", "64, 50, 1, 64"), ("W3", "128, 100, 8, 128"),
             ("W4", "16, 500, 1, 32"), ("inference", "1, 50, 1, 64")]
FRAMEWORKS = ["elman_fused", "elman_composed", "reference", "reference_libm", "pytorch", "libtorch"]
# Single-thread speed-up targets of issue 6: elman at least this many times faster than each peer.
TARGETS = {"W1": 10, "W2": 3, "W3": 1.5, "W4": 10, "inference": 10}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def fmt_ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def linear_fit(pts):
    """Least squares ms = c + b·T over (T, ms) points: (c, b, R², max/min of ms/T)."""
    n = len(pts)
    mx = sum(t for t, _ in pts) / n
    my = sum(v for _, v in pts) / n
    sxx = sum((t - mx) ** 2 for t, _ in pts)
    b = sum((t - mx) * (v - my) for t, v in pts) / sxx
    c = my - b * mx
    ss_res = sum((v - (c + b * t)) ** 2 for t, v in pts)
    ss_tot = sum((v - my) ** 2 for _, v in pts)
    per = [v / t for t, v in pts]
    return c, b, (1 - ss_res / ss_tot if ss_tot > 0 else 1.0), max(per) / min(per)


# Issue 16's targets for the gated cells (1 thread): elman at least this many times faster than
# PyTorch and LibTorch, peak RSS under 40 MB, time linear in T.
CELL_TARGETS = {"W1": 10, "W3": 2, "W4": 10}


def gated_cells(gated, agg):
    """The report's section on the gated cells: one table per cell, then its targets."""
    out = []
    for cell in sorted({c for c, _, _ in gated}):
        out.append(f"### {cell.upper()}: training step (1 thread)\n")
        out.append(f"The same model with the {cell.upper()} layer in place of the SimpleRNN "
                   "(elman: layers/cells.hpp; PyTorch/LibTorch: their own layer, bias_hh frozen "
                   "at zero where Keras has one bias), interleaved with the runs above.\n")
        out.append("| workload (B, T, F, H) | elman fused | elman composed | PyTorch | LibTorch | "
                   "PyTorch/elman | LibTorch/elman | peak RSS MB (elman / PyTorch / LibTorch) |")
        out.append("|---|---|---|---|---|---|---|---|")
        targets = []
        for wl, shape in WORKLOADS:
            s = {fw: agg((cell, wl, fw)) for fw in ("elman_fused", "elman_composed", "pytorch",
                                                    "libtorch")}
            if not any(s.values()):
                continue
            cells = ["–" if v is None else f"{fmt_ms(v['median'])} [{fmt_ms(v['min'])}–"
                     f"{fmt_ms(v['max'])}]" for v in s.values()]
            e = s["elman_fused"]
            ratios = ["–" if not (e and s[p]) else f"{s[p]['median'] / e['median']:.2f}"
                      for p in ("pytorch", "libtorch")]
            rss = " / ".join("–" if s[p] is None else f"{s[p]['rss']:.0f}"
                             for p in ("elman_fused", "pytorch", "libtorch"))
            out.append(f"| {wl} ({shape}) | " + " | ".join(cells) + " | " + " | ".join(ratios) +
                       f" | {rss} |")
            for p, label in (("pytorch", "PyTorch"), ("libtorch", "LibTorch")):
                if e and s[p] and wl in CELL_TARGETS:
                    r = s[p]["median"] / e["median"]
                    targets.append(f"| {wl}: elman ≥ {CELL_TARGETS[wl]}x faster than {label} | "
                                   f"{r:.2f}x | {'yes' if r >= CELL_TARGETS[wl] else 'no'} |")
            if e:
                targets.append(f"| {wl}: elman peak RSS < 40 MB | {e['rss']:.1f} MB | "
                               f"{'yes' if e['rss'] < 40 else 'no'} |")
        sweep = sorted((key[1], agg(key)["median"]) for key in gated
                       if key[0] == cell and key[2] == "elman_fused" and key[1].startswith("B16_T"))
        if len(sweep) >= 3:
            pts = [(int(wl.split("_")[1][1:]), ms) for wl, ms in sweep]
            pts.sort()
            c, b, r2, spread = linear_fit(pts)
            linear = r2 >= 0.99 and spread <= 1.5
            out.append("")
            out.append("ms/step against T (B16, F1, H32): " +
                       ", ".join(f"T={t}: {fmt_ms(v)}" for t, v in pts) +
                       f". Fit ms = {c:.4f} + {1000 * b:.3f} µs·T, R² = {r2:.4f}, ms/T varies by "
                       f"a factor {spread:.2f}.")
            targets.append(f"| time linear in T (R² ≥ 0.99, ms/T within 1.5x) | R² {r2:.4f}, "
                           f"{spread:.2f}x | {'yes' if linear else 'no'} |")
        out.append("")
        out.append(f"{cell.upper()} targets of issue 16 in this run:\n")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        out.extend(targets)
        out.append("")
    return out


def own_row_gemv(path, k, n):
    """core/blas.cpp's own_row_gemv: whether gemm() sends a [1,k]·[k,n] float product to
    row_gemv on a CPU whose widest path is `path` (kept in step with the C++ by hand)."""
    if path == "avx512":
        return n <= 256 and k * n <= 65536
    if path == "avx2":
        return k * n <= 12288
    return k * n <= 65536


def inherited_section(agg):
    """The section on elman with the environment's OPENBLAS_CORETYPE (bench/run.sh step 3b)."""
    out = []
    # elman again with the OPENBLAS_CORETYPE the environment had forced (bench/run.sh step 3b),
    # against the same peer runs: what that setting costs a user who keeps it.
    inherited = [(wl, agg((wl, 1, "elman_fused_inherited"))) for wl, _ in WORKLOADS]
    if any(s for _, s in inherited):
        out.append("### elman with the environment's OPENBLAS_CORETYPE (1 thread)\n")
        out.append("The same elman fused program with the OpenBLAS kernels the environment forced "
                   "(see the BLAS line above), interleaved with the runs above; the peers' figures "
                   "are the ones above.\n")
        out.append("| workload | elman fused, environment's kernels | elman fused, as above | "
                   "PyTorch/elman | LibTorch/elman | speed-up target |")
        out.append("|---|---|---|---|---|---|")
        for wl, s in inherited:
            if not s:
                continue
            tuned = agg((wl, 1, "elman_fused"))
            cells = []
            for peer in ("pytorch", "libtorch"):
                p = agg((wl, 1, peer))
                cells.append(f"{p['median'] / s['median']:.2f}" if p else "–")
            out.append(f"| {wl} | {fmt_ms(s['median'])} [{fmt_ms(s['min'])}–{fmt_ms(s['max'])}] | "
                       f"{fmt_ms(tuned['median']) if tuned else '–'} | " + " | ".join(cells) +
                       f" | {TARGETS[wl]}x |")
        out.append("")
    return out


def variants_section(agg):
    """The section on masks and dropout on the fused path (issue 15)."""
    out = []
    # Masks and dropout on the fused path (issue 15): the same model with a right-padding mask
    # (37.5% of the steps padded) or with dropout 0.2, interleaved with the unmasked runs.
    variants = [(wl, agg((wl, 1, "elman_fused")), agg((wl, 1, "elman_fused_masked")),
                 agg((wl, 1, "elman_fused_dropout"))) for wl, _ in WORKLOADS]
    if any(m or d for _, _, m, d in variants):
        out.append("### Masks and dropout on the fused path (1 thread)\n")
        out.append("elman fused as above, with a right-padding mask (lengths T, 3T/4, T/2, T/4 "
                   "by row: 37.5% of the steps padded, the same GEMMs) and with recurrent_dropout "
                   "0.2 (and dropout 0.2 where F > 1; in training only, inference has none).\n")
        out.append("Ratios: of the medians, then of the minima (steadier on a busy machine).\n")
        out.append("| workload | elman fused | with mask | mask/plain | with dropout | "
                   "dropout/plain |")
        out.append("|---|---|---|---|---|---|")
        for wl, p, m, d in variants:
            if not p or not (m or d):
                continue

            def cell(s):
                return "–" if not s else f"{fmt_ms(s['median'])} [{fmt_ms(s['min'])}–{fmt_ms(s['max'])}]"

            def rel(s):
                return "–" if not s else (f"{s['median'] / p['median']:.2f} / "
                                          f"{s['min'] / p['min']:.2f}")
            out.append(f"| {wl} | {cell(p)} | {cell(m)} | {rel(m)} | {cell(d)} | {rel(d)} |")
        out.append("")
    return out


def issue6_targets(med):
    """The targets of issue 6, checked against the run's medians `med`."""
    out = []
    # The targets of issue 6 (single thread unless stated), checked against this run.
    out.append("### Targets of issue 6 in this run\n")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")

    def m(wl, th, fw):
        s = med.get((wl, th, fw))
        return s["median"] if s else None
    for wl, _ in WORKLOADS:
        e = m(wl, 1, "elman_fused")
        for peer, label in (("pytorch", "PyTorch"), ("libtorch", "LibTorch")):
            p = m(wl, 1, peer)
            if e and p:
                r = p / e
                out.append(f"| {wl}: elman ≥ {TARGETS[wl]}x faster than {label} (1 thread) | "
                           f"{r:.2f}x | {'yes' if r >= TARGETS[wl] else 'no'} |")
    for wl, _ in WORKLOADS:
        e, ref = m(wl, 1, "elman_fused"), m(wl, 1, "reference")
        if e and ref:
            r = e / ref
            out.append(f"| {wl}: elman within 1.25x of the reference (1 thread) | {r:.2f}x | "
                       f"{'yes' if r <= 1.25 else 'no'} |")
    s = med.get(("W3", 1, "elman_fused"))
    if s:
        out.append(f"| W3: elman peak RSS < 40 MB | {s['rss']:.1f} MB | "
                   f"{'yes' if s['rss'] < 40 else 'no'} |")
    for wl, _ in WORKLOADS:
        e1, e2 = m(wl, 1, "elman_fused"), m(wl, 2, "elman_fused")
        if e1 and e2:
            r = e2 / e1
            # 5% allowance: medians of identical work differ by a few % from run to run.
            out.append(f"| {wl}: elman with 2 threads not slower than with 1 (2t/1t, ≤ 1.05) | "
                       f"{r:.2f} | {'yes' if r <= 1.05 else 'no'} |")
    out.append("")
    return out


def sweep_section(rows):
    """The section on elman's ms/step against T (SimpleRNN, fused)."""
    out = []
    # ms/step against T.
    sweep = defaultdict(list)
    for r in rows:
        if r["workload"].startswith("B16_T") and r["framework"] in ("elman_fused", "reference",
                                                                     "reference_libm") \
                and r.get("cell", "simple") == "simple":
            sweep[(r["framework"], r["T"])].append(r["median_ms"])
    if sweep:
        out.append("### elman (fused) ms/step against T (B16, F1, H32, 1 thread)\n")
        out.append("| T | elman ms/step | elman µs per time step | reference ms/step | elman/reference "
                   "| reference libm tanh ms/step |")
        out.append("|---|---|---|---|---|---|")
        ts = sorted({t for (fw, t) in sweep if fw == "elman_fused"})
        pts = []
        for t in ts:
            e = statistics.median(sweep[("elman_fused", t)])
            ref = sweep.get(("reference", t))
            refm = statistics.median(ref) if ref else None
            pts.append((t, e))
            ref_cells = f"{fmt_ms(refm)} | {e / refm:.2f}" if refm else "– | –"
            libm = sweep.get(("reference_libm", t))
            ref_cells += f" | {fmt_ms(statistics.median(libm))}" if libm else " | –"
            out.append(f"| {t} | {fmt_ms(e)} | {1000 * e / t:.2f} | {ref_cells} |")
        if len(pts) >= 3:
            c, b, r2, spread = linear_fit(pts)
            linear = r2 >= 0.99 and spread <= 1.5
            out.append("")
            out.append(f"Linearity: least-squares fit ms = {c:.4f} + {1000 * b:.3f} µs·T, "
                       f"R² = {r2:.4f}; ms/T varies by a factor {spread:.2f} across T "
                       f"(linear if R² ≥ 0.99 and factor ≤ 1.5): **{'linear' if linear else 'NOT linear'}**.")
        out.append("")
    return out


def tape_section(rows):
    """The tape micro-benchmark's section."""
    out = []
    tape = [r for r in rows if r["framework"] == "elman_tape"]
    if tape:
        out.append("### Tape micro-benchmark (record + backward of N adds of [1]-shaped Vars)\n")
        out.append("| N ops | record ns/op | backward ns/op | total ns/op (median) | total ns/op (min) |")
        out.append("|---|---|---|---|---|")
        out.append(f"| {tape[0]['ops']} | {statistics.median(r['record_ns_per_op'] for r in tape):.0f} | "
                   f"{statistics.median(r['backward_ns_per_op'] for r in tape):.0f} | "
                   f"{statistics.median(r['total_ns_per_op'] for r in tape):.0f} | "
                   f"{min(r['min_total_ns_per_op'] for r in tape):.0f} |")
        out.append("")
    return out


def gemv_section(rows):
    """The one-row product kernel against sgemv (gemv_bench)."""
    out = []
    gemv = [r for r in rows if r["framework"] == "row_gemv"]
    if gemv:
        used = next((r["path"] for r in gemv if r.get("used")), "?")
        out.append("### One-row product: elman's kernel against sgemv (core/row_gemv.hpp)\n")
        out.append(f"c[n] = aᵀ·B[k,n], one thread, the two interleaved ({gemv[0]['reps']} "
                   "repetitions of 2000 calls, median ns per call). Each path of the kernel this "
                   "CPU runs, against the OpenBLAS kernels named; row_gemv takes "
                   f"{used} here. \"gemm uses it\" applies core/blas.cpp's rule for that path "
                   "(own_row_gemv), which a CPU of the path's class follows.\n")
        out.append("| path | sgemv kernels | k × n | sgemv ns | row_gemv ns | row_gemv/sgemv | "
                   "gemm uses it |")
        out.append("|---|---|---|---|---|---|---|")
        for r in gemv:
            out.append(f"| {r['path']} | {r['blas']} | {r['k']} × {r['n']} | {r['sgemv_ns']:.1f} | "
                       f"{r['row_gemv_ns']:.1f} | {r['ratio']:.2f} | "
                       f"{'yes' if own_row_gemv(r['path'], r['k'], r['n']) else 'no'} |")
        out.append("")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--meta")
    a = ap.parse_args()
    rows = load(a.raw)

    runs = defaultdict(list)
    gated = defaultdict(list)  # the other cells (issue 16), by (cell, workload, framework)
    for r in rows:
        if r["framework"] in ("elman_tape", "row_gemv"):
            continue
        if r.get("cell", "simple") != "simple":
            gated[(r["cell"], r["workload"], r["framework"])].append(r)
            continue
        runs[(r["workload"], r["threads"], r["framework"])].append(r)

    def agg(key, table=runs):
        rs = table.get(key)
        if not rs:
            return None
        return {"median": statistics.median(r["median_ms"] for r in rs),
                "min": min(r["min_ms"] for r in rs), "max": max(r["max_ms"] for r in rs),
                "rss": max(r["peak_rss_mb"] for r in rs), "n": len(rs),
                "steps": sum(r["steps"] for r in rs)}

    out = []
    if a.meta:
        with open(a.meta) as f:
            out.append(f.read().rstrip() + "\n")

    out.append("### Training step (workloads of ANCHORS.md) and batch-1 inference\n")
    out.append("ms per step: median over repetitions of each run's median [min–max over all "
               "timed steps]. Ratios are medians divided (peer/elman > 1: elman faster).\n")
    out.append("| workload (B, T, F, H) | threads | elman fused | elman composed | reference | "
               "reference, libm tanh | PyTorch | LibTorch | PyTorch/elman | LibTorch/elman | "
               "elman/reference | elman/reference libm | "
               "peak RSS MB (elman / ref / PyTorch / LibTorch) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    med = {}
    for wl, shape in WORKLOADS:
        for th in (1, 2):
            if not any(runs.get((wl, th, fw)) for fw in FRAMEWORKS):
                continue
            cells, rss = [], []
            for fw in FRAMEWORKS:
                s = agg((wl, th, fw))
                med[(wl, th, fw)] = s
                cells.append("–" if s is None else
                             f"{fmt_ms(s['median'])} [{fmt_ms(s['min'])}–{fmt_ms(s['max'])}]")
            for fw in ("elman_fused", "reference", "pytorch", "libtorch"):
                s = med[(wl, th, fw)]
                rss.append("–" if s is None else f"{s['rss']:.0f}")

            def ratio(n, d):
                sn, sd = med[(wl, th, n)], med[(wl, th, d)]
                return "–" if not sn or not sd else f"{sn['median'] / sd['median']:.2f}"
            out.append(f"| {wl} ({shape}) | {th} | " + " | ".join(cells) + " | " +
                       f"{ratio('pytorch', 'elman_fused')} | {ratio('libtorch', 'elman_fused')} | "
                       f"{ratio('elman_fused', 'reference')} | "
                       f"{ratio('elman_fused', 'reference_libm')} | " + " / ".join(rss) + " |")
    out.append("")

    out.extend(inherited_section(agg))
    out.extend(variants_section(agg))
    out.extend(issue6_targets(med))
    out.extend(ceiling_section(WORKLOADS, rows, agg))
    out.extend(gated_cells(gated, lambda key: agg(key, gated)))

    out.extend(sweep_section(rows))
    out.extend(tape_section(rows))
    out.extend(gemv_section(rows))
    print("\n".join(out))


if __name__ == "__main__":
    main()
