//! The general engine: Crank-Nicolson finite differences in log-spot.
//!
//! Between ex-dates V(τ, x), x = ln S, τ the time to expiry, solves
//! V_τ = ½σ²V_xx + (r − q − ½σ²)V_x − rV on a uniform grid with the spot on a node, over
//! `N_SD` standard deviations either side (more below, by the dividends). The payoff enters
//! as cell averages (so the strike's kink costs no order of accuracy), the first steps after
//! the payoff and after each ex-date are implicit Euler half steps (Rannacher), early exercise
//! is the projection V ← max(V, intrinsic) after every step, and at an ex-date the value just
//! before is the value just after at the dropped spot, V⁻(x) = V⁺(ln(eˣ − D)), interpolated
//! by cubic Lagrange polynomials. Every step count and grid edge is a smooth function of the
//! inputs (no rounding that depends on σ), so the price is smooth in σ and the implied-vol
//! solver can invert it to 1e-10.
//!
//! Brennan and Schwartz's back substitution needs the exercise region at the high end of the
//! indices, so an American put's grid is stored from the highest spot down; the per-step
//! solve is then one pass of the Thomas algorithm with no copying. Its cost is the latency of
//! the elimination's dependent chain, so everything off the chain (the explicit half step,
//! the scaling by the precomputed pivots) is done in a separate pass. Price-only solves skip
//! the probability below, and the Richardson step's coarse grid never computes it.
//!
//! The probability of early exercise is a second function U solved backward alongside V by the
//! same operator without discounting, set to 1 wherever V was projected onto its intrinsic
//! value: U is the risk-neutral probability that the holder following V's policy exercises
//! before expiry.

use crate::model::Right;

/// Standard deviations covered above and below the spot.
const N_SD: f64 = 4.0;

/// Every segment between ex-dates gets at least this share of the grid's time steps, however
/// short: an ex-date days before expiry leaves a last segment where the exercise boundary
/// forms from the payoff, and a handful of steps there was the largest error on the QuantLib
/// reference (8.4e-4 per 100 of strike; 5.7e-4 with the floor, on half the steps).
const MIN_SEGMENT_STEPS: f64 = 0.25;

/// The problem: one option, its market and its (sorted, inside (0, T)) dividends.
#[derive(Debug, Clone)]
pub(super) struct Problem<'a> {
    pub(super) right: Right,
    pub(super) spot: f64,
    pub(super) strike: f64,
    pub(super) t: f64,
    pub(super) rate: f64,
    pub(super) q: f64,
    pub(super) vol: f64,
    pub(super) divs: &'a [(f64, f64)],
    pub(super) american: bool,
}

/// Grid sizes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Grid {
    pub(super) nx: usize,
    pub(super) nt: usize,
}

/// What a solve returns at the spot.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Solution {
    pub(super) price: f64,
    pub(super) delta: f64,
    pub(super) gamma: f64,
    pub(super) theta: f64,
    pub(super) p_early: Option<f64>,
    /// Critical spot just before the first ex-date (calls), where exercise starts to win.
    pub(super) critical_first: Option<f64>,
    /// Probability of exercise at the first ex-date alone (the integral engine only).
    pub(super) p_next: Option<f64>,
}

/// A factorised tridiagonal system (I − θhL) with constant coefficients.
///
/// The Thomas elimination is a chain of dependent multiply-adds, one per row, and its
/// latency (not its instruction count) is what a step costs: everything that does not depend
/// on the previous row (the explicit part, the scaling by the pivots) is computed in a loop of
/// its own, and the chain is left with w_i = r_i − g_i·w_{i−1} going forward and
/// v_i = max(w_i − c′_i·v_{i+1}, floor_i) going back.
struct Factor {
    a: f64,
    c: f64,
    /// c′ of the Thomas elimination, per interior row.
    cp: Vec<f64>,
    /// 1 / pivot, per interior row.
    inv: Vec<f64>,
    /// a / pivot, per interior row (the forward chain's multiplier).
    g: Vec<f64>,
    /// g_i·g_{i−1} (0 for the first row): the multiplier two rows back.
    gg: Vec<f64>,
    /// c′_i·c′_{i+1} (0 for the last row): the back substitution's multiplier two rows on.
    cc: Vec<f64>,
    /// Explicit part (I + (1 − θ)hL) coefficients: lower, diagonal, upper.
    el: f64,
    ed: f64,
    eu: f64,
}

