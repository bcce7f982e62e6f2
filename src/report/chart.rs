//! Small SVG charts for the report, drawn with plotters like the payoff chart: one [`Chart`]
//! description (series, bid/ask bars, marker lines, axis kinds) and one renderer, so the smile,
//! the term structure, the IV history, the stress curve and a backtest's equity curves are all
//! the same few lines of data.
//!
//! The SVG is meant to sit inside the HTML page: it carries a `<title>` and a `<desc>` and
//! `role="img"` with an `aria-label` for screen readers, no XML namespace (HTML does not need
//! one) and nothing fetched (plotters writes plain shapes and text in the generic
//! `sans-serif` family).

use chrono::{Duration, NaiveDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::export::money;

/// How an axis labels its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Axis {
    /// A plain number with this many decimals.
    Number(usize),
    /// A decimal fraction shown as percent with this many decimals (0.25 → "25%").
    Percent(usize),
    /// USD ("$1,200", "$12.50").
    Usd,
    /// Whole days counted from this date, labelled as ISO dates.
    Days(NaiveDate),
}

impl Axis {
    fn label(self, v: f64) -> String {
        // No "-0%" on an axis: a value that rounds to zero is zero.
        let v = if v.abs() < 1e-9 * (1.0 + v.abs()) {
            0.0
        } else {
            v
        };
        match self {
            Axis::Number(d) => format!("{v:.d$}"),
            Axis::Percent(d) => {
                let p = v * 100.0;
                let shown = format!("{p:.d$}");
                if shown
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c == '0' || c == '.')
                {
                    format!("{:.d$}%", 0.0)
                } else {
                    format!("{shown}%")
                }
            }
            Axis::Usd => money(v),
            Axis::Days(origin) => (origin + Duration::days(v.round() as i64))
                .format("%Y-%m-%d")
                .to_string(),
        }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line through the points.
    Line,
    /// Dots only.
    Dots,
    /// A line with a dot on each point.
    LineDots,
}

/// One named series of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// The points, in x order for lines.
    pub points: Vec<(f64, f64)>,
    /// How to draw it.
    pub mark: Mark,
}

impl Series {
    /// A line of dated values for an [`Axis::Days`] axis counted from `origin` (an equity
    /// curve, an IV history).
    pub fn dated(
        name: impl Into<String>,
        origin: NaiveDate,
        points: impl IntoIterator<Item = (NaiveDate, f64)>,
    ) -> Series {
        Series {
            name: name.into(),
            points: points
                .into_iter()
                .map(|(d, v)| ((d - origin).num_days() as f64, v))
                .collect(),
            mark: Mark::Line,
        }
    }
}

/// A vertical range at one x (a bid–ask IV bar).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Where.
    pub x: f64,
    /// Bottom.
    pub lo: f64,
    /// Top.
    pub hi: f64,
}

/// A labelled marker line across the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Position on its axis.
    pub at: f64,
    /// Text beside it.
    pub label: String,
}

/// Where the legend goes: the corner the data leaves empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    /// Top left.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The SVG `<title>` and `aria-label`.
    pub title: String,
    /// A sentence for screen readers: what the chart shows, with its key numbers.
    pub description: String,
    /// The x axis description.
    pub x_desc: String,
    /// The y axis description.
    pub y_desc: String,
    /// How x values are labelled.
    pub x_axis: Axis,
    /// How y values are labelled.
    pub y_axis: Axis,
    /// The series.
    pub series: Vec<Series>,
    /// Vertical ranges (drawn first, under the series), with their legend name.
    pub ranges: Option<(String, Vec<Range>)>,
    /// Vertical marker lines.
    pub vlines: Vec<Marker>,
    /// Horizontal marker lines.
    pub hlines: Vec<Marker>,
    /// Where the legend goes.
    pub legend: Corner,
    /// Size in pixels (the page scales it to its column).
    pub size: (u32, u32),
}

impl Chart {
    /// An empty chart with these axes, 720 × 340.
    pub fn new(title: impl Into<String>, x: (&str, Axis), y: (&str, Axis)) -> Chart {
        Chart {
            title: title.into(),
            description: String::new(),
            x_desc: x.0.to_string(),
            y_desc: y.0.to_string(),
            x_axis: x.1,
            y_axis: y.1,
            series: Vec::new(),
            ranges: None,
            vlines: Vec::new(),
            hlines: Vec::new(),
            legend: Corner::LowerRight,
            size: (640, 360),
        }
    }

