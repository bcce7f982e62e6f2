"""What `ccplan suggest NVDA --source file:CHAIN` does, written the usual Python way (pandas +
py_vollib), for the end-to-end comparison in issue #17.

    python3 benches/compare/suggest_pandas.py CHAIN.json [RUNS]

CHAIN is a CBOE `options/{SYM}.json` answer (write the synthetic one with
`cargo run --release --example cboe_chain -- CHAIN.json`). Only the work is timed (imports and
interpreter start-up are not): read and parse the JSON, decode the OCC symbols, time to 16:00
New York on each expiry, a put-call-parity forward per expiry, the mid's implied volatility
for every call (py_vollib's Black model on the forward, as ccplan solves), delta and N(d2),
ccplan's default filters (7 to 60 days, a bid, bid not below intrinsic), its balanced score
(annualized yield + cushion − 0.5·N(d2) − ((Δ − 0.25)/0.10)²) and the top 5.
"""

import json
import math
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from py_vollib.black import implied_volatility as black_iv  # noqa: E402
from scipy.stats import norm  # noqa: E402

NY_WINTER = timezone(timedelta(hours=-5))  # the chain is from November (EST)


def run(path):
    with open(path) as f:
        doc = json.load(f)
    data = doc["data"]
    spot = float(data["current_price"])
    as_of = datetime.strptime(doc["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    df = pd.DataFrame(data["options"])
    occ = df["option"].str.extract(r"^([A-Z]+)(\d{6})([CP])(\d{8})$")
    df["expiry"] = pd.to_datetime(occ[1], format="%y%m%d")
    df["right"] = occ[2]
    df["strike"] = occ[3].astype(float) / 1000.0
    df["mid"] = np.where((df.bid > 0) & (df.ask > 0), (df.bid + df.ask) / 2.0, np.nan)
    expiry_close = df["expiry"].dt.tz_localize(NY_WINTER) + pd.Timedelta(hours=16)
    df["t"] = (expiry_close - as_of).dt.total_seconds() / (365.0 * 86400.0)
    df["dte"] = (df["expiry"].dt.date - as_of.astimezone(NY_WINTER).date()).apply(lambda d: d.days)

    # Parity forward per expiry: median of K + (C − P) / D over the strikes near the money.
    calls = df[df.right == "C"].set_index(["expiry", "strike"])
    puts = df[df.right == "P"].set_index(["expiry", "strike"])
    pair = calls[["mid", "t"]].join(puts[["mid"]], rsuffix="_put").dropna().reset_index()
    pair["disc"] = np.exp(-0.04 * pair["t"])
    pair["fwd"] = pair["strike"] + (pair["mid"] - pair["mid_put"]) / pair["disc"]
    near = pair[(pair.strike / spot - 1.0).abs() < 0.1]
    fwd = near.groupby("expiry")["fwd"].median()

    c = df[(df.right == "C") & (df.dte >= 7) & (df.dte <= 60)].copy()
    c["forward"] = c["expiry"].map(fwd)
    c["disc"] = np.exp(-0.04 * c["t"])

    def iv(row):
        if not (row.mid > 0):
            return np.nan
        try:
            return black_iv.implied_volatility(
                row.mid, row.forward, row.strike, 0.04, row.t, "c"
            )
        except Exception:
            return np.nan

    c["iv"] = c.apply(iv, axis=1)
    sd = c["iv"] * np.sqrt(c["t"])
    d1 = (np.log(c["forward"] / c["strike"]) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    c["delta"] = c["disc"] * c["forward"] / spot * norm.cdf(d1)
    c["n_d2"] = norm.cdf(d2)

    ok = (c.bid > 0) & (c.bid >= (spot - c.strike).clip(lower=0)) & c.iv.notna()
    c = c[ok].copy()
    extrinsic = c.bid - (spot - c.strike).clip(lower=0)
    c["ann_yield"] = extrinsic / spot * 365.0 / c["dte"].clip(lower=1)
    c["cushion"] = c.bid / spot
    c["score"] = (
        c["ann_yield"] + c["cushion"] - 0.5 * c["n_d2"] - ((c["delta"] - 0.25) / 0.10) ** 2
    )
    return c.sort_values(["score", "expiry", "strike"], ascending=[False, True, True]).head(5)


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        top = run(path)
        times.append(time.perf_counter() - t0)
    print(top[["option", "bid", "iv", "delta", "n_d2", "score"]].to_string(index=False))
    times.sort()
    print(
        f"work per run over {runs} runs: min {times[0] * 1e3:.1f} ms, "
        f"median {times[len(times) // 2] * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
