//! The trade journal of written calls, and the premium income it adds up to.
//!
//! A [`JournalEntry`] is one event in the life of a written call: sold to open, bought to
//! close, expired, or assigned; with its date, contracts, price per share and fees. Entries
//! come from brokers' transaction histories ([`parse_transactions`]: Schwab, Fidelity, and
//! the `Trades` section of an IBKR activity statement) or by hand, and live in the store.
//!
//! [`positions`] pairs closes with opens first in, first out per account and contract: each
//! [`CallPosition`] is a number of contracts from one sale to one end (or still open). From
//! those, [`income`] sums premium collected, premium paid back, fees, the net, the realized
//! gain on shares called away (where their cost basis is known), the assignments, and the
//! annualized yield on the capital covered, by month, year or symbol.
//!
//! Conventions:
//!
//! * Prices are USD per share; a contract covers its multiplier (100) shares. Fees are USD
//!   for the whole entry.
//! * The cash flow of an entry ([`JournalEntry::cash_flow`]) is the option leg's: a sale
//!   brings in price × shares − fees, a buy-back costs price × shares + fees, an expiry or
//!   assignment costs its fees. The income's `net` is exactly the sum of these.
//! * The capital covered by a call is strike × shares covered (what the shares are committed
//!   at); the annualized yield is net premium / Σ(capital × days held / 365), simple, with
//!   days held floored at 1, over the positions whose sale is in the journal.
//! * A group (month, year) is the one the call was sold in, so each position's whole story
//!   counts in one row and the rows add up to the total.
//!
//! [`open_call`] answers what `manage` needs when a holdings file lacks it: the open price
//! and date of a written call still open.

mod feed;
mod fidelity;
mod ibkr;
mod schwab;

pub use feed::{supply_written_calls, Supplied};

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::import::{Ignored, ParseError};
use crate::model::OptionContract;

/// What happened to a written call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Sold to open: premium collected.
    SellToOpen,
    /// Bought to close: premium paid back.
    BuyToClose,
    /// Expired worthless.
    Expired,
    /// Assigned: the shares were called away at the strike.
    Assigned,
}

impl Action {
    /// The name used in the store, on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            Action::SellToOpen => "sell-to-open",
            Action::BuyToClose => "buy-to-close",
            Action::Expired => "expired",
            Action::Assigned => "assigned",
        }
    }

    /// True for the actions that end a position.
    pub fn closes(self) -> bool {
        self != Action::SellToOpen
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = Error;
    fn from_str(s: &str) -> Result<Action> {
        let k: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        match k.as_str() {
            "selltoopen" | "sto" | "sell" | "sold" => Ok(Action::SellToOpen),
            "buytoclose" | "btc" | "close" | "bought" => Ok(Action::BuyToClose),
            "expired" | "expire" | "expiry" => Ok(Action::Expired),
            "assigned" | "assignment" | "called" | "calledaway" => Ok(Action::Assigned),
            _ => Err(Error::invalid(
                "journal action",
                format!("{s:?}"),
                "sell-to-open, buy-to-close, expired or assigned",
            )),
        }
    }
}

/// One event in the life of a written call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Trade date.
    pub date: NaiveDate,
    /// The account, when known.
    pub account: Option<String>,
    /// The call.
    pub contract: OptionContract,
    /// What happened.
    pub action: Action,
    /// Contracts (positive).
    pub contracts: u32,
    /// Price per share, USD (premium for a sale or buy-back; none for expiry or assignment).
    pub price: Option<f64>,
    /// Fees and commissions for the whole entry, USD (≥ 0).
    pub fees: f64,
    /// Shares per contract.
    pub multiplier: u32,
    /// For an assignment: the cost basis per share of the shares called away, when known.
    pub cost_basis: Option<f64>,
    /// The broker's own net amount for the entry, USD, when its history gives one.
    pub amount: Option<f64>,
    /// Where the entry came from: `manual`, or the format and file it was imported from.
    pub source: String,
}

impl JournalEntry {
    /// Shares the entry concerns (contracts × multiplier).
    pub fn shares(&self) -> f64 {
        f64::from(self.contracts) * f64::from(self.multiplier)
    }

    /// Premium in USD (price × shares), 0 without a price.
    pub fn premium(&self) -> f64 {
        self.price.unwrap_or(0.0) * self.shares()
    }

    /// Cash flow of the option leg, USD: + for money in. See the module docs.
    pub fn cash_flow(&self) -> f64 {
        match self.action {
            Action::SellToOpen => self.premium() - self.fees,
            Action::BuyToClose => -self.premium() - self.fees,
            Action::Expired | Action::Assigned => -self.fees,
        }
    }

