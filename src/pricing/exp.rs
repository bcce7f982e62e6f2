//! An inline exponential for the pricing kernel's hot paths: Tang's table-driven method
//! (P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE
//! floating-point arithmetic", ACM TOMS 15, 1989) with 32 table entries.
//!
//! e^x = 2^m · 2^(j/32) · e^r with x = (32m + j)·ln2/32 + r, |r| ≤ ln2/64: k = 32m + j is
//! x·32/ln2 rounded to the nearest integer, r = x − k·ln2/32 is exact to about 2⁻⁸⁰ (ln2/32 in
//! a 36-bit head, so k·head is exact, plus a tail), e^r − 1 is its Taylor polynomial of degree 6
//! (the dropped term is below 4e-18 relative), and 2^(j/32) is a double-double table entry.
//! The result is within about 0.52 ulp of e^x (checked against the platform's `exp` in the
//! tests: never more than one ulp apart). Arguments whose result would be subnormal or
//! overflow, and NaN, go to `f64::exp`.
//!
//! Why not `f64::exp`: it is a library call (with an errno wrapper on glibc) that the compiler
//! cannot inline or schedule around, and the implied-volatility solver evaluates four or five
//! exponentials per solve.

/// 32/ln 2.
const INV_LN2_32: f64 = 46.16624130844683;
/// ln2/32 = LN2_32_HI + LN2_32_LO, the head with 36 significant bits.
const LN2_32_HI: f64 = 0.021660849392446835;
const LN2_32_LO: f64 = 5.145609244655338e-14;
/// 1.5·2⁵²: adding it rounds a double of magnitude below 2⁵¹ to an integer, readable from the
/// low bits of the sum.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// e^x for x in this range is a normal double.
const MIN_NORMAL_ARG: f64 = -708.39;
const MAX_ARG: f64 = 709.78;

/// 2^(j/32) = head + tail, j = 0..31 (`tests/reference/exp_table.py`, mpmath at 50 digits).
#[allow(
    clippy::excessive_precision,
    clippy::unreadable_literal,
    clippy::approx_constant
)]
const TABLE: [(f64, f64); 32] = [
    (1.0, 0.0),
    (1.0218971486541166, 5.109225028973444e-17),
    (1.0442737824274138, 8.551889705537965e-17),
    (1.0671404006768237, -7.899853966841582e-17),
    (1.0905077326652577, -3.046782079812471e-17),
    (1.1143867425958924, 1.0410278456845571e-16),
    (1.1387886347566916, 8.912812676025408e-17),
    (1.1637248587775775, 3.8292048369240935e-17),
    (1.189207115002721, 3.982015231465646e-17),
    (1.215247359980469, -7.712630692681488e-17),
    (1.241857812073484, 4.658027591836937e-17),
    (1.2690509571917332, 2.667932131342186e-18),
    (1.2968395546510096, 2.5382502794888315e-17),
    (1.3252366431597413, -2.8587312100388614e-17),
    (1.3542555469368927, 7.70094837980299e-17),
    (1.383909881963832, -6.770511658794786e-17),
    (1.4142135623730951, -9.667293313452913e-17),
    (1.4451808069770467, -3.0237581349939873e-17),
    (1.4768261459394993, -3.483994556892796e-17),
    (1.5091644275934228, -1.016455327754295e-16),
    (1.5422108254079407, 7.949834809697621e-17),
    (1.5759808451078865, -1.0136916471278304e-17),
    (1.6104903319492543, 2.4707192569797888e-17),
    (1.645755478153965, -1.0125679913674773e-16),
    (1.681792830507429, 8.199010020581497e-17),
    (1.718619298122478, -1.851380418263111e-17),
    (1.7562521603732995, 2.960140695448873e-17),
    (1.7947090750031072, 1.8227458427912087e-17),
    (1.8340080864093424, 3.283107224245627e-17),
    (1.8741676341103, -6.122763413004143e-17),
    (1.9152065613971474, -1.0619946056195963e-16),
    (1.9571441241754002, 8.960767791036668e-17),
];

/// e^x, within about half an ulp (see the module docs).
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
    if !(x > MIN_NORMAL_ARG && x < MAX_ARG) {
        return exp_outside(x);
    }
    let kd = x * INV_LN2_32 + SHIFT;
    // The low 32 bits of kd's representation hold k in two's complement (|k| < 2¹⁶).
    let k = kd.to_bits() as u32 as i32;
    let kd = kd - SHIFT;
    let r = (x - kd * LN2_32_HI) - kd * LN2_32_LO;
    // e^r − 1 = r + r²·(½ + r/6 + r²/24 + r³/120 + r⁴/720), the bracket by Estrin's scheme.
    let r2 = r * r;
    let p = r + r2
        * ((0.5 + r * (1.0 / 6.0)) + r2 * ((1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0)));
    let (hi, lo) = TABLE[(k & 31) as usize];
    let v = hi + (hi * p + lo * (1.0 + p));
    // Multiply by 2^m by adding m to the exponent field: v ∈ [1, 2) and the result is normal.
    let m = (k >> 5) as i64;
    f64::from_bits((v.to_bits() as i64 + (m << 52)) as u64)
}

/// The library exponential for the rare arguments outside the fast range. Not inlined: LLVM
/// treats `exp` as free of side effects and would otherwise evaluate it on every path.
#[cold]
#[inline(never)]
fn exp_outside(x: f64) -> f64 {
    x.exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// Against the platform's exp over the whole range and at the table points: never more than
    /// one ulp apart, and equal almost everywhere.
    #[test]
    fn matches_the_platform_exp() {
        let mut worst = 0;
        let mut differ = 0usize;
        let n = 400_000;
        for i in 0..=n {
            let x = MIN_NORMAL_ARG + (MAX_ARG - MIN_NORMAL_ARG) * i as f64 / n as f64;
            for v in [x, x * 1e-3, x * 1e-9, (i as f64) * LN2_32_HI / 7.0 - 700.0] {
                let d = ulps(exp(v), v.exp());
                worst = worst.max(d);
                differ += usize::from(d > 0);
            }
        }
        assert!(worst <= 1, "{worst} ulps");
        assert!(differ * 100 < 4 * n, "{differ} of {} differ", 4 * n);
        for k in -100..100 {
            let x = k as f64 * std::f64::consts::LN_2 / 32.0;
            assert!(ulps(exp(x), x.exp()) <= 1, "{x}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-745.2), (-745.2f64).exp());
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        // Near both ends of the fast range, where 2^m·v is at its smallest and largest.
        for i in 0..=1000 {
            let lo = MIN_NORMAL_ARG + 0.2 * i as f64 / 1000.0;
            let hi = MAX_ARG - 0.2 * i as f64 / 1000.0;
            assert!(ulps(exp(lo), lo.exp()) <= 1, "{lo}");
            assert!(ulps(exp(hi), hi.exp()) <= 1, "{hi}");
        }
        assert!(ulps(exp(709.7), 709.7f64.exp()) <= 1);
    }
}
