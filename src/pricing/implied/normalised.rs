//! The normalised implied-volatility solver: given x = −|ln(F/K)| ≤ 0 and the out-of-the-money
//! time value β = b₀(x, s) (normalised by √(FK)), find the total volatility s = σ√T.
//!
//! # Design (after Jäckel, "Let's Be Rational", 2015; derived here from the mathematics)
//!
//! For fixed x < 0, s ↦ b₀(x, s) rises from 0 to b_max = e^{x/2}; it is convex below and concave
//! above its inflection point s_c = √(2|x|), where b₀′(s_c) = e^{x/2}/√(2π). The tangent there
//! meets 0 at s_l = s_c − b_c/v_c and b_max at s_u = s_c + (b_max − b_c)/v_c, which splits the
//! price range into four branches, each with an initial guess built from exact values and
//! slopes at its ends and an objective on which Householder's third-order method converges
//! from that guess in one or two steps:
//!
//! | branch | β range | initial guess | objective g(s) |
//! |---|---|---|---|
//! | lowest | (0, b_l) | rational cubic in β of the map f(s) = (2π|x|/3√3)·Φ(−|x|/(√3 s))³, which has the same leading asymptotics as b₀ as s → 0 and inverts in closed form (times a fitted correction near s_l, see below) | 1/ln b₀(s) − 1/ln β |
//! | lower middle | [b_l, b_c) | rational cubic of s(β) through (b_l, s_l), (b_c, s_c) | b₀(s) − β |
//! | upper middle | [b_c, b_u] | rational cubic of s(β) through (b_c, s_c), (b_u, s_u) | b₀(s) − β |
//! | highest | (b_u, b_max) | rational cubic in β of f(s) = Φ(−s/2), the leading behaviour of (b_max − b₀)/2 as s → ∞ | ln(b_max − β) − ln(b_max − b₀(s)) |
//!
//! The interpolants match values and first derivatives at both ends; the rational cubic's
//! control parameter sets the second derivative to zero at the inflection point (s″(b_c) = 0)
//! and at the asymptotic ends (where f(β) is linear to leading order).
//!
//! The lowest-branch objective is nearly linear in s² because ln b₀ ≈ −x²/(2s²); the highest
//! one because ln(b_max − b₀) ≈ −s²/8. In the highest branch b_max − b₀ is computed as a sum of
//! two positive tails, never as a difference, so prices within ulps of the maximum still solve.
//!
//! # When to stop
//!
//! Every evaluation that can end the solve uses the accurate kernel [`otm_eval`] (a few ulps
//! everywhere, and about as cheap as a plain erfcx difference since it is built from divided
//! differences of erfcx's own polynomials). Once the Newton step in log space,
//! ln(target/Q)/(Q′/Q) with Q = b₀ (or the distance to the maximum in the highest branch), is
//! below 1e-2·s, one last step ends the solve: the inverse series of ln Q(s + h), whose Taylor
//! coefficients in θ = h/s stay of order one however steep b₀ is (order six within 1e-3·s,
//! from closed-form cumulants; order eight beyond, from the Riccati equation
//! (ln Q)″ = w·(p − w) in Taylor coefficients, with the truncation estimated from the last
//! terms and held below 1e-17·s; see `last_step`). Farther out the Householder(3) step of the
//! branch's objective applies (order 4: the error after a step from an error e is at most
//! about 10·e⁴ for e ≤ 1e-3, measured over a dense grid of every branch, see the tests), and a
//! step below 3e-5·s would also be the last.
//!
//! The lowest branch's guess is 1e-2 to 1.6e-1 off where s₀/s_l is between 0.2 and 0.96;
//! there, for |x| ≤ 16, a fitted correction factor (a polynomial of degree 8 in each of the
//! two scaled variables, `lowest_correction`) brings it within 2.5e-3. Beyond |x| = 16 the
//! first step from such a guess is taken from a rough evaluation (plain exponent and erfcx
//! difference, 1e-12 or better there) that neither moves the bracket nor ends the solve. So
//! the typical solve is one evaluation: on the benchmark grid every one is. At the money
//! (x = 0) the solve is in closed form (`implied_total_vol_atm`).
//!
//! # Bounded work
//!
//! Every iterate is kept inside a bracket [lo, hi] that starts as the branch's interval and
//! shrinks with the sign of the residual (b₀ is increasing in s); a step that would leave it,
//! or that is not finite, is replaced by bisection, and the loop never runs more than
//! [`MAX_ITERATIONS`] times. No allocation.

use crate::pricing::black::{otm_eval, otm_eval_rough, otm_gap};
use crate::pricing::erfcx::two_prod;
use crate::pricing::exp::exp;
use crate::pricing::normal::{erfcx, norm_cdf};

use super::fits::{
    branch_t_of_w, estrin, lowest_correction, BRANCH_C, BRANCH_L, BRANCH_M, BRANCH_U, BRANCH_VL,
    BRANCH_VU, BRANCH_Z, CORRECTION_RHO_MAX, CORRECTION_RHO_MIN, CORRECTION_T_MIN, FIT_L_MIN_Y,
    FIT_MAX_Y,
};
use super::rational::{control_parameter, rational_cubic};

/// 1/√(2π).
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// √3.
const SQRT_3: f64 = 1.732_050_807_568_877_2;
/// √(2π).
const SQRT_2PI: f64 = 2.506_628_274_631_000_5;
/// √(π/2).
const SQRT_HALF_PI: f64 = 1.253_314_137_315_500_3;
/// Hard cap on Householder steps (two suffice in practice; the rest is a safety margin for
/// bracketing fallbacks).
pub(crate) const MAX_ITERATIONS: usize = 10;
/// A step below this fraction of s is the last one (Householder(3) converges with order 4: the
/// error after a step from an error e is at most about 10·e⁴, 1e-17 here; see
/// `one_step_from_a_close_guess_is_final`).
const STEP_TOL: f64 = 3e-5;
/// Within this relative distance of the root (by the Newton step in log space) the solve ends
/// with [`last_step`], whose error is about 3·(h/s)⁹·s from this far (3e-18·s) …
const LAST_STEP_TOL: f64 = 1e-2;
/// … and within this, where its order-six part alone leaves about 3·(h/s)⁷·s (3e-21·s), it
/// stops there.
const SHORT_STEP_TOL: f64 = 1e-3;

/// Φ⁻¹(p) for 0 < p ≤ ½ to about 1e-9 relative, for initial guesses only (the Householder
/// steps that follow remove any error of this size): Acklam's rational approximations (P. J.
/// Acklam, "An algorithm for computing the inverse normal cumulative distribution function",
/// 2003), a rational function of p − ½ in the centre and of √(−2 ln p) in the tail.
#[inline]
fn inv_norm_cdf_fast(p: f64) -> f64 {
    let (num, den) = if p < P_LOW {
        inv_norm_tail(p.ln())
    } else {
        inv_norm_central(p)
    };
    num / den
}

/// Φ⁻¹(∛v) for the lowest branch's guess: in the tail the cube root is only needed as a
/// logarithm, ln ∛v = (ln v)/3.
#[cfg(test)]
fn inv_norm_cdf_of_cbrt(v: f64) -> f64 {
    let (num, den) = inv_norm_cdf_of_cbrt_parts(v);
    num / den
}

/// [`inv_norm_cdf_of_cbrt`] as numerator and (positive) denominator, so that the caller can
/// fold the division into its own.
#[inline]
fn inv_norm_cdf_of_cbrt_parts(v: f64) -> (f64, f64) {
    if v < P_LOW * P_LOW * P_LOW {
        inv_norm_tail(v.ln() * (1.0 / 3.0))
    } else {
        inv_norm_central(cbrt_fast(v))
    }
}

/// Where Acklam's tail approximation takes over.
const P_LOW: f64 = 0.02425;