    /// Check the entry's numbers; the message names the field.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.contracts == 0 {
            return Err("contracts: must be at least 1".into());
        }
        if self.multiplier == 0 {
            return Err("multiplier: must be at least 1".into());
        }
        if !(self.fees.is_finite() && self.fees >= 0.0) {
            return Err(format!("fees: {} is not a USD amount ≥ 0", self.fees));
        }
        for (what, v) in [("price", self.price), ("cost basis", self.cost_basis)] {
            if let Some(v) = v {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(format!("{what}: {v} is not a USD amount ≥ 0"));
                }
            }
        }
        match (self.action, self.price) {
            (Action::SellToOpen | Action::BuyToClose, None) => Err(format!(
                "price: a {} needs its price per share",
                self.action
            )),
            _ => Ok(()),
        }
    }
}

/// A number of contracts from one sale to one end (or still open).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallPosition {
    /// The account, when known.
    pub account: Option<String>,
    /// The call.
    pub contract: OptionContract,
    /// Contracts.
    pub contracts: u32,
    /// Shares per contract.
    pub multiplier: u32,
    /// Sale date; `None` when the sale is not in the journal.
    pub opened: Option<NaiveDate>,
    /// Sale price per share, USD.
    pub open_price: Option<f64>,
    /// How and when it ended; `None` while open.
    pub ended: Option<(NaiveDate, Action)>,
    /// Premium collected, USD.
    pub premium: f64,
    /// Premium paid back, USD.
    pub paid_back: f64,
    /// Fees of the sale and the end, USD (shared pro rata where lots were split).
    pub fees: f64,
    /// For an assignment with a known cost basis: (strike − basis) × shares, USD.
    pub realized_gain: Option<f64>,
}

impl CallPosition {
    /// Premium collected − paid back − fees, USD.
    pub fn net(&self) -> f64 {
        self.premium - self.paid_back - self.fees
    }

    /// Shares covered.
    pub fn shares(&self) -> f64 {
        f64::from(self.contracts) * f64::from(self.multiplier)
    }

    /// Strike × shares covered, USD.
    pub fn capital(&self) -> f64 {
        self.contract.strike * self.shares()
    }

    /// Days from the sale to the end (or to `as_of` while open), floored at 1.
    pub fn days_held(&self, as_of: NaiveDate) -> Option<i64> {
        let open = self.opened?;
        let end = self.ended.map_or(as_of, |(d, _)| d);
        Some((end - open).num_days().max(1))
    }
}

struct OpenLot {
    entry: JournalEntry,
    remaining: u32,
}

fn key(e: &JournalEntry) -> (Option<String>, String) {
    (e.account.clone(), e.contract.occ())
}

/// Pair each close with the earliest open sale of the same account and contract.
///
/// Entries are taken in date order (sales before ends on the same day). A close larger than
/// what is open, or with no sale in the journal, becomes a position without an open date.
pub fn positions(entries: &[JournalEntry]) -> Vec<CallPosition> {
    let mut sorted: Vec<&JournalEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| (e.date, e.action.closes()));
    let mut open: HashMap<(Option<String>, String), VecDeque<OpenLot>> = HashMap::new();
    let mut order: Vec<(Option<String>, String)> = Vec::new();
    let mut out = Vec::new();
    for e in sorted {
        let k = key(e);
        if !e.action.closes() {
            if !open.contains_key(&k) {
                order.push(k.clone());
            }
            open.entry(k).or_default().push_back(OpenLot {
                entry: e.clone(),
                remaining: e.contracts,
            });
            continue;
        }
        let mut left = e.contracts;
        let queue = open.entry(k.clone()).or_default();
        while left > 0 {
            let Some(lot) = queue.front_mut() else { break };
            let n = left.min(lot.remaining);
            out.push(piece(Some(&lot.entry), e, n));
            lot.remaining -= n;
            left -= n;
            if lot.remaining == 0 {
                queue.pop_front();
            }
        }
        if left > 0 {
            out.push(piece(None, e, left));
        }
    }
    for k in order {
        for lot in open.remove(&k).unwrap_or_default() {
            if lot.remaining > 0 {
                let e = &lot.entry;
                let share = f64::from(lot.remaining) / f64::from(e.contracts);
                out.push(CallPosition {
                    account: e.account.clone(),
                    contract: e.contract.clone(),
                    contracts: lot.remaining,
                    multiplier: e.multiplier,
                    opened: Some(e.date),
                    open_price: e.price,
                    ended: None,
                    premium: e.premium() * share,
                    paid_back: 0.0,
                    fees: e.fees * share,
                    realized_gain: None,
                });
            }
        }
    }
    out
}

