//! Raw provider payloads (CBOE, Tradier, Yahoo, Polygon JSON) saved to a file.

use crate::error::{Error, Result};
use crate::model::{ChainSnapshot, PriceHistory};

/// What the caller wants from a raw payload.
#[derive(Debug, Clone, Copy)]
pub(super) enum Want {
    Chain,
    History,
}

/// What a raw payload turned out to hold.
pub(super) enum Parsed {
    Chain(ChainSnapshot),
    History(PriceHistory),
}

/// Raw provider payloads (CBOE, Tradier, Yahoo, Polygon JSON) saved to a file.
pub(super) fn parse_raw(body: &str, symbol_hint: &str, name: &str, want: Want) -> Result<Parsed> {
    let hint = Some(symbol_hint).filter(|h| !h.is_empty());
    let parsed = match want {
        Want::Chain => crate::providers::raw::parse_chain_payload(body, hint).map(Parsed::Chain),
        Want::History => {
            crate::providers::raw::parse_history_payload(body, hint).map(Parsed::History)
        }
    };
    parsed.map_err(|e| Error::Payload {
        provider: "file",
        symbol: symbol_hint.to_string(),
        message: format!("{name}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_payload_errors_name_the_file() {
        let err = match parse_raw("{}", "NVDA", "x.json", Want::Chain) {
            Err(e) => e,
            Ok(_) => panic!("an empty object is no provider payload"),
        };
        assert!(err.to_string().contains("x.json"), "{err}");
    }
}
