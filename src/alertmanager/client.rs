//! Alertmanager's API v2 over the one HTTP client: alerts and silences read,
//! a silence created or expired. Every error names the URL without credentials.

use super::Matcher;
use crate::connect::http::Http;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of `GET /api/v2/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmAlert {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(rename = "startsAt", default)]
    pub starts_at: Option<String>,
    pub status: AmStatus,
    #[serde(default)]
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmStatus {
    /// active, suppressed or unprocessed.
    pub state: String,
    #[serde(rename = "silencedBy", default)]
    pub silenced_by: Vec<String>,
    #[serde(rename = "inhibitedBy", default)]
    pub inhibited_by: Vec<String>,
}

/// One entry of `GET /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmSilence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    #[serde(rename = "createdBy", default)]
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
    pub status: SilenceStatus,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SilenceStatus {
    /// active, pending or expired.
    pub state: String,
}

/// The body of `POST /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSilence {
    pub matchers: Vec<Matcher>,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    #[serde(rename = "createdBy")]
    pub created_by: String,
    pub comment: String,
}

#[derive(Clone, Debug)]
pub struct Client {
    http: Http,
    base: String,
}

impl Client {
    pub fn new(http: Http, url: &str) -> Self {
        Client {
            http,
            base: url.trim_end_matches('/').to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<T, String> {
        let body = answered(url, self.http.get(url).await?)?;
        let shown = crate::base::redact::redact(url);
        serde_json::from_str(&body)
            .map_err(|e| format!("{shown}: not an Alertmanager v2 answer ({e})"))
    }

    pub async fn alerts(&self) -> Result<Vec<AmAlert>, String> {
        self.get(&self.url("/api/v2/alerts")).await
    }

    pub async fn silences(&self) -> Result<Vec<AmSilence>, String> {
        self.get(&self.url("/api/v2/silences")).await
    }

    pub async fn silence(&self, id: &str) -> Result<AmSilence, String> {
        self.get(&self.silence_url(id)?).await
    }

    /// Creates the silence and answers its id.
    pub async fn create(&self, silence: &NewSilence) -> Result<String, String> {
        let url = self.url("/api/v2/silences");
        let body = serde_json::to_string(silence).map_err(|e| e.to_string())?;
        let answer = answered(&url, self.http.post_json(&url, &body).await?)?;
        let shown = crate::base::redact::redact(&url);
        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "silenceID")]
            id: String,
        }
        serde_json::from_str::<Created>(&answer)
            .map(|c| c.id)
            .map_err(|e| format!("{shown}: no silence id in the answer ({e})"))
    }

    pub async fn expire(&self, id: &str) -> Result<(), String> {
        let url = self.silence_url(id)?;
        answered(&url, self.http.delete(&url).await?).map(|_| ())
    }

    /// `/api/v2/silence/ID` under the base URL, the id one encoded path segment
    /// (whatever a person typed for it, a `/` or `?` cannot leave it).
    fn silence_url(&self, id: &str) -> Result<String, String> {
        let shown = || crate::base::redact::redact(&self.base);
        let mut url =
            url::Url::parse(&self.base).map_err(|e| format!("{}: not a URL ({e})", shown()))?;
        url.path_segments_mut()
            .map_err(|()| format!("{}: not a URL with a path", shown()))?
            .pop_if_empty()
            .extend(["api", "v2", "silence", id]);
        Ok(url.to_string())
    }
}

/// The body of a 200 answer; any other status is an error naming the URL
/// (without credentials) and what Alertmanager said.
fn answered(url: &str, resp: crate::connect::http::Response) -> Result<String, String> {
    if resp.status == 200 {
        return Ok(resp.body);
    }
    Err(format!(
        "{}: HTTP {}: {}",
        crate::base::redact::redact(url),
        resp.status,
        brief(&resp.body)
    ))
}

/// The first line of an error body, short enough for one screen line.
fn brief(body: &str) -> String {
    let line = body.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silences_decode_and_new_ones_encode_as_the_api_spells_them() {
        let text = r#"[{"id":"7d1c","status":{"state":"active"},"updatedAt":"2026-11-23T10:00:00Z",
            "comment":"disk swap","createdBy":"ana","endsAt":"2026-11-23T12:00:00.000Z",
            "startsAt":"2026-11-23T10:00:00.000Z",
            "matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"DiskFull"},
                        {"isRegex":true,"name":"instance","value":"db-.*"}]}]"#;
        let s: Vec<AmSilence> = serde_json::from_str(text).unwrap();
        assert_eq!(s[0].status.state, "active");
        assert_eq!(
            super::super::matcher::list(&s[0].matchers),
            r#"alertname="DiskFull", instance=~"db-.*""#
        );
        let new = NewSilence {
            matchers: vec![Matcher::equal("alertname", "DiskFull")],
            starts_at: "a".into(),
            ends_at: "b".into(),
            created_by: "ana".into(),
            comment: "c".into(),
        };
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["matchers"][0]["isEqual"], true);
        assert_eq!(json["createdBy"], "ana");
        assert_eq!(json["endsAt"], "b");
    }

    #[test]
    fn a_silence_id_is_one_encoded_path_segment() {
        let http = Http::new(std::time::Duration::from_secs(1), &Default::default()).unwrap();
        let root = Client::new(http.clone(), "http://am:9093/");
        assert_eq!(
            root.silence_url("7d1c").unwrap(),
            "http://am:9093/api/v2/silence/7d1c"
        );
        let proxied = Client::new(http, "https://proxy/alertmanager");
        assert_eq!(
            proxied.silence_url("a/b?c d").unwrap(),
            "https://proxy/alertmanager/api/v2/silence/a%2Fb%3Fc%20d"
        );
    }
}
