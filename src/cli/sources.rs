//! Turning a `--source` / `--history` choice and the settings into a provider.

use std::path::{Path, PathBuf};

use ccplan::model::ChainSnapshot;
use ccplan::providers::cboe::Cboe;
use ccplan::providers::demo::Demo;
use ccplan::providers::file::FileSource;
use ccplan::providers::http::HttpConfig;
use ccplan::providers::polygon::Polygon;
use ccplan::providers::tradier::Tradier;
use ccplan::providers::yahoo::Yahoo;
use ccplan::providers::{ChainRequest, ChainSource, HistorySource};
use ccplan::store::Store;

use super::config::{Settings, SourceSpec};

/// A provider that can serve chains, history or both.
pub type Chains = Box<dyn ChainSource + Sync>;
/// A provider of price history.
pub type Histories = Box<dyn HistorySource + Sync>;
/// A provider of published IV30 ranges.
pub type Ranges = Box<dyn ccplan::pipeline::PublishedRanges + Sync>;

/// The CBOE source as configured (the one place its URL and HTTP settings are chosen).
pub(super) fn cboe(settings: &Settings) -> anyhow::Result<Cboe> {
    Ok(Cboe::new(
        settings.cboe_url.as_deref(),
        HttpConfig::default(),
    )?)
}

fn yahoo(settings: &Settings) -> anyhow::Result<Yahoo> {
    Ok(Yahoo::new(
        settings.yahoo_url.as_deref(),
        HttpConfig::default(),
    )?)
}

fn tradier(settings: &Settings) -> anyhow::Result<Tradier> {
    let token = settings.tradier_token.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "tradier needs an API token: set TRADIER_TOKEN, or `token` under [tradier] in the \
             config file (TRADIER_SANDBOX=1 or `sandbox = true` for a sandbox token)"
        )
    })?;
    Ok(Tradier::new(
        token.expose(),
        settings.tradier_sandbox,
        settings.tradier_url.as_deref(),
        HttpConfig::default(),
    )?)
}

fn polygon(settings: &Settings) -> anyhow::Result<Polygon> {
    let key = settings.polygon_key.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "polygon needs an API key: set POLYGON_API_KEY, or `api_key` under [polygon] in the \
             config file"
        )
    })?;
    Ok(Polygon::new(
        key.expose(),
        settings.polygon_url.as_deref(),
        HttpConfig::default(),
    )?)
}

/// The chain source for a spec.
pub fn chain_source(
    spec: &SourceSpec,
    settings: &Settings,
    store: &Path,
) -> anyhow::Result<Chains> {
    Ok(match spec {
        SourceSpec::Cboe => Box::new(cboe(settings)?),
        SourceSpec::Tradier => Box::new(tradier(settings)?),
        SourceSpec::Yahoo => Box::new(yahoo(settings)?),
        SourceSpec::Polygon => Box::new(polygon(settings)?),
        SourceSpec::Demo => Box::new(Demo::new()),
        SourceSpec::File(path) => Box::new(FileSource::new(path.clone())),
        SourceSpec::Store(date) => Box::new(StoreSource {
            path: store.to_path_buf(),
            date: *date,
        }),
    })
}

/// The chain source for a spec and, when it is CBOE, CBOE's published IV30 ranges through
/// the same client (one connection pool, one retry budget).
pub fn chain_source_with_ranges(
    spec: &SourceSpec,
    settings: &Settings,
    store: &Path,
) -> anyhow::Result<(Chains, Option<Ranges>)> {
    if *spec == SourceSpec::Cboe {
        let c = cboe(settings)?;
        return Ok((Box::new(c.clone()), Some(Box::new(c))));
    }
    Ok((chain_source(spec, settings, store)?, None))
}

/// The history source for a spec.
pub fn history_source(spec: &SourceSpec, settings: &Settings) -> anyhow::Result<Histories> {
    Ok(match spec {
        SourceSpec::Cboe => Box::new(cboe(settings)?),
        SourceSpec::Tradier => Box::new(tradier(settings)?),
        SourceSpec::Yahoo => Box::new(yahoo(settings)?),
        SourceSpec::Demo => Box::new(Demo::new()),
        SourceSpec::File(path) => Box::new(FileSource::new(path.clone())),
        SourceSpec::Polygon => {
            anyhow::bail!("polygon has no price-history source in ccplan; use --history cboe, yahoo, tradier or file:PATH")
        }
        SourceSpec::Store(_) => {
            anyhow::bail!("the store keeps IV history, not prices; use --history cboe, yahoo, tradier, demo or file:PATH")
        }
    })
}

/// The history source for a chain source spec when `--history` is not given: the same
/// provider where it serves history, CBOE for Polygon, none for a file or the store.
pub fn default_history(spec: &SourceSpec) -> Option<SourceSpec> {
    match spec {
        SourceSpec::Polygon => Some(SourceSpec::Cboe),
        SourceSpec::File(_) | SourceSpec::Store(_) => None,
        other => Some(other.clone()),
    }
}

/// Replays a chain archived in the local store (`--source store:DATE`).
struct StoreSource {
    path: PathBuf,
    date: chrono::NaiveDate,
}

impl ChainSource for StoreSource {
    fn name(&self) -> &'static str {
        "store"
    }

    fn chain(&self, request: &ChainRequest) -> ccplan::Result<ChainSnapshot> {
        let store = Store::open_existing(&self.path)?;
        let snap = store.load_snapshot(&request.symbol, self.date)?;
        let mut snap = snap.ok_or_else(|| ccplan::Error::NoData {
            what: "archived chain",
            symbol: request.symbol.clone(),
            message: format!(
                "no chain archived on {} in {} (fetch with --archive to keep whole chains)",
                self.date,
                self.path.display()
            ),
        })?;
        snap.quotes
            .retain(|q| request.expiries.accepts(q.contract.expiry));
        Ok(snap)
    }
}
