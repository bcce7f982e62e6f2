//! Settings: the config file, then environment variables over it, then flags over both.
//!
//! The config file is TOML at `<config dir>/ccplan/config.toml` (on Linux
//! `~/.config/ccplan/config.toml`), or wherever `CCPLAN_CONFIG` points:
//!
//! ```toml
//! source = "cboe"        # default chain source: cboe | tradier | yahoo | polygon | demo
//! history = "cboe"       # default price-history source
//! rate = 0.043           # fallback risk-free rate (decimal, continuously compounded)
//! div_yield = 0.0        # fallback dividend yield (decimal)
//! store = "/home/me/.local/share/ccplan/history.sqlite"
//!
//! [tradier]
//! token = "…"            # or TRADIER_TOKEN
//! sandbox = false
//!
//! [polygon]
//! api_key = "…"          # or POLYGON_API_KEY
//! ```
//!
//! Environment: `CCPLAN_SOURCE`, `CCPLAN_HISTORY`, `CCPLAN_RATE`, `CCPLAN_DIV_YIELD`,
//! `CCPLAN_STORE`, `TRADIER_TOKEN`, `TRADIER_SANDBOX`, `POLYGON_API_KEY`, and the base-URL
//! overrides `CCPLAN_CBOE_URL`, `CCPLAN_TRADIER_URL`, `CCPLAN_YAHOO_URL`, `CCPLAN_POLYGON_URL`
//! (scheme and host only; the provider's paths are kept).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context;
use chrono::NaiveDate;
use serde::Deserialize;

/// A credential. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(REDACTED)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("REDACTED")
    }
}

/// Where chains or history come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// CBOE delayed quotes (keyless, the default).
    Cboe,
    /// Tradier (token).
    Tradier,
    /// Yahoo Finance.
    Yahoo,
    /// Polygon / Massive (API key).
    Polygon,
    /// The built-in deterministic demo market.
    Demo,
    /// A saved snapshot, CSV or raw provider payload.
    File(PathBuf),
    /// A chain archived in the local store on that date.
    Store(NaiveDate),
}

