//! Built-in rules on what a Kubernetes cluster reports: nodes, rollouts and
//! pods, with the thresholds of common practice (kube-prometheus's
//! KubeNodeNotReady, KubeNodePressure, KubeDeploymentRolloutStuck,
//! KubePodCrashLooping), waits shortened where a page is due sooner.

use super::defaults::{builtin, AT_ONCE, BRIEF, SUSTAINED};
use crate::config::alert_rule::{Op, RuleSpec};
use crate::model::Severity;

pub fn cluster_rules() -> Vec<RuleSpec> {
    use Op::{Gt, Lt};
    vec![
        builtin(
            "NodeNotReady",
            &["node:*:ready"],
            (Lt, 1.0, None),
            Severity::Critical,
            SUSTAINED,
            "A node has not been Ready for 5 minutes: its pods are not being looked after",
            Some("node"),
        ),
        builtin(
            "NodePressure",
            &[
                "node:*:memory_pressure",
                "node:*:disk_pressure",
                "node:*:pid_pressure",
            ],
            (Gt, 0.0, None),
            Severity::Warning,
            SUSTAINED,
            "A node reports memory, disk or PID pressure: the kubelet is evicting pods",
            Some("node"),
        ),
        builtin(
            "RolloutStuck",
            &["workload:*:rollout_failed"],
            (Gt, 0.0, None),
            Severity::Critical,
            AT_ONCE,
            "A rollout exceeded its progress deadline (ProgressDeadlineExceeded)",
            Some("failed-deploy"),
        ),
        builtin(
            "PodCrashLooping",
            &["pod:*:crashlooping"],
            (Gt, 0.0, None),
            Severity::Critical,
            BRIEF,
            "A pod's container keeps crashing (CrashLoopBackOff)",
            Some("failed-deploy"),
        ),
        builtin(
            "PodOOMKilled",
            &["pod:*:oom_killed"],
            (Gt, 0.0, None),
            Severity::Warning,
            AT_ONCE,
            "A pod's container was killed for using more memory than its limit",
            Some("degraded-performance"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::validate::{validate_rules, RuleSource};

    #[test]
    fn cluster_rules_watch_nodes_rollouts_and_pods() {
        let rules = validate_rules(&cluster_rules(), &[]).unwrap();
        let by_name = |n: &str| rules.iter().find(|r| r.name == n).unwrap();
        assert_eq!(
            by_name("NodePressure").source,
            RuleSource::Metric(vec![
                "node:*:memory_pressure".into(),
                "node:*:disk_pressure".into(),
                "node:*:pid_pressure".into()
            ])
        );
        assert_eq!(by_name("NodeNotReady").for_secs, 300.0);
        assert_eq!(by_name("PodCrashLooping").severity, Severity::Critical);
        for (rule, runbook) in [
            ("NodeNotReady", "node"),
            ("NodePressure", "node"),
            ("RolloutStuck", "failed-deploy"),
            ("PodCrashLooping", "failed-deploy"),
            ("PodOOMKilled", "degraded-performance"),
        ] {
            let spec = cluster_rules()
                .into_iter()
                .find(|r| r.name == rule)
                .unwrap();
            assert_eq!(spec.runbook.as_deref(), Some(runbook), "{rule}");
        }
    }
}
