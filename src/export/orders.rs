//! Order tickets: what `plan --orders`, `suggest --orders` and `manage --orders` write.
//!
//! A ticket is one order sent as a whole: a new covered call is one leg (sell to open), a
//! close is one leg (buy to close), a roll is two legs (buy to close the old call, sell to
//! open the new one) under one net limit. Every leg of a ticket carries the ticket's id, net
//! limit, price effect and time in force, so a flat list of [`TicketLeg`]s is all a writer
//! needs: the generic CSV here, and the broker-specific forms built on the same list.
//!
//! ## The CSV
//!
//! | column | meaning |
//! |---|---|
//! | `order_id` | shared by the legs of one order, e.g. `NVDA-20261120-01` |
//! | `leg` | 1, 2, … within the order |
//! | `underlying` | ticker |
//! | `occ` | compact OCC symbol, `NVDA261218C00200000` |
//! | `osi` | padded 21-character OSI symbol, `NVDA  261218C00200000` |
//! | `side` | `buy_to_open`, `buy_to_close`, `sell_to_open`, `sell_to_close` |
//! | `quantity` | contracts, ≥ 1 |
//! | `limit` | the order's net limit, USD per share, ≥ 0, on the option tick |
//! | `price_effect` | `credit` (money in) or `debit` (money out) at that limit |
//! | `leg_price` | the leg's own reference price, USD per share (bid to sell, ask to buy) |
//! | `time_in_force` | `day` or `gtc` |
//! | `description` | one line for people |
//!
//! Limits are rounded to the option tick (0.05 at or above 3.00, 0.01 below; 0.01 throughout
//! for a class whose quotes show pennies above 3.00) on the side that favours the fill
//! without crossing the mid: a sale's limit is never above the mid, a purchase's never below
//! it. A roll's net limit is in cents (exchanges take spread orders in penny steps), never
//! above the spread's mid; a roll that costs money is a debit.
//!
//! The brokers' forms (thinkorswim order strings, IBKR BasketTrader CSV, Schwab and
//! tastytrade API order JSON) are built from the same tickets: [`write_orders`] with an
//! [`OrderForm`].

use std::io::Write;

use chrono::NaiveDate;

mod forms;
pub use forms::{
    ibkr_rows, schwab_order, tastytrade_order, tos_order, write_ibkr_basket, write_orders,
    write_tos, OrderForm, SchwabInstrument, SchwabLeg, SchwabOrder, TastytradeLeg, TastytradeOrder,
    IBKR_COLUMNS,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::OptionContract;
use crate::plan::{Candidate, ManageReport, Plan, PositionAction, Suggestion};

/// What a leg does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Open a long position.
    BuyToOpen,
    /// Close a short position (buy back a written call).
    BuyToClose,
    /// Open a short position (write a call).
    SellToOpen,
    /// Close a long position.
    SellToClose,
}

impl Side {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::BuyToOpen => "buy_to_open",
            Side::BuyToClose => "buy_to_close",
            Side::SellToOpen => "sell_to_open",
            Side::SellToClose => "sell_to_close",
        }
    }
    /// A buy (pays the ask) rather than a sale (gets the bid).
    pub fn is_buy(self) -> bool {
        matches!(self, Side::BuyToOpen | Side::BuyToClose)
    }
    fn parse(s: &str) -> Option<Side> {
        [
            Side::BuyToOpen,
            Side::BuyToClose,
            Side::SellToOpen,
            Side::SellToClose,
        ]
        .into_iter()
        .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Whether the order's net limit is money received or paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceEffect {
    /// Money in (a sale, a roll for a credit).
    Credit,
    /// Money out (a buy back).
    Debit,
}

impl PriceEffect {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceEffect::Credit => "credit",
            PriceEffect::Debit => "debit",
        }
    }
}

/// How long an order works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Until today's close (the default: the prices were read today).
    #[default]
    Day,
    /// Good till cancelled.
    Gtc,
}

impl TimeInForce {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Day => "day",
            TimeInForce::Gtc => "gtc",
        }
    }
}

/// One leg of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leg {
    /// The contract.
    pub contract: OptionContract,
    /// Buy or sell, open or close.
    pub side: Side,
    /// Contracts.
    pub quantity: u32,
    /// The leg's reference price, USD per share: the bid for a sale, the ask for a buy.
    pub price: Option<f64>,
    /// The leg's mid, USD per share, where both sides are quoted: a leg priced on its own
    /// (IBKR basket rows) is rounded so that a sale is never above it, a buy never below.
    pub mid: Option<f64>,
    /// Shares per contract (100 for standard equity options).
    pub multiplier: u32,
    /// The class quotes in pennies above 3.00 (read from the leg's quotes).
    pub penny: bool,
}

