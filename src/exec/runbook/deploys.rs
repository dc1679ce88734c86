//! Recent-deploy checks: the platform's own record where it keeps one (a
//! Kubernetes workload's ReplicaSets or ControllerRevisions, the containers
//! a Docker engine created from a new image; whoever made them) and the
//! revisions opsdeck recorded (every deploy and rollback records the image
//! it replaced); the newest of them is the last deploy.

use crate::action::docker::HealthGate;
use crate::action::{orchestrator_for, Revision, RevisionSource};
use crate::base::time::{unix_now, unix_secs};
use crate::config::Config;
use crate::model::WorkloadAddr;
use crate::runbook::judge::{Deploy, Facts};
use std::time::Duration;

pub async fn last(config: &Config, workload: &str) -> Facts {
    let addr: WorkloadAddr = match workload.parse() {
        Ok(a) => a,
        Err(e) => return Facts::Unavailable(e),
    };
    let orch = match orchestrator_for(config, &addr.target, HealthGate::default()).await {
        Ok(o) => o,
        Err(e) => return Facts::Unavailable(e),
    };
    match orch.deploys(&addr).await {
        Ok(revs) => Facts::LastDeploy(latest(&revs, unix_now())),
        Err(e) => Facts::Unavailable(e),
    }
}

/// The newest change among `revs` (oldest first), named as its record says.
fn latest(revs: &[Revision], now: i64) -> Option<Deploy> {
    let newest = revs.last()?;
    let platform: Vec<&Revision> = revs
        .iter()
        .filter(|r| r.source == RevisionSource::Platform)
        .collect();
    let age = |at: &str| {
        let at = unix_secs(at)?;
        Some(Duration::from_secs(now.saturating_sub(at).max(0) as u64))
    };
    // Rollback goes to the platform's revision before, or to the image an
    // opsdeck deploy replaced.
    let has_previous =
        platform.len() >= 2 || revs.iter().any(|r| r.source == RevisionSource::Replaced);
    match newest.source {
        // What runs now is the newest revision; the one before it was replaced.
        RevisionSource::Platform => {
            let mut text = format!("{} ({}", newest.revision, newest.image);
            if let Some(before) = platform.len().checked_sub(2).map(|i| platform[i]) {
                text.push_str(&format!(
                    ", replacing revision {}: {}",
                    before.revision, before.image
                ));
            }
            if let Some(cause) = newest.change_cause.as_deref().filter(|c| !c.is_empty()) {
                text.push_str(&format!("; change-cause: {cause}"));
            }
            if let Some(by) = &newest.made_by {
                text.push_str(&format!("; managed by {by}"));
            }
            text.push(')');
            Some(Deploy {
                age: age(&newest.at)?,
                revision: text,
                has_previous,
            })
        }
        // The record is of the image replaced: what runs now is the one after it.
        RevisionSource::Replaced => Some(Deploy {
            age: age(&newest.at)?,
            has_previous,
            revision: format!(
                "{} ({} replaced {})",
                newest.revision + 1,
                newest.verb,
                newest.image
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replaced() -> Revision {
        Revision {
            workload: "local/shop/api".into(),
            revision: 1,
            image: "shop-api:v1".into(),
            image_id: "sha256:1".into(),
            at: "2026-01-01T10:00:00Z".into(),
            verb: "deploy".into(),
            change_cause: None,
            source: RevisionSource::Replaced,
            made_by: None,
        }
    }

    #[test]
    fn opsdecks_record_names_the_image_replaced() {
        let now = unix_secs("2026-01-01T10:30:00Z").unwrap();
        let d = latest(&[replaced()], now).unwrap();
        assert_eq!(d.age, Duration::from_secs(1800));
        assert_eq!(d.revision, "2 (deploy replaced shop-api:v1)");
        let bad = Revision {
            at: "yesterday".into(),
            ..replaced()
        };
        assert_eq!(latest(&[bad], now), None);
        assert_eq!(latest(&[], now), None);
    }

    #[test]
    fn the_platforms_record_names_the_revision_that_runs_and_who_made_it() {
        let platform = |n: u32, image: &str, at: &str, cause: Option<&str>| Revision {
            workload: "prod/shop/api".into(),
            revision: n,
            image: image.into(),
            image_id: String::new(),
            at: at.into(),
            verb: "rollout".into(),
            change_cause: cause.map(str::to_string),
            source: RevisionSource::Platform,
            made_by: None,
        };
        let revs = [
            platform(2, "api:v1", "2026-01-01T08:00:00Z", Some("")),
            platform(
                3,
                "api:v2-broken",
                "2026-01-01T10:20:00Z",
                Some("kubectl set image deployment/api api=api:v2-broken"),
            ),
        ];
        let now = unix_secs("2026-01-01T10:30:00Z").unwrap();
        let d = latest(&revs, now).unwrap();
        assert_eq!(d.age, Duration::from_secs(600));
        assert_eq!(
            d.revision,
            "3 (api:v2-broken, replacing revision 2: api:v1; change-cause: kubectl set image deployment/api api=api:v2-broken)"
        );
        let helm = Revision {
            made_by: Some("Helm".into()),
            change_cause: None,
            ..revs[1].clone()
        };
        let d = latest(&[helm], now).unwrap();
        assert_eq!(d.revision, "3 (api:v2-broken; managed by Helm)");
        assert!(!d.has_previous, "the only revision kept");
        // Beside opsdeck's own record, the engine's names the revision before
        // it among its own, and the newest of either is the last deploy.
        let merged = [
            platform(1, "api:v1", "2026-01-01T08:00:00Z", None),
            replaced(),
            platform(2, "api:v2", "2026-01-01T10:10:00Z", None),
        ];
        let d = latest(&merged, now).unwrap();
        assert_eq!(d.revision, "2 (api:v2, replacing revision 1: api:v1)");
        assert!(d.has_previous);
        let d = latest(&merged[..2], now).unwrap();
        assert_eq!(d.revision, "2 (deploy replaced shop-api:v1)");
    }
}