    /// The data's extent, padded; `None` with no finite point at all.
    fn extent(&self) -> Option<((f64, f64), (f64, f64))> {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for s in &self.series {
            for &(x, y) in &s.points {
                xs.push(x);
                ys.push(y);
            }
        }
        if let Some((_, rs)) = &self.ranges {
            for r in rs {
                xs.push(r.x);
                ys.push(r.lo);
                ys.push(r.hi);
            }
        }
        xs.extend(self.vlines.iter().map(|m| m.at));
        ys.extend(self.hlines.iter().map(|m| m.at));
        let span = |v: &[f64]| -> Option<(f64, f64)> {
            let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !(lo.is_finite() && hi.is_finite()) {
                return None;
            }
            let pad = if hi > lo {
                0.06 * (hi - lo)
            } else {
                0.05 * lo.abs().max(1e-3)
            };
            Some((lo - pad, hi + pad))
        };
        Some((span(&xs)?, span(&ys)?))
    }
}

const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 102, 170),
    RGBColor(200, 60, 30),
    RGBColor(40, 140, 60),
    RGBColor(130, 70, 160),
    RGBColor(90, 90, 90),
];
const RANGE_COLOR: RGBColor = RGBColor(120, 150, 190);
const MARKER_COLOR: RGBColor = RGBColor(60, 60, 60);

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Output(std::io::Error::other(format!(
        "drawing a report chart: {e}"
    )))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Make a plotters SVG fit for inline use in HTML: drop the XML namespace, add `role="img"`,
/// an `aria-label`, a `<title>` and a `<desc>`.
pub fn accessible_svg(svg: &str, title: &str, description: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg.to_string();
    };
    let open = svg[..open_end].replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    let mut out = String::with_capacity(svg.len() + 200);
    out.push_str(&open);
    out.push_str(&format!(
        " role=\"img\" aria-label=\"{}\" focusable=\"false\"><title>{}</title>",
        escape(title),
        escape(title)
    ));
    if !description.is_empty() {
        out.push_str(&format!("<desc>{}</desc>", escape(description)));
    }
    out.push_str(&svg[open_end + 1..]);
    out
}

/// A percent axis spanning a few points gets a decimal more, so its labels do not repeat
/// ("44%, 44%, 45%").
fn finer(axis: Axis, span: f64) -> Axis {
    match axis {
        Axis::Percent(d) if span * 100.0 < 6.0 => Axis::Percent(d.max(1)),
        other => other,
    }
}

