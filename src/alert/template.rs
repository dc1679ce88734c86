//! Alert annotations as Prometheus expands them: Go templates over the
//! alert's labels and value (`{{ $labels.instance }}`, `{{ $value |
//! humanize }}`), with Prometheus's number functions registered on gtmpl
//! (a Go-template engine): `humanize`, `humanize1024`, `humanizePercentage`,
//! `humanizeDuration`, and gtmpl's own `printf`. A template that uses
//! anything else (`query`, `reReplaceAll`, ...) is shown as written with a
//! note; an annotation never fails an alert.

use gtmpl::{Context, FuncError, Template, Value};
use std::collections::{BTreeMap, HashMap};

/// What Prometheus defines before every alert template.
const PRELUDE: &str = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}\
                       {{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Expands one template over `labels` and `value`; the error says what is
/// outside the subset or wrong.
pub fn expand(text: &str, labels: &BTreeMap<String, String>, value: f64) -> Result<String, String> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    let tmpl = template(text)?;
    let labels: HashMap<String, Value> = labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let mut data: HashMap<String, Value> = HashMap::new();
    data.insert("Labels".into(), Value::from(labels));
    data.insert(
        "ExternalLabels".into(),
        Value::from(HashMap::<String, Value>::new()),
    );
    data.insert("ExternalURL".into(), Value::from(""));
    data.insert("Value".into(), Value::from(value));
    tmpl.render(&Context::from(Value::from(data)))
        .map_err(|e| first_line(&e.to_string()))
}

/// Whether `text` is within the subset, without rendering it.
pub fn check(text: &str) -> Result<(), String> {
    if text.contains("{{") {
        template(text)?;
    }
    Ok(())
}

/// Every annotation expanded; one that cannot be is kept as written, with a
/// note naming it and why.
pub fn expand_all(
    annotations: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
    value: f64,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut notes = Vec::new();
    let expanded = annotations
        .iter()
        .map(|(k, text)| {
            let out = match expand(text, labels, value) {
                Ok(out) => out,
                Err(why) => {
                    notes.push(format!(
                        "{k}: shown as written, outside the template subset opsdeck expands ({why})"
                    ));
                    text.clone()
                }
            };
            (k.clone(), out)
        })
        .collect();
    (expanded, notes)
}

fn template(text: &str) -> Result<Template, String> {
    let mut tmpl = Template::default();
    tmpl.add_funcs(&[
        ("humanize", humanize as gtmpl::Func),
        ("humanize1024", humanize1024 as gtmpl::Func),
        ("humanizePercentage", humanize_percentage as gtmpl::Func),
        ("humanizeDuration", humanize_duration as gtmpl::Func),
    ]);
    tmpl.parse(format!("{PRELUDE}{text}"))
        .map_err(|e| first_line(&e.to_string()))?;
    Ok(tmpl)
}

/// gtmpl's errors carry a backtrace after the message.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text);
    line.trim_start_matches("template: ")
        .trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())
        .trim()
        .to_string()
}

/// The one number a function takes, as Prometheus accepts it: a number or a
/// string holding one.
fn number(args: &[Value]) -> Result<f64, FuncError> {
    match args {
        [Value::Number(n)] => n
            .as_f64()
            .or_else(|| n.as_i64().map(|i| i as f64))
            .or_else(|| n.as_u64().map(|u| u as f64))
            .ok_or_else(|| FuncError::Generic("not a number".into())),
        [Value::String(s)] => s
            .trim()
            .parse()
            .map_err(|_| FuncError::Generic(format!("{s:?} is not a number"))),
        _ => Err(FuncError::ExactlyXArgs("this function".into(), 1)),
    }
}

fn text(s: String) -> Result<Value, FuncError> {
    Ok(Value::from(s))
}

