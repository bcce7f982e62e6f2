//! Holdings straight from the broker: positions exports recognized from their content.
//!
//! Covered-call writers keep their shares at a broker, and every broker exports positions as
//! a CSV with its own quirks: a title line above the header, money as `"$1,234.56"` or
//! `(1,234.56)`, `--` for a missing value, account-total and cash rows, options spelled
//! `NVDA 12/19/2025 150.00 C` or ` -NVDA251219C150`, short calls as negative quantities,
//! and disclaimers after the data. Each broker has one module here with a pure
//! `parse(&str)`; they share the header matching and number parsing of [`fields`].
//!
//! What a parse yields ([`Positions`]) is what the file says, account by account: stock lots,
//! short calls, and everything else (cash, funds, long options, short puts, short stock,
//! fractional shares) listed as [`Ignored`] with a reason. [`Positions::select`] turns that
//! into a [`Portfolio`]: one account with `--account NAME`, or all of them summed (and the
//! summing said so). [`load_holdings`] is the one entry point behind `--holdings FILE`: it
//! tries the brokers' formats, then ccplan's own TOML and CSV, and otherwise names the
//! formats it knows.
//!
//! Mutual funds (five-letter tickers ending in X, or a fund security type) have no listed
//! options and are ignored; ETFs are kept, since calls are written on them too.

pub mod fields;

mod etrade;
mod fidelity;
mod ibkr;
mod robinhood;
mod schwab;
mod tastytrade;
mod toml_out;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{
    parse_holdings, CorporateEvents, Holding, OptionContract, Portfolio, Right, WrittenCall,
};

pub use fields::ParseError;
pub use toml_out::write_toml;

/// Shares per listed equity option contract.
const MULTIPLIER: f64 = 100.0;

/// A positions export ccplan recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BrokerFormat {
    /// Charles Schwab "Positions for account … as of …" CSV (one account or All-Accounts).
    Schwab,
    /// Fidelity `Portfolio_Positions_*.csv`.
    Fidelity,
    /// Interactive Brokers Activity Statement CSV, `Open Positions` section.
    IbkrStatement,
    /// Interactive Brokers Flex Query CSV of open positions.
    IbkrFlex,
    /// Interactive Brokers TWS portfolio export.
    IbkrTws,
    /// E*TRADE portfolio download.
    Etrade,
    /// tastytrade positions export.
    Tastytrade,
    /// Robinhood positions CSV.
    Robinhood,
}

impl BrokerFormat {
    /// Every format, in the order detection tries them.
    pub const ALL: [BrokerFormat; 8] = [
        BrokerFormat::IbkrStatement,
        BrokerFormat::Schwab,
        BrokerFormat::Fidelity,
        BrokerFormat::IbkrFlex,
        BrokerFormat::IbkrTws,
        BrokerFormat::Tastytrade,
        BrokerFormat::Etrade,
        BrokerFormat::Robinhood,
    ];

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            BrokerFormat::Schwab => "schwab positions",
            BrokerFormat::Fidelity => "fidelity positions",
            BrokerFormat::IbkrStatement => "ibkr activity statement",
            BrokerFormat::IbkrFlex => "ibkr flex positions",
            BrokerFormat::IbkrTws => "ibkr tws portfolio",
            BrokerFormat::Etrade => "etrade portfolio",
            BrokerFormat::Tastytrade => "tastytrade positions",
            BrokerFormat::Robinhood => "robinhood positions",
        }
    }

    fn sniff(self, rows: &[fields::Row]) -> bool {
        match self {
            BrokerFormat::Schwab => schwab::sniff(rows),
            BrokerFormat::Fidelity => fidelity::sniff(rows),
            BrokerFormat::IbkrStatement => ibkr::sniff_statement(rows),
            BrokerFormat::IbkrFlex => ibkr::sniff_flex(rows),
            BrokerFormat::IbkrTws => ibkr::sniff_tws(rows),
            BrokerFormat::Etrade => etrade::sniff(rows),
            BrokerFormat::Tastytrade => tastytrade::sniff(rows),
            BrokerFormat::Robinhood => robinhood::sniff(rows),
        }
    }

    /// Parse an export known to be in this format.
    pub fn parse(self, text: &str) -> std::result::Result<Positions, ParseError> {
        match self {
            BrokerFormat::Schwab => schwab::parse(text),
            BrokerFormat::Fidelity => fidelity::parse(text),
            BrokerFormat::IbkrStatement => ibkr::parse_statement(text),
            BrokerFormat::IbkrFlex => ibkr::parse_flex(text),
            BrokerFormat::IbkrTws => ibkr::parse_tws(text),
            BrokerFormat::Etrade => etrade::parse(text),
            BrokerFormat::Tastytrade => tastytrade::parse(text),
            BrokerFormat::Robinhood => robinhood::parse(text),
        }
    }
}

