//! The build context of a scratch image: the binary, the libraries `ldd`
//! names, and the few /etc files tools expect, laid out as a root filesystem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
pub fn library_dirs(libs: &[PathBuf]) -> Vec<String> {
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
pub fn place(from: &Path, to: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", from.display());
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let real = from.canonicalize().map_err(fail)?;
    if std::fs::hard_link(&real, to).is_err() {
        std::fs::copy(&real, to).map_err(fail)?;
    }
    Ok(())
}

/// A scratch image has no users; `USER 65534` works without them, but
/// tools that map ids to names (and glibc's lookups) expect these files.
pub fn write_etc(etc: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", etc.display());
    std::fs::create_dir_all(etc).map_err(fail)?;
    let files = [
        ("passwd", "root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"),
        ("group", "root:x:0:\nnogroup:x:65534:\n"),
        ("hosts", "127.0.0.1 localhost\n::1 localhost\n"),
    ];
    for (name, text) in files {
        std::fs::write(etc.join(name), text).map_err(fail)?;
    }
    Ok(())
}