/// One order: its legs under one net limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderTicket {
    /// Order id, shared by its legs.
    pub id: String,
    /// Underlying ticker.
    pub underlying: String,
    /// The legs, in the order a broker takes them (close before open).
    pub legs: Vec<Leg>,
    /// Net limit, USD per share, ≥ 0, on the option tick.
    pub limit: f64,
    /// Credit or debit at that limit.
    pub effect: PriceEffect,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// One line for people.
    pub description: String,
}

/// One row of the orders file: a leg with everything of its ticket. The only input a
/// writer needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketLeg {
    /// Order id, shared by the legs of one order.
    pub order_id: String,
    /// 1-based leg number within the order.
    pub leg: u32,
    /// Underlying ticker.
    pub underlying: String,
    /// The contract (written as compact OCC and padded OSI).
    pub contract: OptionContract,
    /// Side.
    pub side: Side,
    /// Contracts.
    pub quantity: u32,
    /// The order's net limit, USD per share.
    pub limit: f64,
    /// Credit or debit.
    pub effect: PriceEffect,
    /// The leg's reference price, USD per share.
    pub leg_price: Option<f64>,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// One line for people.
    pub description: String,
}

impl OrderTicket {
    /// The ticket as rows, one per leg.
    pub fn legs(&self) -> Vec<TicketLeg> {
        self.legs
            .iter()
            .enumerate()
            .map(|(i, l)| TicketLeg {
                order_id: self.id.clone(),
                leg: u32::try_from(i + 1).unwrap_or(u32::MAX),
                underlying: self.underlying.clone(),
                contract: l.contract.clone(),
                side: l.side,
                quantity: l.quantity,
                limit: self.limit,
                effect: self.effect,
                leg_price: l.price,
                time_in_force: self.time_in_force,
                description: self.description.clone(),
            })
            .collect()
    }
}

/// Every leg of every ticket, in order.
pub fn ticket_legs(tickets: &[OrderTicket]) -> Vec<TicketLeg> {
    tickets.iter().flat_map(OrderTicket::legs).collect()
}

use crate::model::tick::{quotes_in_pennies, Side as Direction};

/// Round a limit to the option's tick with the shared rule ([`crate::model::tick`]): a sale
/// never above the mid, a buy never below it; `penny` for a class that quotes in pennies
/// above 3.00 (and for a spread's net price, which the exchanges take in pennies).
fn round_limit(price: f64, mid: Option<f64>, direction: Direction, penny: bool) -> f64 {
    crate::model::tick::round_limit(price, mid, direction, penny)
}

fn order_id(symbol: &str, date: NaiveDate, n: usize) -> String {
    format!("{symbol}-{}-{n:02}", date.format("%Y%m%d"))
}

fn mid_of(bid: Option<f64>, ask: Option<f64>) -> Option<f64> {
    match (bid, ask) {
        (Some(b), Some(a)) if b.is_finite() && a.is_finite() && b <= a => Some(0.5 * (a + b)),
        _ => None,
    }
}

/// Whether the prices at hand show a penny class: any of them at or above 3.00 off the
/// nickel grid. A planner limit is already on its class's tick, so reading it back keeps a
/// penny limit in pennies and a nickel limit in nickels.
fn penny_from(prices: &[Option<f64>]) -> bool {
    quotes_in_pennies(prices.iter().flatten().copied())
}

/// The sell-to-open ticket of one candidate, numbered `n` on `date`; `None` when it has no
/// contracts to write or no positive limit.
fn sale_ticket(
    c: &Candidate,
    date: NaiveDate,
    n: usize,
    time_in_force: TimeInForce,
) -> Option<OrderTicket> {
    let contract = OptionContract::parse_occ(&c.occ).ok()?;
    let mid = mid_of(c.bid, c.ask);
    let penny = penny_from(&[Some(c.limit_price), c.bid, c.ask]);
    let limit = round_limit(c.limit_price, mid, Direction::Sell, penny);
    if !(limit.is_finite() && limit > 0.0) || c.contracts == 0 {
        return None;
    }
    Some(OrderTicket {
        id: order_id(&c.symbol, date, n),
        underlying: c.symbol.clone(),
        legs: vec![Leg {
            contract,
            side: Side::SellToOpen,
            quantity: c.contracts,
            price: c.bid,
            mid,
            multiplier: c.multiplier,
            penny,
        }],
        limit,
        effect: PriceEffect::Credit,
        time_in_force,
        description: format!(
            "sell to open {} × {} at {limit:.2} (covered call on {})",
            c.contracts, c.occ, c.symbol
        ),
    })
}

/// The tickets of a plan: one sell-to-open per holding with a call to write.
pub fn plan_tickets(plan: &Plan, time_in_force: TimeInForce) -> Vec<OrderTicket> {
    let mut out = Vec::new();
    for c in plan.holdings.iter().filter_map(|h| h.best.as_ref()) {
        let date = plan
            .as_of
            .map_or(c.expiry, |t| crate::providers::calendar::new_york_date(&t));
        out.extend(sale_ticket(c, date, out.len() + 1, time_in_force));
    }
    out
}

