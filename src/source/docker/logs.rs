//! Container output for the logs view and `opsdeck logs`: the last lines of
//! one or more containers merged by time, then (when following) new lines as
//! they come.
//!
//! The history is read without following and sorted across containers; the
//! follow requests then start from the last second seen and drop every line
//! not newer than the last one already shown, so nothing is lost or repeated
//! in between. While following, containers interleave in arrival order.

use super::convert::unix_nanos;
use crate::model::LogLine;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use bollard::Docker;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A container whose output is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogRequest {
    /// Lines of history per container; None for all of it.
    pub tail: Option<u64>,
    pub follow: bool,
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

/// Splits one frame of output (`timestamps=true`) into lines: each starts with
/// the engine's RFC 3339 time, then a space. A line without one (a long line
/// the engine split) takes the time of the line before it.
pub fn parse_frame(instance: &str, stderr: bool, frame: &[u8], last_nanos: i64) -> Vec<LogLine> {
    let text = String::from_utf8_lossy(frame);
    let mut at = last_nanos;
    let mut out = Vec::new();
    for raw in text.split_terminator('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (stamp, rest) = raw.split_once(' ').unwrap_or((raw, ""));
        let text = match unix_nanos(stamp) {
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

fn lines_of(name: &str, output: &LogOutput, last_nanos: i64) -> Vec<LogLine> {
    match output {
        LogOutput::StdErr { message } => parse_frame(name, true, message, last_nanos),
        LogOutput::StdOut { message } | LogOutput::Console { message } => {
            parse_frame(name, false, message, last_nanos)
        }
        LogOutput::StdIn { .. } => Vec::new(),
    }
}

fn options(follow: bool, since_secs: i64, tail: Option<u64>) -> LogsOptions {
    LogsOptions {
        follow,
        stdout: true,
        stderr: true,
        since: i32::try_from(since_secs).unwrap_or(0),
        until: 0,
        timestamps: true,
        tail: tail.map_or_else(|| "all".to_string(), |n| n.to_string()),
    }
}

/// The last `tail` lines of one container.
async fn history(
    docker: &Docker,
    src: &LogSource,
    tail: Option<u64>,
) -> Result<Vec<LogLine>, String> {
    let mut stream = docker.logs(&src.id, Some(options(false, 0, tail)));
    let mut lines = Vec::new();
    while let Some(item) = stream.next().await {
        let output = item.map_err(|e| format!("logs of {}: {e}", src.name))?;
        let last = lines.last().map_or(0, |l: &LogLine| l.at_nanos);
        lines.extend(lines_of(&src.name, &output, last));
    }
    Ok(lines)
}

/// Sorted by time; lines with the same time keep their container's order.
pub fn merge_by_time(per_container: Vec<Vec<LogLine>>) -> Vec<LogLine> {
    let mut all: Vec<LogLine> = per_container.into_iter().flatten().collect();
    all.sort_by_key(|l| l.at_nanos);
    all
}

pub fn stream(docker: Docker, sources: Vec<LogSource>, req: LogRequest) -> LogStream {
    let (tx, rx) = mpsc::channel(1024);
    let task = tokio::spawn(async move {
        if let Err(e) = run(docker, sources, req, &tx).await {
            let _ = tx.send(Err(e)).await;
        }
    });
    LogStream { rx, task }
}

async fn run(
    docker: Docker,
    sources: Vec<LogSource>,
    req: LogRequest,
    tx: &mpsc::Sender<Result<LogLine, String>>,
) -> Result<(), String> {
    // With no history wanted, following from now needs no stitching.
    let stitch = !(req.follow && req.tail == Some(0));
    let mut last_seen = vec![None; sources.len()];
    if stitch {
        let mut per_container = Vec::with_capacity(sources.len());
        for (i, src) in sources.iter().enumerate() {
            let lines = history(&docker, src, req.tail).await?;
            last_seen[i] = lines.last().map(|l| l.at_nanos);
            per_container.push(lines);
        }
        for line in merge_by_time(per_container) {
            if tx.send(Ok(line)).await.is_err() {
                return Ok(());
            }
        }
    }
    if !req.follow {
        return Ok(());
    }
    let mut followers = futures::stream::SelectAll::new();
    for (src, last) in sources.into_iter().zip(last_seen) {
        // No history line means the container has none (or none was asked for).
        let (since, tail) = match (stitch, last) {
            (true, Some(n)) => (n.div_euclid(1_000_000_000), None),
            (true, None) => (0, None),
            (false, _) => (0, Some(0)),
        };
        let name = src.name.clone();
        let floor = last.unwrap_or(i64::MIN);
        let mut at = 0;
        followers.push(
            docker
                .logs(&src.id, Some(options(true, since, tail)))
                .map(move |item| match item {
                    Ok(output) => {
                        let lines = lines_of(&name, &output, at);
                        if let Some(l) = lines.last() {
                            at = l.at_nanos;
                        }
                        Ok(lines
                            .into_iter()
                            .filter(|l| l.at_nanos > floor)
                            .collect::<Vec<_>>())
                    }
                    Err(e) => Err(format!("logs of {name}: {e}")),
                })
                .boxed(),
        );
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
    fn frames_split_into_timestamped_lines() {
        let frame = b"2026-11-23T16:26:33.690899614Z listening on 0.0.0.0:8080\n\
                      2026-11-23T16:26:34.000000001Z second\n";
        let lines = parse_frame("api_1", false, frame, 0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].at_nanos, 1_795_451_193_690_899_614);
        assert_eq!(lines[0].text, "listening on 0.0.0.0:8080");
        assert_eq!(lines[1].text, "second");
        assert!(!lines[0].stderr);
        // A continuation without a stamp keeps the time before it.
        let cont = parse_frame("api_1", true, b"rest of a long line\n", 42);
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
