//! A tiny job pool over `std::thread::scope`: jobs are taken in a given order (longest first
//! balances two threads well) and their results returned in the jobs' own order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `f(i, &jobs[i])` for every job on `threads` threads, taking jobs in `order`.
pub fn run<J: Sync, R: Send>(jobs: &[J], order: &[usize], threads: usize, f: impl Fn(usize, &J) -> R + Sync) -> Vec<R> {
    assert_eq!(order.len(), jobs.len());
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= order.len() {
                        break;
                    }
                    let i = order[k];
                    let r = f(i, &jobs[i]);
                    out.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    out.into_inner().unwrap().into_iter().map(|r| r.expect("every job ran")).collect()
}

/// Job indices sorted by decreasing `cost`.
pub fn longest_first(costs: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..costs.len()).collect();
    idx.sort_by(|&a, &b| costs[b].partial_cmp(&costs[a]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
    idx
}
