//! Flap damping: an instance that keeps changing state must not flood the
//! timeline and the notifications with transitions.
//!
//! How: every state change (except the quiet resolved → inactive expiry) is
//! counted in a sliding window. When the count exceeds `max_changes`, the
//! change that crossed the limit is still emitted, marked `flapping`, and
//! every later change is held back (the instance's state stays current for
//! display, with a flapping flag). Flapping ends, with hysteresis, once the
//! window holds at most `max_changes / 2` changes; then one summary
//! transition goes out, from the last state the timeline saw to the current
//! one, saying how many changes were held back.

use super::state::{AlertState, Change};
use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub(crate) struct FlapTracker {
    changes: VecDeque<f64>,
    flapping: bool,
    held_back: u32,
    last_emitted: Option<AlertState>,
}

/// A change to pass on, and whether it was emitted while flapping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Emitted {
    pub change: Change,
    pub flapping: bool,
}

impl FlapTracker {
    pub fn is_flapping(&self) -> bool {
        self.flapping
    }

    /// Nothing remembered: the instance can be forgotten without losing
    /// flap history.
    pub fn is_idle(&self) -> bool {
        self.changes.is_empty() && !self.flapping
    }

    /// Feeds one evaluation's change (or none: time passing alone can end
    /// flapping) and returns what should actually be emitted.
    pub fn filter(
        &mut self,
        change: Option<Change>,
        current: AlertState,
        now: f64,
        window: f64,
        max_changes: usize,
    ) -> Option<Emitted> {
        if let Some(c) = &change {
            let expiry = c.from == AlertState::Resolved && c.to == AlertState::Inactive;
            if !expiry {
                self.changes.push_back(now);
            }
        }
        while self.changes.front().is_some_and(|&t| now - t >= window) {
            self.changes.pop_front();
        }
        let was = self.flapping;
        let count = self.changes.len();
        if !was && count > max_changes {
            self.flapping = true;
        } else if was && count <= max_changes / 2 {
            self.flapping = false;
        }
        match (was, self.flapping) {
            (false, false) => change.map(|c| self.emit(c, false)),
            (false, true) => change.map(|mut c| {
                c.reason = format!(
                    "{}; flapping: {count} changes in {}, further changes are held back until it settles",
                    c.reason,
                    super::state::fmt_secs(window)
                );
                self.emit(c, true)
            }),
            (true, true) => {
                if change.is_some() {
                    self.held_back += 1;
                }
                None
            }
            (true, false) => {
                if change.is_some() {
                    self.held_back += 1;
                }
                let from = self.last_emitted.unwrap_or(current);
                let mut reason = format!("flapping stopped ({} changes held back); now {current}", self.held_back);
                if let Some(c) = change.filter(|c| !c.reason.is_empty()) {
                    reason = format!("{reason}: {}", c.reason);
                }
                self.held_back = 0;
                Some(self.emit(Change { from, to: current, reason }, false))
            }
        }
    }

    fn emit(&mut self, change: Change, flapping: bool) -> Emitted {
        self.last_emitted = Some(change.to);
        Emitted { change, flapping }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertState::*;

    fn change(from: AlertState, to: AlertState) -> Option<Change> {
        Some(Change {
            from,
            to,
            reason: format!("{from}->{to}"),
        })
    }

    /// Alternates firing and resolved once a second, like a value hovering
    /// at the threshold with `for = 0`.
    fn flip(t: &mut FlapTracker, i: usize) -> Option<Emitted> {
        let (from, to) = if i.is_multiple_of(2) {
            (Resolved, Firing)
        } else {
            (Firing, Resolved)
        };
        t.filter(change(from, to), to, i as f64, 60.0, 4)
    }

    #[test]
    fn calm_changes_pass_through() {
        let mut t = FlapTracker::default();
        let e = t
            .filter(change(Inactive, Firing), Firing, 0.0, 60.0, 4)
            .unwrap();
        assert!(!e.flapping);
        assert_eq!(e.change.reason, "inactive->firing");
        assert_eq!(t.filter(None, Firing, 1.0, 60.0, 4), None);
    }

    #[test]
    fn a_storm_is_cut_after_the_limit() {
        let mut t = FlapTracker::default();
        let emitted: Vec<Emitted> = (0..20).filter_map(|i| flip(&mut t, i)).collect();
        // 4 plain changes, then the 5th marked flapping, then silence.
        assert_eq!(emitted.len(), 5);
        assert!(emitted[..4].iter().all(|e| !e.flapping));
        assert!(emitted[4].flapping);
        assert!(
            emitted[4]
                .change
                .reason
                .contains("flapping: 5 changes in 1m"),
            "{}",
            emitted[4].change.reason
        );
        assert!(t.is_flapping());
    }

    #[test]
    fn flapping_ends_with_one_summary_once_the_window_calms() {
        let mut t = FlapTracker::default();
        for i in 0..20 {
            flip(&mut t, i);
        }
        // Last flip at t=19 went to resolved; the timeline last saw firing (i=4).
        assert_eq!(
            t.filter(None, Resolved, 30.0, 60.0, 4),
            None,
            "still 20 changes in window"
        );
        let summary = t.filter(None, Resolved, 77.0, 60.0, 4).unwrap();
        assert!(!summary.flapping);
        assert_eq!((summary.change.from, summary.change.to), (Firing, Resolved));
        assert_eq!(
            summary.change.reason,
            "flapping stopped (15 changes held back); now resolved"
        );
        assert!(!t.is_flapping());
        assert_eq!(t.filter(None, Resolved, 78.0, 60.0, 4), None);
    }

    #[test]
    fn a_change_that_ends_flapping_is_folded_into_the_summary() {
        let mut t = FlapTracker::default();
        for i in 0..6 {
            flip(&mut t, i);
        }
        assert!(t.is_flapping());
        let e = t
            .filter(change(Firing, Resolved), Resolved, 64.0, 60.0, 4)
            .unwrap();
        assert_eq!(e.change.from, Firing);
        assert!(
            e.change.reason.ends_with("now resolved: firing->resolved"),
            "{}",
            e.change.reason
        );
    }

    #[test]
    fn retention_expiry_does_not_count() {
        let mut t = FlapTracker::default();
        for i in 0..10 {
            let e = t.filter(change(Resolved, Inactive), Inactive, i as f64, 60.0, 4);
            assert!(!e.unwrap().flapping);
        }
        assert!(t.is_idle());
    }

    #[test]
    fn idle_only_when_the_window_is_empty() {
        let mut t = FlapTracker::default();
        t.filter(change(Inactive, Pending), Pending, 0.0, 60.0, 4);
        assert!(!t.is_idle());
        t.filter(None, Pending, 60.0, 60.0, 4);
        assert!(t.is_idle());
    }
}
