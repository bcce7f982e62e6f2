//! `ccplan price` and `ccplan iv` for one option, with labelled human units.

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, FixedOffset};

use ccplan::export::{human_number, human_plain};
use ccplan::model::Right;
use ccplan::pricing::{self, time, BsmInputs};

use ccplan::pricing::american::{self, AmericanInputs, CashDividend};

use super::args::{check_plausible_fraction, IvArgs, OptionArgs, PriceArgs, Style, MAX_VOL};
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

/// The American view of the option (`--style american`), or None for European; dividends
/// need the American style.
fn american_inputs(
    a: &OptionArgs,
    i: &BsmInputs,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<Option<AmericanInputs>> {
    let mut dividends: Vec<CashDividend> = a
        .dividend_years
        .iter()
        .map(|&(t, amount)| CashDividend { t, amount })
        .collect();
    dividends.extend(a.dividends.iter().map(|&(date, amount)| CashDividend {
        t: time::ex_dividend_years(&now, date),
        amount,
    }));
    match a.style {
        Style::European if dividends.is_empty() => Ok(None),
        Style::European => usage(
            "--dividend and --dividend-years price cash dividends under the American model: \
             add --style american (European prices take a continuous --div-yield)",
        ),
        Style::American => {
            let inputs = AmericanInputs {
                right: i.right,
                spot: i.spot,
                strike: i.strike,
                t: i.t,
                rate: i.rate,
                div_yield: i.div_yield,
                dividends,
            };
            inputs
                .validate()
                .map_err(|e| super::UsageError(e.to_string()))?;
            Ok(Some(inputs))
        }
    }
}

fn american_header(out: &mut dyn Write, a: &AmericanInputs) -> std::io::Result<()> {
    let inside: Vec<String> = a
        .dividends
        .iter()
        .filter(|d| d.t > 0.0 && d.t < a.t && d.amount > 0.0)
        .map(|d| {
            format!(
                "{} USD at {} y",
                human_plain(d.amount),
                human_number(d.t, 6)
            )
        })
        .collect();
    if inside.is_empty() {
        writeln!(out, "style american; no cash dividend before expiry")
    } else {
        writeln!(
            out,
            "style american; cash dividends before expiry: {}",
            inside.join(", ")
        )
    }
}

fn american_table(out: &mut dyn Write, a: &AmericanInputs, vol: f64) -> anyhow::Result<()> {
    let g = american::american_greeks(a, vol)?;
    let r = american::early_exercise(a, vol)?;
    let rows: [(&str, f64, &str); 6] = [
        ("price", g.price, "USD per share (American)"),
        ("delta", g.delta, "per 1 USD of spot"),
        ("gamma", g.gamma, "per 1 USD of spot, squared"),
        ("vega", g.vega / 100.0, "USD per vol point (1 %)"),
        ("theta", g.theta / 365.0, "USD per calendar day"),
        ("rho", g.rho / 100.0, "USD per rate point (1 %)"),
    ];
    for (name, v, unit) in rows {
        writeln!(out, "  {name:<8}{:>16}  {unit}", human_number(v, 6))?;
    }
    writeln!(
        out,
        "  {:<8}{:>16}  USD per share, same model held to expiry",
        "european",
        human_number(r.european_price, 6)
    )?;
    writeln!(
        out,
        "  {:<8}{:>16}  USD per share, early-exercise premium",
        "premium",
        human_number(r.early_exercise_premium, 6)
    )?;
    if let Some(p) = r.p_early_exercise {
        match r.critical_spot {
            Some(s) => writeln!(
                out,
                "  early exercise: optimal above {} USD just before the next ex-date; \
                 risk-neutral probability {} % before expiry",
                human_number(s, 4),
                human_number(p * 100.0, 3)
            )?,
            None => writeln!(
                out,
                "  early exercise: never optimal at the next ex-date (the dividend is below \
                 the interest on the strike); probability {} % before expiry",
                human_number(p * 100.0, 3)
            )?,
        }
    }
    writeln!(out, "  priced by {}", r.engine.label())?;
    Ok(())
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
    let am = american_inputs(&a.option, &i, now)?;
    header(out, &i, &t_desc)?;
    writeln!(out, "volatility {:.4} %", vol * 100.0)?;
    match am {
        Some(am) => {
            american_header(out, &am)?;
            american_table(out, &am, vol)
        }
        None => greeks_table(out, &i, vol),
    }
}

/// `ccplan iv`.
pub fn iv(a: &IvArgs, now: DateTime<FixedOffset>, out: &mut dyn Write) -> anyhow::Result<()> {
    let (i, t_desc) = inputs(&a.option, now)?;
    let Some(p) = a.price else {
        return usage("give --price");
    };
    let am = american_inputs(&a.option, &i, now)?;
    let vol = match &am {
        Some(am) => american::implied_vol_american(am, p).with_context(|| {
            format!(
                "no American implied volatility for a {} priced at {p}",
                i.right
            )
        })?,
        None => pricing::implied_vol(&i, p)
            .with_context(|| format!("no implied volatility for a {} priced at {p}", i.right))?,
    };
    header(out, &i, &t_desc)?;
    if let Some(am) = &am {
        american_header(out, am)?;
        writeln!(out, "price {p} USD per share")?;
        writeln!(
            out,
            "implied volatility {:.6} % ({vol} as a decimal), American",
            vol * 100.0
        )?;
        return american_table(out, am, vol);
    }
    writeln!(out, "price {p} USD per share")?;
    writeln!(
        out,
        "implied volatility {:.6} % ({vol} as a decimal)",
        vol * 100.0
    )?;
    greeks_table(out, &i, vol)
}
