//! The HTTP API: one dispatcher over discovery and the generic resource verbs (list, get,
//! create, update, patch, delete, watch) plus the scale, status and log subresources.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use crate::query::{route, Params, Route};
use crate::resources::{self, Resource};
use crate::selector::Selector;
use crate::status::{ApiError, ApiResult};
use crate::{auth, observe, openapi, patch, table, watch, Cluster};

pub fn router(cluster: Cluster) -> Router {
    Router::new()
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/exec",
            axum::routing::any(crate::exec::exec),
        )
        .fallback(dispatch)
        .with_state(cluster)
}

pub fn json_response(code: StatusCode, body: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn dispatch(
    State(cluster): State<Cluster>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(uri.query());
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if let Err(e) = check_access(&cluster, &method, &uri, &headers, &params) {
        return e.into_response();
    }
    let found = |v: Option<Value>| {
        v.map(|v| json_response(StatusCode::OK, &v))
            .unwrap_or_else(|| ApiError::path_not_found(uri.path()).into_response())
    };
    match route(uri.path()) {
        Route::Version => json_response(StatusCode::OK, &resources::version_info()),
        Route::Healthy => (StatusCode::OK, "ok").into_response(),
        Route::Api => json_response(StatusCode::OK, &resources::core_versions()),
        Route::Apis => json_response(
            StatusCode::OK,
            &resources::group_list(cluster.config.metrics),
        ),
        // Without a metrics-server the aggregated group is not there at all.
        Route::Group(g) | Route::Resources(g, _)
            if g == resources::METRICS_GROUP && !cluster.config.metrics =>
        {
            ApiError::path_not_found(uri.path()).into_response()
        }
        Route::Group(g) => found(resources::group(&g)),
        Route::Resources(g, v) => found(resources::resource_list(&g, &v)),
        Route::OpenApi(gv) if gv.is_empty() => json_response(StatusCode::OK, &openapi::root()),
        Route::OpenApi(gv) => found(openapi::group_version(&gv)),
        Route::Unknown => ApiError::path_not_found(uri.path()).into_response(),
        Route::PodProxy { ns, target, path } if method == Method::GET => {
            match crate::proxy::pod_proxy(cluster, &ns, &target, &path, uri.query()).await {
                Ok(resp) => resp,
                Err(e) => e.into_response(),
            }
        }
        Route::PodProxy { .. } => {
            ApiError::method_not_allowed("pods/proxy (the test API server proxies GET)")
                .into_response()
        }
        Route::Object { res, ns, name, sub } => {
            let req = Request {
                cluster,
                res,
                ns,
                name,
                sub,
                params,
                accept,
                content_type,
                body,
            };
            match handle(method, req).await {
                Ok(resp) => resp,
                Err(e) => e.into_response(),
            }
        }
    }
}

/// Authentication, then RBAC for resource requests; discovery and health need only the former.
pub(crate) fn check_access(
    cluster: &Cluster,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    params: &Params,
) -> ApiResult<()> {
    let users = &cluster.config.users;
    if users.is_empty() {
        return Ok(());
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let user = auth::authenticate(users, authorization)?;
    match route(uri.path()) {
        Route::Object { res, ns, name, sub } => {
            let verb = auth::verb(method, name.is_some(), params);
            let attrs = auth::attributes(verb, res, &ns, name.as_deref(), sub.as_deref());
            auth::authorize(user, &attrs)?;
        }
        Route::PodProxy { ns, target, .. } => {
            // RBAC names the pod, not the scheme and port the path adds to it.
            let name = target.split(':').find(|p| !matches!(*p, "http" | "https"));
            let verb = auth::verb(method, true, params);
            let pods = resources::get("", "pods");
            let attrs = auth::attributes(verb, pods, &ns, name, Some("proxy"));
            auth::authorize(user, &attrs)?;
        }
        _ => {}
    }
    Ok(())
}

pub struct Request {
    pub cluster: Cluster,
    pub res: &'static Resource,
    pub ns: String,
    pub name: Option<String>,
    pub sub: Option<String>,
    pub params: Params,
    pub accept: String,
    pub content_type: String,
    pub body: Bytes,
}

impl Request {
    /// The body as JSON. Protobuf and CBOR bodies get 415, which makes client-go fall back
    /// to JSON, as it does against servers that do not speak them.
    fn body_json(&self) -> ApiResult<Value> {
        let media = self
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim();
        if media.contains("protobuf") || media.contains("cbor") {
            return Err(ApiError::unsupported_media_type(media));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))
    }

    fn name(&self) -> ApiResult<&str> {
        self.name
            .as_deref()
            .ok_or_else(|| ApiError::method_not_allowed(&self.res.qualified()))
    }

    pub fn wants_table(&self) -> bool {
        self.accept
            .split(',')
            .next()
            .is_some_and(|first| first.contains("as=Table"))
    }
}

async fn handle(method: Method, req: Request) -> ApiResult<Response> {
    if req.res.group == "metrics.k8s.io" {
        if !req.cluster.config.metrics {
            // What an API server answers for an APIService with no backend registered.
            return Err(ApiError::path_not_found(&format!(
                "/apis/metrics.k8s.io/v1beta1/{}",
                req.res.plural
            )));
        }
        return metrics(&req);
    }
    match (method, req.name.is_some(), req.sub.as_deref()) {
        (Method::GET, false, _) if req.params.flag("watch") => watch::watch(req),
        (Method::GET, false, _) => list(&req),
        (Method::GET, true, Some("log")) => logs(req),
        (Method::GET, true, sub) => get(&req, sub),
        (Method::POST, false, _) => create(&req),
        (Method::PUT, true, sub) => update(&req, sub),
        (Method::PATCH, true, sub) => patch_object(&req, sub),
        (Method::DELETE, true, None) => delete(&req),
        (Method::DELETE, false, _) => delete_collection(&req),
        _ => Err(ApiError::method_not_allowed(&req.res.qualified())),
    }
}

/// A continue token: the resourceVersion of the first page and the last key returned.
fn continue_token(rv: u64, ns: &str, name: &str) -> String {
    format!("{rv}:{ns}/{name}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_continue(token: &str) -> ApiResult<(u64, String)> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let bytes: Vec<u8> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (rv, key) = text.split_once(':').ok_or_else(bad)?;
    Ok((rv.parse().map_err(|_| bad())?, key.to_string()))
}

pub fn selectors(params: &Params) -> ApiResult<(Selector, Selector)> {
    let labels = Selector::parse(params.get("labelSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let fields = Selector::parse(params.get("fieldSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

pub fn scope(req: &Request) -> Option<&str> {
    (req.res.namespaced && !req.ns.is_empty()).then_some(req.ns.as_str())
}

fn list(req: &Request) -> ApiResult<Response> {
    let (labels, fields) = selectors(&req.params)?;
    let limit = req
        .params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let inner = req.cluster.lock();
    let rv = inner.store.resource_version();
    let mut list_rv = rv;
    let mut after = None;
    if let Some(token) = req.params.get("continue").filter(|t| !t.is_empty()) {
        let (first_rv, key) = parse_continue(token)?;
        if inner.store.events_since(first_rv).is_err() {
            return Err(ApiError::expired(
                "The provided continue parameter is too old to display a consistent list result. \
                 You can start a new list without the continue parameter.",
            ));
        }
        list_rv = first_rv;
        after = Some(key);
    }
    // Only the page is copied: a paged list of thousands of pods would otherwise copy all of
    // them for every page.
    let mut items: Vec<Value> = Vec::new();
    let mut matching = 0;
    for o in inner
        .store
        .iter(req.res, scope(req))
        .filter(|o| labels.matches_object(o) && fields.matches_fields(o))
        .filter(|o| after.as_ref().is_none_or(|a| key_of(o) > *a))
    {
        matching += 1;
        if limit.is_none_or(|l| items.len() < l) {
            items.push(o.clone());
        }
    }
    drop(inner);
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if matching > items.len() {
        let last = items.last().map(key_of).unwrap_or_default();
        let (ns, name) = last.split_once('/').unwrap_or_default();
        meta["continue"] = json!(continue_token(list_rv, ns, name));
        meta["remainingItemCount"] = json!(matching - items.len());
    }
    if req.wants_table() {
        let full = req.params.get("includeObject") == Some("Object");
        return Ok(json_response(
            StatusCode::OK,
            &table::render(req.res, &items, meta, full),
        ));
    }
    let body = json!({"kind": req.res.list_kind(), "apiVersion": req.res.api_version(), "metadata": meta, "items": items});
    Ok(json_response(StatusCode::OK, &body))
}

fn key_of(o: &Value) -> String {
    format!(
        "{}/{}",
        o["metadata"]["namespace"].as_str().unwrap_or_default(),
        o["metadata"]["name"].as_str().unwrap_or_default()
    )
}

fn scale_of(res: &Resource, o: &Value) -> Value {
    let selector = crate::selector::to_query(&o["spec"]["selector"]);
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"], "uid": o["metadata"]["uid"],
                     "resourceVersion": o["metadata"]["resourceVersion"], "creationTimestamp": o["metadata"]["creationTimestamp"]},
        "spec": {"replicas": o["spec"]["replicas"].as_i64().unwrap_or(if res.plural == "statefulsets" { 1 } else { 0 })},
        "status": {"replicas": o["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

fn get(req: &Request, sub: Option<&str>) -> ApiResult<Response> {
    let obj = req
        .cluster
        .lock()
        .store
        .require(req.res, &req.ns, req.name()?)?;
    let body = match sub {
        None | Some("status") => obj,
        Some("scale") if req.res.subresources.contains(&"scale") => scale_of(req.res, &obj),
        Some(other) => return Err(ApiError::path_not_found(other)),
    };
    if req.wants_table() && sub.is_none() {
        let meta = json!({"resourceVersion": body["metadata"]["resourceVersion"]});
        return Ok(json_response(
            StatusCode::OK,
            &table::render(req.res, &[body], meta, false),
        ));
    }
    Ok(json_response(StatusCode::OK, &body))
}

fn create(req: &Request) -> ApiResult<Response> {
    let obj = req.body_json()?;
    let body_ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
    if req.res.namespaced && !body_ns.is_empty() && body_ns != req.ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let mut inner = req.cluster.lock();
    let created = inner
        .store
        .create(req.res, &req.ns, obj, req.params.dry_run())?;
    crate::reconcile(&mut inner.store);
    Ok(json_response(StatusCode::CREATED, &created))
}

/// Applies a changed object the way its endpoint allows: the main resource cannot change
/// status, the status subresource can change nothing else, scale changes only replicas.
fn write(
    req: &Request,
    sub: Option<&str>,
    current: &Value,
    mut next: Value,
) -> ApiResult<Response> {
    let res = req.res;
    let name = req.name()?;
    let mut object = current.clone();
    match sub {
        None => {
            if res.subresources.contains(&"status") {
                next["status"] = current["status"].clone();
            }
            object = next;
        }
        Some("status") => object["status"] = next["status"].clone(),
        Some("scale") if res.subresources.contains(&"scale") => {
            let replicas = next["spec"]["replicas"]
                .as_i64()
                .ok_or_else(|| ApiError::invalid(res, name, "spec.replicas: Required value"))?;
            if replicas < 0 {
                return Err(ApiError::invalid(
                    res,
                    name,
                    "spec.replicas: Invalid value: must be greater than or equal to 0",
                ));
            }
            object["spec"]["replicas"] = json!(replicas);
            if let Some(rv) = next["metadata"]["resourceVersion"].as_str() {
                object["metadata"]["resourceVersion"] = json!(rv);
            }
        }
        Some(other) => return Err(ApiError::path_not_found(other)),
    }
    if object["metadata"]["name"].as_str() != Some(name) {
        return Err(ApiError::bad_request(
            "the name of the object does not match the name on the URL",
        ));
    }
    if res.namespaced {
        object["metadata"]["namespace"] = json!(req.ns);
    }
    let mut inner = req.cluster.lock();
    let stored = inner.store.update(res, object, req.params.dry_run())?;
    crate::reconcile(&mut inner.store);
    let stored = if req.params.dry_run() {
        stored
    } else {
        inner.store.require(res, &req.ns, name).unwrap_or(stored)
    };
    let body = if sub == Some("scale") {
        scale_of(res, &stored)
    } else {
        stored
    };
    Ok(json_response(StatusCode::OK, &body))
}

fn update(req: &Request, sub: Option<&str>) -> ApiResult<Response> {
    let next = req.body_json()?;
    let current = req
        .cluster
        .lock()
        .store
        .require(req.res, &req.ns, req.name()?)?;
    write(req, sub, &current, next)
}

fn patch_object(req: &Request, sub: Option<&str>) -> ApiResult<Response> {
    let found = req
        .cluster
        .lock()
        .store
        .require(req.res, &req.ns, req.name()?);
    let server_side_apply = req.content_type.starts_with("application/apply-patch");
    let current = match found {
        // Server-side apply creates what does not exist yet.
        Err(e) if e.code == 404 && server_side_apply && sub.is_none() => return create(req),
        other => other?,
    };
    let base = if sub == Some("scale") {
        scale_of(req.res, &current)
    } else {
        current.clone()
    };
    let patch_doc = req.body_json()?;
    let media = req
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    let mut next = base.clone();
    match media {
        "application/merge-patch+json" | "application/apply-patch+yaml" => {
            json_patch::merge(&mut next, &patch_doc)
        }
        "application/strategic-merge-patch+json" => {
            patch::strategic_merge(&mut next, &patch_doc).map_err(ApiError::bad_request)?
        }
        "application/json-patch+json" => patch::apply_json_patch(&mut next, &patch_doc)
            .map_err(|e| ApiError::invalid(req.res, req.name.as_deref().unwrap_or_default(), e))?,
        other => return Err(ApiError::unsupported_media_type(other)),
    }
    if next["metadata"]["resourceVersion"] == base["metadata"]["resourceVersion"] {
        // A patch without a resourceVersion of its own applies to whatever is current.
        next["metadata"]
            .as_object_mut()
            .map(|m| m.remove("resourceVersion"));
    }
    write(req, sub, &current, next)
}

fn delete(req: &Request) -> ApiResult<Response> {
    let options: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let policy = req
        .params
        .get("propagationPolicy")
        .or(options["propagationPolicy"].as_str())
        .unwrap_or("Background");
    let dry = req.params.dry_run()
        || options["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    let mut inner = req.cluster.lock();
    let gone = inner
        .store
        .delete(req.res, &req.ns, req.name()?, dry, policy == "Orphan")?;
    crate::reconcile(&mut inner.store);
    Ok(json_response(StatusCode::OK, &gone))
}

fn delete_collection(req: &Request) -> ApiResult<Response> {
    let (labels, fields) = selectors(&req.params)?;
    let mut inner = req.cluster.lock();
    let doomed: Vec<Value> = inner
        .store
        .list(req.res, scope(req))
        .into_iter()
        .filter(|o| labels.matches_object(o) && fields.matches_fields(o))
        .collect();
    let mut items = Vec::new();
    for o in doomed {
        let ns = o["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        items.push(
            inner
                .store
                .delete(req.res, &ns, &name, req.params.dry_run(), false)?,
        );
    }
    crate::reconcile(&mut inner.store);
    let rv = inner.store.resource_version().to_string();
    let body = json!({"kind": req.res.list_kind(), "apiVersion": req.res.api_version(), "metadata": {"resourceVersion": rv}, "items": items});
    Ok(json_response(StatusCode::OK, &body))
}

fn metrics(req: &Request) -> ApiResult<Response> {
    let inner = req.cluster.lock();
    let pods: Vec<&Value> = inner.store.iter(resources::get("", "pods"), None).collect();
    let items: Vec<Value> = if req.res.plural == "pods" {
        pods.iter()
            .filter(|p| scope(req).is_none_or(|ns| p["metadata"]["namespace"] == ns))
            .filter_map(|p| observe::pod_metrics(p))
            .collect()
    } else {
        inner
            .store
            .iter(resources::get("", "nodes"), None)
            .map(|n| observe::node_metrics(n, &pods))
            .collect()
    };
    drop(inner);
    let (labels, _) = selectors(&req.params)?;
    let items: Vec<Value> = items
        .into_iter()
        .filter(|m| labels.matches_object(m))
        .collect();
    if let Some(name) = &req.name {
        return items
            .into_iter()
            .find(|m| m["metadata"]["name"] == name.as_str())
            .map(|m| json_response(StatusCode::OK, &m))
            .ok_or_else(|| ApiError::not_found(req.res, name));
    }
    let body = json!({"kind": req.res.list_kind(), "apiVersion": req.res.api_version(), "metadata": {}, "items": items});
    Ok(json_response(StatusCode::OK, &body))
}

fn logs(req: Request) -> ApiResult<Response> {
    let pod = req
        .cluster
        .lock()
        .store
        .require(req.res, &req.ns, req.name()?)?;
    let (container, status) = observe::log_container(&pod, req.params.get("container"))?;
    let previous = req.params.flag("previous");
    let log = observe::instance_log(&pod, &container, &status, previous)?;
    let since = observe::log_since(req.params.get("sinceTime"), req.params.get("sinceSeconds"))?;
    let mut lines = log.lines;
    lines.retain(|(at, _)| since.is_none_or(|s| *at >= s));
    // Following goes on after the newest line there is, shown or cut by tailLines.
    let newest = lines.last().map(|(at, _)| *at).or(since);
    if let Some(tail) = req
        .params
        .get("tailLines")
        .and_then(|t| t.parse::<usize>().ok())
    {
        lines.drain(..lines.len().saturating_sub(tail));
    }
    let timestamps = req.params.flag("timestamps");
    let text = observe::render_lines(&lines, timestamps);
    let follow = req.params.flag("follow") && !previous;
    if !follow {
        return Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response());
    }
    let name = container["name"].as_str().unwrap_or_default().to_string();
    let from = watch::Followed {
        container: name,
        id: log.id,
        newest,
        timestamps,
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        Body::from_stream(watch::follow_logs(req, from, text)),
    )
        .into_response())
}
