//! American calls whose only early-exercise dates are the eves of ex-dividend dates.
//!
//! With no continuous yield (q = 0) and a rate r ≥ 0 a call is never exercised between
//! ex-dates (Merton): holding is worth at least S − K·e^{−rτ} ≥ S − K. The holder's only
//! choice is, just before each ex-date, to exercise (S − K) or to hold (the continuation
//! value at the dropped spot S − D). Between ex-dates the spot is lognormal, so the value is
//! an expectation over one standard normal per ex-date:
//!
//! V(S) = e^{−rt₁} E[max(S₁ − K, H(S₁ − D₁))],  S₁ = S·e^{(r − σ²/2)t₁ + σ√t₁ z},
//!
//! where H is the value just after the ex-date (Black-Scholes after the last one). H is
//! convex with slope below 1, so S₁ − K − H(S₁ − D₁) is concave and increasing: there is one
//! critical spot S* above which exercise wins, found by Newton's method (which converges
//! monotonically from the left on a concave increasing function), and it exists only when the
//! dividend beats the interest saved by paying the strike later: D > K(1 − e^{−rτ}), τ the
//! time to the next exercise date. Above z* the integral is closed form; below it the
//! continuation value is integrated by Gauss-Legendre over 8.5 standard deviations, in
//! panels split at the normal's centre and where the dropped spot reaches the strike. Two
//! ex-dates nest the same step once; the inner one's Black-Scholes values are taken once, on
//! a fixed grid of spots just before the second ex-date ([`Grid`]), and each outer node only
//! weighs them by its own density.

use super::quadrature::rule;
use crate::pricing::normal::{norm_cdf, norm_cdf_pair, norm_pdf, INV_SQRT_2PI};

/// Standard deviations of the normal covered by the integrals (Φ(−8.5) ≈ 9.5e-18).
const Z: f64 = 8.5;

/// How finely the panels are integrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quad {
    /// The Gauss-Legendre order by the panel's width, in standard normals or, where the
    /// continuation bends faster (little time left after the ex-date), in units of its bend:
    /// 4 nodes up to ½, 6 to 1½, 8 to 3, 12 to 6, 24 beyond (against 64 nodes a panel,
    /// within 2e-8 per 100 of strike on one- and two-dividend calls over the domain).
    Adaptive,
    /// 64 nodes a panel: the reference the adaptive orders are tested against.
    #[cfg(test)]
    Reference,
}

impl Quad {
    #[inline]
    fn order(self, width: f64) -> usize {
        match self {
            Quad::Adaptive => {
                if width <= 0.5 {
                    4
                } else if width <= 1.5 {
                    6
                } else if width <= 3.0 {
                    8
                } else if width <= 6.0 {
                    12
                } else {
                    24
                }
            }
            #[cfg(test)]
            Quad::Reference => 64,
        }
    }
}

/// The Black-Scholes leg after the last ex-date: strike, time, and its precomputed factors.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leg {
    k: f64,
    s: f64,
    drift: f64,
    dr: f64,
    dq: f64,
}

impl Leg {
    pub(super) fn new(k: f64, tau: f64, rate: f64, q: f64, vol: f64) -> Leg {
        Leg {
            k,
            s: vol * tau.sqrt(),
            drift: (rate - q) * tau,
            dr: (-rate * tau).exp(),
            dq: (-q * tau).exp(),
        }
    }

    /// Value and delta of the call at spot x (0 for x ≤ 0: the stock could not pay).
    #[inline]
    pub(super) fn value(&self, x: f64) -> (f64, f64) {
        if x <= 0.0 {
            return (0.0, 0.0);
        }
        if self.s <= 0.0 {
            let v = x * self.dq - self.k * self.dr;
            return if v > 0.0 { (v, self.dq) } else { (0.0, 0.0) };
        }
        let d1 = ((x / self.k).ln() + self.drift) / self.s + 0.5 * self.s;
        // φ(d₂) = φ(d₁)·x e^{−qτ}/(K e^{−rτ}): one exponential for both normals.
        let (n1, n2) = norm_cdf_pair(d1, d1 - self.s, x * self.dq / (self.k * self.dr));
        (
            (x * self.dq * n1 - self.k * self.dr * n2).max(0.0),
            self.dq * n1,
        )
    }
}

