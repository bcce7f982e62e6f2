//! "Which calls should I write on NVDA this month?" — with the library alone.
//!
//! Uses the built-in demo market so it runs offline; swap `Demo` for
//! `ccplan::providers::cboe::Cboe::new(None, Default::default())?` to ask CBOE's delayed quotes.
//!
//! ```sh
//! cargo run --example nvda_this_month
//! ```

use ccplan::model::{CorporateEvents, Holding};
use ccplan::plan::{suggest, ExpiryWindow, Market, PlanParams};
use ccplan::pricing::time::close_of;
use ccplan::providers::demo::Demo;
use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter, HistorySource};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // "Now" is an argument: the close of 2026-11-20.
    let as_of =
        close_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).ok_or("bad date")?).fixed_offset();
    let demo = Demo::new();
    let chain = demo.chain(&ChainRequest {
        symbol: "NVDA".into(),
        expiries: ExpiryFilter::All,
        as_of,
    })?;
    let history = demo.history(
        "NVDA",
        as_of.date_naive() - chrono::Duration::days(60),
        as_of.date_naive(),
    )?;

    let holding = Holding {
        symbol: "NVDA".into(),
        shares: 300,
        cost_basis: Some(118.50),
        written: Vec::new(),
        assign_ok_above: None,
        events: CorporateEvents::default(),
    };
    let params = PlanParams {
        window: ExpiryWindow::ThisMonth,
        ..PlanParams::default()
    };
    let s = suggest(
        &holding,
        &Market {
            chain: &chain,
            history: Some(&history),
        },
        &params,
    )?;

    println!(
        "NVDA at {:.2} USD, {} shares at a cost of 118.50:",
        s.spot, s.shares
    );
    for c in &s.candidates {
        println!(
            "{}. sell {} × {} at {:.2}: {:.2} % yield ({:.1} %/yr), {:.1} % chance of assignment — {}",
            c.rank,
            c.contracts,
            c.occ,
            c.limit_price,
            c.metrics.premium_yield * 100.0,
            c.metrics.premium_yield_annualized * 100.0,
            c.metrics.assignment_probability * 100.0,
            c.why
        );
    }
    for n in &s.notes {
        println!("note: {n}");
    }
    Ok(())
}
