//! Keeps the crate layered: every `crate::` path in `src/` is mapped to the
//! top-level module it names, and a module may import only modules of a lower
//! rank. The ranks are the picture in the README's "Architecture" section:
//!
//! ```text
//! 5  cli  ui                        entry points; neither imports the other
//! 4  exec                           performs Commands, answers with Events (all I/O of the console)
//! 3  console                        Model, Event, Command, apply(): the console's state, pure
//! 2  load demo  >  source action  >  prometheus alertmanager  >  connect
//!                                   adapters to the outside world; source and action never
//!                                   import each other; client set-up lives in connect
//! 1  alert runbook  >  metrics  >  exposition      pure engines
//! 0  config  >  model  >  base      vocabulary, config, time/redaction/units/errors
//! ```
//!
//! Modules of one rank never import each other (`cli`/`ui`, `source`/`action`,
//! `alert`/`runbook`, ...). The pure modules also must not reach the outside
//! world: no tokio, no client crates, no terminal, no files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (module, layer, rank within the layer). Lower (layer, rank) may be imported.
const LAYERS: &[(&str, u8, u8)] = &[
    ("base", 0, 0),
    ("model", 0, 1),
    ("config", 0, 2),
    ("exposition", 1, 0),
    ("metrics", 1, 1),
    ("alert", 1, 2),
    ("runbook", 1, 2),
    ("binding", 1, 3),
    ("connect", 2, 0),
    ("prometheus", 2, 1),
    ("alertmanager", 2, 1),
    ("source", 2, 2),
    ("action", 2, 2),
    ("load", 2, 3),
    ("demo", 2, 3),
    ("console", 3, 0),
    ("exec", 4, 0),
    ("cli", 5, 0),
    ("ui", 5, 0),
];

/// Modules compiled only for the unit tests (`#[cfg(test)]` in lib.rs), which
/// any test may use: a build without tests fails on any other use of them.
const TEST_ONLY: &[&str] = &["fixtures"];

/// Modules that must stay pure, and what they must not use.
const PURE: &[&str] = &[
    "base",
    "model",
    "exposition",
    "metrics",
    "alert",
    "runbook",
    "binding",
    "console",
];
const IMPURE: &[&str] = &[
    "tokio::",
    "reqwest::",
    "bollard::",
    "kube::",
    "tokio_postgres::",
    "hyper::",
    "crossterm::",
    "ratatui::",
    "std::fs",
    "std::net",
    "std::process",
];

