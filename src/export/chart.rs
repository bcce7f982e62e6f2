//! The payoff chart behind `--chart FILE.svg`: what the covered position is worth at expiry
//! against the stock alone, with the spot, the strike, the break-even and the 1σ expected move
//! marked, so a seller sees at a glance what is given up above the strike and what the premium
//! buys below the spot.

use std::io::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::error::{Error, Result};

/// What to draw. Money in USD per share unless stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayoffChart {
    /// Title, e.g. "NVDA 300 sh + short 3 × NVDA261218C00200000".
    pub title: String,
    /// Spot today.
    pub spot: f64,
    /// Strike of the call written.
    pub strike: f64,
    /// Premium received per share.
    pub premium: f64,
    /// Shares covered by the calls (contracts × multiplier).
    pub shares_covered: f64,
    /// 1σ expected move to expiry, USD (S·σ·√T).
    pub expected_move: f64,
    /// Cost basis per share, when known: drawn as a line (a strike below it sells at a loss).
    pub cost_basis: Option<f64>,
}

impl PayoffChart {
    /// Value at expiry of the stock alone, for the covered shares.
    pub fn stock_value(&self, s_t: f64) -> f64 {
        self.shares_covered * s_t
    }

    /// Value at expiry of the covered position: shares + premium − what the call pays.
    pub fn covered_value(&self, s_t: f64) -> f64 {
        self.shares_covered * (s_t + self.premium - (s_t - self.strike).max(0.0))
    }

    /// The price at expiry where the covered position is worth what the shares are today.
    pub fn break_even(&self) -> f64 {
        self.spot - self.premium
    }

    fn validate(&self) -> Result<()> {
        for (what, v) in [
            ("chart spot", self.spot),
            ("chart strike", self.strike),
            ("chart shares", self.shares_covered),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(what, v, "a positive finite number"));
            }
        }
        if let Some(b) = self.cost_basis {
            if !(b.is_finite() && b >= 0.0) {
                return Err(Error::invalid("chart cost basis", b, "a finite number ≥ 0"));
            }
        }
        for (what, v) in [
            ("chart premium", self.premium),
            ("chart expected move", self.expected_move),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(what, v, "a finite number ≥ 0"));
            }
        }
        Ok(())
    }
}

/// USD for an axis: "$52,300", "-$1,200", "$12.50" under 100.
pub fn money(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a < 100.0 {
        return format!("{sign}${a:.2}");
    }
    let whole = format!("{:.0}", a);
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}${out}")
}

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Output(std::io::Error::other(format!("drawing the chart: {e}")))
}

