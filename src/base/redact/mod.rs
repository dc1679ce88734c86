//! The one redaction of what opsdeck shows or writes: every URL in a text
//! loses its userinfo and its query values (`?token=***`), and known secrets
//! (a password, a whole DSN) are replaced by `***`. SQL text has its own
//! rules ([`sql::mask`]): a password literal is no URL and no known secret.

pub mod object;
pub mod sql;

/// Every `scheme://...` in `text` without userinfo, query values or fragment;
/// the rest of the text as it was.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`') {
            out.push_str(&redact_word(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&redact_word(&word));
    out
}

/// [`redact`], then every known secret replaced by `***`: for error text from
/// client libraries that may echo what they were given.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = redact(text);
    for secret in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(secret, "***");
    }
    out
}

/// One whitespace-delimited word; trailing punctuation of prose stays outside the URL.
fn redact_word(word: &str) -> String {
    let Some(start) = word.find("://").and_then(|i| {
        // The scheme: the letters right before `://`.
        let head = &word[..i];
        let s = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |p| p + 1);
        (s < i).then_some(s)
    }) else {
        return word.to_string();
    };
    let (before, candidate) = word.split_at(start);
    let trimmed = candidate.trim_end_matches([',', ';', ')', ']', '.', ':']);
    let after = &candidate[trimmed.len()..];
    format!("{before}{}{after}", redact_url(trimmed))
}

fn redact_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return strip_by_hand(text);
    };
    let secret_parts = !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some();
    if !secret_parts {
        // Unchanged, not re-serialised: `http://h:80` stays as written.
        return text.to_string();
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    if url.query().is_some() {
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        url.set_query(None);
        if !names.is_empty() {
            let mut q = url.query_pairs_mut();
            for name in names {
                q.append_pair(&name, "***");
            }
        }
    }
    url.to_string()
}

/// For what `url` cannot parse: userinfo, query and fragment cut off.
fn strip_by_hand(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_query_values_go() {
        assert_eq!(
            redact("https://bob:hunter2@prom.example:9090/api/v1/query?token=abc&x=1#f"),
            "https://prom.example:9090/api/v1/query?token=***&x=***"
        );
        assert_eq!(
            redact("http://127.0.0.1:8080/health"),
            "http://127.0.0.1:8080/health"
        );
        assert_eq!(redact("error at http://u:p@h"), "error at http://h/");
        assert_eq!(
            redact("ssh://bob:pw@h1 and tcp://h2:2376/x (https://a@b/c)."),
            "ssh://h1 and tcp://h2:2376/x (https://b/c)."
        );
        assert_eq!(
            redact("\"postgres://u:pw@db/app\""),
            "\"postgres://db/app\""
        );
        assert_eq!(redact("no urls, a: b"), "no urls, a: b");
    }

    #[test]
    fn scrub_removes_known_secrets_after_redacting() {
        let text = "password authentication failed: host=db password=hunter2 at postgres://u:hunter2@db/app";
        let out = scrub(text, &["hunter2"]);
        assert!(!out.contains("hunter2"), "{out}");
    }
}
