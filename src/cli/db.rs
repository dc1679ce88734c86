//! `opsdeck db sessions T [--json] | cancel T PID | terminate T PID | dump T`: the
//! Database pane on the command line, and the CLI twins of its actions, which
//! go through `action::perform` like every other verb (same exit codes).
//!
//! `sessions --json` prints the target's `DbSnapshot` as serde writes it
//! (see src/model/database/) with `target`, `generated_at`, `lock_chains`
//! (each root with every session behind it) and `checklist` (the health
//! items, judged) beside it. `sessions` exits 0 with a reading, 1 when the
//! server cannot be read, 2 when no such `[[postgres]]` target is configured.

use super::act::{self, ActFlags, EXIT_FAILED, EXIT_NO_PLAN};
use super::status::{poll_into, POLL_TIMEOUT};
use crate::action::docker::HealthGate;
use crate::action::postgres::backends_addr;
use crate::action::{Request, Verb};
use crate::base::time::rfc3339;
use crate::base::units::{bytes, percent};
use crate::config::Config;
use crate::connect::postgres::Dsn;
use crate::console::Model;
use crate::model::database::{checklist, shorten_query, DbSnapshot, Statements};
use crate::model::{Health, TargetKind};
use crate::source::postgres::PostgresSource;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum DbAction {
    /// Connections, the longest-running sessions, lock chains and statements of a [[postgres]] target
    Sessions {
        /// A [[postgres]] target name
        target: String,
        /// Print JSON (shape documented in src/cli/db.rs)
        #[arg(long)]
        json: bool,
    },
    /// Cancel the running query of backend PID (pg_cancel_backend), or of each PID given; the sessions stay
    Cancel {
        target: String,
        #[arg(required = true)]
        pids: Vec<i32>,
        #[command(flatten)]
        flags: ActFlags,
    },
    /// A backup now: pg_dump (custom format) of the target's database into the directory
    /// of the [[backup]] that protects it, read back with pg_restore --list
    Dump {
        target: String,
        #[command(flatten)]
        flags: ActFlags,
    },
    /// End the session of backend PID (pg_terminate_backend), or of each PID given
    Terminate {
        target: String,
        #[arg(required = true)]
        pids: Vec<i32>,
        #[command(flatten)]
        flags: ActFlags,
    },
}

pub async fn run(config: &Config, read_only: bool, action: &DbAction) -> ExitCode {
    match action {
        DbAction::Sessions { target, json } => sessions(config, target, *json).await,
        DbAction::Cancel {
            target,
            pids,
            flags,
        } => signal(config, read_only, target, pids, Verb::Cancel, flags).await,
        DbAction::Terminate {
            target,
            pids,
            flags,
        } => signal(config, read_only, target, pids, Verb::Terminate, flags).await,
        DbAction::Dump { target, flags } => {
            if let Err(e) = known(config, target) {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_NO_PLAN);
            }
            let request = Request {
                workload: crate::action::postgres::dump_addr(target),
                verb: Verb::Dump,
            };
            act::run(config, read_only, request, flags, HealthGate::default()).await
        }
    }
}

fn known(config: &Config, target: &str) -> Result<(), String> {
    if config.postgres.iter().any(|p| p.name.get_ref() == target) {
        return Ok(());
    }
    let names: Vec<&str> = config
        .postgres
        .iter()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    Err(if names.is_empty() {
        format!("no [[postgres]] target named {target:?}: none is configured")
    } else {
        format!(
            "no [[postgres]] target named {target:?}; configured: {}",
            names.join(", ")
        )
    })
}

async fn signal(
    config: &Config,
    read_only: bool,
    target: &str,
    pids: &[i32],
    verb: Verb,
    flags: &ActFlags,
) -> ExitCode {
    if let Err(e) = known(config, target) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_NO_PLAN);
    }
    let request = Request {
        workload: backends_addr(target, pids),
        verb,
    };
    act::run(config, read_only, request, flags, HealthGate::default()).await
}

