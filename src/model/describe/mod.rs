//! What `kubectl describe` or `docker inspect` say about one object,
//! reorganised for an incident: status and conditions first, then the
//! object's recent events, then its containers, then labels and
//! annotations. Shaped from the API's JSON (already masked by
//! `base::redact::object`) by pure functions: [`kube::describe`] and
//! [`docker::describe`]. The console's `d` and `opsdeck describe` show it.

pub mod docker;
pub mod kube;
pub mod swarm;
mod words;

use serde::Serialize;

/// One object described.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Description {
    /// `Pod default/web-7d4b9c-x2x4k`, `Container local/api-1`.
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub entries: Vec<Entry>,
}

/// One line: `key: value`, indented under the entry above it by `depth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub depth: u8,
    pub key: String,
    pub value: String,
    /// True for what is wrong: a condition not met, a Warning event, a
    /// waiting or terminated container; the views colour it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bad: bool,
}

pub const STATUS: &str = "Status & conditions";
pub const EVENTS: &str = "Events";
pub const CONTAINERS: &str = "Containers";
pub const LABELS: &str = "Labels & annotations";

/// Builds one section's entries.
#[derive(Debug, Default)]
pub(crate) struct Lines(Vec<Entry>);

impl Lines {
    pub fn add(&mut self, depth: u8, key: impl Into<String>, value: impl Into<String>) {
        self.push(depth, key, value, false);
    }

    pub fn bad(&mut self, depth: u8, key: impl Into<String>, value: impl Into<String>) {
        self.push(depth, key, value, true);
    }

    pub fn push(&mut self, depth: u8, key: impl Into<String>, value: impl Into<String>, bad: bool) {
        self.0.push(Entry {
            depth,
            key: key.into(),
            value: value.into(),
            bad,
        });
    }

    /// Adds `key: value` when there is a value.
    pub fn some(&mut self, depth: u8, key: &str, value: Option<String>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.add(depth, key, v);
        }
    }

    pub fn section(self, title: &'static str, empty: &str) -> Section {
        let mut entries = self.0;
        if entries.is_empty() {
            entries.push(Entry {
                depth: 0,
                key: String::new(),
                value: empty.to_string(),
                bad: false,
            });
        }
        Section { title, entries }
    }
}

impl Description {
    /// Plain text, as `opsdeck describe` prints it and the console's pane shows it.
    pub fn lines(&self) -> Vec<String> {
        self.marked_lines().into_iter().map(|(l, _)| l).collect()
    }

    /// [`Self::lines`], each with whether it says something is wrong (the
    /// console colours those).
    pub fn marked_lines(&self) -> Vec<(String, bool)> {
        let mut out = vec![(self.title.clone(), false)];
        for s in &self.sections {
            out.push((String::new(), false));
            out.push((format!("── {} ──", s.title), false));
            for e in &s.entries {
                let pad = "  ".repeat(usize::from(e.depth) + 1);
                let line = match (e.key.is_empty(), e.value.is_empty()) {
                    (true, _) => format!("{pad}{}", e.value),
                    (false, true) => format!("{pad}{}:", e.key),
                    (false, false) => format!("{pad}{}: {}", e.key, e.value),
                };
                out.push((line, e.bad));
            }
        }
        out
    }

    /// Says a section could not be read (and why) instead of showing it empty.
    pub fn unreadable(&mut self, section: &str, why: &str) {
        if let Some(s) = self.sections.iter_mut().find(|s| s.title == section) {
            s.entries = vec![Entry {
                depth: 0,
                key: "not read".into(),
                value: why.to_string(),
                bad: true,
            }];
        }
    }

    pub fn text(&self) -> String {
        let mut t = self.lines().join("\n");
        t.push('\n');
        t
    }
}

#[cfg(test)]
mod tests;