impl Factor {
    fn new(n_int: usize, h: f64, theta: f64, l: f64, d: f64, u: f64) -> Factor {
        let a = -theta * h * l;
        let b = 1.0 - theta * h * d;
        let c = -theta * h * u;
        let mut cp = Vec::with_capacity(n_int);
        let mut inv = Vec::with_capacity(n_int);
        let mut g = Vec::with_capacity(n_int);
        let mut prev_cp = 0.0;
        for _ in 0..n_int {
            let iv = 1.0 / (b - a * prev_cp);
            let next = c * iv;
            cp.push(next);
            inv.push(iv);
            g.push(a * iv);
            if next == prev_cp {
                // The pivots' recurrence has reached its fixed point (in a dozen rows or so,
                // the system being diagonally dominant): every later row is the same, bit
                // for bit, without a division each.
                break;
            }
            prev_cp = next;
        }
        let (last_cp, last_inv, last_g) = (prev_cp, inv.last().copied(), g.last().copied());
        if let (Some(iv), Some(gl)) = (last_inv, last_g) {
            cp.resize(n_int, last_cp);
            inv.resize(n_int, iv);
            g.resize(n_int, gl);
        }
        let e = (1.0 - theta) * h;
        let gg = (0..n_int)
            .map(|i| if i == 0 { 0.0 } else { g[i] * g[i - 1] })
            .collect();
        let cc = (0..n_int)
            .map(|i| {
                if i + 1 < n_int {
                    cp[i] * cp[i + 1]
                } else {
                    0.0
                }
            })
            .collect();
        Factor {
            a,
            c,
            cp,
            inv,
            g,
            gg,
            cc,
            el: e * l,
            ed: 1.0 + e * d,
            eu: e * u,
        }
    }

