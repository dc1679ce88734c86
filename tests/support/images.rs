//! Docker images of the demo service built `FROM scratch` out of the
//! project's own binary (no registry is reachable, so nothing is pulled),
//! and containers of them that remove themselves. The builder itself is
//! the crate's (`opsdeck::demo::image`, which `opsdeck demo up` uses too);
//! this file turns its errors into test failures.
//!
//! Every docker failure panics with the CLI's stderr: a test that needs
//! the engine must fail loudly without it, never skip.
#![allow(dead_code, unused_imports)] // each test crate uses a different part of this file

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opsdeck::demo::image as crate_image;
pub use opsdeck::demo::image::{
    parse_ldd, HealthTiming, ImageSpec, BINARY_LABEL, CONTEXT_LABEL, DEMO_PORT, DEMO_V1,
    DEMO_V2_BROKEN, DEMO_V2_CRASH, IMAGE_BINARY, TEST_LABEL,
};

/// The binary images are built from: the package's `opsdeck` bin target,
/// which Cargo builds before any integration test.
pub fn opsdeck_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"))
}

fn or_panic<T>(what: &str, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Builds (or finds) a demo image with the given version and extra
/// environment, e.g. `[("DEMO_FAULT_UNHEALTHY", "1")]`. Returns the tag.
pub fn build_demo_image(
    binary: &Path,
    tag: &str,
    version: &str,
    extra_env: &[(&str, &str)],
) -> String {
    or_panic(
        tag,
        crate_image::build_demo_image(binary, tag, version, extra_env),
    )
}

/// The good image: serves normally and turns healthy.
pub fn build_demo_v1(binary: &Path) -> String {
    or_panic(DEMO_V1, crate_image::build_demo_v1(binary))
}

/// A broken release: serves, but its /health fails.
pub fn build_demo_v2_broken(binary: &Path) -> String {
    or_panic(DEMO_V2_BROKEN, crate_image::build_demo_v2_broken(binary))
}

/// A release that exits with code 1 two seconds after it starts.
pub fn build_demo_v2_crash(binary: &Path) -> String {
    or_panic(DEMO_V2_CRASH, crate_image::build_demo_v2_crash(binary))
}

/// Builds the image for `spec` unless it exists with the same content. Returns the tag.
pub fn build_image(spec: &ImageSpec) -> String {
    or_panic(&spec.tag, crate_image::build_image(spec))
}

/// The shared libraries `ldd` reports, the dynamic loader included.
pub fn shared_libraries(binary: &Path) -> Vec<PathBuf> {
    or_panic("ldd", crate_image::shared_libraries(binary))
}

/// An image's label, or `None` when the image does not exist.
pub fn image_label(image: &str, label: &str) -> Option<String> {
    or_panic(image, crate_image::image_label(image, label))
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
