//! `opsdeck alerts import FILE.yml`: a Prometheus rule file turned into
//! opsdeck PromQL rules against a named Prometheus, with a note for
//! everything that could not be carried over as it was. A file may hold
//! several YAML documents, each a rule file (`groups:`), a PrometheusRule
//! resource (`spec.groups`, as kube-prometheus ships rules) or nothing
//! (`null`, as promtool reads it: no rules). Names are made unique within
//! the file and against the names the config already has.

use super::runbook_ref::map_runbook_url;
use crate::base::diag::FileError;
use crate::base::duration::HumanDuration;
use crate::config::alert_rule::RuleSpec;
use crate::model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// One YAML document: a rule file, or a PrometheusRule resource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<serde_yaml_ng::Value>,
    spec: Option<Spec>,
}

/// A PrometheusRule's spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    groups: Vec<Group>,
}

/// What the rules are imported against and named beside.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions<'a> {
    /// The `[[prometheus]]` the rules query.
    pub prometheus: &'a str,
    /// Put before every imported name (`--prefix`).
    pub prefix: &'a str,
    /// Names the config already has, each with where (`config.toml:12`).
    pub existing: BTreeMap<String, String>,
    /// Local runbook ids, for mapping `runbook_url`s.
    pub known_runbooks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    limit: Option<u64>,
    #[serde(default)]
    query_offset: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    rules: Vec<PromRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromRule {
    #[serde(default)]
    alert: Option<String>,
    #[serde(default)]
    record: Option<String>,
    #[serde(default)]
    expr: String,
    #[serde(rename = "for", default)]
    for_duration: Option<String>,
    #[serde(default)]
    keep_firing_for: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// The converted rules and what the user should know about the conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub rules: Vec<RuleSpec>,
    pub notes: Vec<ImportNote>,
}

/// One thing that was not carried over as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNote {
    /// The line of the rule in the file, when it could be found.
    pub line: Option<usize>,
    pub group: String,
    /// The alert or record name, if the note is about one rule.
    pub rule: Option<String>,
    /// False when the rule was left out; true when it was converted with a caveat.
    pub converted: bool,
    /// A recording rule: left to Prometheus on purpose, not a failure.
    pub recording: bool,
    pub message: String,
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if !self.group.is_empty() {
            place.push(format!("group {:?}", self.group));
        }
        if let Some(rule) = &self.rule {
            place.push(format!("rule {rule:?}"));
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        let what = if self.converted {
            "converted"
        } else {
            "not converted"
        };
        write!(f, "{what}: {}", self.message)
    }
}

/// Parses `text` (the content of `path`) and converts its alerting rules.
/// YAML and structure errors stop the import with the file position;
/// problems with single rules become notes.
pub fn import_rule_file(
    path: &Path,
    text: &str,
    options: &ImportOptions<'_>,
) -> Result<ImportReport, FileError> {
    let mut groups = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let doc: Option<Document> = Option::deserialize(doc).map_err(|e| yaml_error(path, e))?;
        let Some(doc) = doc else { continue };
        match (&doc.kind, &doc.spec) {
            (Some(kind), _) if kind != "PrometheusRule" => {
                return Err(FileError {
                    path: path.to_path_buf(),
                    line: 0,
                    column: 0,
                    message: format!(
                        "a Kubernetes {kind}; expected a rule file (groups:) or a PrometheusRule"
                    ),
                })
            }
            (_, Some(_)) if !doc.groups.is_empty() => {
                return Err(FileError {
                    path: path.to_path_buf(),
                    line: 0,
                    column: 0,
                    message: "both groups and spec; expected one of them".into(),
                })
            }
            _ => {}
        }
        let _ = (&doc.api_version, &doc.metadata);
        groups.extend(doc.groups);
        groups.extend(doc.spec.map(|s| s.groups).unwrap_or_default());
    }
    let mut lines = rule_lines(text).into_iter();
    let total: usize = groups.iter().map(|g| g.rules.len()).sum();
    // Positions are only trusted when the scan found exactly one key per
    // rule; otherwise a note could point at the wrong rule.
    let one_key_each = groups
        .iter()
        .flat_map(|g| &g.rules)
        .all(|r| r.alert.is_some() != r.record.is_some());
    let located = one_key_each && lines.len() == total;
    let mut converter = Converter {
        options,
        report: ImportReport {
            rules: vec![],
            notes: vec![],
        },
        origins: vec![],
    };
    for group in &groups {
        converter.group_notes(group);
        for rule in &group.rules {
            let line = if located { lines.next() } else { None };
            converter.rule(group, rule, line);
        }
    }
    converter.rename_duplicates();
    Ok(converter.report)
}

