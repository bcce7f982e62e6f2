//! The scaled complementary error function erfcx(z) = e^{z²}·erfc(z), built here for speed
//! (no jump table, no library `floor`) at the accuracy of the Faddeeva-package algorithm.
//!
//! * 0 ≤ z ≤ 12: with y = 4/(4 + z) ∈ [¼, 1] (erfcx is smooth and slowly varying in y), twelve
//!   intervals [i/16, (i+1)/16] each carry a degree-11 polynomial in t = 32y − (2i + 1) ∈ [−1, 1]:
//!   the Chebyshev expansion of erfcx on the interval truncated after degree 11 (the dropped
//!   coefficients are below 4e-22 relative, so that the polynomials' *derivatives* are accurate
//!   too, which [`erfcx_difference`] relies on) and converted to monomials.
//! * z > 12: z·√π·erfcx(z) = P(1/z²) with a degree-8 polynomial, the truncated Chebyshev
//!   expansion on 1/z² ∈ [0, 1/144] (dropped part below 2e-20), exact in the limit z → ∞.
//! * z < 0: erfcx(z) = 2e^{z²} − erfcx(−z), with z² split exactly so that e^{z²} keeps full
//!   relative precision; +∞ once e^{z²} overflows.
//!
//! The coefficients were derived for ccplan with mpmath at 50 digits by
//! `tests/reference/erfcx_table.py`; `tests/reference/erfcx_reference.csv` (mpmath, 40 digits)
//! checks the result over the whole domain in the tests below (within 2.5 ulp relative).

/// erfcx(z) = e^{z²}·erfc(z) for every z (+∞ for z < −26.64, where e^{z²} overflows; NaN in,
/// NaN out).
#[inline]
pub fn erfcx(z: f64) -> f64 {
    if z >= 0.0 {
        erfcx_nonneg(z)
    } else {
        erfcx_negative(z)
    }
}

/// erfcx(z) for z < 0 (or NaN). Not inlined: LLVM treats `exp` as free of side effects and
/// would otherwise hoist this branch's exponential out of the test at every inlined call site,
/// evaluating it on the common non-negative path too.
#[inline(never)]
fn erfcx_negative(z: f64) -> f64 {
    if z >= -26.0 {
        // 2e^{z²} − erfcx(|z|): e^{z²} ≥ 1 ≥ erfcx(|z|), so no cancellation beyond a factor 2.
        let (hi, lo) = two_prod(z, z);
        2.0 * hi.exp() * (1.0 + lo) - erfcx_nonneg(-z)
    } else if z.is_nan() {
        z
    } else {
        let (hi, lo) = two_prod(z, z);
        2.0 * hi.exp() * (1.0 + lo)
    }
}

#[inline]
fn erfcx_nonneg(z: f64) -> f64 {
    if z <= 12.0 {
        let r = 1.0 / (4.0 + z);
        // z ≤ 12: y = 4r ∈ [¼, 1], an interval i ∈ 4..=15.
        let i = piece_of(r).max(4);
        let t = piece_t(i, z, r);
        let c = &ERFCX_Y[i];
        // Estrin's scheme: shorter dependency chains than Horner, same accuracy here (|t| ≤ 1
        // and the coefficients fall by about 10× per degree).
        let t2 = t * t;
        let t4 = t2 * t2;
        let p01 = c[0] + c[1] * t;
        let p23 = c[2] + c[3] * t;
        let p45 = c[4] + c[5] * t;
        let p67 = c[6] + c[7] * t;
        let p89 = c[8] + c[9] * t;
        let p1011 = c[10] + c[11] * t;
        let p03 = p01 + p23 * t2;
        let p47 = p45 + p67 * t2;
        let p811 = p89 + p1011 * t2;
        p03 + (p47 + p811 * t4) * t4
    } else {
        const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
        let r = 1.0 / z;
        let w = r * r;
        let c = &ERFCX_W;
        let w2 = w * w;
        let w4 = w2 * w2;
        let p01 = c[0] + c[1] * w;
        let p23 = c[2] + c[3] * w;
        let p45 = c[4] + c[5] * w;
        let p67 = c[6] + c[7] * w;
        let p03 = p01 + p23 * w2;
        let p47 = p45 + p67 * w2;
        let p = p03 + (p47 + c[8] * w4) * w4;
        FRAC_1_SQRT_PI * r * p
    }
}

