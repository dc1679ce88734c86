//! The one place a PostgreSQL session is opened: the DSN from the
//! environment or a file, TLS verified, opsdeck's statement timeout set;
//! one session per target for the process (`session`).

pub mod dsn;
mod session;
pub mod tools;

pub use dsn::{Dsn, Tls, CONNECT_TIMEOUT, STATEMENT_TIMEOUT};
pub use session::{session, Held, Session};

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

/// What to do when the server has no connection slot left for opsdeck's role.
pub const FULL_WAY_OUT: &str = "the server is full. Way out: a superuser can still connect on one of the superuser_reserved_connections slots (give this target a superuser's DSN), or free a slot (end an idle client or stop a pool), or raise max_connections or superuser_reserved_connections (a restart)";

/// Opens a session on `dsn` with opsdeck's statement timeout; the
/// connection runs on its own task until the client is dropped. Use
/// [`session`] instead: this opens a new connection every time.
async fn connect(dsn: &Dsn) -> Result<Client, String> {
    let fail = |e: tokio_postgres::Error| {
        let said = dsn.scrub(&describe(&e));
        if e.code() == Some(&SqlState::TOO_MANY_CONNECTIONS) {
            format!("{said} — {FULL_WAY_OUT}")
        } else {
            said
        }
    };
    let client = match dsn.tls {
        Tls::Off => {
            let (client, conn) = dsn.config.connect(NoTls).await.map_err(fail)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        }
        Tls::Prefer | Tls::Require => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(
                (*crate::connect::http::tls_client_config(&[])?).clone(),
            );
            let (client, conn) = dsn.config.connect(tls).await.map_err(fail)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        }
    };
    client
        .batch_execute(&format!(
            "set statement_timeout = {}",
            STATEMENT_TIMEOUT.as_millis()
        ))
        .await
        .map_err(fail)?;
    Ok(client)
}

/// A connection of its own, for a database nothing else uses (a restore
/// drill's scratch database): dropped with the client.
pub async fn connect_once(dsn: &Dsn) -> Result<Client, String> {
    connect(dsn).await
}

/// A driver error as one line: the server's own words when it sent any,
/// else the error and its causes.
pub fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}