/// Acklam's lower-tail rational function of √(−2 ln p), for p < [`P_LOW`], from ln p: the
/// numerator and the (positive) denominator.
#[inline]
fn inv_norm_tail(ln_p: f64) -> (f64, f64) {
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let q = (-2.0 * ln_p).sqrt();
    let num = ((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5];
    let den = (((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0;
    (num, den)
}

/// Acklam's central rational function of p − ½, for [`P_LOW`] ≤ p ≤ ½: the numerator and the
/// (positive) denominator.
#[inline]
fn inv_norm_central(p: f64) -> (f64, f64) {
    inv_norm_central_of_q(p - 0.5)
}

/// [`inv_norm_central`] given q = p − ½ (which a caller may have to full relative precision
/// when p is within rounding of ½).
#[inline]
fn inv_norm_central_of_q(q: f64) -> (f64, f64) {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    let r = q * q;
    let num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
    let den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0;
    (num, den)
}

/// Beyond the corrected range (y = √|x| from 4 to 9) the lowest branch's guess is typically
/// more than 1e-2 off (beyond the reach of the last step) for s₀/s_l between these two, and
/// then needs two steps (see `rough_zone_covers_the_poor_guesses`).
const ROUGH_ZONE_START: f64 = 0.42;
const ROUGH_ZONE_END: f64 = 0.96;

/// ∛a for the initial guess, to about 1e-13 relative for positive normal a: an exponent
/// division by 3 on the bit pattern (about 5 correct bits, the classic fdlibm seed) and two
/// Halley steps y ← y·(y³ + 2a)/(2y³ + a), each tripling the correct bits. The library cbrt
/// (software, ~100 instructions) for anything else.
#[inline]
fn cbrt_fast(a: f64) -> f64 {
    if !(f64::MIN_POSITIVE..f64::INFINITY).contains(&a) {
        return a.cbrt();
    }
    const SEED: u64 = 715_094_163;
    let hi = a.to_bits() >> 32;
    let mut y = f64::from_bits((hi / 3 + SEED) << 32);
    for _ in 0..2 {
        let y3 = y * y * y;
        y *= (y3 + 2.0 * a) / (2.0 * y3 + a);
    }
    y
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Objective {
    /// With ln β, taken in the guess (where it is certainly needed: computed in the loop, a
    /// loop-invariant logarithm is hoisted and paid by every objective).
    Lowest {
        ln_beta: f64,
    },
    Middle,
    Highest,
}

/// Total volatility s ≥ 0 whose out-of-the-money time value is β.
///
/// `x ≤ 0`; `b_max` = e^{x/2} (= min(F, K)/√(FK), which the caller has without an exponential;
/// only the initial guess uses it); `beta` in (0, e^{x/2}) and `gap` = e^{x/2} − β > 0, both
/// passed because the caller can compute each to full relative precision. Returns a finite
/// s > 0 (or the end of the bracket reached when the price is beyond what binary64 can
/// resolve).
pub(crate) fn implied_total_vol_otm(x: f64, b_max: f64, beta: f64, gap: f64) -> f64 {
    debug_assert!(x <= 0.0 && beta > 0.0 && gap > 0.0);
    if x == 0.0 {
        if let Some(s) = implied_total_vol_atm(beta, gap) {
            return s;
        }
    }
    let ax = -x;
    let s_c = (2.0 * ax).sqrt();
    let v_c = INV_SQRT_2PI * b_max;
    // At s_c, h = −t and h² + t² = |x|: E = e^{x/2} = b_max and a = τ = s_c/(2√2), so
    // b_c = ½·b_max·(1 − erfcx(2τ)) (one erfcx; cancels only for tiny |x|, harmless for a guess).
    let y = s_c * std::f64::consts::FRAC_1_SQRT_2;
    let w = 1.0 / (1.0 + y);
    let t = branch_t_of_w(w);
    // b_c/b_max, so that b_c/v_c = √(2π)·(b_c/b_max) needs no division.
    let c_ratio = if y <= FIT_MAX_Y {
        estrin(&BRANCH_C, t) * (y * w)
    } else {
        0.5 * (1.0 - erfcx(y))
    };
    let b_c = b_max * c_ratio;

    let (s0, lo, hi, objective);
    let mut rough = false;
    if beta < b_c {
        let s_l = s_c - SQRT_2PI * c_ratio;
        let fitted_l = (FIT_L_MIN_Y..=FIT_MAX_Y).contains(&y);
        let (b_l, v_l) = if fitted_l {
            let b = b_max * estrin(&BRANCH_L, t) * (ax / (1.0 + ax));
            (b, INV_SQRT_2PI * b_max * estrin(&BRANCH_VL, t))
        } else {
            let ev = otm_eval(x, s_l);
            (ev.value, INV_SQRT_2PI * ev.e)
        };
        if beta < b_l && v_l > 0.0 {
            let guess = if fitted_l {
                lowest_guess_fitted(ax, y, t, beta, b_l, s_l, v_l)
            } else {
                lowest_guess_general(ax, beta, b_l, s_l, v_l)
            };
            let r0 = guess / s_l;
            if fitted_l
                && t >= CORRECTION_T_MIN
                && (CORRECTION_RHO_MIN..=CORRECTION_RHO_MAX).contains(&r0)
            {
                // Where the guess alone is typically 1e-2 to 1e-1 off: the fitted correction
                // (see `lowest_correction_brings_guesses_within_reach`).
                let tau = (2.0 * t - (CORRECTION_T_MIN + 1.0)) * (1.0 / (1.0 - CORRECTION_T_MIN));
                let xi = (2.0 * r0 - (CORRECTION_RHO_MIN + CORRECTION_RHO_MAX))
                    * (1.0 / (CORRECTION_RHO_MAX - CORRECTION_RHO_MIN));
                s0 = guess * (1.0 + lowest_correction(tau, xi));
            } else {
                // Where this guess is typically more than 1e-2 off (measured over the fitted
                // range, see `rough_zone_covers_the_poor_guesses`), the first step is taken
                // from a cheap evaluation.
                rough = fitted_l && (ROUGH_ZONE_START..=ROUGH_ZONE_END).contains(&r0);
                s0 = guess;
            }
            lo = 0.0;
            hi = s_l;
            objective = Objective::Lowest { ln_beta: beta.ln() };
        } else {
            // Lower middle: s(β) on [b_l, b_c], s″(b_c) = 0.
            let (d_l, d_r) = (1.0 / v_l, 1.0 / v_c);
            let h = b_c - b_l;
            let r = control_parameter(h, s_l, s_c, d_l, d_r, 0.0, false);
            let u = (beta - b_l) / h;
            s0 = rational_cubic(u, 1.0 - u, h, s_l, s_c, d_l, d_r, r);
            lo = s_l.max(0.0);
            hi = s_c;
            objective = Objective::Middle;
        }
    } else {
        let s_u = s_c + SQRT_2PI * (1.0 - c_ratio);
        let (b_u, v_u) = if y <= FIT_MAX_Y {
            (
                b_max * estrin(&BRANCH_U, t),
                INV_SQRT_2PI * b_max * estrin(&BRANCH_VU, t),
            )
        } else {
            let ev = otm_eval(x, s_u);
            (ev.value, INV_SQRT_2PI * ev.e)
        };
        if beta <= b_u || v_u <= 0.0 {
            // Upper middle: s(β) on [b_c, b_u], s″(b_c) = 0.
            let (d_l, d_r) = (1.0 / v_c, 1.0 / v_u);
            let h = b_u - b_c;
            let r = control_parameter(h, s_c, s_u, d_l, d_r, 0.0, true);
            let u = (beta - b_c) / h;
            s0 = rational_cubic(u, 1.0 - u, h, s_c, s_u, d_l, d_r, r);
            lo = s_c;
            hi = s_u;
            objective = Objective::Middle;
        } else {
            // Highest branch: f(β) = Φ(−s/2) on [b_u, b_max], f(b_max) = 0, f′(b_max) = −½,
            // f″(b_max) = 0.
            // Φ(−s_u/2) = φ(s_u/2)·√(π/2)·erfcx(s_u/(2√2)), with a plain exponent (a guess;
            // s_u < 56 for every representable x, so neither factor underflows).
            let pdf_u = INV_SQRT_2PI * exp(-0.125 * s_u * s_u);
            let f_u = pdf_u * SQRT_HALF_PI * erfcx(s_u * (0.5 * std::f64::consts::FRAC_1_SQRT_2));
            let d_l = -0.5 * pdf_u / v_u;
            let h = b_max - b_u;
            let r = control_parameter(h, f_u, 0.0, d_l, -0.5, 0.0, false);
            let v = (gap / h).min(1.0);
            let u = 1.0 - v;
            let f = rational_cubic(u, v, h, f_u, 0.0, d_l, -0.5, r).clamp(f64::MIN_POSITIVE, f_u);
            s0 = -2.0 * inv_norm_cdf_fast(f);
            lo = s_u;
            hi = f64::INFINITY;
            objective = Objective::Highest;
        }
    }
    #[cfg(test)]
    let (s0, rough) = match START.with(|p| p.get()) {
        Some(start) => (start, false),
        None => (s0, rough),
    };
    refine(x, beta, gap, s0, (lo, hi), objective, rough)
}

/// The lowest branch's guess: interpolate f(β) = (2π|x|/3√3)·Φ(−|x|/(√3 s))³ on [0, b_l]
/// (f(0) = 0, f′(0) = 1, f(b_l) = f_l, f′(b_l) = d_r, the slope of f against b₀ at s_l) by
/// the rational cubic, and invert f in closed form: s = |x|/(√3·(−Φ⁻¹(∛(f/c)))).
///
/// The control parameter asked to give f″(0) = 0 is, over the whole fitted range, below the
/// monotonicity minimum (1 + d_r)·b_l/f_l or equal to it to 1e-6 (except very near the y
/// where f_l = b_l, where it has a pole), so the interpolant uses that minimum, see
/// `lowest_control_parameter_is_the_monotone_minimum`. With r = (1 + d_r)·b_l/f_l the rational
/// cubic's numerator collapses: with u = β/b_l, v = 1 − u,
///
/// f/c = P·(P·u³ + B·uv)/(P·(1 + (ρ − 3)·uv) + B·uv),
///
/// where P = Φ(z_l)³ = f_l/c, B = b_l/c and ρ = d_r·b_l/f_l = 3·(−z_l)·b_l/(s_l·v_l·M), M =
/// Φ(z_l)/φ(z_l): one exponential (φ(z_l), from the fitted z_l so that it starts without
/// waiting for s_l) and one division on the way from |x| to the guess.
#[inline]
fn lowest_guess_fitted(ax: f64, y: f64, t: f64, beta: f64, b_l: f64, s_l: f64, v_l: f64) -> f64 {
    let c = 2.0 * std::f64::consts::PI * ax / (3.0 * SQRT_3);
    let inv_c = 1.0 / c;
    let z_l = estrin(&BRANCH_Z, t) * (1.0 + y);
    let m = estrin(&BRANCH_M, t);
    // ρ from reciprocals formed while the exponential is under way.
    let rho = 3.0 * (-z_l) * b_l * ((1.0 / s_l) * (1.0 / v_l)) * (1.0 / m);
    let phi_l = m * (INV_SQRT_2PI * exp(-0.5 * z_l * z_l));
    let p = phi_l * phi_l * phi_l;
    let b = b_l * inv_c;
    let u = beta / b_l;
    let uv = u * (1.0 - u);
    let f = p * (p * (u * u * u) + b * uv) / (p * (1.0 + (rho - 3.0) * uv) + b * uv);
    invert_lowest_map(ax, f.min(p).max(f64::MIN_POSITIVE * inv_c), s_l)
}

/// The inverse of the lowest branch's map: s = |x|/(√3·(−z)) with z = Φ⁻¹(∛(f/c)), given
/// `f_over_c`; s_l where z would not be negative.
#[inline]
fn invert_lowest_map(ax: f64, f_over_c: f64, s_l: f64) -> f64 {
    let (num, den) = inv_norm_cdf_of_cbrt_parts(f_over_c);
    // z = num/den (den > 0): one division for both.
    if num < 0.0 {
        ax * den / (SQRT_3 * -num)
    } else {
        s_l
    }
}

/// The lowest branch's guess outside the fitted range (y = √|x| below 1e-3 or above 9), the
/// same interpolation with every end quantity computed and the control parameter from
/// [`control_parameter`].
#[inline(never)]
fn lowest_guess_general(ax: f64, beta: f64, b_l: f64, s_l: f64, v_l: f64) -> f64 {
    let c = 2.0 * std::f64::consts::PI * ax / (3.0 * SQRT_3);
    let z_l = -ax / SQRT_3 / s_l;
    let pdf_l = INV_SQRT_2PI * exp(-0.5 * z_l * z_l);
    let phi_l = norm_cdf(z_l);
    let f_l = c * phi_l * phi_l * phi_l;
    // f′(s_l)/b′(s_l): df/ds = 3c·Φ²·φ·|x|/(√3 s²) = 3c·Φ²·φ·(−z_l)/s_l.
    let d_r = 3.0 * c * phi_l * phi_l * pdf_l * (-z_l) / s_l / v_l;
    let r = control_parameter(b_l, 0.0, f_l, 1.0, d_r, 0.0, true);
    let u = beta / b_l;
    let f = rational_cubic(u, 1.0 - u, b_l, 0.0, f_l, 1.0, d_r, r).clamp(f64::MIN_POSITIVE, f_l);
    invert_lowest_map(ax, f / c, s_l)
}

/// erf(τ)/(τ·2/√π) = Σₙ (−τ²)ⁿ/(n!·(2n + 1)), n = 0..=13, its Maclaurin series: for τ ≤ ½
/// the first dropped term is below 1e-19.
const ERF_SERIES: [f64; 14] = [
    1.0,
    -0.3333333333333333,
    0.1,
    -0.023809523809523808,
    0.004629629629629629,
    -0.0007575757575757576,
    0.00010683760683760684,
    -1.3227513227513228e-05,
    1.4589169000933706e-06,
    -1.4503852223150468e-07,
    1.3122532963802806e-08,
    -1.0892221037148573e-09,
    8.35070279514724e-11,
    -5.9477940136376354e-12,
];

/// At the money (x = 0) b₀(0, s) = erf(τ) and e^{x/2} − b₀ = erfc(τ), τ = s/(2√2), so s needs
/// no iteration on the general kernel: Φ(−s/2) = γ/2 (γ = 1 − β, the `gap`) gives a start
/// within Acklam's 1.15e-9 (relative), and one Newton step finishes it, on erf(τ) − β while
/// β ≤ ½ (erf from its series, τ < 0.48) and on ln(erfc(τ)/γ) beyond (erfc = e^{−τ²}·erfcx(τ)
/// with τ² split exactly). Newton's error after a step from a relative error δ is τ²·δ² for
/// erf (g″/g′ = −2τ) and about δ²/2 for ln erfc (g′ ≈ −2τ, g″ ≈ −2): below 1e-18 either way.
/// None where e^{−τ²} is subnormal (γ below about 5e-310) or the start is not finite, for the
/// general solver.
fn implied_total_vol_atm(beta: f64, gap: f64) -> Option<f64> {
    const SQRT_PI_2: f64 = 0.886_226_925_452_758; // √π/2
    const TWO_SQRT_2: f64 = 2.0 * std::f64::consts::SQRT_2;
    let p = 0.5 * gap;
    // Φ⁻¹(p) as numerator over (positive) denominator; q = p − ½ = −β/2 exactly when β ≤ ½.
    let (num, den) = if p < P_LOW {
        inv_norm_tail(p.ln())
    } else if beta <= 0.5 {
        inv_norm_central_of_q(-0.5 * beta)
    } else {
        inv_norm_central(p)
    };
    // −s/2 = Φ⁻¹(p), τ = s/(2√2) = −Φ⁻¹(p)/√2.
    let tau0 = -num / den * std::f64::consts::FRAC_1_SQRT_2;
    let tau = if beta <= 0.5 {
        let u = tau0 * tau0;
        let erf = std::f64::consts::FRAC_2_SQRT_PI * tau0 * estrin(&ERF_SERIES, u);
        // τ − (erf(τ) − β)/erf′(τ), erf′ = (2/√π)·e^{−τ²}.
        tau0 + (beta - erf) * SQRT_PI_2 * exp(u)
    } else {
        let cx = erfcx(tau0);
        // e^{−τ²} with τ² split exactly (its rounding would cost up to 2ε·τ², 1e-13 at τ = 26).
        let (hi, lo) = two_prod(tau0, tau0);
        let e = exp(-hi);
        if e < f64::MIN_POSITIVE {
            return None;
        }
        let erfc = e * (1.0 - lo) * cx;
        // τ − g/g′ with g = ln(erfc(τ)/γ), g′ = −2/(√π·erfcx(τ)).
        tau0 + ln_1p_small(erfc / gap - 1.0) * SQRT_PI_2 * cx
    };
    (tau.is_finite() && tau > 0.0).then_some(TWO_SQRT_2 * tau)
}

/// Householder(3) iterations on the branch objective, safeguarded by the bracket [lo, hi].
fn refine(
    x: f64,
    beta: f64,
    gap: f64,
    s0: f64,
    (mut lo, mut hi): (f64, f64),
    objective: Objective,
    rough: bool,
) -> f64 {
    // The branch ends are placed with fitted values of b₀ (relative error ≤ 5e-6, which moves
    // s by at most a few times that), so a root near an end may lie just outside: widen the
    // bracket by far more than that, or every step towards such a root would be replaced by
    // bisection.
    lo *= 1.0 - 1e-4;
    hi *= 1.0 + 1e-4;
    let x2 = x * x;
    let mut s = if s0.is_finite() && s0 >= lo && s0 <= hi && s0 > 0.0 {
        s0
    } else {
        bisect(lo, hi)
    };
    for _iteration in 0..MAX_ITERATIONS {
        #[cfg(test)]
        if _iteration >= STEP_CAP.with(|c| c.get()) {
            break;
        }
        #[cfg(test)]
        COUNT.with(|c| c.set(c.get() + 1));
        // A rough first evaluation (lowest branch, poor guess) only sets the direction of the
        // first step: it neither moves the bracket nor ends the solve.
        let rough_now = rough && _iteration == 0;
        let ev = if rough_now {
            otm_eval_rough(x, s)
        } else {
            otm_eval(x, s)
        };
        let b = ev.value;
        let vega = INV_SQRT_2PI * ev.e;
        // In the highest branch b rounds to β long before s is resolved: compare distances
        // to the maximum there instead (b − β = gap − c).
        let c = if objective != Objective::Highest {
            f64::NAN
        } else if ev.gap.is_nan() {
            otm_gap(x, s, ev.e)
        } else {
            ev.gap
        };
        let excess = if objective == Objective::Highest {
            gap - c
        } else {
            b - beta
        };
        if !rough_now {
            if excess > 0.0 {
                hi = s;
            } else if excess < 0.0 {
                lo = s;
            } else {
                return s;
            }
        }
        // ln b′ = −x²/(2s²) − s²/8 + const: b″/b′ = p, b‴/b′ = p² + q.
        let s2 = s * s;
        let p = x2 / (s2 * s) - 0.25 * s;
        let q = -3.0 * x2 / (s2 * s2) - 0.25;
        // The residual in log space: ln(target/Q) = ln(1 + u) with Q = b (or, in the highest
        // branch, the distance c to the maximum) and w = Q′/Q. Its logarithm is needed by the
        // lowest and highest objectives and by the last step; it is taken once.
        // Reciprocals instead of quotients: 1/vega is ready before b, so w and 1/w each cost a
        // multiplication after the one division by b (or c). Near underflow (a vega whose
        // reciprocal would overflow) the quotients are formed directly.
        let (q_val, q_rest) = if objective == Objective::Highest {
            (c, gap - c)
        } else {
            (b, beta - b)
        };
        let sign = if objective == Objective::Highest {
            -1.0
        } else {
            1.0
        };
        let (w, inv_w, u) = if vega > 1e-300 {
            let inv_vega = 1.0 / vega;
            let inv_q = 1.0 / q_val;
            (sign * vega * inv_q, sign * q_val * inv_vega, q_rest * inv_q)
        } else {
            let w = sign * vega / q_val;
            (w, 1.0 / w, q_rest / q_val)
        };
        // The Newton step in log space, ln(1 + u)/w, decides whether the last step applies.
        // The lowest and highest objectives need the logarithm anyway; in the middle branches
        // (w·s of order one) u/w stands in for it until it is known to be needed.
        let (near, ln_1pu) = if objective == Objective::Middle {
            let near = !rough_now && (u * inv_w).abs() <= 1.01 * LAST_STEP_TOL * s;
            (near, if near { ln_1p_small(u) } else { f64::NAN })
        } else {
            let ln_1pu = ln_1p_small(u);
            let near = !rough_now && (ln_1pu * inv_w).abs() <= LAST_STEP_TOL * s;
            (near, ln_1pu)
        };
        // Close to the root: one step of order six to eight in log space ends the solve.
        if near {
            if let Some(step) = last_step(w, inv_w, ln_1pu, s, p, q, x2) {
                let next = s + step;
                // The root is in [lo, hi]; a last step that leaves it falls through to the
                // safeguarded iteration below.
                if next >= lo && next <= hi && next > 0.0 {
                    s = next;
                    break;
                }
            }
        }
        let (nu, eta2, eta3) = match objective {
            // (β − b)/b′ = u/w.
            Objective::Middle => (u * inv_w, p, p * p + q),
            Objective::Lowest { ln_beta } => {
                // g = 1/ln b − 1/ln β; G′ = −1/(b ln²b), G″/G′ = −(L+2)/(bL),
                // G‴/G′ = 2(L² + 3L + 3)/(L²b²).
                // ln β − ln b as ln(1 + (β − b)/b): the difference of two logarithms near
                // −700 would keep only 1e-14 of b's relative resolution. ln b itself then
                // follows without a second logarithm (b ≲ b_l < 0.11·e^{x/2}, so ln b < −2.2
                // and the subtraction does not cancel).
                let ln_ratio = ln_1pu;
                let ln_b = ln_beta - ln_ratio;
                let g = ln_ratio / (ln_b * ln_beta);
                // w = b′/b (formed first: b and b′ may both be subnormal-sized).
                let nu = g * ln_b * ln_b * inv_w;
                let g2 = -(ln_b + 2.0) / ln_b * w;
                let g3 = 2.0 * (ln_b * ln_b + 3.0 * ln_b + 3.0) / (ln_b * ln_b) * w * w;
                (nu, g2 + p, g3 + 3.0 * g2 * p + p * p + q)
            }
            Objective::Highest => {
                // g = ln(gap) − ln(c), c = b_max − b; G′ = 1/c, G″/G′ = 1/c, G‴/G′ = 2/c²
                // (here w = c′/c = −b′/c).
                let nu = ln_1pu * inv_w;
                let v = -w;
                (nu, v + p, 2.0 * v * v + 3.0 * v * p + p * p + q)
            }
        };
        let step = if nu.is_finite() {
            let den = 1.0 + nu * (eta2 + eta3 * nu / 6.0);
            let hh = nu * (1.0 + 0.5 * eta2 * nu) / den;
            if hh.is_finite() && den > 0.0 {
                hh
            } else {
                nu
            }
        } else {
            f64::NAN
        };
        if step.abs() <= STEP_TOL * s && !rough_now {
            // Converged: the step is within rounding of the bracket, apply it unchecked.
            let next = s + step;
            if next > 0.0 && next.is_finite() {
                s = next;
            }
            break;
        }
        let next = s + step;
        s = if next > lo && next < hi {
            next
        } else {
            bisect(lo, hi)
        };
    }
    s
}

/// The last step, when the iterate is within [`LAST_STEP_TOL`] of the root: the inverse series
/// of ln Q(s + h) = ln Q(s) + δ, where Q is b (or, in the highest branch, the distance c to the
/// maximum) and δ = ln(target/Q(s)). In log space the Taylor coefficients of ln Q(s + h) in h
/// fall like 1/sᵏ however steep b is (ln b ≈ −x²/(2s²)), so the series in θ = h/s converges
/// fast: truncated after θ⁶ its inverse leaves about 3·θ⁷·s, after θ⁸ about 3·θ⁹·s (measured
/// against 50-digit references, see `one_step_from_a_close_guess_is_final`).
///
/// The coefficients follow from w = (ln Q)′ and the derivatives of ln|Q′| = ln b′ = −x²/(2s²)
/// − s²/8 + const (p, q and the rest in closed form) through the Riccati equation
/// (ln Q)″ = w·(p − w). Within [`SHORT_STEP_TOL`] the order-six inverse series ends the solve,
/// from cumulants κₖ (κₖ/w = nₖ) differentiated in closed form. Beyond it the series of
/// W(θ) = s·(ln Q)′(s + sθ) is carried to θ⁷ by the same equation in Taylor coefficients,
/// (k + 1)·ωₖ₊₁ = Σᵢ ωᵢ·(πₖ₋ᵢ − ωₖ₋ᵢ) with πₖ the coefficients of s·p(s + sθ), and one Newton
/// step on ∫W = δ from the order-six answer (good to 3·θ⁷) leaves the order-eight one.
/// `w` = Q′/Q, `inv_w` = 1/w, `delta` = ln(target/Q(s)), `x2` = x². None when the Newton step
/// δ/w is not that small, or when the estimated truncation is above 1e-17·s.
#[inline]
fn last_step(w: f64, inv_w: f64, delta: f64, s: f64, p: f64, q: f64, x2: f64) -> Option<f64> {
    let nu = delta * inv_w;
    if nu.is_nan() || nu.abs() > LAST_STEP_TOL * s {
        return None;
    }
    // (ln b′)‴ = 12x²/s⁵ = −4(q + ¼)/s and (ln b′)⁗ = −5·(ln b′)‴/s.
    let inv_s = 1.0 / s;
    let r3 = -4.0 * (q + 0.25) * inv_s;
    let r4 = -5.0 * r3 * inv_s;
    // The cumulants κₖ (derivatives of ln Q) by differentiating κ₂ = w(p − w) with w′ = κ₂,
    // p′ = q, q′ = r₃, r₃′ = r₄, each divided by κ₁ = w: κₖ/w = nₖ.
    let pw = p - w;
    let n2 = pw;
    let k2 = w * n2;
    let qk = q - k2;
    let n3 = n2 * pw + qk;
    let k3 = w * n3;
    let rk = r3 - k3;
    let n4 = n3 * pw + 2.0 * n2 * qk + rk;
    let k4 = w * n4;
    let n5 = n4 * pw + 3.0 * (n3 * qk + n2 * rk) + (r4 - k4);
    // ν = h + a₂h² + … + a₅h⁵, aₖ = κₖ/(k!·κ₁), inverted.
    let a2 = 0.5 * n2;
    let a3 = n3 * (1.0 / 6.0);
    let a4 = n4 * (1.0 / 24.0);
    let a5 = n5 * (1.0 / 120.0);
    let a22 = a2 * a2;
    let c3 = 2.0 * a22 - a3;
    let c4 = a2 * (5.0 * (a3 - a22)) - a4;
    let c5 = a22 * (14.0 * a22 - 21.0 * a3) + 6.0 * a2 * a4 + 3.0 * a3 * a3 - a5;
    // h = ν(1 − a₂ν + c₃ν² + c₄ν³ + c₅ν⁴), by Estrin's scheme.
    let nu2 = nu * nu;
    let h = nu * ((1.0 - a2 * nu) + nu2 * ((c3 + c4 * nu) + nu2 * c5));
    // The corrections are small against ν this close to the root; anything else means the
    // series is not to be trusted here.
    let trusted = h.abs() <= 2.0 * nu.abs();
    if !trusted {
        return None;
    }
    // The truncation, by the next term of the inverse series estimated from the ratio of the
    // last two pairs (c₆ν⁶ ≈ c₅ν⁵·max(|c₅/c₄|, |c₄/c₃|)·ν): below 1e-17·s the order-six answer
    // is final.
    let nu6 = nu2 * nu2 * nu2;
    if nu.abs() <= SHORT_STEP_TOL * s
        && c5 * c5 * nu6 <= 1e-17 * s * c4.abs()
        && (c5 * c4 * nu6).abs() <= 1e-17 * s * c3.abs()
    {
        return Some(h);
    }
    // ωₖ = sᵏ⁺¹·w·nₖ₊₁/k! and dₖ = πₖ − ωₖ for k ≤ 4.
    let x2_s2 = x2 * inv_s * inv_s;
    let s2 = s * s;
    let o0 = s * w;
    let o1 = o0 * s * n2;
    let o2 = o0 * s2 * n3 * 0.5;
    let o3 = o0 * (s2 * s) * n4 * (1.0 / 6.0);
    let o4 = o0 * (s2 * s2) * n5 * (1.0 / 24.0);
    let head = [o0, o1, o2, o3, o4];
    let d_head = [
        s * pw,
        s2 * q - o1,
        6.0 * x2_s2 - o2,
        -10.0 * x2_s2 - o3,
        15.0 * x2_s2 - o4,
    ];
    series_newton(head, d_head, x2_s2, delta, h * inv_s).map(|t| s * t)
}

/// One Newton step θ ← θ − (L(θ) − δ)/L′(θ) on L(θ) = Σₖ ωₖ·θᵏ⁺¹/(k + 1), k = 0..=7, the
/// series of ln Q(s + sθ) − ln Q(s), whose coefficients ωₖ (those of W(θ) = s·(ln Q)′(s + sθ))
/// satisfy the Riccati equation W′ = W·(Π − W), Π(θ) = s·p(s + sθ) = (x²/s²)·(1 + θ)⁻³ −
/// (s²/4)·(1 + θ): (k + 1)·ωₖ₊₁ = Σᵢ ωᵢ·(πₖ₋ᵢ − ωₖ₋ᵢ) with π₀ = s·p, π₁ = s²·q and
/// πₖ = (x²/s²)·(−1)ᵏ(k + 1)(k + 2)/2 for k ≥ 2. `head` holds ω₀..ω₄ (from the closed-form
/// cumulants, ωₖ = sᵏ⁺¹·κₖ₊₁/k!), `d_head` the matching πₖ − ωₖ, `x2_s2` = x²/s². None when
/// the first dropped term, estimated from the last two, exceeds 1e-17 in θ.
#[inline]
fn series_newton(
    head: [f64; 5],
    d_head: [f64; 5],
    x2_s2: f64,
    delta: f64,
    theta: f64,
) -> Option<f64> {
    const N: usize = 8;
    let mut omega = [0.0; N];
    // dₖ = πₖ − ωₖ.
    let mut d = [0.0; N];
    omega[..5].copy_from_slice(&head);
    d[..5].copy_from_slice(&d_head);
    let mut k = 4;
    while k + 1 < N {
        let mut acc = 0.0;
        let mut i = 0;
        while i <= k {
            acc += omega[i] * d[k - i];
            i += 1;
        }
        let next = acc * INV_K[k + 1];
        let m = k + 1;
        let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
        omega[m] = next;
        d[m] = sign * x2_s2 * (((m + 1) * (m + 2) / 2) as f64) - next;
        k += 1;
    }
    // The truncation: the first dropped term ω₈θ⁹/9 over L′ ≈ ω₀, with ω₈ ≈ ω₇²/ω₆; beyond
    // 1e-17 (of s) the series is not to be trusted this far out.
    let t2 = theta * theta;
    let t4 = t2 * t2;
    let dropped = omega[N - 1] * omega[N - 1] * (t4 * t4 * theta) * INV_K[N + 1];
    // The ratio from the two last pairs, so that one coefficient near zero by chance does not
    // hide the next: |ω₇|·max(|ω₇/ω₆|, |ω₆/ω₅|)·θ⁹/9 ≤ 1e-17·|ω₀|.
    let converged = dropped.abs() <= 1e-17 * (omega[N - 2] * omega[0]).abs()
        && (omega[N - 1] * omega[N - 2] * (t4 * t4 * theta) * INV_K[N + 1]).abs()
            <= 1e-17 * (omega[N - 3] * omega[0]).abs();
    if !converged {
        return None;
    }
    // L(θ) and L′(θ) by Horner.
    let mut l = omega[N - 1] * INV_K[N];
    let mut dl = omega[N - 1];
    let mut k = N - 1;
    while k > 0 {
        k -= 1;
        l = l * theta + omega[k] * INV_K[k + 1];
        dl = dl * theta + omega[k];
    }
    Some(theta - (l * theta - delta) / dl)
}

/// 1/k for k = 0..=9 (entry 0 unused).
const INV_K: [f64; 10] = [
    0.0,
    1.0,
    0.5,
    1.0 / 3.0,
    0.25,
    0.2,
    1.0 / 6.0,
    1.0 / 7.0,
    0.125,
    1.0 / 9.0,
];

/// ln(1 + u), by its Taylor series where |u| < 1e-2 (residuals near the root; the first
/// dropped term, u¹⁰/10, is below 1e-19 of u) and by the library elsewhere.
#[inline]
fn ln_1p_small(u: f64) -> f64 {
    if u.abs() < 1e-2 {
        // u·(1 − u/2 + u²/3 − … + u⁸/9) by Estrin's scheme (the pairs are independent, so the
        // dependency chain is four multiply-adds long instead of nine).
        let u2 = u * u;
        let u4 = u2 * u2;
        let p01 = 1.0 - u * 0.5;
        let p23 = 1.0 / 3.0 - u * 0.25;
        let p45 = 0.2 - u * (1.0 / 6.0);
        let p67 = 1.0 / 7.0 - u * 0.125;
        let p03 = p01 + u2 * p23;
        let p47 = p45 + u2 * p67;
        let p8 = u4 * (1.0 / 9.0);
        u * (p03 + u4 * (p47 + p8))
    } else {
        u.ln_1p()
    }
}

/// A point strictly inside (lo, hi): the midpoint, or 2·lo when hi = ∞.
#[inline]
fn bisect(lo: f64, hi: f64) -> f64 {
    if hi.is_finite() {
        0.5 * (lo + hi)
    } else {
        (2.0 * lo).max(1.0)
    }
}

// Test hooks: start from a given s instead of the guess, and stop after a number of steps.
#[cfg(test)]
thread_local! {
    static START: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
    static STEP_CAP: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_ITERATIONS) };
}
#[cfg(test)]
thread_local! { static COUNT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) }; }

#[cfg(test)]
mod tests {
    use super::super::fits::{branch_t, CORRECTION_DEGREE};
    use super::*;
    use crate::pricing::black::normalised_vega;
    use crate::pricing::normal::norm_pdf;

    fn solve(x: f64, beta: f64, gap: f64) -> f64 {
        implied_total_vol_otm(x, (0.5 * x).exp(), beta, gap)
    }

    /// The benchmark grid (ln(F/K) ∈ [−3, 3], σ√T ∈ [0.01, 2]): every solve needs one
    /// evaluation (a guess within reach of the last step), and the at-the-money row none.
    #[test]
    fn iteration_counts_on_the_benchmark_grid() {
        let mut hist = [0usize; MAX_ITERATIONS + 1];
        for i in 0..25 {
            let x = -(-3.0f64 + 0.25 * i as f64).abs();
            for j in 0..20 {
                let s = 0.01 * 200f64.powf(j as f64 / 19.0);
                let ev = otm_eval(x, s);
                if ev.value < 1e-290 {
                    // Subnormal or zero: the price no longer determines s to 1e-12.
                    continue;
                }
                let gap = otm_gap(x, s, ev.e);
                COUNT.with(|c| c.set(0));
                let got = solve(x, ev.value, gap);
                assert!(((got - s) / s).abs() < 1e-12, "x={x} s={s}: {got}");
                hist[COUNT.with(|c| c.get())] += 1;
            }
        }
        let n: usize = hist.iter().sum();
        assert!(hist[3..].iter().all(|&h| h == 0), "{hist:?}");
        assert!(hist[0] == 20 && hist[1] + hist[0] == n, "{hist:?}");
    }

    /// Solve b₀(x, s) for s on a grid covering all four branches and count the Householder
    /// steps: every case must converge to a few ulps and within the iteration cap.
    #[test]
    fn all_branches_converge_to_a_few_ulps() {
        let mut worst: f64 = 0.0;
        for &x in &[-1e-10f64, -0.01, -0.3, -1.0, -2.5, -5.0, -9.0] {
            let s_c = (-2.0 * x).sqrt();
            for &f in &[1e-3, 0.05, 0.3, 0.7, 0.95, 1.0, 1.05, 1.5, 3.0, 10.0] {
                let s = (s_c * f).max(1e-3);
                let ev = otm_eval(x, s);
                if ev.value < 1e-290 {
                    continue;
                }
                let gap = otm_gap(x, s, ev.e);
                let got = solve(x, ev.value, gap);
                let rel = ((got - s) / s).abs();
                // ∂ln b/∂ln s ≥ 1 below s_c; above it the gap conditions the inverse.
                let slope = s * INV_SQRT_2PI * ev.e / ev.value.min(gap);
                let allowed = 8.0 * f64::EPSILON / slope.min(1.0);
                assert!(
                    rel <= allowed,
                    "x={x} s={s}: {got}, rel {rel:e} > {allowed:e}"
                );
                worst = worst.max(rel);
            }
        }
        assert!(worst < 1e-13, "{worst:e}");
    }

    /// The guesses' inverse normal against statrs' (erfc⁻¹, about 1e-15): Acklam's stated
    /// 1.15e-9 relative, from p = 1e-300 to ½.
    #[test]
    fn fast_inverse_normal() {
        use statrs::function::erf::erfc_inv;
        let mut worst: f64 = 0.0;
        let mut p = 1e-300f64;
        while p < 0.5 {
            for m in [1.0, 1.7, 3.1, 5.3] {
                let q = (p * m).min(0.5);
                let want = -std::f64::consts::SQRT_2 * erfc_inv(2.0 * q);
                let got = inv_norm_cdf_fast(q);
                let err = if want == 0.0 {
                    got.abs()
                } else {
                    (got / want - 1.0).abs()
                };
                worst = worst.max(err);
            }
            p *= 1.5;
        }
        assert!(worst < 1.2e-9, "{worst:e}");
        assert_eq!(inv_norm_cdf_fast(0.5), 0.0);
        // Φ⁻¹(∛v) through ln v in the tail: the same approximation.
        let mut v = 1e-300f64;
        while v < 0.125 {
            let got = inv_norm_cdf_of_cbrt(v);
            let want = inv_norm_cdf_fast(v.cbrt());
            assert!((got / want - 1.0).abs() < 1e-13, "{v:e}: {got} vs {want}");
            v *= 1.7;
        }
    }

    /// One step from s·(1 ± e) on every branch. Within half of `LAST_STEP_TOL` it is the last
    /// step (order six within `SHORT_STEP_TOL`, order eight beyond) and lands where the price
    /// resolves s (8ε over the slope
    /// ∂ln b/∂ln s, as in `all_branches_converge_to_a_few_ulps`); further out it is a
    /// Householder(3) step, whose error is at most about 10·e⁴. Points whose start falls
    /// outside its branch's bracket (a bisection, not a step) are skipped; there are a handful
    /// at branch ends.
    #[test]
    fn one_step_from_a_close_guess_is_final() {
        let mut worst_k: f64 = 0.0;
        for &e0 in &[1.5e-2, 4.5e-3, 3e-3, 1e-3, 3e-4, 1e-4, STEP_TOL] {
            let (mut checked, mut skipped) = (0, 0);
            for i in 0..=80 {
                let x = -(9.0 * (i as f64 / 80.0).powi(2));
                for j in 0..=80 {
                    let s = 1e-3 * (2e4f64).powf(j as f64 / 80.0);
                    let ev = otm_eval(x, s);
                    if ev.value < 1e-280 {
                        continue;
                    }
                    let gap = otm_gap(x, s, ev.e);
                    let slope = s * INV_SQRT_2PI * ev.e / ev.value.min(gap);
                    let floor = 8.0 * f64::EPSILON / slope.min(1.0);
                    // The branch interval holding s (the solver's bracket, up to the fitted
                    // ends): a start outside it is replaced by bisection, not stepped from.
                    let s_c = (-2.0 * x).sqrt();
                    let c_ratio = 0.5 * (1.0 - erfcx(s_c * std::f64::consts::FRAC_1_SQRT_2));
                    let ends = [
                        0.0,
                        s_c - SQRT_2PI * c_ratio,
                        s_c,
                        s_c + SQRT_2PI * (1.0 - c_ratio),
                        f64::INFINITY,
                    ];
                    let branch = ends.windows(2).find(|e| s >= e[0] && s < e[1]);
                    for sign in [-1.0, 1.0] {
                        let start = s * (1.0 + sign * e0);
                        if branch.is_some_and(|e| start < e[0] || start > e[1]) {
                            skipped += 1;
                            continue;
                        }
                        START.with(|p| p.set(Some(start)));
                        STEP_CAP.with(|c| c.set(1));
                        let got = solve(x, ev.value, gap);
                        START.with(|p| p.set(None));
                        STEP_CAP.with(|c| c.set(MAX_ITERATIONS));
                        let e1 = ((got - s) / s).abs();
                        if e1 > 0.5 * e0 {
                            skipped += 1;
                            continue;
                        }
                        checked += 1;
                        let allowed = if e0 <= 0.5 * LAST_STEP_TOL {
                            floor
                        } else {
                            15.0 * e0.powi(4) + floor
                        };
                        assert!(e1 <= allowed, "x={x} s={s} e0={e0:e}: {e1:e}");
                        if e1 > floor {
                            worst_k = worst_k.max(e1 / e0.powi(4));
                        }
                    }
                }
            }
            assert!(skipped * 100 < checked, "e0={e0:e}: {skipped} of {checked}");
        }
        assert!(
            worst_k > 1.0,
            "the test exercises the step's own error: {worst_k}"
        );
    }

    /// Beyond the corrected range (y > 4), outside the zone where the first step is taken from
    /// a rough evaluation, every lowest-branch guess is within 1.5e-2 (mostly within the last
    /// step's reach, 1e-2: at most 5 % are beyond it), and inside it most guesses (at least
    /// 80 %) are more than 1e-2 off (else the rough evaluation would be wasted).
    #[test]
    fn rough_zone_covers_the_poor_guesses() {
        let (mut in_zone, mut in_zone_poor, mut outside, mut outside_poor) = (0, 0, 0, 0);
        for i in 33..=72 {
            let y = 9.0 * (i as f64 / 72.0);
            let x = -y * y;
            let s_c = (-2.0 * x).sqrt();
            let b_max = (0.5 * x).exp();
            let b_c = 0.5 * b_max * (1.0 - erfcx(y));
            let s_l = s_c - b_c / (INV_SQRT_2PI * b_max);
            for k in 1..=200 {
                let s = s_l * k as f64 / 200.0 * 0.9999;
                let ev = otm_eval(x, s);
                if ev.value < 1e-300 {
                    continue;
                }
                STEP_CAP.with(|c| c.set(0));
                let guess = solve(x, ev.value, otm_gap(x, s, ev.e));
                STEP_CAP.with(|c| c.set(MAX_ITERATIONS));
                let err = ((guess - s) / s).abs();
                let r0 = guess / s_l;
                let zone = (ROUGH_ZONE_START..=ROUGH_ZONE_END).contains(&r0);
                if zone {
                    in_zone += 1;
                    in_zone_poor += usize::from(err > LAST_STEP_TOL);
                } else {
                    assert!(err <= 1.5e-2, "y={y} s={s}: guess off by {err:e}, r0 {r0}");
                    outside += 1;
                    outside_poor += usize::from(err > LAST_STEP_TOL);
                }
            }
        }
        assert!(
            in_zone_poor * 10 >= in_zone * 8,
            "{in_zone_poor} of {in_zone}"
        );
        assert!(outside_poor * 20 <= outside, "{outside_poor} of {outside}");
    }

    /// The lowest branch's fitted guess before any correction, with s_l.
    fn raw_lowest_guess(x: f64, beta: f64) -> (f64, f64) {
        let ax = -x;
        let b_max = (0.5 * x).exp();
        let s_c = (2.0 * ax).sqrt();
        let y = s_c * std::f64::consts::FRAC_1_SQRT_2;
        let w = 1.0 / (1.0 + y);
        let t = branch_t_of_w(w);
        let c_ratio = estrin(&BRANCH_C, t) * (y * w);
        let s_l = s_c - SQRT_2PI * c_ratio;
        let b_l = b_max * estrin(&BRANCH_L, t) * (ax / (1.0 + ax));
        let v_l = INV_SQRT_2PI * b_max * estrin(&BRANCH_VL, t);
        (lowest_guess_fitted(ax, y, t, beta, b_l, s_l, v_l), s_l)
    }

    /// Regenerates [`LOWEST_CORRECTION`]: the relative error δ = s/s₀ − 1 of the lowest
    /// branch's guess on a 28 × 28 grid of Chebyshev nodes in (τ, ξ) (true s by bisection on
    /// the guess), its Chebyshev coefficients truncated at degree 8 in each variable and
    /// converted to monomials. `cargo test --lib fit_lowest_correction -- --ignored
    /// --nocapture` prints the table.
    #[test]
    #[ignore = "regenerates a constant table; run by hand"]
    fn fit_lowest_correction() {
        const N: usize = 28;
        const D: usize = CORRECTION_DEGREE;
        let node = |i: usize| (std::f64::consts::PI * (i as f64 + 0.5) / N as f64).cos();
        let mut delta = [[0.0f64; N]; N];
        for (i, row) in delta.iter_mut().enumerate() {
            let t = CORRECTION_T_MIN + (1.0 - CORRECTION_T_MIN) * 0.5 * (node(i) + 1.0);
            let w = 0.55 + 0.45 * t;
            let y = (1.0 - w) / w;
            let x = -y * y;
            let s_l = raw_lowest_guess(x, 1e-300).1;
            let ratio = |s: f64| raw_lowest_guess(x, otm_eval(x, s).value).0 / s_l;
            for (j, cell) in row.iter_mut().enumerate() {
                let rho = CORRECTION_RHO_MIN
                    + (CORRECTION_RHO_MAX - CORRECTION_RHO_MIN) * 0.5 * (node(j) + 1.0);
                let (mut lo, mut hi) = (1e-3 * s_l, s_l * 0.99999);
                while otm_eval(x, lo).value < 1e-300 {
                    lo *= 1.05;
                }
                assert!(ratio(lo) < rho && ratio(hi) > rho, "y={y} rho={rho}");
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if ratio(mid) < rho {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let s = 0.5 * (lo + hi);
                *cell = s / (ratio(s) * s_l) - 1.0;
            }
        }
        // Chebyshev coefficients by the discrete cosine transform on the nodes.
        let cheb = |k: usize, i: usize| {
            (k as f64 * std::f64::consts::PI * (i as f64 + 0.5) / N as f64).cos()
        };
        let mut c = [[0.0f64; D + 1]; D + 1];
        for (k, row) in c.iter_mut().enumerate() {
            for (l, cell) in row.iter_mut().enumerate() {
                let mut acc = 0.0;
                for (i, drow) in delta.iter().enumerate() {
                    for (j, d) in drow.iter().enumerate() {
                        acc += d * cheb(k, i) * cheb(l, j);
                    }
                }
                let scale = if k == 0 { 1.0 } else { 2.0 } * if l == 0 { 1.0 } else { 2.0 };
                *cell = acc * scale / (N * N) as f64;
            }
        }
        // Tₖ in monomials: T₀ = 1, T₁ = x, Tₖ₊₁ = 2x·Tₖ − Tₖ₋₁.
        let mut t_mono = [[0.0f64; D + 1]; D + 1];
        t_mono[0][0] = 1.0;
        t_mono[1][1] = 1.0;
        for k in 1..D {
            for m in 0..=D {
                let up = if m > 0 { 2.0 * t_mono[k][m - 1] } else { 0.0 };
                t_mono[k + 1][m] = up - t_mono[k - 1][m];
            }
        }
        let mut mono = [[0.0f64; D + 1]; D + 1];
        for k in 0..=D {
            for l in 0..=D {
                for a in 0..=D {
                    for b in 0..=D {
                        mono[a][b] += c[k][l] * t_mono[k][a] * t_mono[l][b];
                    }
                }
            }
        }
        println!("const LOWEST_CORRECTION: [[f64; {}]; {}] = [", D + 1, D + 1);
        for row in &mono {
            println!("    [");
            for v in row {
                println!("        {v:e},");
            }
            println!("    ],");
        }
        println!("];");
    }

    /// In the corrected zone (y < 4, s₀/s_l in [0.2, 0.96], where the guess alone is up to
    /// 1.6e-1 off) every corrected guess is within 2.5e-3, well within the last step's reach.
    #[test]
    fn lowest_correction_brings_guesses_within_reach() {
        let (mut n, mut worst, mut within) = (0, 0.0f64, 0usize);
        let near_the_money = [FIT_L_MIN_Y, 2e-3, 5e-3, 1e-2];
        let ys = near_the_money
            .into_iter()
            .chain((1..160).map(|i| 4.0 * (i as f64 / 160.0)));
        for y in ys {
            let x = -y * y;
            let s_l = raw_lowest_guess(x, 1e-300).1;
            for k in 1..=400 {
                let s = s_l * k as f64 / 400.0 * 0.9999;
                let ev = otm_eval(x, s);
                if ev.value < 1e-300 {
                    continue;
                }
                let r0 = raw_lowest_guess(x, ev.value).0 / s_l;
                if !(CORRECTION_RHO_MIN..=CORRECTION_RHO_MAX).contains(&r0) {
                    continue;
                }
                STEP_CAP.with(|c| c.set(0));
                let guess = solve(x, ev.value, otm_gap(x, s, ev.e));
                STEP_CAP.with(|c| c.set(MAX_ITERATIONS));
                let err = ((guess - s) / s).abs();
                n += 1;
                within += usize::from(err <= 0.5 * LAST_STEP_TOL);
                worst = worst.max(err);
            }
        }
        assert!(n > 40_000, "{n}");
        assert!(worst < 2.5e-3, "{worst:e} ({within} of {n} within 5e-3)");
    }

    #[test]
    fn ln_1p_by_series_near_zero() {
        let mut worst: f64 = 0.0;
        for i in 1..=4000 {
            let u = 0.0125 * (i as f64 / 2000.0 - 1.0001);
            worst = worst.max(((ln_1p_small(u) - u.ln_1p()) / u.ln_1p()).abs());
        }
        assert!(worst < 3.0 * f64::EPSILON, "{worst:e}");
        assert_eq!(ln_1p_small(0.0), 0.0);
    }

    #[test]
    fn fast_cube_root() {
        let mut worst: f64 = 0.0;
        let mut a = f64::MIN_POSITIVE;
        while a < 1e300 {
            for m in [1.0, 1.3, 2.0, 2.9, 5.5, 7.99] {
                let v = a * m;
                worst = worst.max((cbrt_fast(v) / v.cbrt() - 1.0).abs());
            }
            a *= 10.0;
        }
        assert!(worst < 1e-13, "{worst:e}");
        assert_eq!(cbrt_fast(0.0), 0.0);
        assert!((cbrt_fast(1e-310) / 1e-310f64.cbrt() - 1.0).abs() < 1e-15);
    }

    /// The fitted branch-end values against the accurate kernel, at their stated accuracy.
    #[test]
    fn branch_end_fits_hold_their_accuracy() {
        let (mut worst_l, mut worst_u, mut worst_m, mut worst_c) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let (mut worst_v, mut worst_z) = (0.0f64, 0.0f64);
        for i in 0..=2000 {
            let y = FIT_MAX_Y * i as f64 / 2000.0;
            let ax = y * y;
            let x = -ax;
            let b_max = (0.5 * x).exp();
            let s_c = (2.0 * ax).sqrt();
            let b_c = 0.5 * b_max * (1.0 - erfcx(y));
            if y > 0.0 {
                let c = b_max * estrin(&BRANCH_C, branch_t(y)) * (y / (1.0 + y));
                worst_c = worst_c.max((c / b_c - 1.0).abs());
            }
            let v_c = INV_SQRT_2PI * b_max;
            let s_u = s_c + (b_max - b_c) / v_c;
            let u = b_max * estrin(&BRANCH_U, branch_t(y));
            worst_u = worst_u.max((u / otm_eval(x, s_u).value - 1.0).abs());
            let vu = INV_SQRT_2PI * b_max * estrin(&BRANCH_VU, branch_t(y));
            worst_v = worst_v.max((vu / normalised_vega(x, s_u) - 1.0).abs());
            if y >= FIT_L_MIN_Y {
                let s_l = s_c - b_c / v_c;
                let z_l = -ax / (SQRT_3 * s_l);
                let m = estrin(&BRANCH_M, branch_t(y));
                worst_m = worst_m.max((m * norm_pdf(z_l) / norm_cdf(z_l) - 1.0).abs());
                let z = estrin(&BRANCH_Z, branch_t(y)) * (1.0 + y);
                worst_z = worst_z.max((z / z_l - 1.0).abs());
                let s_l = s_c - b_c / v_c;
                let l = b_max * estrin(&BRANCH_L, branch_t(y)) * (ax / (1.0 + ax));
                worst_l = worst_l.max((l / otm_eval(x, s_l).value - 1.0).abs());
                let vl = INV_SQRT_2PI * b_max * estrin(&BRANCH_VL, branch_t(y));
                worst_v = worst_v.max((vl / normalised_vega(x, s_l) - 1.0).abs());
            }
        }
        assert!(worst_l < 5e-6, "{worst_l:e}");
        assert!(worst_u < 6e-7, "{worst_u:e}");
        assert!(worst_m < 5e-7, "{worst_m:e}");
        assert!(worst_c < 6e-7, "{worst_c:e}");
        assert!(worst_v < 5e-6, "{worst_v:e}");
        assert!(worst_z < 4e-7, "{worst_z:e}");
    }

    #[test]
    fn at_the_money_has_no_lower_branches() {
        // x = 0: b₀ = erf(s/(2√2)); s_c = 0 and every price is in the upper half.
        for &s in &[1e-4, 0.01, 0.2, 1.0, 3.0, 8.0] {
            let ev = otm_eval(0.0, s);
            let got = solve(0.0, ev.value, otm_gap(0.0, s, ev.e));
            assert!(((got - s) / s).abs() < 1e-14, "{s}: {got}");
        }
    }

    /// At the money the solve is one inverse normal and one Newton step (no evaluation of the
    /// general kernel), to a few ulps from s = 1e-8 (β ≈ 4e-9) to s = 75 (γ ≈ 1e-307), and
    /// where e^{−τ²} underflows the general solver takes over.
    #[test]
    fn at_the_money_in_closed_form() {
        let mut worst = 0.0f64;
        for i in 0..=1000 {
            let s = 1e-8 * 10f64.powf(i as f64 * (75f64.log10() + 8.0) / 1000.0);
            let ev = otm_eval(0.0, s);
            let gap = otm_gap(0.0, s, ev.e);
            COUNT.with(|c| c.set(0));
            let got = solve(0.0, ev.value, gap);
            assert_eq!(COUNT.with(|c| c.get()), 0, "{s}");
            worst = worst.max(((got - s) / s).abs());
        }
        assert!(worst < 4.0 * f64::EPSILON, "{worst:e}");
        // β on both sides of the switch from erf to erfc (β = ½, τ ≈ 0.477).
        for beta in [0.499_999_999_999, 0.5, 0.500_000_000_001] {
            let got = solve(0.0, beta, 1.0 - beta);
            let ev = otm_eval(0.0, got);
            assert!((ev.value / beta - 1.0).abs() < 4.0 * f64::EPSILON, "{beta}");
        }
        // Beyond binary64's exponent range for e^{−τ²}: the general solver's answer.
        assert!(implied_total_vol_atm(1.0, 1e-320).is_none());
        let got = solve(0.0, 1.0, 1e-320);
        assert!(got.is_finite() && got > 70.0, "{got}");
    }

    /// In the fitted range the lowest branch's control parameter is the monotonicity minimum
    /// (the one asking for f″(0) = 0 is smaller, or the same to 1e-6 where b_l/f_l is tiny, except
    /// near its pole where f_l = b_l), and
    /// the fitted guess, built on that, agrees with the guess from computed end values.
    #[test]
    fn lowest_control_parameter_is_the_monotone_minimum() {
        let (mut near_pole, mut worst) = (0usize, 0.0f64);
        for i in 0..=400 {
            let y = FIT_L_MIN_Y + (FIT_MAX_Y - FIT_L_MIN_Y) * i as f64 / 400.0;
            let ax = y * y;
            let x = -ax;
            let b_max = (0.5 * x).exp();
            let s_c = (2.0 * ax).sqrt();
            let s_l = s_c - SQRT_2PI * 0.5 * (1.0 - erfcx(y));
            let ev = otm_eval(x, s_l);
            let (b_l, v_l) = (ev.value, INV_SQRT_2PI * ev.e);
            let c = 2.0 * std::f64::consts::PI * ax / (3.0 * SQRT_3);
            let z_l = -ax / (SQRT_3 * s_l);
            let f_l = c * norm_cdf(z_l).powi(3);
            let d_r = 3.0 * c * norm_cdf(z_l).powi(2) * norm_pdf(z_l) * (-z_l) / s_l / v_l;
            let target = (d_r - 1.0) * b_l / (f_l - b_l);
            let monotone = (1.0 + d_r) * b_l / f_l;
            if (f_l / b_l - 1.0).abs() < 0.05 {
                // There the general guess interpolates almost linearly (r up to 1e6).
                near_pole += 1;
                continue;
            }
            // At large y the two meet (b_l/f_l → 0): equal to within 1e-6 there.
            assert!(
                target < monotone * (1.0 + 1e-6),
                "y={y}: {target} {monotone}"
            );
            let t = branch_t(y);
            let b_l_fit = b_max * estrin(&BRANCH_L, t) * (ax / (1.0 + ax));
            let v_l_fit = INV_SQRT_2PI * b_max * estrin(&BRANCH_VL, t);
            for j in 1..40 {
                let beta = b_l_fit * (j as f64 / 40.0).powi(3);
                let fitted = lowest_guess_fitted(ax, y, t, beta, b_l_fit, s_l, v_l_fit);
                let general = lowest_guess_general(ax, beta, b_l_fit, s_l, v_l_fit);
                worst = worst.max((fitted / general - 1.0).abs());
            }
        }
        assert!(near_pole < 10, "{near_pole}");
        assert!(worst < 1e-5, "{worst:e}");
    }
}
