//! The burn fault: OS threads that keep a core busy, so container stats
//! and CPU alerts have something real to measure.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Work between two looks at the stop flag: small enough that a thread
/// stops within about a millisecond.
const ROUNDS_PER_CHUNK: u64 = 100_000;

#[derive(Debug)]
struct Worker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

/// Owns the burning threads; dropping it stops and joins them.
#[derive(Debug, Default)]
pub struct Burner {
    workers: Mutex<Vec<Worker>>,
    /// Chunks finished by all workers, so tests can see work being done.
    chunks: Arc<AtomicU64>,
}

impl Burner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Grows or shrinks the pool to `threads`. Threads told to stop finish
    /// their current chunk on their own; nobody waits for them here because
    /// this runs on request handlers.
    pub fn set(&self, threads: usize) {
        let mut workers = self.lock();
        while workers.len() > threads {
            if let Some(worker) = workers.pop() {
                worker.stop.store(true, Ordering::Relaxed);
            }
        }
        while workers.len() < threads {
            let index = workers.len();
            workers.push(self.spawn(index));
        }
    }

    pub fn running(&self) -> usize {
        self.lock().len()
    }

    #[cfg(test)]
    pub fn chunks(&self) -> u64 {
        self.chunks.load(Ordering::Relaxed)
    }

    fn spawn(&self, index: usize) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let chunks = Arc::clone(&self.chunks);
        let handle = std::thread::Builder::new()
            .name(format!("demo-burn-{index}"))
            .spawn(move || {
                let mut state = index as u64 + 1;
                while !flag.load(Ordering::Relaxed) {
                    state = burn_chunk(state);
                    chunks.fetch_add(1, Ordering::Relaxed);
                }
                std::hint::black_box(state);
            })
            .expect("spawning a burn thread");
        Worker { stop, handle }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Worker>> {
        self.workers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Burner {
    fn drop(&mut self) {
        let workers = std::mem::take(&mut *self.lock());
        for worker in &workers {
            worker.stop.store(true, Ordering::Relaxed);
        }
        for worker in workers {
            let _ = worker.handle.join();
        }
    }
}

/// A dependent chain of multiplies the optimiser cannot fold away.
fn burn_chunk(mut state: u64) -> u64 {
    for _ in 0..ROUNDS_PER_CHUNK {
        state = std::hint::black_box(
            state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407),
        );
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    #[test]
    fn threads_do_work_until_stopped() {
        let burner = Burner::new();
        assert_eq!(burner.chunks(), 0);
        burner.set(1);
        assert_eq!(burner.running(), 1);
        assert!(wait_for(|| burner.chunks() > 3));
        burner.set(0);
        assert_eq!(burner.running(), 0);
        // A stopped thread may finish one more chunk, then the count settles.
        std::thread::sleep(Duration::from_millis(50));
        let settled = burner.chunks();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(burner.chunks(), settled);
    }

    #[test]
    fn pool_grows_and_shrinks() {
        let burner = Burner::new();
        burner.set(3);
        assert_eq!(burner.running(), 3);
        burner.set(1);
        assert_eq!(burner.running(), 1);
        burner.set(2);
        assert_eq!(burner.running(), 2);
    }

    #[test]
    fn drop_joins_threads() {
        let burner = Burner::new();
        burner.set(2);
        let chunks = Arc::clone(&burner.chunks);
        drop(burner);
        let after = chunks.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(chunks.load(Ordering::Relaxed), after);
    }

    #[test]
    fn chunk_is_deterministic() {
        assert_eq!(burn_chunk(1), burn_chunk(1));
        assert_ne!(burn_chunk(1), burn_chunk(2));
    }
}
