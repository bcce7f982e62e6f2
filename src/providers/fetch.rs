//! Fetching several symbols at once, with a bound on concurrency and a progress callback.
//!
//! Plain scoped threads pull work from a shared counter, so at most `max_concurrent` requests
//! are in flight and a slow symbol does not hold up the others. Results come back in the
//! order of the input, each with its own `Result`: one failed symbol does not fail the batch.
//!
//! The progress callback is called once with `(0, total)` before any work starts (so a
//! progress bar can learn its length) and then once per finished item with `(done, total)`,
//! from whichever worker thread finished it; `done` increases by one each time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::NaiveDate;

use super::{ChainRequest, ChainSource, HistorySource};
use crate::error::Result;
use crate::model::{ChainSnapshot, PriceHistory};

/// Progress callback: `(done, total)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// A progress callback that does nothing.
pub fn no_progress(_done: usize, _total: usize) {}

/// Run `work` on every item with at most `max_concurrent` threads (at least 1), returning the
/// outputs in input order.
pub fn run_bounded<I, T>(
    items: &[I],
    max_concurrent: usize,
    progress: Progress<'_>,
    work: &(dyn Fn(&I) -> T + Sync),
) -> Vec<T>
where
    I: Sync,
    T: Send,
{
    let total = items.len();
    progress(0, total);
    if total == 0 {
        return Vec::new();
    }
    let workers = max_concurrent.clamp(1, total);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<T>>> = Mutex::new((0..total).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let out = work(item);
                {
                    let mut s = slots.lock().unwrap_or_else(|p| p.into_inner());
                    s[i] = Some(out);
                }
                let d = done.fetch_add(1, Ordering::SeqCst) + 1;
                progress(d, total);
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Fetch one chain per request, at most `max_concurrent` at a time; results in input order.
pub fn fetch_chains(
    source: &(dyn ChainSource + Sync),
    requests: &[ChainRequest],
    max_concurrent: usize,
    progress: Progress<'_>,
) -> Vec<Result<ChainSnapshot>> {
    run_bounded(requests, max_concurrent, progress, &|r: &ChainRequest| {
        source.chain(r)
    })
}

/// Fetch daily history for each symbol over `from..=to`, at most `max_concurrent` at a time;
/// results in input order.
pub fn fetch_histories(
    source: &(dyn HistorySource + Sync),
    symbols: &[String],
    from: NaiveDate,
    to: NaiveDate,
    max_concurrent: usize,
    progress: Progress<'_>,
) -> Vec<Result<PriceHistory>> {
    run_bounded(symbols, max_concurrent, progress, &|s: &String| {
        source.history(s, from, to)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bounded_ordered_and_reports_progress() {
        let items: Vec<u64> = (0..12).collect();
        let in_flight = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let calls = Mutex::new(Vec::new());
        let progress = |d: usize, t: usize| calls.lock().unwrap().push((d, t));
        let out = run_bounded(&items, 3, &progress, &|x: &u64| {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            // Later items finish first, to check the ordering.
            std::thread::sleep(Duration::from_millis(20 - x));
            in_flight.fetch_sub(1, Ordering::SeqCst);
            x * 10
        });
        assert_eq!(out, (0..12).map(|x| x * 10).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert!(peak.load(Ordering::SeqCst) >= 2);
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.len(), 13);
        assert_eq!(calls[0], (0, 12));
        let mut dones: Vec<usize> = calls.iter().map(|c| c.0).collect();
        dones.sort_unstable();
        assert_eq!(dones, (0..=12).collect::<Vec<_>>());
    }

    #[test]
    fn empty_and_zero_bound() {
        let out: Vec<u8> = run_bounded(&[] as &[u8], 0, &no_progress, &|x: &u8| *x);
        assert!(out.is_empty());
        let out = run_bounded(&[1u8, 2], 0, &no_progress, &|x: &u8| *x + 1);
        assert_eq!(out, vec![2, 3]);
    }
}
