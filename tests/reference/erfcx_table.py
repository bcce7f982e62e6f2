#!/usr/bin/env python3
"""Coefficients of ccplan's erfcx (src/pricing/erfcx.rs), derived with mpmath at 50 digits:
truncated Chebyshev expansions of erfcx(4(1-y)/y) on y in [i/16, (i+1)/16], i = 4..15
(degree 11 by default, converted to monomials in t = 32y - (2i+1)), and of z*sqrt(pi)*erfcx(z) as a
polynomial in w = 1/z^2 on [0, 1/144] (degree 8). Prints the Rust constants and the largest
dropped Chebyshev coefficient (relative) of each piece."""
import mpmath as mp
mp.mp.dps = 50
def erfcx(x): return mp.exp(x*x)*mp.erfc(x)
def cheb_coeffs(f, lo, hi, n):
    N = n+1
    nodes = [mp.cos(mp.pi*(k+mp.mpf(1)/2)/N) for k in range(N)]
    vals = [f(lo + (hi-lo)*(t+1)/2) for t in nodes]
    c = []
    for j in range(N):
        s = sum(vals[k]*mp.cos(mp.pi*j*(k+mp.mpf(1)/2)/N) for k in range(N))
        c.append(2*s/N)
    c[0] /= 2
    return c
def cheb_to_mono(c):
    # returns monomial coefficients of sum c_k T_k(t)
    n = len(c)
    T = [[mp.mpf(1)] + [mp.mpf(0)]*(n-1), [mp.mpf(0), mp.mpf(1)] + [mp.mpf(0)]*(n-2)]
    for k in range(2, n):
        nxt = [mp.mpf(0)]*n
        for i in range(n-1):
            nxt[i+1] += 2*T[k-1][i]
        for i in range(n):
            nxt[i] -= T[k-2][i]
        T.append(nxt)
    m = [mp.mpf(0)]*n
    for k in range(n):
        for i in range(n):
            m[i] += c[k]*T[k][i]
    return m
import sys
DEG = int(sys.argv[1]) if len(sys.argv) > 1 else 11
f = lambda y: erfcx(4*(1-y)/y)
rows = []
for i in range(4, 16):
    lo = mp.mpf(i)/16; hi = mp.mpf(i+1)/16
    c = cheb_coeffs(f, lo, hi, 18)
    tail = max(abs(cc) for cc in c[DEG+1:]) / f(hi)
    m = cheb_to_mono(c[:DEG+1])
    rows.append((m, tail))
print("// y-intervals [i/16,(i+1)/16], i = 4..15; local t = 32*(y - (i+1/2)/16); monomial in t, ascending")
print("const ERFCX_Y: [[f64; %d]; 12] = [" % (DEG+1))
for m, tail in rows:
    print("    [" + ", ".join(mp.nstr(v, 20, min_fixed=1, max_fixed=0) for v in m) + "],  // truncation %.1e" % float(tail))
print("];")
g = lambda w: (mp.sqrt(mp.pi)/mp.sqrt(w)*erfcx(1/mp.sqrt(w))) if w > 0 else mp.mpf(1)
X = 12
W = mp.mpf(1)/X**2
c = cheb_coeffs(g, mp.mpf(0), W, 20)
DW = 8
m = cheb_to_mono(c[:DW+1])
# m is in t in [-1,1], t = 2w/W - 1: convert to monomials in w via expanding
# p(w) = sum m_i (2w/W - 1)^i
n = DW+1
mw = [mp.mpf(0)]*n
for i in range(n):
    for j in range(i+1):
        mw[j] += m[i]*mp.binomial(i, j)*(2/W)**j*(-1)**(i-j)
print("// x >= 12: x*sqrt(pi)*erfcx(x) = P(1/x^2), truncation %.1e" % float(max(abs(cc) for cc in c[DW+1:])))
print("const ERFCX_W: [f64; %d] = [" % n + ", ".join(mp.nstr(v, 20, min_fixed=1, max_fixed=0) for v in mw) + "];")