    /// One step: v holds the old values (boundaries included) and receives the new interior;
    /// `lo`/`hi` are the new boundary values (at v's first and last node). `work` has the
    /// interior length. With `floor` (the exercise values, whose exercise region must lie at
    /// the high end of the indices) the back substitution takes max(V, floor) as it goes:
    /// Brennan and Schwartz's exact solution of the step's linear complementarity problem.
    fn step(&self, v: &mut [f64], lo: f64, hi: f64, work: &mut [f64], floor: Option<&[f64]>) {
        let n = v.len();
        let m = n - 2;
        // Right-hand side r, scaled by the pivots, with the forward elimination
        // w_i = r_i − g_i·w_{i−1} taken two rows at a time:
        // w_i = (r_i − g_i·r_{i−1}) + g_i·g_{i−1}·w_{i−2}. The bracket does not depend on the
        // chain (it is computed with the right-hand side); what is left is two interleaved
        // chains, even and odd rows, half as long each.
        let mut r_prev = 0.0;
        for (((w, win), iv), g) in work
            .iter_mut()
            .zip(v.windows(3))
            .zip(&self.inv)
            .zip(&self.g)
        {
            let r = (self.el * win[0] + self.ed * win[1] + self.eu * win[2]) * iv;
            *w = r - g * r_prev;
            r_prev = r;
        }
        // The boundary rows' known values move to the right-hand side (r_0 also enters the
        // second row's bracket).
        let d0 = self.a * lo * self.inv[0];
        work[0] -= d0;
        if m > 1 {
            work[1] += self.g[1] * d0;
        }
        work[m - 1] -= self.c * hi * self.inv[m - 1];
        if m > 1 {
            let (mut even, mut odd) = (work[0], work[1]);
            let rest = &mut work[2..];
            let gg = &self.gg[2..];
            let mut pairs = rest.chunks_exact_mut(2);
            for (w, h) in (&mut pairs).zip(gg.chunks_exact(2)) {
                even = w[0] + h[0] * even;
                w[0] = even;
                odd = w[1] + h[1] * odd;
                w[1] = odd;
            }
            if let (Some(w), Some(h)) = (pairs.into_remainder().first_mut(), gg.last()) {
                *w += h * even;
            }
        }
        // Back substitution, v_i = max(w_i − c′_i·v_{i+1}, floor_i) from the last row up.
        // The floor is 0 on the first rows (out of the money, in either storage) and rises
        // with the index; the chain is only floored where the floor is positive. Below that
        // only v ≥ 0 is left of it, and the chain is linear: two rows at a time, as going
        // forward, with v ≥ 0 taken after.
        let interior = &mut v[1..n - 1];
        let (split, next) = match floor {
            None => (m, 0.0),
            Some(fl) => {
                let fl = &fl[1..n - 1];
                let split = fl.partition_point(|&f| f <= 0.0);
                let mut next = 0.0;
                for (((vi, w), cp), f) in interior[split..]
                    .iter_mut()
                    .zip(&work[split..])
                    .zip(&self.cp[split..])
                    .zip(&fl[split..])
                    .rev()
                {
                    let x = w - cp * next;
                    // max without f64::max's NaN handling (a single instruction).
                    next = if x > *f { x } else { *f };
                    *vi = next;
                }
                (split, next)
            }
        };
        let head = &mut interior[..split];
        back_linear(
            head,
            &work[..split],
            &self.cp[..split],
            &self.cc[..split],
            next,
        );
        if floor.is_some() {
            for x in head.iter_mut() {
                if *x < 0.0 {
                    *x = 0.0;
                }
            }
        }
        v[0] = lo;
        v[n - 1] = hi;
    }
}

/// The linear back substitution v_i = w_i − c′_i·v_{i+1} over `v` (its rows 0..k), given
/// v_k = `after`, two rows at a time: v_i = (w_i − c′_i·w_{i+1}) + c′_i·c′_{i+1}·v_{i+2}. The
/// brackets are independent rows; the chain left is two interleaved ones (even and odd rows),
/// each half as long, kept in registers.
fn back_linear(v: &mut [f64], w: &[f64], cp: &[f64], cc: &[f64], after: f64) {
    let k = v.len();
    if k == 0 {
        return;
    }
    for ((vi, wp), c) in v.iter_mut().zip(w.windows(2)).zip(cp) {
        *vi = wp[0] - c * wp[1];
    }
    let last = w[k - 1] - cp[k - 1] * after;
    v[k - 1] = last;
    if k == 1 {
        return;
    }
    let second = v[k - 2] + cc[k - 2] * after;
    v[k - 2] = second;
    // (a, b) = (v_{i+2}, v_{i+3}) for the pair (i, i + 1) being solved, and (v_i, v_{i+1})
    // after it, as the next pair wants them.
    let (mut a, mut b) = (second, last);
    let mut pairs = v[..k - 2].rchunks_exact_mut(2);
    let mut mults = cc[..k - 2].rchunks_exact(2);
    for (pair, m) in (&mut pairs).zip(&mut mults) {
        b = pair[1] + m[1] * b;
        pair[1] = b;
        a = pair[0] + m[0] * a;
        pair[0] = a;
    }
    if let (Some(x), Some(m)) = (
        pairs.into_remainder().first_mut(),
        mults.remainder().first(),
    ) {
        *x += m * b;
    }
}

