//! The DSN of a `[[postgres]]` target: read from its environment variable or
//! file, never shown whole. `sslmode` is read here because tokio-postgres
//! knows only disable/prefer/require: every TLS mode verifies the server's
//! certificate against the platform's roots (crate::connect::http's one TLS setup).

use crate::config::PostgresTarget;
use std::str::FromStr as _;
use std::time::Duration;
use tokio_postgres::config::{Host, SslMode};

/// How long a connection attempt may take, and any one statement.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// `sslmode=disable`.
    Off,
    /// `prefer` (the default): TLS if the server offers it, verified.
    Prefer,
    /// `require`, `verify-ca`, `verify-full`: TLS, verified, or no connection.
    Require,
}

#[derive(Clone)]
pub struct Dsn {
    pub config: tokio_postgres::Config,
    pub tls: Tls,
    /// The whole DSN and the password: scrubbed from any text that leaves.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Dsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Dsn {
    /// Reads and parses the target's DSN; errors name where it came from, never what it says.
    pub fn of(target: &PostgresTarget) -> Result<Dsn, String> {
        let file = target.url_file.as_ref().map(|f| f.get_ref().clone());
        if let (None, Some(path)) = (&target.url_env, &file) {
            private_file(path)?;
        }
        let text = crate::connect::http::read_secret(&target.url_env, &file)?.ok_or_else(|| {
            format!(
                "postgres {}: set url_env or url_file",
                target.name.get_ref()
            )
        })?;
        let from = match (&target.url_env, &target.url_file) {
            (Some(var), _) => format!("the DSN in ${var}"),
            (_, Some(path)) => format!("the DSN in {}", path.get_ref().display()),
            _ => "the DSN".into(),
        };
        Dsn::parse(&text).map_err(|e| format!("{from}: {e}"))
    }

    pub fn parse(text: &str) -> Result<Dsn, String> {
        let (rest, mode) = take_sslmode(text);
        let tls = match mode.as_deref() {
            None | Some("prefer") | Some("allow") => Tls::Prefer,
            Some("disable") => Tls::Off,
            Some("require") | Some("verify-ca") | Some("verify-full") => Tls::Require,
            Some(other) => {
                return Err(format!(
                "sslmode {other:?} is not one of disable, prefer, require, verify-ca, verify-full"
            ))
            }
        };
        let mut secrets = vec![text.to_string()];
        let mut config = tokio_postgres::Config::from_str(&rest).map_err(|e| {
            format!(
                "not a PostgreSQL connection string ({})",
                crate::base::redact::scrub(&e.to_string(), &[text])
            )
        })?;
        if let Some(pw) = config.get_password() {
            secrets.push(String::from_utf8_lossy(pw).into_owned());
        }
        config
            .ssl_mode(match tls {
                Tls::Off => SslMode::Disable,
                Tls::Prefer => SslMode::Prefer,
                Tls::Require => SslMode::Require,
            })
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("opsdeck");
        Ok(Dsn {
            config,
            tls,
            secrets,
        })
    }

    /// `user@host:port/db`: enough to tell targets apart, nothing secret.
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or("?");
        let db = self.config.get_dbname().unwrap_or(user);
        format!("{user}@{host}:{port}/{db}")
    }

    /// The same server and role, on database `db` (a restore drill's scratch one).
    pub fn on_database(&self, db: &str) -> Dsn {
        let mut other = self.clone();
        other.config.dbname(db);
        other
    }

    /// The connection as libpq's environment, for the server's own tools
    /// (`pg_restore`, `pg_dump`): the password goes in the child's
    /// environment, never on its command line where `ps` shows it. TLS is
    /// verified against the system's roots as every opsdeck connection is.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let c = &self.config;
        let mut env = vec![(
            "PGSSLMODE",
            match self.tls {
                Tls::Off => "disable",
                Tls::Prefer => "prefer",
                Tls::Require => "verify-full",
            }
            .to_string(),
        )];
        if self.tls != Tls::Off {
            env.push(("PGSSLROOTCERT", "system".into()));
        }
        match c.get_hosts().first() {
            Some(Host::Tcp(h)) => env.push(("PGHOST", h.clone())),
            #[cfg(unix)]
            Some(Host::Unix(p)) => env.push(("PGHOST", p.display().to_string())),
            None => {}
        }
        if let Some(port) = c.get_ports().first() {
            env.push(("PGPORT", port.to_string()));
        }
        if let Some(user) = c.get_user() {
            env.push(("PGUSER", user.to_string()));
        }
        if let Some(pw) = c.get_password() {
            env.push(("PGPASSWORD", String::from_utf8_lossy(pw).into_owned()));
        }
        if let Some(db) = c.get_dbname() {
            env.push(("PGDATABASE", db.to_string()));
        }
        env
    }

    /// The DSN as given, to tell sessions apart; never shown.
    pub(crate) fn identity(&self) -> &str {
        &self.secrets[0]
    }

    /// `text` with the DSN, its password and any URL credentials removed.
    pub fn scrub(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        crate::base::redact::scrub(text, &secrets)
    }
}

