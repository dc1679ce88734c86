//! The one retry loop: polls a source on its interval, reports health changes,
//! and backs off exponentially while the source keeps failing.

use super::{Source, Update};
use crate::base::time::unix_now;
use crate::model::Health;
use std::time::Duration;
use tokio::sync::mpsc;

const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The wait after the `failures`-th failure in a row: doubling from the interval, capped.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(16);
    interval
        .saturating_mul(factor)
        .min(MAX_BACKOFF)
        .max(interval)
}

/// One poll, where taking longer than `timeout` is a failure like any other.
pub async fn poll_once<S: Source>(
    source: &mut S,
    timeout: Duration,
) -> Result<Vec<Update>, String> {
    match tokio::time::timeout(timeout, source.poll()).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no answer within {}",
            humantime::format_duration(timeout)
        )),
    }
}

/// Runs until the receiving side goes away. A poll that takes longer than
/// `timeout` counts as a failure, so a hung endpoint cannot stall the target.
pub async fn supervise<S: Source>(
    mut source: S,
    interval: Duration,
    timeout: Duration,
    tx: mpsc::Sender<Update>,
) {
    let target = source.target().to_string();
    let mut failures = 0u32;
    let mut since = 0i64;
    let mut last_health = Health::Connecting;
    loop {
        let result = poll_once(&mut source, timeout).await;
        let (health, wait, updates) = match result {
            Ok(updates) => {
                failures = 0;
                (Health::Ok, interval, updates)
            }
            Err(reason) => {
                if failures == 0 {
                    since = unix_now();
                }
                failures += 1;
                let retry_in = backoff(interval, failures);
                (
                    Health::Degraded {
                        reason,
                        since,
                        retry_in,
                    },
                    retry_in,
                    Vec::new(),
                )
            }
        };
        if health != last_health {
            last_health = health.clone();
            let update = Update::Health {
                target: target.clone(),
                health,
            };
            if tx.send(update).await.is_err() {
                return;
            }
        }
        for u in updates {
            if tx.send(u).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    struct Flaky {
        calls: Arc<AtomicU32>,
        fail_first: u32,
    }

    impl Source for Flaky {
        fn target(&self) -> &str {
            "flaky"
        }
        async fn poll(&mut self) -> Result<Vec<Update>, String> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.fail_first {
                Err(format!("refused #{n}"))
            } else {
                Ok(vec![])
            }
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let i = Duration::from_secs(2);
        assert_eq!(backoff(i, 1), Duration::from_secs(2));
        assert_eq!(backoff(i, 2), Duration::from_secs(4));
        assert_eq!(backoff(i, 3), Duration::from_secs(8));
        assert_eq!(backoff(i, 30), MAX_BACKOFF);
    }

    #[tokio::test(start_paused = true)]
    async fn degraded_then_recovered_with_one_update_per_change() {
        let calls = Arc::new(AtomicU32::new(0));
        let (tx, mut rx) = mpsc::channel(16);
        let src = Flaky {
            calls: calls.clone(),
            fail_first: 3,
        };
        let task = tokio::spawn(supervise(
            src,
            Duration::from_secs(1),
            Duration::from_secs(5),
            tx,
        ));
        let first = rx.recv().await.unwrap();
        let Update::Health {
            health: Health::Degraded { reason, .. },
            ..
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!(reason, "refused #0");
        // Two more failures change only the reason and retry time, so they are reported too.
        let mut seen = Vec::new();
        loop {
            match rx.recv().await.unwrap() {
                Update::Health {
                    health: Health::Ok, ..
                } => break,
                Update::Health { health, .. } => seen.push(health),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen.len(), 2);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        task.abort();
    }

    struct Hangs;
    impl Source for Hangs {
        fn target(&self) -> &str {
            "hangs"
        }
        async fn poll(&mut self) -> Result<Vec<Update>, String> {
            std::future::pending().await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_poll_is_a_timeout_failure() {
        let (tx, mut rx) = mpsc::channel(4);
        let task = tokio::spawn(supervise(
            Hangs,
            Duration::from_secs(1),
            Duration::from_secs(3),
            tx,
        ));
        match rx.recv().await.unwrap() {
            Update::Health {
                health: Health::Degraded { reason, .. },
                ..
            } => assert!(reason.contains("no answer within 3s")),
            other => panic!("{other:?}"),
        }
        task.abort();
    }
}
