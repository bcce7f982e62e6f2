//! Reading a chain file: `--source file:PATH` on a 5,000-contract CBOE `options/{SYM}.json`
//! answer (2.2 MB; the synthetic chain of `support/cboe_chain.rs`).
//!
//! * `file/sniff/5000`: recognizing the format (`detect_format`; a cheap look at the first
//!   keys, not a pass over the document);
//! * `file/cboe_payload/5000`: recognizing and parsing the text into a `ChainSnapshot`
//!   (`raw::parse_chain_payload`: typed rows, OCC symbols, sides, duplicate screen);
//! * `file/source/5000`: the whole `FileSource::chain` (read, recognize, parse, filter).
//!
//! Throughput is in contracts. Recorded 2026-12-06 (issue #17), release profile, on the
//! shared 2-core machine at a load average of 3–5 (wall-clock figures inflated), medians:
//!
//! | benchmark | before (probe passes, untagged rows) | after (sniff, one typed parse) |
//! |---|---|---|
//! | `file/sniff/5000` | 3.40 ms | 1.55 µs |
//! | `file/cboe_payload/5000` | 24.9 ms | 7.5 ms |
//! | `file/source/5000` | 26.8 ms | 8.2 ms |
//!
//! Recorded 2026-12-07 on the same machine, idle, each run after the other: commit 993042c
//! (the row scanner) against the rows read by the layout of the row before:
//!
//! | benchmark | 993042c | row layouts |
//! |---|---|---|
//! | `file/sniff/5000` | 0.91 µs | 0.73 µs |
//! | `file/cboe_payload/5000` | 4.98 ms | 2.83 ms |
//! | `file/source/5000` | 4.99 ms | 3.16 ms |

#[path = "support/cboe_chain.rs"]
mod cboe_chain;

use std::hint::black_box;

use ccplan::providers::file::{detect_format, FileFormat, FileSource};
use ccplan::providers::raw::parse_chain_payload;
use ccplan::providers::{ChainRequest, ChainSource, ExpiryFilter};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let spec = cboe_chain::CboeChainSpec::nvda_5000();
    let text = cboe_chain::cboe_chain_json(&spec);
    let n = spec.len() as u64;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("nvda.json");
    std::fs::write(&path, &text).expect("the chain file written");
    let source = FileSource::new(&path);
    let request = ChainRequest {
        symbol: "NVDA".into(),
        expiries: ExpiryFilter::All,
        as_of: spec.as_of.fixed_offset(),
    };
    assert_eq!(detect_format(&text), FileFormat::ProviderJson);
    assert_eq!(
        source.chain(&request).expect("the chain").quotes.len(),
        spec.len()
    );

    let mut g = c.benchmark_group("file");
    g.throughput(Throughput::Elements(n));
    g.bench_function("sniff/5000", |b| b.iter(|| detect_format(black_box(&text))));
    g.bench_function("cboe_payload/5000", |b| {
        b.iter(|| parse_chain_payload(black_box(&text), Some("NVDA")).expect("parsed"))
    });
    g.bench_function("source/5000", |b| {
        b.iter(|| source.chain(black_box(&request)).expect("read"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
