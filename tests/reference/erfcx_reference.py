#!/usr/bin/env python3
"""erfcx(z) = exp(z^2) erfc(z) at 40 digits (mpmath) over the whole domain of ccplan's erfcx:
z in [-26, 0) and [0, 12] densely (plus every interval end of the y = 4/(4+z) table),
and z > 12 log-spaced up to 1e300 (the asymptotic series beyond 1e6). Writes erfcx_reference.csv (z, erfcx(z))."""
import math
import random
import mpmath as mp

mp.mp.dps = 40
random.seed(20261126)
zs = set()
for k in range(2001):
    zs.add(-26.0 + 26.0 * k / 2000)
for k in range(2401):
    zs.add(12.0 * k / 2400)
for i in range(4, 17):
    y = i / 16
    z = 4 * (1 - y) / y
    for d in (-1e-12, 0.0, 1e-12):
        if z + d >= 0:
            zs.add(z + d)
for _ in range(1000):
    zs.add(random.uniform(-26.0, 12.0))
for k in range(601):
    zs.add(12.0 * 10 ** (k * math.log10(1e300 / 12.0) / 600))
with open("erfcx_reference.csv", "w") as f:
    f.write("z,erfcx\n")
    for z in sorted(zs):
        x = mp.mpf(z)
        if z > 1e6:
            # Asymptotic series; the next term is below 1e-48 relative.
            v = (1 - 1 / (2 * x**2) + 3 / (4 * x**4) - 15 / (8 * x**6)) / (x * mp.sqrt(mp.pi))
        else:
            v = mp.exp(x**2) * mp.erfc(x)
        f.write("%r,%s\n" % (z, mp.nstr(v, 20)))
