//! Log streams for the logs view and `opsdeck logs`, whatever runs the
//! containers: the last lines of one or more of them merged by time, then
//! (when following) new lines as they come. Docker and Kubernetes each supply
//! a `LogFeed` (how to read a history and how to follow); the stitching is here.
//!
//! The history is read without following and sorted across containers; the
//! follow requests then start from the last second seen and drop every line
//! not newer than the last one already shown, so nothing is lost or repeated
//! in between. While following, containers interleave in arrival order.

use crate::model::LogLine;
use futures::stream::BoxStream;
use futures::StreamExt;
use std::future::Future;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogRequest {
    /// Lines of history per container; None for all of it.
    pub tail: Option<u64>,
    pub follow: bool,
    /// The container instance before the last restart (Kubernetes keeps one;
    /// Docker keeps none, so its feed refuses this).
    pub previous: bool,
}

/// Where a follow request starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// From this unix second: the history's last line was in it.
    Since(i64),
    /// From the container's first line: its history was empty.
    Start,
    /// From now: no history was wanted.
    Now,
}

/// How one orchestrator reads a container's output.
pub trait LogFeed: Send + Sync + 'static {
    type Source: Send + Sync + 'static;
    /// The last `tail` lines (all with None), oldest first.
    fn history(
        &self,
        src: &Self::Source,
        tail: Option<u64>,
        previous: bool,
    ) -> impl Future<Output = Result<Vec<LogLine>, String>> + Send;
    /// New lines in batches, until the container stops or the stream is dropped.
    fn follow(
        &self,
        src: &Self::Source,
        from: Resume,
    ) -> BoxStream<'static, Result<Vec<LogLine>, String>>;
}

/// Lines as they arrive; dropping it stops every request behind it.
pub struct LogStream {
    rx: mpsc::Receiver<Result<LogLine, String>>,
    task: JoinHandle<()>,
}

impl LogStream {
    /// The next line, an error (after which the stream ends), or None at the end.
    pub async fn next(&mut self) -> Option<Result<LogLine, String>> {
        self.rx.recv().await
    }
}

impl Drop for LogStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Splits timestamped output into lines: each starts with an RFC 3339 time,
/// then a space. A line without one (a long line the engine split) takes the
/// time of the line before it.
pub fn parse_lines(instance: &str, stderr: bool, text: &[u8], last_nanos: i64) -> Vec<LogLine> {
    let text = String::from_utf8_lossy(text);
    let mut at = last_nanos;
    let mut out = Vec::new();
    for raw in text.split_terminator('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (stamp, rest) = raw.split_once(' ').unwrap_or((raw, ""));
        let text = match crate::base::time::unix_nanos(stamp) {
            Some(n) => {
                at = n;
                rest
            }
            None => raw,
        };
        out.push(LogLine {
            at_nanos: at,
            instance: instance.to_string(),
            stderr,
            text: text.to_string(),
        });
    }
    out
}

/// Sorted by time; lines with the same time keep their container's order.
pub fn merge_by_time(per_container: Vec<Vec<LogLine>>) -> Vec<LogLine> {
    let mut all: Vec<LogLine> = per_container.into_iter().flatten().collect();
    all.sort_by_key(|l| l.at_nanos);
    all
}

pub fn stream<F: LogFeed>(feed: F, sources: Vec<F::Source>, req: LogRequest) -> LogStream {
    let (tx, rx) = mpsc::channel(1024);
    let task = tokio::spawn(async move {
        if let Err(e) = run(feed, sources, req, &tx).await {
            let _ = tx.send(Err(e)).await;
        }
    });
    LogStream { rx, task }
}

async fn run<F: LogFeed>(
    feed: F,
    sources: Vec<F::Source>,
    req: LogRequest,
    tx: &mpsc::Sender<Result<LogLine, String>>,
) -> Result<(), String> {
    // A previous instance has ended: there is nothing to follow.
    let follow = req.follow && !req.previous;
    // With no history wanted, following from now needs no stitching.
    let stitch = !(follow && req.tail == Some(0));
    let mut last_seen = vec![None; sources.len()];
    if stitch {
        let mut per_container = Vec::with_capacity(sources.len());
        for (i, src) in sources.iter().enumerate() {
            let lines = feed.history(src, req.tail, req.previous).await?;
            last_seen[i] = lines.last().map(|l| l.at_nanos);
            per_container.push(lines);
        }
        for line in merge_by_time(per_container) {
            if tx.send(Ok(line)).await.is_err() {
                return Ok(());
            }
        }
    }
    if !follow {
        return Ok(());
    }
    let mut followers = futures::stream::SelectAll::new();
    for (src, last) in sources.iter().zip(last_seen) {
        // No history line means the container has none (or none was asked for).
        let from = match (stitch, last) {
            (true, Some(n)) => Resume::Since(n.div_euclid(1_000_000_000)),
            (true, None) => Resume::Start,
            (false, _) => Resume::Now,
        };
        let floor = last.unwrap_or(i64::MIN);
        followers.push(feed.follow(src, from).map(move |batch| {
            batch.map(|lines| {
                lines
                    .into_iter()
                    .filter(|l| l.at_nanos > floor)
                    .collect::<Vec<_>>()
            })
        }));
    }
    while let Some(batch) = followers.next().await {
        for line in batch? {
            if tx.send(Ok(line)).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_splits_into_timestamped_lines() {
        let frame = b"2026-11-23T16:26:33.690899614Z listening on 0.0.0.0:8080\n\
                      2026-11-23T16:26:34.000000001Z second\n";
        let lines = parse_lines("api_1", false, frame, 0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].at_nanos, 1_795_451_193_690_899_614);
        assert_eq!(lines[0].text, "listening on 0.0.0.0:8080");
        assert_eq!(lines[1].text, "second");
        assert!(!lines[0].stderr);
        // A continuation without a stamp keeps the time before it.
        let cont = parse_lines("api_1", true, b"rest of a long line\n", 42);
        assert_eq!((cont[0].at_nanos, cont[0].stderr), (42, true));
        assert_eq!(cont[0].text, "rest of a long line");
    }

    #[test]
    fn history_merges_by_time_across_containers() {
        let l = |at: i64, who: &str| LogLine {
            at_nanos: at,
            instance: who.into(),
            stderr: false,
            text: format!("{who}@{at}"),
        };
        let merged = merge_by_time(vec![
            vec![l(1, "a"), l(5, "a")],
            vec![l(2, "b"), l(5, "b"), l(9, "b")],
        ]);
        let order: Vec<String> = merged.into_iter().map(|l| l.text).collect();
        assert_eq!(order, vec!["a@1", "b@2", "a@5", "b@5", "b@9"]);
    }
}
