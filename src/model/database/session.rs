//! One backend as pg_activity shows it: who, where from, what state, how
//! long its query and its transaction have run, the lock it waits for and the
//! locks it holds, and its whole query (secrets masked).

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DbSession {
    pub pid: i32,
    pub user: String,
    pub application: String,
    pub database: String,
    /// The client's address, `local` over a Unix socket, empty when hidden.
    pub client: String,
    /// `client backend`, `autovacuum worker`, `walsender`, ...
    pub backend_type: String,
    pub state: String,
    /// `Lock:transactionid`, `Client:ClientRead`, ... or empty.
    pub wait_event: String,
    /// Seconds since the current query started (since the state changed when idle in transaction).
    pub running_secs: f64,
    /// Seconds since its transaction began; None outside a transaction.
    pub xact_secs: Option<f64>,
    /// When its transaction began, unix seconds.
    pub xact_start: Option<i64>,
    /// The whole query text as the server keeps it, password literals masked.
    pub query: String,
    pub blocked_by: Vec<i32>,
    /// For a session waiting on a lock: its mode and what it locks
    /// (`ShareLock on transaction 7261 (row of public.accounts)`).
    pub lock_wait: Option<String>,
    /// The locks it holds, one each (`RowExclusiveLock on public.accounts`).
    pub locks_held: Vec<String>,
}

impl DbSession {
    /// `1m20s`, to the second.
    pub fn running_for(&self) -> String {
        secs(self.running_secs)
    }

    /// How long its transaction has been open, when it is in one.
    pub fn xact_for(&self) -> Option<String> {
        self.xact_secs.map(secs)
    }

    /// The state as a table cell: `idle in transaction` is the long one.
    pub fn short_state(&self) -> String {
        self.state
            .replace("idle in transaction", "idle in tx")
            .replace("(aborted)", "aborted")
    }

    /// `client`, `autovacuum`, `walsender`: the backend type without the
    /// word every one of them ends in.
    pub fn short_backend_type(&self) -> String {
        self.backend_type
            .trim_end_matches(" backend")
            .trim_end_matches(" worker")
            .to_string()
    }

    /// The query on one line, cut at `max` characters.
    pub fn query_line(&self, max: usize) -> String {
        shorten_query(&self.query, max)
    }
}

fn secs(s: f64) -> String {
    crate::base::duration::format(std::time::Duration::from_secs(s.max(0.0) as u64))
}

/// Query text for one line: whitespace collapsed, password literals masked
/// (`base::redact::sql`), cut at `max` characters.
pub fn shorten_query(text: &str, max: usize) -> String {
    let one_line =
        crate::base::redact::sql::mask(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_one_line_masked_and_cut() {
        assert_eq!(shorten_query("select\n  *\tfrom t", 40), "select * from t");
        assert_eq!(shorten_query("abcdefghij", 5), "abcd…");
        assert_eq!(
            shorten_query("alter role w\n password $$x y$$", 80),
            "alter role w password '***'"
        );
    }

    #[test]
    fn states_and_ages_read_short() {
        let s = DbSession {
            state: "idle in transaction (aborted)".into(),
            running_secs: 95.4,
            xact_secs: Some(600.0),
            ..Default::default()
        };
        assert_eq!(s.short_state(), "idle in tx aborted");
        assert_eq!(s.running_for(), "1m35s");
        assert_eq!(s.xact_for().as_deref(), Some("10m"));
    }
}
