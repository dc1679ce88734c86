//! Container output from the Docker engine, as a `LogFeed`: the engine's
//! timestamped stdout and stderr frames, read as a history or followed.

use crate::model::LogLine;
use crate::source::logs::{self as shared, LogFeed, LogRequest, LogStream, Resume};
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use bollard::Docker;
use futures::stream::BoxStream;
use futures::StreamExt;

/// A container whose output is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub id: String,
    pub name: String,
}

fn lines_of(name: &str, output: &LogOutput, last_nanos: i64) -> Vec<LogLine> {
    match output {
        LogOutput::StdErr { message } => shared::parse_lines(name, true, message, last_nanos),
        LogOutput::StdOut { message } | LogOutput::Console { message } => {
            shared::parse_lines(name, false, message, last_nanos)
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

struct Engine(Docker);

impl LogFeed for Engine {
    type Source = LogSource;

    async fn history(
        &self,
        src: &LogSource,
        tail: Option<u64>,
        previous: bool,
    ) -> Result<Vec<LogLine>, String> {
        if previous {
            return Err(format!(
                "logs of {}: Docker keeps no output of a container's previous run",
                src.name
            ));
        }
        let mut stream = self.0.logs(&src.id, Some(options(false, 0, tail)));
        let mut lines = Vec::new();
        while let Some(item) = stream.next().await {
            let output = item.map_err(|e| format!("logs of {}: {e}", src.name))?;
            let last = lines.last().map_or(0, |l: &LogLine| l.at_nanos);
            lines.extend(lines_of(&src.name, &output, last));
        }
        Ok(lines)
    }

    fn follow(
        &self,
        src: &LogSource,
        from: Resume,
    ) -> BoxStream<'static, Result<Vec<LogLine>, String>> {
        let (since, tail) = match from {
            Resume::Since(secs) => (secs, None),
            Resume::Start => (0, None),
            Resume::Now => (0, Some(0)),
        };
        let name = src.name.clone();
        let mut at = 0;
        self.0
            .logs(&src.id, Some(options(true, since, tail)))
            .map(move |item| match item {
                Ok(output) => {
                    let lines = lines_of(&name, &output, at);
                    if let Some(l) = lines.last() {
                        at = l.at_nanos;
                    }
                    Ok(lines)
                }
                Err(e) => Err(format!("logs of {name}: {e}")),
            })
            .boxed()
    }
}

pub fn stream(docker: Docker, sources: Vec<LogSource>, req: LogRequest) -> LogStream {
    shared::stream(Engine(docker), sources, req)
}
