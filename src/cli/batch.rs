//! CSV batch mode for `price` and `iv`: the interface other tools rely on.
//!
//! * `price --batch FILE` reads `kind,spot,strike,t_years,rate,div_yield,vol` and writes the
//!   input columns followed by `price,delta,gamma,vega,theta,rho` in library units (vega per
//!   1.00 of vol, theta per year, rho per 1.00 of rate).
//! * `iv --batch FILE` reads `kind,spot,strike,t_years,rate,div_yield,price` and writes the
//!   input columns followed by `implied_vol,error`: `implied_vol` empty and `error` filled
//!   when no volatility produces the price.
//!
//! Columns may come in any order (header names are matched case-insensitively, surrounding
//! spaces ignored); unknown extra columns are carried through verbatim. Numbers are written
//! with Rust's shortest round-trip formatting, so parsing them back gives the same `f64`.
//! A malformed row stops the run with an error naming its line, unless `--keep-going`, which
//! writes the error in an `error` column for that row and goes on.

use std::fs::File;
use std::io::{self, Read, Write};

use anyhow::Context;

use ccplan::fsutil::{CappedReader, BATCH_LIMIT};
use ccplan::model::Right;

use super::args::{implausible_fraction, MAX_VOL};
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
                vec!["price", "delta", "gamma", "vega", "theta", "rho", "error"]
            }
            Mode::Price => vec!["price", "delta", "gamma", "vega", "theta", "rho"],
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
}

fn find_columns(mode: Mode, name: &str, header: &csv::StringRecord) -> anyhow::Result<Columns> {
    let wanted: Vec<&str> = COMMON.iter().copied().chain([mode.last_input()]).collect();
    let mut idx = [0usize; 7];
    for (slot, want) in idx.iter_mut().zip(&wanted) {
        *slot = header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(want))
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
    Ok(Columns { idx })
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
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io).into(),
        other => anyhow::anyhow!("writing CSV: {other:?}"),
    }
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
    let v: f64 = t
        .parse()
        .map_err(|_| Error::record(name, line, field, format!("{t:?} is not a number")))?;
    if !v.is_finite() {
        return Err(Error::record(
            name,
            line,
            field,
            format!("{t:?} is not finite"),
        ));
    }
    Ok(v)
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
            Ok(values.iter().map(|x| x.to_string()).collect())
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
