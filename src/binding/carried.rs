//! The labels an alert of a rule carries, read off its series patterns: the
//! ones every alert has, and the ones the config adds where it says so (the
//! workload a probe serves, its URL, the service it belongs to).

use crate::config::alert_rule::RuleSpec;
use crate::config::Config;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Carried {
    /// Labels every alert of the rule has.
    pub always: BTreeSet<String>,
    /// Labels some alerts have: where the config gives them.
    pub maybe: BTreeSet<String>,
    /// The series kinds the rule watches (`probe`, `scrape`, ...).
    kinds: BTreeSet<String>,
}

/// What an alert on one series pattern carries: always, and where configured.
fn of_pattern(pattern: &str) -> (Vec<&'static str>, Vec<&'static str>, Option<String>) {
    let kind = pattern.split(':').next().unwrap_or_default();
    let (always, maybe): (Vec<&str>, Vec<&str>) = match kind {
        "probe" => (vec!["probe", "target"], vec!["workload", "url", "service"]),
        "scrape" => (vec!["scrape", "target"], vec!["workload", "service"]),
        "postgres" => (vec!["postgres", "target"], vec![]),
        "redis" => (vec!["redis", "target"], vec!["workload"]),
        // Every [[backup]] names the target it protects (`alert::target_labels`).
        "backup" => (vec!["backup", "target", "postgres"], vec![]),
        "workload" => (vec!["workload", "target"], vec!["namespace"]),
        // A pod's workload is its owner's, or the pod itself when bare.
        "pod" => (vec!["pod", "namespace", "workload", "target"], vec!["node"]),
        "container" => (vec!["container", "target"], vec![]),
        "node" => (vec!["node", "target"], vec![]),
        "host" if pattern.starts_with("host:disk:") => (vec!["mount"], vec![]),
        "host" => (vec![], vec![]),
        // `*:latency_p95`: any kind, so only what every kind has is certain.
        _ => (
            vec![],
            vec!["probe", "scrape", "target", "workload", "url", "service"],
        ),
    };
    let kind = (!kind.contains('*')).then(|| kind.to_string());
    (always, maybe, kind)
}

/// None for a PromQL rule: its labels are whatever its query returns.
pub fn carried(rule: &RuleSpec) -> Option<Carried> {
    let patterns = &rule.metric.as_ref()?.0;
    let mut out = Carried::default();
    let mut first = true;
    for p in patterns {
        let (always, maybe, kind) = of_pattern(p);
        let always: BTreeSet<String> = always.iter().map(|s| s.to_string()).collect();
        let dropped: Vec<String> = if first {
            out.always = always.clone();
            Vec::new()
        } else {
            let gone = out.always.difference(&always).cloned().collect();
            out.always = out.always.intersection(&always).cloned().collect();
            gone
        };
        out.maybe.extend(dropped);
        out.maybe
            .extend(always.into_iter().filter(|l| !out.always.contains(l)));
        out.maybe.extend(maybe.iter().map(|s| s.to_string()));
        out.kinds.extend(kind);
        first = false;
    }
    for l in ["series", "metric"] {
        out.always.insert(l.to_string());
    }
    out.always.extend(rule.labels.keys().cloned());
    out.maybe.retain(|l| !out.always.contains(l));
    Some(out)
}

impl Carried {
    /// `postgres, target, series, metric (and where configured: workload)`.
    pub fn list(&self) -> String {
        let mut text = self.always.iter().cloned().collect::<Vec<_>>().join(", ");
        if !self.maybe.is_empty() {
            let maybe = self.maybe.iter().cloned().collect::<Vec<_>>().join(", ");
            text.push_str(&format!(" (and where the config gives them: {maybe})"));
        }
        text
    }

    /// The configured sources whose alerts would lack `label`, each in words.
    pub fn missing_in(&self, label: &str, cfg: &Config) -> Vec<String> {
        let watches = |kind: &str| self.kinds.is_empty() || self.kinds.contains(kind);
        let in_service = |name: &str, with_workload: bool| {
            cfg.service.iter().any(|s| {
                (!with_workload || s.workload.is_some())
                    && [&s.probe, &s.scrape]
                        .into_iter()
                        .flatten()
                        .any(|n| n.get_ref() == name)
            })
        };
        let mut out = Vec::new();
        if watches("probe") {
            for p in &cfg.probe {
                let name = p.name.get_ref();
                let lacks = match label {
                    "workload" => p.workload.is_none() && !in_service(name, true),
                    "url" => crate::base::redact::redact(p.url.get_ref()) != *p.url.get_ref(),
                    "service" => !in_service(name, false),
                    _ => false,
                };
                if lacks {
                    out.push(format!("[[probe]] `{name}`, which {}", fix(label)));
                }
            }
        }
        if watches("scrape") {
            for s in &cfg.scrape {
                let name = s.name.get_ref();
                let lacks = match label {
                    "workload" => s.workload.is_none() && !in_service(name, true),
                    "service" => !in_service(name, false),
                    _ => false,
                };
                if lacks {
                    out.push(format!("[[scrape]] `{name}`, which {}", fix(label)));
                }
            }
        }
        if watches("redis") && label == "workload" {
            for r in cfg.redis.iter().filter(|r| r.workload.is_none()) {
                out.push(format!(
                    "[[redis]] `{}`, which {}",
                    r.name.get_ref(),
                    fix(label)
                ));
            }
        }
        out
    }
}

/// What a source lacking `label` needs, in words.
fn fix(label: &str) -> String {
    match label {
        "workload" => "names no workload (add workload = \"TARGET/GROUP/NAME\" to it)".into(),
        "url" => "has a URL with a secret in it (a label would show it)".into(),
        "service" => "belongs to no [[service]]".into(),
        other => format!("carries no {other}"),
    }
}
