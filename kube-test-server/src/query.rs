//! Reading a request: the query string and which API path it names.

use std::collections::HashMap;

use crate::resources::{self, Resource};

pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Params(pub HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        let map = query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        Params(map)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | ""))
    }

    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

pub enum Route {
    Version,
    Api,
    Apis,
    Group(String),
    Resources(String, String),
    Healthy,
    OpenApi(String),
    Object {
        res: &'static Resource,
        ns: String,
        name: Option<String>,
        sub: Option<String>,
    },
    /// `/api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy/PATH`
    PodProxy {
        ns: String,
        target: String,
        path: String,
    },
    Unknown,
}

pub fn route(path: &str) -> Route {
    let parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let (group, version, rest) = match parts.as_slice() {
        ["version"] => return Route::Version,
        ["healthz" | "livez" | "readyz", ..] => return Route::Healthy,
        ["openapi", "v3", rest @ ..] => return Route::OpenApi(rest.join("/")),
        ["api"] => return Route::Api,
        ["apis"] => return Route::Apis,
        ["api", v] => return Route::Resources(String::new(), v.to_string()),
        ["apis", g] => return Route::Group(g.to_string()),
        ["apis", g, v] => return Route::Resources(g.to_string(), v.to_string()),
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Route::Unknown,
    };
    let namespaced =
        |plural: &str| resources::find(group, version, plural).filter(|r| r.namespaced);
    let object = |res: Option<&'static Resource>, ns: &str, tail: &[&str]| match (res, tail) {
        (Some(res), [name, sub]) => Route::Object {
            res,
            ns: ns.into(),
            name: Some(name.to_string()),
            sub: Some(sub.to_string()),
        },
        (Some(res), [name]) => Route::Object {
            res,
            ns: ns.into(),
            name: Some(name.to_string()),
            sub: None,
        },
        (Some(res), []) => Route::Object {
            res,
            ns: ns.into(),
            name: None,
            sub: None,
        },
        _ => Route::Unknown,
    };
    match rest {
        ["namespaces", ns, "pods", target, "proxy", path @ ..] if group.is_empty() => {
            Route::PodProxy {
                ns: ns.to_string(),
                target: target.to_string(),
                path: path.join("/"),
            }
        }
        ["namespaces", ns, plural, tail @ ..] if namespaced(plural).is_some() => {
            object(namespaced(plural), ns, tail)
        }
        [plural, tail @ ..] => object(resources::find(group, version, plural), "", tail),
        _ => Route::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        let p = Params::parse(Some("labelSelector=app%3Dweb%2Cenv+in+%28a%29&watch=1&x"));
        assert_eq!(p.get("labelSelector"), Some("app=web,env in (a)"));
        assert!(p.flag("watch") && p.flag("x"));
    }

    #[test]
    fn routes_namespaces_and_their_subresources_apart_from_namespaced_objects() {
        match route("/api/v1/namespaces/default") {
            Route::Object { res, name, .. } => assert_eq!(
                (res.plural, name.as_deref()),
                ("namespaces", Some("default"))
            ),
            _ => panic!("namespace get"),
        }
        match route("/api/v1/namespaces/shop/pods/p1/log") {
            Route::Object { res, ns, name, sub } => {
                assert_eq!(
                    (res.plural, ns.as_str(), name.as_deref(), sub.as_deref()),
                    ("pods", "shop", Some("p1"), Some("log"))
                )
            }
            _ => panic!("pod log"),
        }
        match route("/apis/apps/v1/deployments") {
            Route::Object { res, ns, name, .. } => {
                assert_eq!((res.plural, ns.as_str(), name), ("deployments", "", None))
            }
            _ => panic!("all deployments"),
        }
        assert!(matches!(
            route("/apis/apps/v1/namespaces/x/nothing"),
            Route::Unknown
        ));
    }
}
