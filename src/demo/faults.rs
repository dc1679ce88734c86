//! Fault switches: what they are, how a JSON patch changes them, and the
//! live state the request handlers consult.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::burn::Burner;

/// Default spread of the slow fault: ±20 % around the configured latency,
/// enough that a latency histogram shows a spread rather than one spike.
pub const DEFAULT_SLOW_JITTER: f64 = 0.2;
/// A cap that keeps a typo from pinning every core of a shared host.
pub const MAX_BURN_THREADS: usize = 64;
/// Requests never wait longer than this, whatever the fault or `?ms=` says.
pub const MAX_DELAY: Duration = Duration::from_secs(120);

/// How the service behaves while "down".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DownMode {
    /// Serving normally.
    #[default]
    Off,
    /// Connections are closed without an answer, as a crashed backend
    /// behind a port forward looks to a client.
    Close,
    /// Every route answers 503, as an overloaded proxy would.
    #[serde(alias = "503")]
    #[value(alias = "503")]
    Unavailable,
}

impl DownMode {
    /// Reads the `DEMO_FAULT_DOWN` spellings: a mode name or a boolean.
    pub fn parse_env(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "off" | "false" | "no" => Some(Self::Off),
            "1" | "on" | "true" | "yes" | "close" => Some(Self::Close),
            "503" | "unavailable" => Some(Self::Unavailable),
            _ => None,
        }
    }
}

/// The fault switches as configured (environment, flags, or a patch).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSettings {
    /// Latency added to `/` and `/work`, in milliseconds.
    pub slow_ms: u64,
    /// Relative spread of that latency, 0..=1.
    pub slow_jitter: f64,
    /// Share of `/` and `/work` requests answered with 500, 0..=1.
    pub error_ratio: f64,
    pub down: DownMode,
    /// `/health` answers 503 while everything else works.
    pub unhealthy: bool,
    /// Exit with code 1 this long after start (zero: at once).
    pub crash_after: Option<Duration>,
    /// Threads spinning on the CPU.
    pub burn_threads: usize,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            slow_ms: 0,
            slow_jitter: DEFAULT_SLOW_JITTER,
            error_ratio: 0.0,
            down: DownMode::Off,
            unhealthy: false,
            crash_after: None,
            burn_threads: 0,
        }
    }
}

impl FaultSettings {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_ratio) {
            return Err(format!(
                "error_ratio must be between 0 and 1, not {}",
                self.error_ratio
            ));
        }
        if !(0.0..=1.0).contains(&self.slow_jitter) {
            return Err(format!(
                "slow_jitter must be between 0 and 1, not {}",
                self.slow_jitter
            ));
        }
        if self.burn_threads > MAX_BURN_THREADS {
            return Err(format!(
                "burn_threads must be at most {MAX_BURN_THREADS}, not {}",
                self.burn_threads
            ));
        }
        Ok(())
    }

    /// The slow fault's delay for one request; `unit` is uniform in [0, 1).
    pub fn slow_delay(&self, unit: f64) -> Duration {
        if self.slow_ms == 0 {
            return Duration::ZERO;
        }
        let factor = (1.0 + self.slow_jitter * (2.0 * unit - 1.0)).max(0.0);
        Duration::from_secs_f64(self.slow_ms as f64 / 1000.0 * factor).min(MAX_DELAY)
    }

    /// Whether the errors fault fails one request; `unit` is uniform in [0, 1).
    pub fn fails(&self, unit: f64) -> bool {
        unit < self.error_ratio
    }
}

/// A change sent to `POST /fault`; absent fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPatch {
    /// Turn every fault off (and cancel a pending crash) before applying
    /// the other fields.
    #[serde(default)]
    pub reset: bool,
    pub slow_ms: Option<u64>,
    pub slow_jitter: Option<f64>,
    pub error_ratio: Option<f64>,
    pub down: Option<DownMode>,
    pub unhealthy: Option<bool>,
    pub crash_after_ms: Option<u64>,
    pub burn_threads: Option<usize>,
}

/// The state shown by `GET /fault` and returned by `POST /fault`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultView {
    pub slow_ms: u64,
    pub slow_jitter: f64,
    pub error_ratio: f64,
    pub down: DownMode,
    pub unhealthy: bool,
    /// Milliseconds until the crash fault ends the process, if armed.
    pub crash_in_ms: Option<u64>,
    pub burn_threads: usize,
}

impl FaultView {
    pub fn from_settings(s: &FaultSettings, crash_in: Option<Duration>, burning: usize) -> Self {
        Self {
            slow_ms: s.slow_ms,
            slow_jitter: s.slow_jitter,
            error_ratio: s.error_ratio,
            down: s.down,
            unhealthy: s.unhealthy,
            crash_in_ms: crash_in.map(|d| d.as_millis().try_into().unwrap_or(u64::MAX)),
            burn_threads: burning,
        }
    }
}

