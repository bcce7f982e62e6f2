//! The forms brokers take orders in, built from the same [`OrderTicket`]s as the generic CSV.
//!
//! | form | what is written | a roll |
//! |---|---|---|
//! | `generic` | ccplan's CSV, one row per leg ([`write_orders_csv`](super::write_orders_csv)) | two rows, one order id |
//! | `tos` | thinkorswim order strings, one line per order, to paste into the order entry | one `DIAGONAL` (or `CALENDAR`) line at the net price |
//! | `ibkr` | an IBKR BasketTrader CSV (TWS → BasketTrader → load) | two single-leg rows under one `BasketTag` |
//! | `schwab` | a JSON array of Schwab Trader API order objects (the body of a place-order call) | one `NET_CREDIT`/`NET_DEBIT` order with two legs |
//! | `tastytrade` | a JSON array of tastytrade API orders (the body of `POST /accounts/{n}/orders`) | one `Limit` order with two legs and a price effect |
//!
//! Sources of the shapes: thinkorswim's own order descriptions (`SOLD -1 AAPL 100 (Weeklys)
//! 21 FEB 25 180 CALL @1.50`, `DIAGONAL … 16 APR 21/16 APR 21 … 3990/3995 CALL`, as its
//! statements print them); IBKR's "Basket Fields" and "Manually Create a Basket File" pages
//! (header row of field names, `LastTradingDayOrContractMonth` as `YYYYMMDD` for the last
//! trading day, `BAG` documented only by name, so a roll is written leg by leg); Schwab's
//! Trader API order schema (`orderType`, `session`, `duration`, `orderStrategyType`,
//! `complexOrderStrategyType`, `orderLegCollection`, instrument symbols in the padded OSI
//! form); tastytrade's "Orders & Order Types" page (dasherized keys, `price` with
//! `price-effect` Credit or Debit, `Equity Option` legs with `Sell to Open` … actions).
//!
//! Every function here is pure: it formats tickets; writing files is the caller's business.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use chrono::Datelike;
use serde::Serialize;

use super::{
    round_limit, ticket_legs, write_orders_csv, Direction, Leg, OrderTicket, PriceEffect, Side,
    TimeInForce,
};
use crate::error::{Error, Result};
use crate::model::{OptionContract, Right};
use crate::providers::calendar::is_monthly_expiry;

/// The form an orders file is written in (`--broker`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderForm {
    /// ccplan's CSV, one row per leg.
    #[default]
    Generic,
    /// thinkorswim order strings, one line per order.
    Tos,
    /// IBKR BasketTrader CSV.
    Ibkr,
    /// Schwab Trader API order objects (JSON array).
    Schwab,
    /// tastytrade API orders (JSON array).
    Tastytrade,
}

impl OrderForm {
    /// Every form, in the order the help lists them.
    pub const ALL: [OrderForm; 5] = [
        OrderForm::Generic,
        OrderForm::Tos,
        OrderForm::Ibkr,
        OrderForm::Schwab,
        OrderForm::Tastytrade,
    ];

    /// The `--broker` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderForm::Generic => "generic",
            OrderForm::Tos => "tos",
            OrderForm::Ibkr => "ibkr",
            OrderForm::Schwab => "schwab",
            OrderForm::Tastytrade => "tastytrade",
        }
    }
}

impl fmt::Display for OrderForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderForm {
    type Err = Error;
    fn from_str(s: &str) -> Result<OrderForm> {
        let t = s.trim().to_ascii_lowercase();
        let t = match t.as_str() {
            "thinkorswim" => "tos",
            "interactive-brokers" | "ib" => "ibkr",
            "tasty" | "tastyworks" => "tastytrade",
            "csv" => "generic",
            other => other,
        };
        OrderForm::ALL
            .into_iter()
            .find(|f| f.as_str() == t)
            .ok_or_else(|| Error::invalid("broker", s, "generic, tos, ibkr, schwab or tastytrade"))
    }
}

