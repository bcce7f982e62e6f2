//! `ccplan income`: premium income from the journal.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use ccplan::export::{write_json, Cell, Col, Format, Table};
use ccplan::journal::{income, Action, GroupBy, IncomeRow};
use ccplan::store::Store;

use super::say;
use super::suggest_cmd::{emit, read_holdings};
use super::Ctx;

/// Arguments of `income`.
#[derive(Debug, clap::Args)]
pub struct IncomeArgs {
    /// Rows per month or year the call was sold in, or per symbol; default: the total only.
    #[arg(long, value_name = "month|year|symbol", value_parser = parse_by)]
    pub by: Option<GroupBy>,
    /// Output format.
    #[arg(long, default_value = "table")]
    pub format: Format,
    /// Also write to FILE (format from its extension: .csv, .json, .md, .txt), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Take the cost basis of shares called away from this holdings file where the journal's
    /// assignments lack one.
    #[arg(long, value_name = "FILE")]
    pub holdings: Option<PathBuf>,
}

fn parse_by(s: &str) -> Result<GroupBy, String> {
    s.parse().map_err(|e: ccplan::Error| e.to_string())
}

fn count(n: u64) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The columns of an income row (one per group, then the total).
const COLUMNS: &[Col<IncomeRow>] = &[
    Col::new("group", "group", |r| Cell::text(&r.group)),
    Col::new("contracts_sold", "sold", |r| count(r.contracts_sold)),
    Col::new("premium_collected", "collected $", |r| {
        Cell::num(Some(r.premium_collected), 2)
    }),
    Col::new("paid_back", "paid back $", |r| {
        Cell::num(Some(r.paid_back), 2)
    }),
    Col::new("fees", "fees $", |r| Cell::num(Some(r.fees), 2)),
    Col::new("net", "net $", |r| Cell::num(Some(r.net), 2)),
    Col::new(
        "realized_gain_on_assignments",
        "gain on assignments $",
        |r| Cell::num(Some(r.realized_gain_on_assignments), 2),
    ),
    Col::new("assignments", "assigned", |r| count(r.assignments)),
    Col::new("expired", "expired", |r| count(r.expired)),
    Col::new("bought_back", "bought back", |r| count(r.bought_back)),
    Col::new("open", "open", |r| count(r.open)),
    Col::new("capital_covered", "capital covered $", |r| {
        Cell::num(Some(r.capital_covered), 2)
    }),
    Col::new("annualized_yield", "yield %/yr", |r| {
        Cell::pct(r.annualized_yield, 2)
    }),
];

/// Run `income`.
pub fn run(a: &IncomeArgs, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open_existing(&ctx.store)
        .with_context(|| "no store yet: `journal import` or `journal add` first")?;
    let mut entries = store.journal()?;
    if let Some(path) = &a.holdings {
        let p = read_holdings(path)?;
        for e in entries
            .iter_mut()
            .filter(|e| e.action == Action::Assigned && e.cost_basis.is_none())
        {
            let root = e
                .contract
                .root
                .trim_end_matches(|c: char| c.is_ascii_digit());
            e.cost_basis = p
                .holdings
                .iter()
                .find(|h| h.symbol == root)
                .and_then(|h| h.cost_basis);
        }
    }
    let by = a.by.unwrap_or(GroupBy::Total);
    let inc = income(&entries, by, ctx.now.date_naive());
    let t = Table::from_rows(COLUMNS, inc.rows.iter().chain([&inc.total]));
    if inc.total.assignments_without_basis > 0 {
        say::note(format_args!(
            "{} assigned contracts have no cost basis: their gain is not counted \
             (journal add --cost-basis, or income --holdings FILE)",
            inc.total.assignments_without_basis
        ));
    }
    if a.format == Format::Table && a.out.is_none() {
        writeln!(
            out,
            "Premium income from {} journal entries, as of {}{}",
            entries.len(),
            inc.as_of,
            match by {
                GroupBy::Total => String::new(),
                GroupBy::Symbol => "; by symbol".to_string(),
                GroupBy::Month => "; by the month each call was sold".to_string(),
                GroupBy::Year => "; by the year each call was sold".to_string(),
            }
        )?;
    }
    emit(a.format, a.out.as_deref(), out, &|f, w| {
        if f == Format::Json {
            write_json(&inc, w)?;
        } else {
            t.write(f, w)?;
        }
        Ok(())
    })
}
