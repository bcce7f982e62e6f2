//! `ccplan price` and `ccplan iv` for one option, with labelled human units.

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, FixedOffset};

use ccplan::export::{human_number, human_plain};
use ccplan::model::Right;
use ccplan::pricing::{self, time, BsmInputs};

use super::args::{check_plausible_fraction, IvArgs, OptionArgs, PriceArgs, MAX_VOL};
use super::usage;

/// The option from the flags, with a description of how T was obtained.
fn inputs(a: &OptionArgs, now: DateTime<FixedOffset>) -> anyhow::Result<(BsmInputs, String)> {
    let (Some(kind), Some(spot), Some(strike)) = (a.kind, a.spot, a.strike) else {
        return usage("give call|put, --spot and --strike (or --batch FILE)");
    };
    check_plausible_fraction("--rate", a.rate, 1.0)?;
    check_plausible_fraction("--div-yield", a.div_yield, 1.0)?;
    let (t, t_desc) = match (a.expiry, a.years) {
        (Some(date), None) => {
            let t = time::year_fraction(&now, date);
            if t < 0.0 {
                return usage(format!(
                    "expiry {date} 16:00 New York is before the as-of instant {}",
                    now.to_rfc3339()
                ));
            }
            let dte = time::days_to_expiry(&now, date);
            (
                t,
                format!(
                    "{t:.6} y ({dte} d to {date} 16:00 New York, from {})",
                    now.to_rfc3339()
                ),
            )
        }
        (None, Some(t)) => (t, format!("{} y", human_plain(t))),
        _ => return usage("give the time to expiry: --expiry DATE or --years T"),
    };
    let inputs = BsmInputs {
        right: Right::from(kind),
        spot,
        strike,
        t,
        rate: a.rate,
        div_yield: a.div_yield,
    };
    inputs
        .validate()
        .map_err(|e| super::UsageError(e.to_string()))?;
    Ok((inputs, t_desc))
}

fn header(out: &mut dyn Write, i: &BsmInputs, t_desc: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "{} on spot {} USD, strike {} USD, T = {}",
        i.right,
        human_plain(i.spot),
        human_plain(i.strike),
        t_desc
    )?;
    writeln!(
        out,
        "rate {} % cont., dividend yield {} % cont.",
        human_number(i.rate * 100.0, 4),
        human_number(i.div_yield * 100.0, 4)
    )
}

fn greeks_table(out: &mut dyn Write, i: &BsmInputs, vol: f64) -> anyhow::Result<()> {
    let g = pricing::greeks(i, vol)?;
    writeln!(
        out,
        "  {:<8}{:>16}  USD per share",
        "price",
        human_number(g.price, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  per 1 USD of spot",
        "delta",
        human_number(g.delta, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  per 1 USD of spot, squared",
        "gamma",
        human_number(g.gamma, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  USD per vol point (1 %)",
        "vega",
        human_number(g.vega / 100.0, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  USD per calendar day",
        "theta",
        human_number(g.theta / 365.0, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  USD per rate point (1 %)",
        "rho",
        human_number(g.rho / 100.0, 6)
    )?;
    Ok(())
}

/// `ccplan price`.
pub fn price(a: &PriceArgs, now: DateTime<FixedOffset>, out: &mut dyn Write) -> anyhow::Result<()> {
    let (i, t_desc) = inputs(&a.option, now)?;
    let Some(vol) = a.vol else {
        return usage("give --vol (0.45 or 45%)");
    };
    check_plausible_fraction("--vol", vol, MAX_VOL)?;
    header(out, &i, &t_desc)?;
    writeln!(out, "volatility {:.4} %", vol * 100.0)?;
    greeks_table(out, &i, vol)
}

/// `ccplan iv`.
pub fn iv(a: &IvArgs, now: DateTime<FixedOffset>, out: &mut dyn Write) -> anyhow::Result<()> {
    let (i, t_desc) = inputs(&a.option, now)?;
    let Some(p) = a.price else {
        return usage("give --price");
    };
    let vol = pricing::implied_vol(&i, p)
        .with_context(|| format!("no implied volatility for a {} priced at {p}", i.right))?;
    header(out, &i, &t_desc)?;
    writeln!(out, "price {p} USD per share")?;
    writeln!(
        out,
        "implied volatility {:.6} % ({vol} as a decimal)",
        vol * 100.0
    )?;
    greeks_table(out, &i, vol)
}
