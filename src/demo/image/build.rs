//! Building through the docker CLI, skipped when an image with the same
//! tag and the same content digest (binary, libraries, Dockerfile) exists.

use super::context::{library_dirs, parse_ldd, place, write_etc, TempDir};
use super::{ImageSpec, CONTEXT_LABEL, IMAGE_BINARY};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

/// Serialises builds within one process; across processes two builds of one
/// tag produce the same image, so racing is harmless.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Builds the image for `spec` unless it is there already. Returns the tag.
pub fn build_image(spec: &ImageSpec) -> Result<String, String> {
    let binary = spec
        .binary
        .canonicalize()
        .map_err(|e| format!("demo binary {}: {e}", spec.binary.display()))?;
    let libs = shared_libraries(&binary)?;
    let mut files = vec![binary.clone()];
    files.extend(libs.iter().cloned());
    let digests = sha256_files(&files)?;
    let dockerfile = spec.dockerfile(&digests[0].0, &library_dirs(&libs))?;
    let mut manifest = String::new();
    for (sha, path) in &digests {
        manifest.push_str(&format!("{sha}  {}\n", path.display()));
    }
    manifest.push_str(&dockerfile);
    let context_sha = sha256_text(&manifest)?;

    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if image_label(&spec.tag, CONTEXT_LABEL)?.as_deref() == Some(context_sha.as_str()) {
        return Ok(spec.tag.clone());
    }
    let context = TempDir::new("opsdeck-image-")?;
    let rootfs = context.0.join("rootfs");
    place(&binary, &rootfs.join(IMAGE_BINARY.trim_start_matches('/')))?;
    for lib in &libs {
        let rel = lib
            .strip_prefix("/")
            .map_err(|_| format!("ldd gave a relative path {}", lib.display()))?;
        place(lib, &rootfs.join(rel))?;
    }
    write_etc(&rootfs.join("etc"))?;
    std::fs::write(context.0.join("Dockerfile"), &dockerfile)
        .map_err(|e| format!("writing the Dockerfile: {e}"))?;
    let dir = context
        .0
        .to_str()
        .ok_or("the temp dir's path is not UTF-8")?;
    let label = format!("{CONTEXT_LABEL}={context_sha}");
    docker(&[
        "build", "--quiet", "--label", &label, "--tag", &spec.tag, dir,
    ])?;
    Ok(spec.tag.clone())
}

/// The shared libraries `ldd` reports, the dynamic loader included; empty
/// for a static binary.
pub fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>, String> {
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| format!("running ldd: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if format!("{stdout}{stderr}").contains("not a dynamic executable") {
            return Ok(Vec::new());
        }
        return Err(format!("ldd {} failed: {stderr}", binary.display()));
    }
    parse_ldd(&stdout).map_err(|e| format!("ldd {}: {e}", binary.display()))
}

/// An image's label; `None` when the image does not exist.
pub fn image_label(image: &str, label: &str) -> Result<Option<String>, String> {
    let format = format!("{{{{index .Config.Labels \"{label}\"}}}}");
    let out = docker_output(&["image", "inspect", "--format", &format, image])?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
}

fn docker(args: &[&str]) -> Result<String, String> {
    let out = docker_output(args)?;
    if !out.status.success() {
        return Err(format!(
            "docker {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn docker_output(args: &[&str]) -> Result<Output, String> {
    Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("the docker CLI is needed to build images and could not run: {e}"))
}

/// `sha256sum` over files; (hex, path) in the given order.
fn sha256_files(files: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, String> {
    let out = Command::new("sha256sum")
        .args(files)
        .output()
        .map_err(|e| format!("running sha256sum: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "sha256sum: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
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
    if digests.len() != files.len() {
        return Err(format!("sha256sum printed {text}"));
    }
    Ok(digests)
}

pub(crate) fn sha256_text(text: &str) -> Result<String, String> {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running sha256sum: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("sha256sum has no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| format!("feeding sha256sum: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .map(str::to_owned)
        .ok_or_else(|| "sha256sum printed no digest".to_string())
}
