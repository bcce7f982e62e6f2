//! The regime report for people: the one verdict line. The tables for the text, CSV and
//! Markdown formats are built by the exporters (`export/regime_tables.rs`), so this module
//! does not depend upward on `export`; JSON output is the report itself through serde.

use super::report::{RankSourceKind, RegimeReport};
use super::verdict::Premiums;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

impl RegimeReport {
    /// The verdict in one line, e.g.
    /// `AAPL 2024-03-07: premiums RICH (IV30 45.0%, IV rank 72.0% [published range],
    /// IV30/HV20 1.37); cautions: backwardation, earnings_ahead`.
    pub fn summary_line(&self) -> String {
        let class = self
            .verdict
            .premiums
            .map_or("UNKNOWN".to_string(), |p| p.as_str().to_uppercase());
        let mut facts = Vec::new();
        if let Some(iv) = &self.iv30 {
            facts.push(format!("IV30 {}", pct(iv.iv)));
        }
        if let Some(r) = &self.iv_rank {
            if let Some(rank) = r.rank {
                let source = match r.source {
                    RankSourceKind::LocalHistory => format!("{} sessions", r.local_sessions),
                    RankSourceKind::PublishedRange => "published range".to_string(),
                };
                let unused = if r.used_in_verdict { "" } else { ", not used" };
                facts.push(format!("IV rank {} [{source}{unused}]", pct(rank)));
            }
        }
        if let Some(q) = self.iv30_hv20_ratio {
            facts.push(format!("IV30/HV20 {q:.2}"));
        }
        let facts = if facts.is_empty() {
            self.verdict
                .reasons
                .first()
                .cloned()
                .unwrap_or_else(|| "no readings".to_string())
        } else {
            facts.join(", ")
        };
        let cautions = if self.verdict.cautions.is_empty() {
            "no cautions".to_string()
        } else {
            let kinds: Vec<&str> = self
                .verdict
                .cautions
                .iter()
                .map(|c| c.kind.as_str())
                .collect();
            format!("cautions: {}", kinds.join(", "))
        };
        format!(
            "{} {}: premiums {class} ({facts}); {cautions}",
            self.symbol,
            self.as_of.date_naive()
        )
    }

    /// Whether `suggest`/`plan` should warn that premiums are thin for this symbol.
    pub fn warn_thin(&self) -> bool {
        self.verdict.premiums == Some(Premiums::Thin)
    }

    /// The warning `suggest`/`plan` print when [`warn_thin`](Self::warn_thin) holds, with the
    /// reasons that voted thin; `None` otherwise.
    pub fn thin_warning(&self) -> Option<String> {
        if !self.warn_thin() {
            return None;
        }
        let why: Vec<String> = self
            .verdict
            .signals
            .iter()
            .filter(|s| s.vote == Premiums::Thin)
            .map(|s| match s.name {
                "iv_rank" => format!("IV rank {} < {}", pct(s.value), pct(s.thin_below)),
                _ => format!("{} {:.2} < {:.2}", s.name, s.value, s.thin_below),
            })
            .collect();
        Some(format!(
            "{}: premiums are thin ({}): little is paid for capping the upside",
            self.symbol,
            why.join(", ")
        ))
    }
}