/// One step from a date to the next ex-date: the lognormal move over `t` years and the
/// dividend paid at its end.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    /// Dividend, USD per share.
    d: f64,
    /// σ√t.
    a: f64,
    /// (r − q − σ²/2)t.
    mu: f64,
    /// e^{(r − q)t}.
    growth: f64,
    /// e^{−rt}.
    disc: f64,
    /// How wide, in standard normals of this step, the continuation's bend at the strike is:
    /// √(τ/t), τ the time left after the ex-date (set by the model; 0 until then).
    bend: f64,
    /// The dropped spot below which the continuation is negligible (below 1e-17 of the
    /// strike: a call on the time left with d₁ ≤ −8.5 bounds it); 0 until set by the model.
    floor: f64,
}

impl Step {
    pub(super) fn new(t: f64, d: f64, rate: f64, q: f64, vol: f64) -> Step {
        Step {
            bend: 0.0,
            floor: 0.0,
            d,
            a: vol * t.sqrt(),
            mu: (rate - q - 0.5 * vol * vol) * t,
            growth: ((rate - q) * t).exp(),
            disc: (-rate * t).exp(),
        }
    }

    /// The standard normal z at which the spot, starting from `s`, reaches `level`.
    #[inline]
    fn z_of(&self, s: f64, level: f64) -> f64 {
        if self.a > 0.0 {
            ((level / s).ln() - self.mu) / self.a
        } else if s * self.mu.exp() >= level {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }
    }
}

/// An American value with its delta, the risk-neutral probability of early exercise, and the
/// value of the same claim held to expiry (no early exercise).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Value {
    pub(super) price: f64,
    pub(super) delta: f64,
    pub(super) p_early: f64,
    /// Probability of exercise just before the first ex-date of the step.
    pub(super) p_first: f64,
}

/// The critical spot just before an ex-date: the S with S − K = H(S − D), H the continuation
/// value (and delta) after the ex-date. `gap` is D − K(1 − e^{−rτ}), τ the time to the next
/// exercise date: without a positive gap exercise never wins.
pub(super) fn critical_spot(
    k: f64,
    d: f64,
    gap: f64,
    start: f64,
    h: impl Fn(f64) -> (f64, f64),
) -> Option<f64> {
    if gap.is_nan() || gap <= 0.0 {
        return None;
    }
    // g(S) = S − K − H(S − D) is concave and increasing with g(K) ≤ 0: Newton from the left
    // of the root moves right monotonically, and one step from its right lands on its left.
    // A start right of the root (g > 0) is not trusted: back to K.
    let mut s = start.max(k);
    if s > k {
        let (v, _) = h(s - d);
        if s - k - v > 0.0 {
            s = k;
        }
    }
    for _ in 0..200 {
        let (v, delta) = h(s - d);
        let g = s - k - v;
        let slope = 1.0 - delta;
        if g >= 0.0 && g <= 1e-10 * s {
            return Some(s);
        }
        if slope.is_nan() || slope <= 0.0 || !slope.is_finite() {
            // Flat continuation slope: the root is so far out that no mass reaches it.
            return Some(s.max(k));
        }
        let next = s - g / slope;
        if !(next.is_finite()) {
            return Some(s);
        }
        if (next - s).abs() <= 1e-11 * s {
            return Some(next);
        }
        s = next;
    }
    Some(s)
}

