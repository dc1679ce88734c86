//! Guided runbooks: the file format, the expression language, lint, the pure
//! engine (`handle(event) -> effects`), the run timeline and the incident
//! report. Nothing here performs I/O beyond reading runbook files.

pub mod builtin;
pub mod catalog;
pub mod engine;
pub mod expr;
pub mod judge;
pub mod lint;
pub mod locate;
pub mod narrate;
pub mod report;
pub mod spec;
pub mod status;
pub mod timeline;

pub use spec::{Runbook, Step, StepBody};

/// The closest of `candidates` to `word`, when it is close enough to be a typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_only_near_misses() {
        assert_eq!(
            super::suggest("worklaod", ["workload", "replicas"]),
            Some("workload")
        );
        assert_eq!(super::suggest("zzz", ["workload"]), None);
    }
}
