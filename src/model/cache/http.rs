//! HTTP caching as a probe sees it: the `Cache-Control`, `ETag` and `Age` a
//! response carried and the CDN's hit header, and whether they meet what a
//! `[[probe]]`'s `expect_cache` asks (`max_age_at_least`, `etag`).

use serde::Serialize;
use std::time::Duration;

/// The hit headers CDNs and caching proxies send, in the order looked for:
/// Varnish, Fastly, CloudFront and Squid (`X-Cache`), Cloudflare, nginx.
pub const HIT_HEADERS: [&str; 3] = ["x-cache", "cf-cache-status", "x-cache-status"];

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CacheHeaders {
    pub cache_control: Option<String>,
    pub etag: Option<String>,
    pub age: Option<String>,
    /// The first hit header present, as (name, value).
    pub hit_header: Option<(String, String)>,
}

/// What a probe asks of the caching headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectCache {
    pub max_age_at_least: Option<Duration>,
    pub etag: bool,
}

impl CacheHeaders {
    /// How long a shared cache may keep the answer: `s-maxage` when given,
    /// else `max-age`; 0 under `no-store`; None when neither is given.
    pub fn max_age(&self) -> Option<u64> {
        let cc = self.cache_control.as_deref()?.to_ascii_lowercase();
        let directives: Vec<&str> = cc.split(',').map(str::trim).collect();
        if directives.contains(&"no-store") {
            return Some(0);
        }
        let value = |name: &str| {
            directives.iter().find_map(|d| {
                d.strip_prefix(name)?
                    .strip_prefix('=')?
                    .trim_matches('"')
                    .parse::<u64>()
                    .ok()
            })
        };
        value("s-maxage").or_else(|| value("max-age"))
    }

    /// Whether the cache in front served this answer: HIT, and the answers
    /// served from the cache while it refreshes (STALE, UPDATING,
    /// REVALIDATED); MISS, EXPIRED, BYPASS and DYNAMIC are not. None
    /// without a hit header, or with a value not known.
    pub fn served_from_cache(&self) -> Option<bool> {
        let (_, value) = self.hit_header.as_ref()?;
        let v = value.to_ascii_uppercase();
        // Varnish/Fastly chain several caches: `MISS, HIT`; the last is nearest the client.
        let last = v.rsplit(',').next().unwrap_or_default().trim();
        let first_word = last.split_whitespace().next().unwrap_or_default();
        match first_word {
            w if w.contains("HIT") => Some(true),
            "STALE" | "UPDATING" | "REVALIDATED" => Some(true),
            w if w.contains("MISS") => Some(false),
            "EXPIRED" | "BYPASS" | "DYNAMIC" | "PASS" => Some(false),
            _ => None,
        }
    }

    /// `Cache-Control: public, max-age=3600 · ETag: "5f…" · Age: 12 · X-Cache-Status: HIT`,
    /// `none` for what was missing: what the probe saw, for a failure's reason.
    pub fn seen(&self) -> String {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let mut parts = vec![
            format!("Cache-Control: {}", or_none(&self.cache_control)),
            format!("ETag: {}", or_none(&self.etag)),
            format!("Age: {}", or_none(&self.age)),
        ];
        match &self.hit_header {
            Some((name, value)) => parts.push(format!("{name}: {value}")),
            None => parts.push("no CDN hit header".into()),
        }
        parts.join(" · ")
    }
}

/// Why the headers do not meet `expect`, or None when they do.
pub fn judge(h: &CacheHeaders, expect: &ExpectCache) -> Option<String> {
    let mut wrong = Vec::new();
    if let Some(want) = expect.max_age_at_least {
        match h.max_age() {
            Some(got) if got >= want.as_secs() => {}
            Some(got) => wrong.push(format!("max-age {got}s is under {}s", want.as_secs())),
            None => wrong.push("no max-age in Cache-Control".into()),
        }
    }
    if expect.etag && h.etag.is_none() {
        wrong.push("no ETag".into());
    }
    (!wrong.is_empty()).then(|| format!("cache headers: {} (saw {})", wrong.join(", "), h.seen()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cc: Option<&str>, etag: bool, hit: Option<(&str, &str)>) -> CacheHeaders {
        CacheHeaders {
            cache_control: cc.map(String::from),
            etag: etag.then(|| "\"5f3a-1b\"".to_string()),
            age: None,
            hit_header: hit.map(|(n, v)| (n.to_string(), v.to_string())),
        }
    }

    #[test]
    fn max_age_prefers_the_shared_caches_and_no_store_is_zero() {
        assert_eq!(
            headers(Some("public, max-age=3600"), false, None).max_age(),
            Some(3600)
        );
        assert_eq!(
            headers(Some("max-age=60, s-maxage=86400"), false, None).max_age(),
            Some(86400)
        );
        assert_eq!(
            headers(Some("no-store, max-age=3600"), false, None).max_age(),
            Some(0)
        );
        assert_eq!(headers(Some("no-cache"), false, None).max_age(), None);
        assert_eq!(headers(None, false, None).max_age(), None);
    }

    #[test]
    fn hit_headers_of_the_common_caches() {
        let hit = |n: &str, v: &str| headers(None, false, Some((n, v))).served_from_cache();
        assert_eq!(hit("x-cache-status", "HIT"), Some(true));
        assert_eq!(hit("cf-cache-status", "DYNAMIC"), Some(false));
        assert_eq!(hit("cf-cache-status", "REVALIDATED"), Some(true));
        assert_eq!(hit("x-cache", "Hit from cloudfront"), Some(true));
        assert_eq!(hit("x-cache", "MISS, HIT"), Some(true));
        assert_eq!(hit("x-cache", "TCP_MISS"), Some(false));
        assert_eq!(hit("x-cache", "whatever"), None);
        assert_eq!(headers(None, false, None).served_from_cache(), None);
    }

    #[test]
    fn judging_says_what_is_wrong_and_what_was_seen() {
        let want = ExpectCache {
            max_age_at_least: Some(Duration::from_secs(3600)),
            etag: true,
        };
        assert_eq!(
            judge(&headers(Some("max-age=7200"), true, None), &want),
            None
        );
        let why = judge(
            &headers(Some("max-age=60"), false, Some(("x-cache", "MISS"))),
            &want,
        )
        .unwrap();
        assert_eq!(
            why,
            "cache headers: max-age 60s is under 3600s, no ETag \
             (saw Cache-Control: max-age=60 · ETag: none · Age: none · x-cache: MISS)"
        );
        assert!(judge(&headers(None, true, None), &want)
            .unwrap()
            .contains("no max-age in Cache-Control"));
    }
}
