//! `ccplan journal import|add|show`: the trade journal of written calls, in the store.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;

use ccplan::export::{Cell, Col, Format, Table};
use ccplan::import::fields::option_symbol;
use ccplan::journal::{parse_transactions, Action, JournalEntry};
use ccplan::model::Right;
use ccplan::store::Store;

use super::say;
use super::suggest_cmd::emit;
use super::{usage, Ctx};

/// `journal` subcommands.
#[derive(Debug, Subcommand)]
pub enum JournalCmd {
    /// Read a broker's transaction history (Schwab, Fidelity, or an IBKR activity statement's
    /// trades) into the journal: calls sold, bought back, expired, assigned. Importing the
    /// same file again adds nothing.
    Import {
        /// The history CSV.
        file: PathBuf,
    },
    /// Record one trade by hand.
    Add {
        /// sell-to-open, buy-to-close, expired or assigned.
        #[arg(long, value_parser = parse_action)]
        action: Action,
        /// The call: OCC (NVDA251219C00150000) or a broker's spelling (NVDA 12/19/2025 150.00 C).
        #[arg(long)]
        contract: String,
        /// Contracts.
        #[arg(long, default_value = "1")]
        contracts: u32,
        /// Price per share, USD (needed for sell-to-open and buy-to-close).
        #[arg(long, value_name = "USD")]
        price: Option<f64>,
        /// Fees and commissions for the whole trade, USD.
        #[arg(long, value_name = "USD", default_value = "0")]
        fees: f64,
        /// Trade date (YYYY-MM-DD); default: today (or --as-of).
        #[arg(long, value_name = "DATE")]
        date: Option<NaiveDate>,
        /// The account.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// For an assignment: cost basis per share of the shares called away, USD.
        #[arg(long, value_name = "USD")]
        cost_basis: Option<f64>,
    },
    /// List the journal's entries.
    Show {
        /// Output format.
        #[arg(long, default_value = "table")]
        format: Format,
        /// Also write to FILE (format from its extension), atomically.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn parse_action(s: &str) -> Result<Action, String> {
    s.parse().map_err(|e: ccplan::Error| e.to_string())
}

/// Run a `journal` subcommand.
pub fn run(cmd: &JournalCmd, ctx: &Ctx, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        JournalCmd::Import { file } => {
            let text = std::fs::read_to_string(file).map_err(|e| ccplan::Error::Io {
                path: file.clone(),
                source: e,
            })?;
            let t = parse_transactions(&text, &file.display().to_string())?;
            for n in &t.notes {
                say::note(n);
            }
            for i in &t.ignored {
                eprintln!("ignored: {i}");
            }
            let mut store = Store::open(&ctx.store)?;
            let r = store.add_journal(&t.entries)?;
            writeln!(
                out,
                "read {} written-call entries from a {} file ({} lines ignored): {} added, {} already in the journal {}",
                t.entries.len(),
                t.format.name(),
                t.ignored.len(),
                r.added,
                r.already,
                ctx.store.display()
            )?;
        }
        JournalCmd::Add {
            action,
            contract,
            contracts,
            price,
            fees,
            date,
            account,
            cost_basis,
        } => {
            let Some(c) = option_symbol(contract) else {
                return usage(format!(
                    "--contract {contract:?}: not an option symbol (write NVDA251219C00150000 or NVDA 12/19/2025 150.00 C)"
                ));
            };
            if c.right == Right::Put {
                return usage(format!(
                    "--contract {contract}: a put; the journal keeps written calls"
                ));
            }
            let e = JournalEntry {
                date: date.unwrap_or(ctx.now.date_naive()),
                account: account.clone(),
                contract: c,
                action: *action,
                contracts: *contracts,
                price: *price,
                fees: *fees,
                multiplier: 100,
                cost_basis: *cost_basis,
                amount: None,
                source: "manual".into(),
            };
            if let Err(m) = e.validate() {
                return usage(format!("journal add: {m}"));
            }
            let mut store = Store::open(&ctx.store)?;
            let r = store.add_journal(std::slice::from_ref(&e))?;
            writeln!(
                out,
                "{} {} {} × {}{} on {}",
                if r.added == 1 {
                    "added"
                } else {
                    "already in the journal:"
                },
                e.action,
                e.contracts,
                e.contract,
                e.price.map(|p| format!(" at {p:.2}")).unwrap_or_default(),
                e.date
            )?;
        }
        JournalCmd::Show { format, out: file } => {
            let store = Store::open_existing(&ctx.store)
                .with_context(|| "no store yet: `journal import` or `journal add` first")?;
            let entries = store.journal()?;
            let t = Table::from_rows(ENTRIES, &entries);
            emit(*format, file.as_deref(), out, &|f, w| {
                if f == Format::Json {
                    ccplan::export::write_json(&entries, w)?;
                } else {
                    t.write(f, w)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// One journal entry of `journal show`.
const ENTRIES: &[Col<JournalEntry>] = &[
    Col::new("date", "date", |e| Cell::text(e.date.to_string())),
    Col::new("account", "account", |e| {
        Cell::text(e.account.clone().unwrap_or_default())
    }),
    Col::new("contract", "contract", |e| Cell::text(e.contract.occ())),
    Col::new("action", "action", |e| Cell::text(e.action.name())),
    Col::new("contracts", "contracts", |e| {
        Cell::Int(i64::from(e.contracts))
    }),
    Col::new("price", "price $/sh", |e| Cell::num(e.price, 2)),
    Col::new("fees", "fees $", |e| Cell::num(Some(e.fees), 2)),
    Col::new("cash_flow", "cash flow $", |e| {
        Cell::num(Some(e.cash_flow()), 2)
    }),
    Col::new("source", "source", |e| Cell::text(&e.source)),
];
