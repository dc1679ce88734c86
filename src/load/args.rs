//! The flags of a load run, shared by `opsdeck load` and the console's
//! `:load URL ...` line, and the run they ask for.

use super::spec::parse_header;
use super::{Endpoint, LoadSpec, Profile, Stop};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileKind {
    Constant,
    Ramp,
    Spike,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LoadFlags {
    /// The http:// or https:// URL to send requests to (TLS is verified); with
    /// --scenario, the origin its paths go to (default: the file's base_url)
    #[arg(required_unless_present = "scenario")]
    pub url: Option<String>,
    /// Connections (HTTP/1.1), or concurrent streams on one connection (--http2)
    #[arg(short = 'c', long = "connections", default_value_t = 50)]
    pub connections: usize,
    /// How long to send (default 10s unless -n is given)
    #[arg(short = 'd', long, value_parser = parse_duration, conflicts_with = "requests")]
    pub duration: Option<Duration>,
    /// How many requests to send
    #[arg(short = 'n', long)]
    pub requests: Option<u64>,
    /// Requests per second, on a schedule (open model; latency counts from each
    /// request's scheduled time). Without it, as fast as the connections allow.
    /// The spike profile's baseline.
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    #[arg(long, value_enum, default_value = "constant")]
    pub profile: ProfileKind,
    /// Ramp: starting rate (default 0)
    #[arg(long, value_name = "R")]
    pub from: Option<f64>,
    /// Ramp: final rate
    #[arg(long, value_name = "R")]
    pub to: Option<f64>,
    /// Ramp: how long the climb takes (default: the whole run)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub over: Option<Duration>,
    /// Spike: the multiple of --rate during the spike
    #[arg(long = "spike-x", value_name = "N", default_value_t = 10.0)]
    pub spike_x: f64,
    /// Spike: when it starts (default: a third into the run)
    #[arg(long = "spike-at", value_name = "DURATION", value_parser = parse_duration)]
    pub spike_at: Option<Duration>,
    /// Spike: how long it lasts (default: a third of the run)
    #[arg(long = "spike-for", value_name = "DURATION", value_parser = parse_duration)]
    pub spike_for: Option<Duration>,
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// A request header, `Name: value`; repeatable. Values never appear in plans or the audit log.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// The request body: TEXT, or @FILE to read it from a file
    #[arg(long, value_name = "TEXT|@FILE")]
    pub body: Option<String>,
    /// HTTP/2 (h2 over TLS, prior knowledge over http://): streams share one connection
    #[arg(long)]
    pub http2: bool,
    /// A request without a complete answer this long counts as a timeout
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub timeout: Duration,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::base::duration::parse(s)
}

impl LoadFlags {
    /// The run these flags ask for, or what is wrong with them.
    pub fn spec(&self) -> Result<LoadSpec, String> {
        let url = self
            .url
            .as_deref()
            .ok_or("give the URL to send requests to")?;
        self.spec_at(url)
    }

    /// The run these flags ask for against `url` (a scenario's base URL).
    pub fn spec_at(&self, url: &str) -> Result<LoadSpec, String> {
        let stop = match (self.duration, self.requests) {
            (_, Some(n)) => Stop::Count(n),
            (Some(d), None) => Stop::After(d),
            (None, None) => Stop::After(Duration::from_secs(10)),
        };
        let run_length = match stop {
            Stop::After(d) => Some(d),
            Stop::Count(_) => None,
        };
        // Whole milliseconds: a third of 8s reads 2.667s, not 2s666ms666us666ns.
        let third = || {
            run_length
                .map(|d| Duration::from_millis((d / 3).as_millis() as u64))
                .ok_or_else(|| "with -n, give --spike-at and --spike-for".to_string())
        };
        let profile = match self.profile {
            ProfileKind::Constant => match self.rate {
                Some(rate) => Profile::Constant { rate },
                None => Profile::Max,
            },
            ProfileKind::Ramp => Profile::Ramp {
                from: self.from.unwrap_or(0.0),
                to: self
                    .to
                    .ok_or("the ramp profile needs --to R (and --from R, --over DURATION)")?,
                over: match self.over.or(run_length) {
                    Some(d) => d,
                    None => return Err("with -n, the ramp profile needs --over".into()),
                },
            },
            ProfileKind::Spike => Profile::Spike {
                base: self
                    .rate
                    .ok_or("the spike profile needs --rate R, its baseline")?,
                times: self.spike_x,
                at: match self.spike_at {
                    Some(d) => d,
                    None => third()?,
                },
                hold: match self.spike_for {
                    Some(d) => d,
                    None => third()?,
                },
            },
        };
        let method = hyper::Method::from_bytes(self.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("-m {}: not an HTTP method", self.method))?;
        let headers = self
            .headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<Vec<_>, _>>()?;
        let body = match self.body.as_deref() {
            None => Vec::new(),
            Some(b) => match b.strip_prefix('@') {
                Some(path) => std::fs::read(path)
                    .map_err(|e| format!("--body @{path}: cannot read the file: {e}"))?,
                None => b.as_bytes().to_vec(),
            },
        };
        let spec = LoadSpec {
            endpoint: Endpoint::parse(url)?,
            url: url.to_string(),
            method,
            headers,
            body,
            connections: self.connections,
            stop,
            profile,
            http2: self.http2,
            timeout: self.timeout,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// `opsdeck load`'s flags read from the console's `:load URL ...` line, so the
/// console and the CLI accept the same words, split as a shell splits them:
/// `-H 'Authorization: Bearer x'` is one header.
#[derive(Debug, clap::Parser)]
#[command(name = ":load", no_binary_name = true, disable_help_flag = true)]
struct LoadLine {
    #[command(flatten)]
    args: LoadFlags,
    #[command(flatten)]
    capacity: super::capacity::flags::CapacityFlags,
}

/// What a `:load` line asks for: one URL's run, or a capacity run, whose
/// spec needs what the console reads (`--from-current`) to be made.
#[derive(Debug, Clone)]
pub enum LineRun {
    Single(LoadSpec),
    Capacity {
        load: LoadFlags,
        capacity: Box<super::capacity::flags::CapacityFlags>,
    },
}

pub fn parse_line(line: &str) -> Result<LineRun, String> {
    use clap::Parser as _;
    let words = shlex::split(line).ok_or("a quote is not closed")?;
    let parsed = LoadLine::try_parse_from(words).map_err(|e| {
        // clap's first line names the problem; the rest is usage for a shell.
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        first.trim_start_matches("error: ").to_string()
    })?;
    if parsed.capacity.is_capacity() {
        return Ok(LineRun::Capacity {
            load: parsed.args,
            capacity: Box::new(parsed.capacity),
        });
    }
    parsed.args.spec().map(LineRun::Single)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A single-URL line's run, or what is wrong with the line.
    fn single(line: &str) -> Result<LoadSpec, String> {
        match parse_line(line)? {
            LineRun::Single(spec) => Ok(spec),
            LineRun::Capacity { .. } => Err(format!("{line}: read as a capacity run")),
        }
    }

    #[test]
    fn the_console_line_reads_like_the_command() {
        let spec =
            single("http://127.0.0.1:8080/work -c 4 -d 30s --rate 50 --profile spike --spike-x 3")
                .unwrap();
        assert_eq!(spec.connections, 4);
        assert_eq!(spec.stop, Stop::After(Duration::from_secs(30)));
        assert_eq!(
            spec.profile,
            Profile::Spike {
                base: 50.0,
                times: 3.0,
                at: Duration::from_secs(10),
                hold: Duration::from_secs(10)
            }
        );
        let spec = single("http://h/ -d 8s --rate 5 --profile spike").unwrap();
        assert!(
            spec.plan().summary.contains("at 2s666ms for 2s666ms"),
            "{}",
            spec.plan().summary
        );
        let e = single("http://h/ --profile ramp").unwrap_err();
        assert!(e.contains("--to"), "{e}");
        let e = single("http://h/ --bogus").unwrap_err();
        assert!(e.contains("--bogus"), "{e}");
        assert!(single("").is_err());
        let e = single("http://h/ -H 'Accept: text/plain").unwrap_err();
        assert!(e.contains("quote is not closed"), "{e}");
    }

    /// Every `opsdeck load` example of the README, typed after `:load`.
    #[test]
    fn the_readme_examples_read_on_the_console_line() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let (capacity, examples): (Vec<&str>, Vec<&str>) = readme
            .lines()
            .filter_map(|l| l.strip_prefix("opsdeck load "))
            .partition(|l| {
                ["--stages", "--scenario", "--from-current"]
                    .iter()
                    .any(|f| l.contains(f))
            });
        // Capacity runs read as capacity runs; those with their stages on the
        // line (no scenario file, no reading of today's traffic) make a spec.
        assert!(capacity.len() >= 3, "{capacity:?}");
        for line in &capacity {
            let Ok(LineRun::Capacity { load, capacity }) = parse_line(line) else {
                panic!(":load {line}: not read as a capacity run");
            };
            if capacity.scenario.is_none() && capacity.from_current.is_none() {
                let spec = capacity
                    .spec(&load, None)
                    .unwrap_or_else(|e| panic!(":load {line}: {e}"));
                assert!(spec.stages.len() >= 3, ":load {line}");
            }
        }
        assert!(examples.len() >= 5, "{examples:?}");
        let specs: Vec<LoadSpec> = examples
            .iter()
            .map(|line| single(line).unwrap_or_else(|e| panic!(":load {line}: {e}")))
            .collect();
        let header = |spec: &LoadSpec, name: &str| {
            spec.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.to_str().unwrap().to_string())
        };
        let quoted = specs
            .iter()
            .find(|s| header(s, "x-load-test").is_some())
            .expect("an example with a header holding spaces");
        assert_eq!(
            header(quoted, "accept").as_deref(),
            Some("application/json")
        );
        assert_eq!(
            header(quoted, "x-load-test").as_deref(),
            Some("opsdeck run 1")
        );
        let post = specs
            .iter()
            .find(|s| s.method == hyper::Method::POST)
            .expect("an example with a body");
        assert_eq!(post.body, br#"{"sku": 42, "qty": 1}"#);
        assert_eq!(post.stop, Stop::Count(500));
        assert_eq!(
            header(post, "content-type").as_deref(),
            Some("application/json")
        );
    }
}
