"""The report's section on issue 17: elman against the sgemm ceiling, and its targets.

The ceiling (bench/sgemm_ceiling.hpp, `elman_bench --ceiling`) is OpenBLAS's cblas_sgemm alone
doing the products of one training step (or batch-1 forward) at the step's shapes, timed by the
same run with the same kernels and threads. FLOPs per step are analytic: F_fwd = 2·T·B·F·H +
2·T·B·H², training 3·F_fwd, inference F_fwd. elman's GFLOP/s = FLOPs / its median time; the
ceiling's = FLOPs / the ceiling's time; the percentage is their ratio.
"""

# Issue 17's targets: percentage of the ceiling (1 thread), 2-thread speed-ups, batch-1 latency.
CEILING_TARGETS = {"W1": 60, "W2": 80, "W3": 90, "W4": 60}
TWO_THREAD_TARGETS = {"W2": 1.3, "W3": 1.6}
INFERENCE_TARGET_US = 5.0


def forward_flops(r):
    """2·T·B·F·H + 2·T·B·H², the forward GEMMs of a SimpleRNN step (row r gives B, T, F, H)."""
    return 2 * r["T"] * r["B"] * r["H"] * (r["F"] + r["H"])


def ceiling_section(workloads, rows, agg):
    """Markdown lines: the ceiling table and issue 17's targets, or [] when the run has no
    sgemm_ceiling rows. `agg((workload, threads, framework))` is aggregate.py's summary."""
    shapes = {(r["workload"], r["threads"]): r for r in rows if r["framework"] == "sgemm_ceiling"}
    if not shapes:
        return []
    blas = next(iter(shapes.values())).get("blas", "?")
    out = ["### elman against the sgemm ceiling (issue 17)\n",
           f"The ceiling: cblas_sgemm ({blas}) alone doing the products of one step at the "
           "step's shapes, each product timed back to back on the same operands "
           "(bench/sgemm_ceiling.hpp), in this run with the same threads. FLOPs: 3·F_fwd "
           "(training) or F_fwd (inference), F_fwd = 2·T·B·F·H + 2·T·B·H². With 2 threads the "
           "ceiling is OpenBLAS sharing each product between them, which elman's own split of "
           "the batch's rows (core/parallel.hpp) can pass: over 100% there means that.\n",
           "| workload | threads | MFLOP per step | sgemm ceiling ms | ceiling GFLOP/s | "
           "elman fused ms | elman GFLOP/s | % of ceiling |",
           "|---|---|---|---|---|---|---|---|"]
    percent = {}
    for wl, _ in workloads:
        for th in (1, 2):
            c, e = agg((wl, th, "sgemm_ceiling")), agg((wl, th, "elman_fused"))
            if not c or not e:
                continue
            r = shapes[(wl, th)]
            flops = forward_flops(r) * (1 if r["mode"] == "infer" else 3)
            pct = 100 * c["median"] / e["median"]
            percent[(wl, th)] = pct
            out.append(f"| {wl} | {th} | {flops / 1e6:.2f} | {c['median']:.4f} | "
                       f"{flops / c['median'] / 1e6:.0f} | {e['median']:.4f} | "
                       f"{flops / e['median'] / 1e6:.0f} | {pct:.0f}% |")
    out += ["", "Issue 17's targets in this run:\n", "| target | measured | met |", "|---|---|---|"]
    for wl, floor in CEILING_TARGETS.items():
        if (wl, 1) in percent:
            p = percent[(wl, 1)]
            out.append(f"| {wl}: ≥ {floor}% of the sgemm ceiling (1 thread) | {p:.0f}% | "
                       f"{'yes' if p >= floor else 'no'} |")
    for wl, floor in TWO_THREAD_TARGETS.items():
        e1, e2 = agg((wl, 1, "elman_fused")), agg((wl, 2, "elman_fused"))
        if e1 and e2:
            s = e1["median"] / e2["median"]
            out.append(f"| {wl}: 2 threads ≥ {floor}x faster than 1 | {s:.2f}x | "
                       f"{'yes' if s >= floor else 'no'} |")
    inf = agg(("inference", 1, "elman_fused"))
    if inf:
        us = 1000 * inf["median"]
        out.append(f"| batch-1 inference (1, 50, 1, 64) ≤ {INFERENCE_TARGET_US:g} µs per sequence "
                   f"| {us:.2f} µs | {'yes' if us <= INFERENCE_TARGET_US else 'no'} |")
    out.append("")
    return out
