#!/usr/bin/env python3
"""Reference values of erfcx(a - tau) - erfcx(a + tau) (mpmath, 60 digits) for
tests/implied_vol.rs: a at every interval end of ccplan's erfcx (z = 64/k - 4, k = 4..16) and
just beside it, and spread over [0, 40]; tau from 1e-12*a up to a. Writes
erfcx_difference_reference.csv (a, tau, difference)."""
import mpmath as mp
mp.mp.dps = 60
def erfcx(z): return mp.exp(z*z)*mp.erfc(z)
avals = []
for k in range(4, 17):
    zb = 64.0/k - 4.0
    for d in (0.0, 1e-9, -1e-9, 1e-4, -1e-4, 0.01, -0.01):
        if zb + d > 0: avals.append(zb + d)
avals += [0.05*1.13**i for i in range(56)]
fracs = [1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.0]
with open("erfcx_difference_reference.csv", "w") as f:
    f.write("a,tau,difference\n")
    for a in avals:
        for fr in fracs:
            tau = a*fr
            if tau <= 0: continue
            A, T = mp.mpf(a), mp.mpf(tau)
            d = erfcx(A - T) - erfcx(A + T)
            f.write("%r,%r,%s\n" % (a, tau, mp.nstr(d, 25)))
