//! A bounded, ordered parallel pipeline: units run on a local rayon pool, results come back in input order.
//!
//! The calling thread produces units (it may read files to do so), hands
//! them to the pool, and consumes results strictly in sequence order, holding
//! back any that finish early. At most `window` units, and about `budget`
//! bytes of input, are in flight at once, so memory is bounded by the window,
//! not by the corpus, and the output does not depend on the number of threads.

use anyhow::Context as _;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

/// A local rayon pool of `threads` workers (one per core when `None`).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().context("cannot start worker threads")
}

/// How much may be in flight.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Most units in flight.
    pub units: usize,
    /// Most input bytes in flight (one unit is always allowed).
    pub bytes: u64,
}

impl Window {
    /// A window for a pool of `n_threads` workers.
    pub fn for_threads(n_threads: usize) -> Window {
        Window { units: 4 * n_threads.max(1), bytes: 64 << 20 }
    }
}

/// Runs `work` on every unit of `units` (each with its cost in bytes) on
/// `pool`, and `consume` on the results in input order, on this thread.
///
/// # Errors
///
/// The first error of `consume` (units in flight are finished and dropped),
/// or an error when a worker panicked.
pub fn run<U, R, W, C>(
    pool: &rayon::ThreadPool,
    window: Window,
    units: impl Iterator<Item = (U, u64)>,
    work: W,
    mut consume: C,
) -> anyhow::Result<()>
where
    U: Send,
    R: Send,
    W: Fn(U) -> R + Sync,
    C: FnMut(R, u64) -> anyhow::Result<()>,
{
    let (tx, rx) = mpsc::channel::<(usize, Option<R>)>();
    let work = &work;
    pool.in_place_scope(|scope| {
        let mut units = units;
        let mut costs: BTreeMap<usize, u64> = BTreeMap::new();
        let mut ready: BTreeMap<usize, R> = BTreeMap::new();
        let (mut next_seq, mut next_out, mut in_flight) = (0usize, 0usize, 0u64);
        let mut exhausted = false;
        loop {
            while !exhausted
                && next_seq - next_out < window.units
                && (in_flight < window.bytes || next_seq == next_out)
            {
                let Some((unit, cost)) = units.next() else {
                    exhausted = true;
                    break;
                };
                let tx = tx.clone();
                let seq = next_seq;
                scope.spawn(move |_| {
                    let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(unit))).ok();
                    // The receiver only goes away after an error; nothing to tell then.
                    let _ = tx.send((seq, result));
                });
                costs.insert(seq, cost);
                in_flight += cost;
                next_seq += 1;
            }
            if next_out == next_seq {
                return Ok(());
            }
            let (seq, result) = rx.recv().context("worker threads stopped")?;
            let result = result.context("internal error: a worker thread panicked")?;
            ready.insert(seq, result);
            while let Some(result) = ready.remove(&next_out) {
                let cost = costs.remove(&next_out).unwrap_or(0);
                in_flight = in_flight.saturating_sub(cost);
                next_out += 1;
                consume(result, cost)?;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_threads() {
        for threads in [1, 2, 4] {
            let pool = pool(Some(threads)).unwrap();
            let mut seen = Vec::new();
            let units = (0..200u64).map(|n| (n, n % 7));
            run(
                &pool,
                Window { units: 5, bytes: 10 },
                units,
                |n| {
                    // Uneven work, so results finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros((n * 37) % 300));
                    n * 2
                },
                |r, _| {
                    seen.push(r);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(seen, (0..200).map(|n| n * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_consumer_error_stops_the_run() {
        let pool = pool(Some(2)).unwrap();
        let mut n = 0;
        let result = run(
            &pool,
            Window::for_threads(2),
            (0..100).map(|n| (n, 1)),
            |n| n,
            |r, _| {
                n += 1;
                if r == 10 { anyhow::bail!("stop") } else { Ok(()) }
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "stop");
        assert_eq!(n, 11);
    }

    #[test]
    fn a_panicking_worker_is_an_error_not_a_hang() {
        let pool = pool(Some(2)).unwrap();
        let result = run(
            &pool,
            Window::for_threads(2),
            (0..10).map(|n| (n, 1)),
            |n| {
                assert!(n != 3, "boom");
                n
            },
            |_, _| Ok(()),
        );
        assert!(result.unwrap_err().to_string().contains("panicked"));
    }
}
