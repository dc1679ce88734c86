//! Command-line faces of the demo service: `demo serve` and `demo check`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use super::config::{parse_delay, ConfigError, DemoConfig};
use super::faults::DownMode;
use super::server::{is_crash, DemoServer};

/// Run the demo HTTP service; flags override the DEMO_* environment.
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct DemoServeArgs {
    /// Address to listen on [env: DEMO_LISTEN] [default: 0.0.0.0:8080]
    #[arg(long, value_name = "IP:PORT")]
    pub listen: Option<SocketAddr>,
    /// Version reported by /metrics and / [env: DEMO_VERSION]
    #[arg(long, value_name = "VERSION")]
    pub service_version: Option<String>,
    /// Latency added to / and /work [env: DEMO_FAULT_SLOW_MS]
    #[arg(long, value_name = "MS")]
    pub slow_ms: Option<u64>,
    /// Relative spread of that latency, 0..1 [env: DEMO_FAULT_SLOW_JITTER]
    #[arg(long, value_name = "RATIO")]
    pub slow_jitter: Option<f64>,
    /// Share of / and /work answered with 500 [env: DEMO_FAULT_ERROR_RATIO]
    #[arg(long, value_name = "RATIO")]
    pub error_ratio: Option<f64>,
    /// Close connections, or answer 503, on every route but /fault [env: DEMO_FAULT_DOWN]
    #[arg(long, value_enum, value_name = "MODE")]
    pub down: Option<DownMode>,
    /// Answer 503 on /health only [env: DEMO_FAULT_UNHEALTHY]
    #[arg(long)]
    pub unhealthy: bool,
    /// Exit with code 1 after this long, e.g. 0, 30, 1m [env: DEMO_FAULT_CRASH_AFTER]
    #[arg(long, value_name = "DELAY", value_parser = parse_delay_arg)]
    pub crash_after: Option<Duration>,
    /// Threads to keep busy burning CPU [env: DEMO_BURN_CPU]
    #[arg(long, value_name = "THREADS")]
    pub burn_cpu: Option<usize>,
}

fn parse_delay_arg(s: &str) -> Result<Duration, String> {
    parse_delay(s).ok_or_else(|| format!("{s:?} is neither seconds nor a duration like 500ms"))
}

impl DemoServeArgs {
    /// The environment's configuration with these flags laid over it.
    pub fn config(&self) -> Result<DemoConfig, ConfigError> {
        self.apply(DemoConfig::from_env()?)
    }

    pub fn apply(&self, mut config: DemoConfig) -> Result<DemoConfig, ConfigError> {
        config.listen = self.listen.unwrap_or(config.listen);
        if let Some(version) = &self.service_version {
            config.version.clone_from(version);
        }
        let f = &mut config.faults;
        f.slow_ms = self.slow_ms.unwrap_or(f.slow_ms);
        f.slow_jitter = self.slow_jitter.unwrap_or(f.slow_jitter);
        f.error_ratio = self.error_ratio.unwrap_or(f.error_ratio);
        f.down = self.down.unwrap_or(f.down);
        f.unhealthy |= self.unhealthy;
        f.crash_after = self.crash_after.or(f.crash_after);
        f.burn_threads = self.burn_cpu.unwrap_or(f.burn_threads);
        config.validate("flags")?;
        Ok(config)
    }
}

/// Exit 0 if a URL answers 2xx, else 1 (the demo image's HEALTHCHECK).
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct DemoCheckArgs {
    /// URL that must answer 2xx
    #[arg(default_value = "http://127.0.0.1:8080/health")]
    pub url: String,
    /// Give up after this long
    #[arg(long, default_value = "2s", value_parser = parse_delay_arg)]
    pub timeout: Duration,
}

