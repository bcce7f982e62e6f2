//! Shape-preserving rational cubic interpolation (Delbourgo & Gregory, "Shape preserving
//! piecewise rational interpolation", SIAM J. Sci. Stat. Comput. 6 (1985); used for implied
//! volatility by Jäckel, "Let's Be Rational", 2015, §4–5).
//!
//! On [x_l, x_r] with span h, u = (x − x_l)/h, values y_l, y_r and slopes d_l, d_r:
//!
//! R(u) = [y_r·u³ + (r·y_r − h·d_r)·u²(1−u) + (r·y_l + h·d_l)·u(1−u)² + y_l·(1−u)³]
//!        / [1 + (r − 3)·u(1−u)].
//!
//! R matches values and slopes at both ends for every r > −1; r = 3 is the cubic Hermite
//! interpolant and r → ∞ tends to linear interpolation. Differentiating twice at the ends
//! (done symbolically while writing this) gives the r that sets a second derivative:
//!
//! * at the left end,  r = (d_r − d_l + ½·h·y″_l)/(Δ − d_l),
//! * at the right end, r = (d_r − d_l + ½·h·y″_r)/(d_r − Δ),   Δ = (y_r − y_l)/h,
//!
//! and R is monotone for monotone data when r ≥ (d_l + d_r)/Δ.

/// Largest control parameter used (beyond it R is linear to working precision).
const R_MAX: f64 = 1e6;

/// The control parameter r that gives R the second derivative `y2` at the left end (`left`)
/// or the right end, raised to the monotonicity minimum and kept in (−1, R_MAX].
pub(crate) fn control_parameter(
    h: f64,
    y_l: f64,
    y_r: f64,
    d_l: f64,
    d_r: f64,
    y2: f64,
    left: bool,
) -> f64 {
    // Both ratios with h multiplied through (Δ − d_l = (Δy − d_l·h)/h and so on), so that
    // their divisions are independent instead of following the one that forms Δ.
    let dy = y_r - y_l;
    let num = d_r - d_l + 0.5 * h * y2;
    let den = if left { dy - d_l * h } else { d_r * h - dy };
    let target = if den != 0.0 { num * h / den } else { R_MAX };
    let monotone = if dy != 0.0 { (d_l + d_r) * h / dy } else { 0.0 };
    let r = if target.is_nan() {
        monotone
    } else {
        target.max(monotone)
    };
    if r.is_nan() {
        return 3.0;
    }
    r.clamp(-1.0 + 1e-6, R_MAX)
}

/// R at parameter u ∈ [0, 1], with 1 − u passed separately (`v`) so that a point very close
/// to the right end keeps its relative distance from it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rational_cubic(
    u: f64,
    v: f64,
    h: f64,
    y_l: f64,
    y_r: f64,
    d_l: f64,
    d_r: f64,
    r: f64,
) -> f64 {
    let uv = u * v;
    let num = y_r * u * u * u
        + (r * y_r - h * d_r) * u * uv
        + (r * y_l + h * d_l) * uv * v
        + y_l * v * v * v;
    num / (1.0 + (r - 3.0) * uv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_ends_and_reproduces_cubics_and_lines() {
        // r = 3 is cubic Hermite: exact for y = x³ on [1, 2].
        let f = |x: f64| x * x * x;
        let (xl, xr) = (1.0, 2.0);
        for i in 0..=10 {
            let u = i as f64 / 10.0;
            let x = xl + u * (xr - xl);
            let got = rational_cubic(u, 1.0 - u, 1.0, f(xl), f(xr), 3.0, 12.0, 3.0);
            assert!((got - f(x)).abs() < 1e-13, "{x}");
        }
        // A line is reproduced for every r.
        for r in [0.0, 3.0, 50.0] {
            let got = rational_cubic(0.3, 0.7, 2.0, 1.0, 5.0, 2.0, 2.0, r);
            assert!((got - 2.2).abs() < 1e-14);
        }
    }

    #[test]
    fn control_parameter_sets_second_derivative() {
        // Data from exp on [0, 1]; ask for y'' = 1 at the left and check numerically.
        let (yl, yr, dl, dr) = (1.0, 1f64.exp(), 1.0, 1f64.exp());
        let r = control_parameter(1.0, yl, yr, dl, dr, 1.0, true);
        let e = 1e-4;
        let y = |u: f64| rational_cubic(u, 1.0 - u, 1.0, yl, yr, dl, dr, r);
        let second = (y(2.0 * e) - 2.0 * y(e) + y(0.0)) / (e * e);
        assert!((second - 1.0).abs() < 1e-2, "{second}");
    }
}
