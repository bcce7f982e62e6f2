//! Option contracts and OCC/OSI symbols.
//!
//! The OCC Options Symbology Initiative symbol is `ROOT YYMMDD C|P STRIKE×1000 (8 digits)`.
//! Three spellings are in use and all parse here:
//!
//! * compact, as CBOE, Yahoo and Tradier print it: `NVDA261218C00200000`;
//! * the padded 21-character OSI form, root left-justified in six characters:
//!   `NVDA  261218C00200000`;
//! * Polygon/Massive's `O:` prefix: `O:NVDA261218C00200000`.
//!
//! Roots may contain digits (adjusted contracts such as `NVDA1`) and weekly index roots such
//! as `SPXW`, so the symbol is parsed from the right: the last 15 characters are fixed width.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Right {
    /// The right to buy.
    Call,
    /// The right to sell.
    Put,
}

impl Right {
    /// `C` or `P`, as in an OCC symbol.
    pub fn letter(self) -> char {
        match self {
            Right::Call => 'C',
            Right::Put => 'P',
        }
    }
    /// +1 for a call, −1 for a put (the θ in Black's formula).
    pub fn sign(self) -> f64 {
        match self {
            Right::Call => 1.0,
            Right::Put => -1.0,
        }
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Right::Call => "call",
            Right::Put => "put",
        })
    }
}

impl FromStr for Right {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "call" | "c" | "calls" => Ok(Right::Call),
            "put" | "p" | "puts" => Ok(Right::Put),
            _ => Err(Error::invalid(
                "option right",
                format!("{s:?}"),
                "call or put",
            )),
        }
    }
}

/// One listed option contract: what it is, not what it trades at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionContract {
    /// OCC root symbol (e.g. `NVDA`, `NVDA1`, `SPXW`), upper case, 1 to 6 characters.
    pub root: String,
    /// Expiration date (the last trading day; expiry instant is 16:00 New York that day).
    pub expiry: NaiveDate,
    /// Strike in USD per share, a multiple of 0.001.
    pub strike: f64,
    /// Call or put.
    pub right: Right,
}

/// Largest strike an OCC symbol can carry: 8 digits of strike × 1000.
const MAX_OCC_STRIKE_MILLIS: u64 = 99_999_999;

impl OptionContract {
    /// A contract, checking the root and the strike.
    pub fn new(root: &str, expiry: NaiveDate, strike: f64, right: Right) -> Result<Self> {
        let root = root.trim().to_ascii_uppercase();
        validate_root(&root, &root)?;
        if !(strike.is_finite() && strike > 0.0) {
            return Err(Error::invalid("strike", strike, "a positive finite number"));
        }
        let millis = (strike * 1000.0).round();
        if millis > MAX_OCC_STRIKE_MILLIS as f64 {
            return Err(Error::invalid("strike", strike, "at most 99999.999"));
        }
        Ok(OptionContract {
            root,
            expiry,
            strike: millis / 1000.0,
            right,
        })
    }

    /// Parse any of the OCC spellings: compact, padded 21-character OSI, or `O:`-prefixed.
    pub fn parse_occ(symbol: &str) -> Result<Self> {
        let bad = |reason: &str| Error::BadSymbol {
            symbol: symbol.to_string(),
            reason: reason.to_string(),
        };
        let s = symbol.trim();
        let s = s.strip_prefix("O:").unwrap_or(s);
        if !s.is_ascii() {
            return Err(bad("non-ASCII characters"));
        }
        if s.len() < 16 {
            return Err(bad(
                "too short: expected ROOT + YYMMDD + C/P + 8-digit strike×1000",
            ));
        }
        let (root_part, tail) = s.split_at(s.len() - 15);
        let (date_part, rest) = tail.split_at(6);
        let (right_part, strike_part) = rest.split_at(1);
        let root = root_part.trim_end();
        if root.is_empty() {
            return Err(bad("missing root symbol"));
        }
        validate_root(root, symbol)?;
        if !date_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("expiry {date_part:?} is not YYMMDD")));
        }
        let yy: i32 = parse_digits(&date_part[0..2]);
        let mm: u32 = parse_digits(&date_part[2..4]) as u32;
        let dd: u32 = parse_digits(&date_part[4..6]) as u32;
        let expiry = NaiveDate::from_ymd_opt(2000 + yy, mm, dd)
            .ok_or_else(|| bad(&format!("expiry {date_part:?} is not a calendar date")))?;
        let right = match right_part {
            "C" | "c" => Right::Call,
            "P" | "p" => Right::Put,
            other => return Err(bad(&format!("right {other:?} is neither C nor P"))),
        };
        if !strike_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("strike {strike_part:?} is not 8 digits")));
        }
        let millis = parse_digits(strike_part) as f64;
        if millis <= 0.0 {
            return Err(bad("strike is zero"));
        }
        // Roots come in capitals almost always: copied, not mapped a byte at a time.
        let root = if root.bytes().any(|b| b.is_ascii_lowercase()) {
            root.to_ascii_uppercase()
        } else {
            root.to_owned()
        };
        Ok(OptionContract {
            root,
            expiry,
            strike: millis / 1000.0,
            right,
        })
    }

    /// Strike × 1000 as an integer, as the OCC symbol carries it.
    pub fn strike_millis(&self) -> u64 {
        (self.strike * 1000.0).round() as u64
    }

    fn tail(&self) -> String {
        format!(
            "{:02}{:02}{:02}{}{:08}",
            self.expiry.year().rem_euclid(100),
            self.expiry.month(),
            self.expiry.day(),
            self.right.letter(),
            self.strike_millis()
        )
    }

    /// Compact OCC symbol, e.g. `NVDA261218C00200000`.
    pub fn occ(&self) -> String {
        format!("{}{}", self.root, self.tail())
    }

    /// Padded 21-character OSI symbol, e.g. `NVDA  261218C00200000`.
    pub fn osi(&self) -> String {
        format!("{:<6}{}", self.root, self.tail())
    }

    /// Polygon/Massive ticker, e.g. `O:NVDA261218C00200000`.
    pub fn polygon_ticker(&self) -> String {
        format!("O:{}", self.occ())
    }
}