/// Write `tickets` in `form` to `out`.
pub fn write_orders(form: OrderForm, tickets: &[OrderTicket], out: &mut dyn Write) -> Result<()> {
    match form {
        OrderForm::Generic => write_orders_csv(&ticket_legs(tickets), out),
        OrderForm::Tos => write_tos(tickets, out),
        OrderForm::Ibkr => write_ibkr_basket(tickets, out),
        OrderForm::Schwab => {
            let orders = tickets
                .iter()
                .map(schwab_order)
                .collect::<Result<Vec<_>>>()?;
            crate::export::write_json(&orders, out)
        }
        OrderForm::Tastytrade => {
            let orders = tickets
                .iter()
                .map(tastytrade_order)
                .collect::<Result<Vec<_>>>()?;
            crate::export::write_json(&orders, out)
        }
    }
}

/// A ticket this form cannot carry: its id, legs and limit, and what the form needs.
fn unsupported(t: &OrderTicket, why: &'static str) -> Error {
    let legs: Vec<String> = t
        .legs
        .iter()
        .map(|l| {
            let unpriced = if l.price.is_some() { "" } else { " unpriced" };
            format!(
                "{} {} {}{unpriced}",
                l.side.as_str(),
                l.quantity,
                l.contract.occ()
            )
        })
        .collect();
    let legs = if legs.is_empty() {
        "no legs".to_string()
    } else {
        legs.join(", ")
    };
    Error::InvalidInput {
        what: "order ticket",
        value: crate::error::tame(&format!("{} ({legs}; limit {})", t.id, t.limit), 300),
        expected: why,
    }
}

/// A price with two decimals, as brokers' order forms take it: `4.10`, `0.15`.
fn money(x: f64) -> String {
    format!("{:.2}", x + 0.0)
}

/// A price as thinkorswim prints it: two decimals, no leading zero below 1 (`.15`, `4.10`).
fn tos_price(x: f64) -> String {
    let s = money(x);
    s.strip_prefix("0.")
        .map_or(s.clone(), |rest| format!(".{rest}"))
}

/// A strike as thinkorswim prints it: no trailing zeros (`150`, `157.5`, `12.25`).
fn tos_strike(k: f64) -> String {
    let s = format!("{k:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// An expiry as thinkorswim prints it: `19 DEC 25`.
fn tos_date(c: &OptionContract) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let d = c.expiry;
    let month = MONTHS[(d.month0() as usize).min(11)];
    format!("{} {month} {:02}", d.day(), d.year().rem_euclid(100))
}

fn tos_right(r: Right) -> &'static str {
    match r {
        Right::Call => "CALL",
        Right::Put => "PUT",
    }
}

/// The deliverable and series tag thinkorswim puts after the root: `100`, or
/// `100 (Weeklys)` when an expiry is not the standard monthly one.
fn tos_series(multiplier: u32, contracts: &[&OptionContract]) -> String {
    if contracts.iter().all(|c| is_monthly_expiry(c.expiry)) {
        multiplier.to_string()
    } else {
        format!("{multiplier} (Weeklys)")
    }
}

fn tos_tif(t: TimeInForce) -> &'static str {
    match t {
        TimeInForce::Day => "",
        TimeInForce::Gtc => " GTC",
    }
}

fn sign_of(side: Side) -> (&'static str, char) {
    if side.is_buy() {
        ("BUY", '+')
    } else {
        ("SELL", '-')
    }
}

