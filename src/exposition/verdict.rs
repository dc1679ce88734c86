//! Whether a `/metrics` answer is exposition text at all. A login page, a
//! binary file or a page of garbage must never read as a healthy target, so
//! the answer is judged by its `Content-Type` and by what parsed: no sample,
//! or more than a small share of bad lines, is not exposition. A page that
//! is mostly good keeps its samples and says how many lines were dropped.

use super::{Families, LineError, Scrape};

/// More than one bad line in this many makes a page not exposition.
const BAD_SHARE: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exposition text: `dropped` lines could not be read (none on a clean page).
    Exposition {
        samples: usize,
        dropped: usize,
        /// The first line dropped, to say why.
        first: Option<LineError>,
    },
    /// Not exposition: why, e.g. `text/html, 0 samples, 1 bad line`.
    NotExposition(String),
}

impl Verdict {
    /// What a person reads when the page is not clean; None when it is.
    pub fn problem(&self) -> Option<String> {
        match self {
            Verdict::Exposition { dropped: 0, .. } => None,
            Verdict::Exposition {
                samples,
                dropped,
                first,
            } => {
                let why = first.map(|e| format!(" ({e})")).unwrap_or_default();
                Some(format!(
                    "partial exposition: {dropped} of {} lines dropped{why}",
                    samples + dropped
                ))
            }
            Verdict::NotExposition(why) => Some(format!("not Prometheus exposition: {why}")),
        }
    }
}

/// The media types exposition text comes as; Prometheus 3 refuses others too.
fn exposition_media(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    ["text/plain", "application/openmetrics-text", ""]
        .iter()
        .any(|m| media.eq_ignore_ascii_case(m))
}

/// A body decoded with replacement characters, or holding NULs, was binary.
fn looks_binary(body: &str) -> bool {
    body.contains('\u{FFFD}') || body.contains('\0')
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Judges one answer from its `Content-Type`, its body and what parsed.
pub fn judge(
    content_type: Option<&str>,
    body: &str,
    scrape: &Scrape<'_>,
    families: &Families<'_>,
) -> Verdict {
    let samples = scrape.samples.len();
    let dropped = scrape.errors.len() + families.errors.len();
    let mut looks = Vec::new();
    if let Some(ct) = content_type.filter(|ct| !exposition_media(ct)) {
        looks.push(ct.split(';').next().unwrap_or(ct).trim().to_string());
    }
    if looks_binary(body) {
        looks.push("binary".to_string());
    }
    let garbage = samples == 0 || dropped * BAD_SHARE > samples + dropped;
    if looks.is_empty() && !garbage {
        let first = scrape.errors.first().or(families.errors.first()).copied();
        return Verdict::Exposition {
            samples,
            dropped,
            first,
        };
    }
    looks.push(count(samples, "sample"));
    looks.push(count(dropped, "bad line"));
    Verdict::NotExposition(looks.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::{group, parse, Format};

    fn verdict(content_type: Option<&str>, body: &str) -> Verdict {
        let scrape = parse(body, Format::Prometheus);
        judge(content_type, body, &scrape, &group(&scrape))
    }

    const GOOD: &str = "# TYPE up gauge\nup 1\nreqs_total{code=\"200\"} 5\n";

    #[test]
    fn a_clean_page_has_no_problem() {
        let v = verdict(Some("text/plain; version=0.0.4; charset=utf-8"), GOOD);
        assert_eq!(v.problem(), None, "{v:?}");
        let om = "# TYPE up gauge\nup 1\n# EOF\n";
        let v = verdict(Some("application/openmetrics-text; version=1.0.0"), om);
        assert_eq!(v.problem(), None, "{v:?}");
        assert_eq!(verdict(None, GOOD).problem(), None);
    }

    #[test]
    fn a_login_page_is_not_exposition_whatever_parses() {
        let html = "<!doctype html><html><body>Sign in</body></html>";
        assert_eq!(
            verdict(Some("text/html; charset=utf-8"), html)
                .problem()
                .unwrap(),
            "not Prometheus exposition: text/html, 0 samples, 1 bad line"
        );
        // Valid lines behind an HTML type are still a page someone else serves.
        let v = verdict(Some("text/html"), GOOD).problem().unwrap();
        assert!(
            v.starts_with("not Prometheus exposition: text/html, 2 samples"),
            "{v}"
        );
    }

    #[test]
    fn binary_and_empty_bodies_are_not_exposition() {
        let binary =
            String::from_utf8_lossy(&[0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, b'\n', 0x00, 0x01]);
        let v = verdict(Some("application/octet-stream"), &binary)
            .problem()
            .unwrap();
        assert!(
            v.starts_with("not Prometheus exposition: application/octet-stream, binary, 0 samples"),
            "{v}"
        );
        let v = verdict(Some("text/plain"), "").problem().unwrap();
        assert_eq!(v, "not Prometheus exposition: 0 samples, 0 bad lines");
    }

    #[test]
    fn a_mostly_bad_page_is_garbage_a_mostly_good_one_is_partial() {
        let mostly_bad = "up 1\nthis is\nnot a\nmetrics page\n";
        let v = verdict(Some("text/plain"), mostly_bad).problem().unwrap();
        assert_eq!(v, "not Prometheus exposition: 1 sample, 3 bad lines");

        let mut partial = String::new();
        for i in 0..20 {
            partial.push_str(&format!("m{{i=\"{i}\"}} {i}\n"));
        }
        partial.push_str("m{i=\"x\"} twelve\n");
        let v = verdict(Some("text/plain"), &partial);
        assert!(
            matches!(
                v,
                Verdict::Exposition {
                    samples: 20,
                    dropped: 1,
                    ..
                }
            ),
            "{v:?}"
        );
        assert_eq!(
            v.problem().unwrap(),
            "partial exposition: 1 of 21 lines dropped (line 21, column 10: invalid value)"
        );
    }
}