/// erfcx(a − τ) − erfcx(a + τ) for a ≥ τ ≥ 0, to a few ulps *relative to the difference*
/// however small τ is against a.
///
/// Computed as the difference of erfcx's own piecewise polynomials, written as a divided
/// difference so that nothing cancels: on one interval erfcx = p(t) with t affine in y =
/// 4/(4 + z), and p(t₁) − p(t₂) = (t₁ − t₂)·p[t₁, t₂], where the divided difference
/// p[t₁, t₂] = Σₖ cₖ·Pₖ, Pₖ = (t₁ᵏ − t₂ᵏ)/(t₁ − t₂), follows from the three-term recurrence
/// Pₖ = (t₁ + t₂)·Pₖ₋₁ − t₁t₂·Pₖ₋₂ (P₀ = 0, P₁ = 1) and is dominated by c₁ (the coefficients
/// fall by about 10× per degree), so it is accurate to an ulp or two. The span itself comes from
/// τ, not from the rounded ends: y₁ − y₂ = 8τ/((4 + z₁)(4 + z₂)) exactly in real arithmetic, so
/// the rounding of a ± τ (which would cost ε·a/τ of relative accuracy in a plain difference)
/// moves only where p[t₁, t₂] is evaluated, to which it is insensitive.
///
/// * Both ends on one interval, or a span of at most 0.5 in t: one divided difference, on the
///   interval of the midpoint a, evaluated up to 0.25 beyond its ends (where the truncated
///   Chebyshev series still holds its accuracy: T₁₂(1.25) ≈ 2·10³ and |T₁₂′(1.25)| ≈ 3·10⁴,
///   times a truncation ≤ 4e-22, stay below 1e-16 of the value and of the divided difference).
/// * A longer span: one divided difference per interval crossed, the end pieces' lengths from
///   a ∓ τ carried exactly. The mismatch of two adjacent fits at their common end (≤ 4e-22 of
///   erfcx) is then far below an ulp of the difference, because a span of 0.5 in t means
///   a ≤ 32·τ.
/// * Beyond z = 12 the asymptotic piece z·√π·erfcx(z) = P(w), w = 1/z², is differenced the
///   same way in ρ = 1/z: ρP(ρ²) at ρ₁ minus at ρ₂ is (ρ₁ − ρ₂)·(P(w₁) + ρ₂(ρ₁ + ρ₂)·P[w₁, w₂]).
#[inline]
pub fn erfcx_difference(a: f64, tau: f64) -> f64 {
    debug_assert!(a >= tau && tau >= 0.0);
    let q1 = 4.0 + (a - tau);
    let q2 = 4.0 + (a + tau);
    let inv = 1.0 / (q1 * q2);
    erfcx_difference_with(a, tau, q2 * inv, q1 * inv, inv)
}

