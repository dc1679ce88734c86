//! Which runbook an alert points at, and matching runbook URLs to local ids.

use serde::Serialize;

/// A rule's runbook: a local runbook id, or a URL (usually a Prometheus
/// `runbook_url` annotation) that may or may not match a local runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunbookRef {
    Id(String),
    Url(String),
}

impl RunbookRef {
    /// The `runbook_url` annotation Prometheus and Alertmanager alerts carry, if set.
    pub fn from_annotations(
        annotations: &std::collections::BTreeMap<String, String>,
    ) -> Option<Self> {
        annotations
            .get("runbook_url")
            .filter(|u| !u.trim().is_empty())
            .map(|u| RunbookRef::Url(u.clone()))
    }

    /// The local runbook to open: the id itself, or the id a URL maps to.
    pub fn local_id<I, S>(&self, known_ids: I) -> Option<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        match self {
            RunbookRef::Id(id) => Some(id.clone()),
            RunbookRef::Url(url) => map_runbook_url(url, known_ids),
        }
    }
}

/// Maps `https://wiki.example/runbooks/site-down.md#steps` to `site-down`
/// when that is a known runbook id: teams usually name the wiki page after
/// the runbook, so the last path segment without its extension is the key.
pub fn map_runbook_url<I, S>(url: &str, known_ids: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let stem = url_stem(url)?;
    known_ids
        .into_iter()
        .find(|id| id.as_ref() == stem)
        .map(|id| id.as_ref().to_string())
}

fn url_stem(url: &str) -> Option<&str> {
    let without_suffix = url.split(['?', '#']).next().unwrap_or(url);
    let segment = without_suffix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())?;
    // Only the last extension goes: "site-down.v2.md" keeps "site-down.v2".
    let stem = match segment.rfind('.') {
        Some(dot) if dot > 0 => &segment[..dot],
        _ => segment,
    };
    Some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 3] = ["site-down", "database", "failed-deploy"];

    #[test]
    fn maps_the_last_segment_without_extension() {
        let cases = [
            (
                "https://wiki.example/runbooks/site-down.md",
                Some("site-down"),
            ),
            ("https://wiki.example/runbooks/site-down", Some("site-down")),
            (
                "https://wiki.example/runbooks/site-down/",
                Some("site-down"),
            ),
            (
                "https://wiki.example/rb/database.html?x=1#steps",
                Some("database"),
            ),
            ("runbooks/failed-deploy.toml", Some("failed-deploy")),
            ("site-down", Some("site-down")),
        ];
        for (url, want) in cases {
            assert_eq!(map_runbook_url(url, KNOWN).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn unknown_or_empty_segments_do_not_map() {
        for url in [
            "https://wiki.example/runbooks/other.md",
            "https://wiki.example/",
            "",
            "/",
        ] {
            assert_eq!(map_runbook_url(url, KNOWN), None, "{url}");
        }
        // Matching is exact: a different case is a different page.
        assert_eq!(map_runbook_url("https://w/Site-Down.md", KNOWN), None);
    }

    #[test]
    fn hidden_file_names_keep_their_dot() {
        assert_eq!(url_stem("https://w/.site"), Some(".site"));
    }

    #[test]
    fn local_id_resolves_ids_and_urls() {
        let known = vec!["site-down".to_string()];
        assert_eq!(
            RunbookRef::Id("x".into()).local_id(&known).as_deref(),
            Some("x")
        );
        let url = RunbookRef::Url("https://w/site-down.md".into());
        assert_eq!(url.local_id(&known).as_deref(), Some("site-down"));
        assert_eq!(
            RunbookRef::Url("https://w/nope".into()).local_id(&known),
            None
        );
    }
}
