//! A capacity run as asked: the endpoint's request (from the single-URL
//! flags), the stages, the thresholds and the target; checked before anything
//! is sent, and previewed as an action plan.

use super::stages::{self, Level, Role, Stage};
use super::threshold::{Threshold, DEFAULTS};
use crate::action::{Plan, PlanStep, Request, StepOp, Verb};
use crate::base::duration::HumanDuration;
use crate::load::scenario::Scenario;
use crate::load::{LoadSpec, Profile, Stop};
use crate::model::WorkloadKind;
use std::sync::Arc;
use std::time::Duration;

/// More stages than this is a typo, not a test.
pub const MAX_STAGES: usize = 24;
/// A capacity run longer than this must be split: it is an action held open.
pub const MAX_TOTAL: Duration = Duration::from_secs(2 * 3600);

#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySpec {
    /// The request, connections (for rate stages), timeout and protocol.
    pub base: LoadSpec,
    pub stages: Vec<Stage>,
    pub thresholds: Vec<Threshold>,
    /// True when no `--threshold` was given and [`DEFAULTS`] judge.
    pub default_thresholds: bool,
    pub target: Level,
    /// Run the stages above a failed one too (default: stop there).
    pub keep_going: bool,
    /// What each virtual user sends, in place of the one request of `base`.
    pub scenario: Option<Arc<Scenario>>,
    /// Where the levels came from, for `--from-current`: `api at 20.8/s now`.
    pub planned_from: Option<String>,
}

