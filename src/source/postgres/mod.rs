//! A `[[postgres]]` target: one connection kept open (and opened again after
//! it is lost), read each interval into a `DbSnapshot` and the
//! `postgres:NAME:*` series. A statement timeout on the session means a stuck
//! server fails a poll rather than stalls the collector.

pub mod convert;
mod read;

use super::{Source, Update};
use crate::base::time::unix_now;
use crate::connect::postgres::{connect, describe, Dsn};
use crate::model::database::Statements;
use crate::model::Health;
use convert::Counter;
use tokio_postgres::Client;

pub struct PostgresSource {
    name: String,
    dsn: Dsn,
    client: Option<Client>,
    counter: Option<Counter>,
}

impl PostgresSource {
    pub fn new(name: &str, dsn: Dsn) -> Self {
        PostgresSource {
            name: name.to_string(),
            dsn,
            client: None,
            counter: None,
        }
    }

    async fn client(&mut self) -> Result<&Client, String> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            let client = connect(&self.dsn)
                .await
                .map_err(|e| format!("{}: {e}", self.dsn.describe()))?;
            self.client = Some(client);
        }
        self.client
            .as_ref()
            .ok_or_else(|| "no connection".to_string())
    }
}

impl Source for PostgresSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let client = self.client().await?;
        let raw = match read::reading(client).await {
            Ok(raw) => raw,
            Err(e) => {
                // Whatever went wrong, the next poll starts from a fresh session.
                self.client = None;
                return Err(self.dsn.scrub(&describe(&e)));
            }
        };
        let at = unix_now();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let (mut snapshot, counter) = convert::convert(raw, now, self.counter);
        // The DSN's own password can reach query text (an ALTER ROLE, say).
        for s in &mut snapshot.sessions {
            s.query = self.dsn.scrub(&s.query);
        }
        if let Statements::Top { rows } = &mut snapshot.statements {
            for r in rows {
                r.query = self.dsn.scrub(&r.query);
            }
        }
        self.counter = counter;
        Ok(vec![
            Update::Series {
                target: self.name.clone(),
                at,
                series: snapshot.series(&self.name),
                health: Health::Ok,
            },
            Update::Database {
                target: self.name.clone(),
                at,
                snapshot: Box::new(snapshot),
            },
        ])
    }
}
