//! Outcomes that say no more than the run knows: checks that read nothing,
//! plan runs that loop, refused actions, paths that leave an incident open.

use super::*;

impl Run {
    fn unread(&mut self, why: &str) -> &[Effect] {
        let (step, ticket, _) = self.check();
        self.send(Input::CheckDone {
            step,
            ticket,
            passed: false,
            inconclusive: true,
            value: Value::Null,
            output: why.into(),
        })
    }
}

const DB_CHECK: &str = "[[step]]\nid = \"db\"\nkind = \"check\"\nsql = { target = \"main-db\", query = \"select 1\", expect = \"rows == 1\" }\n";

#[test]
fn a_check_that_reads_nothing_is_inconclusive_and_the_run_is_not_clean() {
    let mut run = Run::start(&format!("{DB_CHECK}on_failure = \"continue\"\n{NOTE_END}"));
    run.unread("no [[postgres]] target `main-db`");
    assert_eq!(run.state("db"), StepState::Inconclusive);
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    let outcome = run.outcome().unwrap();
    assert!(!outcome.is_clean());
    assert_eq!(
        outcome.describe(),
        "completed with problems: `db` could not read: no [[postgres]] target `main-db`"
    );
}

#[test]
fn an_unread_check_takes_no_path_meant_for_a_failed_one() {
    let steps = format!(
        "{DB_CHECK}on_failure = \"goto:fix\"\n[[step]]\nid = \"fix\"\nkind = \"action\"\naction = \"restart\"\nworkload = \"local/shop/api\"\n"
    );
    let mut run = Run::start(&steps);
    let effects = run.unread("connection refused").to_vec();
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::Halted { reason, .. } if reason.contains("connection refused"))
        ),
        "{effects:#?}"
    );
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::PlanAction { .. })));
    run.send(Input::Skip);
    assert_eq!(run.state("db"), StepState::Skipped);
}

#[test]
fn an_unread_check_is_retried_like_a_failed_one() {
    let mut run = Run::start(&format!(
        "{DB_CHECK}retry = 1\non_failure = \"continue\"\n{NOTE_END}"
    ));
    run.unread("timed out");
    assert_eq!(run.state("db"), StepState::Running);
    run.pass();
    assert_eq!(run.state("db"), StepState::Passed);
}

#[test]
fn a_wait_that_never_read_ends_inconclusive() {
    let steps = "[[step]]\nid = \"w\"\nkind = \"wait\"\nmetric = { series = \"probe:site:up\", expect = \"value == 1\" }\ninterval = \"1s\"\ntimeout = \"5s\"\non_failure = \"continue\"\n";
    let mut run = Run::start(&format!("{steps}{NOTE_END}"));
    run.unread("no data");
    let (timeout, _) = run
        .all
        .iter()
        .find_map(|e| match e {
            Effect::StartTimer { timer, after, .. } if *after == Duration::from_secs(5) => {
                Some((*timer, *after))
            }
            _ => None,
        })
        .unwrap();
    run.fire(timeout);
    assert_eq!(run.state("w"), StepState::Inconclusive);
}

#[test]
fn a_refused_action_ends_its_step_at_once_without_retries() {
    let steps = "[[step]]\nid = \"cancel\"\nkind = \"action\"\naction = \"restart\"\nworkload = \"local/shop/api\"\nretry = 3\non_failure = \"goto:other\"\n[[step]]\nid = \"slow\"\nkind = \"note\"\n[[step]]\nid = \"other\"\nkind = \"note\"\n";
    let mut run = Run::start(steps);
    let (step, ticket, _) = run.planning();
    run.send(Input::ActionPlanned {
        step,
        ticket,
        plan: Err("refused: the session runs no query; terminate it".into()),
    });
    assert_eq!(run.state("cancel"), StepState::Failed);
    assert_eq!(run.state("other"), StepState::WaitingForYou);
    assert!(!run.decisions().iter().any(|d| d.contains("retrying")));
}

#[test]
fn a_plan_run_shows_a_loop_once_and_ends_saying_where() {
    // cancel → has it stopped? (no: goto terminate) → terminate → recheck
    // (still blocked: goto cancel): both plans shown, then the plan ends.
    let steps = "[[step]]\nid = \"cancel\"\nkind = \"action\"\naction = \"db_cancel\"\ntarget = \"db\"\npid = \"7\"\n\
[[step]]\nid = \"stopped\"\nkind = \"wait\"\nmetric = { series = \"postgres:db:blocked_sessions\", expect = \"value == 0\" }\nnext = \"recheck\"\non_failure = \"goto:terminate\"\n\
[[step]]\nid = \"terminate\"\nkind = \"action\"\naction = \"db_terminate\"\ntarget = \"db\"\npid = \"7\"\n\
[[step]]\nid = \"recheck\"\nkind = \"check\"\nmetric = { series = \"postgres:db:blocked_sessions\", expect = \"value == 0\" }\non_failure = \"goto:cancel\"\n";
    let mut run = Run::with(runbook(steps), RunMode::Plan, &[]);
    run.send(Input::Start);
    run.planned("cancel backend 7", Prior::default());
    run.check_done(false, json!(2), "value = 2");
    assert_eq!(run.state("stopped"), StepState::Skipped);
    run.planned("terminate backend 7", Prior::default());
    run.check_done(false, json!(2), "value = 2");
    assert_eq!(run.outcome(), Some(RunOutcome::planned()));
    let plans: Vec<String> = run
        .entries()
        .into_iter()
        .filter_map(|e| match e.event {
            Entry::ActionPlanned { plan, .. } => Some(plan),
            _ => None,
        })
        .collect();
    assert_eq!(plans, ["cancel backend 7", "terminate backend 7"]);
    assert!(run
        .decisions()
        .iter()
        .any(|d| d.contains("comes back to `cancel`")));
}

#[test]
fn an_unresolved_note_ends_the_run_unresolved() {
    let steps = "[[step]]\nid = \"escalate\"\nkind = \"note\"\ntext = \"page the owner\"\nunresolved = true\n";
    let mut run = Run::start(steps);
    run.send(Input::Acked {
        step: "escalate".into(),
    });
    let outcome = run.outcome().unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Unresolved {
            step: "escalate".into(),
            problems: Vec::new()
        }
    );
    assert!(!outcome.is_clean());
}
