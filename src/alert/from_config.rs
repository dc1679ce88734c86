//! The `[[alert]]` tables and `disable_alerts` of a config: checked with
//! located errors when a config is loaded and by `config check`, and turned
//! into the rules the engine runs (built-ins merged with the user's by
//! `merge_rules`).

use crate::alert;
use crate::alert::{Rule, RuleSpec};
use crate::base::diag::FileError;
use crate::config::Config;
use std::collections::BTreeMap;
use std::path::Path;

/// The rules to run: the built-in defaults overlaid by the config's.
pub fn rules_of(c: &Config) -> Result<Vec<Rule>, String> {
    checked(c).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// What the config knows of each probe and scrape beyond its series: the
/// workload that serves it, the service it belongs to, and a probe's URL
/// (kept only when it holds no secret, so showing it as a label leaks nothing).
pub fn target_labels(c: &Config) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for p in &c.probe {
        let labels = out.entry(p.name.get_ref().clone()).or_default();
        if let Some(w) = &p.workload {
            labels.insert("workload".into(), w.get_ref().clone());
        }
        let url = p.url.get_ref();
        if crate::base::redact::redact(url) == *url {
            labels.insert("url".into(), url.clone());
        }
    }
    for s in &c.scrape {
        if let Some(w) = &s.workload {
            out.entry(s.name.get_ref().clone())
                .or_default()
                .insert("workload".into(), w.get_ref().clone());
        }
    }
    for r in &c.redis {
        if let Some(w) = &r.workload {
            out.entry(r.name.get_ref().clone())
                .or_default()
                .insert("workload".into(), w.get_ref().clone());
        }
    }
    // A backup's alerts name the database it protects, so the database
    // runbook binds to it.
    for b in &c.backup {
        out.entry(b.name.get_ref().clone())
            .or_default()
            .insert("postgres".into(), b.postgres.get_ref().clone());
    }
    for svc in &c.service {
        let members = [&svc.probe, &svc.scrape];
        for name in members.into_iter().flatten() {
            let labels = out.entry(name.get_ref().clone()).or_default();
            labels.insert("service".into(), svc.name.get_ref().clone());
            if let Some(w) = &svc.workload {
                labels
                    .entry("workload".into())
                    .or_insert_with(|| w.get_ref().clone());
            }
        }
    }
    out.retain(|_, labels| !labels.is_empty());
    out
}

/// The rules as written (built-ins merged with the config's), for checks
/// that read their patterns; a config whose rules do not merge gives the built-ins.
pub fn specs_of(c: &Config) -> Vec<RuleSpec> {
    let user: Vec<RuleSpec> = c.alert.iter().map(|s| s.get_ref().clone()).collect();
    alert::merge_rules(alert::default_rules(), user, &c.disable_alerts)
        .unwrap_or_else(|_| alert::default_rules())
}

/// One problem and, when known, the byte offset it is about.
struct Problem {
    offset: Option<usize>,
    message: String,
}

fn checked(c: &Config) -> Result<Vec<Rule>, Vec<Problem>> {
    let user: Vec<RuleSpec> = c.alert.iter().map(|s| s.get_ref().clone()).collect();
    let mut problems = Vec::new();
    let merged = match alert::merge_rules(alert::default_rules(), user.clone(), &c.disable_alerts) {
        Ok(merged) => merged,
        Err(e) => {
            problems.extend(e.problems.into_iter().map(|message| Problem {
                offset: None,
                message,
            }));
            // Still check the rules themselves, so every problem is reported at once.
            alert::merge_rules(alert::default_rules(), user, &[]).unwrap_or_default()
        }
    };
    let proms: Vec<&str> = c
        .prometheus
        .iter()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    match alert::validate_rules(&merged, &proms) {
        Ok(rules) if problems.is_empty() => Ok(rules),
        Ok(_) => Err(problems),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|e| {
                Problem {
                    // The last table of that name: a duplicate is reported where it repeats.
                    offset: c
                        .alert
                        .iter()
                        .rev()
                        .find(|s| s.get_ref().name == e.rule)
                        .map(|s| s.span().start),
                    message: e.to_string(),
                }
            }));
            Err(problems)
        }
    }
}