/// The ticket of a suggestion: one sell-to-open of its top-ranked call, for the contracts
/// the holding leaves to cover (none when there are none to write).
pub fn suggest_tickets(s: &Suggestion, time_in_force: TimeInForce) -> Vec<OrderTicket> {
    let date = crate::providers::calendar::new_york_date(&s.as_of);
    s.best()
        .and_then(|c| sale_ticket(c, date, 1, time_in_force))
        .into_iter()
        .collect()
}

/// The tickets of a manage report: one buy-to-close per `close`, one two-leg order per `roll`
/// (buy to close, sell to open, under one net limit: a credit, or a debit when the roll
/// costs money). `hold` and `let_assign` need no order.
///
/// A close's limit is the ask on the class's tick, never below the mid. A roll's net limit
/// is the net credit (new bid − old ask) rounded to the cent, never above the spread's mid
/// (new mid − old mid): exchanges take complex orders in pennies whatever the legs' tick.
pub fn manage_tickets(report: &ManageReport, time_in_force: TimeInForce) -> Vec<OrderTicket> {
    let date = crate::providers::calendar::new_york_date(&report.as_of);
    let mut out = Vec::new();
    for p in &report.positions {
        let Ok(old) = OptionContract::parse_occ(&p.contract) else {
            continue;
        };
        let close_leg = Leg {
            contract: old.clone(),
            side: Side::BuyToClose,
            quantity: p.contracts,
            price: p.ask,
            mid: p.mid,
            multiplier: p.multiplier,
            penny: penny_from(&[p.bid, p.ask]),
        };
        let ticket = match p.action {
            PositionAction::Close => {
                let Some(ask) = p.ask.filter(|a| a.is_finite() && *a >= 0.0) else {
                    continue;
                };
                let limit = round_limit(ask, p.mid, Direction::Buy, close_leg.penny);
                Some(OrderTicket {
                    id: String::new(),
                    underlying: p.symbol.clone(),
                    legs: vec![close_leg],
                    limit,
                    effect: PriceEffect::Debit,
                    time_in_force,
                    description: format!(
                        "buy to close {} × {} at {limit:.2}",
                        p.contracts, p.contract
                    ),
                })
            }
            PositionAction::Roll => {
                let Some(roll) = p.rolls.first() else {
                    continue;
                };
                let Ok(new) = OptionContract::parse_occ(&roll.contract) else {
                    continue;
                };
                if !roll.net_credit.is_finite() {
                    continue;
                }
                // The spread's mid, as a credit: new mid − old mid.
                let mid = match (p.mid, roll.mid) {
                    (Some(a), Some(b)) => Some(b - a),
                    _ => None,
                };
                let (limit, effect) = if roll.net_credit >= 0.0 {
                    (
                        round_limit(roll.net_credit, mid, Direction::Sell, true),
                        PriceEffect::Credit,
                    )
                } else {
                    (
                        round_limit(-roll.net_credit, mid.map(|m| -m), Direction::Buy, true),
                        PriceEffect::Debit,
                    )
                };
                let open_leg = Leg {
                    contract: new,
                    side: Side::SellToOpen,
                    quantity: p.contracts,
                    price: Some(roll.bid),
                    mid: roll.mid,
                    multiplier: p.multiplier,
                    penny: penny_from(&[Some(roll.bid), roll.ask]),
                };
                Some(OrderTicket {
                    id: String::new(),
                    underlying: p.symbol.clone(),
                    legs: vec![close_leg, open_leg],
                    limit,
                    effect,
                    time_in_force,
                    description: format!(
                        "roll {} × {} to {} for a net {} of {limit:.2}",
                        p.contracts,
                        p.contract,
                        roll.contract,
                        effect.as_str()
                    ),
                })
            }
            PositionAction::Hold | PositionAction::LetAssign => None,
        };
        if let Some(mut t) = ticket {
            t.id = order_id(&p.symbol, date, out.len() + 1);
            out.push(t);
        }
    }
    out
}

const COLUMNS: [&str; 12] = [
    "order_id",
    "leg",
    "underlying",
    "occ",
    "osi",
    "side",
    "quantity",
    "limit",
    "price_effect",
    "leg_price",
    "time_in_force",
    "description",
];