/// The live fault state of a running service.
#[derive(Debug)]
pub struct Faults {
    settings: Mutex<FaultSettings>,
    crash_at: watch::Sender<Option<Instant>>,
    burner: Burner,
}

impl Faults {
    /// Arms the crash timer and starts burn threads as `initial` says.
    pub fn new(initial: FaultSettings) -> Self {
        let crash_at = initial.crash_after.map(|d| Instant::now() + d);
        let burner = Burner::new();
        burner.set(initial.burn_threads);
        Self {
            settings: Mutex::new(initial),
            crash_at: watch::channel(crash_at).0,
            burner,
        }
    }

    /// A copy of the switches for one request to act on.
    pub fn snapshot(&self) -> FaultSettings {
        self.lock().clone()
    }

    pub fn view(&self) -> FaultView {
        let settings = self.snapshot();
        let crash_in = self
            .crash_at
            .borrow()
            .map(|at| at.saturating_duration_since(Instant::now()));
        FaultView::from_settings(&settings, crash_in, self.burner.running())
    }

    /// Applies a patch as one change: an invalid patch changes nothing.
    pub fn apply(&self, patch: &FaultPatch) -> Result<FaultView, String> {
        let mut settings = self.lock();
        let mut next = if patch.reset {
            FaultSettings::default()
        } else {
            settings.clone()
        };
        next.slow_ms = patch.slow_ms.unwrap_or(next.slow_ms);
        next.slow_jitter = patch.slow_jitter.unwrap_or(next.slow_jitter);
        next.error_ratio = patch.error_ratio.unwrap_or(next.error_ratio);
        next.down = patch.down.unwrap_or(next.down);
        next.unhealthy = patch.unhealthy.unwrap_or(next.unhealthy);
        next.burn_threads = patch.burn_threads.unwrap_or(next.burn_threads);
        if let Some(ms) = patch.crash_after_ms {
            next.crash_after = Some(Duration::from_millis(ms));
        }
        next.validate()?;

        if patch.reset {
            self.crash_at.send_replace(None);
        }
        if let Some(ms) = patch.crash_after_ms {
            self.crash_at
                .send_replace(Some(Instant::now() + Duration::from_millis(ms)));
        }
        self.burner.set(next.burn_threads);
        *settings = next;
        drop(settings);
        Ok(self.view())
    }

    /// Switches to `next` as a whole: the faults a late-failing release turns on.
    pub fn replace(&self, next: FaultSettings) {
        if let Some(d) = next.crash_after {
            self.crash_at.send_replace(Some(Instant::now() + d));
        }
        self.burner.set(next.burn_threads);
        *self.lock() = next;
    }

    /// Follows the crash deadline; the server waits on it.
    pub fn crash_deadline(&self) -> watch::Receiver<Option<Instant>> {
        self.crash_at.subscribe()
    }

    /// Stops the burn threads; called when the server stops.
    pub fn stop_burning(&self) {
        self.burner.set(0);
    }