/// The rules as `[[alert]]` tables, ready to paste into the config.
pub fn rules_to_toml(rules: &[RuleSpec]) -> Result<String, String> {
    #[derive(Serialize)]
    struct Tables<'a> {
        alert: &'a [RuleSpec],
    }
    toml::to_string(&Tables { alert: rules }).map_err(|e| e.to_string())
}

struct Converter<'a> {
    options: &'a ImportOptions<'a>,
    report: ImportReport,
    /// Group and line of each converted rule, for notes written later.
    origins: Vec<(String, Option<usize>)>,
}

impl Converter<'_> {
    fn note(
        &mut self,
        group: &Group,
        rule: Option<&str>,
        line: Option<usize>,
        converted: bool,
        message: String,
    ) {
        self.report.notes.push(ImportNote {
            line,
            group: group.name.clone(),
            rule: rule.map(str::to_string),
            converted,
            recording: false,
            message,
        });
    }

    fn group_notes(&mut self, group: &Group) {
        if let Some(interval) = &group.interval {
            let msg = format!(
                "interval {interval} is not kept: opsdeck runs PromQL rules at its [[prometheus]] refresh"
            );
            self.note(group, None, None, true, msg);
        }
        if group.limit.is_some_and(|l| l > 0) {
            self.note(
                group,
                None,
                None,
                true,
                "limit is not kept: opsdeck has no per-group alert limit".into(),
            );
        }
        if let Some(offset) = &group.query_offset {
            let msg = format!(
                "query_offset {offset} is not kept; add an offset to the expressions if needed"
            );
            self.note(group, None, None, true, msg);
        }
    }

    fn rule(&mut self, group: &Group, rule: &PromRule, line: Option<usize>) {
        let (name, skip) = match (&rule.alert, &rule.record) {
            (Some(a), None) => (a.as_str(), None),
            (None, Some(r)) => (
                r.as_str(),
                Some(
                    "a recording rule: opsdeck does not evaluate those; Prometheus keeps recording it \
                     and PromQL rules can use the recorded series",
                ),
            ),
            (Some(a), Some(_)) => (a.as_str(), Some("has both alert and record")),
            (None, None) => ("", Some("has neither alert nor record")),
        };
        let name_opt = Some(name).filter(|n| !n.is_empty());
        if let Some(why) = skip {
            self.note(group, name_opt, line, false, why.to_string());
            if rule.alert.is_none() && rule.record.is_some() {
                if let Some(n) = self.report.notes.last_mut() {
                    n.recording = true;
                }
            }
            return;
        }
        match self.convert(group, rule, name, line) {
            Ok(spec) => {
                self.report.rules.push(spec);
                self.origins.push((group.name.clone(), line));
            }
            Err(message) => self.note(group, name_opt, line, false, message),
        }
    }

    fn convert(
        &mut self,
        group: &Group,
        rule: &PromRule,
        name: &str,
        line: Option<usize>,
    ) -> Result<RuleSpec, String> {
        if rule.expr.trim().is_empty() {
            return Err("expr is empty".into());
        }
        let mut spec = RuleSpec::named(&format!("{}{name}", self.options.prefix));
        spec.promql = Some(rule.expr.trim().to_string());
        spec.prometheus = Some(self.options.prometheus.to_string());
        spec.for_duration = duration_field("for", rule.for_duration.as_deref())?;
        spec.keep_firing_for = duration_field("keep_firing_for", rule.keep_firing_for.as_deref())?;
        spec.labels = group.labels.clone();
        spec.labels.extend(rule.labels.clone());
        let (severity, caveat) = map_severity(spec.labels.remove("severity").as_deref());
        spec.severity = severity;
        let mut caveats: Vec<String> = caveat.into_iter().collect();
        spec.annotations = rule.annotations.clone();
        if let Some(url) = spec.annotations.remove("runbook_url") {
            match map_runbook_url(&url, &self.options.known_runbooks) {
                Some(id) => {
                    caveats.push(format!(
                        "runbook_url {url} linked to the local runbook {id:?}"
                    ));
                    spec.runbook = Some(id);
                }
                None => spec.runbook_url = Some(url),
            }
        }
        // Annotations are expanded as Prometheus does; what is outside the
        // subset opsdeck expands is shown as written, and said here.
        for (k, v) in &spec.annotations {
            if let Err(why) = super::template::check(v) {
                caveats.push(format!(
                    "{k} is shown as written: outside the template subset opsdeck expands ({why})"
                ));
            }
        }
        let templated_labels: Vec<&str> = spec
            .labels
            .iter()
            .filter(|(_, v)| v.contains("{{"))
            .map(|(k, _)| k.as_str())
            .collect();
        if !templated_labels.is_empty() {
            caveats.push(format!(
                "label {} kept as written (opsdeck does not expand templates in labels)",
                templated_labels.join(", ")
            ));
        }
        spec.validate().map_err(|e| e.message)?;
        for caveat in caveats {
            self.note(group, Some(name), line, true, caveat);
        }
        Ok(spec)
    }

    /// Prometheus allows several alerting rules with one name (typically a
    /// warning and a critical variant); opsdeck names must be unique.
    fn rename_duplicates(&mut self) {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for r in &self.report.rules {
            *count.entry(r.name.clone()).or_default() += 1;
        }
        let existing = &self.options.existing;
        let mut taken: BTreeSet<String> = count
            .keys()
            .cloned()
            .chain(existing.keys().cloned())
            .collect();
        let mut renames = Vec::new();
        for (r, (group, line)) in self.report.rules.iter_mut().zip(&self.origins) {
            if let Some(place) = existing.get(&r.name) {
                let mut n = 2;
                let mut candidate = format!("{}_{n}", r.name);
                while taken.contains(&candidate) {
                    n += 1;
                    candidate = format!("{}_{n}", r.name);
                }
                taken.insert(candidate.clone());
                renames.push(ImportNote {
                    line: *line,
                    group: group.clone(),
                    rule: Some(r.name.clone()),
                    converted: true,
                    recording: false,
                    message: format!(
                        "{:?} is already a rule in {place}; imported as {candidate:?} \
                         (or import with --prefix)",
                        r.name
                    ),
                });
                r.name = candidate;
                continue;
            }
            if count[&r.name] < 2 {
                continue;
            }
            let base = format!("{}_{}", r.name, r.severity);
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            taken.insert(candidate.clone());
            renames.push(ImportNote {
                line: *line,
                group: group.clone(),
                rule: Some(r.name.clone()),
                converted: true,
                recording: false,
                message: format!("renamed {candidate:?}: opsdeck rule names must be unique"),
            });
            r.name = candidate;
        }
        self.report.notes.extend(renames);
    }
}