/// Cell average of the payoff over [x − h/2, x + h/2].
fn cell_payoff(right: Right, k: f64, lk: f64, x: f64, dx: f64) -> f64 {
    let lo = x - 0.5 * dx;
    let hi = x + 0.5 * dx;
    match right {
        Right::Call => {
            let a = lo.max(lk);
            if hi <= a {
                0.0
            } else {
                (hi.exp() - a.exp() - k * (hi - a)) / dx
            }
        }
        Right::Put => {
            let b = hi.min(lk);
            if b <= lo {
                0.0
            } else {
                (k * (b - lo) - (b.exp() - lo.exp())) / dx
            }
        }
    }
}

/// Cubic Lagrange interpolation of `v` (uniform nodes x₀ + i·dx) at position p = (y − x₀)/dx.
fn interpolate(v: &[f64], p: f64) -> f64 {
    let n = v.len();
    let i = (p.floor() as isize).clamp(1, n as isize - 3) as usize;
    let t = p - i as f64;
    let (v0, v1, v2, v3) = (v[i - 1], v[i], v[i + 1], v[i + 2]);
    // Nodes at −1, 0, 1, 2 relative to i.
    let w0 = -t * (t - 1.0) * (t - 2.0) / 6.0;
    let w1 = (t + 1.0) * (t - 1.0) * (t - 2.0) / 2.0;
    let w2 = -(t + 1.0) * t * (t - 2.0) / 2.0;
    let w3 = (t + 1.0) * t * (t - 1.0) / 6.0;
    w0 * v0 + w1 * v1 + w2 * v2 + w3 * v3
}

