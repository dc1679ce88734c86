//! The logs view's state: a bounded buffer of one stream's lines, follow mode,
//! scrolling and search. Pure; the app loop opens and closes the stream itself.

use crate::model::LogLine;
use std::cell::Cell;
use std::collections::VecDeque;

/// Lines kept per stream; older lines drop off the top.
pub const LOG_LINES_KEPT: usize = 5000;

#[derive(Debug, Clone)]
pub struct LogView {
    pub stream: u64,
    pub target: String,
    /// What the logs are of: a workload address or a container name.
    pub title: String,
    /// (id, name) of every container whose lines this stream carries.
    pub instances: Vec<(String, String)>,
    pub lines: VecDeque<LogLine>,
    /// Lines dropped off the top so far; `dropped + index` numbers a line for good.
    pub dropped: u64,
    pub follow: bool,
    pub timestamps: bool,
    /// The instances before the last restart (Kubernetes), not the current ones.
    pub previous: bool,
    pub search: String,
    /// The line (by number) of the current match, after `n` / `N`.
    pub current: Option<u64>,
    /// How many lines the bottom of the window is above the newest line.
    pub back: usize,
    /// Lines that fit last time, for page-wise scrolling.
    pub page: Cell<usize>,
    /// A document read once (`d` describe, `y` raw), not a stream: shown
    /// from its top; follow, timestamps and previous do not apply.
    pub document: bool,
}

impl LogView {
    pub fn new(
        stream: u64,
        target: String,
        title: String,
        instances: Vec<(String, String)>,
    ) -> Self {
        LogView {
            stream,
            target,
            title,
            instances,
            lines: VecDeque::new(),
            dropped: 0,
            follow: true,
            timestamps: false,
            previous: false,
            search: String::new(),
            current: None,
            back: 0,
            page: Cell::new(20),
            document: false,
        }
    }

    /// A document (`title` says what it is) that arrives as one batch of lines.
    pub fn document(stream: u64, target: String, title: String) -> Self {
        let mut v = LogView::new(stream, target, title, Vec::new());
        v.document = true;
        v.follow = false;
        v
    }

    /// Lines from several containers carry the container's name.
    pub fn prefixed(&self) -> bool {
        self.instances.len() > 1
    }

    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.instances
            .iter()
            // Engines print ids at 12 characters or at full length.
            .find(|(i, _)| {
                i == id
                    || (id.len() >= 12 && i.starts_with(id))
                    || (i.len() >= 12 && id.starts_with(i.as_str()))
            })
            .map_or(id, |(_, n)| n.as_str())
    }

    /// Appends new lines. While paused the window stays on the lines it shows.
    pub fn append(&mut self, lines: Vec<LogLine>) {
        for line in lines {
            if self.lines.len() == LOG_LINES_KEPT {
                self.lines.pop_front();
                self.dropped += 1;
            }
            self.lines.push_back(line);
            if !self.follow && !self.document {
                self.back += 1;
            }
        }
        self.back = self.back.min(self.lines.len().saturating_sub(1));
        if self.document {
            // From its first line: the window's bottom a page down.
            self.back = self.lines.len().saturating_sub(self.page.get().max(1));
        }
    }

    /// Scrolls by `delta` lines (negative = up, to older lines). Up pauses follow.
    pub fn scroll(&mut self, delta: isize) {
        // A document scrolls no further up than its first page.
        let max = if self.document {
            self.lines.len().saturating_sub(self.page.get().max(1))
        } else {
            self.lines.len().saturating_sub(1)
        } as isize;
        let back = (self.back as isize - delta).clamp(0, max);
        if delta < 0 && back > 0 {
            self.follow = false;
        }
        self.back = back as usize;
    }

    pub fn page_size(&self) -> isize {
        self.page.get().max(1) as isize
    }

    pub fn to_oldest(&mut self) {
        self.follow = false;
        self.back = self.lines.len().saturating_sub(1);
    }

    pub fn set_follow(&mut self, on: bool) {
        self.follow = on;
        if on {
            self.back = 0;
        }
    }

    pub fn matches(&self, line: &LogLine) -> bool {
        !self.search.is_empty() && contains_ignore_case(&line.text, &self.search)
    }

    /// Jumps to the next match newer (`forward`) or older than the current one,
    /// or than the bottom of the window when there is none. Returns false when
    /// there is no such match.
    pub fn jump(&mut self, forward: bool) -> bool {
        let len = self.lines.len();
        if len == 0 || self.search.is_empty() {
            return false;
        }
        let bottom = len - 1 - self.back.min(len - 1);
        let from = self
            .current
            .and_then(|n| n.checked_sub(self.dropped))
            .map(|i| i as usize)
            .filter(|i| *i < len);
        let found = if forward {
            let start = from.map_or(bottom, |i| i + 1);
            (start..len).find(|i| self.matches(&self.lines[*i]))
        } else {
            let end = from.unwrap_or(bottom + 1);
            (0..end).rev().find(|i| self.matches(&self.lines[*i]))
        };
        let Some(i) = found else {
            return false;
        };
        self.show(i);
        true
    }

    /// A document is read downwards: its first match from the window's top.
    pub fn first_from_top(&mut self) -> bool {
        let top = self
            .bottom()
            .map_or(0, |b| (b + 1).saturating_sub(self.page.get()));
        let found = (top..self.lines.len()).find(|i| self.matches(&self.lines[*i]));
        found.map(|i| self.show(i)).is_some()
    }

    /// Puts line `i` in the middle of the window where the window allows.
    fn show(&mut self, i: usize) {
        self.current = Some(self.dropped + i as u64);
        self.follow = false;
        let half = self.page.get() / 2;
        self.back = (self.lines.len() - 1 - i).saturating_sub(half);
    }

    /// Index of the newest line in the window.
    pub fn bottom(&self) -> Option<usize> {
        let len = self.lines.len();
        (len > 0).then(|| len - 1 - self.back.min(len - 1))
    }
}

pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize, text: &str) -> LogLine {
        LogLine {
            at_nanos: i as i64 * 1_000_000_000,
            instance: "c1".into(),
            stderr: false,
            text: text.into(),
        }
    }

    fn view_with(n: usize) -> LogView {
        let mut v = LogView::new(1, "local".into(), "api".into(), vec![]);
        v.append((0..n).map(|i| line(i, &format!("line {i}"))).collect());
        v
    }

    #[test]
    fn buffer_is_bounded_and_counts_what_it_drops() {
        let v = view_with(LOG_LINES_KEPT + 10);
        assert_eq!(v.lines.len(), LOG_LINES_KEPT);
        assert_eq!(v.dropped, 10);
        assert_eq!(v.lines[0].text, "line 10");
    }

    #[test]
    fn scrolling_up_pauses_follow_and_the_window_stays_put() {
        let mut v = view_with(100);
        assert_eq!((v.follow, v.back), (true, 0));
        v.scroll(-5);
        assert_eq!((v.follow, v.back), (false, 5));
        v.append(vec![line(100, "new")]);
        assert_eq!(v.back, 6, "paused: the same lines stay in view");
        v.set_follow(true);
        assert_eq!(v.back, 0);
        v.append(vec![line(101, "newer")]);
        assert_eq!(v.back, 0, "following: the newest line stays in view");
        v.scroll(-1000);
        assert_eq!(v.back, 101);
        v.scroll(1000);
        assert_eq!(v.back, 0);
    }

    #[test]
    fn search_jumps_between_matches_both_ways() {
        let mut v = view_with(50);
        v.search = "LINE 1".into(); // matches 1, 10..=19
        v.page.set(4);
        assert!(v.jump(false));
        assert_eq!(v.current, Some(19), "first jump goes to the newest match");
        assert!(!v.follow);
        assert!(v.jump(false));
        assert_eq!(v.current, Some(18));
        assert!(v.jump(true));
        assert_eq!(v.current, Some(19));
        assert!(!v.jump(true), "nothing newer");
        assert_eq!(v.back, 50 - 1 - 19 - 2);
        v.search = "nowhere".into();
        assert!(!v.jump(false));
    }
}