/// Runs `demo serve` until SIGTERM/SIGINT (exit 0) or the crash fault or a
/// startup error (exit 1).
pub async fn run_serve(args: &DemoServeArgs) -> ExitCode {
    let config = match args.config() {
        Ok(c) => c,
        Err(err) => {
            eprintln!("opsdeck demo serve: {err}");
            return ExitCode::FAILURE;
        }
    };
    let version = config.version.clone();
    let server = match DemoServer::bind(config).await {
        Ok(s) => s,
        Err(err) => {
            eprintln!("opsdeck demo serve: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = server.local_addr() {
        eprintln!("opsdeck demo {version} listening on http://{addr}");
    }
    match server.run(super::shutdown_signal()).await {
        Ok(()) => {
            eprintln!("opsdeck demo: stopped");
            ExitCode::SUCCESS
        }
        Err(err) if is_crash(&err) => {
            eprintln!("opsdeck demo: {err}, exiting with code 1");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("opsdeck demo serve: {err}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run_check(args: &DemoCheckArgs) -> ExitCode {
    ExitCode::from(super::check(&args.url, args.timeout).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        args: DemoServeArgs,
    }

    #[derive(Debug, Parser)]
    struct Check {
        #[command(flatten)]
        args: DemoCheckArgs,
    }

    fn serve_args(argv: &[&str]) -> DemoServeArgs {
        Serve::try_parse_from(std::iter::once("serve").chain(argv.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn flags_override_the_environment() {
        let env = DemoConfig::from_lookup(|k| match k {
            "DEMO_FAULT_SLOW_MS" => Some("100".into()),
            "DEMO_VERSION" => Some("1.0.0".into()),
            "DEMO_FAULT_UNHEALTHY" => Some("1".into()),
            _ => None,
        })
        .unwrap();
        let args = serve_args(&[
            "--listen",
            "127.0.0.1:0",
            "--service-version",
            "2.0.0",
            "--error-ratio",
            "0.3",
            "--down",
            "503",
            "--crash-after",
            "250ms",
            "--burn-cpu",
            "0",
            "--slow-jitter",
            "0",
        ]);
        let c = args.apply(env).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:0");
        assert_eq!(c.version, "2.0.0");
        assert_eq!(c.faults.slow_ms, 100, "unset flag keeps env value");
        assert_eq!(c.faults.slow_jitter, 0.0);
        assert_eq!(c.faults.error_ratio, 0.3);
        assert_eq!(c.faults.down, DownMode::Unavailable);
        assert!(c.faults.unhealthy, "env value survives a missing flag");
        assert_eq!(c.faults.crash_after, Some(Duration::from_millis(250)));
    }

    #[test]
    fn no_flags_change_nothing() {
        let base = DemoConfig::default();
        assert_eq!(serve_args(&[]).apply(base.clone()).unwrap(), base);
        let unhealthy = serve_args(&["--unhealthy"]).apply(base).unwrap();
        assert!(unhealthy.faults.unhealthy);
    }

    #[test]
    fn invalid_flags_are_refused() {
        let err = serve_args(&["--error-ratio", "4"])
            .apply(DemoConfig::default())
            .unwrap_err();
        assert_eq!(err.name, "flags");
        assert!(Serve::try_parse_from(["serve", "--crash-after", "soon"]).is_err());
        assert!(Serve::try_parse_from(["serve", "--down", "sideways"]).is_err());
    }

    #[test]
    fn check_has_defaults() {
        let args = Check::try_parse_from(["check"]).unwrap().args;
        assert_eq!(args.url, "http://127.0.0.1:8080/health");
        assert_eq!(args.timeout, Duration::from_secs(2));
        let args = Check::try_parse_from(["check", "http://h:1/x", "--timeout", "5"])
            .unwrap()
            .args;
        assert_eq!(
            (args.url.as_str(), args.timeout),
            ("http://h:1/x", Duration::from_secs(5))
        );
    }

    #[tokio::test]
    async fn run_serve_fails_on_a_taken_port() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let args = DemoServeArgs {
            listen: Some(taken.local_addr().unwrap()),
            ..DemoServeArgs::default()
        };
        assert_eq!(run_serve(&args).await, ExitCode::FAILURE);
    }

    #[tokio::test]
    async fn run_serve_exits_1_when_crash_fires() {
        let args = DemoServeArgs {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            crash_after: Some(Duration::ZERO),
            ..DemoServeArgs::default()
        };
        assert_eq!(run_serve(&args).await, ExitCode::FAILURE);
    }

    #[tokio::test]
    async fn run_check_maps_to_exit_codes() {
        let args = DemoCheckArgs {
            url: "http://127.0.0.1:1/health".into(),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(run_check(&args).await, ExitCode::from(1));
    }
}