/// The value at `s` of a claim paying, just before the ex-date of `step`, the larger of
/// exercise (S − K, from `sstar` up) and the continuation `h` at the dropped spot; `h` returns
/// its value, delta and probability of a later early exercise.
fn value_step(
    s: f64,
    k: f64,
    step: &Step,
    sstar: Option<f64>,
    quad: Quad,
    h: impl Fn(f64) -> Value,
) -> Value {
    let zstar = match sstar {
        Some(level) => step.z_of(s, level),
        None => f64::INFINITY,
    };
    // Below the floor the continuation is negligible: the integral starts there (a smooth
    // function of the inputs, so the price stays smooth in σ).
    let lo = if step.floor > 0.0 {
        step.z_of(s, step.floor + step.d).max(-Z)
    } else {
        -Z
    };
    let lo = if lo.is_nan() { -Z } else { lo };
    let hi = zstar.min(Z + step.a);
    let (mut price, mut delta, mut p_later) = (0.0, 0.0, 0.0);
    // Panels split at the normal's centre (one panel across the whole ±8.5 of a Gaussian
    // is 1.5e-3 off with 16 nodes, two halves 7e-11), where the dropped spot reaches the
    // strike, and either side of it where the continuation bends (sharply when little time
    // is left after the ex-date): panel ends are where Gauss-Legendre nodes cluster.
    let zk = step.z_of(s, k + step.d);
    let top = hi.max(lo);
    // A bend wider than the normal's unit needs no panel of its own.
    let b = if step.bend < 1.0 {
        3.0 * step.bend
    } else {
        0.0
    };
    let unit = step.bend.clamp(0.4, 1.0);
    let mut cuts = [lo, 0.0, zk, zk - b, zk + b, top];
    for c in cuts.iter_mut() {
        *c = if c.is_nan() { lo } else { c.clamp(lo, top) };
    }
    cuts.sort_unstable_by(f64::total_cmp);
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b - a <= 1e-9 {
            continue;
        }
        // Widths in units of the continuation's scale where it bends faster than the normal.
        let r = rule(quad.order((b - a) / unit));
        let half = 0.5 * (b - a);
        let mid = 0.5 * (a + b);
        let (mut pv, mut dv, mut pl) = (0.0, 0.0, 0.0);
        for (x, w) in r.nodes.iter().zip(&r.weights) {
            let z = mid + half * x;
            let spot = s * (step.mu + step.a * z).exp();
            let after = h(spot - step.d);
            let wz = w * norm_pdf(z);
            pv += wz * after.price;
            dv += wz * after.delta * spot;
            pl += wz * after.p_early;
        }
        price += pv * half;
        delta += dv * half / s;
        p_later += pl * half;
    }
    let mut p_first = 0.0;
    if zstar.is_finite() || zstar == f64::NEG_INFINITY {
        // Exercised above z*: e^{−rt}·E[(S₁ − K)·1{z > z*}].
        let n_above = norm_cdf(step.a - zstar);
        price += step.growth * s * n_above - k * norm_cdf(-zstar);
        delta += step.growth * n_above;
        p_first = norm_cdf(-zstar);
    }
    Value {
        price: step.disc * price,
        delta: step.disc * delta,
        p_early: p_first + p_later,
        p_first,
    }
}

/// Most Black-Scholes evaluations a [`Grid`] may take; past it (ex-dates days apart with
/// months left after the second, or a second critical spot far out) the nested integral is
/// cheaper.
const GRID_MAX_NODES: usize = 320;

/// Width, in units of the continuation's scale, of the grid's panels (each with
/// [`GRID_ORDER`] nodes).
const GRID_WIDTH: f64 = 4.0;

/// How far from the density's centre, in standard deviations, the grid's nodes are summed
/// (φ(8)/φ(0) ≈ 1.3e-14, on weights of a few times the strike).
const GRID_REACH: f64 = 8.0;

/// Gauss-Legendre nodes per panel of the grid.
const GRID_ORDER: usize = 12;

