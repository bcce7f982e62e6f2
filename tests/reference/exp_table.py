#!/usr/bin/env python3
"""Constants of ccplan's inline exponential (src/pricing/exp.rs), with mpmath at 50 digits:
2^(j/32) for j = 0..31 as head (nearest double) plus tail, and ln2/32 split into a head with
36 significant bits (so that k*head is exact for |k| < 2^17) and a tail."""
import math
import mpmath as mp
mp.mp.dps = 50
heads, tails = [], []
for j in range(32):
    t = mp.power(2, mp.mpf(j) / 32)
    h = float(t)
    heads.append(h)
    tails.append(float(t - mp.mpf(h)))
c = mp.log(2) / 32
m, e = math.frexp(float(c))
hi = math.ldexp(math.floor(m * 2**36) / 2**36, e)
print("LN2_32_HI =", repr(hi), " LN2_32_LO =", repr(float(c - mp.mpf(hi))))
print("INV_LN2_32 =", repr(float(32 / mp.log(2))))
print("TABLE_HI =", [repr(x) for x in heads])
print("TABLE_LO =", [repr(x) for x in tails])