/// One ticket as a thinkorswim order string.
///
/// A single leg: `SELL -2 NVDA 100 19 DEC 25 150 CALL @4.10 LMT` (`BUY +1 …` to buy back;
/// ` GTC` appended for good-till-cancelled). A roll (two legs of one root and right): the
/// leg sold first for a credit, the leg bought first for a debit, as thinkorswim lists a
/// spread — `SELL -1 DIAGONAL NVDA 100 (Weeklys) 24 DEC 26/27 NOV 26 157.5/150 CALL @.15 LMT`,
/// `CALENDAR` when the strikes agree, `VERTICAL` when the expiries do.
///
/// ```
/// use ccplan::export::orders::{tos_order, Leg, OrderTicket, PriceEffect, Side, TimeInForce};
/// use ccplan::model::OptionContract;
///
/// let leg = Leg {
///     contract: OptionContract::parse_occ("NVDA251219C00150000").unwrap(),
///     side: Side::SellToOpen,
///     quantity: 2,
///     price: Some(4.10),
///     mid: Some(4.15),
///     multiplier: 100,
///     penny: false,
/// };
/// let t = OrderTicket {
///     id: "NVDA-20251120-01".into(),
///     underlying: "NVDA".into(),
///     legs: vec![leg],
///     limit: 4.10,
///     effect: PriceEffect::Credit,
///     time_in_force: TimeInForce::Day,
///     description: String::new(),
/// };
/// assert_eq!(tos_order(&t).unwrap(), "SELL -2 NVDA 100 19 DEC 25 150 CALL @4.10 LMT");
/// ```
pub fn tos_order(t: &OrderTicket) -> Result<String> {
    if !(t.limit.is_finite() && t.limit >= 0.0) {
        return Err(unsupported(t, "a limit ≥ 0"));
    }
    match t.legs.as_slice() {
        [leg] => {
            let (verb, sign) = sign_of(leg.side);
            let c = &leg.contract;
            Ok(format!(
                "{verb} {sign}{} {} {} {} {} {} @{} LMT{}",
                leg.quantity,
                c.root,
                tos_series(leg.multiplier, &[c]),
                tos_date(c),
                tos_strike(c.strike),
                tos_right(c.right),
                tos_price(t.limit),
                tos_tif(t.time_in_force)
            ))
        }
        [a, b] => {
            if a.contract.root != b.contract.root
                || a.contract.right != b.contract.right
                || a.quantity != b.quantity
                || a.side.is_buy() == b.side.is_buy()
            {
                return Err(unsupported(
                    t,
                    "a two-leg order of one root and right, one leg bought and one sold, \
                     equal quantities",
                ));
            }
            // thinkorswim lists first the leg the verb applies to: the sold leg of a SELL
            // (credit), the bought leg of a BUY (debit).
            let (sold, bought) = if a.side.is_buy() { (b, a) } else { (a, b) };
            let (verb, sign, first, second) = match t.effect {
                PriceEffect::Credit => ("SELL", '-', sold, bought),
                PriceEffect::Debit => ("BUY", '+', bought, sold),
            };
            let (c1, c2) = (&first.contract, &second.contract);
            let (kind, dates, strikes) = if c1.expiry == c2.expiry {
                (
                    "VERTICAL",
                    tos_date(c1),
                    format!("{}/{}", tos_strike(c1.strike), tos_strike(c2.strike)),
                )
            } else if c1.strike == c2.strike {
                (
                    "CALENDAR",
                    format!("{}/{}", tos_date(c1), tos_date(c2)),
                    tos_strike(c1.strike),
                )
            } else {
                (
                    "DIAGONAL",
                    format!("{}/{}", tos_date(c1), tos_date(c2)),
                    format!("{}/{}", tos_strike(c1.strike), tos_strike(c2.strike)),
                )
            };
            Ok(format!(
                "{verb} {sign}{} {kind} {} {} {dates} {strikes} {} @{} LMT{}",
                first.quantity,
                c1.root,
                tos_series(first.multiplier, &[c1, c2]),
                tos_right(c1.right),
                tos_price(t.limit),
                tos_tif(t.time_in_force)
            ))
        }
        _ => Err(unsupported(t, "one or two legs")),
    }
}

/// thinkorswim order strings, one line per ticket.
pub fn write_tos(tickets: &[OrderTicket], out: &mut dyn Write) -> Result<()> {
    let mut s = String::new();
    for t in tickets {
        s.push_str(&tos_order(t)?);
        s.push('\n');
    }
    out.write_all(s.as_bytes()).map_err(Error::Output)
}

