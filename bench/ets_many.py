#!/usr/bin/python3
"""statsmodels' ETS (ETSModel, additive error, additive damped trend, additive season when the
series has two full seasons) on the series of a long file, as the classical tool a user of
bench/many_series.sh would otherwise pick: series per second, and the MASE of its forecast of each
series' test part (the n_train/n_test split elman's summary.csv gives, from one origin, horizon
n_test) against the same split for elman's multi-step figure.
Usage: /usr/bin/python3 bench/ets_many.py LONG.csv ELMAN_OUT/summary.csv"""
import csv
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel


def mase(actual, forecast, train, m):
    d = np.mean(np.abs(train[m:] - train[:-m])) if len(train) > m else float("nan")
    return float(np.mean(np.abs(actual - forecast)) / d) if d > 0 else float("nan")


def main():
    series = {}
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            series.setdefault(row["unique_id"], []).append(float(row["y"]))
    split = {}
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f):
            if row["status"] == "ok":
                split[row["id"]] = (int(row["n_train"]), int(row["n_test"]), row["multi_step_mase_elman"])
    warnings.simplefilter("ignore")
    scores, elman_scores, t0 = [], [], time.perf_counter()
    for sid, (n_train, n_test, elman_mase) in split.items():
        y = np.array(series[sid])
        train, test = y[:n_train], y[n_train:n_train + n_test]
        seasonal = "add" if n_train >= 24 else None
        fit = ETSModel(train, error="add", trend="add", damped_trend=True, seasonal=seasonal,
                       seasonal_periods=12 if seasonal else None).fit(disp=False)
        scores.append(mase(test, fit.forecast(n_test), train, 12))
        elman_scores.append(float(elman_mase) if elman_mase else float("nan"))
    secs = time.perf_counter() - t0
    print(f"ETS: {len(split)} series in {secs:.1f} s = {len(split) / secs:.2f} series/s; "
          f"MASE (one origin, horizon n_test) mean {np.nanmean(scores):.3f} median {np.nanmedian(scores):.3f}")


if __name__ == "__main__":
    main()
