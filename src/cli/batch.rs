//! CSV batch mode for `price` and `iv`: the interface other tools rely on.
//!
//! * `price --batch FILE` reads `kind,spot,strike,t_years,rate,div_yield,vol` and writes the
//!   input columns followed by `price,delta,gamma,vega,theta,rho` in library units (vega per
//!   1.00 of vol, theta per year, rho per 1.00 of rate).
//! * `iv --batch FILE` reads `kind,spot,strike,t_years,rate,div_yield,price` and writes the
//!   input columns followed by `implied_vol,error`: `implied_vol` empty and `error` filled
//!   when no volatility produces the price.
//!
//! Both take two optional columns: `style` (`european` or `american`; empty = european) and
//! `dividends` (`T:AMOUNT;T:AMOUNT`, T the ex-date as a year fraction from now on the clock of
//! `t_years`, cash USD per share; American rows only). Price output also has
//! `european_price,early_exercise_premium,critical_spot,p_early_exercise` after `rho`: filled
//! for American rows (the last two for calls with an ex-date before expiry), empty otherwise.
//!
//! Columns may come in any order (header names are matched as every ccplan CSV matches them:
//! letters and digits, any case, so `T Years` is `t_years`); unknown extra columns are carried
//! through verbatim. Numbers are written with Rust's shortest round-trip formatting, so parsing
//! them back gives the same `f64`.
//! A malformed row stops the run with an error naming its line, unless `--keep-going`, which
//! writes the error in an `error` column for that row and goes on.

use std::fs::File;
use std::io::{self, Read, Write};

use anyhow::Context;

use ccplan::csvread::{self, label_is, Percent};
use ccplan::fsutil::{CappedReader, BATCH_LIMIT};
use ccplan::model::Right;

use super::args::{implausible_fraction, MAX_VOL};
use ccplan::pricing::american::{self, AmericanInputs, CashDividend};
use ccplan::pricing::{self, BsmInputs};
use ccplan::Error;

/// Which batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Prices and greeks from volatilities.
    Price,
    /// Implied volatilities from prices.
    Iv,
}

const COMMON: [&str; 6] = ["kind", "spot", "strike", "t_years", "rate", "div_yield"];

const PRICE_OUTPUTS: [&str; 10] = [
    "price",
    "delta",
    "gamma",
    "vega",
    "theta",
    "rho",
    "european_price",
    "early_exercise_premium",
    "critical_spot",
    "p_early_exercise",
];

impl Mode {
    fn last_input(self) -> &'static str {
        match self {
            Mode::Price => "vol",
            Mode::Iv => "price",
        }
    }
    fn outputs(self, keep_going: bool) -> Vec<&'static str> {
        match self {
            Mode::Price if keep_going => {
                let mut v = PRICE_OUTPUTS.to_vec();
                v.push("error");
                v
            }
            Mode::Price => PRICE_OUTPUTS.to_vec(),
            Mode::Iv => vec!["implied_vol", "error"],
        }
    }
}

/// Run a batch from `path` (`-` for stdin) to `out`.
pub fn run(mode: Mode, path: &str, keep_going: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let (name, input): (String, Box<dyn Read>) = if path == "-" {
        ("stdin".to_string(), Box::new(io::stdin().lock()))
    } else {
        let f = File::open(path).map_err(|e| Error::Io {
            path: path.into(),
            source: e,
        })?;
        (path.to_string(), Box::new(f))
    };
    let input = CappedReader::new(input, BATCH_LIMIT, "a batch");
    process(mode, &name, input, keep_going, out)
}

/// Column positions of the required inputs.
struct Columns {
    idx: [usize; 7],
    style: Option<usize>,
    dividends: Option<usize>,
}

fn find_columns(mode: Mode, name: &str, header: &csv::StringRecord) -> anyhow::Result<Columns> {
    let wanted: Vec<&str> = COMMON.iter().copied().chain([mode.last_input()]).collect();
    let mut idx = [0usize; 7];
    for (slot, want) in idx.iter_mut().zip(&wanted) {
        *slot = header
            .iter()
            .position(|h| label_is(h, &[want]))
            .ok_or_else(|| {
                Error::record(
                    name,
                    1,
                    *want,
                    format!(
                        "missing column; the header must contain {} (any order)",
                        wanted.join(",")
                    ),
                )
            })?;
    }
    let optional = |want: &str| header.iter().position(|h| label_is(h, &[want]));
    Ok(Columns {
        idx,
        style: optional("style"),
        dividends: optional("dividends"),
    })
}