/// The header of ccplan's IBKR basket file: field names from IBKR's "Basket Fields" list.
pub const IBKR_COLUMNS: [&str; 13] = [
    "Action",
    "Quantity",
    "Symbol",
    "SecType",
    "LastTradingDayOrContractMonth",
    "Strike",
    "Right",
    "Exchange",
    "Currency",
    "TimeInForce",
    "OrderType",
    "LmtPrice",
    "BasketTag",
];

/// A leg's own limit, for a form that sends the legs of a roll as separate orders: its
/// reference price (bid to sell, ask to buy) on its class's tick, a sale never above its
/// mid, a buy never below it.
fn leg_limit(leg: &Leg) -> Option<f64> {
    let dir = if leg.side.is_buy() {
        Direction::Buy
    } else {
        Direction::Sell
    };
    leg.price
        .filter(|p| p.is_finite() && *p >= 0.0)
        .map(|p| round_limit(p, leg.mid, dir, leg.penny))
}

/// One ticket as IBKR basket rows (in [`IBKR_COLUMNS`] order): a single leg at the ticket's
/// limit; a roll as its two legs, close first, each a limit order at its own side's price
/// ([`Leg::price`] on the tick), under the ticket id as `BasketTag`. The legs of a roll
/// sent this way can fill one without the other: TWS's combo ticket gives one net price.
pub fn ibkr_rows(t: &OrderTicket) -> Result<Vec<[String; 13]>> {
    let mut rows = Vec::new();
    let single = t.legs.len() == 1;
    for leg in &t.legs {
        let limit = if single {
            Some(t.limit)
        } else {
            leg_limit(leg)
        };
        let Some(limit) = limit.filter(|l| l.is_finite() && *l >= 0.0) else {
            return Err(unsupported(
                t,
                "a price for each leg (a roll leg without a quote cannot be sent alone)",
            ));
        };
        let c = &leg.contract;
        rows.push([
            if leg.side.is_buy() { "BUY" } else { "SELL" }.to_string(),
            leg.quantity.to_string(),
            c.root.clone(),
            "OPT".to_string(),
            c.expiry.format("%Y%m%d").to_string(),
            tos_strike(c.strike),
            c.right.letter().to_string(),
            "SMART".to_string(),
            "USD".to_string(),
            match t.time_in_force {
                TimeInForce::Day => "DAY",
                TimeInForce::Gtc => "GTC",
            }
            .to_string(),
            "LMT".to_string(),
            money(limit),
            t.id.clone(),
        ]);
    }
    Ok(rows)
}

/// An IBKR BasketTrader CSV: the [`IBKR_COLUMNS`] header, then [`ibkr_rows`] per ticket.
pub fn write_ibkr_basket(tickets: &[OrderTicket], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let io = crate::export::csv_write_error;
    w.write_record(IBKR_COLUMNS).map_err(io)?;
    for t in tickets {
        for row in ibkr_rows(t)? {
            w.write_record(&row).map_err(io)?;
        }
    }
    w.flush().map_err(Error::Output)
}

/// A Schwab Trader API order (the JSON body of a place-order request).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchwabOrder {
    /// `NORMAL`: the regular session.
    pub session: &'static str,
    /// `DAY` or `GOOD_TILL_CANCEL`.
    pub duration: &'static str,
    /// `LIMIT` for one leg; `NET_CREDIT` or `NET_DEBIT` for a roll.
    pub order_type: &'static str,
    /// `DIAGONAL`, `CALENDAR` or `VERTICAL` for a roll; absent for one leg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complex_order_strategy_type: Option<&'static str>,
    /// The limit (net for a roll), USD per share, two decimals.
    pub price: String,
    /// Contracts of a roll (each leg carries its own too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// `SINGLE`: one order.
    pub order_strategy_type: &'static str,
    /// The legs.
    pub order_leg_collection: Vec<SchwabLeg>,
}

/// One leg of a [`SchwabOrder`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchwabLeg {
    /// `SELL_TO_OPEN`, `BUY_TO_CLOSE`, …
    pub instruction: &'static str,
    /// Contracts.
    pub quantity: u32,
    /// The option.
    pub instrument: SchwabInstrument,
}