impl CapacitySpec {
    pub fn new(
        base: LoadSpec,
        stages: Vec<Stage>,
        thresholds: &[String],
        target: Option<Level>,
        keep_going: bool,
    ) -> Result<CapacitySpec, String> {
        if stages.is_empty() {
            return Err("a capacity run needs --stages (or --from-current)".into());
        }
        if stages.len() > MAX_STAGES {
            return Err(format!("{} stages: at most {MAX_STAGES}", stages.len()));
        }
        let total = stages::total(&stages);
        if total > MAX_TOTAL {
            return Err(format!(
                "the stages last {}: at most {} in one run",
                HumanDuration(total),
                HumanDuration(MAX_TOTAL)
            ));
        }
        let default_thresholds = thresholds.is_empty();
        let texts: Vec<String> = if default_thresholds {
            DEFAULTS.iter().map(|s| s.to_string()).collect()
        } else {
            thresholds.to_vec()
        };
        let thresholds = texts
            .iter()
            .map(|t| Threshold::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        let target = match target {
            Some(t) => {
                if !stages.iter().any(|s| s.role == Role::Step && s.level == t) {
                    let levels: Vec<String> = stages
                        .iter()
                        .filter(|s| s.role == Role::Step)
                        .map(|s| s.level.to_string())
                        .collect();
                    return Err(format!(
                        "--target {t} is not one of the stages ({})",
                        levels.join(", ")
                    ));
                }
                t
            }
            None => super::verdict::default_target(&stages)
                .ok_or("a capacity run needs at least one stage that is not the spike")?,
        };
        let spec = CapacitySpec {
            base,
            stages,
            thresholds,
            default_thresholds,
            target,
            keep_going,
            scenario: None,
            planned_from: None,
        };
        for i in 0..spec.stages.len() {
            spec.stage_spec(i).validate()?;
        }
        Ok(spec)
    }

    /// Virtual users run `scenario` in a loop; a scenario has no schedule, so
    /// every stage must be users.
    pub fn with_scenario(mut self, scenario: Arc<Scenario>) -> Result<Self, String> {
        if self
            .stages
            .iter()
            .any(|s| matches!(s.level, Level::Rate(_)))
        {
            return Err(
                "a scenario runs virtual users: give --stages as users (50:2m), not rates".into(),
            );
        }
        self.scenario = Some(scenario);
        Ok(self)
    }

    /// The load run of stage `i`: users are connections sending as fast as
    /// answers come (closed model); a rate is a schedule over `-c` connections.
    pub fn stage_spec(&self, i: usize) -> LoadSpec {
        let stage = &self.stages[i];
        let mut spec = self.base.clone();
        spec.stop = Stop::After(stage.hold);
        match stage.level {
            Level::Users(n) => {
                spec.connections = n;
                spec.profile = Profile::Max;
            }
            Level::Rate(rate) => spec.profile = Profile::Constant { rate },
        }
        spec
    }

    pub fn request(&self) -> Request {
        Request {
            workload: self.base.address(),
            verb: Verb::Load {
                url: crate::base::redact::redact(&self.base.url),
                profile: format!("stages {}", stages::describe(&self.stages)),
            },
        }
    }

    pub fn total(&self) -> Duration {
        stages::total(&self.stages)
    }

    /// Requests the rate stages schedule; None for user stages (as many as
    /// the answers allow).
    pub fn expected_requests(&self) -> Option<u64> {
        (0..self.stages.len())
            .map(|i| self.stage_spec(i).expected_requests())
            .sum()
    }

    /// What a person confirms: every stage, the peak, the count, the time,
    /// the thresholds, and the target. Header values are left out.
    pub fn plan(&self) -> Plan {
        let url = crate::base::redact::redact(&self.base.url);
        let total = HumanDuration(self.total());
        let count = self.expected_requests().map_or_else(
            || "as many requests as answers allow".to_string(),
            |n| format!("~{n} requests"),
        );
        let peak = stages::peak(&self.stages).map_or_else(String::new, |p| format!("peak {p}"));
        let thresholds: Vec<&str> = self.thresholds.iter().map(|t| t.text.as_str()).collect();
        let mut steps: Vec<PlanStep> = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let spec = self.stage_spec(i);
                let model = match s.level {
                    Level::Users(_) => "each user sends when answered".to_string(),
                    Level::Rate(_) => format!("over {} connections", spec.connections),
                };
                let kind = match s.role {
                    Role::Step => "",
                    Role::Spike => ", the spike",
                    Role::Recovery => ", the rest of the step after the spike",
                };
                PlanStep {
                    op: StepOp::Load,
                    subject: format!("stage {}", i + 1),
                    detail: format!("{} for {} ({model}{kind})", s.level, HumanDuration(s.hold)),
                }
            })
            .collect();
        let what = match &self.scenario {
            Some(s) => format!("{} on {url}", s.describe()),
            None => format!("{} {url}", self.base.method),
        };
        let mut judge = format!(
            "{what}, {}{}, timeout {}; each stage must hold {}{}; target {}{}",
            self.base.protocol(),
            if self.base.headers.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = self.base.headers.iter().map(|(n, _)| n.as_str()).collect();
                format!(", headers {}", names.join(" "))
            },
            HumanDuration(self.base.timeout),
            thresholds.join(" and "),
            if self.default_thresholds {
                " (the default alert levels)"
            } else {
                ""
            },
            self.target,
            if self.keep_going {
                ", every stage runs"
            } else {
                ", stages above a failed one are not run"
            },
        );
        if !self.base.body.is_empty() {
            judge.push_str(&format!(", body {} bytes", self.base.body.len()));
        }
        if let Some(from) = &self.planned_from {
            judge.push_str(&format!("; levels from {from}"));
        }
        steps.push(PlanStep {
            op: StepOp::Load,
            subject: url.clone(),
            detail: judge,
        });
        Plan {
            summary: format!(
                "capacity run {url}: {} stages, {peak}, {total}, {count}",
                self.stages.len()
            ),
            steps,
            kind: WorkloadKind::Endpoint,
            request: self.request(),
            destructive: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::capacity::stages::{parse_spike, parse_stages, with_spike};
    use crate::load::spec::parse_header;
    use crate::load::Endpoint;

    fn base() -> LoadSpec {
        let url = "http://127.0.0.1:9/work?token=abc";
        LoadSpec {
            url: url.into(),
            endpoint: Endpoint::parse(url).unwrap(),
            method: hyper::Method::GET,
            headers: vec![parse_header("Authorization: Bearer s3cret").unwrap()],
            body: Vec::new(),
            connections: 8,
            stop: Stop::After(Duration::from_secs(10)),
            profile: Profile::Max,
            http2: false,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn the_plan_lists_every_stage_the_peak_and_the_target_without_secrets() {
        let stages = with_spike(
            &parse_stages("50:2m,100:2m,200:2m").unwrap(),
            parse_spike("10x@5m for 1m").unwrap(),
        );
        let spec = CapacitySpec::new(base(), stages, &[], Some(Level::Users(100)), false).unwrap();
        let plan = spec.plan();
        let text = format!(
            "{}\n{}",
            plan.summary,
            plan.steps
                .iter()
                .map(|s| format!("{} {}", s.subject, s.detail))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for want in [
            "5 stages",
            "peak 500 users",
            "7m",
            "as many requests as answers allow",
            "stage 4 500 users for 1m (each user sends when answered, the spike)",
            "p95<1s and errors<1% (the default alert levels)",
            "target 100 users",
            "authorization",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
        assert!(!text.contains("s3cret") && !text.contains("abc"), "{text}");
        assert_eq!(spec.stage_spec(1).connections, 100);
        assert_eq!(spec.request().workload.to_string(), "load/_/127.0.0.1:9");
    }

    #[test]
    fn rate_stages_count_their_requests_and_use_the_connections() {
        let stages = parse_stages("10/s:10s,20/s:10s").unwrap();
        let spec = CapacitySpec::new(base(), stages, &["p99<2s".into()], None, true).unwrap();
        assert_eq!(spec.expected_requests(), Some(300));
        assert_eq!(spec.target, Level::Rate(20.0));
        let s = spec.stage_spec(0);
        assert_eq!(
            (s.connections, s.profile.clone()),
            (8, Profile::Constant { rate: 10.0 })
        );
        assert!(spec.plan().summary.contains("~300 requests"));
    }

    #[test]
    fn runs_that_cannot_be_judged_or_bounded_are_refused() {
        let st = || parse_stages("10:1m,20:1m").unwrap();
        let e = CapacitySpec::new(base(), st(), &[], Some(Level::Users(15)), false).unwrap_err();
        assert!(
            e.contains("--target 15 users is not one of the stages (10 users, 20 users)"),
            "{e}"
        );
        let e = CapacitySpec::new(base(), st(), &["p95<<1".into()], None, false).unwrap_err();
        assert!(e.contains("--threshold"), "{e}");
        let e = CapacitySpec::new(base(), parse_stages("10:3h").unwrap(), &[], None, false)
            .unwrap_err();
        assert!(e.contains("at most 2h"), "{e}");
        assert!(CapacitySpec::new(base(), vec![], &[], None, false).is_err());
    }
}
