//! Turning a `--source` / `--history` choice and the settings into a provider.

use anyhow::Context;

use ccplan::providers::demo::Demo;
use ccplan::providers::file::FileSource;
use ccplan::providers::{ChainSource, HistorySource};

use super::config::{Settings, SourceSpec};

/// The chain source for a spec.
pub fn chain_source(
    spec: &SourceSpec,
    settings: &Settings,
) -> anyhow::Result<Box<dyn ChainSource>> {
    let _ = settings;
    match spec {
        SourceSpec::Demo => Ok(Box::new(Demo::new())),
        SourceSpec::File(path) => Ok(Box::new(FileSource::new(path.clone()))),
        other => anyhow::bail!("source {other} is not available in this build"),
    }
}

/// The history source for a spec.
#[allow(dead_code)] // wired by suggest/plan/regime
pub fn history_source(
    spec: &SourceSpec,
    settings: &Settings,
) -> anyhow::Result<Box<dyn HistorySource>> {
    let _ = settings;
    match spec {
        SourceSpec::Demo => Ok(Box::new(Demo::new())),
        SourceSpec::File(path) => Ok(Box::new(FileSource::new(path.clone()))),
        other => Err(anyhow::anyhow!(
            "history source {other} is not available in this build"
        ))
        .context("choose --history demo or file:PATH"),
    }
}