/// The instrument of a [`SchwabLeg`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchwabInstrument {
    /// Padded 21-character OSI symbol, `NVDA  251219C00150000`.
    pub symbol: String,
    /// `OPTION`.
    pub asset_type: &'static str,
}

fn spread_kind(a: &OptionContract, b: &OptionContract) -> &'static str {
    if a.expiry == b.expiry {
        "VERTICAL"
    } else if a.strike == b.strike {
        "CALENDAR"
    } else {
        "DIAGONAL"
    }
}

/// One ticket as a Schwab Trader API order.
pub fn schwab_order(t: &OrderTicket) -> Result<SchwabOrder> {
    if !(t.limit.is_finite() && t.limit >= 0.0) || t.legs.is_empty() || t.legs.len() > 2 {
        return Err(unsupported(t, "one or two legs and a limit ≥ 0"));
    }
    let legs = t
        .legs
        .iter()
        .map(|l| SchwabLeg {
            instruction: match l.side {
                Side::BuyToOpen => "BUY_TO_OPEN",
                Side::BuyToClose => "BUY_TO_CLOSE",
                Side::SellToOpen => "SELL_TO_OPEN",
                Side::SellToClose => "SELL_TO_CLOSE",
            },
            quantity: l.quantity,
            instrument: SchwabInstrument {
                symbol: l.contract.osi(),
                asset_type: "OPTION",
            },
        })
        .collect();
    let spread = match t.legs.as_slice() {
        [a, b] => Some((spread_kind(&a.contract, &b.contract), a.quantity)),
        _ => None,
    };
    Ok(SchwabOrder {
        session: "NORMAL",
        duration: match t.time_in_force {
            TimeInForce::Day => "DAY",
            TimeInForce::Gtc => "GOOD_TILL_CANCEL",
        },
        order_type: match (spread.is_some(), t.effect) {
            (false, _) => "LIMIT",
            (true, PriceEffect::Credit) => "NET_CREDIT",
            (true, PriceEffect::Debit) => "NET_DEBIT",
        },
        complex_order_strategy_type: spread.map(|(k, _)| k),
        price: money(t.limit),
        quantity: spread.map(|(_, q)| q),
        order_strategy_type: "SINGLE",
        order_leg_collection: legs,
    })
}

/// A tastytrade API order (the JSON body of `POST /accounts/{account_number}/orders`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TastytradeOrder {
    /// `Day` or `GTC`.
    pub time_in_force: &'static str,
    /// `Limit`.
    pub order_type: &'static str,
    /// The limit (net for a roll), USD per share, two decimals.
    pub price: String,
    /// `Credit` (money in) or `Debit` (money out).
    pub price_effect: &'static str,
    /// The ticket id, so a retried submission can be recognized.
    pub external_identifier: String,
    /// The legs.
    pub legs: Vec<TastytradeLeg>,
}

/// One leg of a [`TastytradeOrder`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TastytradeLeg {
    /// `Equity Option`.
    pub instrument_type: &'static str,
    /// Padded 21-character OCC symbol, `NVDA  251219C00150000`.
    pub symbol: String,
    /// Contracts.
    pub quantity: u32,
    /// `Sell to Open`, `Buy to Close`, …
    pub action: &'static str,
}

