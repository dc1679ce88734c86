//! WAL archiving of the protected target, from `pg_stat_archiver` on the
//! target's one session.

use crate::connect::postgres::{describe, Session};
use crate::model::backup::BackupReading;

const ARCHIVER: &str =
    "select current_setting('archive_mode'), archived_count, last_archived_wal, \
    extract(epoch from last_archived_time)::float8, failed_count, last_failed_wal, \
    extract(epoch from last_failed_time)::float8 from pg_stat_archiver";

pub async fn read(session: &Session) -> Result<BackupReading, String> {
    let row = {
        let held = session.lock().await?;
        held.query_one(ARCHIVER, &[])
            .await
            .map_err(|e| session.dsn().scrub(&describe(&e)))?
    };
    let mode: String = row.get(0);
    if mode == "off" {
        return Err(format!(
            "archive_mode is off on {}: no WAL is archived",
            session.target()
        ));
    }
    let secs = |i: usize| row.get::<_, Option<f64>>(i).map(|t| t as i64);
    Ok(BackupReading::WalArchive {
        archived_count: row.get(1),
        last_archived_wal: row.get(2),
        last_archived: secs(3),
        failed_count: row.get(4),
        last_failed_wal: row.get(5),
        last_failed: secs(6),
    })
}
