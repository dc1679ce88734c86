//! What cancel and terminate read of the backends they act on, and of the
//! blocking graph around them, on the target's one session.

use crate::connect::postgres::describe;
use crate::model::database::{BlockEdge, Chains};
use crate::model::WorkloadAddr;
use tokio_postgres::Client;

/// The group of a backend's address: `main-db/backend/12345`; several
/// backends are one address with their PIDs joined: `main-db/backend/12,13`.
pub const BACKEND: &str = "backend";

const BACKEND_ROWS: &str = "select pid, coalesce(usename::text, ''), \
    coalesce(application_name, ''), coalesce(state, ''), \
    coalesce(to_char(query_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), \
    coalesce(query, ''), pid = pg_backend_pid(), \
    case when client_addr is not null then host(client_addr) \
      when client_port = -1 then 'local' else '' end \
    from pg_stat_activity where pid = any($1)";

const GRAPH: &str = "select pid, pg_blocking_pids(pid) from pg_stat_activity \
    where wait_event_type = 'Lock'";

/// What the plan saw of a backend; execute compares a fresh one with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub pid: i32,
    pub user: String,
    pub application: String,
    pub state: String,
    /// UTC, to the second: a different query has a different start.
    pub query_start: String,
    pub query: String,
    pub is_self: bool,
    pub client: String,
}

/// The backends a request addresses, as PIDs, in the order given.
pub fn backend_pids(addr: &WorkloadAddr) -> Result<Vec<i32>, String> {
    if addr.group != BACKEND {
        return Err(format!(
            "{addr} is not a PostgreSQL backend: expected TARGET/backend/PID"
        ));
    }
    let mut pids = Vec::new();
    for part in addr.name.split(',') {
        match part.trim().parse::<i32>() {
            Ok(pid) if pid > 0 && !pids.contains(&pid) => pids.push(pid),
            Ok(pid) if pid > 0 => {}
            _ => return Err(format!("{part:?} is not a backend PID")),
        }
    }
    Ok(pids)
}

/// The address of one backend or several.
pub fn backends_addr(target: &str, pids: &[i32]) -> WorkloadAddr {
    let name: Vec<String> = pids.iter().map(i32::to_string).collect();
    WorkloadAddr::new(target, BACKEND, &name.join(","))
}

/// The backends among `pids` that exist now, in the order of `pids`.
pub async fn read(client: &Client, pids: &[i32]) -> Result<Vec<Backend>, tokio_postgres::Error> {
    let rows = client.query(BACKEND_ROWS, &[&pids]).await?;
    let mut found: Vec<Backend> = rows
        .iter()
        .map(|r| Backend {
            pid: r.get(0),
            user: r.get(1),
            application: r.get(2),
            state: r.get(3),
            query_start: r.get(4),
            query: r.get(5),
            is_self: r.get(6),
            client: r.get(7),
        })
        .collect();
    found.sort_by_key(|b| pids.iter().position(|p| *p == b.pid));
    Ok(found)
}

/// Who blocks whom on the server now.
pub async fn chains(client: &Client) -> Result<Chains, tokio_postgres::Error> {
    let edges: Vec<BlockEdge> = client
        .query(GRAPH, &[])
        .await?
        .iter()
        .map(|r| BlockEdge {
            blocked: r.get(0),
            blockers: r.get(1),
        })
        .filter(|e| !e.blockers.is_empty())
        .collect();
    Ok(Chains::of(&edges))
}

/// A driver error as text fit to show, the DSN scrubbed.
pub fn said(dsn: &crate::connect::postgres::Dsn, e: &tokio_postgres::Error) -> String {
    dsn.scrub(&describe(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_addressed_by_pid_one_or_several() {
        let addr: WorkloadAddr = "main-db/backend/4242".parse().unwrap();
        assert_eq!(backend_pids(&addr), Ok(vec![4242]));
        let addr: WorkloadAddr = "main-db/backend/12,13,12".parse().unwrap();
        assert_eq!(backend_pids(&addr), Ok(vec![12, 13]));
        assert_eq!(
            backends_addr("main-db", &[12, 13]).to_string(),
            "main-db/backend/12,13"
        );
        let e = backend_pids(&"main-db/shop/api".parse().unwrap()).unwrap_err();
        assert!(e.contains("TARGET/backend/PID"), "{e}");
        let e = backend_pids(&"main-db/backend/abc".parse().unwrap()).unwrap_err();
        assert!(e.contains("not a backend PID"), "{e}");
        assert!(backend_pids(&"main-db/backend/12,".parse().unwrap()).is_err());
    }
}
