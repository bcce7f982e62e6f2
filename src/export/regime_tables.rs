//! The regime report's tables for the text, CSV and Markdown exporters (the verdict line
//! stays with the report in `regime/render.rs`). Here, above `regime`, so the dependency
//! points down: `export` knows the report, the report does not know `export`.

use super::{Cell, Col, Table};
use crate::regime::report::{ExpiryRow, Iv30Method, RankSourceKind, RegimeReport};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A fraction, shown to people as a percentage (unit column "%" or "vol pts") and written as
/// the decimal fraction in CSV and JSON (unit column "fraction", see
/// [`RegimeReport::to_machine_tables`]).
fn pct_cell(x: Option<f64>, decimals: usize) -> Cell {
    Cell::pct(x, decimals)
}

/// The unit a machine format states for a percent-like reading.
const FRACTION: &str = "fraction";

impl RegimeReport {
    /// Three tables for the text, CSV and Markdown exporters:
    ///
    /// 1. `"readings"` — columns `reading, value, unit, note`, one row per reading.
    ///    Percent-like readings are decimal fractions shown to people as percent (unit `%`, or
    ///    `vol pts` for IV differences); for CSV use [`RegimeReport::to_machine_tables`], whose
    ///    unit column says `fraction` for them, as the README's units table promises. Missing
    ///    readings have an empty value.
    /// 2. `"term structure"` — one row per expiry: days, years, ATM IV and the expected moves
    ///    (1σ from IV, the straddle, 1σ from the straddle, 0.85 × straddle). IV follows the
    ///    export convention (a fraction in CSV, percent for people).
    /// 3. `"verdict"` — columns `item, detail`: the class, each caution, each reason (one per
    ///    signal, with its value and thresholds) and each note.
    pub fn to_tables(&self) -> Vec<(&'static str, Table)> {
        vec![
            ("readings", self.readings_table(false)),
            ("term structure", self.term_table()),
            ("verdict", self.verdict_table()),
        ]
    }

    /// [`RegimeReport::to_tables`] for CSV and JSON: the same rows, with the unit column of
    /// the percent-like readings (whose values are decimal fractions) saying `fraction`.
    pub fn to_machine_tables(&self) -> Vec<(&'static str, Table)> {
        vec![
            ("readings", self.readings_table(true)),
            ("term structure", self.term_table()),
            ("verdict", self.verdict_table()),
        ]
    }