/// exp(−z²/2) for |z| ≤ [`GRID_REACH`], within 1e-14 relative: the grid's densities, where
/// the library's exp (a call, and its checks for the whole range of doubles) is most of the
/// cost. e^x = 2ⁿ·e^r with n the nearest integer to x/ln 2 (found by the 1.5·2⁵² shift, exact
/// for |x| < 2⁵¹), r = x − n·ln 2 in two parts (|r| ≤ ln 2 / 2), e^r by its Taylor series to
/// r¹¹ (the remainder below 7e-15 of it), 2ⁿ built from its exponent bits (x ≥ −41 here: no
/// subnormals).
#[inline]
fn gauss(z: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²
    const LN2_HI: f64 = 0.693_147_180_369_123_8; // ln 2's leading 32 bits
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10; // ln 2 − LN2_HI
    let x = (-0.5 * z * z).max(-700.0);
    let t = x * std::f64::consts::LOG2_E + SHIFT;
    let n = t - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    const C: [f64; 12] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
    ];
    let p01 = C[0] + C[1] * r;
    let p23 = C[2] + C[3] * r;
    let p45 = C[4] + C[5] * r;
    let p67 = C[6] + C[7] * r;
    let p89 = C[8] + C[9] * r;
    let p1011 = C[10] + C[11] * r;
    let p03 = p01 + p23 * r2;
    let p47 = p45 + p67 * r2;
    let p811 = p89 + p1011 * r2;
    let p = p03 + p47 * r4 + p811 * r8;
    // 2ⁿ from t's low bits, where the shift left n (two's complement): n ∈ [−1010, 0], the
    // biased exponent n + 1023 ≥ 13 (integer operations only, so the loop vectorises).
    let bits = t.to_bits().wrapping_sub(SHIFT.to_bits()).wrapping_add(1023) << 52;
    p * f64::from_bits(bits)
}

/// The value just after the first of two ex-dates, H(x) = e^{−rt}·E[max(S − K, C(S − D))]
/// over the spot S just before the second (lognormal from x), with the Black-Scholes leg C
/// after it, integrated on one fixed grid of S for every x.
///
/// Nested, each x would place its own nodes and evaluate C at each (some thirty Black-Scholes
/// values per x, a thousand per price). But the integrand's rough places do not depend on x:
/// in v = (ln S − u₀)/σ√t, the continuation's floor, its bend at the strike and the critical
/// spot of the second ex-date are fixed, and x only moves the centre of the normal density,
/// φ(v − c(x)) with c(x) = (ln x + (r − q − σ²/2)t − u₀)/σ√t, which is smooth everywhere.
/// So C and its delta are evaluated once at the nodes of fixed panels that end at those
/// places, and H(x) is a sum of weights times densities; above the critical spot it is
/// closed form as in [`value_step`].
pub(super) struct Grid {
    k: f64,
    step: Step,
    /// v of the second critical spot (+∞: never exercised there).
    v_star: f64,
    /// Origin of v: ln(K + D).
    u0: f64,
    nodes: Vec<f64>,
    /// Weight × C(S − D), per node.
    wp: Vec<f64>,
    /// Weight × C′(S − D)·S, per node.
    wd: Vec<f64>,
}

