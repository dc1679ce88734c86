//! The one HTTP client setup: rustls with the system's roots (TLS verified by
//! default), one timeout, auth read from the environment or a file once, and
//! URLs stripped of credentials before they reach a screen or a log.

use crate::base::redact::redact;
use crate::config::HttpAuth;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use std::fmt;
use std::time::Duration;

/// How long one request to a Prometheus or an Alertmanager may take.
pub const API_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for one target. Cloning shares the connection pool.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    auth: Option<Auth>,
}

/// The credential sent with every request, read once when the client is made.
#[derive(Clone)]
enum Auth {
    /// `Bearer TOKEN`, checked to fit a header when read.
    Bearer(HeaderValue),
    Basic {
        user: String,
        password: String,
    },
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credential itself: it is a secret.
        f.debug_struct("Http")
            .field("auth", &self.auth.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// What came back, whatever the status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// The `Content-Type` header, when the server sent one.
    pub content_type: Option<String>,
    pub elapsed: Duration,
    /// Over TLS: when the server's certificate stops being valid (unix seconds).
    pub cert_not_after: Option<i64>,
    /// Its caching headers, for probes that check them.
    pub cache: crate::model::cache::http::CacheHeaders,
}

impl Http {
    pub fn new(timeout: Duration, auth: &HttpAuth) -> Result<Self, String> {
        // Both rustls providers can end up in the build; pick one for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")))
            // The peer certificate, for its expiry; verification is unchanged.
            .tls_info(true);
        if let Some(path) = &auth.ca_file {
            for cert in extra_roots(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        Ok(Http {
            client,
            auth: read_auth(auth)?,
        })
    }

    /// GET `url`; an error only when no HTTP answer came back. The error text
    /// names the URL without credentials.
    pub async fn get(&self, url: &str) -> Result<Response, String> {
        self.send(url, self.client.get(url)).await
    }

    /// GET `url` with `query` appended, each name and value percent-encoded.
    pub async fn get_query(&self, url: &str, query: &[(&str, &str)]) -> Result<Response, String> {
        self.send(url, self.client.get(url).query(query)).await
    }

    /// POST `form` as `application/x-www-form-urlencoded`, for what is too long for a URL.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Response, String> {
        self.send(url, self.client.post(url).form(form)).await
    }

    /// POST a JSON document (already serialised).
    pub async fn post_json(&self, url: &str, json: &str) -> Result<Response, String> {
        let req = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(json.to_string());
        self.send(url, req).await
    }

    /// DELETE `url`.
    pub async fn delete(&self, url: &str) -> Result<Response, String> {
        self.send(url, self.client.delete(url)).await
    }

    async fn send(&self, url: &str, mut req: reqwest::RequestBuilder) -> Result<Response, String> {
        let started = std::time::Instant::now();
        req = match &self.auth {
            Some(Auth::Bearer(header)) => req.header(AUTHORIZATION, header.clone()),
            // reqwest encodes it and marks the header sensitive.
            Some(Auth::Basic { user, password }) => req.basic_auth(user, Some(password)),
            None => req,
        };
        let resp = req.send().await.map_err(|e| describe(url, &e))?;
        let status = resp.status().as_u16();
        let cert_not_after = resp
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|t| t.peer_certificate())
            .and_then(not_after);
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let cache = cache_headers(resp.headers());
        let body = resp.text().await.map_err(|e| describe(url, &e))?;
        Ok(Response {
            status,
            body,
            content_type,
            elapsed: started.elapsed(),
            cert_not_after,
            cache,
        })
    }
}

fn cache_headers(h: &reqwest::header::HeaderMap) -> crate::model::cache::http::CacheHeaders {
    use crate::model::cache::http::{CacheHeaders, HIT_HEADERS};
    let text = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    CacheHeaders {
        cache_control: text("cache-control"),
        etag: text("etag"),
        age: text("age"),
        hit_header: HIT_HEADERS
            .iter()
            .find_map(|n| text(n).map(|v| (n.to_string(), v))),
    }
}

/// The CA certificates of a PEM file, trusted besides the system's roots.
fn extra_roots(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("cannot read the CA file {}: {e}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{}: not a PEM certificate bundle: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", path.display()));
    }
    Ok(certs)
}

