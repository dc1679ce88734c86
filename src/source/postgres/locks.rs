//! A backend's rows of `pg_locks` in words: the lock it waits for (mode and
//! what it locks) and the locks it holds. A row lock wait shows as a wait on
//! the holder's transaction; the tuple lock the waiter already holds names
//! the table the row is in.

/// One row of pg_locks (virtualxid locks left out: every transaction holds its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockRow {
    pub pid: i32,
    /// `relation`, `tuple`, `transactionid`, `advisory`, ...
    pub locktype: String,
    pub mode: String,
    pub granted: bool,
    /// The relation's name as `regclass` prints it (an OID for another database's).
    pub relation: Option<String>,
    pub transactionid: Option<String>,
}

/// Held locks listed for one backend before `… N more`.
const HELD_SHOWN: usize = 30;

/// The lock `pid` waits for, if any, and those it holds.
pub fn of(pid: i32, rows: &[LockRow]) -> (Option<String>, Vec<String>) {
    let mine: Vec<&LockRow> = rows.iter().filter(|r| r.pid == pid).collect();
    let row_of = mine
        .iter()
        .find(|r| r.granted && r.locktype == "tuple")
        .and_then(|r| r.relation.clone());
    let wait = mine.iter().find(|r| !r.granted).map(|r| {
        let what = target(r);
        match (&row_of, r.locktype.as_str()) {
            (Some(rel), "transactionid") => format!("{} on {what} (row of {rel})", r.mode),
            _ => format!("{} on {what}", r.mode),
        }
    });
    let mut held: Vec<String> = Vec::new();
    for r in mine.iter().filter(|r| r.granted) {
        let line = format!("{} on {}", r.mode, target(r));
        if !held.contains(&line) {
            held.push(line);
        }
    }
    if held.len() > HELD_SHOWN {
        let more = held.len() - HELD_SHOWN;
        held.truncate(HELD_SHOWN);
        held.push(format!("… {more} more"));
    }
    (wait, held)
}

fn target(r: &LockRow) -> String {
    let rel = r.relation.as_deref().unwrap_or("?");
    match r.locktype.as_str() {
        "relation" => rel.to_string(),
        "tuple" => format!("a row of {rel}"),
        "transactionid" => format!("transaction {}", r.transactionid.as_deref().unwrap_or("?")),
        "advisory" => "an advisory lock".into(),
        other => match &r.relation {
            Some(rel) => format!("{other} of {rel}"),
            None => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(pid: i32, locktype: &str, mode: &str, granted: bool, rel: Option<&str>) -> LockRow {
        LockRow {
            pid,
            locktype: locktype.into(),
            mode: mode.into(),
            granted,
            relation: rel.map(str::to_string),
            transactionid: (locktype == "transactionid").then(|| "771".to_string()),
        }
    }

    #[test]
    fn a_row_wait_names_the_transaction_and_the_table() {
        let rows = vec![
            lock(10, "relation", "RowExclusiveLock", true, Some("accounts")),
            lock(
                10,
                "relation",
                "RowExclusiveLock",
                true,
                Some("accounts_pkey"),
            ),
            lock(10, "transactionid", "ExclusiveLock", true, None),
            lock(11, "relation", "RowExclusiveLock", true, Some("accounts")),
            lock(11, "tuple", "ExclusiveLock", true, Some("accounts")),
            lock(11, "transactionid", "ShareLock", false, None),
            lock(12, "tuple", "ExclusiveLock", false, Some("accounts")),
            lock(13, "relation", "AccessExclusiveLock", false, Some("orders")),
        ];
        let (wait, held) = of(10, &rows);
        assert_eq!(wait, None);
        assert_eq!(
            held,
            [
                "RowExclusiveLock on accounts",
                "RowExclusiveLock on accounts_pkey",
                "ExclusiveLock on transaction 771"
            ]
        );
        assert_eq!(
            of(11, &rows).0.as_deref(),
            Some("ShareLock on transaction 771 (row of accounts)")
        );
        assert_eq!(
            of(12, &rows).0.as_deref(),
            Some("ExclusiveLock on a row of accounts")
        );
        assert_eq!(
            of(13, &rows).0.as_deref(),
            Some("AccessExclusiveLock on orders")
        );
        assert_eq!(of(99, &rows), (None, vec![]));
    }
}