impl Grid {
    /// The grid for spots x ∈ [`x_lo`, `x_hi`] just after the first ex-date (0 and +∞ for no
    /// limit): v from the continuation's floor, or 8.5 standard deviations below the lowest x,
    /// up to the critical spot, or 8.5 (plus σ√t, the call's tilt) above the highest x.
    /// None when it would need more than [`GRID_MAX_NODES`] nodes, or the step has no width.
    fn new(
        k: f64,
        step: Step,
        sstar: Option<f64>,
        leg: &Leg,
        x_lo: f64,
        x_hi: f64,
    ) -> Option<Grid> {
        if step.a.is_nan() || step.a <= 1e-12 || step.floor.is_nan() || step.floor <= 0.0 {
            return None;
        }
        let u0 = (k + step.d).ln();
        let v_of = |y: f64| (y.ln() - u0) / step.a;
        let centre = |x: f64| (x.ln() + step.mu - u0) / step.a;
        let v_star = sstar.map_or(f64::INFINITY, v_of);
        let mut lo = v_of(step.floor + step.d);
        if x_lo > 0.0 {
            lo = lo.max(centre(x_lo) - Z);
        }
        let mut hi = v_star;
        if x_hi.is_finite() {
            hi = hi.min(centre(x_hi) + Z + step.a);
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        let mut grid = Grid {
            k,
            step,
            v_star,
            u0,
            nodes: Vec::new(),
            wp: Vec::new(),
            wd: Vec::new(),
        };
        if hi <= lo {
            return Some(grid);
        }
        let b = if step.bend < 1.0 {
            3.0 * step.bend
        } else {
            0.0
        };
        let unit = step.bend.clamp(0.4, 1.0);
        let mut cuts = [lo, 0.0, -b, b, hi];
        for c in cuts.iter_mut() {
            *c = c.clamp(lo, hi);
        }
        cuts.sort_unstable_by(f64::total_cmp);
        let panels = |a: f64, b0: f64| ((b0 - a) / (GRID_WIDTH * unit)).ceil().max(1.0);
        let count: f64 = cuts
            .windows(2)
            .filter(|p| p[1] - p[0] > 1e-9)
            .map(|p| panels(p[0], p[1]))
            .sum();
        if count.is_nan() || count * GRID_ORDER as f64 > GRID_MAX_NODES as f64 {
            return None;
        }
        let n = count as usize * GRID_ORDER;
        grid.nodes.reserve(n);
        grid.wp.reserve(n);
        grid.wd.reserve(n);
        let r = rule(GRID_ORDER);
        for pair in cuts.windows(2) {
            let (a0, b0) = (pair[0], pair[1]);
            if b0 - a0 <= 1e-9 {
                continue;
            }
            let m = panels(a0, b0);
            let width = (b0 - a0) / m;
            for i in 0..m as usize {
                let a = a0 + i as f64 * width;
                let half = 0.5 * width;
                let mid = a + half;
                for (x, w) in r.nodes.iter().zip(&r.weights) {
                    let v = mid + half * x;
                    let spot = (u0 + step.a * v).exp();
                    let (p, d) = leg.value(spot - step.d);
                    let wh = w * half;
                    grid.nodes.push(v);
                    grid.wp.push(wh * p);
                    grid.wd.push(wh * d * spot);
                }
            }
        }
        Some(grid)
    }

    /// v of the spot x just after the first ex-date: the centre of the density over v.
    #[inline]
    fn centre(&self, x: f64) -> f64 {
        (x.ln() + self.step.mu - self.u0) / self.step.a
    }

    /// H(x) with its delta and the probability of exercise at the second ex-date.
    fn value(&self, x: f64) -> Value {
        if x <= 0.0 {
            return Value::default();
        }
        let c = self.centre(x);
        let (mut price, mut delta) = (0.0, 0.0);
        // Only the nodes within GRID_REACH of the centre weigh anything (the nodes ascend).
        let first = self.nodes.partition_point(|&v| v < c - GRID_REACH);
        let last = self.nodes.partition_point(|&v| v <= c + GRID_REACH);
        let (first, last) = (first.min(last), last);
        // The densities a block at a time (a loop with no sum in it vectorises), then the sums.
        let mut g = [0.0; 16];
        let (nodes, wps, wds) = (
            &self.nodes[first..last],
            &self.wp[first..last],
            &self.wd[first..last],
        );
        for ((vs, wp), wd) in nodes.chunks(16).zip(wps.chunks(16)).zip(wds.chunks(16)) {
            for (gi, v) in g.iter_mut().zip(vs) {
                *gi = gauss(v - c);
            }
            for ((gi, p), d) in g.iter().zip(wp).zip(wd) {
                price += p * gi;
                delta += d * gi;
            }
        }
        price *= INV_SQRT_2PI;
        delta *= INV_SQRT_2PI / x;
        let step = &self.step;
        let mut p_first = 0.0;
        if self.v_star.is_finite() {
            let zstar = self.v_star - c;
            let n_above = norm_cdf(step.a - zstar);
            price += step.growth * x * n_above - self.k * norm_cdf(-zstar);
            delta += step.growth * n_above;
            p_first = norm_cdf(-zstar);
        }
        Value {
            price: step.disc * price,
            delta: step.disc * delta,
            p_early: p_first,
            p_first,
        }
    }
}

/// A call with its ex-dates: the steps between them and the leg after the last.
pub(super) struct CallModel {
    k: f64,
    /// One or two steps (the second measured from the first ex-date).
    steps: Vec<Step>,
    /// Critical spots before each ex-date (None: exercise never wins there).
    sstar: Vec<Option<f64>>,
    leg: Leg,
    quad: Quad,
    /// The two-dividend continuation on a grid, with exercise at the second ex-date (built
    /// with the model; None when the nested integral is used instead).
    grid: Option<Grid>,
}

/// A call's terms for [`CallModel`]: strike, years to expiry, the continuous rate and yield,
/// the volatility, and the cash dividends as (years from now, amount).
#[derive(Debug, Clone, Copy)]
pub(super) struct CallTerms<'a> {
    pub(super) k: f64,
    pub(super) t: f64,
    pub(super) rate: f64,
    pub(super) q: f64,
    pub(super) vol: f64,
    pub(super) divs: &'a [(f64, f64)],
}