/// Solve on the given grid.
pub(super) fn solve(p: &Problem, grid: Grid, want_prob: bool) -> Solution {
    let Problem {
        right,
        spot,
        strike: k,
        t,
        rate: r,
        q,
        vol,
        divs,
        american,
    } = *p;
    let nx = grid.nx.max(8) | 1; // odd: the spot sits on the middle node
    let mid = nx / 2;
    let total_div: f64 = divs.iter().map(|d| d.1).sum();
    let s_dev = vol * t.sqrt();
    let low_extra = if total_div > 0.0 {
        (spot / (spot - total_div).max(0.05 * spot)).ln()
    } else {
        0.0
    };
    let half_width = N_SD * s_dev + low_extra;
    let dx = half_width / mid as f64;
    // Early exercise solved exactly per step (Brennan-Schwartz) needs the exercise region at
    // the high end of the indices: an American put's grid is stored from the highest spot
    // down (node i at x₀ + i·step, step = −dx), everything else from the lowest up.
    let mirror = american && right == Right::Put;
    let step_x = if mirror { -dx } else { dx };
    let x0 = spot.ln() - mid as f64 * step_x;
    let xs: Vec<f64> = (0..nx).map(|i| x0 + i as f64 * step_x).collect();
    let spots: Vec<f64> = xs.iter().map(|x| x.exp()).collect();
    let sign = right.sign();
    let intrinsic: Vec<f64> = spots.iter().map(|s| (sign * (s - k)).max(0.0)).collect();

    // Operator coefficients, per stored index (the first-derivative term changes sign with
    // the storage direction).
    let mu = r - q - 0.5 * vol * vol;
    let alpha = 0.5 * vol * vol / (dx * dx);
    let beta = mu / (2.0 * step_x);
    let (l, d, u) = (alpha - beta, -2.0 * alpha - r, alpha + beta);
    // Undiscounted operator for the probability.
    let (pl, pd, pu) = (alpha - beta, -2.0 * alpha, alpha + beta);

    // Present value (at calendar time t_now) of the dividends still to come before expiry:
    // e^{r·t_now} times their values at time 0 (one exponential a step, not one a dividend).
    let div_now: Vec<(f64, f64)> = divs
        .iter()
        .map(|dv| (dv.0, dv.1 * (-r * dv.0 - q * (t - dv.0)).exp()))
        .collect();
    let pv_divs = |t_now: f64, grow: f64| -> f64 {
        grow * div_now
            .iter()
            .filter(|dv| dv.0 > t_now)
            .map(|dv| dv.1)
            .sum::<f64>()
    };
    let (disc_t, yield_t) = ((-r * t).exp(), (-q * t).exp());
    // Boundary values at calendar time t_now (τ = T − t_now to expiry), at the first and the
    // last stored node.
    let (s_lo, s_hi) = if mirror {
        (spots[nx - 1], spots[0])
    } else {
        (spots[0], spots[nx - 1])
    };
    let boundary = |t_now: f64| -> (f64, f64) {
        // e^{−rτ} and e^{−qτ} for τ = T − t_now, as e^{−rT}·e^{r·t_now}; exp(0) is 1
        // exactly: no call for the usual q = 0.
        let grow = (r * t_now).exp();
        let dr = disc_t * grow;
        let dq = if q == 0.0 {
            1.0
        } else {
            yield_t * (q * t_now).exp()
        };
        let pv = pv_divs(t_now, grow);
        let (at_lo, at_hi) = match right {
            Right::Call => {
                let euro = (s_hi * dq - pv - k * dr).max(0.0);
                let hi = if american { euro.max(s_hi - k) } else { euro };
                (0.0, hi)
            }
            Right::Put => {
                let euro = (k * dr - s_lo * dq + pv).max(0.0);
                let lo = if american { euro.max(k - s_lo) } else { euro };
                (lo, 0.0)
            }
        };
        if mirror {
            (at_hi, at_lo)
        } else {
            (at_lo, at_hi)
        }
    };

    // Segments in calendar time, from expiry back to now: [t_{i}, t_{i+1}] with ex-dates.
    let mut marks: Vec<f64> = divs.iter().map(|d| d.0).collect();
    marks.insert(0, 0.0);
    marks.push(t);
    let n_int = nx - 2;
    let lk = k.ln();
    let mut v: Vec<f64> = xs
        .iter()
        .map(|&x| cell_payoff(right, k, lk, x, dx))
        .collect();
    let (first0, last0) = boundary(t);
    v[0] = first0;
    v[nx - 1] = last0;
    let mut prob = vec![0.0; if want_prob { nx } else { 0 }];
    let mut work = vec![0.0; n_int];
    let mut scratch = vec![0.0; nx];
    let mut critical_first = None;
    let nt = grid.nt.max(4) as f64;
    let floor = american.then_some(intrinsic.as_slice());

    for seg in (0..marks.len() - 1).rev() {
        let (t_start, t_end) = (marks[seg], marks[seg + 1]);
        let len = t_end - t_start;
        if len <= 0.0 {
            continue;
        }
        let steps = ((nt * len / t).ceil() as usize)
            .max(2)
            .max((MIN_SEGMENT_STEPS * nt).ceil() as usize);
        let h = len / steps as f64;
        let cn = Factor::new(n_int, h, 0.5, l, d, u);
        let ie = Factor::new(n_int, 0.5 * h, 1.0, l, d, u);
        let pcn = want_prob.then(|| Factor::new(n_int, h, 0.5, pl, pd, pu));
        let pie = want_prob.then(|| Factor::new(n_int, 0.5 * h, 1.0, pl, pd, pu));
        // Rannacher: the first step of every segment as two implicit Euler half steps.
        let mut t_now = t_end;
        for n in 0..steps + 1 {
            let (fac, pfac, dt) = if n < 2 {
                (&ie, pie.as_ref(), 0.5 * h)
            } else {
                (&cn, pcn.as_ref(), h)
            };
            t_now = if n == steps { t_start } else { t_now - dt };
            let (first, last) = boundary(t_now);
            fac.step(&mut v, first, last, &mut work, floor);
            if let Some(pf) = pfac {
                let (plo, phi) = (prob[1], prob[nx - 2]);
                pf.step(&mut prob, plo, phi, &mut work, None);
                for i in 0..nx {
                    if intrinsic[i] > 0.0 && v[i] <= intrinsic[i] {
                        prob[i] = 1.0;
                    }
                }
            }
        }
        // Just before the ex-date at t_start (none at 0): the dividend drops the spot.
        if seg > 0 {
            let dvd = divs[seg - 1].1;
            // The node of the lowest spot, where a spot dropped below the grid takes its value.
            let low_node = if mirror { nx - 1 } else { 0 };
            let jump = |src: &[f64], out: &mut [f64], lo_val: f64| {
                for i in 0..nx {
                    let after = spots[i] - dvd;
                    out[i] = if after <= s_lo {
                        lo_val
                    } else {
                        interpolate(src, (after.ln() - x0) / step_x)
                    };
                }
            };
            let (first, last) = boundary(t_start);
            let lo = if mirror { last } else { first };
            jump(&v, &mut scratch, lo);
            std::mem::swap(&mut v, &mut scratch);
            if want_prob {
                let plo = prob[low_node];
                jump(&prob, &mut scratch, plo);
                std::mem::swap(&mut prob, &mut scratch);
            }
            if american {
                let mut crossing = None;
                for i in 0..nx {
                    if intrinsic[i] > 0.0 && v[i] <= intrinsic[i] {
                        if crossing.is_none() && right == Right::Call && i > 0 {
                            // Hold − exercise changes sign between i − 1 and i.
                            let g0 = v[i - 1] - intrinsic[i - 1];
                            let g1 = v[i] - intrinsic[i];
                            let w = if g0 != g1 { g0 / (g0 - g1) } else { 0.0 };
                            crossing = Some((xs[i - 1] + w * step_x).exp());
                        }
                        v[i] = intrinsic[i];
                        if want_prob {
                            prob[i] = 1.0;
                        }
                    }
                }
                if seg == 1 {
                    critical_first = crossing;
                }
            }
        }
    }

    // Derivatives in x at the spot (node mid; the storage direction flips the first).
    let vm = v[mid];
    let vx = (v[mid + 1] - v[mid - 1]) / (2.0 * step_x);
    let vxx = (v[mid + 1] - 2.0 * vm + v[mid - 1]) / (dx * dx);
    let delta = vx / spot;
    let gamma = (vxx - vx) / (spot * spot);
    let exercised_now = american && intrinsic[mid] > 0.0 && vm <= intrinsic[mid] * (1.0 + 1e-12);
    let theta = if exercised_now {
        0.0
    } else {
        -(0.5 * vol * vol * vxx + mu * vx - r * vm)
    };
    Solution {
        price: vm,
        delta,
        gamma,
        theta,
        p_early: want_prob.then(|| prob[mid].clamp(0.0, 1.0)),
        critical_first,
        p_next: None,
    }
}

