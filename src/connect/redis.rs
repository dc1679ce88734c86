//! The one place a Redis connection is opened: the URL from the environment
//! or a private file (it holds the password), TCP then, for `rediss://`, TLS
//! through the one verified rustls set-up (`connect::http`), then the `redis`
//! crate speaks the protocol over that stream.

use crate::config::RedisTarget;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisConnectionInfo};
use std::time::Duration;

/// How long connecting (TCP, TLS, AUTH, SELECT) may take, and any one command.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_PORT: u16 = 6379;

#[derive(Clone)]
pub struct RedisUrl {
    host: String,
    port: u16,
    tls: bool,
    user: Option<String>,
    db: i64,
    info: RedisConnectionInfo,
    /// The whole URL and the password: scrubbed from any text that leaves.
    secrets: Vec<String>,
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl RedisUrl {
    /// Reads and parses the target's URL; errors name where it came from, never what it says.
    pub fn of(target: &RedisTarget) -> Result<RedisUrl, String> {
        let file = target.url_file.as_ref().map(|f| f.get_ref().clone());
        if let (None, Some(path)) = (&target.url_env, &file) {
            crate::connect::postgres::dsn::private_file(path)?;
        }
        let text = crate::connect::http::read_secret(&target.url_env, &file)?
            .ok_or_else(|| format!("redis {}: set url_env or url_file", target.name.get_ref()))?;
        let from = match (&target.url_env, &file) {
            (Some(var), _) => format!("the URL in ${var}"),
            (_, Some(path)) => format!("the URL in {}", path.display()),
            _ => "the URL".into(),
        };
        RedisUrl::parse(&text).map_err(|e| format!("{from}: {e}"))
    }

    /// `redis://[user][:password]@host[:port][/db]`, or `rediss://` for TLS.
    pub fn parse(text: &str) -> Result<RedisUrl, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a Redis URL ({e})"))?;
        let tls = match url.scheme() {
            "redis" | "valkey" => false,
            "rediss" | "valkeys" => true,
            other => {
                return Err(format!(
                    "scheme {other:?} is not redis:// or rediss:// (TLS)"
                ))
            }
        };
        if url.fragment().is_some() {
            return Err(
                "a #fragment (such as #insecure) is not accepted: TLS is always verified".into(),
            );
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return Err("the URL names no host".into()),
        };
        let db = match url.path().trim_start_matches('/') {
            "" => 0,
            n => n
                .parse::<i64>()
                .map_err(|_| format!("database {n:?} is not a number"))?,
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the URL's user or password is not UTF-8".to_string())
        };
        let user = Some(decode(url.username())?).filter(|u| !u.is_empty());
        let password = url.password().map(decode).transpose()?;
        let mut info = RedisConnectionInfo::default().set_db(db);
        if let Some(u) = &user {
            info = info.set_username(u);
        }
        let mut secrets = vec![text.to_string()];
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            info = info.set_password(&p);
            if let Some(raw) = url.password() {
                secrets.push(raw.to_string());
            }
            secrets.push(p);
        }
        Ok(RedisUrl {
            host,
            port: url.port().unwrap_or(DEFAULT_PORT),
            tls,
            user,
            db,
            info,
            secrets,
        })
    }

    /// `user@host:port/db` (`rediss://` first over TLS): enough to tell
    /// targets apart, nothing secret.
    pub fn describe(&self) -> String {
        let user = self.user.as_deref().unwrap_or("default");
        let scheme = if self.tls { "rediss://" } else { "" };
        format!("{scheme}{user}@{}:{}/{}", self.host, self.port, self.db)
    }

    /// `text` with the URL and its password removed.
    pub fn scrub(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        crate::base::redact::scrub(text, &secrets)
    }

    /// A new connection: TCP, TLS when asked for, AUTH and SELECT, all
    /// within [`CONNECT_TIMEOUT`]; each command then within [`COMMAND_TIMEOUT`].
    pub async fn connect(&self) -> Result<MultiplexedConnection, String> {
        tokio::time::timeout(CONNECT_TIMEOUT, self.open())
            .await
            .map_err(|_| {
                format!(
                    "{}: no answer within {}s",
                    self.describe(),
                    CONNECT_TIMEOUT.as_secs()
                )
            })?
            .map_err(|e| self.scrub(&e))
    }

    async fn open(&self) -> Result<MultiplexedConnection, String> {
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("cannot connect to {}:{}: {e}", self.host, self.port))?;
        let _ = tcp.set_nodelay(true);
        let stream: std::pin::Pin<Box<dyn Stream>> = if self.tls {
            let config = crate::connect::http::tls_client_config(&[])?;
            let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                .map_err(|e| format!("{} is not a TLS server name: {e}", self.host))?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS with {}:{}: {e}", self.host, self.port))?;
            Box::pin(tls)
        } else {
            Box::pin(tcp)
        };
        let config = AsyncConnectionConfig::new().set_response_timeout(Some(COMMAND_TIMEOUT));
        let (conn, driver) = MultiplexedConnection::new_with_config(&self.info, stream, config)
            .await
            .map_err(|e| describe(&e))?;
        tokio::spawn(driver);
        Ok(conn)
    }
}

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send> Stream for T {}

/// A client or server error as one line: the server's own words when it sent any.
pub fn describe(e: &redis::RedisError) -> String {
    match (e.code(), e.detail()) {
        (Some(code), Some(detail)) => format!("{code} {detail}"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_taken_apart_and_never_described() {
        let u = RedisUrl::parse("rediss://ops:p%40ss@cache.internal:6380/2").unwrap();
        assert_eq!(u.describe(), "rediss://ops@cache.internal:6380/2");
        assert_eq!(u.info.password(), Some("p@ss"));
        assert_eq!(u.info.username(), Some("ops"));
        assert_eq!(u.info.db(), 2);
        let said = u
            .scrub("ERR auth p@ss and p%40ss failed for rediss://ops:p%40ss@cache.internal:6380/2");
        assert!(!said.contains("p@ss") && !said.contains("p%40ss"), "{said}");
        let plain = RedisUrl::parse("redis://:hunter2@127.0.0.1").unwrap();
        assert_eq!(plain.describe(), "default@127.0.0.1:6379/0");
        assert!(!format!("{plain:?}").contains("hunter2"));
    }

    #[test]
    fn unverified_tls_and_other_schemes_are_refused() {
        let e = RedisUrl::parse("rediss://:pw@h:6379/#insecure").unwrap_err();
        assert!(e.contains("always verified"), "{e}");
        let e = RedisUrl::parse("http://h:6379").unwrap_err();
        assert!(e.contains("not redis://"), "{e}");
        let e = RedisUrl::parse("redis://h/zero").unwrap_err();
        assert!(e.contains("not a number"), "{e}");
    }
}
