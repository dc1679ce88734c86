//! Opt-in authentication and RBAC, as the real API server does them: a bearer token names a
//! user (a missing or unknown one is 401), discovery is open to every authenticated user (the
//! `system:discovery` role), and a resource request is allowed only when one of the user's
//! rules grants its verb, API group, resource (or `resource/subresource`) and namespace.
//! With no users configured every request is allowed, as before.

use axum::http::Method;

use crate::query::Params;
use crate::resources::Resource;
use crate::status::ApiError;

/// A user the server knows by its bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub token: String,
    pub rules: Vec<Rule>,
}

impl User {
    pub fn new(name: &str, token: &str) -> Self {
        Self {
            name: name.into(),
            token: token.into(),
            rules: Vec::new(),
        }
    }

    /// Adds a rule, as binding one more role to the user does.
    pub fn allow(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }
}

/// One RBAC policy rule. `"*"` matches any verb, group or resource (subresources included),
/// `"*/scale"` any resource's scale subresource. Empty `namespaces` is a ClusterRoleBinding
/// (every namespace and the cluster scope); otherwise RoleBindings in those namespaces only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub namespaces: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Rule {
    pub fn new(verbs: &[&str], api_groups: &[&str], resources: &[&str]) -> Self {
        Self {
            verbs: strings(verbs),
            api_groups: strings(api_groups),
            resources: strings(resources),
            namespaces: Vec::new(),
        }
    }

    pub fn in_namespaces(mut self, namespaces: &[&str]) -> Self {
        self.namespaces = strings(namespaces);
        self
    }

    fn allows(&self, a: &Attributes) -> bool {
        let any = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
        let resource_ok = self.resources.iter().any(|r| {
            r == "*"
                || *r == a.combined()
                || (a.subresource.is_some() && r.strip_prefix("*/") == a.subresource.as_deref())
        });
        let namespace_ok = self.namespaces.is_empty()
            || (!a.namespace.is_empty() && self.namespaces.contains(&a.namespace));
        any(&self.verbs, &a.verb) && any(&self.api_groups, &a.group) && resource_ok && namespace_ok
    }
}

/// What a resource request asks to do, in the terms RBAC decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    /// Empty at the cluster scope (cluster-scoped resources, lists across all namespaces).
    pub namespace: String,
    pub name: String,
}

impl Attributes {
    fn combined(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.clone(),
        }
    }
}

/// The verb the API server derives from a request: GET of a collection is list (watch with
/// `watch=true`), GET of one object get, PUT update, DELETE of a collection deletecollection.
pub fn verb(method: &Method, named: bool, params: &Params) -> &'static str {
    match *method {
        Method::GET | Method::HEAD if !named && params.flag("watch") => "watch",
        Method::GET | Method::HEAD if !named => "list",
        Method::GET | Method::HEAD => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if !named => "deletecollection",
        Method::DELETE => "delete",
        _ => "",
    }
}

pub fn attributes(
    verb: &str,
    res: &Resource,
    ns: &str,
    name: Option<&str>,
    sub: Option<&str>,
) -> Attributes {
    // A namespace object is in its own namespace, so a RoleBinding there covers it.
    let namespace = if res.plural == "namespaces" && res.group.is_empty() {
        name.unwrap_or_default()
    } else {
        ns
    };
    Attributes {
        verb: verb.into(),
        group: res.group.into(),
        resource: res.plural.into(),
        subresource: sub.map(String::from),
        namespace: namespace.into(),
        name: name.unwrap_or_default().into(),
    }
}

/// The user a bearer token belongs to; anonymous requests are refused like a bad token.
pub fn authenticate<'a>(
    users: &'a [User],
    authorization: Option<&str>,
) -> Result<&'a User, ApiError> {
    let token = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    users
        .iter()
        .find(|u| u.token == token)
        .ok_or_else(ApiError::unauthorized)
}

pub fn authorize(user: &User, a: &Attributes) -> Result<(), ApiError> {
    if user.rules.iter().any(|r| r.allows(a)) {
        return Ok(());
    }
    Err(ApiError::forbidden(&user.name, a))
}

