//! Who takes an action. On a shared account (`deploy@bastion`) the account
//! names nobody, so beside it the audit log keeps what the session tells of
//! the person: the name they logged in with (the kernel keeps it across `su`
//! and `sudo`), `SUDO_USER`, and the SSH client's address. Those come from
//! the session and attribute an action; they are not authentication.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// `user@host`: the account opsdeck runs as (its uid, as `id -un` names
    /// it) and the machine.
    pub who: String,
    /// The login name of the session (`logname`), when the system keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Who ran `sudo` (`SUDO_USER`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sudo_user: Option<String>,
    /// The SSH client's address and port (`SSH_CONNECTION`), as sshd logs them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_from: Option<String>,
}

impl Actor {
    /// Whoever runs this process.
    pub fn current() -> Self {
        let env = |k: &str| std::env::var(k).ok();
        Actor::from_session(
            &account(),
            &host(),
            login_name(),
            env("SUDO_USER"),
            env("SSH_CONNECTION"),
        )
    }

    /// From what the session says; an empty or malformed value is left out.
    pub fn from_session(
        account: &str,
        host: &str,
        login: Option<String>,
        sudo_user: Option<String>,
        ssh_connection: Option<String>,
    ) -> Self {
        let given = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Actor {
            who: format!("{account}@{host}"),
            login: given(login),
            sudo_user: given(sudo_user),
            ssh_from: ssh_connection.as_deref().and_then(ssh_client),
        }
    }

    /// A test's or a script's actor: an account, nothing else known.
    pub fn named(who: &str) -> Self {
        Actor {
            who: who.to_string(),
            ..Actor::default()
        }
    }

    /// `deploy@bastion (login alice, sudo by alice, ssh from 203.0.113.7:50022)`;
    /// a login that is the account itself adds nothing and is not repeated.
    pub fn describe(&self) -> String {
        let account = self.who.split('@').next().unwrap_or_default();
        let mut said = Vec::new();
        if let Some(login) = self.login.as_ref().filter(|l| l.as_str() != account) {
            said.push(format!("login {login}"));
        }
        if let Some(user) = &self.sudo_user {
            said.push(format!("sudo by {user}"));
        }
        if let Some(from) = &self.ssh_from {
            said.push(format!("ssh from {from}"));
        }
        if said.is_empty() {
            self.who.clone()
        } else {
            format!("{} ({})", self.who, said.join(", "))
        }
    }
}

/// `CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT` → `CLIENT_IP:CLIENT_PORT`
/// (`[v6]:port` for IPv6).
fn ssh_client(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let ip: std::net::IpAddr = words.next()?.parse().ok()?;
    let port: u16 = words.next()?.parse().ok()?;
    Some(std::net::SocketAddr::new(ip, port).to_string())
}

/// The account of this process's uid, through NSS as `id -un` resolves it
/// (LDAP and SSSD users included); `$USER` only when the uid has no name
/// (a container run with a bare uid), since `sudo -E` and `su` keep the
/// caller's `$USER`.
fn account() -> String {
    whoami::username()
        .ok()
        .or_else(|| {
            ["USER", "LOGNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "unknown".into())
}

fn host() -> String {
    whoami::hostname()
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

// POSIX (glibc, musl); the libc crate binds only the non-reentrant getlogin.
extern "C" {
    fn getlogin_r(buf: *mut libc::c_char, size: libc::size_t) -> libc::c_int;
}

/// getlogin(3): the kernel's login uid when PAM set one (kept across `su`
/// and `sudo`), else the terminal's utmp entry; `None` without either.
fn login_name() -> Option<String> {
    let mut buf: [libc::c_char; 256] = [0; 256];
    // SAFETY: the buffer is ours and its length is passed; on success
    // getlogin_r leaves a NUL-terminated name inside it.
    let rc = unsafe { getlogin_r(buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: NUL-terminated within `buf`, as above.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    name.to_str()
        .ok()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cmd: &str, args: &[&str]) -> Option<String> {
        let out = std::process::Command::new(cmd).args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    #[test]
    fn the_account_and_login_are_what_the_system_tools_say() {
        let me = Actor::current();
        let id = run("id", &["-un"]).expect("id -un");
        let host = run("hostname", &[]).expect("hostname");
        assert_eq!(me.who, format!("{id}@{host}"));
        // `logname` asks getlogin(3) too; both find a name or neither does.
        assert_eq!(login_name(), run("logname", &[]));
    }

    #[test]
    fn the_person_behind_a_shared_account() {
        let a = Actor::from_session(
            "deploy",
            "bastion",
            Some("alice".into()),
            Some("alice".into()),
            Some("203.0.113.7 50022 10.0.0.1 22".into()),
        );
        assert_eq!(a.ssh_from.as_deref(), Some("203.0.113.7:50022"));
        assert_eq!(
            a.describe(),
            "deploy@bastion (login alice, sudo by alice, ssh from 203.0.113.7:50022)"
        );
        let v6 = Actor::from_session(
            "deploy",
            "b",
            None,
            None,
            Some("2001:db8::7 4000 ::1 22".into()),
        );
        assert_eq!(v6.ssh_from.as_deref(), Some("[2001:db8::7]:4000"));
        // Logged in as the account itself, nothing shared: just user@host.
        let alone =
            Actor::from_session("ana", "laptop", Some("ana".into()), Some(" ".into()), None);
        assert_eq!(
            (alone.describe(), alone.sudo_user),
            ("ana@laptop".into(), None)
        );
        let garbage = Actor::from_session("a", "b", None, None, Some("not an address".into()));
        assert_eq!(garbage.ssh_from, None);
    }

    #[test]
    fn absent_fields_stay_out_of_the_json() {
        let json = serde_json::to_string(&Actor::named("ana@laptop")).unwrap();
        assert_eq!(json, r#"{"who":"ana@laptop"}"#);
    }
}
