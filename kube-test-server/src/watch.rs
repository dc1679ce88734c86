//! Watches: chunked newline-delimited JSON events resumed from a resourceVersion, bookmarks,
//! and an ERROR event carrying 410 Expired when that resourceVersion has been forgotten.
//! Also the follow mode of pod logs, which streams the same way.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use crate::api::{scope, selectors, Request};
use crate::observe;
use crate::selector::Selector;
use crate::status::{ApiError, ApiResult};
use crate::store::{WatchEvent, COMPACTED};

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text = json!({"type": kind, "object": object}).to_string();
    text.push('\n');
    Bytes::from(text)
}

fn channel_stream(rx: mpsc::Receiver<Bytes>) -> impl Stream<Item = Result<Bytes, Infallible>> {
    futures::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) },
    )
}

struct Filter {
    res: String,
    ns: Option<String>,
    labels: Selector,
    fields: Selector,
    table: Option<&'static crate::resources::Resource>,
    columns_sent: std::cell::Cell<bool>,
}

impl Filter {
    /// An object event; `kubectl get -w` asks for Tables, the first one with the columns.
    fn event(&self, kind: &str, object: &Value) -> Bytes {
        let Some(res) = self.table else {
            return line(kind, object);
        };
        let meta = json!({"resourceVersion": object["metadata"]["resourceVersion"]});
        let mut table = crate::table::render(res, std::slice::from_ref(object), meta, false);
        if self.columns_sent.replace(true) {
            table["columnDefinitions"] = json!([]);
        }
        line(kind, &table)
    }

    fn matches(&self, o: &Value) -> bool {
        self.labels.matches_object(o) && self.fields.matches_fields(o)
    }

    /// The event this watcher sees: selectors turn modifications into ADDED / DELETED when the
    /// object enters or leaves them, as the real watch cache does.
    fn view(&self, e: &WatchEvent) -> Option<&'static str> {
        if e.res != self.res || self.ns.as_ref().is_some_and(|ns| *ns != e.ns) {
            return None;
        }
        let now = self.matches(&e.object);
        let before = e.prev.as_ref().map(|p| self.matches(p));
        match (e.kind, now, before) {
            ("MODIFIED", true, Some(false)) => Some("ADDED"),
            ("MODIFIED", false, Some(true)) => Some("DELETED"),
            (kind, true, _) => Some(kind),
            _ => None,
        }
    }
}

pub fn watch(req: Request) -> ApiResult<Response> {
    let (labels, fields) = selectors(&req.params)?;
    let filter = Filter {
        res: req.res.key(),
        ns: scope(&req).map(String::from),
        labels,
        fields,
        table: req.wants_table().then_some(req.res),
        columns_sent: std::cell::Cell::new(false),
    };
    let bookmarks = req.params.get("allowWatchBookmarks") == Some("true");
    let initial_events = req.params.get("sendInitialEvents") == Some("true");
    let timeout = req
        .params
        .get("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let requested = req
        .params
        .get("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0");
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let (mut backlog, events, mut last_rv, expired) = {
        let inner = req.cluster.lock();
        let events = inner.store.subscribe();
        let current = inner.store.resource_version();
        let mut backlog = Vec::new();
        let mut expired = false;
        match requested {
            Some(rv) if !initial_events => {
                let rv: u64 = rv.parse().map_err(|_| {
                    ApiError::bad_request(format!("invalid resourceVersion {rv:?}"))
                })?;
                match inner.store.events_since(rv) {
                    Ok(past) => backlog.extend(
                        past.iter()
                            .filter_map(|e| filter.view(e).map(|k| filter.event(k, &e.object))),
                    ),
                    Err(gone) => {
                        expired = true;
                        backlog.push(line("ERROR", &gone.status()));
                    }
                }
            }
            _ => {
                for o in inner
                    .store
                    .iter(req.res, filter.ns.as_deref())
                    .filter(|o| filter.matches(o))
                {
                    backlog.push(filter.event("ADDED", o));
                }
                if initial_events {
                    let mark = json!({"kind": req.res.kind, "apiVersion": req.res.api_version(),
                                      "metadata": {"resourceVersion": current.to_string(),
                                                   "annotations": {"k8s.io/initial-events-end": "true"}}});
                    backlog.push(line("BOOKMARK", &mark));
                }
            }
        }
        (backlog, events, current, expired)
    };
    let (kind, api_version, every) = (
        req.res.kind,
        req.res.api_version(),
        req.cluster.config.bookmark_interval,
    );
    tokio::spawn(async move {
        for l in backlog.drain(..) {
            if tx.send(l).await.is_err() {
                return;
            }
        }
        if expired {
            return;
        }
        let mut events = events;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(every);
        ticker.tick().await;
        loop {
            let out = tokio::select! {
                _ = &mut deadline => return,
                _ = tx.closed() => return,
                _ = ticker.tick(), if bookmarks => {
                    Some(line("BOOKMARK", &json!({"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": last_rv.to_string()}})))
                }
                got = events.recv() => match got {
                    Ok(e) if e.kind == COMPACTED => {
                        let gone = ApiError::expired(format!("too old resource version: {last_rv} ({})", e.rv + 1)).status();
                        let _ = tx.send(line("ERROR", &gone)).await;
                        return;
                    }
                    Ok(e) => deliver(&filter, &e, &mut last_rv),
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let gone = ApiError::expired("the watch fell too far behind; relist").status();
                        let _ = tx.send(line("ERROR", &gone)).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            };
            if let Some(l) = out {
                if tx.send(l).await.is_err() {
                    return;
                }
            }
        }
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(channel_stream(rx)),
    )
        .into_response())
}

fn deliver(filter: &Filter, e: &Arc<WatchEvent>, last_rv: &mut u64) -> Option<Bytes> {
    if e.rv <= *last_rv {
        return None;
    }
    *last_rv = e.rv;
    filter.view(e).map(|kind| filter.event(kind, &e.object))
}

/// `kubectl logs -f`: what was written so far, then a line a second while the pod exists.
/// Where a followed log stands: the instance being read and its newest line already sent.
pub struct Followed {
    pub container: String,
    pub id: String,
    pub newest: Option<time::OffsetDateTime>,
    pub timestamps: bool,
}

/// The initial lines, then each new line of the same container instance as it is written;
/// the stream ends when that instance stops (or the pod goes), as the kubelet's does.
pub fn follow_logs(
    req: Request,
    mut from: Followed,
    initial: String,
) -> impl Stream<Item = Result<Bytes, Infallible>> {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        if tx.send(Bytes::from(initial)).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let pod_name = req.name.clone().unwrap_or_default();
            let Some(pod) = req
                .cluster
                .lock()
                .store
                .get(req.res, &req.ns, &pod_name)
                .cloned()
            else {
                return;
            };
            let Ok((spec, status)) = observe::log_container(&pod, Some(&from.container)) else {
                return;
            };
            let log = match observe::instance_log(&pod, &spec, &status, false) {
                Ok(log) if log.id == from.id && status["state"]["running"].is_object() => log,
                _ => return,
            };
            let fresh: Vec<_> = log
                .lines
                .into_iter()
                .filter(|(at, _)| from.newest.is_none_or(|n| *at > n))
                .collect();
            let Some((newest, _)) = fresh.last() else {
                continue;
            };
            from.newest = Some(*newest);
            let text = observe::render_lines(&fresh, from.timestamps);
            if tx.send(Bytes::from(text)).await.is_err() {
                return;
            }
        }
    });
    channel_stream(rx)
}