impl fmt::Display for BrokerFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every holdings format `--holdings` reads, for messages.
pub fn known_formats() -> String {
    let mut v: Vec<&str> = vec!["ccplan toml", "ccplan csv"];
    v.extend(BrokerFormat::ALL.iter().map(|f| f.name()));
    v.join(", ")
}

/// The broker format of a positions export, from its content (never its file name).
pub fn detect(text: &str) -> Option<BrokerFormat> {
    let rows = fields::rows(text).ok()?;
    let head: Vec<fields::Row> = rows
        .into_iter()
        .filter(|r| !r.is_blank())
        .take(40)
        .collect();
    BrokerFormat::ALL.into_iter().find(|f| f.sniff(&head))
}

/// Stock held in one account, as the export gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockLot {
    /// The account, when the file names one.
    pub account: Option<String>,
    /// Ticker, upper case.
    pub symbol: String,
    /// Whole shares (a fractional remainder is noted and left out).
    pub shares: u64,
    /// Average cost per share, USD (converted from a total where the broker gives one).
    pub cost_basis: Option<f64>,
    /// 1-based line in the file.
    pub line: usize,
}

/// A short call in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortCall {
    /// The account, when the file names one.
    pub account: Option<String>,
    /// The contract.
    pub contract: OptionContract,
    /// Contracts short (positive).
    pub contracts: u32,
    /// Open price (premium received) per share, USD, when the file has it.
    pub price: Option<f64>,
    /// 1-based line in the file.
    pub line: usize,
}

/// A line of the export that did not become a holding or a written call, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    /// 1-based line in the file.
    pub line: usize,
    /// The account, when the file names one.
    pub account: Option<String>,
    /// What the line holds (its symbol or description).
    pub item: String,
    /// Why it was left out.
    pub reason: String,
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.item)?;
        if let Some(a) = &self.account {
            write!(f, " [{a}]")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A cost basis as the broker gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Basis {
    /// USD per share.
    PerShare(f64),
    /// USD for the whole position.
    Total(f64),
}

/// Everything a positions export says, account by account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Positions {
    /// The format it was read as.
    pub format: BrokerFormat,
    /// The accounts the file names, in order of appearance.
    pub accounts: Vec<String>,
    /// Stock lots.
    pub lots: Vec<StockLot>,
    /// Short calls.
    pub calls: Vec<ShortCall>,
    /// Lines left out, with reasons.
    pub ignored: Vec<Ignored>,
    /// What the reading did that a user should know (conversions, fractions dropped).
    pub notes: Vec<String>,
}

