//! PromQL checks: an instant query against a configured `[[prometheus]]`.

use crate::config::Config;
use crate::prometheus::{Client, Value};
use crate::runbook::judge::Facts;
use crate::runbook::spec::check::PromqlCheck;

pub async fn facts(config: &Config, p: &PromqlCheck) -> Facts {
    let server = match &p.prometheus {
        Some(name) => config.prometheus.iter().find(|s| s.name.get_ref() == name),
        None => config.prometheus.first(),
    };
    let Some(server) = server else {
        return Facts::Unavailable(match &p.prometheus {
            Some(name) => format!("no [[prometheus]] named `{name}` in the config"),
            None => "no [[prometheus]] in the config to run the query against".into(),
        });
    };
    let client = match Client::for_target(server) {
        Ok(c) => c,
        Err(e) => return Facts::Unavailable(e),
    };
    match client.query(&p.query).await {
        Ok(answer) => number(&answer.data),
        Err(e) => Facts::Unavailable(format!("prometheus `{}`: {e}", server.name.get_ref())),
    }
}

/// The first sample of an instant answer; an empty vector is "no data".
fn number(value: &Value) -> Facts {
    match value {
        Value::Vector(samples) => Facts::Number(samples.first().map(|s| s.value)),
        Value::Scalar { value, .. } => Facts::Number(Some(*value)),
        Value::Matrix(_) => Facts::Unavailable(
            "the query returned a range (matrix); a check needs an instant vector or scalar".into(),
        ),
        Value::String { .. } => {
            Facts::Unavailable("the query returned a string, not a number".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prometheus::Sample;

    #[test]
    fn first_sample_or_no_data() {
        let s = Sample {
            labels: Default::default(),
            at: 1.0,
            value: 0.25,
        };
        assert_eq!(number(&Value::Vector(vec![s])), Facts::Number(Some(0.25)));
        assert_eq!(number(&Value::Vector(vec![])), Facts::Number(None));
        assert_eq!(
            number(&Value::Scalar {
                at: 1.0,
                value: 3.0
            }),
            Facts::Number(Some(3.0))
        );
        assert!(matches!(
            number(&Value::Matrix(vec![])),
            Facts::Unavailable(_)
        ));
    }
}