/// `n` contracts of the sale `open` (if any) ended by `close`.
fn piece(open: Option<&JournalEntry>, close: &JournalEntry, n: u32) -> CallPosition {
    let close_share = f64::from(n) / f64::from(close.contracts);
    let (opened, open_price, premium, open_fees, multiplier) = match open {
        Some(o) => {
            let s = f64::from(n) / f64::from(o.contracts);
            (
                Some(o.date),
                o.price,
                o.premium() * s,
                o.fees * s,
                o.multiplier,
            )
        }
        None => (None, None, 0.0, 0.0, close.multiplier),
    };
    let shares = f64::from(n) * f64::from(multiplier);
    CallPosition {
        account: close.account.clone(),
        contract: close.contract.clone(),
        contracts: n,
        multiplier,
        opened,
        open_price,
        ended: Some((close.date, close.action)),
        premium,
        paid_back: if close.action == Action::BuyToClose {
            close.premium() * close_share
        } else {
            0.0
        },
        fees: open_fees + close.fees * close_share,
        realized_gain: match close.action {
            Action::Assigned => close
                .cost_basis
                .map(|b| (close.contract.strike - b) * shares),
            _ => None,
        },
    }
}

/// How [`income`] groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Only the total.
    Total,
    /// Calendar month of the sale (`2025-12`).
    Month,
    /// Calendar year of the sale.
    Year,
    /// Underlying symbol.
    Symbol,
}

impl FromStr for GroupBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<GroupBy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "total" | "none" => Ok(GroupBy::Total),
            "month" => Ok(GroupBy::Month),
            "year" => Ok(GroupBy::Year),
            "symbol" => Ok(GroupBy::Symbol),
            _ => Err(Error::invalid("--by", s, "month, year or symbol")),
        }
    }
}

/// Income of one group of positions. Money in USD; the yield a decimal fraction per year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncomeRow {
    /// The group: `2025-12`, `2025`, `NVDA`, or `total`.
    pub group: String,
    /// Contracts sold to open.
    pub contracts_sold: u64,
    /// Premium collected on sales.
    pub premium_collected: f64,
    /// Premium paid back on buy-backs.
    pub paid_back: f64,
    /// Fees and commissions.
    pub fees: f64,
    /// premium_collected − paid_back − fees.
    pub net: f64,
    /// (strike − cost basis) × shares over assignments whose basis is known.
    pub realized_gain_on_assignments: f64,
    /// Assignments whose cost basis is unknown (their gain is not in the figure above).
    pub assignments_without_basis: u64,
    /// Strike × shares covered, summed over the positions sold in the journal.
    pub capital_covered: f64,
    /// Net premium / Σ(capital × days held / 365) over positions sold in the journal.
    pub annualized_yield: Option<f64>,
    /// Positions ended by assignment (counted once per closing entry piece, in contracts).
    pub assignments: u64,
    /// Contracts that expired.
    pub expired: u64,
    /// Contracts bought back.
    pub bought_back: u64,
    /// Contracts still open.
    pub open: u64,
    #[serde(skip)]
    yield_net: f64,
    #[serde(skip)]
    capital_years: f64,
}

impl IncomeRow {
    fn add(&mut self, p: &CallPosition, as_of: NaiveDate) {
        let c = u64::from(p.contracts);
        if p.opened.is_some() {
            self.contracts_sold += c;
        }
        self.premium_collected += p.premium;
        self.paid_back += p.paid_back;
        self.fees += p.fees;
        self.net = self.premium_collected - self.paid_back - self.fees;
        match p.ended.map(|(_, a)| a) {
            Some(Action::Assigned) => {
                self.assignments += c;
                match p.realized_gain {
                    Some(g) => self.realized_gain_on_assignments += g,
                    None => self.assignments_without_basis += c,
                }
            }
            Some(Action::Expired) => self.expired += c,
            Some(Action::BuyToClose) => self.bought_back += c,
            Some(Action::SellToOpen) | None => self.open += c,
        }
        if let Some(days) = p.days_held(as_of) {
            self.capital_covered += p.capital();
            self.capital_years += p.capital() * days as f64 / 365.0;
            self.yield_net += p.net();
        }
        self.annualized_yield =
            (self.capital_years > 0.0).then(|| self.yield_net / self.capital_years);
    }
}

/// Income by group, and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Income {
    /// How the rows are grouped.
    pub by: GroupBy,
    /// The date open positions are held to.
    pub as_of: NaiveDate,
    /// One row per group, in order (empty for [`GroupBy::Total`]).
    pub rows: Vec<IncomeRow>,
    /// All positions.
    pub total: IncomeRow,
}