/// [`erfcx_difference`] given r₁ = 1/(4 + a − τ), r₂ = 1/(4 + a + τ) and `inv` = r₁·r₂, which a
/// caller may have formed without waiting for a (the pricing kernel forms them from s and |x|
/// while a = |x|/(s√2) is still being divided).
#[inline]
pub(crate) fn erfcx_difference_with(a: f64, tau: f64, r1: f64, r2: f64, inv: f64) -> f64 {
    debug_assert!(a >= tau && tau >= 0.0);
    let z1 = a - tau;
    let z2 = a + tau;
    // The exact span in y = 4/(4 + z).
    let span = 8.0 * tau * inv;
    let k1 = piece_of(r1);
    let k2 = piece_of(r2);
    if k1 == k2 || 32.0 * span <= 0.5 {
        // The midpoint's interval: r at a is within rounding of the mean of r₁ and r₂.
        let k = if k1 == k2 {
            k1
        } else {
            piece_of(0.5 * (r1 + r2))
        };
        return span * dd_in_y(k, z1, r1, z2, r2);
    }
    // Several intervals, from the one holding z₁ (largest y) down to the one holding z₂. The
    // lengths of the two end pieces come from z₁ and z₂ carried exactly (a ∓ τ as a sum of two
    // doubles): y₁ − k/16 = (64 − k(4 + z₁))/(16(4 + z₁)) would otherwise lose ε·z₁ of absolute
    // accuracy, i.e. ε·a/τ of the difference.
    let z1_lo = (a - z1) - tau;
    let z2_lo = tau - (z2 - a);
    let k1f = k1 as f64;
    let (p, e) = two_prod(k1f, z1);
    let first = (((64.0 - 4.0 * k1f) - p) - e - k1f * z1_lo) * r1 * (1.0 / 16.0);
    let mut sum = first * 32.0 * poly_dd_12(&ERFCX_Y[k1], piece_t(k1, z1, r1), -1.0);
    let mut k = k1 - 1;
    while k > k2 && k >= 4 {
        // A whole interval: y from (k+1)/16 down to k/16, t from 1 to −1.
        sum += ERFCX_Y_SPAN[k];
        k -= 1;
    }
    if k >= 4 {
        let kf = (k + 1) as f64;
        let (p, e) = two_prod(kf, z2);
        let last = (((4.0 * kf - 64.0) + p) + e + kf * z2_lo) * r2 * (1.0 / 16.0);
        sum + last * 32.0 * poly_dd_12(&ERFCX_Y[k], 1.0, piece_t(k, z2, r2))
    } else {
        // The asymptotic piece, from z = 12 (ρ = 1/12, y = ¼) to z₂: ¼ − y₂ = (z₂ − 12)/(4(4 + z₂)).
        let rho2 = 1.0 / z2;
        let last = ((z2 - 12.0) + z2_lo) * r2 * 0.25;
        let dd = asymptotic_dd_rho(1.0 / 12.0, rho2) * (1.0 / 3.0) * (1.0 + 4.0 * rho2);
        sum + last * dd
    }
}

/// a·b as an unevaluated sum p + e, exactly (Dekker's product with Veltkamp's splitting; a
/// fused multiply-add when the target has one). |a|, |b| < 1e150.
#[inline]
pub(super) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    #[cfg(target_feature = "fma")]
    {
        (p, a.mul_add(b, -p))
    }
    #[cfg(not(target_feature = "fma"))]
    {
        const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
        let split = |v: f64| {
            let c = SPLIT * v;
            let hi = c - (c - v);
            (hi, v - hi)
        };
        let (ah, al) = split(a);
        let (bh, bl) = split(b);
        (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
    }
}

/// The interval of erfcx's piecewise representation holding y = 4r, r = 1/(4 + z): ⌊16y⌋ in
/// 4..=15 for z ≤ 12 (clamped to 15 at y = 1), and 3 for the asymptotic piece z > 12.
#[inline]
fn piece_of(r: f64) -> usize {
    // Through i32: Rust's saturating float-to-int conversion is a few instructions for i32 and
    // about three times as many for usize.
    ((64.0 * r) as i32).clamp(3, 15) as usize
}

/// The local variable t = 32y − (2k + 1) = ((124 − 8k) − (2k + 1)·z)/(4 + z) of interval k at
/// z (r = 1/(4 + z)), from z rather than from the rounded y: near z = 0 erfcx is 7× as
/// sensitive to a relative change of y as y is, and this form keeps t's absolute error near ε
/// instead of 16ε.
#[inline]
fn piece_t(k: usize, z: f64, r: f64) -> f64 {
    ((124 - 8 * k as i64) as f64 - (2 * k + 1) as f64 * z) * r
}

/// (erfcx(z₁) − erfcx(z₂))/(y₁ − y₂) on one piece k (evaluated slightly beyond its ends when
/// asked).
#[inline]
fn dd_in_y(k: usize, z1: f64, r1: f64, z2: f64, r2: f64) -> f64 {
    if k >= 4 {
        32.0 * poly_dd_12(&ERFCX_Y[k], piece_t(k, z1, r1), piece_t(k, z2, r2))
    } else {
        // dy/dρ: y = 4ρ/(1 + 4ρ), so y₁ − y₂ = 4(ρ₁ − ρ₂)/((1 + 4ρ₁)(1 + 4ρ₂)).
        let rho1 = 1.0 / z1;
        let rho2 = 1.0 / z2;
        asymptotic_dd_rho(rho1, rho2) * (0.25 * (1.0 + 4.0 * rho1) * (1.0 + 4.0 * rho2))
    }
}

