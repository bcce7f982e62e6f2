#!/usr/bin/env python3
"""Anchor table for ccplan's Black kernel: g_k(a) = exp(a^2) * i^k erfc(a), k = 0..17, at
a = 0.75, 1.00, ..., 3.00 (step 0.25), computed with mpmath at 60 digits from the closed form
i^k erfc(a) (Abramowitz & Stegun 7.2.1, mpmath's hyper-geometric evaluation via the integral
definition). The kernel Taylor-shifts from the nearest anchor with
g_k(a + d) = sum_m C(k+m, m) (-2d)^m g_{k+m}(a_j) (from g_k' = -2(k+1) g_{k+1}).

Prints the Rust constant pasted into src/pricing/black.rs.
"""
import mpmath as mp

mp.mp.dps = 60


def g(k, a):
    a = mp.mpf(a)
    # i^k erfc(a) = 2/sqrt(pi) * int_a^inf (t-a)^k / k! exp(-t^2) dt
    f = lambda t: (t - a) ** k / mp.factorial(k) * mp.exp(-t * t)
    v = 2 / mp.sqrt(mp.pi) * mp.quad(f, [a, a + 2, a + 6, mp.inf])
    return mp.exp(a * a) * v


def main():
    anchors = [0.75 + 0.25 * j for j in range(10)]
    print("const G_ANCHORS: [[f64; 18]; 10] = [")
    for a in anchors:
        vals = [g(k, a) for k in range(18)]
        # check the recurrence 2k g_k = g_{k-2} - 2a g_{k-1} to 40 digits
        for k in range(2, 18):
            assert abs(2 * k * vals[k] - (vals[k - 2] - 2 * a * vals[k - 1])) < mp.mpf(10) ** -30 * vals[k - 2]
        print("    [")
        for v in vals:
            print(f"        {mp.nstr(v, 20, min_fixed=0, max_fixed=0, strip_zeros=False)},")
        print("    ],")
    print("];")


if __name__ == "__main__":
    main()
