//! `--orders FILE --broker FORM`: the order tickets written in a broker's form.

use std::path::Path;

use anyhow::Context;
use clap::ValueEnum;

use ccplan::export::orders::{write_orders, OrderForm, OrderTicket};
use ccplan::fsutil::write_atomic;

/// The form of the orders file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum BrokerArg {
    /// ccplan's CSV, one row per leg.
    #[default]
    Generic,
    /// thinkorswim order strings, one line per order.
    Tos,
    /// IBKR BasketTrader CSV.
    Ibkr,
    /// Schwab Trader API orders (JSON array).
    Schwab,
    /// tastytrade API orders (JSON array).
    Tastytrade,
}

impl From<BrokerArg> for OrderForm {
    fn from(b: BrokerArg) -> OrderForm {
        match b {
            BrokerArg::Generic => OrderForm::Generic,
            BrokerArg::Tos => OrderForm::Tos,
            BrokerArg::Ibkr => OrderForm::Ibkr,
            BrokerArg::Schwab => OrderForm::Schwab,
            BrokerArg::Tastytrade => OrderForm::Tastytrade,
        }
    }
}

/// Write `tickets` to `path` in `broker`'s form, atomically, and say so on standard error.
pub fn write_order_file(
    path: &Path,
    broker: BrokerArg,
    tickets: &[OrderTicket],
) -> anyhow::Result<()> {
    let form = OrderForm::from(broker);
    write_atomic(path, |w| write_orders(form, tickets, w))
        .with_context(|| format!("writing the orders {}", path.display()))?;
    let legs: usize = tickets.iter().map(|t| t.legs.len()).sum();
    eprintln!(
        "wrote {} ({} order{}, {legs} leg{}, {form} form)",
        path.display(),
        tickets.len(),
        if tickets.len() == 1 { "" } else { "s" },
        if legs == 1 { "" } else { "s" },
    );
    Ok(())
}