/// (G(ρ₁) − G(ρ₂))/(ρ₁ − ρ₂) for G(ρ) = ρ·P(ρ²)/√π = erfcx(1/ρ), z > 12.
#[inline]
fn asymptotic_dd_rho(rho1: f64, rho2: f64) -> f64 {
    const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
    let w1 = rho1 * rho1;
    let w2 = rho2 * rho2;
    let c = &ERFCX_W;
    let mut p1 = c[8];
    for &ck in c[..8].iter().rev() {
        p1 = p1 * w1 + ck;
    }
    let dd_w = poly_dd(c, w1, w2);
    FRAC_1_SQRT_PI * (p1 + rho2 * (rho1 + rho2) * dd_w)
}

/// The divided difference p[u₁, u₂] = (p(u₁) − p(u₂))/(u₁ − u₂) of p(u) = Σₖ cₖuᵏ (p′(u₁)
/// when u₁ = u₂): synthetic division by (u − u₂) gives the quotient's coefficients bₖ₋₁ =
/// cₖ + u₂·bₖ, and Horner evaluates the quotient at u₁. Both sums are dominated by their
/// lowest-order term (|u| ≲ 1.1 and the cₖ fall quickly), so neither cancels.
#[inline]
fn poly_dd<const N: usize>(c: &[f64; N], u1: f64, u2: f64) -> f64 {
    let mut b = c[N - 1];
    let mut acc = b;
    let mut k = N - 2;
    while k >= 1 {
        b = c[k] + u2 * b;
        acc = acc * u1 + b;
        k -= 1;
    }
    acc
}

/// [`poly_dd`] for the degree-11 pieces, arranged for a short dependency chain (about nine
/// operations deep instead of twenty-two): with p = A + u⁴·B + u⁸·C and A, B, C cubics,
/// p[u₁, u₂] = A[u₁, u₂] + u₁⁴·B[u₁, u₂] + B(u₂)·P₄ + u₁⁸·C[u₁, u₂] + C(u₂)·P₈, where
/// Pₖ = (u₁ᵏ − u₂ᵏ)/(u₁ − u₂) (P₄ = (u₁ + u₂)(u₁² + u₂²), P₈ = P₄·(u₁⁴ + u₂⁴)) and a cubic's
/// divided difference is c₁ + c₂(u₁ + u₂) + c₃(u₁² + u₁u₂ + u₂²). The same sum as
/// Σₖ cₖ·Pₖ regrouped: still dominated by c₁, no cancellation.
#[inline]
fn poly_dd_12(c: &[f64; 12], u1: f64, u2: f64) -> f64 {
    let s1 = u1 + u2;
    let a2 = u1 * u1;
    let b2 = u2 * u2;
    let s2 = a2 + u1 * u2 + b2;
    let q = a2 + b2;
    let a4 = a2 * a2;
    let b4 = b2 * b2;
    let p4 = s1 * q;
    let p8 = p4 * (a4 + b4);
    let dd_a = c[1] + (c[2] * s1 + c[3] * s2);
    let dd_b = c[5] + (c[6] * s1 + c[7] * s2);
    let dd_c = c[9] + (c[10] * s1 + c[11] * s2);
    let b_at_u2 = (c[4] + c[5] * u2) + b2 * (c[6] + c[7] * u2);
    let c_at_u2 = (c[8] + c[9] * u2) + b2 * (c[10] + c[11] * u2);
    dd_a + ((a4 * dd_b + b_at_u2 * p4) + (a4 * a4 * dd_c + c_at_u2 * p8))
}