impl CallModel {
    /// `terms.divs` are (time from now, amount), sorted, all strictly inside (0, T); none,
    /// one or two. Early exercise is only valued with q = 0 and r ≥ 0 (the caller's rule); the
    /// European value (`value(_, false)`) holds for any q.
    pub(super) fn new(terms: &CallTerms<'_>, exercise: bool) -> CallModel {
        CallModel::with_quad(terms, exercise, Quad::Adaptive)
    }

    /// `new` with the panels' quadrature given.
    pub(super) fn with_quad(terms: &CallTerms<'_>, exercise: bool, quad: Quad) -> CallModel {
        let CallTerms {
            k,
            t,
            rate,
            q,
            vol,
            divs,
        } = *terms;
        let last = divs.last().map_or(0.0, |d| d.0);
        let leg = Leg::new(k, t - last, rate, q, vol);
        let mut steps = Vec::with_capacity(divs.len());
        let mut prev = 0.0;
        for &(ti, d) in divs {
            let mut step = Step::new(ti - prev, d, rate, q, vol);
            if ti > prev {
                step.bend = ((t - ti) / (ti - prev)).sqrt();
            }
            // The continuation after this ex-date is at most a call on the time left with
            // no dividends; where its d₁ ≤ −8.5 that is below 1e-17 of the strike.
            let rest = t - ti;
            let sd = vol * rest.sqrt();
            step.floor = k * (-8.5 * sd - (rate - q) * rest - 0.5 * sd * sd).exp();
            steps.push(step);
            prev = ti;
        }
        let mut sstar = vec![None; divs.len()];
        let mut grid = None;
        // Last ex-date first: its continuation is Black-Scholes.
        let n = if exercise { divs.len() } else { 0 };
        if n >= 1 {
            let (tl, dl) = divs[n - 1];
            let gap = dl - k * (1.0 - (-rate * (t - tl)).exp());
            sstar[n - 1] = critical_spot(k, dl, gap, k, |x| leg.value(x));
        }
        if n == 2 {
            let (t1, d1) = divs[0];
            let t2 = divs[1].0;
            let gap = d1 - k * (1.0 - (-rate * (t2 - t1)).exp());
            let step2 = steps[1];
            let s2 = sstar[1];
            // A cheap start: the critical spot with Black-Scholes as the continuation (the
            // second ex-date ignored); Newton then needs a few integrals instead of dozens.
            let rough = Leg::new(k, t - t1, rate, q, vol);
            let start = critical_spot(k, d1, gap, k, |x| rough.value(x)).unwrap_or(k);
            if quad == Quad::Adaptive && s2.is_some() {
                grid = Grid::new(k, step2, s2, &leg, 0.0, f64::INFINITY);
            }
            sstar[0] = match &grid {
                Some(g) => critical_spot(k, d1, gap, start, |x| {
                    let v = g.value(x);
                    (v.price, v.delta)
                }),
                None => critical_spot(k, d1, gap, start, |x| {
                    let v = value_step(x, k, &step2, s2, quad, |y| {
                        let (p, d) = leg.value(y);
                        Value {
                            price: p,
                            delta: d,
                            ..Value::default()
                        }
                    });
                    (v.price, v.delta)
                }),
            };
        }
        CallModel {
            k,
            steps,
            sstar,
            leg,
            quad,
            grid,
        }
    }

