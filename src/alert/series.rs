//! Labels derived from a series name, and the key of a PromQL result series.

use std::collections::BTreeMap;

/// Labels an alert on `series` carries, so runbooks can bind their params
/// (`from_alert = "labels.probe"`) without parsing series names themselves.
/// Follows the series names of DESIGN.md: `KIND:NAME:METRIC`, where NAME
/// may contain `:` or `/` and is labelled by its kind.
pub fn series_labels(series: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert("series".to_string(), series.to_string());
    let Some((kind, rest)) = series.split_once(':') else {
        return labels;
    };
    let Some((name, metric)) = rest.rsplit_once(':') else {
        return labels;
    };
    labels.insert("metric".to_string(), metric.to_string());
    let mut set = |k: &str, v: &str| {
        labels.insert(k.to_string(), v.to_string());
    };
    match kind {
        "host" => {
            if let Some(mount) = name.strip_prefix("disk:") {
                set("mount", mount);
            }
        }
        // Targets of their own: the name is the target's.
        "probe" | "scrape" | "postgres" | "redis" | "backup" => {
            set(kind, name);
            set("target", name);
        }
        // `TARGET/GROUP/NAME` and `TARGET/NAME`: the target is the first part.
        "workload" | "container" | "node" => {
            set(kind, name);
            if let Some((target, rest)) = name.split_once('/') {
                set("target", target);
                if kind == "container" || kind == "node" {
                    set(kind, rest);
                }
            }
        }
        // `TARGET/NAMESPACE/POD`: a pod is named within its namespace.
        "pod" => {
            let mut parts = name.splitn(3, '/');
            if let (Some(t), Some(ns), Some(pod)) = (parts.next(), parts.next(), parts.next()) {
                set("target", t);
                set("namespace", ns);
                set("pod", pod);
            }
        }
        "panel" | "service" => set(kind, name),
        _ => {}
    }
    labels
}

/// A stable, readable key for a PromQL result series: `{a="1",b="2"}`.
pub fn labels_key(labels: &BTreeMap<String, String>) -> String {
    let body: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(series: &str) -> Vec<(String, String)> {
        series_labels(series).into_iter().collect()
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_cache_series_names_its_redis_target() {
        assert_eq!(
            pairs("redis:cache:hit_ratio_since_warm"),
            owned(&[
                ("metric", "hit_ratio_since_warm"),
                ("redis", "cache"),
                ("series", "redis:cache:hit_ratio_since_warm"),
                ("target", "cache"),
            ])
        );
    }

    #[test]
    fn labels_follow_the_series_kind() {
        assert_eq!(
            pairs("probe:site:up"),
            owned(&[
                ("metric", "up"),
                ("probe", "site"),
                ("series", "probe:site:up"),
                ("target", "site")
            ])
        );
        assert_eq!(
            pairs("workload:local/shop/api:cpu"),
            owned(&[
                ("metric", "cpu"),
                ("series", "workload:local/shop/api:cpu"),
                ("target", "local"),
                ("workload", "local/shop/api")
            ])
        );
        assert_eq!(
            pairs("postgres:orders:connections_ratio"),
            owned(&[
                ("metric", "connections_ratio"),
                ("postgres", "orders"),
                ("series", "postgres:orders:connections_ratio"),
                ("target", "orders")
            ])
        );
        assert_eq!(
            pairs("node:prod/node-1:mem_ratio"),
            owned(&[
                ("metric", "mem_ratio"),
                ("node", "node-1"),
                ("series", "node:prod/node-1:mem_ratio"),
                ("target", "prod")
            ])
        );
        assert_eq!(
            pairs("host:disk:/var:used_ratio"),
            owned(&[
                ("metric", "used_ratio"),
                ("mount", "/var"),
                ("series", "host:disk:/var:used_ratio")
            ])
        );
    }

    #[test]
    fn a_pod_series_names_its_target_namespace_and_pod() {
        assert_eq!(
            pairs("pod:prod/shop/api-7d9-x2:crashlooping"),
            owned(&[
                ("metric", "crashlooping"),
                ("namespace", "shop"),
                ("pod", "api-7d9-x2"),
                ("series", "pod:prod/shop/api-7d9-x2:crashlooping"),
                ("target", "prod")
            ])
        );
    }

    #[test]
    fn short_or_unknown_names_get_what_can_be_read() {
        assert_eq!(pairs("host:cpu"), owned(&[("series", "host:cpu")]));
        assert_eq!(pairs("plain"), owned(&[("series", "plain")]));
        assert_eq!(
            pairs("other:x:y"),
            owned(&[("metric", "y"), ("series", "other:x:y")])
        );
        assert_eq!(
            pairs("host:load:avg"),
            owned(&[("metric", "avg"), ("series", "host:load:avg")])
        );
    }

    #[test]
    fn labels_key_is_sorted_and_quoted() {
        let mut labels = BTreeMap::new();
        labels.insert("job".to_string(), "api".to_string());
        labels.insert("instance".to_string(), "a\"b".to_string());
        assert_eq!(labels_key(&labels), r#"{instance="a\"b",job="api"}"#);
        assert_eq!(labels_key(&BTreeMap::new()), "{}");
    }
}
