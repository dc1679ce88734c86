//! Docker images of the demo service built `FROM scratch` out of opsdeck's
//! own binary and the shared libraries it loads, so nothing is ever pulled.
//! `opsdeck demo up` and the integration tests both build through here.

mod build;
mod context;

pub(crate) use build::sha256_text;
pub use build::{build_image, image_label, shared_libraries};
pub use context::parse_ldd;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEMO_V1: &str = "opsdeck-demo:v1";
pub const DEMO_V2_BROKEN: &str = "opsdeck-demo:v2-broken";
pub const DEMO_V2_CRASH: &str = "opsdeck-demo:v2-crash";
pub const DEMO_V3_LATE: &str = "opsdeck-demo:v3-late";
pub const DEMO_FRONT: &str = "opsdeck-demo:front";
/// The port the demo service listens on inside its container.
pub const DEMO_PORT: u16 = 8080;
/// Where the binary sits inside the image.
pub const IMAGE_BINARY: &str = "/usr/local/bin/opsdeck";
/// Labels on every image made here, to find leftovers and skip rebuilds.
pub const BINARY_LABEL: &str = "opsdeck.binary.sha256";
pub const CONTEXT_LABEL: &str = "opsdeck.context.sha256";
pub const TEST_LABEL: &str = "opsdeck.test";

/// How often Docker runs the HEALTHCHECK; short, so a verdict comes in
/// seconds rather than the default minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthTiming {
    pub interval: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub start_period: Duration,
}

impl Default for HealthTiming {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            retries: 3,
            start_period: Duration::ZERO,
        }
    }
}

/// Everything that decides an image's content.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSpec {
    pub binary: PathBuf,
    pub tag: String,
    pub version: String,
    pub env: Vec<(String, String)>,
    /// Arguments after the binary in ENTRYPOINT.
    pub entrypoint_args: Vec<String>,
    /// Arguments after the binary in the HEALTHCHECK; `None` for no check.
    pub healthcheck_args: Option<Vec<String>>,
    pub health: HealthTiming,
}

impl ImageSpec {
    /// The demo service image: `opsdeck demo serve`, checked by
    /// `opsdeck demo check` against its own /health.
    pub fn demo(binary: &Path, tag: &str, version: &str) -> Self {
        let url = format!("http://127.0.0.1:{DEMO_PORT}/health");
        Self {
            binary: binary.to_path_buf(),
            tag: tag.to_owned(),
            version: version.to_owned(),
            env: Vec::new(),
            entrypoint_args: strings(&["demo", "serve"]),
            healthcheck_args: Some(strings(&["demo", "check", &url, "--timeout", "1s"])),
            health: HealthTiming::default(),
        }
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The Dockerfile for this spec; `lib_dirs` feed LD_LIBRARY_PATH.
    pub fn dockerfile(&self, binary_sha256: &str, lib_dirs: &[String]) -> Result<String, String> {
        let mut env = vec![
            ("DEMO_VERSION".to_owned(), self.version.clone()),
            ("DEMO_LISTEN".to_owned(), format!("0.0.0.0:{DEMO_PORT}")),
        ];
        if !lib_dirs.is_empty() {
            // The loader's built-in search path differs between distros;
            // naming the copied directories works on all of them.
            env.push(("LD_LIBRARY_PATH".to_owned(), lib_dirs.join(":")));
        }
        env.extend(self.env.iter().cloned());
        let mut out = String::from("FROM scratch\nCOPY rootfs/ /\nUSER 65534:65534\n");
        for (key, value) in &env {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(format!("bad environment variable name {key:?}"));
            }
            out.push_str(&format!("ENV {key}={}\n", dockerfile_quote(value)?));
        }
        out.push_str(&format!("EXPOSE {DEMO_PORT}\nSTOPSIGNAL SIGTERM\n"));
        out.push_str(&format!(
            "LABEL {BINARY_LABEL}={binary_sha256} {TEST_LABEL}=1\n"
        ));
        if let Some(args) = &self.healthcheck_args {
            let h = &self.health;
            let mut options = format!(
                "--interval={}ms --timeout={}ms --retries={}",
                h.interval.as_millis(),
                h.timeout.as_millis(),
                h.retries
            );
            // Docker refuses an explicit zero start period.
            if !h.start_period.is_zero() {
                options.push_str(&format!(" --start-period={}ms", h.start_period.as_millis()));
            }
            out.push_str(&format!("HEALTHCHECK {options} CMD {}\n", exec_form(args)));
        }
        out.push_str(&format!(
            "ENTRYPOINT {}\n",
            exec_form(&self.entrypoint_args)
        ));
        Ok(out)
    }
}

/// Builds (or finds) a demo image with the given version and extra
/// environment, e.g. `[("DEMO_FAULT_UNHEALTHY", "1")]`. Returns the tag.
pub fn build_demo_image(
    binary: &Path,
    tag: &str,
    version: &str,
    extra_env: &[(&str, &str)],
) -> Result<String, String> {
    let spec = extra_env
        .iter()
        .fold(ImageSpec::demo(binary, tag, version), |s, (k, v)| {
            s.with_env(k, v)
        });
    build_image(&spec)
}

/// The good image: serves normally and turns healthy.
pub fn build_demo_v1(binary: &Path) -> Result<String, String> {
    build_demo_image(binary, DEMO_V1, "1.0.0", &[])
}

/// A broken release: serves, but its /health fails, so Docker marks it
/// unhealthy and a health-gated deploy must roll it back.
pub fn build_demo_v2_broken(binary: &Path) -> Result<String, String> {
    build_demo_image(
        binary,
        DEMO_V2_BROKEN,
        "2.0.0",
        &[("DEMO_FAULT_UNHEALTHY", "1")],
    )
}

/// A release that passes a health-gated deploy, then fails half its
/// requests 30 seconds after it started: what an error-rate alert catches
/// and a health check does not.
pub fn build_demo_v3_late(binary: &Path) -> Result<String, String> {
    build_demo_image(
        binary,
        DEMO_V3_LATE,
        "3.0.0",
        &[
            ("DEMO_FAULT_ERROR_RATIO", "0.5"),
            ("DEMO_FAULT_AFTER", "30s"),
        ],
    )
}

/// The front door: `opsdeck demo front`, forwarding to the `api` replicas.
pub fn build_demo_front(binary: &Path) -> Result<String, String> {
    let mut spec = ImageSpec::demo(binary, DEMO_FRONT, "front");
    spec.entrypoint_args = strings(&["demo", "front", "--to", &format!("api:{DEMO_PORT}")]);
    spec.healthcheck_args = None;
    build_image(&spec)
}

/// A release that exits with code 1 two seconds after it starts.
pub fn build_demo_v2_crash(binary: &Path) -> Result<String, String> {
    build_demo_image(
        binary,
        DEMO_V2_CRASH,
        "2.0.1",
        &[("DEMO_FAULT_CRASH_AFTER", "2")],
    )
}

/// Dockerfile exec form: a JSON array of strings.
fn exec_form(args: &[String]) -> String {
    let mut all = vec![IMAGE_BINARY.to_owned()];
    all.extend(args.iter().cloned());
    serde_json::Value::from(all).to_string()
}

/// Quotes an ENV value: inside double quotes Docker honours backslash
/// escapes and expands `$`, so both are escaped.
fn dockerfile_quote(value: &str) -> Result<String, String> {
    if value.contains('\n') {
        return Err(format!("ENV values cannot span lines: {value:?}"));
    }
    let mut out = String::from("\"");
    for ch in value.chars() {
        if matches!(ch, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    Ok(out)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
