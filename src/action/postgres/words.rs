//! How a cancel or terminate plan and its outcome read: whose sessions, what
//! they run, and what stopping them releases, in one line each.

use super::backends::Backend;
use super::Outcome;
use crate::action::Verb;
use crate::model::database::chains::pid_label;
use crate::model::database::{shorten_query, Chains, Role};
use std::time::Duration;

/// Query text in a plan: enough to recognise it on a confirmation line.
const PLAN_QUERY_CHARS: usize = 100;
/// PIDs named in one line before `and N more`.
const PIDS_NAMED: usize = 8;

pub fn query(b: &Backend) -> String {
    shorten_query(&b.query, PLAN_QUERY_CHARS)
}

pub fn state(b: &Backend) -> &str {
    if b.state.is_empty() {
        "state hidden"
    } else {
        &b.state
    }
}

/// `4243, 4244` (and how many more).
pub fn pids(pids: &[i32]) -> String {
    let mut named: Vec<String> = pids
        .iter()
        .take(PIDS_NAMED)
        .map(|p| pid_label(*p))
        .collect();
    if pids.len() > PIDS_NAMED {
        named.push(format!("and {} more", pids.len() - PIDS_NAMED));
    }
    named.join(", ")
}

/// What they have in common, or `various` for what differs.
fn who(found: &[Backend]) -> String {
    let same = |f: fn(&Backend) -> &str| {
        let first = found.first().map_or("", f);
        found.iter().all(|b| f(b) == first).then_some(first)
    };
    let user = same(|b| &b.user).map_or("various users".into(), |u| format!("user {u}"));
    let app = same(|b| &b.application).map_or("various applications".into(), |a| {
        format!("application {a:?}")
    });
    let client = match same(|b| &b.client) {
        Some("") => String::new(),
        Some(c) => format!(" from {c}"),
        None => " from various clients".into(),
    };
    let state = same(state).unwrap_or("in various states");
    let since = match found {
        [b] if !b.query_start.is_empty() => format!(", query started {} UTC", b.query_start),
        _ => String::new(),
    };
    format!("{user}, {app}{client}, {state}{since}")
}