/// Process a batch from any reader (the testable core of `run`).
pub fn process(
    mode: Mode,
    name: &str,
    input: impl Read,
    keep_going: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let header = reader
        .headers()
        .with_context(|| format!("{name}: reading the CSV header"))?
        .clone();
    let cols = find_columns(mode, name, &header)?;
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let mut out_header: Vec<String> = header.iter().map(str::to_string).collect();
    out_header.extend(mode.outputs(keep_going).iter().map(|s| s.to_string()));
    writer.write_record(&out_header).map_err(csv_write)?;

    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let err = Error::record(name, line, "row", format!("unreadable CSV: {e}"));
                if keep_going {
                    let mut row = vec![String::new(); header.len()];
                    row.extend(blank_outputs(mode, keep_going, &err.to_string()));
                    writer.write_record(&row).map_err(csv_write)?;
                    continue;
                }
                return Err(err.into());
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(header.len(), String::new());
        if record.len() != header.len() {
            let err = Error::record(
                name,
                line,
                "row",
                format!("{} fields, the header has {}", record.len(), header.len()),
            );
            if !keep_going {
                return Err(err.into());
            }
            row.extend(blank_outputs(mode, keep_going, &err.to_string()));
            writer.write_record(&row).map_err(csv_write)?;
            continue;
        }
        match compute(mode, name, line, &record, &cols) {
            Ok(values) => {
                row.extend(values);
                // The error column of a priced row under --keep-going is empty.
                row.resize(header.len() + mode.outputs(keep_going).len(), String::new());
            }
            Err(err) if keep_going => row.extend(blank_outputs(mode, keep_going, &err.to_string())),
            Err(err) => return Err(err.into()),
        }
        writer.write_record(&row).map_err(csv_write)?;
    }
    writer
        .flush()
        .map_err(|e| anyhow::Error::from(Error::Output(e)))?;
    Ok(())
}

fn csv_write(e: csv::Error) -> anyhow::Error {
    ccplan::export::csv_write_error(e).into()
}

fn blank_outputs(mode: Mode, keep_going: bool, error: &str) -> Vec<String> {
    let n = mode.outputs(keep_going).len();
    let mut v = vec![String::new(); n];
    if let Some(last) = v.last_mut() {
        *last = error.to_string();
    }
    v
}

fn number(name: &str, line: usize, field: &str, text: &str) -> Result<f64, Error> {
    let t = text.trim();
    // The shared reading of a CSV number (1e-3, $1,234.50); a blank is not a number here.
    match csvread::number(t, Percent::Refused) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(Error::record(
            name,
            line,
            field,
            format!("{t:?} is not a number"),
        )),
        Err(m) => Err(Error::record(name, line, field, m)),
    }
}

