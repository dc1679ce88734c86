//! SQL checks: the query runs on the `[[postgres]]` target in a read-only
//! transaction that is rolled back, under opsdeck's statement timeout, so a
//! check can read but never change the database. Cells come back as text
//! (the simple protocol) and are judged as numbers where they are numbers.

use crate::config::Config;
use crate::connect::postgres::{connect, describe, Dsn};
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
    let client = match connect(&dsn).await {
        Ok(c) => c,
        Err(e) => return Facts::Unavailable(format!("postgres `{}`: {e}", check.target)),
    };
    if let Err(e) = client.batch_execute("begin transaction read only").await {
        return Facts::Unavailable(dsn.scrub(&describe(&e)));
    }
    let answer = client.simple_query(&check.query).await;
    let _ = client.batch_execute("rollback").await;
    match answer {
        Ok(messages) => rows(&messages),
        Err(e) => Facts::Unavailable(format!(
            "postgres `{}`: {}",
            check.target,
            dsn.scrub(&describe(&e))
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
            _ => Value::String(t.to_string()),
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
    }
}
