//! The backtest chart behind `backtest --chart FILE.svg`: the strategy's daily equity against
//! buy-and-hold of the same shares, in USD, over the sessions of the run.

use std::io::Write;

use chrono::{Duration, NaiveDate};
use plotters::prelude::*;

use super::chart::money;
use crate::backtest::BacktestReport;
use crate::error::{Error, Result};

fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::Output(std::io::Error::other(format!("drawing the chart: {e}")))
}

/// Write both equity curves of `report` as SVG, titled `title`.
pub fn write_equity_svg(report: &BacktestReport, title: &str, out: &mut dyn Write) -> Result<()> {
    let pts = &report.equity;
    let (Some(first), Some(_)) = (pts.first(), pts.last()) else {
        return Err(Error::invalid(
            "equity curve",
            "empty",
            "at least one session to draw",
        ));
    };
    let day = |d: NaiveDate| (d - first.date).num_days() as f64;
    let x1 = day(pts[pts.len() - 1].date).max(1.0);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in pts {
        for v in [p.strategy, p.buy_and_hold] {
            if v.is_finite() {
                y0 = y0.min(v);
                y1 = y1.max(v);
            }
        }
    }
    if !(y0.is_finite() && y1.is_finite()) {
        return Err(Error::invalid(
            "equity curve",
            "not finite",
            "finite values",
        ));
    }
    let pad = 0.05 * (y1 - y0).max(1.0);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let start = first.date;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x1, y0..y1)
            .map_err(draw_err)?;
        c.configure_mesh()
            .x_desc("session")
            .y_desc("value (USD)")
            .x_label_formatter(&|v| (start + Duration::days(v.round() as i64)).to_string())
            .y_label_formatter(&|v| money(*v))
            .draw()
            .map_err(draw_err)?;
        c.draw_series(LineSeries::new(
            pts.iter().map(|p| (day(p.date), p.buy_and_hold)),
            BLACK.stroke_width(2),
        ))
        .map_err(draw_err)?
        .label("buy and hold")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLACK.stroke_width(2)));
        let strat = RGBColor(200, 60, 30);
        c.draw_series(LineSeries::new(
            pts.iter().map(|p| (day(p.date), p.strategy)),
            strat.stroke_width(2),
        ))
        .map_err(draw_err)?
        .label(format!("covered calls ({})", report.params.rule.as_str()))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], strat.stroke_width(2)));
        c.configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    out.write_all(svg.as_bytes()).map_err(Error::Output)
}