    /// The readings; `machine` states the unit of percent-like readings as `fraction`.
    fn readings_table(&self, machine: bool) -> Table {
        let mut rows: Vec<Reading> = Vec::new();
        let mut row = |name: &str, value: Cell, unit: &'static str, note: String| {
            let percent_like = matches!(value, Cell::Pct { .. } | Cell::Empty)
                && (unit == "%" || unit == "vol pts");
            rows.push(Reading {
                name: name.to_string(),
                value,
                unit: if machine && percent_like {
                    FRACTION
                } else {
                    unit
                },
                note,
            });
        };
        row(
            "spot",
            Cell::num(Some(self.spot_usd), 2),
            "USD",
            String::new(),
        );
        let iv30_note = self.iv30.as_ref().map_or(String::new(), |r| {
            let dates: Vec<String> = r.from_expiries.iter().map(|d| d.to_string()).collect();
            let how = match r.method {
                Iv30Method::Exact => "expiry at 30 days",
                Iv30Method::Interpolated => "total-variance interpolation",
                Iv30Method::FlatBeforeFirst | Iv30Method::FlatAfterLast => "carried flat",
            };
            format!("{how}: {}", dates.join(", "))
        });
        row(
            "IV30 (constant maturity, ATM)",
            pct_cell(self.iv30.as_ref().map(|r| r.iv), 2),
            "%",
            iv30_note,
        );
        let (rank, pctile, rank_note, pctile_note) = match &self.iv_rank {
            Some(r) => {
                let src = match r.source {
                    RankSourceKind::LocalHistory => format!(
                        "local IV30 history, {} sessions, range {}–{}",
                        r.local_sessions,
                        pct(r.low),
                        pct(r.high)
                    ),
                    RankSourceKind::PublishedRange => format!(
                        "published one-year range {}–{}; local store {} of {} sessions",
                        pct(r.low),
                        pct(r.high),
                        r.local_sessions,
                        r.min_local_sessions
                    ),
                };
                let used = if r.used_in_verdict {
                    ""
                } else {
                    " (not used in verdict)"
                };
                let pnote = if r.percentile.is_some() {
                    format!("local IV30 history, {} sessions", r.local_sessions)
                } else {
                    format!("needs {} local sessions", r.min_local_sessions)
                };
                (r.rank, r.percentile, format!("{src}{used}"), pnote)
            }
            None => (None, None, String::new(), String::new()),
        };
        row("IV rank", pct_cell(rank, 1), "%", rank_note);
        row("IV percentile", pct_cell(pctile, 1), "%", pctile_note);
        let r = self.realized.as_ref();
        for (name, v) in [
            ("HV10 close-to-close", r.and_then(|r| r.hv10)),
            ("HV20 close-to-close", r.and_then(|r| r.hv20)),
            ("HV60 close-to-close", r.and_then(|r| r.hv60)),
            ("HV10 Yang-Zhang", r.and_then(|r| r.yang_zhang10)),
            ("HV20 Yang-Zhang", r.and_then(|r| r.yang_zhang20)),
            ("HV60 Yang-Zhang", r.and_then(|r| r.yang_zhang60)),
        ] {
            row(name, pct_cell(v, 2), "%", "annualized, 252 sessions".into());
        }
        row(
            "IV30 / HV20",
            Cell::num(self.iv30_hv20_ratio, 2),
            "ratio",
            String::new(),
        );
        let s = self.term_slope.as_ref();
        row(
            "term spread (~90 d − front)",
            pct_cell(s.map(|s| s.spread), 2),
            "vol pts",
            s.map_or(String::new(), |s| {
                format!(
                    "{} {} → {} {}{}",
                    s.front_expiry,
                    pct(s.front_iv),
                    s.back_expiry,
                    pct(s.back_iv),
                    if s.backwardation {
                        "; backwardation"
                    } else {
                        ""
                    }
                )
            }),
        );
        let k = self.skew.as_ref();
        let skew_note = k.map_or(String::new(), |k| {
            format!("expiry {} ({} d)", k.expiry, k.dte_days)
        });
        for (name, v) in [
            (
                "25Δ put IV − 25Δ call IV",
                k.and_then(|k| k.put_minus_call_25d),
            ),
            (
                "IV 90% − IV 110% moneyness",
                k.and_then(|k| k.iv_90_minus_110),
            ),
        ] {
            let note = if v.is_some() {
                skew_note.clone()
            } else {
                String::new()
            };
            row(name, pct_cell(v, 2), "vol pts", note);
        }
        let m = self.momentum.as_ref();
        row(
            "RSI(14) Wilder",
            Cell::num(m.and_then(|m| m.rsi14), 1),
            "0-100",
            String::new(),
        );
        row(
            "MACD(12,26,9) line",
            Cell::num(m.and_then(|m| m.macd_line_usd), 3),
            "USD",
            String::new(),
        );
        row(
            "MACD signal",
            Cell::num(m.and_then(|m| m.macd_signal_usd), 3),
            "USD",
            String::new(),
        );
        row(
            "MACD histogram",
            Cell::num(m.and_then(|m| m.macd_histogram_usd), 3),
            "USD",
            String::new(),
        );
        for (name, d) in [
            (
                "bearish divergence",
                m.and_then(|m| m.bearish_divergence.as_ref()),
            ),
            (
                "bullish divergence",
                m.and_then(|m| m.bullish_divergence.as_ref()),
            ),
        ] {
            let value = match (m, d) {
                (None, _) => Cell::Empty,
                (Some(_), Some(_)) => Cell::text("yes"),
                (Some(_), None) => Cell::text("no"),
            };
            let note = d.map_or(String::new(), |d| {
                format!(
                    "{} {:.2} (MACD {:.3}) vs {} {:.2} (MACD {:.3})",
                    d.later.date,
                    d.later.close_usd,
                    d.later.macd_line_usd,
                    d.earlier.date,
                    d.earlier.close_usd,
                    d.earlier.macd_line_usd
                )
            });
            row(name, value, "", note);
        }
        row(
            "distance to SMA50",
            pct_cell(m.and_then(|m| m.sma50_distance), 2),
            "%",
            String::new(),
        );
        row(
            "distance to SMA200",
            pct_cell(m.and_then(|m| m.sma200_distance), 2),
            "%",
            String::new(),
        );
        row(
            "next earnings",
            self.next_earnings
                .map_or(Cell::Empty, |d| Cell::text(d.to_string())),
            "date",
            String::new(),
        );
        Table::from_rows(READINGS, &rows)
    }

    fn term_table(&self) -> Table {
        Table::from_rows(TERM, &self.term_structure)
    }

    fn verdict_table(&self) -> Table {
        let class = self.verdict.premiums.map_or("unknown", |p| p.as_str());
        let mut items = vec![Item::new("premiums", class)];
        for c in &self.verdict.cautions {
            items.push(Item::new(
                format!("caution: {}", c.kind.as_str()),
                &c.message,
            ));
        }
        for r in &self.verdict.reasons {
            items.push(Item::new("reason", r));
        }
        for n in &self.notes {
            items.push(Item::new("note", n));
        }
        Table::from_rows(VERDICT, &items)
    }
}

/// One row of the readings table.
struct Reading {
    name: String,
    value: Cell,
    unit: &'static str,
    note: String,
}

const READINGS: &[Col<Reading>] = &[
    Col::new("reading", "reading", |r| Cell::text(&r.name)),
    Col::new("value", "value", |r| r.value.clone()),
    Col::new("unit", "unit", |r| Cell::text(r.unit)),
    Col::new("note", "note", |r| Cell::text(&r.note)),
];

const TERM: &[Col<ExpiryRow>] = &[
    Col::new("expiry", "expiry", |r| Cell::text(r.expiry.to_string())),
    Col::new("dte_days", "DTE", |r| Cell::Int(r.dte_days)),
    Col::new("t_years", "T years", |r| Cell::num(Some(r.t_years), 4)),
    Col::new("atm_iv", "ATM IV %", |r| Cell::pct(r.atm_iv, 2)),
    Col::new("move_1sd_from_iv_usd", "1σ move (IV) $", |r| {
        Cell::num(r.move_1sd_from_iv_usd, 2)
    }),
    Col::new("straddle_usd", "straddle $", |r| {
        Cell::num(r.straddle_usd, 2)
    }),
    Col::new("move_1sd_from_straddle_usd", "1σ move (straddle) $", |r| {
        Cell::num(r.move_1sd_from_straddle_usd, 2)
    }),
    Col::new("move_085_straddle_usd", "0.85×straddle $", |r| {
        Cell::num(r.move_085_straddle_usd, 2)
    }),
];

/// One row of the verdict table.
struct Item {
    item: String,
    detail: String,
}

impl Item {
    fn new(item: impl Into<String>, detail: impl Into<String>) -> Item {
        Item {
            item: item.into(),
            detail: detail.into(),
        }
    }
}

const VERDICT: &[Col<Item>] = &[
    Col::new("item", "item", |r| Cell::text(&r.item)),
    Col::new("detail", "detail", |r| Cell::text(&r.detail)),
];
