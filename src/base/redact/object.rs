//! Masking of whole API objects before they are shown (`describe`, the raw
//! view): a Kubernetes Secret's values, env entries whose name says they hold
//! a credential, and every URL's userinfo and query values (through
//! [`super::redact`]). kubectl's last-applied-configuration annotation is a
//! copy of the object as applied, so it is masked the same way.

use serde_json::Value;

/// What a masked value reads as.
pub const MASK: &str = "***";

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Whether an environment variable (or a key of a Secret or ConfigMap) by
/// this name holds a credential: `DB_PASSWORD`, `API_TOKEN`, `AWS_SECRET_ACCESS_KEY`,
/// `DATABASE_URL` is not (its URL's userinfo is masked instead), `PGPASS` is.
pub fn is_credential_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASS",
        "SECRET",
        "TOKEN",
        "KEY",
        "DSN",
        "CREDENTIAL",
        "CREDENTIALS",
        "AUTH",
        "PRIVATE",
        "COOKIE",
        "SIGNATURE",
        "SALT",
    ];
    let upper = name.to_ascii_uppercase();
    // Whole words of the name (`API_KEY`, `apiKey` → API KEY), and the
    // common run-together forms (`PGPASSWORD`, `APIKEY`).
    let mut spaced = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if prev_lower && c.is_ascii_uppercase() {
            spaced.push('_');
        }
        prev_lower = c.is_ascii_lowercase();
        spaced.push(c.to_ascii_uppercase());
    }
    spaced
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| WORDS.contains(&w))
        || [
            "PASSWORD",
            "PASSWD",
            "SECRET",
            "TOKEN",
            "APIKEY",
            "PRIVATEKEY",
        ]
        .iter()
        .any(|w| upper.contains(w))
}

/// Masks `object` in place (see the module's description).
pub fn mask_object(object: &mut Value) {
    if object["kind"] == "Secret" {
        for field in ["data", "stringData"] {
            if let Some(map) = object.get_mut(field).and_then(Value::as_object_mut) {
                for v in map.values_mut() {
                    *v = Value::String(MASK.into());
                }
            }
        }
    }
    mask_value(object);
}

fn mask_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            // A Kubernetes env entry: {name, value}.
            let credential = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_credential_name);
            if credential && map.get("value").is_some_and(Value::is_string) {
                map.insert("value".into(), Value::String(MASK.into()));
            }
            if let Some(Value::String(text)) = map.get_mut(LAST_APPLIED) {
                *text = match serde_json::from_str::<Value>(text) {
                    Ok(mut applied) => {
                        mask_object(&mut applied);
                        applied.to_string()
                    }
                    Err(_) => MASK.into(),
                };
            }
            for (key, child) in map.iter_mut() {
                // Docker's Config.Env: ["NAME=value", ...].
                if key == "Env" {
                    if let Value::Array(items) = child {
                        items.iter_mut().for_each(mask_env_line);
                        continue;
                    }
                }
                mask_value(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        Value::String(s) => {
            let clean = super::redact(s);
            if clean != *s {
                *s = clean;
            }
        }
        _ => {}
    }
}

fn mask_env_line(v: &mut Value) {
    let Value::String(line) = v else {
        return mask_value(v);
    };
    match line.split_once('=') {
        Some((name, _)) if is_credential_name(name) => *line = format!("{name}={MASK}"),
        _ => *line = super::redact(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credential_names_are_recognised_and_others_are_not() {
        for yes in [
            "DB_PASSWORD",
            "PGPASSWORD",
            "api_token",
            "AWS_SECRET_ACCESS_KEY",
            "apiKey",
            "SENTRY_DSN",
            "GITHUB_CREDENTIALS",
        ] {
            assert!(is_credential_name(yes), "{yes}");
        }
        for no in [
            "PATH",
            "PWD",
            "HOME",
            "PORT",
            "DATABASE_URL",
            "LOG_LEVEL",
            "KEYBOARD_LAYOUT",
            "MONKEY",
        ] {
            assert!(!is_credential_name(no), "{no}");
        }
    }

    #[test]
    fn secrets_env_values_urls_and_the_applied_copy_are_masked() {
        let applied = json!({"kind": "Pod", "spec": {"containers": [{"env": [
            {"name": "DB_PASSWORD", "value": "hunter2"}]}]}});
        let mut pod = json!({
            "kind": "Pod",
            "metadata": {"annotations": {LAST_APPLIED: applied.to_string()}},
            "spec": {"containers": [{"name": "app", "env": [
                {"name": "DB_PASSWORD", "value": "hunter2"},
                {"name": "DATABASE_URL", "value": "postgres://app:hunter2@db:5432/app"},
                {"name": "LOG_LEVEL", "value": "debug"},
                {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}}
            ]}]}
        });
        mask_object(&mut pod);
        let text = pod.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        let env = &pod["spec"]["containers"][0]["env"];
        assert_eq!(env[0]["value"], MASK);
        assert_eq!(env[1]["value"], "postgres://db:5432/app");
        assert_eq!(env[2]["value"], "debug");
        assert_eq!(env[3]["valueFrom"]["secretKeyRef"]["key"], "t");

        let mut secret = json!({"kind": "Secret", "data": {"password": "aHVudGVyMg=="},
            "stringData": {"token": "abc"}, "metadata": {"name": "db"}});
        mask_object(&mut secret);
        assert_eq!(secret["data"]["password"], MASK);
        assert_eq!(secret["stringData"]["token"], MASK);
        assert_eq!(secret["metadata"]["name"], "db");

        let mut docker = json!({"Config": {"Env": ["PATH=/bin", "SECRET_TOKEN=abc",
            "UPSTREAM=http://u:pw@h/"]}});
        mask_object(&mut docker);
        assert_eq!(
            docker["Config"]["Env"],
            json!(["PATH=/bin", "SECRET_TOKEN=***", "UPSTREAM=http://h/"])
        );
    }
}
