#!/usr/bin/python3
"""The PyTorch peer (Debian python3-torch 1.13): the same model and step as elman_bench.

torch.nn.RNN(F, H, tanh, batch_first=True) -> nn.Linear(H, 1), MSE, torch.optim.Adam(1e-3);
bias_hh frozen at zero (Keras' SimpleRNN has one bias). torch.set_num_threads(k); OpenBLAS
threads come from OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (bench/run.sh sets them).
--cell lstm: torch.nn.LSTM(F, H, batch_first=True) instead, bias_hh frozen at zero too (Keras'
LSTM has one bias: 4H(F + H + 1) parameters on both sides). --cell gru: torch.nn.GRU(F, H,
batch_first=True) with both biases trained (Keras' GRU with reset_after has both: 3H(F + H + 2)).

    /usr/bin/python3 bench/torch_bench.py --workload W1 --threads 1 [--cell lstm|gru]

Prints one JSON line with the same fields as the C++ programs (bench/bench_common.hpp).
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch

WORKLOADS = {
    "W1": (32, 12, 1, 32, False),
    "W2": (64, 50, 1, 64, False),
    "W3": (128, 100, 8, 128, False),
    "W4": (16, 500, 1, 32, False),
    "inference": (1, 50, 1, 64, True),
}

# The recurrent layer of each --cell (elman's layers/cells.hpp names), and the cells whose Keras
# layer has one bias where torch has two (bias_hh is then frozen at zero).
CELLS = {
    "simple": lambda f, h: torch.nn.RNN(f, h, nonlinearity="tanh", batch_first=True),
    "lstm": lambda f, h: torch.nn.LSTM(f, h, batch_first=True),
    "gru": lambda f, h: torch.nn.GRU(f, h, batch_first=True),
}
ONE_BIAS = {"simple", "lstm"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", default="W1")
    ap.add_argument("--shape", help="B,T,F,H")
    ap.add_argument("--infer", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup-s", type=float, default=0.3)
    ap.add_argument("--min-steps", type=int, default=200)
    ap.add_argument("--min-time", type=float, default=2.0)
    ap.add_argument("--max-time", type=float, default=6.0)
    ap.add_argument("--cell", default="simple", choices=sorted(CELLS))
    a = ap.parse_args()
    if a.shape:
        B, T, F, H = (int(v) for v in a.shape.split(","))
        name, infer = f"B{B}_T{T}_F{F}_H{H}", a.infer
    else:
        B, T, F, H, infer = WORKLOADS[a.workload]
        name = a.workload
    infer = infer or a.infer

    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    # Same distribution as bench_common.hpp's make_batch (not the same numbers).
    g = torch.Generator().manual_seed(42)
    x = torch.rand(B, T, F, generator=g) * 2 - 1
    y = 0.5 * x[:, :, 0].mean(dim=1, keepdim=True) + (torch.rand(B, 1, generator=g) - 0.5) * 0.1

    rnn = CELLS[a.cell](F, H)
    lin = torch.nn.Linear(H, 1)
    if a.cell in ONE_BIAS:
        with torch.no_grad():
            rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0.requires_grad_(False)
    params = [p for p in rnn.parameters() if p.requires_grad] + list(lin.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    state = {"loss": 0.0}

    def last_h():
        _, state = rnn(x)
        return (state[0] if isinstance(state, tuple) else state)[0]  # h_n [1,B,H] -> [B,H]

    def train_step():
        opt.zero_grad()
        loss = loss_fn(lin(last_h()), y)
        loss.backward()
        opt.step()
        state["loss"] = loss.item()

    def infer_step():
        with torch.no_grad():
            state["loss"] = lin(last_h()).item()

    step = infer_step if infer else train_step
    t0 = time.perf_counter()
    i = 0
    while i < 5 or time.perf_counter() - t0 < a.warmup_s:
        step()
        i += 1
    ms = []
    start = time.perf_counter()
    while True:
        s = time.perf_counter()
        step()
        e = time.perf_counter()
        ms.append((e - s) * 1e3)
        el = e - start
        if len(ms) >= a.min_steps and el >= a.min_time:
            break
        if len(ms) >= 20 and el >= a.max_time:
            break
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "framework": "pytorch", "cell": a.cell, "workload": name, "B": B, "T": T, "F": F, "H": H,
        "mode": "infer" if infer else "train", "threads": a.threads, "steps": len(ms),
        "median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms),
        "peak_rss_mb": round(rss_mb, 2), "loss": state["loss"],
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