impl fmt::Display for OptionContract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.occ())
    }
}

impl FromStr for OptionContract {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        OptionContract::parse_occ(s)
    }
}

fn parse_digits(s: &str) -> i32 {
    s.bytes().fold(0i32, |acc, b| {
        acc.saturating_mul(10).saturating_add((b - b'0') as i32)
    })
}

fn validate_root(root: &str, symbol: &str) -> Result<()> {
    if root.is_empty() || root.len() > 6 {
        return Err(Error::BadSymbol {
            symbol: symbol.to_string(),
            reason: format!("root {root:?} must be 1 to 6 characters"),
        });
    }
    if !root
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
    {
        return Err(Error::BadSymbol {
            symbol: symbol.to_string(),
            reason: format!("root {root:?} has characters other than letters and digits"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_all_spellings() {
        let want = OptionContract::new("NVDA", d(2026, 12, 18), 200.0, Right::Call).unwrap();
        for s in [
            "NVDA261218C00200000",
            "NVDA  261218C00200000",
            "O:NVDA261218C00200000",
            "nvda261218c00200000",
            "NvDa261218C00200000",
        ] {
            assert_eq!(OptionContract::parse_occ(s).unwrap(), want, "{s}");
        }
        assert_eq!(want.occ(), "NVDA261218C00200000");
        assert_eq!(want.osi(), "NVDA  261218C00200000");
        assert_eq!(want.osi().len(), 21);
        assert_eq!(want.polygon_ticker(), "O:NVDA261218C00200000");
    }

    #[test]
    fn digit_and_index_roots_and_fractional_strikes() {
        let c = OptionContract::parse_occ("NVDA1261218P00012500").unwrap();
        assert_eq!(c.root, "NVDA1");
        assert_eq!(c.strike, 12.5);
        assert_eq!(c.right, Right::Put);
        let c = OptionContract::parse_occ("SPXW  261120C05925000").unwrap();
        assert_eq!(c.root, "SPXW");
        assert_eq!(c.strike, 5925.0);
        let c = OptionContract::parse_occ("AAPL260807C00112500").unwrap();
        assert_eq!(c.strike, 112.5);
    }

    #[test]
    fn rejects_malformed() {
        // Each symbol, and the part of it the reason names.
        for (s, why) in [
            ("", "too short"),
            ("NVDA", "too short"),
            ("261218C00200000", "too short"),
            (
                "NVDA261318C00200000",
                "expiry \"261318\" is not a calendar date",
            ),
            ("NVDA261218X00200000", "right \"X\" is neither C nor P"),
            ("NVDA2612a8C00200000", "expiry \"2612a8\" is not YYMMDD"),
            ("NVDA261218C0020000x", "strike \"0020000x\" is not 8 digits"),
            ("NVDA261218C00000000", "strike is zero"),
            (
                "TOOLONGROOT261218C00200000",
                "root \"TOOLONGROOT\" must be 1 to 6 characters",
            ),
            ("NVDÄ261218C00200000", "non-ASCII"),
        ] {
            let e = OptionContract::parse_occ(s).unwrap_err();
            assert!(
                matches!(&e, Error::BadSymbol { symbol, reason } if symbol == s && reason.contains(why)),
                "{s:?}: {e}"
            );
        }
    }
}