    #[cfg(test)]
    pub fn burner(&self) -> &Burner {
        &self.burner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultSettings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_mode_reads_env_spellings() {
        assert_eq!(DownMode::parse_env(""), Some(DownMode::Off));
        assert_eq!(DownMode::parse_env("off"), Some(DownMode::Off));
        assert_eq!(DownMode::parse_env("1"), Some(DownMode::Close));
        assert_eq!(DownMode::parse_env(" Close "), Some(DownMode::Close));
        assert_eq!(DownMode::parse_env("503"), Some(DownMode::Unavailable));
        assert_eq!(DownMode::parse_env("maybe"), None);
    }

    #[test]
    fn down_mode_json_accepts_503_alias() {
        let m: DownMode = serde_json::from_str("\"503\"").unwrap();
        assert_eq!(m, DownMode::Unavailable);
        assert_eq!(
            serde_json::to_string(&DownMode::Close).unwrap(),
            "\"close\""
        );
    }

    #[test]
    fn validate_rejects_out_of_range_values() {
        let ok = FaultSettings::default();
        assert!(ok.validate().is_ok());
        let bad_ratio = FaultSettings {
            error_ratio: 1.5,
            ..ok.clone()
        };
        assert!(bad_ratio.validate().unwrap_err().contains("error_ratio"));
        let nan_ratio = FaultSettings {
            error_ratio: f64::NAN,
            ..ok.clone()
        };
        assert!(nan_ratio.validate().is_err());
        let bad_jitter = FaultSettings {
            slow_jitter: -0.1,
            ..ok.clone()
        };
        assert!(bad_jitter.validate().unwrap_err().contains("slow_jitter"));
        let bad_burn = FaultSettings {
            burn_threads: MAX_BURN_THREADS + 1,
            ..ok
        };
        assert!(bad_burn.validate().unwrap_err().contains("burn_threads"));
    }

    #[test]
    fn slow_delay_spreads_by_jitter() {
        let s = FaultSettings {
            slow_ms: 1000,
            slow_jitter: 0.2,
            ..FaultSettings::default()
        };
        assert_eq!(s.slow_delay(0.0), Duration::from_millis(800));
        assert_eq!(s.slow_delay(0.5), Duration::from_millis(1000));
        assert!(s.slow_delay(0.999_999) < Duration::from_millis(1201));
        assert_eq!(FaultSettings::default().slow_delay(0.7), Duration::ZERO);
        let huge = FaultSettings {
            slow_ms: u64::MAX / 4,
            ..FaultSettings::default()
        };
        assert_eq!(huge.slow_delay(0.5), MAX_DELAY);
    }

    #[test]
    fn fails_follows_ratio() {
        let never = FaultSettings::default();
        assert!(!never.fails(0.0));
        let always = FaultSettings {
            error_ratio: 1.0,
            ..FaultSettings::default()
        };
        assert!(always.fails(0.999_999));
        let half = FaultSettings {
            error_ratio: 0.5,
            ..FaultSettings::default()
        };
        assert!(half.fails(0.49));
        assert!(!half.fails(0.5));
    }

    #[test]
    fn patch_changes_only_given_fields() {
        let faults = Faults::new(FaultSettings {
            slow_ms: 100,
            ..FaultSettings::default()
        });
        let view = faults
            .apply(&FaultPatch {
                error_ratio: Some(0.25),
                unhealthy: Some(true),
                ..FaultPatch::default()
            })
            .unwrap();
        assert_eq!(view.slow_ms, 100);
        assert_eq!(view.error_ratio, 0.25);
        assert!(view.unhealthy);
        assert_eq!(view.crash_in_ms, None);
    }

    #[test]
    fn invalid_patch_changes_nothing() {
        let faults = Faults::new(FaultSettings::default());
        let err = faults
            .apply(&FaultPatch {
                slow_ms: Some(5),
                error_ratio: Some(2.0),
                ..FaultPatch::default()
            })
            .unwrap_err();
        assert!(err.contains("error_ratio"));
        assert_eq!(faults.snapshot(), FaultSettings::default());
    }

    #[test]
    fn reset_clears_faults_and_crash() {
        let faults = Faults::new(FaultSettings {
            unhealthy: true,
            down: DownMode::Close,
            crash_after: Some(Duration::from_secs(3600)),
            ..FaultSettings::default()
        });
        assert!(faults.view().crash_in_ms.unwrap() > 3_500_000);
        let view = faults
            .apply(&FaultPatch {
                reset: true,
                slow_ms: Some(7),
                ..FaultPatch::default()
            })
            .unwrap();
        assert_eq!(view.slow_ms, 7);
        assert!(!view.unhealthy);
        assert_eq!(view.down, DownMode::Off);
        assert_eq!(view.crash_in_ms, None);
        assert_eq!(*faults.crash_deadline().borrow(), None);
    }

    #[test]
    fn crash_patch_arms_the_deadline() {
        let faults = Faults::new(FaultSettings::default());
        let rx = faults.crash_deadline();
        let view = faults
            .apply(&FaultPatch {
                crash_after_ms: Some(60_000),
                ..FaultPatch::default()
            })
            .unwrap();
        let left = view.crash_in_ms.unwrap();
        assert!((59_000..=60_000).contains(&left), "{left}");
        assert!(rx.has_changed().unwrap());
    }

    #[test]
    fn patch_json_rejects_unknown_fields() {
        let err = serde_json::from_str::<FaultPatch>(r#"{"slowms": 5}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let p: FaultPatch = serde_json::from_str(r#"{"down": "503"}"#).unwrap();
        assert_eq!(p.down, Some(DownMode::Unavailable));
    }

    #[test]
    fn burn_patch_starts_and_stops_threads() {
        let faults = Faults::new(FaultSettings::default());
        let view = faults
            .apply(&FaultPatch {
                burn_threads: Some(2),
                ..FaultPatch::default()
            })
            .unwrap();
        assert_eq!(view.burn_threads, 2);
        assert_eq!(faults.burner().running(), 2);
        faults.stop_burning();
        assert_eq!(faults.view().burn_threads, 0);
    }
}
