//! Who holds the connections: every client connection grouped by user,
//! application, client address and state, so "connections high" names the
//! pool that took them, and what it is doing with them.

use serde::Serialize;

pub const IDLE_IN_TX: &str = "idle in transaction";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Holder {
    pub user: String,
    pub application: String,
    /// The client's address, `local` over a Unix socket, empty when hidden.
    pub client: String,
    pub state: String,
    pub connections: u32,
    /// Its backends, lowest first; opsdeck's own session is counted, never listed.
    pub pids: Vec<i32>,
}

/// One client connection, as the grouping reads it.
pub struct Conn<'a> {
    pub user: &'a str,
    pub application: &'a str,
    pub client: &'a str,
    pub state: &'a str,
    pub pid: i32,
    pub is_self: bool,
}

/// The connections grouped, most first (then by user, application, client, state).
pub fn group<'a>(conns: impl IntoIterator<Item = Conn<'a>>) -> Vec<Holder> {
    let mut out: Vec<Holder> = Vec::new();
    for c in conns {
        let state = if c.state.is_empty() {
            "unknown"
        } else {
            c.state
        };
        let i = match out.iter().position(|h| {
            h.user == c.user
                && h.application == c.application
                && h.client == c.client
                && h.state == state
        }) {
            Some(i) => i,
            None => {
                out.push(Holder {
                    user: c.user.into(),
                    application: c.application.into(),
                    client: c.client.into(),
                    state: state.into(),
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        out[i].connections += 1;
        if !c.is_self {
            out[i].pids.push(c.pid);
        }
    }
    for h in &mut out {
        h.pids.sort_unstable();
    }
    out.sort_by(|a, b| {
        b.connections.cmp(&a.connections).then_with(|| {
            (&a.user, &a.application, &a.client, &a.state).cmp(&(
                &b.user,
                &b.application,
                &b.client,
                &b.state,
            ))
        })
    });
    out
}

/// The client (user, application, address) holding the most connections in
/// any state, with how many of them sit idle in a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopHolder {
    pub user: String,
    pub application: String,
    pub client: String,
    pub connections: u32,
    pub idle_in_tx: u32,
    /// The backends it leaves idle in a transaction: what the runbook proposes to end.
    pub idle_in_tx_pids: Vec<i32>,
}

impl TopHolder {
    /// `app@10.0.0.5 (shop-worker)`: enough to find the pool in its config.
    pub fn who(&self) -> String {
        let client = if self.client.is_empty() {
            "?"
        } else {
            &self.client
        };
        let app = if self.application.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.application)
        };
        format!("{}@{client}{app}", self.user)
    }
}

pub fn top(holders: &[Holder]) -> Option<TopHolder> {
    let mut tops: Vec<TopHolder> = Vec::new();
    for h in holders {
        let i = match tops.iter().position(|t| {
            t.user == h.user && t.application == h.application && t.client == h.client
        }) {
            Some(i) => i,
            None => {
                tops.push(TopHolder {
                    user: h.user.clone(),
                    application: h.application.clone(),
                    client: h.client.clone(),
                    connections: 0,
                    idle_in_tx: 0,
                    idle_in_tx_pids: Vec::new(),
                });
                tops.len() - 1
            }
        };
        tops[i].connections += h.connections;
        if h.state == IDLE_IN_TX {
            tops[i].idle_in_tx += h.connections;
            tops[i].idle_in_tx_pids.extend(&h.pids);
        }
    }
    // Ties go to the first seen: `holders` is already most first.
    let best = tops.iter().map(|t| t.connections).max()?;
    tops.into_iter().find(|t| t.connections == best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c<'a>(user: &'a str, app: &'a str, state: &'a str, pid: i32) -> Conn<'a> {
        Conn {
            user,
            application: app,
            client: "10.0.0.5",
            state,
            pid,
            is_self: false,
        }
    }

    #[test]
    fn connections_group_by_user_app_client_and_state_most_first() {
        let conns = vec![
            c("app", "pool", "idle in transaction", 12),
            c("app", "pool", "idle", 11),
            c("app", "pool", "idle in transaction", 10),
            c("ops", "psql", "active", 20),
            Conn {
                is_self: true,
                ..c("ops", "opsdeck", "active", 30)
            },
        ];
        let h = group(conns);
        assert_eq!(h[0].state, "idle in transaction");
        assert_eq!((h[0].connections, h[0].pids.clone()), (2, vec![10, 12]));
        assert_eq!(h.len(), 4);
        let own = h.iter().find(|x| x.application == "opsdeck").unwrap();
        assert_eq!((own.connections, own.pids.len()), (1, 0));
        let top = top(&h).unwrap();
        assert_eq!(top.who(), "app@10.0.0.5 (pool)");
        assert_eq!((top.connections, top.idle_in_tx), (3, 2));
        assert_eq!(top.idle_in_tx_pids, [10, 12]);
        assert_eq!(super::top(&[]), None);
    }
}