/// Sum the journal's positions by `by`, holding open ones to `as_of`.
pub fn income(entries: &[JournalEntry], by: GroupBy, as_of: NaiveDate) -> Income {
    let mut groups: BTreeMap<String, IncomeRow> = BTreeMap::new();
    let mut total = IncomeRow {
        group: "total".into(),
        ..IncomeRow::default()
    };
    for p in positions(entries) {
        total.add(&p, as_of);
        let date = p.opened.or(p.ended.map(|(d, _)| d)).unwrap_or(as_of);
        let g = match by {
            GroupBy::Total => continue,
            GroupBy::Month => format!("{:04}-{:02}", date.year(), date.month()),
            GroupBy::Year => format!("{:04}", date.year()),
            GroupBy::Symbol => p
                .contract
                .root
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string(),
        };
        groups
            .entry(g.clone())
            .or_insert_with(|| IncomeRow {
                group: g,
                ..IncomeRow::default()
            })
            .add(&p, as_of);
    }
    Income {
        by,
        as_of,
        rows: groups.into_values().collect(),
        total,
    }
}

/// A written call still open, as the journal knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenCall {
    /// The call.
    pub contract: OptionContract,
    /// Contracts still open.
    pub contracts: u32,
    /// The earliest sale date among the open contracts.
    pub opened: NaiveDate,
    /// Average sale price per share of the open contracts, USD (weighted by contracts).
    pub open_price: f64,
    /// Fees of those sales, USD.
    pub fees: f64,
}

/// The open price and date of a written call still open in the journal: what `manage` uses
/// when the holdings file lacks them. `account` restricts to one account (`None`: all).
/// `None` when no sale of the contract is open.
///
/// ```
/// use ccplan::journal::{open_call, Action, JournalEntry};
/// use ccplan::model::OptionContract;
/// use chrono::NaiveDate;
///
/// let c = OptionContract::parse_occ("NVDA251219C00150000").unwrap();
/// let sale = |d: u32, n: u32, p: f64| JournalEntry {
///     date: NaiveDate::from_ymd_opt(2025, 11, d).unwrap(),
///     account: None,
///     contract: c.clone(),
///     action: Action::SellToOpen,
///     contracts: n,
///     price: Some(p),
///     fees: 0.65 * n as f64,
///     multiplier: 100,
///     cost_basis: None,
///     amount: None,
///     source: "manual".into(),
/// };
/// let mut close = sale(20, 1, 1.0);
/// close.action = Action::BuyToClose;
/// // Two sales, the first bought back: the second is what is open.
/// let open = open_call(&[sale(3, 1, 4.0), sale(10, 2, 5.0), close], &c, None).unwrap();
/// assert_eq!((open.contracts, open.open_price), (2, 5.0));
/// assert_eq!(open.opened, NaiveDate::from_ymd_opt(2025, 11, 10).unwrap());
/// ```
pub fn open_call(
    entries: &[JournalEntry],
    contract: &OptionContract,
    account: Option<&str>,
) -> Option<OpenCall> {
    let mut contracts = 0u32;
    let mut paid = 0.0;
    let mut fees = 0.0;
    let mut opened: Option<NaiveDate> = None;
    for p in positions(entries) {
        if p.ended.is_some() || &p.contract != contract {
            continue;
        }
        if account.is_some_and(|a| p.account.as_deref() != Some(a)) {
            continue;
        }
        let (Some(d), Some(price)) = (p.opened, p.open_price) else {
            continue;
        };
        contracts += p.contracts;
        paid += price * f64::from(p.contracts);
        fees += p.fees;
        opened = Some(opened.map_or(d, |o| o.min(d)));
    }
    Some(OpenCall {
        contract: contract.clone(),
        contracts,
        opened: opened?,
        open_price: paid / f64::from(contracts),
        fees,
    })
}

/// A transaction history ccplan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryFormat {
    /// Charles Schwab transaction history CSV.
    Schwab,
    /// Fidelity `Accounts_History.csv`.
    Fidelity,
    /// The `Trades` section of an IBKR activity statement CSV.
    IbkrTrades,
}

impl HistoryFormat {
    /// Every format, in detection order.
    pub const ALL: [HistoryFormat; 3] = [
        HistoryFormat::IbkrTrades,
        HistoryFormat::Schwab,
        HistoryFormat::Fidelity,
    ];