fn layer_of(module: &str) -> Option<(u8, u8)> {
    LAYERS
        .iter()
        .find(|(m, ..)| *m == module)
        .map(|&(_, l, r)| (l, r))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `src` with comments and the contents of string literals
/// blanked (kept as spaces so line numbers stay), for matching paths.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let keep = |c: u8| if c == b'\n' { b'\n' } else { b' ' };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        out.extend([b' ', b' ']);
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        out.extend([b' ', b' ']);
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        out.push(keep(b[i]));
                        i += 1;
                    }
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push(b[i]);
                    i += 1;
                    continue;
                }
                out.extend(std::iter::repeat_n(b' ', j - i + 1));
                j += 1;
                loop {
                    if j >= b.len() {
                        break;
                    }
                    if b[j] == b'"' && b[j + 1..].iter().take(hashes).all(|&c| c == b'#') {
                        out.extend(std::iter::repeat_n(b' ', hashes + 1));
                        j += hashes + 1;
                        break;
                    }
                    out.push(keep(b[j]));
                    j += 1;
                }
                i = j;
            }
            b'"' => {
                out.push(b' ');
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        out.push(b' ');
                        i += 1;
                    }
                    if i < b.len() {
                        out.push(keep(b[i]));
                        i += 1;
                    }
                }
                out.push(b' ');
                i += 1;
            }
            // A char literal holding a quote must not open a string.
            b'\'' if b.get(i + 1) == Some(&b'"') && b.get(i + 2) == Some(&b'\'') => {
                out.extend([b' ', b' ', b' ']);
                i += 3;
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                out.push(b' ');
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    out.push(b' ');
                    i += 1;
                }
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// The top-level modules each `crate::` (and `opsdeck::`) path in `code`
/// names, with the line it is on.
fn imports(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for prefix in ["crate::", "opsdeck::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(prefix) {
            let start = from + at;
            from = start + prefix.len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let line = code[..start].matches('\n').count() + 1;
            let rest = &code[from..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::b, c}`: the first segment of each top-level item.
                let mut depth = 1;
                let mut item = String::new();
                let mut items = Vec::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                        _ if depth == 1 => item.push(c),
                        _ => {}
                    }
                }
                items.push(item);
                for item in items {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != "self" {
                        found.push((line, name));
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((line, name));
                }
            }
        }
    }
    found
}

/// The top-level module a file under `src/` belongs to (`None` for the crate root).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

/// The names of a module's own submodules (`model::kube` is not the kube crate).
fn local_modules(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    if dir.is_dir() {
        rs_files(dir, &mut files);
    }
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_stem()?.to_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        let shown = format!("src/{}", rel.display());
        let Some(mine) = layer_of(&module) else {
            problems.push(format!(
                "{shown}: module `{module}` has no layer; add it to LAYERS and to the README's picture"
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (line, target) in imports(&code) {
            if target == module || TEST_ONLY.contains(&target.as_str()) {
                continue;
            }
            let Some(theirs) = layer_of(&target) else {
                problems.push(format!(
                    "{shown}:{line}: `{module}` imports `{target}`, which has no layer"
                ));
                continue;
            };
            if theirs >= mine {
                let how = if theirs.0 > mine.0 {
                    format!("upward (layer {} -> {})", mine.0, theirs.0)
                } else if theirs == mine {
                    "sideways between modules of one rank".to_string()
                } else {
                    format!(
                        "against the order within layer {} ({} may use {}, not the reverse)",
                        mine.0, target, module
                    )
                };
                problems.push(format!(
                    "{shown}:{line}: `{module}` imports `{target}`: {how}"
                ));
            }
        }
        // Tests may read their fixtures; only the modules' own code must stay pure.
        let is_test_file = rel
            .file_name()
            .and_then(|f| f.to_str())
            .is_some_and(|f| f.ends_with("tests.rs"));
        if PURE.contains(&module.as_str()) && !is_test_file {
            let local = local_modules(&src.join(&module));
            for (n, text) in code.lines().enumerate() {
                for bad in IMPURE
                    .iter()
                    .filter(|b| !local.iter().any(|m| b.starts_with(&format!("{m}::"))))
                {
                    let hit = text.match_indices(bad).any(|(at, _)| {
                        !text[..at]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                    });
                    if hit {
                        problems.push(format!(
                            "src/{}:{}: `{module}` is pure and must not use {bad}",
                            rel.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn every_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = violations(&src);
    assert!(
        problems.is_empty(),
        "{} imports break the layering:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(m) = module_of(Path::new(&name)) {
            let layer = layer_of(&m);
            modules.insert(m, layer);
        }
    }
    let missing: Vec<_> = modules.iter().filter(|(_, l)| l.is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn the_checker_sees_grouped_and_qualified_paths() {
    let code = code_only(
        "use crate::{a::b, c::{d, e}};\nlet s = \"crate::x\"; // crate::y\nfn f() { crate::z::g() }\nlet u = other_crate::w;",
    );
    let found: Vec<_> = imports(&code).into_iter().map(|(_, m)| m).collect();
    assert_eq!(found, ["a", "c", "z"]);
    let tmp = std::env::temp_dir().join(format!("opsdeck-arch-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join("model")).unwrap();
    std::fs::write(tmp.join("model/x.rs"), "use crate::ui::App;\n").unwrap();
    std::fs::write(
        tmp.join("runbook.rs"),
        "use crate::alert::Rule;\nuse tokio::sync;\n",
    )
    .unwrap();
    let problems = violations(&tmp);
    std::fs::remove_dir_all(&tmp).unwrap();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems[0].contains("src/model/x.rs:1: `model` imports `ui`: upward"),
        "{problems:?}"
    );
    assert!(problems[1].contains("src/runbook.rs:1: `runbook` imports `alert`: sideways"));
    assert!(problems[2].contains("must not use tokio::"));
}
