//! A restore drill's checks, judged: every table of the source present in
//! the restored database, each row count within a tolerance of the source's
//! estimate (`pg_class.reltuples`), and the configured query's answer. Pure:
//! the readings come in.

use serde::{Deserialize, Serialize};

/// A share of the estimate a restored count may differ by: estimates lag
/// and a dump is older than the source.
pub const DEFAULT_ROW_TOLERANCE: f64 = 0.2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// The latest restore drill of a backup, as kept in the data dir
/// (`config::paths::drill_record`) and read back into
/// `backup:NAME:last_verified` and `backup:NAME:restore_seconds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub backup: String,
    /// Unix seconds when it ended.
    pub at: i64,
    pub ok: bool,
    pub file: String,
    pub scratch: String,
    /// How long `pg_restore` took, when it ran to the end: the honest
    /// recovery-time figure.
    pub restore_seconds: Option<f64>,
    pub error: Option<String>,
    pub checks: Vec<CheckResult>,
    pub message: String,
    /// The last drill that passed (this one or an earlier one), and its restore time.
    pub last_passed: Option<i64>,
    pub last_passed_restore_seconds: Option<f64>,
}

/// `source` as (schema.table, reltuples; negative when never analysed),
/// `restored` as (schema.table, exact row count).
pub fn tables(
    source: &[(String, f64)],
    restored: &[(String, i64)],
    tolerance: f64,
) -> Vec<CheckResult> {
    let missing: Vec<&str> = source
        .iter()
        .filter(|(n, _)| !restored.iter().any(|(r, _)| r == n))
        .map(|(n, _)| n.as_str())
        .collect();
    let mut out = vec![CheckResult {
        name: "tables present".into(),
        passed: missing.is_empty() && !source.is_empty(),
        detail: if source.is_empty() {
            "the source has no table to compare with".into()
        } else if missing.is_empty() {
            format!("all {} tables of the source", source.len())
        } else {
            format!(
                "{} of {} missing: {}",
                missing.len(),
                source.len(),
                missing.join(", ")
            )
        },
    }];
    for (name, estimate) in source {
        let Some((_, count)) = restored.iter().find(|(r, _)| r == name) else {
            continue;
        };
        let check = format!("rows {name}");
        if *estimate < 0.0 {
            out.push(CheckResult {
                name: check,
                passed: true,
                detail: format!("{count} restored; the source has no estimate (never analysed)"),
            });
            continue;
        }
        // One row of slack, so an empty or tiny table is not judged by a share of nothing.
        let allowed = estimate * tolerance + 1.0;
        let off = (*count as f64 - estimate).abs();
        out.push(CheckResult {
            name: check,
            passed: off <= allowed,
            detail: format!(
                "{count} restored, the source estimates {estimate:.0} (allowed ±{:.0}%)",
                tolerance * 100.0
            ),
        });
    }
    out
}

/// The configured query's answer: its first row's first column, as text;
/// None when it returned no row. Passes on true, `t`, or a non-zero number.
pub fn query(first: Option<Option<&str>>) -> CheckResult {
    let (passed, detail) = match first {
        None => (false, "returned no row".to_string()),
        Some(None) => (false, "returned NULL".to_string()),
        Some(Some(v)) => {
            let yes = matches!(v, "t" | "true") || v.parse::<f64>().is_ok_and(|n| n != 0.0);
            (yes, format!("returned {v}"))
        }
    };
    CheckResult {
        name: "check_query".into(),
        passed,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(n, e)| (n.to_string(), *e)).collect()
    }

    #[test]
    fn counts_within_the_tolerance_pass_and_missing_tables_fail() {
        let source = names(&[
            ("public.a", 100_000.0),
            ("public.b", 10.0),
            ("public.c", -1.0),
        ]);
        let restored = vec![
            ("public.a".to_string(), 85_000),
            ("public.b".to_string(), 0),
        ];
        let r = tables(&source, &restored, DEFAULT_ROW_TOLERANCE);
        assert!(!r[0].passed);
        assert_eq!(r[0].detail, "1 of 3 missing: public.c");
        assert!(r[1].passed, "{r:?}");
        assert!(!r[2].passed, "{r:?}");
        assert!(
            r[2].detail.contains("0 restored, the source estimates 10"),
            "{r:?}"
        );
        let r = tables(&source[..1], &restored, 0.1);
        assert!(r[0].passed && !r[1].passed, "{r:?}");
        assert!(!tables(&[], &restored, 0.2)[0].passed);
    }

    #[test]
    fn the_query_passes_on_true_or_a_non_zero_number() {
        assert!(query(Some(Some("t"))).passed);
        assert!(query(Some(Some("3"))).passed);
        assert!(!query(Some(Some("0"))).passed);
        assert!(!query(Some(None)).passed);
        assert_eq!(query(None).detail, "returned no row");
    }
}
