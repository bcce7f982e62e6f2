//! `ccplan holdings import FILE`: a broker's positions export (or any holdings file) written
//! as ccplan's TOML, to correct and keep.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use ccplan::fsutil::write_atomic;
use ccplan::import::write_toml;

use super::suggest_cmd::{load_holdings_file, report_import};

/// `holdings` subcommands.
#[derive(Debug, Subcommand)]
pub enum HoldingsCmd {
    /// Read a positions export (Schwab, Fidelity, IBKR, E*TRADE, tastytrade, Robinhood) or a
    /// ccplan holdings file and write the holdings as ccplan TOML (standard output or --out).
    Import {
        /// The export.
        file: PathBuf,
        /// Write the TOML to FILE (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Read only this account (name or number); by default the accounts are summed.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
}

/// Run a `holdings` subcommand.
pub fn run(cmd: &HoldingsCmd, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        HoldingsCmd::Import {
            file,
            out: out_file,
            account,
        } => {
            let imported = load_holdings_file(file, account.as_deref())?;
            report_import(&imported);
            let mut header = vec![format!(
                "ccplan holdings read from {} ({}); correct and keep.",
                file.display(),
                imported.format
            )];
            if let Some(p) = &imported.positions {
                if let Some(a) = account {
                    header.push(format!("account: {a}"));
                }
                header.extend(imported.notes.iter().cloned());
                let priced: Vec<String> = p
                    .calls
                    .iter()
                    .filter_map(|c| {
                        c.price
                            .map(|x| format!("{} sold at {x:.2} per share", c.contract.occ()))
                    })
                    .collect();
                if !priced.is_empty() {
                    header.push(format!("open prices in the export: {}", priced.join(", ")));
                }
            }
            let render =
                |w: &mut dyn Write| write_toml(&imported.portfolio, &header, &imported.ignored, w);
            match out_file {
                Some(path) => {
                    write_atomic(path, |w| render(w))?;
                    eprintln!(
                        "wrote {} holdings to {}",
                        imported.portfolio.holdings.len(),
                        path.display()
                    );
                }
                None => render(out)?,
            }
        }
    }
    Ok(())
}
