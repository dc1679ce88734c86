//! The queries behind the pane, each row copied into the plain structs the
//! pure converter takes. Only catalog views and functions the pg_monitor role
//! may read; what it may not is said by the converter.

use super::convert::{ActivityRow, RawReading, RoleRights, StatementRow};
use crate::connect::postgres::describe;
use tokio_postgres::Client;

const ACTIVITY: &str = "select pid, coalesce(usename::text, ''), coalesce(application_name, ''), \
    coalesce(state, ''), wait_event_type, wait_event, \
    extract(epoch from clock_timestamp() - query_start)::float8, \
    extract(epoch from clock_timestamp() - state_change)::float8, \
    coalesce(query, ''), \
    case when wait_event_type = 'Lock' then pg_blocking_pids(pid) else '{}'::int[] end, \
    pid = pg_backend_pid() \
    from pg_stat_activity where backend_type = 'client backend'";

const SERVER: &str = "select current_setting('server_version'), \
    current_setting('max_connections')::int, current_user::text, r.rolsuper, \
    pg_has_role(current_user, 'pg_read_all_stats', 'member'), \
    pg_has_role(current_user, 'pg_signal_backend', 'member'), \
    (select sum(xact_commit + xact_rollback)::float8 from pg_stat_database), \
    (select sum(blks_hit)::float8 from pg_stat_database), \
    (select sum(blks_read)::float8 from pg_stat_database), \
    case when pg_is_in_recovery() \
      then extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end \
    from pg_roles r where r.rolname = current_user";

const SIZES: &str = "select datname::text, pg_database_size(oid) from pg_database \
    where not datistemplate and datallowconn order by 2 desc";

const REPLICAS: &str = "select coalesce(application_name, client_addr::text, pid::text), \
    coalesce(state, ''), extract(epoch from replay_lag)::float8 from pg_stat_replication";

const HAS_STATEMENTS: &str =
    "select exists (select 1 from pg_extension where extname = 'pg_stat_statements')";

const STATEMENTS: &str = "select calls, total_exec_time, mean_exec_time, query, \
    (sum(calls) over ())::float8, (sum(total_exec_time) over ())::float8 \
    from pg_stat_statements order by total_exec_time desc limit 10";

pub async fn reading(client: &Client) -> Result<RawReading, tokio_postgres::Error> {
    let server = client.query_one(SERVER, &[]).await?;
    let activity = client
        .query(ACTIVITY, &[])
        .await?
        .iter()
        .map(|r| ActivityRow {
            pid: r.get(0),
            user: r.get(1),
            application: r.get(2),
            state: r.get(3),
            wait_event_type: r.get(4),
            wait_event: r.get(5),
            query_secs: r.get(6),
            state_secs: r.get(7),
            query: r.get(8),
            blocked_by: r.get(9),
            is_self: r.get(10),
        })
        .collect();
    let databases = client
        .query(SIZES, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let replicas = client
        .query(REPLICAS, &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    Ok(RawReading {
        server_version: server.get(0),
        max_connections: server.get(1),
        role: server.get(2),
        rights: RoleRights {
            superuser: server.get(3),
            read_all_stats: server.get(4),
            signal_backend: server.get(5),
        },
        activity,
        xacts: server.get(6),
        blks_hit: server.get(7),
        blks_read: server.get(8),
        databases,
        replicas,
        replay_lag_seconds: server.get(9),
        statements: statements(client).await?,
    })
}

/// The top statements, or why there are none; only a lost connection is an error.
async fn statements(
    client: &Client,
) -> Result<Result<Vec<StatementRow>, String>, tokio_postgres::Error> {
    let installed: bool = client.query_one(HAS_STATEMENTS, &[]).await?.get(0);
    if !installed {
        return Ok(Err(
            "pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements; it needs shared_preload_libraries)".into(),
        ));
    }
    match client.query(STATEMENTS, &[]).await {
        Ok(rows) => Ok(Ok(rows
            .iter()
            .map(|r| StatementRow {
                calls: r.get(0),
                total_ms: r.get(1),
                mean_ms: r.get(2),
                query: r.get(3),
                all_calls: r.get(4),
                all_total_ms: r.get(5),
            })
            .collect())),
        Err(e) if client.is_closed() => Err(e),
        Err(e) => Ok(Err(format!("pg_stat_statements: {}", describe(&e)))),
    }
}
