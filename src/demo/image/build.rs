//! Building through the docker CLI, skipped when an image with the same
//! tag and the same content digest (binary, libraries, Dockerfile) exists.

use super::context::{library_dirs, parse_ldd, place, write_etc};
use super::{ImageSpec, CONTEXT_LABEL, IMAGE_BINARY};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds of these images, one at a time on this machine: threads of one
/// process and processes alike (`demo up` beside a test building the same
/// tag). The kernel's lock on a file in the temp dir goes with its holder
/// however that ends; the file itself stays (see action::lock).
fn build_lock() -> Result<std::fs::File, String> {
    let path = std::env::temp_dir().join("opsdeck-image-build.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.lock()
        .map_err(|e| format!("locking {}: {e}", path.display()))?;
    Ok(file)
}

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
    let context_sha = sha256_text(&manifest);

    let _held = build_lock()?;
    if image_label(&spec.tag, CONTEXT_LABEL)?.as_deref() == Some(context_sha.as_str()) {
        return Ok(spec.tag.clone());
    }
    let context = tempfile::Builder::new()
        .prefix("opsdeck-image-")
        .tempdir()
        .map_err(|e| format!("a temporary build directory: {e}"))?;
    let rootfs = context.path().join("rootfs");
    place(&binary, &rootfs.join(IMAGE_BINARY.trim_start_matches('/')))?;
    for lib in &libs {
        let rel = lib
            .strip_prefix("/")
            .map_err(|_| format!("ldd gave a relative path {}", lib.display()))?;
        place(lib, &rootfs.join(rel))?;
    }
    write_etc(&rootfs.join("etc"))?;
    std::fs::write(context.path().join("Dockerfile"), &dockerfile)
        .map_err(|e| format!("writing the Dockerfile: {e}"))?;
    let dir = context
        .path()
        .to_str()
        .ok_or("the temp dir's path is not UTF-8")?;
    let label = format!("{CONTEXT_LABEL}={context_sha}");
    // --force-rm: a build that fails leaves no intermediate container
    // behind (one in state `created` reads as a workload not ready).
    docker(&[
        "build",
        "--quiet",
        "--force-rm",
        "--label",
        &label,
        "--tag",
        &spec.tag,
        dir,
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

/// SHA-256 of each file, read in chunks (a debug binary is large); (hex, path)
/// in the given order.
fn sha256_files(files: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, String> {
    files
        .iter()
        .map(|path| {
            let fail = |e: std::io::Error| format!("{}: {e}", path.display());
            let mut file = std::fs::File::open(path).map_err(fail)?;
            let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match file.read(&mut buf).map_err(fail)? {
                    0 => break,
                    n => digest.update(&buf[..n]),
                }
            }
            Ok((hex(digest.finish().as_ref()), path.clone()))
        })
        .collect()
}

/// SHA-256 of `text`, in hex.
pub(crate) fn sha256_text(text: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_in_hex() {
        // FIPS 180-2's example, as `sha256sum` prints it.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_text("abc"), abc);
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        // Past one read chunk, so the chunks are joined right.
        let text = "abc".repeat(50_000);
        std::fs::write(&big, &text).unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, "abc").unwrap();
        let got = sha256_files(&[big.clone(), small.clone()]).unwrap();
        assert_eq!(got, [(sha256_text(&text), big), (abc.to_string(), small)]);
        assert!(sha256_files(&[dir.path().join("gone")])
            .unwrap_err()
            .contains("gone"));
    }
}