async fn sessions(config: &Config, target: &str, json: bool) -> ExitCode {
    let Some(pg) = config.postgres.iter().find(|p| p.name.get_ref() == target) else {
        eprintln!("error: {}", known(config, target).unwrap_err());
        return ExitCode::from(EXIT_NO_PLAN);
    };
    let dsn = match Dsn::of(pg) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    let mut model = Model::new(config.refresh.0, true);
    model.add_target(target, TargetKind::Postgres);
    let mut source = PostgresSource::new(target, dsn);
    poll_into(&mut model, &mut source, POLL_TIMEOUT).await;
    let health = model.target(target).map(|t| t.health.clone());
    let Some((_, at, snap)) = model.databases.first() else {
        let reason = match health {
            Some(Health::Degraded { reason, .. }) => reason,
            _ => "no reading".into(),
        };
        eprintln!("error: {target}: {reason}");
        return ExitCode::from(EXIT_FAILED);
    };
    if json {
        let mut value = serde_json::to_value(snap).unwrap_or_default();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("target".into(), target.into());
            obj.insert("generated_at".into(), rfc3339(*at).into());
            let chains = serde_json::to_value(&snap.chains().roots).unwrap_or_default();
            obj.insert("lock_chains".into(), chains);
            let items = serde_json::to_value(checklist::judge(snap, *at)).unwrap_or_default();
            obj.insert("checks".into(), items);
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else {
        print_text(target, *at, snap);
    }
    ExitCode::SUCCESS
}

fn print_text(target: &str, at: i64, s: &DbSnapshot) {
    let states: Vec<String> = s.states.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let chains = s.chains();
    let blocked = match chains.roots.first() {
        Some(r) => format!(
            "blocked {} (root {} holds up {})",
            s.blocking.len(),
            r.pid,
            r.waiters.len()
        ),
        None => format!("blocked {}", s.blocking.len()),
    };
    println!(
        "{target}: {blocked} · connections {} / {} ({}): {} · PostgreSQL {}",
        s.connections,
        s.max_connections,
        percent(s.saturation() * 100.0),
        states.join(" · "),
        s.server_version,
    );
    let checks: Vec<String> = checklist::judge(s, at)
        .into_iter()
        .map(|i| format!("{} [{}]", i.figure, level(i.level)))
        .collect();
    println!("checks: {}", checks.join(" · "));
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("—".to_string(), f);
    println!(
        "tps {} · cache hit {} · replication lag {}",
        opt(s.tps, &|v| format!("{v:.1}")),
        opt(s.cache_hit_ratio, &|v| percent(v * 100.0)),
        opt(s.replication_lag(), &|v| format!("{v:.1}s")),
    );
    println!(
        "\n{:>7}  {:<28} {:<12} {:<16} {:<10} {:<16} {:<20} {:>9} {:>9}  QUERY",
        "PID", "CHAIN", "USER", "APPLICATION", "DB", "CLIENT", "STATE", "RUNNING", "XACT"
    );
    for x in &s.sessions {
        println!(
            "{:>7}  {:<28} {:<12} {:<16} {:<10} {:<16} {:<20} {:>9} {:>9}  {}",
            x.pid,
            chains.marker(x.pid).unwrap_or_default(),
            x.user,
            x.application,
            x.database,
            x.client,
            x.state,
            x.running_for(),
            x.xact_for().unwrap_or_else(|| "-".into()),
            shorten_query(&x.query, 160)
        );
        if let Some(l) = &x.lock_wait {
            println!("{:>7}  waits for {l}", "");
        }
    }
    if s.sessions.is_empty() {
        println!("{:>7}  (no session is busy)", "");
    }
    println!("\nwho holds the connections:");
    for h in &s.holders {
        println!(
            "{:>5}  {} · {} · {} · {}",
            h.connections,
            h.user,
            if h.application.is_empty() {
                "-"
            } else {
                &h.application
            },
            if h.client.is_empty() { "?" } else { &h.client },
            h.state
        );
    }
    for (name, size) in &s.databases {
        println!("database {name}: {}", bytes(*size as f64));
    }
    for r in &s.replicas {
        println!(
            "replica {} ({}): lag {}",
            r.name,
            r.state,
            opt(r.lag_seconds, &|v| format!("{v:.1}s"))
        );
    }
    match &s.statements {
        Statements::Top { rows } => {
            println!("\ntop statements by total time:");
            for r in rows {
                println!(
                    "{:>12.1} ms {:>8} calls {:>10.1} ms/call  {}",
                    r.total_ms, r.calls, r.mean_ms, r.query
                );
            }
        }
        Statements::Unavailable { reason } => println!("\nstatements: {reason}"),
    }
    for l in &s.limits {
        println!("note: {l}");
    }
}

fn level(s: crate::model::Severity) -> &'static str {
    match s {
        crate::model::Severity::Ok => "ok",
        crate::model::Severity::Info => "unknown",
        crate::model::Severity::Warning => "amber",
        crate::model::Severity::Critical => "red",
    }
}
