//! SQL checks: the query runs on the `[[postgres]]` target's one session (so
//! a check still reads a server with no connection slot left) in a read-only
//! transaction that is rolled back, under opsdeck's statement timeout, so a
//! check can read but never change the database. Cells come back as text
//! (the simple protocol) and are judged as numbers where they are numbers;
//! text cells lose any password literal before a timeline or report sees them.

use crate::base::redact::sql::mask;
use crate::config::Config;
use crate::connect::postgres::{describe, session, Dsn};
use crate::runbook::judge::Facts;
use crate::runbook::spec::check::SqlCheck;
use serde_json::Value;
use tokio_postgres::SimpleQueryMessage;

pub async fn facts(config: &Config, check: &SqlCheck) -> Facts {
    let Some(pg) = config
        .postgres
        .iter()
        .find(|p| p.name.get_ref() == &check.target)
    else {
        return Facts::Unavailable(format!(
            "no [[postgres]] target `{}` in the config",
            check.target
        ));
    };
    let dsn = match Dsn::of(pg) {
        Ok(d) => d,
        Err(e) => return Facts::Unavailable(e),
    };
    let session = session(&check.target, &dsn);
    let mut held = match session.lock().await {
        Ok(h) => h,
        Err(e) => return Facts::Unavailable(format!("postgres `{}`: {e}", check.target)),
    };
    match held.read_only(&check.query).await {
        Ok(messages) => rows(&messages),
        Err(e) => Facts::Unavailable(format!(
            "postgres `{}`: {}",
            check.target,
            mask(&dsn.scrub(&describe(&e)))
        )),
    }
}

/// The last statement's rows (a query may set something up first).
fn rows(messages: &[SimpleQueryMessage]) -> Facts {
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::RowDescription(cols) => {
                columns = cols.iter().map(|c| c.name().to_string()).collect();
                rows.clear();
            }
            SimpleQueryMessage::Row(r) => {
                if columns.is_empty() {
                    columns = r.columns().iter().map(|c| c.name().to_string()).collect();
                }
                rows.push((0..r.len()).map(|i| cell(r.get(i))).collect());
            }
            _ => {}
        }
    }
    Facts::Rows { columns, rows }
}

fn cell(text: Option<&str>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => match (t.parse::<i64>(), t.parse::<f64>()) {
            (Ok(i), _) => serde_json::json!(i),
            (_, Ok(n)) if n.is_finite() => serde_json::json!(n),
            _ => Value::String(mask(t)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_numbers_where_they_read_as_numbers() {
        assert_eq!(cell(Some("42")), serde_json::json!(42));
        assert_eq!(cell(Some("0.25")), serde_json::json!(0.25));
        assert_eq!(cell(Some("{4242}")), Value::String("{4242}".into()));
        assert_eq!(cell(None), Value::Null);
        assert_eq!(
            cell(Some("alter role x password $p$s3cret$p$")),
            Value::String("alter role x password '***'".into())
        );
    }
}