/// The message the API server words a refusal with, e.g. `User "viewer" cannot patch resource
/// "deployments/scale" in API group "apps" in the namespace "default"`.
pub fn forbidden_message(user: &str, a: &Attributes) -> String {
    let place = if a.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", a.namespace)
    };
    format!(
        "User \"{user}\" cannot {} resource \"{}\" in API group \"{}\" {place}",
        a.verb,
        a.combined(),
        a.group
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources;

    fn attrs(
        method: Method,
        query: &str,
        group: &str,
        plural: &str,
        ns: &str,
        name: Option<&str>,
        sub: Option<&str>,
    ) -> Attributes {
        let params = Params::parse(Some(query));
        let v = verb(&method, name.is_some(), &params);
        attributes(v, resources::get(group, plural), ns, name, sub)
    }

    #[test]
    fn requests_map_to_verbs_as_the_api_server_maps_them() {
        let p = |q: &str| Params::parse(Some(q));
        assert_eq!(verb(&Method::GET, false, &p("")), "list");
        assert_eq!(
            verb(&Method::GET, false, &p("watch=true&resourceVersion=5")),
            "watch"
        );
        assert_eq!(verb(&Method::GET, false, &p("watch=1")), "watch");
        assert_eq!(verb(&Method::GET, true, &p("")), "get");
        assert_eq!(verb(&Method::HEAD, true, &p("")), "get");
        assert_eq!(verb(&Method::POST, false, &p("")), "create");
        assert_eq!(verb(&Method::PUT, true, &p("")), "update");
        assert_eq!(verb(&Method::PATCH, true, &p("")), "patch");
        assert_eq!(verb(&Method::DELETE, true, &p("")), "delete");
        assert_eq!(
            verb(&Method::DELETE, false, &p("labelSelector=a")),
            "deletecollection"
        );
    }

    #[test]
    fn subresources_need_rules_of_their_own() {
        let viewer = User::new("viewer", "t").allow(Rule::new(
            &["get", "list", "watch"],
            &["", "apps"],
            &["pods", "deployments"],
        ));
        let scale = attrs(
            Method::PATCH,
            "",
            "apps",
            "deployments",
            "default",
            Some("web"),
            Some("scale"),
        );
        let read_scale = attrs(
            Method::GET,
            "",
            "apps",
            "deployments",
            "default",
            Some("web"),
            Some("scale"),
        );
        let log = attrs(
            Method::GET,
            "follow=true",
            "",
            "pods",
            "default",
            Some("p"),
            Some("log"),
        );
        assert!(authorize(&viewer, &attrs(Method::GET, "", "", "pods", "", None, None)).is_ok());
        assert!(
            authorize(&viewer, &read_scale).is_err(),
            "deployments does not cover deployments/scale"
        );
        assert!(authorize(&viewer, &log).is_err());
        let e = authorize(&viewer, &scale).unwrap_err();
        assert_eq!((e.code, e.reason), (403, "Forbidden"));
        assert_eq!(
            e.message,
            "deployments.apps \"web\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\""
        );
        let scaler = viewer
            .clone()
            .allow(Rule::new(&["patch"], &["apps"], &["*/scale"]));
        assert!(authorize(&scaler, &scale).is_ok());
        let logs = viewer.allow(Rule::new(&["get"], &[""], &["pods/log"]));
        assert!(authorize(&logs, &log).is_ok());
    }

    #[test]
    fn namespaced_rules_stop_at_their_namespaces_and_the_cluster_scope() {
        let shop =
            User::new("dev", "t").allow(Rule::new(&["*"], &["*"], &["*"]).in_namespaces(&["shop"]));
        assert!(authorize(
            &shop,
            &attrs(Method::DELETE, "", "", "pods", "shop", Some("p"), None)
        )
        .is_ok());
        assert!(authorize(
            &shop,
            &attrs(Method::GET, "", "", "namespaces", "", Some("shop"), None)
        )
        .is_ok());
        let other = authorize(
            &shop,
            &attrs(Method::GET, "", "", "pods", "default", None, None),
        )
        .unwrap_err();
        assert_eq!(
            other.message,
            "pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let all = authorize(
            &shop,
            &attrs(Method::GET, "watch=true", "", "pods", "", None, None),
        )
        .unwrap_err();
        assert_eq!(
            all.message,
            "pods is forbidden: User \"dev\" cannot watch resource \"pods\" in API group \"\" at the cluster scope"
        );
        assert_eq!(all.details, Some(serde_json::json!({"kind": "pods"})));
    }

    #[test]
    fn only_a_known_bearer_token_authenticates() {
        let users = [User::new("viewer", "secret")];
        assert_eq!(
            authenticate(&users, Some("Bearer secret")).unwrap().name,
            "viewer"
        );
        for bad in [
            None,
            Some("Bearer nope"),
            Some("Basic c2VjcmV0"),
            Some("Bearer "),
        ] {
            let e = authenticate(&users, bad).unwrap_err();
            assert_eq!(
                (e.code, e.reason, e.message.as_str()),
                (401, "Unauthorized", "Unauthorized")
            );
        }
    }
}