/// Draw a chart as inline SVG. A chart with no finite data is an error (the page leaves
/// such a chart out and says so).
pub fn render(chart: &Chart) -> Result<String> {
    let ((x0, x1), (y0, y1)) = chart
        .extent()
        .ok_or_else(|| Error::invalid("chart data", &chart.title, "at least one finite point"))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        let (xa, ya) = (finer(chart.x_axis, x1 - x0), finer(chart.y_axis, y1 - y0));
        c.configure_mesh()
            .x_desc(chart.x_desc.as_str())
            .y_desc(chart.y_desc.as_str())
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&|v| xa.label(*v))
            .y_label_formatter(&|v| ya.label(*v))
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;

        if let Some((name, ranges)) = &chart.ranges {
            let finite: Vec<Range> = ranges
                .iter()
                .copied()
                .filter(|r| r.x.is_finite() && r.lo.is_finite() && r.hi.is_finite())
                .collect();
            if !finite.is_empty() {
                c.draw_series(finite.iter().map(|r| {
                    PathElement::new(vec![(r.x, r.lo), (r.x, r.hi)], RANGE_COLOR.stroke_width(4))
                }))
                .map_err(draw_err)?
                .label(name.as_str())
                .legend(|(x, y)| {
                    PathElement::new(
                        vec![(x + 7, y - 6), (x + 7, y + 6)],
                        RANGE_COLOR.stroke_width(4),
                    )
                });
            }
        }
        for (i, s) in chart.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            if pts.is_empty() {
                continue;
            }
            let width = if i == 0 { 3 } else { 2 };
            if matches!(s.mark, Mark::Line | Mark::LineDots) {
                c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))
                    .map_err(draw_err)?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 15, y)], color.stroke_width(width))
                    });
            }
            if matches!(s.mark, Mark::Dots | Mark::LineDots) {
                let radius = if s.mark == Mark::Dots { 5 } else { 3 };
                let a = c
                    .draw_series(pts.iter().map(|&p| Circle::new(p, radius, color.filled())))
                    .map_err(draw_err)?;
                if s.mark == Mark::Dots {
                    a.label(s.name.as_str())
                        .legend(move |(x, y)| Circle::new((x + 7, y), radius, color.filled()));
                }
            }
        }
        for (row, m) in chart.vlines.iter().enumerate() {
            if !(m.at.is_finite() && m.at >= x0 && m.at <= x1) {
                continue;
            }
            c.draw_series(std::iter::once(PathElement::new(
                vec![(m.at, y0), (m.at, y1)],
                MARKER_COLOR.stroke_width(1),
            )))
            .map_err(draw_err)?;
            // Labels on the side with more room, staggered so close markers do not collide.
            let right = m.at < x0 + 0.7 * (x1 - x0);
            let gap = 0.008 * (x1 - x0);
            let (lx, h) = if right {
                (m.at + gap, HPos::Left)
            } else {
                (m.at - gap, HPos::Right)
            };
            c.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (lx, y1 - (0.05 + 0.07 * row as f64) * (y1 - y0)),
                ("sans-serif", 16)
                    .into_font()
                    .color(&MARKER_COLOR)
                    .pos(Pos::new(h, VPos::Center)),
            )))
            .map_err(draw_err)?;
        }
        for m in &chart.hlines {
            if !(m.at.is_finite() && m.at >= y0 && m.at <= y1) {
                continue;
            }
            c.draw_series(std::iter::once(PathElement::new(
                vec![(x0, m.at), (x1, m.at)],
                PALETTE[3].stroke_width(1),
            )))
            .map_err(draw_err)?;
            c.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (x0 + 0.01 * (x1 - x0), m.at + 0.03 * (y1 - y0)),
                ("sans-serif", 16)
                    .into_font()
                    .color(&PALETTE[3])
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))
            .map_err(draw_err)?;
        }
        c.configure_series_labels()
            .border_style(RGBColor(180, 180, 180))
            .background_style(WHITE.mix(0.9))
            .label_font(("sans-serif", 16))
            .position(match chart.legend {
                Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
                Corner::UpperRight => SeriesLabelPosition::UpperRight,
                Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
                Corner::LowerRight => SeriesLabelPosition::LowerRight,
            })
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(accessible_svg(&svg, &chart.title, &chart.description))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Chart {
        let mut c = Chart::new(
            "NVDA smile <2026-12-18>",
            ("strike (USD)", Axis::Usd),
            ("implied volatility", Axis::Percent(0)),
        );
        c.description = "IV by strike".into();
        c.series.push(Series {
            name: "mid IV".into(),
            points: vec![(150.0, 0.5), (180.0, 0.45), (200.0, 0.47)],
            mark: Mark::LineDots,
        });
        c.ranges = Some((
            "bid–ask IV".into(),
            vec![Range {
                x: 180.0,
                lo: 0.44,
                hi: 0.46,
            }],
        ));
        c.vlines.push(Marker {
            at: 200.0,
            label: "chosen 200".into(),
        });
        c
    }

    #[test]
    fn svg_is_accessible_and_fetches_nothing() {
        let s = render(&sample()).unwrap();
        assert!(s.starts_with("<svg "), "{}", &s[..60]);
        assert!(s.contains("role=\"img\""));
        assert!(s.contains("aria-label=\"NVDA smile &lt;2026-12-18&gt;\""));
        assert!(s.contains("<title>NVDA smile &lt;2026-12-18&gt;</title><desc>IV by strike</desc>"));
        assert!(!s.contains("http"), "no URL of any kind in inline SVG");
        assert!(s.contains("chosen 200"));
        assert!(s.contains("bid–ask IV"));
        // Percent axis labels: 45% lies inside the padded range.
        assert!(s.contains("45%") || s.contains("46%") || s.contains("48%"));
    }

    #[test]
    fn axis_labels() {
        assert_eq!(Axis::Percent(1).label(0.2534), "25.3%");
        assert_eq!(Axis::Usd.label(52_300.0), "$52,300");
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(Axis::Days(d).label(31.0), "2026-02-01");
        assert_eq!(Axis::Number(2).label(1.0), "1.00");
        assert_eq!(Axis::Percent(0).label(-1e-17), "0%");
        assert_eq!(Axis::Percent(0).label(-0.001), "0%");
        assert_eq!(Axis::Percent(0).label(-0.1), "-10%");
        assert_eq!(finer(Axis::Percent(0), 0.03), Axis::Percent(1));
        assert_eq!(finer(Axis::Percent(0), 0.30), Axis::Percent(0));
    }

    #[test]
    fn no_data_is_an_error() {
        let mut c = sample();
        c.series[0].points = vec![(f64::NAN, 1.0)];
        c.ranges = None;
        c.vlines.clear();
        let e = render(&c).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "chart data", value, expected }
                if *value == c.title && expected.contains("finite point")),
            "{e}"
        );
    }
}