/// Go's `%.4g`: four significant digits, trailing zeros dropped, an exponent
/// outside 1e-4..1e4.
pub fn g4(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let sci = format!("{v:.3e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..4).contains(&exp) {
        let m = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = (3 - exp).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn humanize(args: &[Value]) -> Result<Value, FuncError> {
    let mut v = number(args)?;
    if v == 0.0 || !v.is_finite() {
        return text(g4(v));
    }
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    text(format!("{}{prefix}", g4(v)))
}

fn humanize1024(args: &[Value]) -> Result<Value, FuncError> {
    let mut v = number(args)?;
    if v.abs() <= 1.0 || !v.is_finite() {
        return text(g4(v));
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    text(format!("{}{prefix}", g4(v)))
}

fn humanize_percentage(args: &[Value]) -> Result<Value, FuncError> {
    text(format!("{}%", g4(number(args)? * 100.0)))
}

fn humanize_duration(args: &[Value]) -> Result<Value, FuncError> {
    let mut v = number(args)?;
    if !v.is_finite() {
        return text(g4(v));
    }
    if v == 0.0 {
        return text("0s".into());
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        v = v.abs();
        let d = v as i64;
        let (days, hours, minutes, seconds) = (d / 86400, d / 3600 % 24, d / 60 % 60, d % 60);
        return text(match (days, hours, minutes) {
            (0, 0, 0) => format!("{sign}{}s", g4(v)),
            (0, 0, _) => format!("{sign}{minutes}m {seconds}s"),
            (0, _, _) => format!("{sign}{hours}h {minutes}m {seconds}s"),
            _ => format!("{sign}{days}d {hours}h {minutes}m {seconds}s"),
        });
    }
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    text(format!("{}{prefix}s", g4(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("instance".to_string(), "db1:9100".to_string()),
            ("job".to_string(), "node".to_string()),
        ])
    }

    fn x(text: &str, value: f64) -> String {
        expand(text, &labels(), value).unwrap()
    }

    #[test]
    fn labels_and_value_as_prometheus_writes_them() {
        assert_eq!(x("{{ $labels.instance }} is down", 0.0), "db1:9100 is down");
        assert_eq!(
            x("{{$labels.job}}/{{ $labels.instance }}", 0.0),
            "node/db1:9100"
        );
        assert_eq!(x("value {{ $value }}", 0.25), "value 0.25");
        assert_eq!(
            x("{{ $labels.nope }}", 0.0),
            "<no value>",
            "as Go prints a missing key"
        );
        assert_eq!(x("no template", 1.0), "no template");
    }

    #[test]
    fn the_number_functions_match_prometheus() {
        // Expected strings are what Prometheus 2.42 renders for the same values.
        assert_eq!(x("{{ $value | humanize }}", 1234567.0), "1.235M");
        assert_eq!(x("{{ humanize $value }}", 0.012), "12m");
        assert_eq!(x("{{ $value | humanize }}", 0.0), "0");
        assert_eq!(x("{{ $value | humanize1024 }}", 2048.0), "2ki");
        assert_eq!(
            x(
                "{{ $value | humanize1024 }}",
                5.5 * 1024.0 * 1024.0 * 1024.0
            ),
            "5.5Gi"
        );
        assert_eq!(x("{{ $value | humanizePercentage }}", 0.9731), "97.31%");
        assert_eq!(x("{{ $value | humanizeDuration }}", 93784.0), "1d 2h 3m 4s");
        assert_eq!(x("{{ $value | humanizeDuration }}", 3.5), "3.5s");
        assert_eq!(x("{{ $value | humanizeDuration }}", 0.0123), "12.3ms");
        assert_eq!(x("{{ printf \"%.2f\" $value }}%", 12.3456), "12.35%");
        assert_eq!(x("{{ \"1024\" | humanize1024 }}", 0.0), "1ki");
    }

    #[test]
    fn g4_is_gos_percent_4g() {
        let cases = [
            (1234.6, "1235"),
            (1234.5, "1234"),
            (123456.0, "1.235e+05"),
            (0.5, "0.5"),
            (0.00001234, "1.234e-05"),
            (100.0, "100"),
            (-2.5, "-2.5"),
        ];
        for (v, want) in cases {
            assert_eq!(g4(v), want, "{v}");
        }
    }

    #[test]
    fn outside_the_subset_is_kept_with_a_note_never_an_error() {
        let annotations = BTreeMap::from([
            (
                "summary".to_string(),
                "{{ $labels.instance }} down".to_string(),
            ),
            (
                "description".to_string(),
                "{{ with query \"up\" }}{{ . | first | value }}{{ end }}".to_string(),
            ),
        ]);
        let (out, notes) = expand_all(&annotations, &labels(), 1.0);
        assert_eq!(out["summary"], "db1:9100 down");
        assert_eq!(out["description"], annotations["description"]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("description: shown as written") && notes[0].contains("query"),
            "{notes:?}"
        );
        assert!(check("{{ $value | humanize }}").is_ok());
        assert!(check("{{ $value | reReplaceAll \"a\" \"b\" }}").is_err());
    }
}