/// Write the legs as the documented CSV (module docs), full precision.
pub fn write_orders_csv(legs: &[TicketLeg], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let io = crate::export::csv_write_error;
    w.write_record(COLUMNS).map_err(io)?;
    for l in legs {
        w.write_record([
            l.order_id.clone(),
            l.leg.to_string(),
            l.underlying.clone(),
            l.contract.occ(),
            l.contract.osi(),
            l.side.as_str().to_string(),
            l.quantity.to_string(),
            l.limit.to_string(),
            l.effect.as_str().to_string(),
            l.leg_price.map_or_else(String::new, |p| p.to_string()),
            l.time_in_force.as_str().to_string(),
            l.description.clone(),
        ])
        .map_err(io)?;
    }
    w.flush().map_err(Error::Output)
}

/// Read an orders CSV back (as written by [`write_orders_csv`]); errors name the file, the
/// line and the column.
pub fn read_orders_csv(text: &str, name: &str) -> Result<Vec<TicketLeg>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Error::record(name, 1, "header", e.to_string()))?
        .clone();
    let col = |want: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| crate::csvread::label_is(h, &[want]))
            .ok_or_else(|| Error::record(name, 1, want, "missing column"))
    };
    let cols: Vec<usize> = COLUMNS.iter().map(|c| col(c)).collect::<Result<_>>()?;
    let mut legs = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = crate::csvread::record_line(e.position());
            Error::record(name, line, "row", e.to_string())
        })?;
        let line = crate::csvread::record_line(rec.position());
        let get = |i: usize| rec.get(cols[i]).unwrap_or("");
        let field = |i: usize, msg: String| Error::record(name, line, COLUMNS[i], msg);
        let num = |i: usize| -> Result<f64> {
            let s = get(i).trim();
            crate::csvread::number(s, crate::csvread::Percent::Refused)
                .ok()
                .flatten()
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| field(i, format!("{s:?} is not a price ≥ 0")))
        };
        let count = |i: usize| -> Result<u32> {
            let s = get(i).trim();
            s.parse::<u32>()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| field(i, format!("{s:?} is not a whole number ≥ 1")))
        };
        let contract = OptionContract::parse_occ(get(3)).map_err(|e| field(3, e.to_string()))?;
        let osi = get(4);
        if !osi.trim().is_empty() && OptionContract::parse_occ(osi).ok().as_ref() != Some(&contract)
        {
            return Err(field(
                4,
                format!("{osi:?} is not the OSI form of {}", get(3)),
            ));
        }
        let side = Side::parse(get(5)).ok_or_else(|| {
            field(
                5,
                format!(
                    "{:?}: expected buy_to_open, buy_to_close, sell_to_open or sell_to_close",
                    get(5)
                ),
            )
        })?;
        let effect = match get(8).trim().to_ascii_lowercase().as_str() {
            "credit" => PriceEffect::Credit,
            "debit" => PriceEffect::Debit,
            other => return Err(field(8, format!("{other:?}: expected credit or debit"))),
        };
        let leg_price = if get(9).trim().is_empty() {
            None
        } else {
            Some(num(9)?)
        };
        let time_in_force = match get(10).trim().to_ascii_lowercase().as_str() {
            "day" => TimeInForce::Day,
            "gtc" => TimeInForce::Gtc,
            other => return Err(field(10, format!("{other:?}: expected day or gtc"))),
        };
        legs.push(TicketLeg {
            order_id: get(0).to_string(),
            leg: count(1)?,
            underlying: get(2).to_string(),
            contract,
            side,
            quantity: count(6)?,
            limit: num(7)?,
            effect,
            leg_price,
            time_in_force,
            description: get(11).to_string(),
        });
    }
    Ok(legs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_to_the_tick_without_crossing_the_mid() {
        // Below 3.00 the tick is a cent.
        let round_limit = |p, m, d| round_limit(p, m, d, false);
        assert_eq!(round_limit(1.234, None, Direction::Sell), 1.23);
        // At or above 3.00, a nickel; nearest first.
        assert_eq!(round_limit(3.12, None, Direction::Sell), 3.10);
        assert_eq!(round_limit(3.13, None, Direction::Sell), 3.15);
        // A sale is never above the mid: 3.15 > mid 3.13, so 3.10.
        assert_eq!(round_limit(3.13, Some(3.13), Direction::Sell), 3.10);
        // A buy is never below the mid: 3.10 < mid 3.11, so 3.15.
        assert_eq!(round_limit(3.12, Some(3.11), Direction::Buy), 3.15);
        // A positive sale never rounds to nothing (the shared rule keeps one tick).
        assert_eq!(round_limit(0.004, None, Direction::Sell), 0.01);
        assert_eq!(round_limit(2.995, Some(3.0), Direction::Buy), 3.0);
    }

    #[test]
    fn side_names_round_trip() {
        for s in [
            Side::BuyToOpen,
            Side::BuyToClose,
            Side::SellToOpen,
            Side::SellToClose,
        ] {
            assert_eq!(Side::parse(s.as_str()), Some(s));
        }
        assert_eq!(Side::parse("sell"), None);
    }
}