impl Positions {
    pub(crate) fn new(format: BrokerFormat) -> Positions {
        Positions {
            format,
            accounts: Vec::new(),
            lots: Vec::new(),
            calls: Vec::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn note(&mut self, n: impl Into<String>) {
        let n = n.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    pub(crate) fn account(&mut self, name: &str) -> Option<String> {
        let n = name.trim();
        if n.is_empty() {
            return None;
        }
        if !self.accounts.iter().any(|a| a == n) {
            self.accounts.push(n.to_string());
        }
        Some(n.to_string())
    }

    pub(crate) fn ignore(
        &mut self,
        line: usize,
        account: &Option<String>,
        item: &str,
        reason: impl Into<String>,
    ) {
        self.ignored.push(Ignored {
            line,
            account: account.clone(),
            item: if item.is_empty() {
                "(blank)".to_string()
            } else {
                item.to_string()
            },
            reason: reason.into(),
        });
    }

    /// A stock line: whole shares kept, shorts and fractions reported.
    pub(crate) fn stock(
        &mut self,
        line: usize,
        account: &Option<String>,
        symbol: &str,
        quantity: f64,
        basis: Option<Basis>,
    ) {
        let Some(sym) = fields::ticker(symbol) else {
            self.ignore(line, account, symbol, "not a ticker");
            return;
        };
        if sym.len() == 5 && sym.ends_with('X') {
            self.ignore(line, account, &sym, "mutual fund: no listed options");
            return;
        }
        if quantity < 0.0 {
            self.ignore(line, account, &sym, "short stock: nothing to cover");
            return;
        }
        let whole = quantity.floor();
        if whole < 1.0 {
            self.ignore(
                line,
                account,
                &sym,
                format!("{quantity} shares: less than one whole share"),
            );
            return;
        }
        if quantity - whole > 1e-9 {
            self.note(format!(
                "{sym}: {:.4} fractional share left out (calls cover whole shares)",
                quantity - whole
            ));
        }
        let cost_basis = match basis {
            Some(Basis::PerShare(b)) => Some(b),
            Some(Basis::Total(t)) => {
                self.note(format!(
                    "cost basis: converted to USD per share (total / shares) where the {} \
                     export gives only the position's total",
                    self.format
                ));
                Some(t / quantity)
            }
            None => None,
        };
        let cost_basis = match cost_basis {
            Some(b) if b.is_finite() && b >= 0.0 => Some(b),
            Some(b) => {
                self.note(format!(
                    "{sym}: cost basis {b:.2} per share is not usable; left blank"
                ));
                None
            }
            None => None,
        };
        self.lots.push(StockLot {
            account: account.clone(),
            symbol: sym,
            shares: whole as u64,
            cost_basis,
            line,
        });
    }

    /// An option line: short calls kept, everything else reported.
    pub(crate) fn option(
        &mut self,
        line: usize,
        account: &Option<String>,
        contract: OptionContract,
        quantity: f64,
        price: Option<f64>,
    ) {
        let occ = contract.occ();
        if quantity > 0.0 {
            self.ignore(
                line,
                account,
                &occ,
                format!("long {}: neither covers nor needs shares", contract.right),
            );
            return;
        }
        if quantity == 0.0 {
            self.ignore(line, account, &occ, "zero quantity");
            return;
        }
        if contract.right == Right::Put {
            self.ignore(line, account, &occ, "short put: not a covered call");
            return;
        }
        let n = -quantity;
        if n.fract() != 0.0 || n > f64::from(u32::MAX) {
            self.ignore(
                line,
                account,
                &occ,
                format!("{n} contracts is not a whole number"),
            );
            return;
        }
        self.calls.push(ShortCall {
            account: account.clone(),
            contract,
            contracts: n as u32,
            price: price.map(f64::abs).filter(|p| p.is_finite()),
            line,
        });
    }

    /// The holdings of one account (`account`, matched by name, number or its last digits),
    /// or of all accounts summed. Short calls join the holding of their underlying; a short
    /// call without shares in the selection is listed as ignored.
    pub fn select(&self, account: Option<&str>) -> std::result::Result<Selection, String> {
        let mut notes = self.notes.clone();
        let mut ignored = self.ignored.clone();
        let chosen: Option<String> = match account {
            None => {
                if self.accounts.len() > 1 {
                    notes.push(format!(
                        "{} accounts summed ({}); pick one with --account NAME",
                        self.accounts.len(),
                        self.accounts.join("; ")
                    ));
                }
                None
            }
            Some(want) => Some(self.match_account(want)?),
        };
        let in_selection = |a: &Option<String>| match (&chosen, a) {
            (None, _) => true,
            (Some(c), Some(a)) => c == a,
            (Some(_), None) => false,
        };
        ignored.retain(|i| in_selection(&i.account));
        let mut order: Vec<String> = Vec::new();
        let mut agg: HashMap<String, (u64, f64, bool)> = HashMap::new();
        for lot in &self.lots {
            if !in_selection(&lot.account) {
                ignored.push(Ignored {
                    line: lot.line,
                    account: lot.account.clone(),
                    item: lot.symbol.clone(),
                    reason: "another account than --account".into(),
                });
                continue;
            }
            let e = agg.entry(lot.symbol.clone()).or_insert_with(|| {
                order.push(lot.symbol.clone());
                (0, 0.0, true)
            });
            e.0 += lot.shares;
            match lot.cost_basis {
                Some(b) => e.1 += b * lot.shares as f64,
                None => e.2 = false,
            }
        }
        let mut holdings: Vec<Holding> = order
            .iter()
            .map(|sym| {
                let (shares, cost, known) = agg[sym];
                if !known && cost > 0.0 {
                    notes.push(format!(
                        "{sym}: a lot without cost basis; the holding's basis is left blank"
                    ));
                }
                Holding {
                    symbol: sym.clone(),
                    shares,
                    cost_basis: (known && shares > 0).then(|| cost / shares as f64),
                    written: Vec::new(),
                    events: CorporateEvents::default(),
                    assign_ok_above: None,
                }
            })
            .collect();
        for call in &self.calls {
            if !in_selection(&call.account) {
                ignored.push(Ignored {
                    line: call.line,
                    account: call.account.clone(),
                    item: call.contract.occ(),
                    reason: "another account than --account".into(),
                });
                continue;
            }
            let root = call
                .contract
                .root
                .trim_end_matches(|c: char| c.is_ascii_digit());
            let Some(h) = holdings.iter_mut().find(|h| h.symbol == root) else {
                ignored.push(Ignored {
                    line: call.line,
                    account: call.account.clone(),
                    item: call.contract.occ(),
                    reason: format!(
                        "short call without {root} shares in the file (uncovered, or covered \
                         elsewhere)"
                    ),
                });
                continue;
            };
            match h.written.iter_mut().find(|w| w.contract == call.contract) {
                Some(w) => w.contracts = w.contracts.saturating_add(call.contracts),
                None => h.written.push(WrittenCall {
                    contract: call.contract.clone(),
                    contracts: call.contracts,
                    price: call.price,
                    opened: None,
                    fees: None,
                }),
            }
        }
        for h in &holdings {
            let covered: f64 = h
                .written
                .iter()
                .map(|w| f64::from(w.contracts) * MULTIPLIER)
                .sum();
            if covered > h.shares as f64 {
                notes.push(format!(
                    "{}: calls written cover {covered} shares but {} are held",
                    h.symbol, h.shares
                ));
            }
        }
        ignored.sort_by_key(|i| i.line);
        Ok(Selection {
            account: chosen,
            portfolio: Portfolio { holdings },
            notes,
            ignored,
        })
    }

    fn match_account(&self, want: &str) -> std::result::Result<String, String> {
        if self.accounts.is_empty() {
            return Err(format!(
                "--account {want}: this {} export names no accounts",
                self.format
            ));
        }
        let w = want.trim().to_ascii_lowercase();
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let wd = digits(&w);
        let hits: Vec<&String> = self
            .accounts
            .iter()
            .filter(|a| {
                let l = a.to_ascii_lowercase();
                l == w
                    || (!w.is_empty() && l.contains(&w))
                    || (wd.len() >= 3 && wd.len() == w.len() && digits(&l).ends_with(&wd))
            })
            .collect();
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "--account {want}: no such account in the file; accounts: {}",
                self.accounts.join("; ")
            )),
            many => Err(format!(
                "--account {want} matches {} accounts ({}); be more specific",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
}

/// The holdings chosen from a [`Positions`].
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The account chosen, or `None` for all accounts summed.
    pub account: Option<String>,
    /// The holdings.
    pub portfolio: Portfolio,
    /// What a user should know about the reading.
    pub notes: Vec<String>,
    /// Lines left out, with reasons.
    pub ignored: Vec<Ignored>,
}

/// A holdings file read by [`load_holdings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The format recognized, e.g. "schwab positions" or "ccplan toml".
    pub format: &'static str,
    /// The holdings.
    pub portfolio: Portfolio,
    /// What a user should know (accounts summed, cost basis converted, fractions dropped).
    pub notes: Vec<String>,
    /// Lines left out, with reasons.
    pub ignored: Vec<Ignored>,
    /// The broker export's full reading (with the short calls' open prices), if it was one.
    pub positions: Option<Positions>,
}

fn looks_like_ccplan(text: &str) -> Option<&'static str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    if first.starts_with('[') || first.contains('=') {
        return Some("ccplan toml");
    }
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    (cols.iter().any(|c| c == "symbol") && cols.iter().any(|c| c == "shares"))
        .then_some("ccplan csv")
}

/// Read a holdings file of any known format: a broker's positions export (recognized from
/// its content), or ccplan's own TOML or CSV. `name` is used in errors; `account` picks one
/// account of a broker export (by default all are summed, and a note says so).
pub fn load_holdings(text: &str, name: &str, account: Option<&str>) -> Result<Imported> {
    if let Some(format) = detect(text) {
        let positions = format.parse(text).map_err(|e| Error::Import {
            source_name: name.to_string(),
            format: format.name(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let sel = positions
            .select(account)
            .map_err(|m| Error::record(name, 1, "account", m))?;
        if sel.portfolio.holdings.is_empty() {
            let why: Vec<String> = sel.ignored.iter().take(5).map(|i| i.to_string()).collect();
            return Err(Error::record(
                name,
                1,
                "holding",
                format!(
                    "no stock positions in this {} export ({} lines ignored{}{})",
                    format.name(),
                    sel.ignored.len(),
                    if why.is_empty() { "" } else { ": " },
                    why.join("; ")
                ),
            ));
        }
        return Ok(Imported {
            format: format.name(),
            portfolio: sel.portfolio,
            notes: sel.notes,
            ignored: sel.ignored,
            positions: Some(positions),
        });
    }
    match looks_like_ccplan(text) {
        Some(format) => {
            if let Some(a) = account {
                return Err(Error::record(
                    name,
                    1,
                    "account",
                    format!("--account {a}: a {format} file has no accounts"),
                ));
            }
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            Ok(Imported {
                format,
                portfolio: parse_holdings(text, name)?,
                notes: Vec::new(),
                ignored: Vec::new(),
                positions: None,
            })
        }
        None => {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            let shown: String = first.chars().take(60).collect();
            Err(Error::UnknownFormat {
                source_name: name.to_string(),
                what: "holdings file",
                detail: if shown.is_empty() {
                    "the file is empty".to_string()
                } else {
                    format!("it starts {shown:?}")
                },
                known: known_formats(),
            })
        }
    }
}
