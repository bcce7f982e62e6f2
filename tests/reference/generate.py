#!/usr/bin/env python3
"""Independent high-precision reference values for ccplan's Black kernel.

Writes, beside this script:

* ``black_reference.csv`` -- ``x,s,tv``: the normalised out-of-the-money time value
  b0(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2) for x <= 0 (the out-of-the-money
  call, Jaeckel's normalisation by sqrt(F K)), evaluated with mpmath at 80 significant digits
  *from the textbook formula* (no reductions, no series: the working precision absorbs the
  cancellation, which never exceeds 30 digits on this grid), for the exact binary64 values of
  x and s as printed.
* ``usd_reference.csv`` -- ``right,forward,strike,s,price``: undiscounted Black prices in USD
  for exact binary64 forwards, strikes and total volatilities, with ln(F/K) taken in 80-digit
  arithmetic.

Prices below 1e-300 (relative to sqrt(F K)) are left out: they are subnormal or zero in
binary64 and carry no relative accuracy.

Run: ``python3 tests/reference/generate.py`` (needs mpmath; deterministic, seed fixed).
"""
import os
import random

import mpmath as mp

mp.mp.dps = 80
HERE = os.path.dirname(os.path.abspath(__file__))


def tv(x, s):
    x = mp.mpf(x)
    s = mp.mpf(s)
    h = x / s
    t = s / 2
    return mp.exp(x / 2) * mp.ncdf(h + t) - mp.exp(-x / 2) * mp.ncdf(h - t)


def black_usd(right, f, k, s):
    f = mp.mpf(f)
    k = mp.mpf(k)
    s = mp.mpf(s)
    x = mp.log(f / k)
    d1 = x / s + s / 2
    d2 = d1 - s
    th = 1 if right == "call" else -1
    return th * (f * mp.ncdf(th * d1) - k * mp.ncdf(th * d2))


def fmt(v):
    return mp.nstr(v, 20, min_fixed=0, max_fixed=0, strip_zeros=False)


def main():
    rnd = random.Random(20261126)
    xs = [0.0, -1e-12, -1e-8, -1e-5, -1e-3, -0.01, -0.05, -0.1, -0.25, -0.5, -0.75, -1.0,
          -1.5, -2.0, -2.5, -3.0, -4.0, -5.0, -6.0, -8.0]
    ss = [10 ** (e / 8.0) for e in range(-40, 13)] + [0.21, 0.5, 0.85, 1.41, 2.0, 3.0, 5.0,
                                                       10.0, 20.0, 40.0]
    rows = []
    for x in xs:
        for s in ss:
            rows.append((x, s))
    for _ in range(1500):
        x = -rnd.uniform(0.0, 6.0) ** 1.0
        s = 10 ** rnd.uniform(-4.0, 0.8)
        rows.append((x, s))
    # Points straddling the kernel's internal region boundaries (a = -x/(s*sqrt2), tau = s/(2*sqrt2)).
    sq2 = 2 ** 0.5
    for a in [0.5, 1.0, 1.9, 2.0, 2.1, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0]:
        for tau in [0.01, 0.1, 0.3, 0.49, 0.5, 0.51, 1.0, 2.0, 5.0]:
            for fac in [0.999, 1.0, 1.001]:
                s = tau * 2 * sq2 * fac
                x = -a * s * sq2
                rows.append((x, s))
    # ... and across the series' sub-regions in kappa = a/tau at fixed a.
    for a in [0.8, 0.9, 1.1, 1.6, 2.2, 2.4, 2.75, 2.9, 3.1, 3.2, 3.6, 4.5, 8.0, 15.0, 25.0]:
        for kappa in [4.01, 5.0, 6.0, 8.0, 9.9, 10.1, 12.0, 20.0, 100.0, 1e4]:
            tau = a / kappa
            s = tau * 2 * sq2
            x = -a * s * sq2
            rows.append((x, s))
    out = []
    for x, s in rows:
        v = tv(x, s)
        if v < mp.mpf("1e-300"):
            continue
        out.append(f"{x!r},{s!r},{fmt(v)}")
    with open(os.path.join(HERE, "black_reference.csv"), "w") as fh:
        fh.write("x,s,tv\n")
        fh.write("\n".join(out) + "\n")

    usd = []
    for _ in range(600):
        f = round(10 ** rnd.uniform(0.0, 3.5), 2)
        x = rnd.uniform(-5.0, 5.0)
        k = round(f * float(mp.exp(-x)), 3)
        if k <= 0:
            continue
        s = 10 ** rnd.uniform(-3.0, 0.7)
        right = rnd.choice(["call", "put"])
        p = black_usd(right, f, k, s)
        intrinsic = max(0.0, (f - k) if right == "call" else (k - f))
        if p - intrinsic < mp.mpf("1e-290") * f:
            continue
        usd.append(f"{right},{f!r},{k!r},{s!r},{fmt(p)}")
    with open(os.path.join(HERE, "usd_reference.csv"), "w") as fh:
        fh.write("right,forward,strike,s,price\n")
        fh.write("\n".join(usd) + "\n")
    print(len(out), "normalised rows,", len(usd), "USD rows")


if __name__ == "__main__":
    main()