impl FromStr for SourceSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if let Some(path) = t.strip_prefix("file:") {
            if path.is_empty() {
                return Err("file: needs a path, e.g. file:nvda.json".into());
            }
            return Ok(SourceSpec::File(PathBuf::from(path)));
        }
        if let Some(date) = t.strip_prefix("store:") {
            return NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(SourceSpec::Store)
                .map_err(|_| format!("store:{date}: expected store:YYYY-MM-DD"));
        }
        match t.to_ascii_lowercase().as_str() {
            "cboe" => Ok(SourceSpec::Cboe),
            "tradier" => Ok(SourceSpec::Tradier),
            "yahoo" => Ok(SourceSpec::Yahoo),
            "polygon" | "massive" => Ok(SourceSpec::Polygon),
            "demo" => Ok(SourceSpec::Demo),
            _ => Err(format!(
                "unknown source {s:?}: use cboe, tradier, yahoo, polygon, demo, file:PATH or store:DATE"
            )),
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Cboe => f.write_str("cboe"),
            SourceSpec::Tradier => f.write_str("tradier"),
            SourceSpec::Yahoo => f.write_str("yahoo"),
            SourceSpec::Polygon => f.write_str("polygon"),
            SourceSpec::Demo => f.write_str("demo"),
            SourceSpec::File(p) => write!(f, "file:{}", p.display()),
            SourceSpec::Store(d) => write!(f, "store:{d}"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    source: Option<String>,
    history: Option<String>,
    rate: Option<f64>,
    div_yield: Option<f64>,
    store: Option<PathBuf>,
    #[serde(default)]
    tradier: TradierConfig,
    #[serde(default)]
    polygon: PolygonConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TradierConfig {
    token: Option<String>,
    sandbox: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolygonConfig {
    api_key: Option<String>,
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Default chain source.
    pub source: SourceSpec,
    /// Default history source, when configured (else it follows the chain source).
    pub history: Option<SourceSpec>,
    /// Fallback rate (decimal).
    pub rate: f64,
    /// Fallback dividend yield (decimal).
    pub div_yield: f64,
    /// History store path, if configured.
    pub store: Option<PathBuf>,
    /// Tradier token.
    pub tradier_token: Option<Secret>,
    /// Use Tradier's sandbox host.
    pub tradier_sandbox: bool,
    /// Polygon/Massive API key.
    pub polygon_key: Option<Secret>,
    /// Base-URL overrides.
    pub cboe_url: Option<String>,
    /// Tradier base-URL override.
    pub tradier_url: Option<String>,
    /// Yahoo base-URL override.
    pub yahoo_url: Option<String>,
    /// Polygon base-URL override.
    pub polygon_url: Option<String>,
}

/// The default config file path.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("ccplan").join("config.toml"))
}

/// Load settings from the config file (if present) and the environment.
/// `env` is injected so tests can supply their own.
pub fn load(env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
    let path = env("CCPLAN_CONFIG")
        .map(PathBuf::from)
        .or_else(default_config_path);
    let file = match &path {
        Some(p) if p.exists() => read_file(p)?,
        _ => FileConfig::default(),
    };
    resolve(file, env)
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn resolve(file: FileConfig, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
    let pick = |var: &str, from_file: Option<String>| non_empty(env(var)).or(non_empty(from_file));
    let source_text = pick("CCPLAN_SOURCE", file.source).unwrap_or_else(|| "cboe".into());
    let source = source_text
        .parse::<SourceSpec>()
        .map_err(|e| anyhow::anyhow!("default source: {e}"))?;
    let history = match pick("CCPLAN_HISTORY", file.history) {
        Some(h) => Some(
            h.parse::<SourceSpec>()
                .map_err(|e| anyhow::anyhow!("default history source: {e}"))?,
        ),
        None => None,
    };
    let number = |var: &str, from_file: Option<f64>, default: f64| -> anyhow::Result<f64> {
        match non_empty(env(var)) {
            Some(s) => super::args::parse_fraction(&s).map_err(|e| anyhow::anyhow!("{var}: {e}")),
            None => Ok(from_file.unwrap_or(default)),
        }
    };
    let rate = number("CCPLAN_RATE", file.rate, 0.04)?;
    let div_yield = number("CCPLAN_DIV_YIELD", file.div_yield, 0.0)?;
    let tradier_sandbox = match non_empty(env("TRADIER_SANDBOX")) {
        Some(v) => matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"),
        None => file.tradier.sandbox.unwrap_or(false),
    };
    Ok(Settings {
        source,
        history,
        rate,
        div_yield,
        store: non_empty(env("CCPLAN_STORE"))
            .map(PathBuf::from)
            .or(file.store),
        tradier_token: pick("TRADIER_TOKEN", file.tradier.token).map(Secret),
        tradier_sandbox,
        polygon_key: pick("POLYGON_API_KEY", file.polygon.api_key).map(Secret),
        cboe_url: non_empty(env("CCPLAN_CBOE_URL")),
        tradier_url: non_empty(env("CCPLAN_TRADIER_URL")),
        yahoo_url: non_empty(env("CCPLAN_YAHOO_URL")),
        polygon_url: non_empty(env("CCPLAN_POLYGON_URL")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn environment_overrides_file_and_secrets_stay_hidden() {
        let file: FileConfig =
            toml::from_str("source = \"yahoo\"\nrate = 0.05\n[tradier]\ntoken = \"file-token\"\n")
                .unwrap();
        let s = resolve(
            file,
            &env_of(&[
                ("CCPLAN_SOURCE", "demo"),
                ("TRADIER_TOKEN", "env-token-123"),
            ]),
        )
        .unwrap();
        assert_eq!(s.source, SourceSpec::Demo);
        assert_eq!(s.history, None);
        assert_eq!(s.rate, 0.05);
        assert_eq!(s.tradier_token.as_ref().unwrap().expose(), "env-token-123");
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("env-token-123"), "{dbg}");
    }

    #[test]
    fn defaults_without_file_or_env() {
        let s = resolve(FileConfig::default(), &env_of(&[])).unwrap();
        assert_eq!(s.source, SourceSpec::Cboe);
        assert_eq!(s.rate, 0.04);
        assert!(s.tradier_token.is_none());
    }

    #[test]
    fn bad_values_are_named() {
        let err = resolve(
            FileConfig::default(),
            &env_of(&[("CCPLAN_SOURCE", "bloomberg")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("bloomberg"), "{err}");
        let err = resolve(FileConfig::default(), &env_of(&[("CCPLAN_RATE", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("CCPLAN_RATE"), "{err}");
        let err = toml::from_str::<FileConfig>("sorce = \"cboe\"").unwrap_err();
        assert!(
            err.message().contains("unknown field `sorce`")
                && err.message().contains("`source`")
                && err.span() == Some(0..5),
            "{err}"
        );
    }

    #[test]
    fn source_specs_parse() {
        assert_eq!(
            "file:/tmp/x.json".parse::<SourceSpec>().unwrap(),
            SourceSpec::File("/tmp/x.json".into())
        );
        assert_eq!(
            "store:2026-11-20"
                .parse::<SourceSpec>()
                .unwrap()
                .to_string(),
            "store:2026-11-20"
        );
        assert_eq!(
            "store:yesterday"
                .parse::<SourceSpec>()
                .unwrap_err()
                .to_string(),
            "store:yesterday: expected store:YYYY-MM-DD"
        );
        assert_eq!(
            "Massive".parse::<SourceSpec>().unwrap(),
            SourceSpec::Polygon
        );
    }
}
