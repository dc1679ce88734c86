//! Prometheus HTTP API answers, pure: the envelope (`status`, `data`,
//! `errorType`, `error`, `warnings`), every result type, and the non-JSON
//! bodies a proxy in front of Prometheus sends back.

use serde::Deserialize;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    /// Unix seconds of the evaluation.
    pub at: f64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: Labels,
    /// (unix seconds, value), oldest first.
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Vector(Vec<Sample>),
    Matrix(Vec<RangeSeries>),
    Scalar { at: f64, value: f64 },
    String { at: f64, value: String },
}

/// A successful answer and what Prometheus warned about along with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    pub data: T,
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum RawValue {
    Vector(Vec<RawSample>),
    Matrix(Vec<RawSeries>),
    Scalar((f64, String)),
    String((f64, String)),
}

#[derive(Deserialize)]
struct RawSample {
    metric: Labels,
    value: (f64, String),
}

#[derive(Deserialize)]
struct RawSeries {
    metric: Labels,
    values: Vec<(f64, String)>,
}

/// Prometheus writes sample values as strings so NaN and ±Inf survive JSON.
pub fn number(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        t => t.parse().map_err(|_| format!("`{t}` is not a number")),
    }
}

/// The first line of a body that is not JSON, without markup, for an error message.
fn gist(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut line = words.join(" ");
    if line.len() > 120 {
        let cut = (0..=120)
            .rev()
            .find(|i| line.is_char_boundary(*i))
            .unwrap_or(0);
        line.truncate(cut);
        line.push('…');
    }
    line
}

/// Decodes any API answer: Prometheus's own error text when it gives one, and
/// the HTTP status with the gist of the body when something else answered.
pub fn decode<T: for<'de> Deserialize<'de>>(status: u16, body: &str) -> Result<Answer<T>, String> {
    let env: Envelope<T> = match serde_json::from_str(body) {
        Ok(env) => env,
        Err(e) => {
            let what = if body.trim_start().starts_with('{') {
                format!("an answer Prometheus would not give ({e})")
            } else {
                format!("not JSON: {}", gist(body))
            };
            return Err(format!("HTTP {status}, {what}"));
        }
    };
    if env.status != "success" {
        return Err(format!(
            "{}: {}",
            env.error_type.unwrap_or_else(|| "error".into()),
            env.error.unwrap_or_default()
        ));
    }
    match env.data {
        Some(data) => Ok(Answer {
            data,
            warnings: env.warnings,
        }),
        None => Err("the answer has no data".into()),
    }
}

/// A `/api/v1/query` or `/api/v1/query_range` answer.
pub fn decode_value(status: u16, body: &str) -> Result<Answer<Value>, String> {
    let raw: Answer<RawValue> = decode(status, body)?;
    let data = match raw.data {
        RawValue::Vector(items) => Value::Vector(
            items
                .into_iter()
                .map(|s| {
                    Ok(Sample {
                        labels: s.metric,
                        at: s.value.0,
                        value: number(&s.value.1)?,
                    })
                })
                .collect::<Result<_, String>>()?,
        ),
        RawValue::Matrix(series) => Value::Matrix(
            series
                .into_iter()
                .map(|s| {
                    let points = s
                        .values
                        .iter()
                        .map(|(t, v)| number(v).map(|v| (*t, v)))
                        .collect::<Result<_, String>>()?;
                    Ok(RangeSeries {
                        labels: s.metric,
                        points,
                    })
                })
                .collect::<Result<_, String>>()?,
        ),
        RawValue::Scalar((at, v)) => Value::Scalar {
            at,
            value: number(&v)?,
        },
        RawValue::String((at, value)) => Value::String { at, value },
    };
    Ok(Answer {
        data,
        warnings: raw.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_type_with_special_values() {
        let v = decode_value(
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[
                {"metric":{"route":"/work"},"value":[1700000000.5,"0.25"]},
                {"metric":{},"value":[1700000000.5,"NaN"]},
                {"metric":{},"value":[1700000000.5,"-Inf"]}]}}"#,
        )
        .unwrap();
        let Value::Vector(s) = v.data else { panic!() };
        assert_eq!((s[0].labels["route"].as_str(), s[0].value), ("/work", 0.25));
        assert!(s[1].value.is_nan());
        assert_eq!(s[2].value, f64::NEG_INFINITY);

        let m = decode_value(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[
                {"metric":{"job":"demo"},"values":[[10,"1"],[20,"+Inf"]]}]},
                "warnings":["results truncated"]}"#,
        )
        .unwrap();
        assert_eq!(m.warnings, vec!["results truncated"]);
        let Value::Matrix(series) = m.data else {
            panic!()
        };
        assert_eq!(series[0].points, vec![(10.0, 1.0), (20.0, f64::INFINITY)]);

        let s = decode_value(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[5,"2"]}}"#,
        );
        assert_eq!(
            s.unwrap().data,
            Value::Scalar {
                at: 5.0,
                value: 2.0
            }
        );
        let t = decode_value(
            200,
            r#"{"status":"success","data":{"resultType":"string","result":[5,"hi"]}}"#,
        );
        assert_eq!(
            t.unwrap().data,
            Value::String {
                at: 5.0,
                value: "hi".into()
            }
        );
    }

    #[test]
    fn errors_say_who_answered_and_why() {
        let e = decode_value(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#,
        )
        .unwrap_err();
        assert_eq!(e, "bad_data: parse error at char 5");
        let proxy = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let e = decode_value(502, proxy).unwrap_err();
        assert_eq!(
            e,
            "HTTP 502, not JSON: 502 Bad Gateway 502 Bad Gateway nginx"
        );
        let e = decode_value(200, r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#).unwrap_err();
        assert!(e.contains("`x` is not a number"), "{e}");
        let e = decode_value(
            200,
            r#"{"status":"success","data":{"resultType":"histogram"}}"#,
        )
        .unwrap_err();
        assert!(
            e.starts_with("HTTP 200, an answer Prometheus would not give"),
            "{e}"
        );
    }
}
