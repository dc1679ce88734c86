//! The one expression language of runbooks: Jinja syntax through minijinja,
//! for templates (`"{{ params.health_url }}"`) and for conditions
//! (`"steps.probe.status == 'passed'"`). Undefined names are errors, so a
//! typo fails loudly instead of rendering as an empty string.

use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError(pub String);

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExprError {}

impl From<minijinja::Error> for ExprError {
    fn from(e: minijinja::Error) -> Self {
        let mut msg = e.kind().to_string();
        if let Some(detail) = e.detail() {
            msg = format!("{msg}: {detail}");
        }
        if let Some(line) = e.line().filter(|&l| l > 1) {
            msg = format!("{msg} (line {line})");
        }
        ExprError(msg)
    }
}

/// The names an expression can see, as one value.
#[derive(Debug, Clone)]
pub struct Scope(Value);

impl Scope {
    pub fn from_json(root: &serde_json::Value) -> Scope {
        Scope(to_value(root))
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Note texts are multi-line; keep them as written.
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        env
    })
}

fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

pub fn render(template: &str, scope: &Scope) -> Result<String, ExprError> {
    if !is_template(template) {
        return Ok(template.to_string());
    }
    Ok(env().render_str(template, &scope.0)?)
}

/// Evaluates a condition; Jinja truthiness decides (empty, zero, none are false).
pub fn eval_bool(expr: &str, scope: &Scope) -> Result<bool, ExprError> {
    let value = eval(expr, scope)?;
    // Strict mode only trips inside the VM; a bare undefined result is
    // still a typo and must not read as "false".
    if value.is_undefined() {
        return Err(ExprError(format!("`{}` is undefined", expr.trim())));
    }
    Ok(value.is_true())
}

pub fn eval(expr: &str, scope: &Scope) -> Result<Value, ExprError> {
    let compiled = env().compile_expression(expr)?;
    Ok(compiled.eval(&scope.0)?)
}

/// Checks that a template parses; returns the dotted names it reads
/// (`params.health_url`, `steps.probe.status`).
pub fn template_names(template: &str) -> Result<BTreeSet<String>, ExprError> {
    if !is_template(template) {
        return Ok(BTreeSet::new());
    }
    let t = env().template_from_str(template)?;
    Ok(t.undeclared_variables(true).into_iter().collect())
}

/// Checks that a condition parses; returns the dotted names it reads.
pub fn expr_names(expr: &str) -> Result<BTreeSet<String>, ExprError> {
    if expr.trim().is_empty() {
        return Err(ExprError("empty expression".into()));
    }
    let e = env().compile_expression(expr)?;
    Ok(e.undeclared_variables(true).into_iter().collect())
}

pub fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(u)) => Value::from(u),
            _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::from(a.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(o) => Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        Scope::from_json(&json!({
            "params": { "health_url": "http://x/health", "replicas": 2, "big": u64::MAX, "ratio": 0.5, "on": true, "none": null, "list": [1, 2] },
            "alert": { "labels": { "workload": "local/shop/api" } },
            "steps": { "probe": { "status": "passed", "value": 200, "output": "HTTP 200" } },
        }))
    }

    #[test]
    fn renders_templates_and_passes_plain_text_through() {
        let s = scope();
        assert_eq!(
            render("{{ params.health_url }}", &s).unwrap(),
            "http://x/health"
        );
        assert_eq!(render("{{ params.replicas * 2 }}", &s).unwrap(), "4");
        assert_eq!(
            render("{{ alert.labels.workload }}", &s).unwrap(),
            "local/shop/api"
        );
        assert_eq!(render("plain {text}", &s).unwrap(), "plain {text}");
        assert_eq!(
            render("a\n{{ params.list | length }}\n", &s).unwrap(),
            "a\n2\n"
        );
    }

    #[test]
    fn undefined_names_are_errors() {
        let s = scope();
        assert!(render("{{ params.nope }}", &s).is_err());
        assert!(eval_bool("steps.missing.status == 'passed'", &s).is_err());
        assert!(eval_bool("nope", &s).is_err());
    }

    #[test]
    fn evaluates_conditions() {
        let s = scope();
        assert!(eval_bool("steps.probe.status == 'passed'", &s).unwrap());
        assert!(eval_bool("steps.probe.value >= 200 and params.on", &s).unwrap());
        assert!(!eval_bool("params.ratio > 0.9", &s).unwrap());
        assert!(eval_bool("params.none is none", &s).unwrap());
        assert!(eval_bool("params.big > 0", &s).unwrap());
        assert_eq!(eval("params.replicas + 1", &s).unwrap(), Value::from(3));
    }

    #[test]
    fn reports_parse_errors() {
        let e = template_names("{{ params.x ").unwrap_err();
        assert!(e.0.contains("syntax error"), "{e}");
        let e = template_names("line one\n{{ params.x ").unwrap_err();
        assert!(e.0.contains("line 2"), "{e}");
        assert!(expr_names("steps.a.status ==").is_err());
        assert!(expr_names("  ").unwrap_err().0.contains("empty"));
        assert!(eval_bool("1 +", &scope()).is_err());
    }

    #[test]
    fn lists_the_names_read() {
        let names = template_names(
            "{{ params.a }} {% if steps.b.status == 'x' %}{{ alert.labels.c }}{% endif %}",
        )
        .unwrap();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["alert.labels.c", "params.a", "steps.b.status"]);
        assert!(template_names("no templates").unwrap().is_empty());
        let names = expr_names("ready >= desired and value < params.max").unwrap();
        assert!(
            names.contains("ready") && names.contains("params.max"),
            "{names:?}"
        );
    }
}