/// One ticket as a tastytrade API order.
pub fn tastytrade_order(t: &OrderTicket) -> Result<TastytradeOrder> {
    if !(t.limit.is_finite() && t.limit >= 0.0) || t.legs.is_empty() {
        return Err(unsupported(t, "at least one leg and a limit ≥ 0"));
    }
    Ok(TastytradeOrder {
        time_in_force: match t.time_in_force {
            TimeInForce::Day => "Day",
            TimeInForce::Gtc => "GTC",
        },
        order_type: "Limit",
        price: money(t.limit),
        price_effect: match t.effect {
            PriceEffect::Credit => "Credit",
            PriceEffect::Debit => "Debit",
        },
        external_identifier: t.id.clone(),
        legs: t
            .legs
            .iter()
            .map(|l| TastytradeLeg {
                instrument_type: "Equity Option",
                symbol: l.contract.osi(),
                quantity: l.quantity,
                action: match l.side {
                    Side::BuyToOpen => "Buy to Open",
                    Side::BuyToClose => "Buy to Close",
                    Side::SellToOpen => "Sell to Open",
                    Side::SellToClose => "Sell to Close",
                },
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(occ: &str, side: Side, n: u32, price: f64, mid: f64) -> Leg {
        Leg {
            contract: OptionContract::parse_occ(occ).unwrap(),
            side,
            quantity: n,
            price: Some(price),
            mid: Some(mid),
            multiplier: 100,
            penny: false,
        }
    }

    fn ticket(id: &str, legs: Vec<Leg>, limit: f64, effect: PriceEffect) -> OrderTicket {
        OrderTicket {
            id: id.into(),
            underlying: "NVDA".into(),
            legs,
            limit,
            effect,
            time_in_force: TimeInForce::Day,
            description: String::new(),
        }
    }

    /// A covered call sold on a monthly expiry.
    fn sale() -> OrderTicket {
        ticket(
            "NVDA-20251120-01",
            vec![leg("NVDA251219C00150000", Side::SellToOpen, 2, 4.10, 4.15)],
            4.10,
            PriceEffect::Credit,
        )
    }

    /// A weekly call bought back, good till cancelled.
    fn close() -> OrderTicket {
        let mut t = ticket(
            "NVDA-20261120-01",
            vec![leg("NVDA261127C00180000", Side::BuyToClose, 1, 0.45, 0.43)],
            0.45,
            PriceEffect::Debit,
        );
        t.time_in_force = TimeInForce::Gtc;
        t
    }

    /// A weekly rolled out and up for a credit (close first, as manage writes it).
    fn roll(new: &str, limit: f64, effect: PriceEffect) -> OrderTicket {
        ticket(
            "NVDA-20261120-02",
            vec![
                leg("NVDA261127C00150000", Side::BuyToClose, 1, 7.55, 7.45),
                leg(new, Side::SellToOpen, 1, 7.70, 7.80),
            ],
            limit,
            effect,
        )
    }

    #[test]
    fn thinkorswim_single_legs() {
        assert_eq!(
            tos_order(&sale()).unwrap(),
            "SELL -2 NVDA 100 19 DEC 25 150 CALL @4.10 LMT"
        );
        assert_eq!(
            tos_order(&close()).unwrap(),
            "BUY +1 NVDA 100 (Weeklys) 27 NOV 26 180 CALL @.45 LMT GTC"
        );
        // A half-dollar strike on a monthly (third Friday of January 2027).
        let mut t = sale();
        t.legs[0] = leg("AMD270115C00142500", Side::SellToOpen, 3, 12.35, 12.4);
        t.limit = 12.35;
        assert_eq!(
            tos_order(&t).unwrap(),
            "SELL -3 AMD 100 15 JAN 27 142.5 CALL @12.35 LMT"
        );
    }

    #[test]
    fn thinkorswim_rolls_are_one_spread_line() {
        // Credit: the sold (new, later) leg first.
        assert_eq!(
            tos_order(&roll("NVDA261224C00157500", 0.15, PriceEffect::Credit)).unwrap(),
            "SELL -1 DIAGONAL NVDA 100 (Weeklys) 24 DEC 26/27 NOV 26 157.5/150 CALL @.15 LMT"
        );
        // Same strike: a calendar; 2026-12-18 is the December monthly, but the old leg
        // is a weekly, so the series is still tagged.
        assert_eq!(
            tos_order(&roll("NVDA261218C00150000", 1.05, PriceEffect::Credit)).unwrap(),
            "SELL -1 CALENDAR NVDA 100 (Weeklys) 18 DEC 26/27 NOV 26 150 CALL @1.05 LMT"
        );
        // Debit: the bought (old) leg first.
        assert_eq!(
            tos_order(&roll("NVDA261224C00160000", 0.20, PriceEffect::Debit)).unwrap(),
            "BUY +1 DIAGONAL NVDA 100 (Weeklys) 27 NOV 26/24 DEC 26 150/160 CALL @.20 LMT"
        );
        // Same expiry: a vertical.
        assert_eq!(
            tos_order(&roll("NVDA261127C00160000", 0.05, PriceEffect::Credit)).unwrap(),
            "SELL -1 VERTICAL NVDA 100 (Weeklys) 27 NOV 26 160/150 CALL @.05 LMT"
        );
        let mut two = String::new();
        let mut buf = Vec::new();
        write_tos(&[sale(), close()], &mut buf).unwrap();
        two.push_str(std::str::from_utf8(&buf).unwrap());
        assert_eq!(two.lines().count(), 2);
        assert!(two.ends_with("GTC\n"));
    }

    #[test]
    fn thinkorswim_refuses_what_it_cannot_spell() {
        // The ticket, its legs and limit, and what thinkorswim needs.
        let refused = |t: &OrderTicket| match tos_order(t) {
            Err(Error::InvalidInput {
                what: "order ticket",
                value,
                expected,
            }) => (value, expected),
            other => panic!("{other:?}"),
        };
        let two_legs = "a two-leg order of one root and right, one leg bought and one sold, \
                        equal quantities";
        let mut t = roll("NVDA261224C00157500", 0.15, PriceEffect::Credit);
        t.legs[1].quantity = 2;
        assert_eq!(
            refused(&t),
            (
                "NVDA-20261120-02 (buy_to_close 1 NVDA261127C00150000, \
                 sell_to_open 2 NVDA261224C00157500; limit 0.15)"
                    .to_string(),
                two_legs
            )
        );
        let mut t = roll("MSFT261224C00600000", 0.15, PriceEffect::Credit);
        assert_eq!(
            refused(&t),
            (
                "NVDA-20261120-02 (buy_to_close 1 NVDA261127C00150000, \
                 sell_to_open 1 MSFT261224C00600000; limit 0.15)"
                    .to_string(),
                two_legs
            )
        );
        t.legs.clear();
        assert_eq!(
            refused(&t),
            (
                "NVDA-20261120-02 (no legs; limit 0.15)".to_string(),
                "one or two legs"
            )
        );
        let mut t = sale();
        t.limit = f64::NAN;
        assert_eq!(
            refused(&t),
            (
                "NVDA-20251120-01 (sell_to_open 2 NVDA251219C00150000; limit NaN)".to_string(),
                "a limit ≥ 0"
            )
        );
    }

    #[test]
    fn ibkr_basket_rows() {
        let mut buf = Vec::new();
        write_ibkr_basket(
            &[
                sale(),
                roll("NVDA261224C00157500", 0.15, PriceEffect::Credit),
            ],
            &mut buf,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "Action,Quantity,Symbol,SecType,LastTradingDayOrContractMonth,Strike,Right,Exchange,\
             Currency,TimeInForce,OrderType,LmtPrice,BasketTag\n\
             SELL,2,NVDA,OPT,20251219,150,C,SMART,USD,DAY,LMT,4.10,NVDA-20251120-01\n\
             BUY,1,NVDA,OPT,20261127,150,C,SMART,USD,DAY,LMT,7.55,NVDA-20261120-02\n\
             SELL,1,NVDA,OPT,20261224,157.5,C,SMART,USD,DAY,LMT,7.70,NVDA-20261120-02\n"
        );
    }

    #[test]
    fn ibkr_roll_legs_round_to_their_own_side_of_the_mid() {
        // Off-tick reference prices: the buy rounds up (never below its mid 7.41), the sale
        // down (never above its mid 7.66), both on the nickel grid above 3.00.
        let mut t = roll("NVDA261224C00157500", 0.15, PriceEffect::Credit);
        t.legs[0].price = Some(7.42);
        t.legs[0].mid = Some(7.41);
        t.legs[1].price = Some(7.66);
        t.legs[1].mid = Some(7.66);
        let rows = ibkr_rows(&t).unwrap();
        assert_eq!(rows[0][11], "7.45");
        assert_eq!(rows[1][11], "7.65");
        // A penny class keeps the cent.
        t.legs[1].penny = true;
        assert_eq!(ibkr_rows(&t).unwrap()[1][11], "7.66");
        // A roll leg without a quote cannot be priced alone.
        t.legs[0].price = None;
        let e = ibkr_rows(&t).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "order ticket", value, expected }
                if value.starts_with("NVDA-20261120-02 (buy_to_close 1 NVDA261127C00150000 unpriced, ")
                    && expected.starts_with("a price for each leg")),
            "{e}"
        );
    }

    #[test]
    fn schwab_orders() {
        let single = serde_json::to_string(&schwab_order(&close()).unwrap()).unwrap();
        assert_eq!(
            single,
            r#"{"session":"NORMAL","duration":"GOOD_TILL_CANCEL","orderType":"LIMIT","price":"0.45","orderStrategyType":"SINGLE","orderLegCollection":[{"instruction":"BUY_TO_CLOSE","quantity":1,"instrument":{"symbol":"NVDA  261127C00180000","assetType":"OPTION"}}]}"#
        );
        let r = schwab_order(&roll("NVDA261224C00157500", 0.15, PriceEffect::Credit)).unwrap();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"session":"NORMAL","duration":"DAY","orderType":"NET_CREDIT","complexOrderStrategyType":"DIAGONAL","price":"0.15","quantity":1,"orderStrategyType":"SINGLE","orderLegCollection":[{"instruction":"BUY_TO_CLOSE","quantity":1,"instrument":{"symbol":"NVDA  261127C00150000","assetType":"OPTION"}},{"instruction":"SELL_TO_OPEN","quantity":1,"instrument":{"symbol":"NVDA  261224C00157500","assetType":"OPTION"}}]}"#
        );
        let d = schwab_order(&roll("NVDA261218C00150000", 0.2, PriceEffect::Debit)).unwrap();
        assert_eq!(
            (d.order_type, d.complex_order_strategy_type),
            ("NET_DEBIT", Some("CALENDAR"))
        );
    }

    #[test]
    fn tastytrade_orders() {
        let s = serde_json::to_string(&tastytrade_order(&sale()).unwrap()).unwrap();
        assert_eq!(
            s,
            r#"{"time-in-force":"Day","order-type":"Limit","price":"4.10","price-effect":"Credit","external-identifier":"NVDA-20251120-01","legs":[{"instrument-type":"Equity Option","symbol":"NVDA  251219C00150000","quantity":2,"action":"Sell to Open"}]}"#
        );
        let r = tastytrade_order(&roll("NVDA261224C00157500", 0.15, PriceEffect::Credit)).unwrap();
        assert_eq!(r.price_effect, "Credit");
        assert_eq!(
            r.legs.iter().map(|l| l.action).collect::<Vec<_>>(),
            ["Buy to Close", "Sell to Open"]
        );
        assert_eq!(tastytrade_order(&close()).unwrap().time_in_force, "GTC");
    }

    #[test]
    fn forms_by_name_and_generic_is_the_csv() {
        for f in OrderForm::ALL {
            assert_eq!(f.as_str().parse::<OrderForm>().unwrap(), f);
        }
        assert_eq!("thinkorswim".parse::<OrderForm>().unwrap(), OrderForm::Tos);
        let e = "fidelity".parse::<OrderForm>().unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { what: "broker", value, expected }
                if value == "fidelity" && expected.contains("tastytrade")),
            "{e}"
        );
        let mut a = Vec::new();
        write_orders(OrderForm::Generic, &[sale()], &mut a).unwrap();
        let mut b = Vec::new();
        write_orders_csv(&ticket_legs(&[sale()]), &mut b).unwrap();
        assert_eq!(a, b);
        let mut j = Vec::new();
        write_orders(OrderForm::Schwab, &[sale(), close()], &mut j).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
    }
}
