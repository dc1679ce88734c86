//! The queries behind the pane, each row copied into the plain structs the
//! pure converter takes. Only catalog views and functions the pg_monitor role
//! may read; what it may not is said by the converter.

use super::convert::{listed, ActivityRow, RawReading, RoleRights, StatementRow};
use super::locks::LockRow;
use crate::connect::postgres::describe;
use crate::model::database::checklist::SLOW_MEAN_MS;
use crate::model::database::{SlowStatements, TableStats};
use tokio_postgres::Client;

// Every client backend (they count against max_connections), and other
// backends only while they do something (autovacuum, walsenders, workers).
const ACTIVITY: &str = "select pid, coalesce(usename::text, ''), coalesce(application_name, ''), \
    coalesce(state, ''), wait_event_type, wait_event, \
    extract(epoch from clock_timestamp() - query_start)::float8, \
    extract(epoch from clock_timestamp() - state_change)::float8, \
    coalesce(query, ''), \
    case when wait_event_type = 'Lock' then pg_blocking_pids(pid) else '{}'::int[] end, \
    pid = pg_backend_pid(), coalesce(datname::text, ''), \
    case when client_addr is not null then host(client_addr) \
      when client_port = -1 then 'local' else '' end, \
    coalesce(backend_type, ''), extract(epoch from xact_start)::float8, \
    extract(epoch from clock_timestamp() - xact_start)::float8 \
    from pg_stat_activity \
    where backend_type = 'client backend' or (state is not null and state <> 'idle')";

const LOCKS: &str = "select pid, locktype, mode, granted, \
    case when relation is not null then relation::regclass::text end, transactionid::text \
    from pg_locks where pid = any($1) and locktype <> 'virtualxid' \
    order by pid, granted, locktype limit 2000";

// The defaults a new session gets: opsdeck's own session sets its own timeout.
const SETTINGS: &str = "select current_database()::text, \
    (select reset_val::float8 from pg_settings where name = 'statement_timeout'), \
    (select reset_val::float8 from pg_settings where name = 'idle_in_transaction_session_timeout')";

// The five tables read most by sequential scans and the five written most.
const TABLES: &str = "select name, seq_scan, seq_tup_read, idx_scan, n_live_tup, n_dead_tup, \
    writes, extract(epoch from greatest(last_autovacuum, last_vacuum))::float8 from ( \
      select schemaname || '.' || relname as name, seq_scan, seq_tup_read, idx_scan, \
        n_live_tup, n_dead_tup, n_tup_ins + n_tup_upd + n_tup_del as writes, \
        last_autovacuum, last_vacuum, \
        rank() over (order by seq_tup_read desc) as by_reads, \
        rank() over (order by n_tup_ins + n_tup_upd + n_tup_del desc) as by_writes \
      from pg_stat_user_tables) t \
    where by_reads <= 5 or by_writes <= 5";

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

const SLOW: &str = "select count(*) filter (where mean_exec_time > $1), \
    coalesce(max(mean_exec_time), 0), \
    coalesce((select query from pg_stat_statements order by mean_exec_time desc limit 1), '') \
    from pg_stat_statements";

pub async fn reading(client: &Client) -> Result<RawReading, tokio_postgres::Error> {
    let server = client.query_one(SERVER, &[]).await?;
    let statements = statements(client).await?;
    let slow = match &statements {
        Ok(_) => slow(client).await?,
        Err(_) => None,
    };
    let activity: Vec<ActivityRow> = client
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
            database: r.get(11),
            client: r.get(12),
            backend_type: r.get(13),
            xact_start: r.get(14),
            xact_secs: r.get(15),
        })
        .collect();
    let locks = client
        .query(LOCKS, &[&listed(&activity)])
        .await?
        .iter()
        .map(|r| LockRow {
            pid: r.get(0),
            locktype: r.get(1),
            mode: r.get(2),
            granted: r.get(3),
            relation: r.get(4),
            transactionid: r.get(5),
        })
        .collect();
    let settings = client.query_one(SETTINGS, &[]).await?;
    let tables = client
        .query(TABLES, &[])
        .await?
        .iter()
        .map(|r| TableStats {
            name: r.get(0),
            seq_scan: r.get(1),
            seq_tup_read: r.get(2),
            idx_scan: r.get(3),
            live_tuples: r.get(4),
            dead_tuples: r.get(5),
            writes: r.get(6),
            last_vacuum: r.get::<_, Option<f64>>(7).map(|t| t as i64),
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
        statements,
        slow,
        locks,
        database: settings.get(0),
        statement_timeout_ms: settings.get(1),
        idle_in_transaction_timeout_ms: settings.get(2),
        tables,
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

/// How many statements are slow on average and the worst; None when
/// pg_stat_statements would not say (only a lost connection is an error).
async fn slow(client: &Client) -> Result<Option<SlowStatements>, tokio_postgres::Error> {
    match client.query_one(SLOW, &[&SLOW_MEAN_MS]).await {
        Ok(r) => Ok(Some(SlowStatements {
            count: u32::try_from(r.get::<_, i64>(0)).unwrap_or(u32::MAX),
            worst_mean_ms: r.get(1),
            worst_query: r.get(2),
        })),
        Err(e) if client.is_closed() => Err(e),
        Err(_) => Ok(None),
    }
}