    /// Critical spots before each ex-date.
    pub(super) fn critical_spots(&self) -> &[Option<f64>] {
        &self.sstar
    }

    fn leg_value(&self, y: f64) -> Value {
        let (p, d) = self.leg.value(y);
        Value {
            price: p,
            delta: d,
            ..Value::default()
        }
    }

    /// American value at spot `s` (`american = false`: the same claim held to expiry).
    pub(super) fn value(&self, s: f64, american: bool) -> Value {
        let star = |i: usize| if american { self.sstar[i] } else { None };
        match self.steps.len() {
            0 => self.leg_value(s),
            1 => value_step(s, self.k, &self.steps[0], star(0), self.quad, |y| {
                self.leg_value(y)
            }),
            _ => {
                let (step1, step2) = (self.steps[0], self.steps[1]);
                let built;
                let grid = match &self.grid {
                    Some(g) if american => Some(g),
                    _ if self.quad == Quad::Adaptive => {
                        // The spots after the first ex-date that the outer integral reaches.
                        let spot = |z: f64| s * (step1.mu + step1.a * z).exp() - step1.d;
                        let mut x_hi = spot(Z + step1.a);
                        if let Some(s1) = star(0) {
                            x_hi = x_hi.min(s1 - step1.d);
                        }
                        built = Grid::new(self.k, step2, star(1), &self.leg, spot(-Z), x_hi);
                        built.as_ref()
                    }
                    _ => None,
                };
                if let Some(g) = grid {
                    return value_step(s, self.k, &step1, star(0), self.quad, |x| g.value(x));
                }
                value_step(s, self.k, &step1, star(0), self.quad, |x| {
                    if x <= 0.0 {
                        return Value::default();
                    }
                    value_step(x, self.k, &step2, star(1), self.quad, |y| self.leg_value(y))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test cases' terms: strike 100, r = 4 %, no yield.
    fn terms(t: f64, vol: f64, divs: &[(f64, f64)]) -> CallTerms<'_> {
        CallTerms {
            k: 100.0,
            t,
            rate: 0.04,
            q: 0.0,
            vol,
            divs,
        }
    }

    /// The adaptive panel orders against 64 nodes a panel, over the domain (K = 100):
    /// spots 85–115, 10–120 days, σ 15–60 %, one or two dividends of 0.5–2.5, American and
    /// European, prices, deltas and probabilities of early exercise.
    #[test]
    fn adaptive_orders_match_the_reference_quadrature() {
        let (mut worst_p, mut worst_d, mut worst_pe, mut cases) = (0.0f64, 0.0f64, 0.0f64, 0);
        for days in [10.0, 30.0, 60.0, 120.0] {
            let t = days / 365.0;
            for vol in [0.15, 0.3, 0.6] {
                for d in [0.5, 1.5, 2.5] {
                    for divs in [
                        vec![(0.3 * t, d)],
                        vec![(0.9 * t, d)],
                        vec![(0.2 * t, d), (0.7 * t, d)],
                        vec![(0.45 * t, d), (0.97 * t, d)],
                    ] {
                        for exercise in [true, false] {
                            let m = |q| CallModel::with_quad(&terms(t, vol, &divs), exercise, q);
                            let (a, r) = (m(Quad::Adaptive), m(Quad::Reference));
                            for s in [85.0, 92.0, 97.0, 100.0, 103.0, 108.0, 115.0] {
                                let (va, vr) = (a.value(s, exercise), r.value(s, exercise));
                                worst_p = worst_p.max((va.price - vr.price).abs());
                                worst_d = worst_d.max((va.delta - vr.delta).abs());
                                worst_pe = worst_pe.max((va.p_early - vr.p_early).abs());
                                cases += 1;
                            }
                        }
                    }
                }
            }
        }
        eprintln!("{cases} cases: price {worst_p:e}, delta {worst_d:e}, p_early {worst_pe:e}");
        // Measured: 1.6e-8, 1.2e-9, 1.1e-9.
        assert!(worst_p < 5e-8, "price {worst_p:e}");
        assert!(worst_d < 1e-8, "delta {worst_d:e}");
        assert!(worst_pe < 1e-8, "p_early {worst_pe:e}");
    }

    /// The two-dividend continuation on its fixed grid against the nested integral with 64
    /// nodes a panel, at spots 60–120 after the first ex-date, over the domain and
    /// ex-dates bunched early, late and close together; the grid is within reach everywhere.
    #[test]
    fn grid_matches_the_nested_reference() {
        let (mut wp, mut wd, mut we, mut grids) = (0.0f64, 0.0f64, 0.0f64, 0);
        for days in [10.0, 30.0, 60.0, 120.0] {
            let t = days / 365.0;
            for vol in [0.15, 0.3, 0.6] {
                for d in [0.5, 1.5, 2.5] {
                    for f in [
                        (0.2, 0.7),
                        (0.45, 0.97),
                        (0.05, 0.1),
                        (0.5, 0.55),
                        (0.3, 0.9),
                    ] {
                        let divs = [(f.0 * t, d), (f.1 * t, d)];
                        for exercise in [true, false] {
                            let m = CallModel::new(&terms(t, vol, &divs), exercise);
                            let (s2, step2) = (m.sstar[1], m.steps[1]);
                            let (lo, hi) = if exercise {
                                (0.0, f64::INFINITY)
                            } else {
                                (55.0, 140.0)
                            };
                            let Some(g) = Grid::new(100.0, step2, s2, &m.leg, lo, hi) else {
                                continue;
                            };
                            grids += 1;
                            for i in 0..=60 {
                                let x = 60.0 + i as f64;
                                let va = g.value(x);
                                let vr = value_step(x, 100.0, &step2, s2, Quad::Reference, |y| {
                                    m.leg_value(y)
                                });
                                wp = wp.max((va.price - vr.price).abs());
                                wd = wd.max((va.delta - vr.delta).abs());
                                we = we.max((va.p_early - vr.p_early).abs());
                            }
                        }
                    }
                }
            }
        }
        eprintln!("{grids} grids: price {wp:e}, delta {wd:e}, p_early {we:e}");
        // Measured: 1.1e-11, 6.6e-13, 4.3e-14 (the nested 64-node integral's own error).
        assert!(grids >= 300, "{grids} grids");
        assert!(
            wp < 1e-10 && wd < 1e-10 && we < 1e-10,
            "{wp:e} {wd:e} {we:e}"
        );
    }

    #[test]
    fn gauss_matches_exp() {
        let mut worst = 0.0f64;
        for i in 0..=20_000 {
            let z = -10.0 + i as f64 * 1e-3;
            let want = (-0.5 * z * z).exp();
            worst = worst.max((gauss(z) / want - 1.0).abs());
        }
        assert!(worst < 1e-14, "{worst:e}");
    }
}