/// The end of a DER certificate's validity, as unix seconds.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.validity().not_after.timestamp())
}

fn describe(url: &str, e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        "request failed".to_string()
    };
    // reqwest's Display repeats the URL (with any credentials); walk the
    // sources instead, which hold the cause.
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    let cause = redact(&cause);
    if cause.is_empty() {
        format!("{}: {what}", redact(url))
    } else {
        format!("{}: {what}: {cause}", redact(url))
    }
}

/// The one TLS setup for clients other than reqwest (the load generator's
/// hyper connections, PostgreSQL): the ring provider and the platform's
/// verifier, as reqwest uses above, so a certificate is checked the same way
/// whichever client connects. `alpn` lists the protocols to offer (`h2`,
/// `http/1.1`; none for PostgreSQL).
pub fn tls_client_config(alpn: &[&[u8]]) -> Result<std::sync::Arc<rustls::ClientConfig>, String> {
    use rustls_platform_verifier::ConfigVerifierExt as _;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(std::sync::Arc::new(config))
}

/// A secret from the environment variable or the file named, trimmed; `None` when neither is named.
pub(crate) fn read_secret(
    env: &Option<String>,
    file: &Option<std::path::PathBuf>,
) -> Result<Option<String>, String> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(|v| Some(v.trim().to_string()))
            .map_err(|_| format!("environment variable {var} is not set"));
    }
    if let Some(path) = file {
        return std::fs::read_to_string(path)
            .map(|v| Some(v.trim().to_string()))
            .map_err(|e| format!("cannot read {}: {e}", path.display()));
    }
    Ok(None)
}

fn read_auth(auth: &HttpAuth) -> Result<Option<Auth>, String> {
    if let Some(token) = read_secret(&auth.bearer_token_env, &auth.bearer_token_file)? {
        let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| "the token has characters a header cannot carry".to_string())?;
        header.set_sensitive(true);
        return Ok(Some(Auth::Bearer(header)));
    }
    let Some(user) = &auth.basic_user else {
        return Ok(None);
    };
    let password =
        read_secret(&auth.basic_password_env, &auth.basic_password_file)?.unwrap_or_default();
    Ok(Some(Auth::Basic {
        user: user.clone(),
        password,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_set_up() {
        assert!(tls_client_config(&[]).is_ok());
    }

    #[test]
    fn missing_secret_is_a_clear_error_and_debug_hides_the_header() {
        let auth = HttpAuth {
            bearer_token_env: Some("OPSDECK_TEST_SURELY_UNSET_TOKEN".into()),
            ..Default::default()
        };
        let e = Http::new(Duration::from_secs(1), &auth).unwrap_err();
        assert!(
            e.contains("OPSDECK_TEST_SURELY_UNSET_TOKEN is not set"),
            "{e}"
        );
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "s3cret\n").unwrap();
        let auth = HttpAuth {
            bearer_token_file: Some(file.path().to_path_buf()),
            ..Default::default()
        };
        let http = Http::new(Duration::from_secs(1), &auth).unwrap();
        assert!(!format!("{http:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_an_error_without_credentials() {
        let http = Http::new(Duration::from_secs(2), &HttpAuth::default()).unwrap();
        // Port 9 on loopback: nothing listens, the connection is refused.
        let e = http
            .get("http://user:pw@127.0.0.1:9/metrics")
            .await
            .unwrap_err();
        assert!(
            e.starts_with("http://127.0.0.1:9/metrics: connection failed"),
            "{e}"
        );
        assert!(!e.contains("pw"), "{e}");
    }
}
