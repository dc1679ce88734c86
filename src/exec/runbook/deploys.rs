//! Recent-deploy checks: the revisions opsdeck recorded for the workload
//! (every deploy and rollback records the image it replaced).

use crate::action::docker::HealthGate;
use crate::action::{orchestrator_for, Revision};
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
    match orch.history(&addr).await {
        Ok(revs) => Facts::LastDeploy(revs.last().and_then(|r| deploy(r, unix_now()))),
        Err(e) => Facts::Unavailable(e),
    }
}

/// The newest change as a deploy: it replaced revision `r`, so what runs now
/// is the one after it.
fn deploy(r: &Revision, now: i64) -> Option<Deploy> {
    let at = unix_secs(&r.at)?;
    Some(Deploy {
        age: Duration::from_secs(now.saturating_sub(at).max(0) as u64),
        revision: format!("{} ({} replaced {})", r.revision + 1, r.verb, r.image),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_is_measured_from_the_record() {
        let r = Revision {
            workload: "local/shop/api".into(),
            revision: 1,
            image: "shop-api:v1".into(),
            image_id: "sha256:1".into(),
            at: "2026-01-01T10:00:00Z".into(),
            verb: "deploy".into(),
            change_cause: None,
        };
        let now = unix_secs("2026-01-01T10:30:00Z").unwrap();
        let d = deploy(&r, now).unwrap();
        assert_eq!(d.age, Duration::from_secs(1800));
        assert_eq!(d.revision, "2 (deploy replaced shop-api:v1)");
        let bad = Revision {
            at: "yesterday".into(),
            ..r
        };
        assert_eq!(deploy(&bad, now), None);
    }
}
