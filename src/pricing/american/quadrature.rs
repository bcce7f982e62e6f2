//! Gauss-Legendre quadrature rules, computed once per order and kept.
//!
//! The nodes are the roots of the Legendre polynomial P_n, found by Newton's method from
//! Tricomi's approximation cos(π(i − ¼)/(n + ½)); the weights are 2 / ((1 − x²)·P_n′(x)²).
//! Both are accurate to a few ulps for the orders used here (n ≤ 96).

use std::sync::OnceLock;

/// Nodes and weights of an n-point rule on [−1, 1].
pub(crate) struct Rule {
    pub(crate) nodes: Vec<f64>,
    pub(crate) weights: Vec<f64>,
}

impl Rule {
    fn new(n: usize) -> Rule {
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        let nf = n as f64;
        for i in 0..n.div_ceil(2) {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (p, d) = legendre(n, x);
                dp = d;
                let dx = p / d;
                x -= dx;
                if dx.abs() <= 1e-16 * x.abs().max(1e-300) {
                    let (_, d) = legendre(n, x);
                    dp = d;
                    break;
                }
            }
            let w = 2.0 / ((1.0 - x * x) * dp * dp);
            nodes[i] = -x;
            weights[i] = w;
            nodes[n - 1 - i] = x;
            weights[n - 1 - i] = w;
        }
        Rule { nodes, weights }
    }

    /// ∫ₐᵇ f with this rule.
    #[cfg(test)]
    #[inline]
    pub(crate) fn integrate(&self, a: f64, b: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
        let half = 0.5 * (b - a);
        let mid = 0.5 * (a + b);
        let mut sum = 0.0;
        for (x, w) in self.nodes.iter().zip(&self.weights) {
            sum += w * f(mid + half * x);
        }
        sum * half
    }
}

/// P_n(x) and P_n′(x) by the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let mut p0 = 1.0;
    let mut p1 = x;
    for k in 2..=n {
        let kf = k as f64;
        let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
        p0 = p1;
        p1 = p2;
    }
    let d = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, d)
}

/// The orders kept; [`rule`] rounds any other request up to the next of these.
const ORDERS: [usize; 9] = [4, 6, 8, 12, 16, 24, 32, 48, 64];

/// The rule of order `n` (rounded up to a kept order, at most 64), built on first use.
pub(crate) fn rule(n: usize) -> &'static Rule {
    static RULES: [OnceLock<Rule>; 9] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = ORDERS
        .iter()
        .position(|&o| o >= n)
        .unwrap_or(ORDERS.len() - 1);
    RULES[slot].get_or_init(|| Rule::new(ORDERS[slot]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_integrate_polynomials_exactly() {
        for n in [16, 24, 32] {
            let r = rule(n);
            assert_eq!(r.nodes.len(), n);
            let total: f64 = r.weights.iter().sum();
            assert!((total - 2.0).abs() < 1e-14, "n = {n}: Σw = {total}");
            // x^(2n−2) integrates to 2/(2n−1) on [−1, 1].
            let k = 2 * n as i32 - 2;
            let got = r.integrate(-1.0, 1.0, |x| x.powi(k));
            let want = 2.0 / (k as f64 + 1.0);
            assert!((got - want).abs() < 1e-13, "n = {n}: {got} vs {want}");
        }
    }

    #[test]
    fn gaussian_integral_is_accurate() {
        // ∫ φ over [−8.5, 8.5] = 1 − 2Φ(−8.5) ≈ 1 − 1.9e-17, in two 16-point panels split at
        // the peak (as the engine splits its integrals).
        let r = rule(16);
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let got = r.integrate(-8.5, 0.0, phi) + r.integrate(0.0, 8.5, phi);
        assert!((got - 1.0).abs() < 1e-9, "{got}"); // measured 6.6e-11
    }
}