fn duration_field(field: &str, value: Option<&str>) -> Result<HumanDuration, String> {
    match value {
        None => Ok(HumanDuration::default()),
        Some(text) => HumanDuration::parse(text).map_err(|e| format!("{field}: {e}")),
    }
}

/// Severity from the conventional `severity` label, and a note when it was
/// missing or had to be interpreted.
fn map_severity(label: Option<&str>) -> (Severity, Option<String>) {
    let Some(label) = label else {
        return (
            Severity::Warning,
            Some("no severity label; imported as warning".into()),
        );
    };
    let mapped = match label.to_ascii_lowercase().as_str() {
        "critical" => return (Severity::Critical, None),
        "warning" => return (Severity::Warning, None),
        "info" => return (Severity::Info, None),
        "page" | "crit" | "error" | "high" | "p1" => Severity::Critical,
        "warn" | "medium" | "p2" | "p3" => Severity::Warning,
        "none" | "informational" | "low" | "notice" => Severity::Info,
        _ => {
            let msg = format!("severity {label:?} is not one opsdeck knows; imported as warning");
            return (Severity::Warning, Some(msg));
        }
    };
    (
        mapped,
        Some(format!("severity {label:?} imported as {mapped}")),
    )
}

/// The 1-based line of every `alert:` or `record:` key, in file order, so
/// notes can point at their rule (serde does not give positions of values).
fn rule_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let item = line.trim_start();
            let item = item.strip_prefix('-').map(str::trim_start).unwrap_or(item);
            item.starts_with("alert:") || item.starts_with("record:")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn yaml_error(path: &Path, e: serde_yaml_ng::Error) -> FileError {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let full = e.to_string();
    // The message repeats the position the FileError already carries.
    let message = full
        .replace(&format!(" at line {line} column {column}"), "")
        .trim()
        .to_string();
    FileError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
#[path = "promfile_tests.rs"]
mod tests;