pub fn summary(target: &str, verb: &Verb, found: &[Backend], chains: &Chains) -> String {
    let who = who(found);
    let mut text = match (verb, found) {
        (Verb::Cancel, [b]) => format!(
            "cancel the query of backend {} on {target} ({who}); the session stays connected",
            b.pid
        ),
        (Verb::Cancel, _) => format!(
            "cancel the queries of {} backends on {target} ({who}); the sessions stay connected",
            found.len()
        ),
        (_, [b]) => format!(
            "terminate backend {} on {target} ({who}); its open transaction rolls back and the client is disconnected",
            b.pid
        ),
        _ => format!(
            "terminate {} backends on {target} ({who}); their open transactions roll back and the clients are disconnected, freeing {} connections",
            found.len(),
            found.len()
        ),
    };
    let targets: Vec<i32> = found.iter().map(|b| b.pid).collect();
    let released = chains.released_by(&targets);
    if let [b] = found {
        match chains.role(b.pid) {
            Role::Root(_) => text.push_str(&format!(
                ". It is the root of a lock chain: {} waiting session{} released ({})",
                released.len(),
                plural(released.len(), " is", "s are"),
                pids(&released)
            )),
            Role::Waiter(w) => text.push_str(&format!(
                ". Note: backend {} is itself blocked: it {}; stopping it does not end the chain, its root ({}) does{}",
                b.pid,
                w.describe(),
                if w.roots.is_empty() { "none: a deadlock".into() } else { pids(&w.roots) },
                if released.is_empty() {
                    String::new()
                } else {
                    format!("; it releases only {}", pids(&released))
                }
            )),
            Role::Free => {}
        }
    } else if !released.is_empty() {
        text.push_str(&format!(
            ". {} waiting session{} released ({})",
            released.len(),
            plural(released.len(), " is", "s are"),
            pids(&released)
        ));
    }
    text
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The outcome's one line: what stopped, what did not, what was released.
#[allow(clippy::too_many_arguments)]
pub fn outcome(
    target: &str,
    terminate: bool,
    signalled: &[Backend],
    left: &[i32],
    refused: &[String],
    released: &[i32],
    still_waiting: &[i32],
    waited: Duration,
) -> Outcome {
    let done: Vec<i32> = signalled
        .iter()
        .map(|b| b.pid)
        .filter(|p| !left.contains(p))
        .collect();
    let mut message = match (terminate, done.as_slice(), signalled.len()) {
        (_, [], _) => String::new(),
        (true, [p], 1) => format!("backend {p} on {target} is gone"),
        (false, [p], 1) => {
            format!("the query of backend {p} on {target} stopped; the session is still connected")
        }
        (true, d, _) => format!(
            "backends {} on {target} are gone: {} connection{} freed",
            pids(d),
            d.len(),
            plural(d.len(), "", "s")
        ),
        (false, d, _) => format!("the queries of backends {} on {target} stopped", pids(d)),
    };
    let mut add = |part: String| {
        if !message.is_empty() {
            message.push_str("; ");
        }
        message.push_str(&part);
    };
    match (terminate, left) {
        (_, []) => {}
        (true, [p]) if signalled.len() == 1 => add(format!(
            "backend {p} was signalled but is still there after {}s",
            waited.as_secs()
        )),
        (false, [p]) if signalled.len() == 1 => add(format!(
            "backend {p} was signalled but still runs the query after {}s; terminate it",
            waited.as_secs()
        )),
        (_, l) => add(format!(
            "still there after {}s: {}",
            waited.as_secs(),
            pids(l)
        )),
    }
    if !refused.is_empty() {
        add(format!("not signalled: {}", refused.join("; ")));
    }
    if left.is_empty() && !released.is_empty() {
        let freed: Vec<i32> = released
            .iter()
            .copied()
            .filter(|p| !still_waiting.contains(p))
            .collect();
        if !freed.is_empty() {
            add(format!(
                "{} session{} that waited behind it no longer wait{} ({})",
                freed.len(),
                plural(freed.len(), "", "s"),
                plural(freed.len(), "s", ""),
                pids(&freed)
            ));
        }
        if !still_waiting.is_empty() {
            add(format!(
                "still waiting on another lock: {}",
                pids(still_waiting)
            ));
        }
    }
    Outcome {
        ok: left.is_empty() && refused.is_empty() && !done.is_empty(),
        message,
        rolled_back: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::database::BlockEdge;

    fn b(pid: i32, state: &str) -> Backend {
        Backend {
            pid,
            user: "shop".into(),
            application: "worker".into(),
            state: state.into(),
            query_start: "2026-01-01 10:00:00".into(),
            query: "UPDATE accounts SET balance = 1 WHERE id = 1".into(),
            is_self: false,
            client: "10.0.0.5".into(),
        }
    }

    fn chain() -> Chains {
        Chains::of(&[
            BlockEdge {
                blocked: 2,
                blockers: vec![1],
            },
            BlockEdge {
                blocked: 3,
                blockers: vec![2],
            },
        ])
    }

    #[test]
    fn the_plan_says_what_a_root_releases_and_that_a_waiter_is_not_the_root() {
        let root = summary(
            "db",
            &Verb::Terminate,
            &[b(1, "idle in transaction")],
            &chain(),
        );
        assert!(root.starts_with("terminate backend 1 on db (user shop, application \"worker\" from 10.0.0.5, idle in transaction, query started 2026-01-01 10:00:00 UTC)"), "{root}");
        assert!(
            root.ends_with(
                "It is the root of a lock chain: 2 waiting sessions are released (2, 3)"
            ),
            "{root}"
        );
        let waiter = summary("db", &Verb::Terminate, &[b(2, "active")], &chain());
        assert!(
            waiter.contains("Note: backend 2 is itself blocked: it waits for 1 (root); stopping it does not end the chain, its root (1) does; it releases only 3"),
            "{waiter}"
        );
        let many = summary(
            "db",
            &Verb::Terminate,
            &[b(7, "idle in transaction"), b(8, "idle in transaction")],
            &Chains::default(),
        );
        assert!(
            many.contains("terminate 2 backends on db (user shop"),
            "{many}"
        );
        assert!(many.ends_with("freeing 2 connections"), "{many}");
    }

    #[test]
    fn outcomes_say_what_stopped_and_what_was_released() {
        let o = outcome(
            "db",
            true,
            &[b(1, "idle")],
            &[],
            &[],
            &[2, 3],
            &[],
            Duration::from_secs(10),
        );
        assert!(o.ok);
        assert_eq!(
            o.message,
            "backend 1 on db is gone; 2 sessions that waited behind it no longer wait (2, 3)"
        );
        let o = outcome(
            "db",
            true,
            &[b(7, "idle"), b(8, "idle")],
            &[8],
            &["9: ERROR: must be a superuser".into()],
            &[],
            &[],
            Duration::from_secs(10),
        );
        assert!(!o.ok);
        assert_eq!(
            o.message,
            "backends 7 on db are gone: 1 connection freed; still there after 10s: 8; not signalled: 9: ERROR: must be a superuser"
        );
    }
}