/// Weight of the Richardson step: the grid's error falls by about 2^1.6 when both steps halve
/// (measured on American puts against QuantLib: the early-exercise boundary costs the scheme
/// part of an order), so the extrapolation is V_f + (V_f − V_c)/(2^1.6 − 1).
const RICHARDSON: f64 = 0.55;

/// Two grids, the second with half the steps in x and t, extrapolated: V_f + w·(V_f − V_c).
pub(super) fn solve_extrapolated(p: &Problem, grid: Grid, want_prob: bool) -> Solution {
    let fine = solve(p, grid, want_prob);
    let coarse = solve(
        p,
        Grid {
            nx: grid.nx / 2,
            nt: grid.nt / 2,
        },
        false,
    );
    let ex = |f: f64, c: f64| f + RICHARDSON * (f - c);
    Solution {
        price: ex(fine.price, coarse.price),
        delta: ex(fine.delta, coarse.delta),
        gamma: ex(fine.gamma, coarse.gamma),
        theta: ex(fine.theta, coarse.theta),
        ..fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-rows-at-a-time chains against the plain one-row recurrences, at every length
    /// from 0 to 40 (odd and even, the remainder row), on a system like the grid's.
    #[test]
    fn paired_recurrences_match_the_plain_ones() {
        for k in 0..40usize {
            let w: Vec<f64> = (0..k).map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.3).collect();
            let cp: Vec<f64> = (0..k).map(|i| -0.2 - 0.01 * (i % 5) as f64).collect();
            let cc: Vec<f64> = (0..k)
                .map(|i| if i + 1 < k { cp[i] * cp[i + 1] } else { 0.0 })
                .collect();
            let after = 0.7;
            let mut plain = vec![0.0; k];
            let mut next = after;
            for i in (0..k).rev() {
                next = w[i] - cp[i] * next;
                plain[i] = next;
            }
            let mut paired = vec![0.0; k];
            back_linear(&mut paired, &w, &cp, &cc, after);
            for i in 0..k {
                assert!(
                    (paired[i] - plain[i]).abs() <= 1e-14 * (1.0 + plain[i].abs()),
                    "k {k} row {i}: {} vs {}",
                    paired[i],
                    plain[i]
                );
            }
        }
        // A whole step against a dense solve: (I − θhL)x = (I + (1 − θ)hL)v with the
        // boundary values, unfloored and floored (the floor a ramp rising with the index).
        for n_int in [3usize, 4, 9, 10, 99] {
            let f = Factor::new(n_int, 0.01, 0.5, 120.0, -250.0, 130.0);
            let v0: Vec<f64> = (0..n_int + 2)
                .map(|i| (i as f64 * 0.37).sin() + 1.5)
                .collect();
            let (lo, hi) = (1.2, 0.4);
            let mut v = v0.clone();
            let mut work = vec![0.0; n_int];
            f.step(&mut v, lo, hi, &mut work, None);
            // Residual of the implicit system at each interior row.
            let (a, b, c) = (f.a, 1.0 - 0.5 * 0.01 * -250.0, f.c);
            for i in 1..=n_int {
                let lhs = a * v[i - 1] + b * v[i] + c * v[i + 1];
                let rhs = f.el * v0[i - 1] + f.ed * v0[i] + f.eu * v0[i + 1];
                assert!(
                    (lhs - rhs).abs() < 1e-12,
                    "n {n_int} row {i}: {lhs} vs {rhs}"
                );
            }
            let floor: Vec<f64> = (0..n_int + 2)
                .map(|i| (i as f64 - n_int as f64 / 2.0).max(0.0) * 0.5)
                .collect();
            let mut v = v0.clone();
            f.step(&mut v, lo, hi, &mut work, Some(&floor));
            for i in 1..=n_int {
                assert!(
                    v[i] >= floor[i] && v[i] >= 0.0,
                    "n {n_int} row {i}: {}",
                    v[i]
                );
            }
        }
    }

    /// With no rate and no dividend a put is never exercised early, so the American grid
    /// (stored from the highest spot down) and the European one (from the lowest up) solve
    /// the same problem up to where the grid's European value dips below intrinsic deep in
    /// the money (the projection then binds: 1.6e-4 at most here). A storage error (the drift
    /// term's sign, a boundary at the wrong end) shows as 1e-2 or more.
    #[test]
    fn mirrored_put_grid_matches_the_unmirrored_one() {
        for (spot, vol) in [(90.0, 0.2), (104.0, 0.3), (115.0, 0.55)] {
            let p = |american| Problem {
                right: Right::Put,
                spot,
                strike: 100.0,
                t: 0.25,
                rate: 0.0,
                q: 0.0,
                vol,
                divs: &[],
                american,
            };
            let grid = Grid { nx: 101, nt: 50 };
            let am = solve(&p(true), grid, false);
            let eu = solve(&p(false), grid, false);
            assert!(am.price >= eu.price - 1e-12, "{am:?} vs {eu:?}");
            assert!((am.price - eu.price).abs() < 3e-4, "{am:?} vs {eu:?}");
            assert!((am.delta - eu.delta).abs() < 1e-4, "{am:?} vs {eu:?}");
            assert!((am.gamma - eu.gamma).abs() < 1e-4, "{am:?} vs {eu:?}");
            assert!(am.delta < 0.0);
        }
    }
}
