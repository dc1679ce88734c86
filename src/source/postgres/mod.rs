//! A `[[postgres]]` target: read each interval on the target's one session
//! (`connect::postgres::session`, shared with cancel/terminate and SQL checks,
//! opened again only once lost) into a `DbSnapshot` and the
//! `postgres:NAME:*` series. A statement timeout on the session means a stuck
//! server fails a poll rather than stalls the collector.

pub mod convert;
mod locks;
mod read;

use super::{Source, Update};
use crate::base::time::unix_now;
use crate::connect::postgres::{describe, session, Dsn, Session};
use crate::model::database::Statements;
use crate::model::Health;
use convert::Counter;

pub struct PostgresSource {
    name: String,
    session: Session,
    counter: Option<Counter>,
}

impl PostgresSource {
    pub fn new(name: &str, dsn: Dsn) -> Self {
        PostgresSource {
            name: name.to_string(),
            session: session(name, &dsn),
            counter: None,
        }
    }
}

impl Source for PostgresSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let dsn = self.session.dsn();
        // A failed statement leaves the session usable; only a lost one is
        // opened again, by the next lock: on a full server it could not be.
        let raw = {
            let held = self.session.lock().await?;
            read::reading(&held)
                .await
                .map_err(|e| dsn.scrub(&describe(&e)))?
        };
        let at = unix_now();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let (mut snapshot, counter) = convert::convert(raw, now, self.counter);
        // The DSN's own password can reach query text (an ALTER ROLE, say).
        for s in &mut snapshot.sessions {
            s.query = dsn.scrub(&s.query);
        }
        if let Statements::Top { rows } = &mut snapshot.statements {
            for r in rows {
                r.query = dsn.scrub(&r.query);
            }
        }
        if let Some(slow) = &mut snapshot.checklist.slow {
            slow.worst_query = dsn.scrub(&slow.worst_query);
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
