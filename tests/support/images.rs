//! Docker images of the demo service built `FROM scratch` out of the
//! project's own binary (no registry is reachable, so nothing is pulled),
//! and containers of them that remove themselves.
//!
//! Every docker failure panics with the CLI's stderr: a test that needs
//! the engine must fail loudly without it, never skip.
#![allow(dead_code)] // each test crate uses a different part of this file

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const DEMO_V1: &str = "opsdeck-demo:v1";
pub const DEMO_V2_BROKEN: &str = "opsdeck-demo:v2-broken";
pub const DEMO_V2_CRASH: &str = "opsdeck-demo:v2-crash";
/// The port the demo service listens on inside its container.
pub const DEMO_PORT: u16 = 8080;
/// Where the binary sits inside the image.
pub const IMAGE_BINARY: &str = "/usr/local/bin/opsdeck";
/// Labels on every image and container made here, to find leftovers.
pub const BINARY_LABEL: &str = "opsdeck.binary.sha256";
pub const CONTEXT_LABEL: &str = "opsdeck.context.sha256";
pub const TEST_LABEL: &str = "opsdeck.test";

/// The binary images are built from: the package's `opsdeck` bin target,
/// which Cargo builds before any integration test.
pub fn opsdeck_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"))
}

/// How often Docker runs the HEALTHCHECK; short, so tests see a verdict in
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
    pub fn dockerfile(&self, binary_sha256: &str, lib_dirs: &[String]) -> String {
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
            assert!(
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "bad environment variable name {key:?}"
            );
            out.push_str(&format!("ENV {key}={}\n", dockerfile_quote(value)));
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
        out
    }
}

/// Builds (or finds) a demo image with the given version and extra
/// environment, e.g. `[("DEMO_FAULT_UNHEALTHY", "1")]`. Returns the tag.
pub fn build_demo_image(
    binary: &Path,
    tag: &str,
    version: &str,
    extra_env: &[(&str, &str)],
) -> String {
    let spec = extra_env
        .iter()
        .fold(ImageSpec::demo(binary, tag, version), |s, (k, v)| {
            s.with_env(k, v)
        });
    build_image(&spec)
}

/// The good image: serves normally and turns healthy.
pub fn build_demo_v1(binary: &Path) -> String {
    build_demo_image(binary, DEMO_V1, "1.0.0", &[])
}

/// A broken release: serves, but its /health fails, so Docker marks it
/// unhealthy and a health-gated deploy must roll it back.
pub fn build_demo_v2_broken(binary: &Path) -> String {
    build_demo_image(
        binary,
        DEMO_V2_BROKEN,
        "2.0.0",
        &[("DEMO_FAULT_UNHEALTHY", "1")],
    )
}

/// A release that exits with code 1 two seconds after it starts.
pub fn build_demo_v2_crash(binary: &Path) -> String {
    build_demo_image(
        binary,
        DEMO_V2_CRASH,
        "2.0.1",
        &[("DEMO_FAULT_CRASH_AFTER", "2")],
    )
}

/// Serialises builds within one test process; across processes two builds
/// of one tag produce the same image, so racing is harmless.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Builds the image for `spec` unless an image with that tag and the same
/// content digest exists already. Returns the tag.
pub fn build_image(spec: &ImageSpec) -> String {
    let binary = spec
        .binary
        .canonicalize()
        .unwrap_or_else(|e| panic!("demo binary {}: {e}", spec.binary.display()));
    let libs = shared_libraries(&binary);
    let mut files = vec![binary.clone()];
    files.extend(libs.iter().cloned());
    let digests = sha256_files(&files);
    let binary_sha = digests[0].0.clone();
    let lib_dirs = library_dirs(&libs);
    let dockerfile = spec.dockerfile(&binary_sha, &lib_dirs);
    let mut manifest = String::new();
    for (sha, path) in &digests {
        manifest.push_str(&format!("{sha}  {}\n", path.display()));
    }
    manifest.push_str(&dockerfile);
    let context_sha = sha256_text(&manifest);

    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if image_label(&spec.tag, CONTEXT_LABEL).as_deref() == Some(context_sha.as_str()) {
        return spec.tag.clone();
    }
    let context = tempfile::Builder::new()
        .prefix("opsdeck-image-")
        .tempdir()
        .expect("temp build context");
    let rootfs = context.path().join("rootfs");
    place(&binary, &rootfs.join(IMAGE_BINARY.trim_start_matches('/')));
    for lib in &libs {
        place(
            lib,
            &rootfs.join(lib.strip_prefix("/").expect("ldd paths are absolute")),
        );
    }
    write_etc(&rootfs.join("etc"));
    std::fs::write(context.path().join("Dockerfile"), &dockerfile).expect("writing Dockerfile");
    let context_dir = context.path().to_str().expect("utf-8 temp path");
    let label = format!("{CONTEXT_LABEL}={context_sha}");
    docker(&[
        "build",
        "--quiet",
        "--label",
        &label,
        "--tag",
        &spec.tag,
        context_dir,
    ]);
    spec.tag.clone()
}

