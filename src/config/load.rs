//! Reading config files: every error found is reported with file, line and column.

use super::{paths, Config};
use crate::base::diag::{did_you_mean, parse_toml_all, FileError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    /// False when no file existed and the defaults are in use.
    pub from_file: bool,
    /// The file as read (empty with the defaults), so later checks can locate errors.
    pub text: String,
}

/// Loads the config named by `--config`/`OPSDECK_CONFIG`/the default path. A missing
/// default file means the defaults; a missing file the user named is an error.
pub fn load(explicit: Option<PathBuf>) -> Result<Loaded, Vec<FileError>> {
    let named =
        explicit.is_some() || std::env::var_os(paths::CONFIG_ENV).is_some_and(|v| !v.is_empty());
    let path = paths::config_file(explicit);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
            return Ok(Loaded {
                config: Config::default(),
                path,
                from_file: false,
                text: String::new(),
            })
        }
        Err(e) => {
            return Err(vec![FileError::whole_file(
                &path,
                format!("cannot read config: {e}"),
            )])
        }
    };
    let config = parse(&path, &text)?;
    Ok(Loaded {
        config,
        path,
        from_file: true,
        text,
    })
}

pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<FileError>> {
    let config: Config = parse_toml_all(path, text)?;
    let errors = validate(path, text, &config);
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// Checks what the types alone cannot: sensible values, unique names, references.
pub fn validate(path: &Path, text: &str, c: &Config) -> Vec<FileError> {
    let mut errors = Vec::new();
    let mut at = |span: std::ops::Range<usize>, msg: String| {
        errors.push(FileError::at_offset(path, text, span.start, msg))
    };

    if c.refresh.0 < Duration::from_millis(100) {
        let offset = text.find("refresh").unwrap_or(0);
        at(
            offset..offset,
            format!(
                "refresh = \"{}\" is too short; expected at least 100ms",
                c.refresh
            ),
        );
    }

    // Every target shares one namespace: a name picks one collector, one
    // health and one set of series, so two targets of any kinds may not share it.
    let mut targets: Vec<(&str, &Spanned<String>)> = c
        .docker
        .iter()
        .map(|d| ("docker", &d.name))
        .chain(c.kubernetes.iter().map(|k| ("kubernetes", &k.name)))
        .chain(c.prometheus.iter().map(|p| ("prometheus", &p.name)))
        .chain(c.alertmanager.iter().map(|p| ("alertmanager", &p.name)))
        .chain(c.scrape.iter().map(|p| ("scrape", &p.name)))
        .chain(c.probe.iter().map(|p| ("probe", &p.name)))
        .chain(c.postgres.iter().map(|p| ("postgres", &p.name)))
        .chain(c.redis.iter().map(|p| ("redis", &p.name)))
        .chain(c.backup.iter().map(|p| ("backup", &p.name)))
        .collect();
    // In file order, so the second of two is the one reported, naming the first.
    targets.sort_by_key(|(_, name)| name.span().start);
    let mut seen: HashMap<&str, (&str, usize)> = HashMap::new();
    for (kind, name) in targets {
        if !well_formed(kind, name, &mut at) {
            continue;
        }
        if name.get_ref() == HOST_TARGET {
            at(
                name.span(),
                format!("{kind} name \"{HOST_TARGET}\" is the local host's target; expected another name"),
            );
        } else if let Some((first_kind, first)) =
            seen.insert(name.get_ref(), (kind, name.span().start))
        {
            let (line, _) = crate::base::diag::line_col(text, first);
            let msg = if first_kind == kind {
                format!(
                    "duplicate {kind} name {:?} (first defined on line {line})",
                    name.get_ref()
                )
            } else {
                format!(
                    "{kind} name {:?} is already the name of the [[{first_kind}]] on line {line}; \
                     expected a name no other target has",
                    name.get_ref()
                )
            };
            at(name.span(), msg);
        }
    }
    // Panels and services are not targets: each kind has names of its own.
    for (kind, names) in [
        (
            "panel",
            c.panel.iter().map(|p| &p.title).collect::<Vec<_>>(),
        ),
        ("service", c.service.iter().map(|p| &p.name).collect()),
    ] {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for name in names {
            if !well_formed(kind, name, &mut at) {
                continue;
            }
            if let Some(first) = seen.insert(name.get_ref(), name.span().start) {
                let (line, _) = crate::base::diag::line_col(text, first);
                at(
                    name.span(),
                    format!(
                        "duplicate {kind} name {:?} (first defined on line {line})",
                        name.get_ref()
                    ),
                );
            }
        }
    }

    if let Some(cmd) = &c.exec_command {
        if let Err(e) = split_command(cmd.get_ref()) {
            at(cmd.span(), format!("exec_command: {e}"));
        }
    }

    let urls = c
        .prometheus
        .iter()
        .map(|p| &p.url)
        .chain(c.alertmanager.iter().map(|p| &p.url))
        .chain(c.scrape.iter().map(|p| &p.url))
        .chain(c.probe.iter().map(|p| &p.url));
    for url in urls {
        check_url(url, &mut at);
    }

    for pg in &c.postgres {
        if let Some(url) = &pg.url {
            at(url.span(), format!(
                "postgres {:?}: `url` is not accepted because a DSN holds a password; expected url_env = \"VAR\" (an environment variable holding the DSN) or url_file = \"PATH\"",
                pg.name.get_ref()
            ));
            continue;
        }
        if pg.url_env.is_some() == pg.url_file.is_some() {
            at(pg.name.span(), format!(
                "postgres {:?} needs exactly one of url_env or url_file (the DSN is a secret and never goes in the config)",
                pg.name.get_ref()
            ));
        }
    }

    for r in &c.redis {
        if let Some(url) = &r.url {
            at(url.span(), format!(
                "redis {:?}: `url` is not accepted because a Redis URL holds a password; expected url_env = \"VAR\" (an environment variable holding the URL) or url_file = \"PATH\"",
                r.name.get_ref()
            ));
            continue;
        }
        if r.url_env.is_some() == r.url_file.is_some() {
            at(r.name.span(), format!(
                "redis {:?} needs exactly one of url_env or url_file (the URL holds a password and never goes in the config)",
                r.name.get_ref()
            ));
        }
        if let Some(max) = &r.max_maxmemory {
            if let Err(e) = crate::base::units::parse_bytes(max.get_ref()) {
                at(
                    max.span(),
                    format!("redis {:?}: max_maxmemory {e}", r.name.get_ref()),
                );
            }
        }
    }
    super::backup_check::check(c, &mut at);

    // A workload named by a probe, scrape or service is an address; its
    // alerts carry it, and runbooks act on it.
    let workloads = c
        .probe
        .iter()
        .map(|p| (format!("probe {:?}", p.name.get_ref()), &p.workload))
        .chain(
            c.scrape
                .iter()
                .map(|p| (format!("scrape {:?}", p.name.get_ref()), &p.workload)),
        )
        .chain(
            c.service
                .iter()
                .map(|p| (format!("service {:?}", p.name.get_ref()), &p.workload)),
        )
        .chain(
            c.redis
                .iter()
                .map(|p| (format!("redis {:?}", p.name.get_ref()), &p.workload)),
        );
    for (who, workload) in workloads {
        let Some(w) = workload else { continue };
        if let Err(e) = w.get_ref().parse::<crate::model::WorkloadAddr>() {
            at(w.span(), format!("{who}: workload {:?}: {e}", w.get_ref()));
        }
    }

    let proms: Vec<&str> = c
        .prometheus
        .iter()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    let names = |v: Vec<&Spanned<String>>| -> Vec<String> {
        v.into_iter().map(|n| n.get_ref().clone()).collect()
    };
    let scrapes = names(c.scrape.iter().map(|s| &s.name).collect());
    let probes = names(c.probe.iter().map(|s| &s.name).collect());
    let prom_names: Vec<String> = proms.iter().map(|p| p.to_string()).collect();
    for panel in &c.panel {
        refers(
            &mut at,
            "panel",
            "prometheus",
            &panel.prometheus,
            &prom_names,
        );
    }
    for svc in &c.service {
        let who = format!("service {:?}", svc.name.get_ref());
        for (kind, wanted, known) in [
            ("prometheus", &svc.prometheus, &prom_names),
            ("scrape", &svc.scrape, &scrapes),
            ("probe", &svc.probe, &probes),
        ] {
            if let Some(w) = wanted {
                refers(&mut at, &who, kind, w, known);
            }
        }
        if svc.prometheus.is_none() && svc.scrape.is_none() && svc.probe.is_none() {
            at(
                svc.name.span(),
                format!("{who} has no source; expected prometheus, scrape or probe"),
            );
        }
    }
    for panel in &c.panel {
        if let Some(unit) = &panel.unit {
            if crate::base::units::Unit::parse(unit).is_none() {
                at(
                    panel.title.span(),
                    format!(
                        "panel {:?} has unit {unit:?}; expected one of {}",
                        panel.title.get_ref(),
                        crate::base::units::UNIT_NAMES
                    ),
                );
            }
        }
    }
    errors
}

/// The target the local host is watched as (`host:*` series).
const HOST_TARGET: &str = "host";

/// A name that is not empty and has no '/', or the error saying what is expected.
fn well_formed(
    kind: &str,
    name: &Spanned<String>,
    at: &mut impl FnMut(std::ops::Range<usize>, String),
) -> bool {
    if name.get_ref().trim().is_empty() {
        at(
            name.span(),
            format!("{kind} name is empty; expected a short name such as \"main\""),
        );
        false
    } else if name.get_ref().contains('/') {
        at(
            name.span(),
            format!(
                "{kind} name {:?} contains '/'; expected a name without slashes",
                name.get_ref()
            ),
        );
        false
    } else {
        true
    }
}

/// `who` names a `kind` that must be configured; says which, with a did-you-mean.
pub(super) fn refers(
    at: &mut impl FnMut(std::ops::Range<usize>, String),
    who: &str,
    kind: &str,
    wanted: &Spanned<String>,
    known: &[String],
) {
    let w = wanted.get_ref();
    if !known.iter().any(|k| k == w) {
        let hint = did_you_mean(w, known.iter().map(String::as_str))
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default();
        at(
            wanted.span(),
            format!("{who} refers to {kind} {w:?}, which is not configured{hint}"),
        );
    }
}

fn check_url(url: &Spanned<String>, at: &mut impl FnMut(std::ops::Range<usize>, String)) {
    let u = url.get_ref();
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => {}
        _ => at(
            url.span(),
            format!("{u:?} is not an http(s) URL; expected e.g. \"http://127.0.0.1:9090\""),
        ),
    }
}

