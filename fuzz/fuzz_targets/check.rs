//! What a successful parse may contain, shared by the targets (as in
//! `tests/hostile_parsers.rs`): a panic here is a finding.
#![allow(dead_code)]

use ccplan::model::{ChainSnapshot, OptionContract, PriceHistory};

pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

pub fn chain(r: ccplan::Result<ChainSnapshot>) {
    let Ok(s) = r else { return };
    let u = &s.underlying;
    assert!(u.last.is_finite() && u.last > 0.0, "spot {u:?}");
    assert!(u.spot().is_finite() && u.spot() > 0.0, "spot {u:?}");
    for q in &s.quotes {
        assert!(q.contract.strike.is_finite() && q.contract.strike > 0.0);
        for p in [q.bid, q.ask, q.last].into_iter().flatten() {
            assert!(p.is_finite() && p > 0.0, "{q:?}");
        }
        if let (Some(b), Some(a)) = (q.bid, q.ask) {
            assert!(b <= a, "crossed {q:?}");
        }
        if let Some(iv) = q.provider_iv {
            assert!(iv.is_finite(), "{q:?}");
        }
        if let Some(g) = q.provider_greeks {
            for x in [g.delta, g.gamma, g.vega, g.theta, g.rho]
                .into_iter()
                .flatten()
            {
                assert!(x.is_finite(), "{q:?}");
            }
        }
    }
}

pub fn history(r: ccplan::Result<PriceHistory>) {
    let Ok(h) = r else { return };
    for w in h.bars.windows(2) {
        assert!(w[0].date < w[1].date);
    }
    for b in &h.bars {
        assert!(b.close.is_finite() && b.close > 0.0, "{b:?}");
        for x in [b.open, b.high, b.low].into_iter().flatten() {
            assert!(x.is_finite() && x > 0.0, "{b:?}");
        }
    }
}

pub fn contract(c: &OptionContract) {
    assert!(c.strike.is_finite() && c.strike > 0.0);
    assert_eq!(&OptionContract::parse_occ(&c.occ()).unwrap(), c);
}
