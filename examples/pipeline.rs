//! The per-symbol pipeline as a library: fetch → analyse once → IV regime → plan, with the
//! sources, the store and "now" passed in (here the demo market, no store, a fixed instant).
//!
//! ```sh
//! cargo run --example pipeline
//! ```

use ccplan::model::{CorporateEvents, Holding};
use ccplan::pipeline::{Pipeline, PipelineSettings, SymbolRequest};
use ccplan::plan::{suggest_analysed, AnalysedMarket, Market, PlanParams};
use ccplan::providers::demo::Demo;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:30:00-05:00")?;
    let market = Demo::new();
    let params = PlanParams::default();
    // One analysis at the plan's fallback rate and yield serves the regime and the plan.
    let pipe = Pipeline {
        chains: &market,
        histories: Some(&market),
        ranges: None,
        store: None,
        now,
        settings: PipelineSettings {
            surface: PipelineSettings::surface_for(params.rate, params.div_yield),
            ..PipelineSettings::default()
        },
    };
    let data = pipe.run(&SymbolRequest::new("NVDA"))?;
    for w in &data.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(r) = &data.regime {
        println!("IV regime: {}", r.summary_line());
    }
    let surface = data
        .surface
        .as_ref()
        .ok_or("the chain could not be analysed")?;
    let holding = Holding {
        symbol: "NVDA".into(),
        shares: 300,
        cost_basis: Some(118.50),
        written: Vec::new(),
        assign_ok_above: None,
        events: CorporateEvents::default(),
    };
    let market = Market {
        chain: &data.snap,
        history: data.history.as_ref(),
    };
    let s = suggest_analysed(&holding, &AnalysedMarket { market, surface }, &params)?;
    for c in &s.candidates {
        println!(
            "{}. {} limit {:.2} — {}",
            c.rank, c.occ, c.limit_price, c.why
        );
    }
    Ok(())
}