/// Write the chart as SVG.
pub fn write_payoff_svg(chart: &PayoffChart, out: &mut dyn Write) -> Result<()> {
    chart.validate()?;
    let half = (0.25 * chart.spot)
        .max(2.5 * chart.expected_move)
        .max(1.2 * (chart.strike - chart.spot).abs());
    let (mut x0, x1) = ((chart.spot - half).max(0.0), chart.spot + half);
    if let Some(b) = chart.cost_basis.filter(|b| *b > 0.0) {
        // The cost basis line is always in view.
        x0 = x0.min((b - 0.05 * chart.spot).max(0.0));
    }
    let n = 400;
    let xs: Vec<f64> = (0..=n)
        .map(|i| x0 + (x1 - x0) * i as f64 / n as f64)
        .collect();
    let ys = xs
        .iter()
        .flat_map(|&x| [chart.stock_value(x), chart.covered_value(x)]);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for y in ys {
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let pad = 0.05 * (y1 - y0).max(1.0);
    let (y0, y1) = (y0 - pad, y1 + pad);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(&chart.title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        c.configure_mesh()
            .x_desc("underlying at expiry (USD)")
            .y_desc("position value at expiry (USD)")
            .x_label_formatter(&|v| money(*v))
            .y_label_formatter(&|v| money(*v))
            .draw()
            .map_err(draw_err)?;

        // 1σ expected-move band.
        let (lo, hi) = (
            chart.spot - chart.expected_move,
            chart.spot + chart.expected_move,
        );
        c.draw_series(std::iter::once(Rectangle::new(
            [(lo.max(x0), y0), (hi.min(x1), y1)],
            RGBColor(70, 130, 180).mix(0.12).filled(),
        )))
        .map_err(draw_err)?
        .label(format!("1σ expected move ±{:.2}", chart.expected_move))
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 15, y + 5)],
                RGBColor(70, 130, 180).mix(0.3).filled(),
            )
        });

        c.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, chart.stock_value(x))),
            BLACK.stroke_width(2),
        ))
        .map_err(draw_err)?
        .label("stock alone")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLACK.stroke_width(2)));
        let covered = RGBColor(200, 60, 30);
        c.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, chart.covered_value(x))),
            covered.stroke_width(3),
        ))
        .map_err(draw_err)?
        .label("covered (stock + short call)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], covered.stroke_width(3)));

        // Labels are staggered vertically, and each sits on the side of its line away from the
        // spot (the break-even, below the spot, is labelled to its left), so close markers
        // never write over one another's lines.
        let gap = 0.006 * (x1 - x0);
        let mut markers = vec![
            (
                chart.spot,
                format!("spot {:.2}", chart.spot),
                RGBColor(40, 40, 40),
            ),
            (chart.strike, format!("strike {:.2}", chart.strike), covered),
            (
                chart.break_even(),
                format!("break-even {:.2}", chart.break_even()),
                RGBColor(30, 120, 60),
            ),
        ];
        if let Some(b) = chart.cost_basis {
            markers.push((b, format!("cost basis {b:.2}"), RGBColor(120, 60, 160)));
        }
        for (row, (x, label, color)) in markers.into_iter().enumerate() {
            if x < x0 || x > x1 {
                continue;
            }
            c.draw_series(std::iter::once(PathElement::new(
                vec![(x, y0), (x, y1)],
                color.stroke_width(1),
            )))
            .map_err(draw_err)?;
            let left = x < chart.spot;
            let (lx, h) = if left {
                (x - gap, HPos::Right)
            } else {
                (x + gap, HPos::Left)
            };
            c.draw_series(std::iter::once(Text::new(
                label,
                (lx, y1 - (0.03 + 0.05 * row as f64) * (y1 - y0)),
                ("sans-serif", 14)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(h, VPos::Center)),
            )))
            .map_err(draw_err)?;
        }
        c.configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    out.write_all(svg.as_bytes()).map_err(Error::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> PayoffChart {
        PayoffChart {
            title: "NVDA 300 sh + short 3 × NVDA261218C00200000".into(),
            spot: 180.0,
            strike: 200.0,
            premium: 3.0,
            shares_covered: 300.0,
            expected_move: 19.0,
            cost_basis: Some(150.0),
        }
    }

    #[test]
    fn money_labels() {
        assert_eq!(money(52_300.0), "$52,300");
        assert_eq!(money(1_234_567.4), "$1,234,567");
        assert_eq!(money(-1200.0), "-$1,200");
        assert_eq!(money(12.5), "$12.50");
        assert_eq!(money(100.0), "$100");
    }

    #[test]
    fn payoff_values() {
        let c = chart();
        // Below the strike the covered position is the stock plus the premium.
        assert_eq!(c.covered_value(150.0), 300.0 * 153.0);
        // Above the strike it is capped at K + P.
        assert_eq!(c.covered_value(250.0), 300.0 * 203.0);
        assert_eq!(c.stock_value(250.0), 75_000.0);
        assert_eq!(c.break_even(), 177.0);
    }

    #[test]
    fn svg_has_the_markers() {
        let mut v = Vec::new();
        write_payoff_svg(&chart(), &mut v).unwrap();
        let s = String::from_utf8(v).unwrap();
        assert!(s.starts_with("<svg"), "{}", &s[..s.len().min(80)]);
        for needle in [
            "strike 200.00",
            "spot 180.00",
            "break-even 177.00",
            "cost basis 150.00",
            "stock alone",
            ",000",
        ] {
            assert!(s.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut c = chart();
        c.spot = f64::NAN;
        let e = write_payoff_svg(&c, &mut Vec::new()).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "chart spot", value, .. } if value == "NaN"),
            "{e}"
        );
    }
}