/// `path:line:col` errors for `config check` and loading: a rule's problem
/// points at its `[[alert]]` table, a `disable_alerts` problem at that key.
pub fn check_config(path: &Path, text: &str, c: &Config) -> Vec<FileError> {
    let Err(problems) = checked(c) else {
        return Vec::new();
    };
    let disable_at = text.find("disable_alerts").unwrap_or(0);
    problems
        .into_iter()
        .map(|p| {
            let offset = p.offset.unwrap_or(disable_at);
            FileError::at_offset(path, text, offset, p.message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    /// The file's own errors, else its rules' (as `exec::files::load_config` checks).
    fn errs(text: &str) -> Vec<String> {
        let path = Path::new("c.toml");
        let errors = match parse(path, text) {
            Err(errors) => errors,
            Ok(c) => check_config(path, text, &c),
        };
        assert!(!errors.is_empty(), "expected errors in {text}");
        errors.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn no_alert_tables_gives_the_defaults() {
        let c = parse(Path::new("c.toml"), "").unwrap();
        let names: Vec<String> = rules_of(&c).unwrap().into_iter().map(|r| r.name).collect();
        assert!(names.contains(&"SiteDown".to_string()), "{names:?}");
        assert!(names.contains(&"HostDiskFull".to_string()), "{names:?}");
    }

    #[test]
    fn user_rules_and_disable_are_merged() {
        let text = "disable_alerts = [\"HostHighCpu\"]\n\
                    [[prometheus]]\nname = \"main\"\nurl = \"http://p\"\n\
                    [[alert]]\nname = \"ApiDown\"\npromql = 'up{job=\"api\"} == 0'\nprometheus = \"main\"\n\
                    severity = \"critical\"\nrunbook_url = \"https://wiki/runbooks/site-down\"\n\
                    [[alert]]\nname = \"SiteDown\"\nmetric = \"probe:site:up\"\nop = \"<\"\nthreshold = 1\n";
        let c = parse(Path::new("c.toml"), text).unwrap();
        let rules = rules_of(&c).unwrap();
        let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        assert!(!names.contains(&"HostHighCpu"), "{names:?}");
        assert_eq!(names.last(), Some(&"ApiDown"));
        let site = rules.iter().find(|r| r.name == "SiteDown").unwrap();
        assert_eq!(
            site.for_secs, 0.0,
            "the user's rule replaces the default whole"
        );
    }

    #[test]
    fn a_bad_rule_is_located_at_its_table() {
        let text =
            "refresh = \"2s\"\n\n[[alert]]\nname = \"Cpu\"\nmetric = \"host:cpu\"\nop = \">\"\n";
        let e = errs(text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("c.toml:3:"), "{e:?}");
        assert!(e[0].contains("op is set but threshold is missing"), "{e:?}");
    }

    #[test]
    fn unknown_prometheus_and_unknown_field_are_reported() {
        let e = errs("[[alert]]\nname = \"X\"\npromql = \"up\"\nprometheus = \"mian\"\n");
        assert!(
            e[0].starts_with("c.toml:1:") && e[0].contains("no [[prometheus]] named \"mian\""),
            "{e:?}"
        );
        let e =
            errs("[[alert]]\nname = \"X\"\nmetric = \"host:cpu\"\nop = \">\"\nthreshhold = 1\n");
        assert!(
            e[0].starts_with("c.toml:5:") && e[0].contains("did you mean `threshold`"),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_disabled_name_points_at_disable_alerts() {
        let e = errs("theme = \"default\"\ndisable_alerts = [\"HostHighCPU\"]\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("c.toml:2:"), "{e:?}");
        assert!(e[0].contains("HostHighCpu"), "{e:?}");
    }
}