/// A command line split into words as a shell splits it (quotes, escapes).
pub fn split_command(line: &str) -> Result<Vec<String>, String> {
    match shlex::split(line) {
        Some(words) if !words.is_empty() => Ok(words),
        Some(_) => Err("empty; expected a command such as \"/bin/bash -l\"".into()),
        None => Err(format!(
            "{line:?} cannot be split into words (an unclosed quote?); expected a command such as \"/bin/bash -l\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str) -> Vec<String> {
        parse(Path::new("c.toml"), text)
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn init_template_is_valid_and_default() {
        let c = parse(Path::new("c.toml"), crate::config::INIT_TEMPLATE).unwrap();
        assert_eq!(c.refresh.0, Duration::from_secs(2));
        assert_eq!(c.theme, "default");
    }

    #[test]
    fn full_design_example_parses() {
        let text = include_str!("../../tests/fixtures/config/full.toml");
        let c = parse(Path::new("full.toml"), text).unwrap();
        assert_eq!(c.docker.len(), 1);
        assert_eq!(c.probe[0].timeout.unwrap().0, Duration::from_secs(2));
        assert_eq!(c.panel[0].prometheus.get_ref(), "main");
    }

    #[test]
    fn an_exec_command_a_shell_cannot_split_is_an_error_at_its_line() {
        let e = errs("theme = \"default\"\nexec_command = \"sh -c 'x\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("c.toml:2:"), "{e:?}");
        assert!(e[0].contains("unclosed quote"), "{e:?}");
        assert!(parse(Path::new("c.toml"), "exec_command = \"/bin/bash -l\"\n").is_ok());
    }

    #[test]
    fn bad_duration_names_line_and_expectation() {
        let e = errs("theme = \"default\"\nrefresh = \"2 parsecs\"\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("c.toml:2:"), "{e:?}");
        assert!(e[0].contains("write it like"), "{e:?}");
    }

    #[test]
    fn services_and_panels_name_what_exists_and_units_are_known() {
        let e = errs(
            "[[probe]]\nname = \"site\"\nurl = \"http://x/h\"\n\
             [[service]]\nname = \"shop\"\nprobe = \"stie\"\n\
             [[service]]\nname = \"empty\"\n\
             [[prometheus]]\nname = \"main\"\nurl = \"http://p\"\n\
             [[panel]]\ntitle = \"p\"\nprometheus = \"main\"\nquery = \"up\"\nunit = \"furlongs\"\n",
        );
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(
            e.iter()
                .any(|m| m.starts_with("c.toml:6:") && m.contains("did you mean \"site\"")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("\"empty\" has no source")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.contains("unit \"furlongs\"; expected one of s, ms")),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_section_key_gets_suggestion() {
        let e = errs("[[probe]]\nname = \"site\"\nurl = \"http://x/health\"\ntimeot = \"2s\"\n");
        assert!(
            e[0].starts_with("c.toml:4:1:") && e[0].contains("did you mean `timeout`"),
            "{e:?}"
        );
    }

    #[test]
    fn duplicate_names_and_bad_refs_all_reported() {
        let text = "[[probe]]\nname = \"a\"\nurl = \"http://x\"\n[[probe]]\nname = \"a\"\nurl = \"ftp://x\"\n\
                    [[panel]]\ntitle = \"p\"\nprometheus = \"mian\"\nquery = \"up\"\n[[prometheus]]\nname = \"main\"\nurl = \"http://p\"\n";
        let e = errs(text);
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e.iter().any(|m| m.contains("c.toml:5:")
            && m.contains("duplicate probe name \"a\" (first defined on line 2)")));
        assert!(e
            .iter()
            .any(|m| m.contains("c.toml:6:") && m.contains("not an http(s) URL")));
        assert!(e
            .iter()
            .any(|m| m.contains("c.toml:9:") && m.contains("did you mean \"main\"")));
    }

    #[test]
    fn a_name_is_one_target_whatever_its_kind() {
        let text = "[[scrape]]\nname = \"am\"\nurl = \"http://x/metrics\"\n\
                    [[alertmanager]]\nname = \"am\"\nurl = \"http://127.0.0.1:9093\"\n\
                    [[probe]]\nname = \"host\"\nurl = \"http://x/h\"\n";
        let e = errs(text);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("c.toml:5:")
                && e[0].contains(
                    "alertmanager name \"am\" is already the name of the [[scrape]] on line 2"
                ),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("c.toml:8:") && e[1].contains("local host"),
            "{e:?}"
        );
    }

    #[test]
    fn postgres_needs_a_secret_source() {
        let e = errs("[[postgres]]\nname = \"db\"\n");
        assert!(e[0].contains("exactly one of url_env or url_file"), "{e:?}");
    }

    #[test]
    fn a_literal_postgres_url_is_refused_where_it_stands() {
        let e = errs("[[postgres]]\nname = \"db\"\nurl = \"postgres://u:hunter2@h/db\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("c.toml:3:"), "{e:?}");
        assert!(e[0].contains("use") || e[0].contains("url_env"), "{e:?}");
        assert!(!e[0].contains("hunter2"), "{e:?}");
    }

    #[test]
    fn a_redis_url_comes_from_the_environment_or_a_file_only() {
        let e = errs("[[redis]]\nname = \"cache\"\nurl = \"redis://:hunter2@h:6379\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("c.toml:3:") && e[0].contains("url_env"),
            "{e:?}"
        );
        assert!(!e[0].contains("hunter2"), "{e:?}");
        let e = errs("[[redis]]\nname = \"cache\"\nurl_env = \"A\"\nurl_file = \"/f\"\n");
        assert!(
            e[0].starts_with("c.toml:2:") && e[0].contains("exactly one"),
            "{e:?}"
        );
        let e = errs("[[postgres]]\nname = \"db\"\nurl_env = \"A\"\n[[redis]]\nname = \"db\"\nurl_env = \"B\"\n");
        assert!(
            e[0].contains("already the name of the [[postgres]] on line 2"),
            "{e:?}"
        );
    }

    #[test]
    fn too_short_refresh_rejected() {
        assert!(errs("refresh = \"10ms\"\n")[0].contains("at least 100ms"));
    }
}
