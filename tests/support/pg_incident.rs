//! A database incident staged on a real PostgreSQL (`postgres.rs`): a
//! monitoring role for opsdeck, an application role, a lock chain A→B→C,
//! and a pool that takes every normal connection slot.
#![allow(dead_code)]

use super::postgres::{backend_pid, session, Postgres};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_postgres::Client;

pub const WATCHER_PASSWORD: &str = "pw-Watch-42ab77";
pub const APP_PASSWORD: &str = "pw-App-9c1e5d";

/// opsdeck's role: pg_monitor to read everything, pg_signal_backend to
/// cancel and terminate others' sessions, not a superuser (so no reserved slot).
pub async fn roles(pg: &Postgres) -> Client {
    let admin = session(&pg.superuser_dsn(), "setup").await;
    admin
        .batch_execute(&format!(
            "create role watcher login password '{WATCHER_PASSWORD}' in role pg_monitor, pg_signal_backend;
             create role app login password '{APP_PASSWORD}';
             create table accounts (id int primary key, balance int);
             create table orders (id int primary key, status text);
             insert into accounts values (1, 100);
             insert into orders values (1, 'new');
             grant select, update on accounts, orders to app;"
        ))
        .await
        .unwrap();
    admin
}

pub fn watcher_dsn(pg: &Postgres) -> String {
    pg.dsn("watcher", WATCHER_PASSWORD, "postgres")
}

pub fn app_dsn(pg: &Postgres) -> String {
    pg.dsn("app", APP_PASSWORD, "postgres")
}

/// A config with `[[postgres]] main-db` reading its DSN from a private file.
pub fn config(dir: &Path, dsn: &str, extra: &str) -> PathBuf {
    let dsn_file = dir.join("main-db.dsn");
    super::postgres::write_dsn_file(&dsn_file, dsn);
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "refresh = \"1s\"\n{extra}\n[[postgres]]\nname = \"main-db\"\nurl_file = \"{}\"\n",
            dsn_file.display()
        ),
    )
    .unwrap();
    config
}

/// A holds a row of accounts idle in a transaction; B, in a transaction
/// that holds a row of orders, waits for A; C waits for B's row of orders.
pub struct Chain {
    pub a: i32,
    pub b: i32,
    pub c: i32,
    pub holder: Client,
    pub waiting: Vec<tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>>,
}

pub async fn chain(pg: &Postgres, admin: &Client) -> Chain {
    let dsn = app_dsn(pg);
    let holder = session(&dsn, "shop-worker").await;
    // Each PID is read first: a query after would be the one on screen.
    let a = backend_pid(&holder).await;
    holder
        .batch_execute("begin; update accounts set balance = balance + 1 where id = 1")
        .await
        .unwrap();
    let b_client = session(&dsn, "shop-api").await;
    let b = backend_pid(&b_client).await;
    let b_task = tokio::spawn(async move {
        b_client
            .batch_execute(
                "begin; update orders set status = 'paying' where id = 1;
                 update accounts set balance = balance - 1 where id = 1",
            )
            .await?;
        // B keeps its transaction (and its row of orders) open until it is dropped.
        std::future::pending::<()>().await;
        Ok(())
    });
    wait_until_waiting(admin, b).await;
    let c_client = session(&dsn, "shop-api").await;
    let c = backend_pid(&c_client).await;
    let c_task = tokio::spawn(async move {
        c_client
            .batch_execute("update orders set status = 'paid' where id = 1")
            .await
    });
    wait_until_waiting(admin, c).await;
    Chain {
        a,
        b,
        c,
        holder,
        waiting: vec![b_task, c_task],
    }
}

/// Until `pid` waits for a lock.
pub async fn wait_until_waiting(admin: &Client, pid: i32) {
    wait_for_lock_wait(admin, pid, true).await
}

/// Until `pid` no longer waits for a lock.
pub async fn wait_until_not_waiting(admin: &Client, pid: i32) {
    wait_for_lock_wait(admin, pid, false).await
}

async fn wait_for_lock_wait(admin: &Client, pid: i32, want: bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let waiting: bool = admin
            .query_one(
                "select coalesce(wait_event_type = 'Lock', false) from pg_stat_activity where pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "backend {pid}: waiting for a lock stayed {waiting}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether backend `pid` is still there.
pub async fn alive(admin: &Client, pid: i32) -> bool {
    admin
        .query_one(
            "select exists (select 1 from pg_stat_activity where pid = $1)",
            &[&pid],
        )
        .await
        .unwrap()
        .get(0)
}

/// The application's pool: connections as `app` (application `pool`)
/// until the server refuses one, the first `idle_in_tx` of them left idle in
/// a transaction. Returns them with the server's refusal.
pub async fn fill(pg: &Postgres, idle_in_tx: usize) -> (Vec<Client>, String) {
    let mut config: tokio_postgres::Config = app_dsn(pg).parse().unwrap();
    config.application_name("pool");
    let mut pool = Vec::new();
    loop {
        match config.connect(tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                if pool.len() < idle_in_tx {
                    client.batch_execute("begin; select 1").await.unwrap();
                }
                pool.push(client);
            }
            Err(e) => {
                let said = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                assert!(
                    said.contains("remaining connection slots are reserved"),
                    "the server refused for another reason: {said}"
                );
                return (pool, said);
            }
        }
        assert!(pool.len() < 200, "the server never filled up");
    }
}
