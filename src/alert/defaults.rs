//! Built-in rules (DESIGN.md, Alerts) and merging them with the user's.

use super::suggest;
use crate::base::duration::HumanDuration;
use crate::config::alert_rule::{MetricPatterns, Op, RuleSpec};
use crate::model::Severity;
use std::collections::BTreeSet;
use std::fmt;

/// Waits before firing: common practice pages on a sustained problem, not a blip.
pub(super) const SUSTAINED: u64 = 300;
pub(super) const BRIEF: u64 = 60;
pub(super) const AT_ONCE: u64 = 0;
const DAY: f64 = 86_400.0;

/// The rules opsdeck runs unless told otherwise, with the thresholds of
/// common practice (warning, then critical). Every trigger of a built-in
/// runbook names one of them. Latencies are in seconds, `host:cpu` is a
/// percentage (0-100), ratios are 0-1.
pub fn default_rules() -> Vec<RuleSpec> {
    use Op::{Eq, Gt, Lt};
    vec![
        builtin(
            "SiteDown",
            &["probe:*:up"],
            (Eq, 0.0, None),
            Severity::Critical,
            SUSTAINED,
            "A health probe has been failing for 5 minutes",
            Some("site-down"),
        ),
        builtin(
            "HighErrorRate",
            &["probe:*:error_ratio", "scrape:*:error_ratio"],
            (Gt, 0.05, Some(0.01)),
            Severity::Critical,
            SUSTAINED,
            "More than 5% of requests fail (warning above 1%)",
            Some("site-down"),
        ),
        builtin(
            "HighLatency",
            // Probes and scrapes only: a Redis PING round trip is its cache's
            // own signal (redis:NAME:latency_p95), not a service's latency.
            &["probe:*:latency_p95", "scrape:*:p95"],
            (Gt, 1.0, None),
            Severity::Warning,
            SUSTAINED,
            "p95 latency above 1 s",
            Some("degraded-performance"),
        ),
        builtin(
            "HostHighCpu",
            &["host:cpu"],
            (Gt, 80.0, None),
            Severity::Warning,
            SUSTAINED,
            "Host CPU above 80%",
            None,
        ),
        builtin(
            "HostHighMemory",
            &["host:mem_used_ratio"],
            (Gt, 0.85, None),
            Severity::Warning,
            SUSTAINED,
            "Host memory more than 85% used",
            None,
        ),
        builtin(
            "HostDiskFull",
            &["host:disk:*:used_ratio"],
            (Gt, 0.90, None),
            Severity::Critical,
            SUSTAINED,
            "A filesystem is more than 90% full",
            None,
        ),
        builtin(
            "DatabaseDown",
            &["postgres:*:up"],
            (Eq, 0.0, None),
            Severity::Critical,
            BRIEF,
            "The database cannot be reached or read",
            Some("database"),
        ),
        builtin(
            "DatabaseConnectionsHigh",
            &["postgres:*:connections_ratio"],
            (Gt, 0.9, Some(0.8)),
            Severity::Critical,
            SUSTAINED,
            "Connections above 90% of max_connections (warning above 80%)",
            Some("database"),
        ),
        builtin(
            "SlowQueries",
            &["postgres:*:mean_statement_seconds"],
            (Gt, 0.5, None),
            Severity::Warning,
            SUSTAINED,
            "Statements take 500 ms on average (pg_stat_statements)",
            Some("database"),
        ),
        builtin(
            "LongRunningQuery",
            &[
                "postgres:*:longest_query_seconds",
                "postgres:*:longest_idle_in_transaction_seconds",
            ],
            (Gt, 300.0, None),
            Severity::Warning,
            AT_ONCE,
            "A statement, or a transaction left idle, has run for more than 5 minutes",
            Some("database"),
        ),
        builtin(
            "ReplicationLag",
            &["postgres:*:replication_lag_seconds"],
            (Gt, 300.0, Some(30.0)),
            Severity::Critical,
            SUSTAINED,
            "A replica is more than 5 minutes behind (warning above 30 s)",
            Some("database"),
        ),
        builtin(
            "CacheDown",
            &["redis:*:up"],
            (Eq, 0.0, None),
            Severity::Critical,
            BRIEF,
            "The cache cannot be reached or read: every lookup goes to the database",
            Some("degraded-performance"),
        ),
        builtin(
            "CacheHitRatioLow",
            &["redis:*:hit_ratio_since_warm"],
            (Lt, 0.8, None),
            Severity::Warning,
            SUSTAINED * 2,
            "The cache's hit ratio has been below 80% for 10 minutes, after being above it",
            Some("degraded-performance"),
        ),
        builtin(
            "CacheEvicting",
            &["redis:*:evicting"],
            (Gt, 0.0, None),
            Severity::Warning,
            BRIEF,
            "The cache is at maxmemory and evicting keys the application still reads",
            Some("degraded-performance"),
        ),
        builtin(
            "CacheMemoryHigh",
            &["redis:*:mem_ratio"],
            (Gt, 0.95, Some(0.85)),
            Severity::Critical,
            SUSTAINED,
            "The cache uses more than 95% of maxmemory (warning above 85%)",
            Some("degraded-performance"),
        ),
        builtin(
            "WorkloadNotReady",
            &["workload:*:ready_ratio"],
            (Lt, 0.01, Some(1.0)),
            Severity::Critical,
            SUSTAINED,
            "Replicas not ready for 5 minutes (critical when none is)",
            Some("site-down"),
        ),
        builtin(
            "CrashLooping",
            &["workload:*:crashlooping"],
            (Gt, 0.0, None),
            Severity::Critical,
            BRIEF,
            "Replicas keep crashing and restarting",
            Some("failed-deploy"),
        ),
        builtin(
            "OOMKilled",
            &["workload:*:oom_killed"],
            (Gt, 0.0, None),
            Severity::Warning,
            AT_ONCE,
            "A replica was killed for using too much memory",
            Some("degraded-performance"),
        ),
        builtin(
            "ContainerUnhealthy",
            &["workload:*:unhealthy"],
            (Gt, 0.0, None),
            Severity::Warning,
            BRIEF * 2,
            "A container fails its health check",
            Some("site-down"),
        ),
        builtin(
            "HighCpu",
            &["workload:*:cpu_ratio"],
            (Gt, 0.7, None),
            Severity::Warning,
            SUSTAINED,
            "A workload uses more than 70% of its CPU limit (or its request): time to scale out",
            Some("degraded-performance"),
        ),
        builtin(
            "CertificateExpiry",
            &["probe:*:cert_expiry_seconds"],
            (Lt, 3.0 * DAY, Some(14.0 * DAY)),
            Severity::Critical,
            AT_ONCE,
            "A TLS certificate expires within 3 days (warning within 14)",
            None,
        ),
    ]
    .into_iter()
    .chain(super::cluster_rules::cluster_rules())
    .chain(super::backup_rules::backup_rules())
    .collect()
}