/// The shared libraries `ldd` reports, the dynamic loader included; empty
/// for a static binary. A library ldd cannot find is a panic.
pub fn shared_libraries(binary: &Path) -> Vec<PathBuf> {
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("running ldd: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if format!("{stdout}{stderr}").contains("not a dynamic executable") {
            return Vec::new();
        }
        panic!("ldd {} failed: {stderr}", binary.display());
    }
    parse_ldd(&stdout).unwrap_or_else(|e| panic!("ldd {}: {e}", binary.display()))
}

/// Parses ldd's listing: `name => /path (addr)` lines and the loader's
/// bare `/path (addr)` line; the vDSO has no file and is skipped.
pub fn parse_ldd(text: &str) -> Result<Vec<PathBuf>, String> {
    let mut libs = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.contains("statically linked") {
            continue;
        }
        let target = match line.split_once("=>") {
            Some((name, rest)) => {
                let rest = rest.trim();
                if rest.starts_with("not found") {
                    return Err(format!("{} not found", name.trim()));
                }
                rest
            }
            None => line,
        };
        let path = target.split(" (").next().unwrap_or("").trim();
        if path.starts_with('/') {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

/// Directories of the libraries, the loader's own excluded.
fn library_dirs(libs: &[PathBuf]) -> Vec<String> {
    let dirs: BTreeSet<String> = libs
        .iter()
        .filter(|l| {
            !l.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ld-"))
        })
        .filter_map(|l| l.parent().map(|p| p.display().to_string()))
        .collect();
    dirs.into_iter().collect()
}

/// Copies `from` (following symlinks, so a library arrives as a file) to
/// `to`; a hard link when possible, since debug binaries are large.
fn place(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("target has a parent"))
        .expect("creating rootfs dir");
    let real = from
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    if std::fs::hard_link(&real, to).is_err() {
        std::fs::copy(&real, to).unwrap_or_else(|e| panic!("copying {}: {e}", real.display()));
    }
}

/// A scratch image has no users; `USER 65534` works without them, but
/// tools that map ids to names (and glibc's lookups) expect these files.
fn write_etc(etc: &Path) {
    std::fs::create_dir_all(etc).expect("creating etc");
    let files = [
        ("passwd", "root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"),
        ("group", "root:x:0:\nnogroup:x:65534:\n"),
        ("hosts", "127.0.0.1 localhost\n::1 localhost\n"),
    ];
    for (name, text) in files {
        std::fs::write(etc.join(name), text).expect("writing etc file");
    }
}

/// Runs `sha256sum` over files; returns (hex, path) in the given order.
fn sha256_files(files: &[PathBuf]) -> Vec<(String, PathBuf)> {
    let out = Command::new("sha256sum")
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("running sha256sum: {e}"));
    assert!(
        out.status.success(),
        "sha256sum: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let digests: Vec<(String, PathBuf)> = text
        .lines()
        .zip(files)
        .map(|(line, path)| {
            (
                line.split_whitespace().next().unwrap_or("").to_owned(),
                path.clone(),
            )
        })
        .collect();
    assert_eq!(digests.len(), files.len(), "sha256sum output: {text}");
    digests
}

fn sha256_text(text: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running sha256sum: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feeding sha256sum");
    let out = child.wait_with_output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("sha256sum digest")
        .to_owned()
}

/// An image's label, or `None` when the image does not exist.
pub fn image_label(image: &str, label: &str) -> Option<String> {
    let format = format!("{{{{index .Config.Labels \"{label}\"}}}}");
    let out = docker_output(&["image", "inspect", "--format", &format, image]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs the docker CLI and returns its stdout; any failure panics with
/// the command and the CLI's stderr.
pub fn docker(args: &[&str]) -> String {
    let out = docker_output(args);
    if !out.status.success() {
        panic!(
            "docker {} failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs the docker CLI; only a missing CLI panics here.
pub fn docker_output(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("the docker CLI is required for this test and could not run: {e}")
        })
}

/// Dockerfile exec form: a JSON array of strings.
fn exec_form(args: &[String]) -> String {
    let mut all = vec![IMAGE_BINARY.to_owned()];
    all.extend(args.iter().cloned());
    serde_json::to_string(&all).expect("strings serialise")
}

/// Quotes an ENV value: inside double quotes Docker honours backslash
/// escapes and expands `$`, so both are escaped.
fn dockerfile_quote(value: &str) -> String {
    assert!(
        !value.contains('\n'),
        "ENV values cannot span lines: {value:?}"
    );
    let mut out = String::from("\"");
    for ch in value.chars() {
        if matches!(ch, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[path = "images_run.rs"]
mod run;
pub use run::*;

/// A container name no other test (or earlier run) uses.
pub fn unique_name(prefix: &str) -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "opsdeck-test-{prefix}-{}-{}-{nanos:x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Polls `probe` every 100 ms until it returns `Some` or `timeout` passes.
pub fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
