//! `opsdeck alerts silence AM --matcher k=v ...`, `alerts expire AM ID` and
//! `alerts silences AM [--json]`: an Alertmanager's silences from the command
//! line. Creating and expiring go through `action::perform` like every verb
//! (same flags, same exit codes: 0 ok, 1 failed, 2 usage or no plan, 3
//! read-only, 4 not confirmed); the plan lists the alerts it mutes or unmutes.
//!
//! `silences --json` prints `[{ "source", "id", "matchers": [{"name",
//! "value", "isRegex", "isEqual"}], "state": "active" | "pending" |
//! "expired", "starts_at", "ends_at" (unix seconds), "created_by", "comment",
//! "muting" (alerts it mutes now) }]`: active and pending silences, and those
//! that expired within the last hour.

use super::act::{self, ActFlags, EXIT_NO_PLAN};
use crate::action::alertmanager::{new_silence, silence_addr};
use crate::action::docker::HealthGate;
use crate::action::{Request, Verb};
use crate::alertmanager::Matcher;
use crate::config::Config;
use crate::console::Model;
use crate::model::Health;
use std::process::ExitCode;
use std::time::Duration;

/// What `alerts silence` was given, before it is checked.
pub struct SilenceArgs<'a> {
    pub alertmanager: &'a str,
    pub matchers: &'a [String],
    pub duration: Duration,
    pub comment: &'a str,
}

/// The request `alerts silence` makes, or why the matchers are not usable.
pub fn silence_request(args: &SilenceArgs) -> Result<Request, String> {
    let matchers = args
        .matchers
        .iter()
        .map(|m| Matcher::parse(m))
        .collect::<Result<Vec<_>, _>>()?;
    crate::alertmanager::matcher::check_set(&matchers)?;
    Ok(Request {
        workload: new_silence(args.alertmanager),
        verb: Verb::Silence {
            matchers,
            duration: args.duration,
            comment: args.comment.to_string(),
        },
    })
}

fn known(config: &Config, name: &str) -> Result<(), String> {
    if config.alertmanager.iter().any(|a| a.name.get_ref() == name) {
        return Ok(());
    }
    let names: Vec<&str> = config
        .alertmanager
        .iter()
        .map(|a| a.name.get_ref().as_str())
        .collect();
    Err(if names.is_empty() {
        format!("no [[alertmanager]] named {name:?}: the config has none")
    } else {
        format!(
            "no [[alertmanager]] named {name:?}; configured: {}",
            names.join(", ")
        )
    })
}

pub async fn silence(
    config: &Config,
    read_only: bool,
    args: &SilenceArgs<'_>,
    flags: &ActFlags,
) -> ExitCode {
    let request = match known(config, args.alertmanager).and_then(|()| silence_request(args)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    act::run(config, read_only, request, flags, HealthGate::default()).await
}

pub async fn expire(
    config: &Config,
    read_only: bool,
    alertmanager: &str,
    id: &str,
    flags: &ActFlags,
) -> ExitCode {
    if let Err(e) = known(config, alertmanager) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_NO_PLAN);
    }
    let request = Request {
        workload: silence_addr(alertmanager, id),
        verb: Verb::Expire,
    };
    act::run(config, read_only, request, flags, HealthGate::default()).await
}

/// Lists one Alertmanager's silences; exit 1 when it cannot be read.
pub async fn list(config: &Config, alertmanager: &str, json: bool) -> ExitCode {
    if let Err(e) = known(config, alertmanager) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_NO_PLAN);
    }
    let mut only = config.clone();
    only.alertmanager
        .retain(|a| a.name.get_ref() == alertmanager);
    only.prometheus.clear();
    let mut model = Model::new(config.refresh.0, true);
    let planned: Vec<_> = crate::source::targets::plan(&only)
        .into_iter()
        .filter(|p| p.name == alertmanager)
        .collect();
    model.add_started(crate::source::targets::poll_all(planned).await);
    if let Some(Health::Degraded { reason, .. }) = model.target(alertmanager).map(|t| &t.health) {
        eprintln!("error: {alertmanager}: {reason}");
        return ExitCode::from(1);
    }
    let rows = model.alerts.silence_rows();
    if json {
        match serde_json::to_string_pretty(&rows) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
        return ExitCode::SUCCESS;
    }
    if rows.is_empty() {
        println!("{alertmanager} has no active or pending silence");
    }
    for r in &rows {
        let s = &r.silence;
        println!(
            "{:<36} {:<8} until {}  mutes {}  {}  by {}: {}",
            s.id,
            s.state,
            crate::base::time::rfc3339(s.ends_at as i64),
            r.muting,
            crate::alertmanager::matcher::list(&s.matchers),
            s.created_by,
            s.comment
        );
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_requests_are_built_from_typed_matchers() {
        let matchers = vec!["alertname=DiskFull".to_string(), "job=~api|web".into()];
        let r = silence_request(&SilenceArgs {
            alertmanager: "am",
            matchers: &matchers,
            duration: Duration::from_secs(7200),
            comment: "disk swap",
        })
        .unwrap();
        assert_eq!(r.workload.to_string(), "am/silence/new");
        assert_eq!(
            r.verb.to_string(),
            r#"silence alertname="DiskFull", job=~"api|web" for 2h: disk swap"#
        );
        let bad = vec!["alertname".to_string()];
        let e = silence_request(&SilenceArgs {
            alertmanager: "am",
            matchers: &bad,
            duration: Duration::from_secs(60),
            comment: "x",
        })
        .unwrap_err();
        assert!(e.contains("no operator"), "{e}");
    }
}