/// The output values for one well-formed row. In `Iv` mode a solver error is not a row error:
/// it goes in the `error` column.
fn compute(
    mode: Mode,
    name: &str,
    line: usize,
    record: &csv::StringRecord,
    cols: &Columns,
) -> Result<Vec<String>, Error> {
    let get = |i: usize| record.get(cols.idx[i]).unwrap_or("");
    let right: Right = get(0).parse().map_err(|_| {
        Error::record(
            name,
            line,
            "kind",
            format!("{:?} is neither call nor put", get(0)),
        )
    })?;
    let mut nums = [0.0f64; 6];
    let fields = [
        "spot",
        "strike",
        "t_years",
        "rate",
        "div_yield",
        mode.last_input(),
    ];
    for (k, slot) in nums.iter_mut().enumerate() {
        *slot = number(name, line, fields[k], get(k + 1))?;
    }
    let inputs = BsmInputs {
        right,
        spot: nums[0],
        strike: nums[1],
        t: nums[2],
        rate: nums[3],
        div_yield: nums[4],
    };
    let optional = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim();
    let style = optional(cols.style);
    let american = match style.to_ascii_lowercase().as_str() {
        "" | "european" => false,
        "american" => true,
        _ => {
            return Err(Error::record(
                name,
                line,
                "style",
                format!("{style:?} is neither european nor american"),
            ))
        }
    };
    let dividends = parse_dividends(name, line, optional(cols.dividends))?;
    if !american && !dividends.is_empty() {
        return Err(Error::record(
            name,
            line,
            "dividends",
            "cash dividends are priced under the American model: set style to american",
        ));
    }
    if american {
        let am = AmericanInputs {
            right,
            spot: nums[0],
            strike: nums[1],
            t: nums[2],
            rate: nums[3],
            div_yield: nums[4],
            dividends,
        };
        return compute_american(mode, name, line, &am, nums[5]);
    }
    match mode {
        Mode::Price => {
            // The single-option command's rule: `vol = 45` means 45 %, not 4 500 %.
            if let Some(msg) = implausible_fraction("vol", nums[5], MAX_VOL) {
                return Err(Error::record(name, line, "vol", msg));
            }
            let g = pricing::greeks(&inputs, nums[5])
                .map_err(|e| Error::record(name, line, "row", e.to_string()))?;
            let values = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
            if let Some(k) = values.iter().position(|x| !x.is_finite()) {
                const NAMES: [&str; 6] = ["price", "delta", "gamma", "vega", "theta", "rho"];
                return Err(Error::record(
                    name,
                    line,
                    "row",
                    format!(
                        "{} is not a finite number for these inputs (out of the range \
                         double precision can price)",
                        NAMES[k]
                    ),
                ));
            }
            let mut out: Vec<String> = values.iter().map(|x| x.to_string()).collect();
            out.extend(std::iter::repeat_n(String::new(), 4));
            Ok(out)
        }
        Mode::Iv => Ok(match pricing::implied_vol(&inputs, nums[5]) {
            Ok(vol) if vol.is_finite() => vec![vol.to_string(), String::new()],
            Ok(vol) => vec![
                String::new(),
                format!("the solver returned {vol}, not a finite volatility"),
            ],
            Err(e) => vec![String::new(), e.to_string()],
        }),
    }
}

/// `T:AMOUNT;T:AMOUNT` (empty: none).
fn parse_dividends(name: &str, line: usize, text: &str) -> Result<Vec<CashDividend>, Error> {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let bad = |why: String| Error::record(name, line, "dividends", why);
            let (t, a) = part
                .split_once(':')
                .ok_or_else(|| bad(format!("{part:?}: expected T:AMOUNT (years:USD)")))?;
            let t: f64 = t
                .trim()
                .parse()
                .map_err(|_| bad(format!("{t:?} is not a year fraction")))?;
            let amount: f64 = a
                .trim()
                .parse()
                .map_err(|_| bad(format!("{a:?} is not a dividend in USD")))?;
            if !(t.is_finite() && amount.is_finite() && amount >= 0.0) {
                return Err(bad(format!(
                    "{part:?}: a finite year fraction and an amount ≥ 0 are needed"
                )));
            }
            Ok(CashDividend { t, amount })
        })
        .collect()
}

/// One American row.
fn compute_american(
    mode: Mode,
    name: &str,
    line: usize,
    am: &AmericanInputs,
    last: f64,
) -> Result<Vec<String>, Error> {
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    match mode {
        Mode::Price => {
            if let Some(msg) = implausible_fraction("vol", last, MAX_VOL) {
                return Err(Error::record(name, line, "vol", msg));
            }
            let row_err = |e: Error| Error::record(name, line, "row", e.to_string());
            let g = american::american_greeks(am, last).map_err(row_err)?;
            let r = american::early_exercise(am, last).map_err(row_err)?;
            let values = [
                g.price,
                g.delta,
                g.gamma,
                g.vega,
                g.theta,
                g.rho,
                r.european_price,
                r.early_exercise_premium,
            ];
            if values.iter().any(|x| !x.is_finite()) {
                return Err(Error::record(
                    name,
                    line,
                    "row",
                    "the American price or a greek is not a finite number for these inputs",
                ));
            }
            let mut out: Vec<String> = values.iter().map(|x| x.to_string()).collect();
            out.push(opt(r.critical_spot));
            out.push(opt(r.p_early_exercise));
            Ok(out)
        }
        Mode::Iv => Ok(match american::implied_vol_american(am, last) {
            Ok(vol) => vec![vol.to_string(), String::new()],
            Err(e) => vec![String::new(), e.to_string()],
        }),
    }
}