pub(super) fn builtin(
    name: &str,
    patterns: &[&str],
    (op, threshold, warn): (Op, f64, Option<f64>),
    severity: Severity,
    for_secs: u64,
    summary: &str,
    runbook: Option<&str>,
) -> RuleSpec {
    let mut r = RuleSpec::named(name);
    r.metric = Some(MetricPatterns::many(patterns));
    r.op = Some(op);
    r.threshold = Some(threshold);
    r.warn_threshold = warn;
    r.for_duration = HumanDuration::from_secs(for_secs);
    r.severity = severity;
    r.annotations.insert("summary".into(), summary.into());
    r.runbook = runbook.map(str::to_string);
    r
}

/// A user rule named as a built-in one: with its own `metric` or `promql` it
/// replaces the built-in whole; without, it tunes it, keeping the built-in's
/// series and overriding what it sets (`for`, thresholds, labels, runbook...),
/// so `[[alert]] name = "HighErrorRate"` with `for = "30s"` shortens the wait.
fn tune(default: RuleSpec, user: RuleSpec) -> RuleSpec {
    if user.metric.is_some() || user.promql.is_some() {
        return user;
    }
    let mut r = default;
    r.op = user.op.or(r.op);
    r.threshold = user.threshold.or(r.threshold);
    r.warn_threshold = user.warn_threshold.or(r.warn_threshold);
    if !user.for_duration.is_zero() {
        r.for_duration = user.for_duration;
    }
    if !user.keep_firing_for.is_zero() {
        r.keep_firing_for = user.keep_firing_for;
    }
    r.labels.extend(user.labels);
    r.annotations.extend(user.annotations);
    r.runbook = user.runbook.or(r.runbook);
    r.runbook_url = user.runbook_url.or(r.runbook_url);
    r.enabled = user.enabled;
    r
}

