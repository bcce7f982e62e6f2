#!/usr/bin/env python3
"""Fits for the implied-volatility solver's branch ends (src/pricing/implied/fits.rs),
derived here with mpmath at 60 digits.

For x = -y^2 <= 0 the solver splits s -> b0(x, s) at s_c = sqrt(2|x|) and at the points s_l,
s_u where the tangent at s_c meets 0 and b_max = e^{x/2}. The time values there, scaled by
b_max,
    L(y) = b0(x, s_l)/b_max * (1 + y^2)/y^2,   U(y) = b0(x, s_u)/b_max,
the value at the inflection point C(y) = b0(x, s_c)/b_max * (1 + y)/y, and, for the
lowest branch's guess, the ratio M(y) = Phi(z_l)/phi(z_l) at
z_l = -|x|/(sqrt(3) s_l) and that point itself as Z(y) = z_l/(1 + y), and the vegas at s_l and s_u relative to b_max/sqrt(2 pi),
VL(y) and VU(y), are smooth on y in [0, 9] (|x| <= 81); all are fitted as polynomials in t in [-1, 1], where
w = 1/(1 + y) = W_MID + W_HALF*t, by mpmath's Chebyshev fit. Prints the Rust constants and the
largest relative error of each fit on a dense check grid."""
import mpmath as mp

mp.mp.dps = 60
W_LO = mp.mpf(1) / 10
W_MID = (1 + W_LO) / 2
W_HALF = (1 - W_LO) / 2
# Degree 8 gives the end values to a few parts in 1e6, far below what an initial guess needs;
# the ratio M is steep as y -> 0 and keeps degree 12.
DEG, DEG_M = 8, 12


def ends(y):
    ax = y * y
    x = -ax
    sc = mp.sqrt(2 * ax)
    # b_c/b_max = (1 - erfcx(y))/2, v_c/b_max = 1/sqrt(2 pi)
    bc = (1 - mp.exp(ax) * mp.erfc(y)) / 2
    k = mp.sqrt(2 * mp.pi)
    sl = sc - bc * k
    su = sc + (1 - bc) * k

    def r(s):  # b0(x, s)/b_max
        h = x / s
        t = s / 2
        return mp.ncdf(h + t) - mp.exp(-x) * mp.ncdf(h - t)

    return r(sl), r(su), sl


def y_of(t):
    w = W_MID + W_HALF * t
    return max((1 - w) / w, mp.mpf(10) ** -6)


def fl(t):
    y = y_of(t)
    return ends(y)[0] * (1 + y * y) / (y * y)


def fu(t):
    return ends(y_of(t))[1]


def fc(t):
    y = y_of(t)
    return (1 - mp.exp(y * y) * mp.erfc(y)) / 2 * (1 + y) / y


def fm(t):
    y = y_of(t)
    sl = ends(y)[2]
    z = -y * y / (mp.sqrt(3) * sl)
    return mp.ncdf(z) / mp.npdf(z)


def end_vega_ratio(y, upper):
    """exp(-d1^2/2) at s_l (or s_u), d1 = x/s + s/2: the vega there is b_max times this over
    sqrt(2 pi); bounded (d1 stays within about -1.5..1.3) and smooth in y."""
    ax = y * y
    sc = mp.sqrt(2 * ax)
    bc = (1 - mp.exp(ax) * mp.erfc(y)) / 2
    k = mp.sqrt(2 * mp.pi)
    s = sc + (1 - bc) * k if upper else sc - bc * k
    d1 = -ax / s + s / 2
    return mp.exp(-d1 * d1 / 2)


def fz(t):
    """z_l/(1 + y) = z_l*w: z_l tends to a constant as y -> 0 and grows like y, so this is
    smooth in w over the whole range."""
    y = y_of(t)
    sl = ends(y)[2]
    return -y * y / (mp.sqrt(3) * sl) / (1 + y)


def fvl(t):
    return end_vega_ratio(y_of(t), False)


def fvu(t):
    return end_vega_ratio(y_of(t), True)


def main():
    for name, f, deg in [("BRANCH_L", fl, DEG), ("BRANCH_U", fu, DEG), ("BRANCH_M", fm, DEG_M), ("BRANCH_C", fc, DEG), ("BRANCH_VL", fvl, DEG), ("BRANCH_VU", fvu, DEG), ("BRANCH_Z", fz, DEG)]:
        p = mp.chebyfit(f, [-1, 1], deg + 1)
        # p is highest degree first
        worst = mp.mpf(0)
        for i in range(401):
            t = -1 + mp.mpf(2) * i / 400
            v = f(t)
            worst = max(worst, abs(mp.polyval(p, t) / v - 1))
        print(f"// max relative error {mp.nstr(worst, 3)}")
        print(f"const {name}: [f64; {deg + 1}] = [")
        for c in reversed(p):
            print(f"    {float(c)!r},")
        print("];")


if __name__ == "__main__":
    main()