/// e(k) = erfcx at the upper end of interval k minus at its lower end (y from (k+1)/16 down to
/// k/16, t from 1 to −1): p(1) − p(−1) = 2·(c₁ + c₃ + … + c₁₁).
const ERFCX_Y_SPAN: [f64; 16] = {
    let mut out = [0.0; 16];
    let mut k = 4;
    while k < 16 {
        let c = &ERFCX_Y[k];
        out[k] = 2.0 * (c[1] + c[3] + c[5] + c[7] + c[9] + c[11]);
        k += 1;
    }
    out
};

#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
// y-intervals [i/16,(i+1)/16], i = 4..15 (row i); local t = 32*(y - (i+1/2)/16); monomial in t, ascending
// (degree 11: the truncation also bounds the error of erfcx's divided differences)
const ERFCX_Y: [[f64; 12]; 16] = [
    [0.0; 12], // rows 0..=3 unused: the table is indexed by the interval number itself
    [0.0; 12],
    [0.0; 12],
    [0.0; 12],
    [
        5.4932068172782456237e-2,
        8.412525224496674659e-3,
        3.4769100154764823959e-4,
        1.3484843905265767326e-5,
        4.8774053942525605051e-7,
        1.6317369192199184576e-8,
        4.9920430141227974735e-10,
        1.3732995271465468806e-11,
        3.3057830650970196413e-13,
        6.6152499044636859318e-15,
        9.6835264268019852864e-17,
        5.2054655815577983852e-19,
    ], // truncation 1.7e-22
    [
        7.3264121178667402183e-2,
        9.982122798210283624e-3,
        4.4174088907466464486e-4,
        1.8127655621486596655e-5,
        6.8510996977307784159e-7,
        2.3623622181131302986e-8,
        7.3326828583661699689e-10,
        2.0069982549857890437e-11,
        4.6757742492637625827e-13,
        8.6201218095646638617e-15,
        1.0053345637757352589e-16,
        -2.7741821514165012226e-19,
    ], // truncation 2.6e-22
    [
        9.5152118914128363453e-2,
        1.1990581908808140022e-2,
        5.690297020382690879e-4,
        2.4682928152427498349e-5,
        9.7152166203038626287e-7,
        3.4336371699135211542e-8,
        1.0727407182371375419e-9,
        2.8886456129013451468e-11,
        6.400995573272721828e-13,
        1.048242588940436543e-14,
        8.0275567780657145403e-17,
        -1.6599995639353262755e-18,
    ], // truncation 3.1e-22
    [
        1.2162358059778751541e-1,
        1.4596951045066392161e-2,
        7.4346876628510455909e-4,
        3.4017575816692005145e-5,
        1.3880982088478508578e-6,
        4.9944212441900793118e-8,
        1.5561280807186739718e-9,
        4.0704192446176584217e-11,
        8.4050469693044403115e-13,
        1.1597667735779604632e-14,
        2.3978085260799834047e-17,
        -3.5097538665953013913e-18,
    ], // truncation 2.9e-22
    [
        1.5408741116919218719e-1,
        1.8027769599235368515e-2,
        9.8528649895034441492e-4,
        4.7393473573432803829e-5,
        1.9932934856786162187e-6,
        7.2436911711900054665e-8,
        2.2279415620670265706e-9,
        5.5824976361782878102e-11,
        1.0483430202006798617e-12,
        1.1166723545059823181e-14,
        -7.4516921760825168652e-17,
        -5.3997220335946029264e-18,
    ], // truncation 2.0e-22
    [
        1.9449760483686003901e-1,
        2.2607671495554124566e-2,
        1.3238554864170189727e-3,
        6.6626967849454185933e-5,
        2.8681880226389667219e-6,
        1.04352912416054984e-7,
        3.1340761931940939608e-9,
        7.4104946514630590311e-11,
        1.2283270074771505591e-12,
        8.3818770141491617037e-15,
        -2.0890359000118345817e-16,
        -6.6487666813852754478e-18,
    ], // truncation 6.3e-23
    [
        2.4559082620281671097e-1,
        2.8803383522752442101e-2,
        1.8016062530517726377e-3,
        9.4291782219880484285e-5,
        4.1219175348855248189e-6,
        1.4875194773634708825e-7,
        4.3139494780547489049e-9,
        9.4729093274098905039e-11,
        1.3326986161094575061e-12,
        2.7182246686898142451e-15,
        -3.5712946075918695557e-16,
        -6.5575525935396000263e-18,
    ], // truncation 6.9e-23
    [
        3.1122935182144752085e-1,
        3.7285983524511273557e-2,
        2.4792845252770848471e-3,
        1.3396287766705528749e-4,
        5.8962966367747165567e-6,
        2.090760441960628064e-7,
        5.7899511974192675128e-9,
        1.1606737109764841195e-10,
        1.3090804532064872074e-12,
        -5.7700683131927012424e-15,
        -4.8453892890676028466e-16,
        -4.7314067773015766331e-18,
    ], // truncation 1.6e-22
    [
        3.9689157691768232647e-1,
        4.90172487270203725e-2,
        3.4427688932315866698e-3,
        1.9048998966698390001e-4,
        8.368389218362512743e-6,
        2.8887591555218605237e-7,
        7.5559419108395746272e-9,
        1.3569439279425839253e-10,
        1.1126775624928555761e-12,
        -1.6284437696418952858e-14,
        -5.5347253155351495839e-16,
        -1.3144994431870661262e-18,
    ], // truncation 1.8e-22
    [
        5.1036470934388000998e-1,
        6.5366615335133150652e-2,
        4.8115667708819999014e-3,
        2.7027897743021649921e-4,
        1.1749672379753922887e-5,
        3.9140670902613061001e-7,
        9.567469560541792872e-9,
        1.5061789107787281463e-10,
        7.1947926564842150218e-13,
        -2.7345640640955091139e-14,
        -5.356783203885368913e-16,
        3.0021830118630299241e-18,
    ], // truncation 1.6e-22
    [
        6.6270759045666654107e-1,
        8.8265437302704623402e-2,
        6.7489438744356017026e-3,
        3.8154890018677843207e-4,
        1.6280649156177387201e-5,
        5.191312280267408875e-7,
        1.173657902470178406e-8,
        1.5769751379434583437e-10,
        1.3614678876226889079e-13,
        -3.7089792086190383856e-14,
        -4.2220851445947418578e-16,
        7.2066500419335109161e-18,
    ], // truncation 1.0e-22
    [
        8.6956450568889376057e-1,
        1.2040463499746791589e-1,
        9.4734261736522049123e-3,
        5.3452554421966542852e-4,
        2.2220309063863678935e-5,
        6.7319980860309353197e-7,
        1.393336372275127337e-8,
        1.5417104219881007721e-10,
        -5.9686052460745105565e-13,
        -4.3701535077669238018e-14,
        -2.2677432025609784943e-16,
        1.0309034560811313487e-17,
    ], // truncation 4.7e-23
];
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
// x >= 12: x*sqrt(pi)*erfcx(x) = P(1/x^2), truncation 1.4e-20
const ERFCX_W: [f64; 9] = [
    9.9999999999999999999e-1,
    -4.9999999999999966556e-1,
    7.4999999999870981529e-1,
    -1.8749999980811669995,
    6.5624985675530799888,
    -2.9530647352665117243e+1,
    1.6227208503576989678e+2,
    -1.0337927515549534455e+3,
    6.1334587029680585535e+3,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The regrouped divided difference against the synthetic-division one on every piece,
    /// across the evaluation range (t up to 0.25 beyond the ends) and for u₁ = u₂ (the
    /// derivative).
    #[test]
    fn short_chain_divided_difference_matches_synthetic_division() {
        let mut worst: f64 = 0.0;
        for c in &ERFCX_Y[4..] {
            for i in 0..=50 {
                let u1 = -1.25 + 2.5 * i as f64 / 50.0;
                for j in 0..=50 {
                    let u2 = -1.25 + 2.5 * j as f64 / 50.0;
                    let want = poly_dd(c, u1, u2);
                    worst = worst.max(((poly_dd_12(c, u1, u2) - want) / want).abs());
                }
                let want = poly_dd(c, u1, u1);
                worst = worst.max(((poly_dd_12(c, u1, u1) - want) / want).abs());
            }
        }
        assert!(worst < 4.0 * f64::EPSILON, "{worst:e}");
    }
}