/// Problems found while merging; all of them, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError {
    pub problems: Vec<String>,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for MergeError {}

/// The rules to run: the defaults, where a user rule of the same name
/// replaces the default whole (in the default's place) and a name in
/// `disabled` removes it; then the user's other rules in their order.
/// `disabled` may only name built-in rules: a user's own rule is turned off
/// with `enabled = false`, and a name that is both overridden and disabled
/// is ambiguous.
pub fn merge_rules(
    defaults: Vec<RuleSpec>,
    user_rules: Vec<RuleSpec>,
    disabled: &[String],
) -> Result<Vec<RuleSpec>, MergeError> {
    let default_names: BTreeSet<&str> = defaults.iter().map(|r| r.name.as_str()).collect();
    let user_names: BTreeSet<&str> = user_rules.iter().map(|r| r.name.as_str()).collect();
    let mut problems = Vec::new();
    for name in disabled {
        let name = name.as_str();
        if user_names.contains(name) && default_names.contains(name) {
            problems.push(format!(
                "disable: {name:?} is also defined in [[alert]]; remove one of the two"
            ));
        } else if user_names.contains(name) {
            problems.push(format!(
                "disable: {name:?} is not a built-in rule; set enabled = false on your [[alert]] instead"
            ));
        } else if !default_names.contains(name) {
            problems.push(format!(
                "disable: no built-in alert rule named {name:?}{}",
                suggest::hint(name, default_names.iter().copied())
            ));
        }
    }
    if !problems.is_empty() {
        return Err(MergeError { problems });
    }
    let mut user_rules: Vec<Option<RuleSpec>> = user_rules.into_iter().map(Some).collect();
    let mut take_user = |name: &str| {
        user_rules
            .iter_mut()
            .find(|r| r.as_ref().is_some_and(|r| r.name == name))
            .and_then(Option::take)
    };
    let mut merged = Vec::new();
    for default in defaults {
        if disabled.contains(&default.name) {
            continue;
        }
        merged.push(match take_user(&default.name) {
            Some(user) => tune(default, user),
            None => default,
        });
    }
    merged.extend(user_rules.into_iter().flatten());
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::validate::{validate_rules, RuleSource};

    fn names(rules: &[RuleSpec]) -> Vec<&str> {
        rules.iter().map(|r| r.name.as_str()).collect()
    }

    fn user(name: &str, threshold: f64) -> RuleSpec {
        let mut r = RuleSpec::named(name);
        r.metric = Some(MetricPatterns::one("host:cpu"));
        r.op = Some(Op::Gt);
        r.threshold = Some(threshold);
        r
    }

    const ALL: [&str; 30] = [
        "SiteDown",
        "HighErrorRate",
        "HighLatency",
        "HostHighCpu",
        "HostHighMemory",
        "HostDiskFull",
        "DatabaseDown",
        "DatabaseConnectionsHigh",
        "SlowQueries",
        "LongRunningQuery",
        "ReplicationLag",
        "CacheDown",
        "CacheHitRatioLow",
        "CacheEvicting",
        "CacheMemoryHigh",
        "WorkloadNotReady",
        "CrashLooping",
        "OOMKilled",
        "ContainerUnhealthy",
        "HighCpu",
        "CertificateExpiry",
        "NodeNotReady",
        "NodePressure",
        "RolloutStuck",
        "PodCrashLooping",
        "PodOOMKilled",
        "BackupStale",
        "BackupShrunk",
        "WalArchivingFailing",
        "WalNothingArchived",
    ];

    #[test]
    fn high_latency_watches_services_not_a_caches_ping() {
        let rules = default_rules();
        let high = rules.iter().find(|r| r.name == "HighLatency").unwrap();
        let watches = |series: &str| {
            high.metric
                .as_ref()
                .unwrap()
                .0
                .iter()
                .any(|p| crate::metrics::glob::glob_match(p, series))
        };
        assert!(watches("probe:site:latency_p95"));
        assert!(watches("scrape:api:p95"));
        assert!(!watches("redis:cache:latency_p95"));
    }

    #[test]
    fn defaults_are_valid_and_as_designed() {
        let rules = validate_rules(&default_rules(), &[]).unwrap();
        assert_eq!(
            rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ALL
        );
        let by_name = |n: &str| rules.iter().find(|r| r.name == n).unwrap();
        let site = by_name("SiteDown");
        assert_eq!(site.source, RuleSource::Metric(vec!["probe:*:up".into()]));
        assert_eq!((site.severity, site.for_secs), (Severity::Critical, 300.0));
        let errors = by_name("HighErrorRate").condition.unwrap();
        assert_eq!(
            (errors.op, errors.threshold, errors.warn_threshold),
            (Op::Gt, 0.05, Some(0.01))
        );
        assert_eq!(by_name("HostHighCpu").condition.unwrap().threshold, 80.0);
        assert_eq!(by_name("HostDiskFull").severity, Severity::Critical);
        assert_eq!(by_name("HighLatency").severity, Severity::Warning);
        let conns = by_name("DatabaseConnectionsHigh").condition.unwrap();
        assert_eq!((conns.threshold, conns.warn_threshold), (0.9, Some(0.8)));
        let down = by_name("CacheDown");
        assert_eq!((down.severity, down.for_secs), (Severity::Critical, 60.0));
        let hits = by_name("CacheHitRatioLow");
        assert_eq!(
            (hits.source.clone(), hits.for_secs),
            (
                RuleSource::Metric(vec!["redis:*:hit_ratio_since_warm".into()]),
                600.0
            )
        );
        let mem = by_name("CacheMemoryHigh").condition.unwrap();
        assert_eq!((mem.threshold, mem.warn_threshold), (0.95, Some(0.85)));
        let cert = by_name("CertificateExpiry").condition.unwrap();
        assert_eq!(
            (cert.op, cert.threshold, cert.warn_threshold),
            (Op::Lt, 3.0 * DAY, Some(14.0 * DAY))
        );
    }

    #[test]
    fn no_changes_gives_the_defaults() {
        assert_eq!(
            merge_rules(default_rules(), vec![], &[]).unwrap(),
            default_rules()
        );
    }

    #[test]
    fn a_user_rule_replaces_the_default_in_place() {
        let merged = merge_rules(
            default_rules(),
            vec![user("Mine", 1.0), user("HostHighCpu", 95.0)],
            &[],
        )
        .unwrap();
        let mut expected = ALL.to_vec();
        expected.push("Mine");
        assert_eq!(names(&merged), expected);
        assert_eq!(merged[3].threshold, Some(95.0));
    }

    #[test]
    fn a_user_rule_without_a_source_tunes_the_built_in() {
        let mut short = RuleSpec::named("HighErrorRate");
        short.for_duration = HumanDuration::from_secs(10);
        let merged = merge_rules(default_rules(), vec![short], &[]).unwrap();
        let r = merged.iter().find(|r| r.name == "HighErrorRate").unwrap();
        assert_eq!(r.for_duration, HumanDuration::from_secs(10));
        assert_eq!(r.threshold, Some(0.05), "the built-in's threshold stays");
        assert!(r.metric.is_some(), "and its series");
        assert_eq!(r.runbook.as_deref(), Some("site-down"));
    }

    #[test]
    fn disable_removes_defaults() {
        let merged = merge_rules(
            default_rules(),
            vec![],
            &["HostHighCpu".into(), "SiteDown".into()],
        )
        .unwrap();
        let expected: Vec<&str> = ALL
            .into_iter()
            .filter(|n| !["HostHighCpu", "SiteDown"].contains(n))
            .collect();
        assert_eq!(names(&merged), expected);
    }

    #[test]
    fn unknown_disabled_names_suggest_the_right_one() {
        let err = merge_rules(
            default_rules(),
            vec![],
            &["HostHighCPU".into(), "Nope".into()],
        )
        .unwrap_err();
        assert_eq!(
            err.problems,
            [
                "disable: no built-in alert rule named \"HostHighCPU\" (did you mean \"HostHighCpu\"?)",
                "disable: no built-in alert rule named \"Nope\"",
            ]
        );
    }

    #[test]
    fn disable_does_not_apply_to_user_rules_or_overrides() {
        let err =
            merge_rules(default_rules(), vec![user("Mine", 1.0)], &["Mine".into()]).unwrap_err();
        assert!(err.to_string().contains("set enabled = false"), "{err}");
        let err = merge_rules(
            default_rules(),
            vec![user("SiteDown", 1.0)],
            &["SiteDown".into()],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("also defined in [[alert]]"),
            "{err}"
        );
    }
}
