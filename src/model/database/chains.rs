//! Lock chains: the blocking graph `pg_blocking_pids` gives, its roots
//! (backends that block others and wait for no one) and, for each root, every
//! session waiting behind it, directly or through another waiter. A waiter is
//! never the one to stop: the root is, and how many sessions that releases is
//! what the pane, the plan and the runbook say.

use super::session::DbSession;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One edge set of the graph: a blocked backend and those it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockEdge {
    pub blocked: i32,
    pub blockers: Vec<i32>,
}

/// The head of a chain and every session behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Root {
    pub pid: i32,
    /// Sessions waiting for it, directly or not, nearest first.
    pub waiters: Vec<i32>,
}

/// A blocked backend: whom it waits for, and the roots at the head of its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wait {
    pub waits_for: Vec<i32>,
    /// Empty when every way up loops back (a deadlock not yet broken).
    pub roots: Vec<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role<'a> {
    Root(&'a Root),
    Waiter(&'a Wait),
    Free,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Chains {
    /// Most waiters first.
    pub roots: Vec<Root>,
    pub waits: BTreeMap<i32, Wait>,
}

/// A backend by number; PID 0 in `pg_blocking_pids` is a prepared transaction.
pub fn pid_label(pid: i32) -> String {
    if pid == 0 {
        "a prepared transaction".into()
    } else {
        pid.to_string()
    }
}

impl Chains {
    pub fn of(edges: &[BlockEdge]) -> Chains {
        let mut blockers: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
        let mut children: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
        for e in edges {
            for b in &e.blockers {
                blockers.entry(e.blocked).or_default().insert(*b);
                children.entry(*b).or_default().insert(e.blocked);
            }
        }
        let mut roots: Vec<Root> = children
            .keys()
            .filter(|p| !blockers.contains_key(p))
            .map(|&pid| Root {
                pid,
                waiters: walk(pid, &children),
            })
            .collect();
        roots.sort_by(|a, b| {
            b.waiters
                .len()
                .cmp(&a.waiters.len())
                .then(a.pid.cmp(&b.pid))
        });
        let waits = blockers
            .iter()
            .map(|(&pid, by)| {
                let above = walk(pid, &blockers);
                let roots = above
                    .into_iter()
                    .filter(|p| !blockers.contains_key(p))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let wait = Wait {
                    waits_for: by.iter().copied().collect(),
                    roots,
                };
                (pid, wait)
            })
            .collect();
        Chains { roots, waits }
    }

    pub fn role(&self, pid: i32) -> Role<'_> {
        if let Some(w) = self.waits.get(&pid) {
            return Role::Waiter(w);
        }
        match self.roots.iter().find(|r| r.pid == pid) {
            Some(r) => Role::Root(r),
            None => Role::Free,
        }
    }

    /// `⇢ root of 2` for a root, `waits for 4243 (root 4242)` for a waiter.
    pub fn marker(&self, pid: i32) -> Option<String> {
        match self.role(pid) {
            Role::Root(r) => Some(format!("⇢ root of {}", r.waiters.len())),
            Role::Waiter(w) => Some(w.describe()),
            Role::Free => None,
        }
    }

    /// Every session that waits, directly or not, on any of `pids`, except
    /// those: who stopping them releases.
    pub fn released_by(&self, pids: &[i32]) -> Vec<i32> {
        let mut out: Vec<i32> = Vec::new();
        for p in pids {
            let behind = match self.role(*p) {
                Role::Root(r) => r.waiters.clone(),
                _ => {
                    let children = self.children();
                    walk(*p, &children)
                }
            };
            for w in behind {
                if !pids.contains(&w) && !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        out
    }

    fn children(&self) -> BTreeMap<i32, BTreeSet<i32>> {
        let mut children: BTreeMap<i32, BTreeSet<i32>> = BTreeMap::new();
        for (pid, w) in &self.waits {
            for b in &w.waits_for {
                children.entry(*b).or_default().insert(*pid);
            }
        }
        children
    }

    /// Sessions with each chain together, its root first and every waiter
    /// under it (nearest first), chains with the most waiters first; the
    /// rest keep their order after them.
    pub fn order(&self, sessions: Vec<DbSession>) -> Vec<DbSession> {
        let mut slots: Vec<Option<DbSession>> = sessions.into_iter().map(Some).collect();
        let mut out = Vec::with_capacity(slots.len());
        let mut take = |pid: i32, out: &mut Vec<DbSession>| {
            if let Some(slot) = slots
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|s| s.pid == pid))
            {
                out.extend(slot.take());
            }
        };
        for root in &self.roots {
            take(root.pid, &mut out);
            for w in &root.waiters {
                take(*w, &mut out);
            }
        }
        // Waiters whose chain has no root (a deadlock) stay together too.
        for pid in self.waits.keys() {
            take(*pid, &mut out);
        }
        out.extend(slots.into_iter().flatten());
        out
    }
}

impl Wait {
    /// `waits for 4243 (root 4242)`; `(root)` when it waits for the root itself.
    pub fn describe(&self) -> String {
        let first = self.waits_for.first().copied().unwrap_or_default();
        let more = if self.waits_for.len() > 1 {
            format!(" +{}", self.waits_for.len() - 1)
        } else {
            String::new()
        };
        let root = match self.roots.as_slice() {
            [] => "deadlock".to_string(),
            [r] if *r == first && self.waits_for.len() == 1 => "root".to_string(),
            [r] => format!("root {}", pid_label(*r)),
            rs => format!(
                "roots {}",
                rs.iter()
                    .map(|r| pid_label(*r))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        format!("waits for {}{more} ({root})", pid_label(first))
    }
}

/// Every node reachable from `from` along `next`, breadth first, without `from`.
fn walk(from: i32, next: &BTreeMap<i32, BTreeSet<i32>>) -> Vec<i32> {
    let mut seen = BTreeSet::from([from]);
    let mut queue = VecDeque::from([from]);
    let mut out = Vec::new();
    while let Some(p) = queue.pop_front() {
        for n in next.get(&p).into_iter().flatten() {
            if seen.insert(*n) {
                out.push(*n);
                queue.push_back(*n);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(blocked: i32, blockers: &[i32]) -> BlockEdge {
        BlockEdge {
            blocked,
            blockers: blockers.to_vec(),
        }
    }

    #[test]
    fn a_chain_has_one_root_counting_every_waiter_behind_it() {
        // A (1) blocks B (2), B blocks C (3); D (4) blocks E (5).
        let c = Chains::of(&[edge(2, &[1]), edge(3, &[2]), edge(5, &[4])]);
        assert_eq!(
            c.roots,
            [
                Root {
                    pid: 1,
                    waiters: vec![2, 3]
                },
                Root {
                    pid: 4,
                    waiters: vec![5]
                }
            ]
        );
        assert_eq!(c.marker(1).as_deref(), Some("⇢ root of 2"));
        assert_eq!(c.marker(2).as_deref(), Some("waits for 1 (root)"));
        assert_eq!(c.marker(3).as_deref(), Some("waits for 2 (root 1)"));
        assert_eq!(c.marker(9), None);
        assert_eq!(c.released_by(&[1]), [2, 3]);
        assert_eq!(c.released_by(&[2]), [3], "B's own waiter only");
        assert_eq!(c.released_by(&[3]), Vec::<i32>::new());
    }

    #[test]
    fn shared_waiters_and_deadlocks() {
        // 3 waits for both 1 and 2 (share lock holders); 5 and 6 wait for each other.
        let c = Chains::of(&[edge(3, &[1, 2]), edge(5, &[6]), edge(6, &[5])]);
        assert_eq!(c.roots.len(), 2);
        assert_eq!(c.marker(3).as_deref(), Some("waits for 1 +1 (roots 1,2)"));
        assert_eq!(c.marker(5).as_deref(), Some("waits for 6 (deadlock)"));
        assert_eq!(
            Chains::of(&[edge(7, &[0])]).marker(7).as_deref(),
            Some("waits for a prepared transaction (root)")
        );
    }

    #[test]
    fn chains_are_listed_root_first_whatever_ran_longest() {
        let s = |pid: i32, secs: f64| DbSession {
            pid,
            running_secs: secs,
            ..Default::default()
        };
        let c = Chains::of(&[edge(2, &[1]), edge(3, &[2])]);
        // B ran longest: it would sort first by time alone.
        let ordered = c.order(vec![s(2, 90.0), s(9, 80.0), s(3, 40.0), s(1, 5.0)]);
        let pids: Vec<i32> = ordered.iter().map(|s| s.pid).collect();
        assert_eq!(pids, [1, 2, 3, 9]);
    }
}
