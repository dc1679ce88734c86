//! Reading JSON fields into the words a description shows.

use serde_json::Value;

/// The string (or number, or bool) at `v`, if any.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn or_dash(v: &Value) -> String {
    text(v).unwrap_or_else(|| "-".into())
}

pub fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// `key=value` pairs of a JSON map, sorted by key.
pub fn pairs(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), text(v).unwrap_or_default()))
        .collect();
    out.sort();
    out
}

/// `cpu=100m, memory=64Mi`; None when the map is empty.
pub fn quantities(v: &Value) -> Option<String> {
    let p = pairs(v);
    (!p.is_empty()).then(|| {
        p.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// A Kubernetes probe as kubectl describe words it:
/// `http-get :8080/health delay=0s timeout=1s period=10s #success=1 #failure=3`.
pub fn probe(p: &Value) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let how = if let Some(h) = p.get("httpGet") {
        format!(
            "http-get {}://:{}{}",
            text(&h["scheme"])
                .unwrap_or_else(|| "HTTP".into())
                .to_lowercase(),
            or_dash(&h["port"]),
            text(&h["path"]).unwrap_or_else(|| "/".into())
        )
    } else if let Some(t) = p.get("tcpSocket") {
        format!("tcp-socket :{}", or_dash(&t["port"]))
    } else if let Some(e) = p.get("exec") {
        let cmd: Vec<String> = items(&e["command"]).iter().filter_map(text).collect();
        format!("exec [{}]", cmd.join(" "))
    } else if let Some(g) = p.get("grpc") {
        format!("grpc :{}", or_dash(&g["port"]))
    } else {
        "?".into()
    };
    let n = |k: &str, d: i64| p[k].as_i64().unwrap_or(d);
    Some(format!(
        "{how} delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds", 0),
        n("timeoutSeconds", 1),
        n("periodSeconds", 10),
        n("successThreshold", 1),
        n("failureThreshold", 3)
    ))
}

/// Nanoseconds (Docker's durations) in the shortest words: `30s`, `1m30s`.
pub fn nanos(v: &Value) -> Option<String> {
    let n = v.as_i64().filter(|n| *n > 0)?;
    Some(crate::base::duration::format(
        std::time::Duration::from_nanos(n as u64),
    ))
}
