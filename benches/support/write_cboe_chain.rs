//! Write the synthetic 5,000-contract CBOE chain of `benches/support/cboe_chain.rs` to a file,
//! for whole-process timings of `ccplan suggest --source file:PATH`:
//!
//! ```text
//! cargo run --release --example cboe_chain -- /tmp/nvda_5000.json
//! hyperfine 'target/release/ccplan suggest NVDA --source file:/tmp/nvda_5000.json \
//!     --as-of 2026-11-16T10:30:00-05:00 --no-record'
//! ```

#[path = "cboe_chain.rs"]
mod cboe_chain;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: cboe_chain OUT.json");
        std::process::exit(2);
    };
    let spec = cboe_chain::CboeChainSpec::nvda_5000();
    std::fs::write(&path, cboe_chain::cboe_chain_json(&spec))?;
    eprintln!("wrote {} contracts", spec.len());
    Ok(())
}