    /// The name in messages.
    pub fn name(self) -> &'static str {
        match self {
            HistoryFormat::Schwab => "schwab transactions",
            HistoryFormat::Fidelity => "fidelity history",
            HistoryFormat::IbkrTrades => "ibkr activity statement trades",
        }
    }

    /// Parse a history known to be in this format.
    pub fn parse(self, text: &str) -> std::result::Result<Transactions, ParseError> {
        match self {
            HistoryFormat::Schwab => schwab::parse(text),
            HistoryFormat::Fidelity => fidelity::parse(text),
            HistoryFormat::IbkrTrades => ibkr::parse(text),
        }
    }

    fn sniff(self, rows: &[crate::import::fields::Row]) -> bool {
        match self {
            HistoryFormat::Schwab => schwab::sniff(rows),
            HistoryFormat::Fidelity => fidelity::sniff(rows),
            HistoryFormat::IbkrTrades => ibkr::sniff(rows),
        }
    }
}

/// What a transaction history holds for the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transactions {
    /// The format it was read as.
    pub format: HistoryFormat,
    /// The written-call events, in file order (`source` left empty for the caller).
    pub entries: Vec<JournalEntry>,
    /// Lines that are not written-call events, with reasons.
    pub ignored: Vec<Ignored>,
    /// What a user should know about the reading.
    pub notes: Vec<String>,
}

impl Transactions {
    pub(crate) fn new(format: HistoryFormat) -> Transactions {
        Transactions {
            format,
            entries: Vec::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn ignore(
        &mut self,
        line: usize,
        account: &Option<String>,
        item: &str,
        reason: &str,
    ) {
        self.ignored.push(Ignored {
            line,
            account: account.clone(),
            item: if item.is_empty() {
                "(blank)".into()
            } else {
                item.to_string()
            },
            reason: reason.to_string(),
        });
    }

    /// Record a written-call event, or say why the line is not one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn event(
        &mut self,
        line: usize,
        account: &Option<String>,
        symbol: &str,
        action: Option<Action>,
        date: Option<NaiveDate>,
        quantity: Option<f64>,
        price: Option<f64>,
        fees: f64,
        amount: Option<f64>,
    ) -> std::result::Result<(), ParseError> {
        let Some(action) = action else {
            self.ignore(line, account, symbol, "not a written-call event");
            return Ok(());
        };
        let Some(contract) = crate::import::fields::option_symbol(symbol) else {
            self.ignore(line, account, symbol, "option symbol not understood");
            return Ok(());
        };
        if contract.right == crate::model::Right::Put {
            self.ignore(
                line,
                account,
                symbol,
                "put: the journal keeps written calls",
            );
            return Ok(());
        }
        let Some(date) = date else {
            return Err(ParseError::at(line, 1, "no trade date"));
        };
        let q = quantity.map(f64::abs).unwrap_or(0.0);
        if q < 1.0 || q.fract() != 0.0 || q > f64::from(u32::MAX) {
            return Err(ParseError::at(
                line,
                0,
                format!("{symbol}: {q} contracts is not a whole positive number"),
            ));
        }
        let entry = JournalEntry {
            date,
            account: account.clone(),
            contract,
            action,
            contracts: q as u32,
            price: match action {
                Action::SellToOpen | Action::BuyToClose => price.map(f64::abs),
                _ => price.map(f64::abs).filter(|p| *p > 0.0),
            },
            fees: fees.abs(),
            multiplier: 100,
            cost_basis: None,
            amount,
            source: String::new(),
        };
        entry
            .validate()
            .map_err(|m| ParseError::at(line, 0, format!("{symbol}: {m}")))?;
        self.entries.push(entry);
        Ok(())
    }
}

/// Read a broker's transaction history, recognized from its content. `name` is used in
/// errors; an unknown format lists the ones ccplan reads.
pub fn parse_transactions(text: &str, name: &str) -> Result<Transactions> {
    let rows: Vec<_> = crate::import::fields::rows(text)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| !r.is_blank())
        .take(40)
        .collect();
    let Some(format) = HistoryFormat::ALL.into_iter().find(|f| f.sniff(&rows)) else {
        let first: String = text
            .trim_start_matches('\u{feff}')
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        return Err(Error::UnknownFormat {
            source_name: name.to_string(),
            what: "transaction history",
            detail: if first.is_empty() {
                "the file is empty".into()
            } else {
                format!("it starts {first:?}")
            },
            known: HistoryFormat::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut t = format.parse(text).map_err(|e| Error::Import {
        source_name: name.to_string(),
        format: format.name(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    for e in &mut t.entries {
        e.source = format!("{}:{name}", format.name());
    }
    Ok(t)
}
