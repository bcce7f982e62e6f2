//! Holdings written back as ccplan's TOML, so an imported export can be corrected and kept.

use std::io::Write;

use super::Ignored;
use crate::error::{Error, Result};
use crate::model::Portfolio;

/// Write `portfolio` as a ccplan holdings TOML file that [`crate::model::parse_holdings`]
/// reads back to the same holdings. `header` lines become comments at the top (where it came
/// from, what was summed or converted); `ignored` lines are listed as comments at the end so
/// that nothing the export held disappears silently.
pub fn write_toml(
    portfolio: &Portfolio,
    header: &[String],
    ignored: &[Ignored],
    out: &mut dyn Write,
) -> Result<()> {
    let mut s = String::new();
    for h in header {
        for line in h.lines() {
            s.push_str(&format!("# {line}\n"));
        }
    }
    for h in &portfolio.holdings {
        s.push_str("\n[[holding]]\n");
        s.push_str(&format!("symbol = {}\n", quoted(&h.symbol)));
        s.push_str(&format!("shares = {}\n", h.shares));
        if let Some(b) = h.cost_basis {
            s.push_str(&format!("cost_basis = {b:?}   # USD per share\n"));
        }
        if let Some(d) = h.events.next_earnings {
            s.push_str(&format!("next_earnings = {d}\n"));
        }
        if let Some(d) = h.events.ex_dividend {
            s.push_str(&format!("ex_dividend = {d}\n"));
        }
        if let Some(d) = h.events.dividend {
            s.push_str(&format!("dividend = {d:?}\n"));
        }
        if !h.written.is_empty() {
            let calls: Vec<String> = h
                .written
                .iter()
                .map(|w| {
                    let mut item = format!(
                        "{{ contract = {}, contracts = {}",
                        quoted(&w.contract.occ()),
                        w.contracts
                    );
                    if let Some(p) = w.price {
                        item.push_str(&format!(", price = {p:?}"));
                    }
                    if let Some(d) = w.opened {
                        item.push_str(&format!(", opened = {d}"));
                    }
                    if let Some(f) = w.fees {
                        item.push_str(&format!(", fees = {f:?}"));
                    }
                    item.push_str(" }");
                    item
                })
                .collect();
            s.push_str(&format!("written = [{}]\n", calls.join(", ")));
        }
    }
    if !ignored.is_empty() {
        s.push_str("\n# Left out of the export:\n");
        for i in ignored {
            s.push_str(&format!("#   {}\n", i.to_string().replace('\n', " ")));
        }
    }
    out.write_all(s.as_bytes()).map_err(Error::Output)
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}
