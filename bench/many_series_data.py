#!/usr/bin/python3
"""Writes N synthetic monthly series of 100-300 values in long format (unique_id, ds, y), the input
of bench/many_series.sh. Each series: level * (1 + trend) * seasonal factor * noise, with a random
level, trend, seasonal amplitude and phase, as M4's monthly series are shaped (positive, most
with a season). Deterministic (seed 2026).
Usage: /usr/bin/python3 bench/many_series_data.py N OUT.csv"""
import math
import random
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(2026)
    with open(out, "w") as f:
        f.write("unique_id,ds,y\n")
        for i in range(n):
            length = rnd.randint(100, 300)
            level = math.exp(rnd.uniform(3, 9))
            trend = rnd.uniform(-0.002, 0.006)
            amp = rnd.choice([0.0, rnd.uniform(0.05, 0.3)])
            phase = rnd.uniform(0, 2 * math.pi)
            noise = rnd.uniform(0.01, 0.08)
            y0 = 1990 + rnd.randint(0, 10)
            ar = 0.0
            for t in range(length):
                ar = 0.6 * ar + rnd.gauss(0, noise)
                v = level * (1 + trend * t) * (1 + amp * math.sin(2 * math.pi * t / 12 + phase)) * math.exp(ar)
                f.write(f"M{i:04d},{y0 + t // 12}-{t % 12 + 1:02d},{v:.4f}\n")


if __name__ == "__main__":
    main()