/// A file holding a DSN holds a password: like libpq with `~/.pgpass`, it is
/// refused when its group or others may read or write it.
pub fn private_file(path: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    let who: Vec<&str> = [(0o070, "group"), (0o007, "others")]
        .into_iter()
        .filter(|(bits, _)| mode & bits != 0)
        .map(|(_, who)| who)
        .collect();
    let can: Vec<&str> = [(0o044, "read"), (0o022, "write"), (0o011, "execute")]
        .into_iter()
        .filter(|(bits, _)| mode & bits != 0)
        .map(|(_, can)| can)
        .collect();
    Err(format!(
        "{} has mode {mode:04o}: {} may {} it, and it holds a password; refused. Fix: chmod 600 {}",
        path.display(),
        who.join(" and "),
        can.join(" and "),
        path.display()
    ))
}

/// Removes `sslmode` from a URL's query or a key=value string, returning what is left and the mode.
fn take_sslmode(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    if text.contains("://") {
        let Some((base, query)) = text.split_once('?') else {
            return (text.to_string(), None);
        };
        let mut mode = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| match kv.strip_prefix("sslmode=") {
                Some(v) => {
                    mode = Some(v.to_string());
                    false
                }
                None => true,
            })
            .collect();
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, mode)
    } else {
        let mut mode = None;
        let kept: Vec<&str> = text
            .split_whitespace()
            .filter(|kv| match kv.strip_prefix("sslmode=") {
                Some(v) => {
                    mode = Some(v.trim_matches('\'').to_string());
                    false
                }
                None => true,
            })
            .collect();
        (kept.join(" "), mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_and_keyword_forms_give_the_mode_and_hide_the_password() {
        let d =
            Dsn::parse("postgres://ops:s3cret@db.example:6432/app?sslmode=verify-full").unwrap();
        assert_eq!(d.tls, Tls::Require);
        assert_eq!(d.describe(), "ops@db.example:6432/app");
        assert!(!format!("{d:?}").contains("s3cret"));
        assert_eq!(
            d.scrub("auth failed for ops (password s3cret)"),
            "auth failed for ops (password ***)"
        );

        let d =
            Dsn::parse("host=127.0.0.1 port=5555 user=ops password=pw1 sslmode=disable").unwrap();
        assert_eq!(d.tls, Tls::Off);
        assert_eq!(d.describe(), "ops@127.0.0.1:5555/ops");
        assert_eq!(Dsn::parse("host=h user=u").unwrap().tls, Tls::Prefer);
    }

    #[test]
    fn a_dsn_file_others_may_read_or_write_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.dsn");
        std::fs::write(&path, "host=h user=u password=pw").unwrap();
        for (mode, says) in [
            (0o644, "mode 0644: group and others may read it"),
            (0o666, "mode 0666: group and others may read and write it"),
            (0o620, "mode 0620: group may write it"),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = private_file(&path).unwrap_err();
            assert!(e.contains(says), "{e}");
            assert!(e.ends_with(&format!("chmod 600 {}", path.display())), "{e}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(private_file(&path), Ok(()));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(private_file(&path), Ok(()));
    }

    #[test]
    fn a_bad_mode_or_string_is_an_error_without_the_secret() {
        let e = Dsn::parse("postgres://u:pw99@h/db?sslmode=sometimes").unwrap_err();
        assert!(e.contains("\"sometimes\" is not one of"), "{e}");
        let e = Dsn::parse("postgres://u:pw99@h:notaport/db").unwrap_err();
        assert!(e.starts_with("not a PostgreSQL connection string"), "{e}");
        assert!(!e.contains("pw99"), "{e}");
    }
}
