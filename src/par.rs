//! Work shared by two threads where there is enough of it: the pure core's one use of
//! parallelism. A whole chain's analytics (thousands of IV solves and greeks, one job per
//! expiry and side) are taken job by job by the calling thread and a helper, and the reading
//! of a large chain document is cut in two at a row start; either way the answers are joined
//! in order, so the result is the same, value for value, as one thread's. Work below
//! [`MIN_SPLIT_WEIGHT`] or on a machine with one core runs on the calling thread alone.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The smallest amount of work (in the caller's units: quotes analysed, rows read) worth a
/// second thread: starting one costs some tens of microseconds, a quote's analytics about one.
pub(crate) const MIN_SPLIT_WEIGHT: usize = 512;

/// Whether this machine has a second core to give the work to (asked once per process).
pub(crate) fn has_second_core() -> bool {
    static CORES: OnceLock<bool> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

/// `f` of each item, in order. Where the items' total `weight` is at least `min_weight` and
/// there is a second core, this thread and a helper take the items one at a time, in order,
/// until none is left, so the thread that is faster (the helper starts late, on a cold
/// core, its memory fresh) does more of them; the answers are put back in the items' order.
pub(crate) fn map_in_order<T, R>(
    items: &[T],
    min_weight: usize,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let total: usize = items.iter().map(weight).sum();
    if items.len() < 2 || total < min_weight || !has_second_core() {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let take_turns = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let (mut out, theirs) = both(take_turns, take_turns);
    out.extend(theirs);
    out.sort_unstable_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// `here()` on this thread and `there()` on a helper thread at the same time, both answers
/// returned. The helper is placed on another core where the process may use one (see
/// [`Placement`]); where no thread can be started, `there()` runs here after `here()`. A
/// panic in either is passed on.
pub(crate) fn both<A, B>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    let place = Placement::here();
    // The helper takes `there` from the slot; if it never starts, this thread does.
    let slot = Mutex::new(Some(there));
    let take = || slot.lock().ok().and_then(|mut s| s.take());
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new().spawn_scoped(s, || {
            place.move_away();
            take().map(|there| there())
        });
        // Let the new thread run at once, so that it moves itself to the other core.
        std::thread::yield_now();
        let a = here();
        let b = match helper {
            Ok(h) => match h.join() {
                Ok(b) => b,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        };
        match b.or_else(|| take().map(|there| there())) {
            Some(b) => (a, b),
            // Unreachable: `there` is taken once, by the helper or here, and run.
            None => unreachable!("the helper's work was neither run nor left to this thread"),
        }
    })
}

/// Where the calling thread runs, so that a helper can run elsewhere.
///
/// Linux starts a new thread on its parent's core and, on a virtual machine seen here, moved
/// it to the idle one only after some milliseconds: a split of a few milliseconds of work then
/// ran both halves on one core, one after the other, and gained nothing (two 2 ms halves took
/// 3.9 ms). A helper that pins itself to another core the process may use runs beside its
/// parent at once (2.35 ms). Only the helper, which ends with its half of the work, is pinned;
/// the calling thread's own affinity is never changed.
#[derive(Clone, Copy)]
struct Placement {
    #[cfg(target_os = "linux")]
    elsewhere: Option<libc::cpu_set_t>,
}

impl Placement {
    /// The cores this thread may use, less the one it is on now (none where that cannot be
    /// read or leaves no other core).
    fn here() -> Placement {
        #[cfg(target_os = "linux")]
        {
            Placement {
                elsewhere: linux::other_cores(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        Placement {}
    }

    /// Pin the calling (helper) thread to the other cores, where there are any.
    fn move_away(self) {
        #[cfg(target_os = "linux")]
        if let Some(set) = self.elsewhere {
            linux::pin_current(&set);
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::mem::{size_of, MaybeUninit};

    /// The calling thread's allowed cores without the one it runs on, if that leaves any.
    pub(super) fn other_cores() -> Option<libc::cpu_set_t> {
        let mut set = MaybeUninit::<libc::cpu_set_t>::zeroed();
        // SAFETY: `set` is a writable, zero-initialised `cpu_set_t` of the size passed (an
        // all-zero bit array is a valid value); the call only fills it in.
        let got =
            unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), set.as_mut_ptr()) };
        if got != 0 {
            return None;
        }
        // SAFETY: zero-initialised, then filled by a successful call: a valid bit array.
        let mut set = unsafe { set.assume_init() };
        // SAFETY: `sched_getcpu` takes no arguments and only reads the current core.
        let here = unsafe { libc::sched_getcpu() };
        let here = usize::try_from(here).ok()?;
        if here >= libc::CPU_SETSIZE as usize {
            return None;
        }
        // SAFETY: `here` is below `CPU_SETSIZE`, the number of bits in a `cpu_set_t`.
        unsafe { libc::CPU_CLR(here, &mut set) };
        // SAFETY: reads the bit array only.
        let others = unsafe { libc::CPU_COUNT(&set) };
        (others > 0).then_some(set)
    }

    /// Pin the calling thread to `set`. A failure leaves the thread where the kernel put it,
    /// which is only slower.
    pub(super) fn pin_current(set: &libc::cpu_set_t) {
        // SAFETY: `set` is a valid `cpu_set_t` of the size passed; pid 0 is the calling thread.
        let _ = unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), set) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_map_keeps_order_and_values() {
        let items: Vec<u64> = (0..1000).collect();
        let once: Vec<u64> = items.iter().map(|x| x * x + 1).collect();
        for min in [0, 1, 999, 1000, 1001, usize::MAX] {
            assert_eq!(
                map_in_order(&items, min, |_| 1, |x| x * x + 1),
                once,
                "min {min}"
            );
        }
        let uneven = map_in_order(&items, 0, |x| *x as usize, |x| x * x + 1);
        assert_eq!(uneven, once);
        assert_eq!(map_in_order(&[7u64], 0, |_| 1, |x| x + 1), vec![8]);
        assert!(map_in_order(&[] as &[u64], 0, |_| 1, |x| x + 1).is_empty());
    }

    #[test]
    fn both_gives_both_answers_and_passes_a_panic_on() {
        let (a, b) = both(|| 6 * 7, || "forty-two".to_string());
        assert_eq!((a, b.as_str()), (42, "forty-two"));
        let here = std::panic::catch_unwind(|| both(|| -> u8 { panic!("here") }, || 1));
        assert_eq!(
            here.err()
                .and_then(|p| p.downcast::<&str>().ok())
                .as_deref(),
            Some(&"here")
        );
        let there = std::panic::catch_unwind(|| both(|| 1, || -> u8 { panic!("there") }));
        assert_eq!(
            there
                .err()
                .and_then(|p| p.downcast::<&str>().ok())
                .as_deref(),
            Some(&"there")
        );
    }
}
