//! The capacity report: Markdown with the question and the verdict first,
//! the stages as a table, the bottleneck, sparklines of latency and
//! saturation across the run, then a table per stage. Pure: the caller
//! writes the file.

use super::infra::Peak;
use super::spec::CapacitySpec;
use super::table::{self, HEADER};
use super::verdict::{StageRow, Verdict};
use crate::runbook::report::sparkline::{sparkline, stats};
use std::fmt::Write as _;

/// Characters in a sparkline: one a second for runs up to this long.
const SPARK_WIDTH: usize = 60;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn row(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

/// The report of a finished run; `when` is the time it started, as text.
pub fn report(spec: &CapacitySpec, rows: &[StageRow], verdict: &Verdict, when: &str) -> String {
    let mut out = String::new();
    let url = crate::base::redact::redact(&spec.base.url);
    let thresholds: Vec<&str> = spec.thresholds.iter().map(|t| t.text.as_str()).collect();
    let _ = writeln!(out, "# Capacity run: {} {url}\n", spec.base.method);
    let _ = writeln!(
        out,
        "**Question:** does it hold {} with {} at every stage, and what breaks first?\n",
        spec.target,
        thresholds.join(" and ")
    );
    let _ = writeln!(
        out,
        "**Verdict: {}.** {}\n",
        if verdict.target_passed {
            "holds the target"
        } else {
            "does not hold the target"
        },
        verdict.line
    );
    let _ = writeln!(out, "Started {when}; plan: {}.\n", spec.plan().summary);
    if let Some(from) = &spec.planned_from {
        let _ = writeln!(out, "Levels: 1×, 2×, 3× and a 10× spike of {from}.\n");
    }

    out.push_str("## Stages\n\n");
    row(&mut out, &HEADER.map(String::from));
    row(&mut out, &HEADER.map(|_| "---".to_string()));
    for r in rows {
        row(&mut out, &table::cells(r));
    }
    out.push('\n');

    out.push_str("## Bottleneck\n\n");
    out.push_str(&super::bottleneck::sentence(rows, true));
    out.push('\n');

    out.push_str("## Across the run\n\n");
    out.push_str(&sparklines(rows));

    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(out, "\n## Stage {}: {}\n", i + 1, r.stage.label());
        out.push_str(&stage_table(r));
    }
    out
}

/// Writes the report of a finished run to `path` (`--report`), or says why not.
pub fn write(
    path: &std::path::Path,
    spec: &CapacitySpec,
    rows: &[StageRow],
    verdict: &Verdict,
    when: &str,
) -> Result<(), String> {
    std::fs::write(path, report(spec, rows, verdict, when))
        .map_err(|e| format!("--report {}: {e}", path.display()))
}

fn spark_line(name: &str, values: &[f64], unit: &str) -> String {
    match stats(values) {
        Some((min, max, _)) => format!(
            "- {name}: `{}` ({} – {} {unit})\n",
            sparkline(values, SPARK_WIDTH),
            super::threshold::short(min),
            super::threshold::short(max)
        ),
        None => format!("- {name}: no data\n"),
    }
}

fn sparklines(rows: &[StageRow]) -> String {
    // A stage's last second holds only the answers still in flight: left out,
    // so the line does not dip at every stage boundary.
    let seconds = rows.iter().flat_map(|r| {
        let whole = r.stage.hold.as_secs().max(1) as usize;
        r.figures
            .iter()
            .flat_map(move |f| f.series.iter().take(whole))
    });
    let p99: Vec<f64> = seconds
        .clone()
        .map(|s| {
            if s.requests > s.errors {
                s.p99_ms
            } else {
                f64::NAN
            }
        })
        .collect();
    let rps: Vec<f64> = seconds.map(|s| s.requests as f64).collect();
    let mut out = spark_line("p99 latency, a second each", &p99, "ms");
    out.push_str(&spark_line("requests a second", &rps, "/s"));
    let cpu: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.infra.as_ref()?.workload.as_ref()?.read())
        .flat_map(|w| w.cpu_series.iter().copied())
        .collect();
    let named = rows.iter().find_map(|r| {
        r.infra
            .as_ref()?
            .workload
            .as_ref()?
            .read()
            .map(|w| w.name.clone())
    });
    if let Some(name) = named {
        out.push_str(&spark_line(
            &format!("{name} CPU, % of its limit, a reading a second"),
            &cpu,
            "%",
        ));
    }
    out
}

fn stage_table(r: &StageRow) -> String {
    let mut out = String::new();
    row(&mut out, &["figure".into(), "value".into()]);
    row(&mut out, &["---".into(), "---".into()]);
    let cells = table::cells(r);
    for (h, c) in HEADER.iter().zip(&cells).skip(1) {
        row(&mut out, &[h.to_string(), c.clone()]);
    }
    if let Some(f) = &r.figures {
        row(
            &mut out,
            &[
                "requests".into(),
                format!("{} ({} answered)", f.requests, f.answers),
            ],
        );
    }
    for j in &r.judged {
        row(
            &mut out,
            &[
                format!("threshold {}", j.threshold),
                format!(
                    "{} ({})",
                    if j.passed { "passed" } else { "FAILED" },
                    j.observed
                ),
            ],
        );
    }
    if let Some(infra) = &r.infra {
        if let Some(w) = &infra.workload {
            let text = match w {
                Peak::Read(w) if w.failed > 0 => {
                    format!("{} ({} readings failed)", w.describe(), w.failed)
                }
                Peak::Read(w) => w.describe(),
                Peak::Unread(why) => format!("unread: {why}"),
            };
            row(&mut out, &["workload (peak)".into(), text]);
        }
        for (name, p) in &infra.databases {
            let text = match p {
                Peak::Read(d) => {
                    let mut t = d.describe(name);
                    if let Some((q, _)) = &d.slowest {
                        t.push_str(&format!(": `{}`", q.chars().take(80).collect::<String>()));
                    }
                    t
                }
                Peak::Unread(why) => format!("unread: {why}"),
            };
            row(&mut out, &[format!("postgres {name} (peak)"), text]);
        }
    }
    out
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
