//! A workload a HorizontalPodAutoscaler manages, against the test API
//! server (which serves autoscaling/v2) and the real kubectl: `scale` is
//! refused, naming the autoscaler and the change that would hold, and
//! nothing is sent; the suggested kubectl command works as given.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_on_an_autoscaled_deployment_is_refused_with_the_change_that_holds() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    apply(&k, "hpa.yaml", HPA).await;
    let listed = k.ok(&["get", "hpa"]).await;
    assert!(listed.contains("web"), "{listed}");
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");
    let (c, d) = (config.clone(), data.clone());
    let out =
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&c, &d, &["workloads", "--json"]))
            .await
            .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}", run_bin::text(&out)));
    let web = json
        .as_array()
        .into_iter()
        .flatten()
        .chain(json["workloads"].as_array().into_iter().flatten())
        .find(|w| w["addr"] == "test/default/web" || w["workload"] == "test/default/web")
        .unwrap_or_else(|| panic!("{json:#}"));
    let hpa = &web["rollout"]["autoscaler"];
    assert_eq!(
        (
            hpa["name"].as_str(),
            hpa["min"].as_u64(),
            hpa["max"].as_u64()
        ),
        (Some("web"), Some(2), Some(10)),
        "{web:#}"
    );
    assert_eq!(hpa["metrics"][0]["name"], "cpu", "{web:#}");
    assert_eq!(hpa["metrics"][0]["target"], "70 %", "{web:#}");
    let run = |args: &'static [&'static str]| {
        let (c, d) = (config.clone(), data.clone());
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&c, &d, args))
    };
    let out = run(&["scale", "test/default/web", "12", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("is managed by HorizontalPodAutoscaler web (2–10 replicas)"),
        "{text}"
    );
    assert_eq!(k.jsonpath("deployment/web", "{.spec.replicas}").await, "2");

    // The refusal offers the autoscale verb, and the kubectl patch that does the same.
    let offered = text
        .split("instead: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"))
        .lines()
        .next()
        .unwrap()
        .trim();
    assert_eq!(
        offered, "opsdeck autoscale test/default/web --max 12",
        "{text}"
    );
    assert!(
        text.contains(r#"kubectl patch hpa web -n default -p '{"spec":{"maxReplicas":12}}'"#),
        "{text}"
    );

    // Refused read-only, and a dry run asks the API server but changes nothing.
    let out = run(&[
        "--read-only",
        "autoscale",
        "test/default/web",
        "--max",
        "12",
        "--yes",
    ])
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_bin::text(&out));
    let out = run(&["autoscale", "test/default/web", "--max", "12", "--dry-run"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("maxReplicas 10 → 12"), "{text}");
    assert!(
        text.contains("horizontalpodautoscaler.autoscaling web would keep 2–12 replicas"),
        "{text}"
    );
    assert_eq!(k.jsonpath("hpa/web", "{.spec.maxReplicas}").await, "10");

    // A min over the max is refused before anything is sent.
    let out = run(&["autoscale", "test/default/web", "--min", "11", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("minReplicas 11 would exceed maxReplicas 10"),
        "{text}"
    );

    // The offered command, run as given: kubectl sees the new ceiling.
    let out = run(&["autoscale", "test/default/web", "--max", "12", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("horizontalpodautoscaler.autoscaling/web patched; it keeps 2–12 replicas"),
        "{text}"
    );
    let table = k.ok(&["get", "hpa", "web"]).await;
    let row = table.lines().find(|l| l.starts_with("web")).unwrap();
    let header = table.lines().next().unwrap();
    // kubectl aligns cells under their header; TARGETS holds spaces.
    let col = |name: &str| {
        let at = header.find(name).unwrap();
        row[at..].split_whitespace().next().unwrap()
    };
    assert_eq!((col("MINPODS"), col("MAXPODS")), ("2", "12"), "{table}");

    let out = run(&["audit"]).await.unwrap();
    let audit = run_bin::text(&out);
    assert!(audit.contains("autoscale"), "{audit}");
}

/// Scale at 70 % CPU between 2 and 10 replicas, as scaling checklists ask.
const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
";

/// CPU-hot pods (the test kubelet's `hot` images use 900m and more) asking
/// for half a core each: far over a 70 % target.
fn hot_deployment() -> String {
    deployment_yaml("hot", "demo:hot", 1, "").replace(
        "        image: demo:hot\n",
        "        image: demo:hot\n        resources: {requests: {cpu: 500m}}\n",
    )
}

const HOT_HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hot}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hot}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autoscaler_under_cpu_load_scales_to_its_max_and_says_it_is_limited() {
    let k = TestCluster::start(fast_config()).await;
    apply(&k, "hot.yaml", &hot_deployment()).await;
    k.rolled_out("hot").await;
    apply(&k, "hot-hpa.yaml", HOT_HPA).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.desiredReplicas}=3",
        "hpa/hot",
        "--timeout=60s",
    ])
    .await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.conditions[?(@.type==\"ScalingLimited\")].reason}=TooManyReplicas",
        "hpa/hot",
        "--timeout=60s",
    ])
    .await;
    assert_eq!(k.jsonpath("deployment/hot", "{.spec.replicas}").await, "3");
    let util: i64 = k
        .jsonpath(
            "hpa/hot",
            "{.status.currentMetrics[0].resource.current.averageUtilization}",
        )
        .await
        .parse()
        .unwrap();
    assert!(
        util > 70,
        "utilization {util} % should be over the 70 % target"
    );
    let table = k.ok(&["get", "hpa", "hot"]).await;
    assert!(
        table.contains(&format!("cpu: {util}%/70%")) || table.contains("cpu: "),
        "{table}"
    );

    // The degraded-performance runbook, headless: CPU-bound at the autoscaler's ceiling, it
    // raises maxReplicas (by its scale_step, 2) instead of scaling, and the autoscaler scales.
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let (data, report) = (dir.path().join("data"), dir.path().join("report.md"));
    let (c, d, r) = (config.clone(), data.clone(), report.clone());
    let out = tokio::task::spawn_blocking(move || {
        run_bin::opsdeck(
            &c,
            &d,
            &[
                "runbook",
                "run",
                "degraded-performance",
                "--param",
                "workload=test/default/hot",
                "--yes",
                "--report",
                r.to_str().unwrap(),
            ],
        )
    })
    .await
    .unwrap();
    let text = run_bin::text(&out);
    assert!(text.contains("autoscaler 1–3 wants 3"), "{text}");
    assert!(
        text.contains("autoscale test/default/hot 1–3 → 1–5"),
        "the plan raises the ceiling: {text}"
    );
    assert!(
        text.contains("horizontalpodautoscaler.autoscaling/hot patched; it keeps 1–5 replicas"),
        "{text}"
    );
    assert!(
        !text.contains("scale test/default/hot 3 →"),
        "no scale the HPA would undo: {text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("autoscale"), "{md}");
    // kubectl sees the new ceiling, and the autoscaler using it.
    assert_eq!(k.jsonpath("hpa/hot", "{.spec.maxReplicas}").await, "5");
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.desiredReplicas}=5",
        "hpa/hot",
        "--timeout=60s",
    ])
    .await;
    let table = k.ok(&["get", "hpa", "hot"]).await;
    assert!(table.contains("Deployment/hot"), "{table}");

    // Without CPU requests there is no utilization: the controller says so and keeps the replicas.
    deploy(&k, "plain", "demo:1", 2).await;
    apply(&k, "plain-hpa.yaml", &HOT_HPA.replace("hot", "plain")).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.conditions[?(@.type==\"ScalingActive\")].reason}=FailedGetResourceMetric",
        "hpa/plain",
        "--timeout=60s",
    ])
    .await;
    let why = k
        .jsonpath(
            "hpa/plain",
            "{.status.conditions[?(@.type==\"ScalingActive\")].message}",
        )
        .await;
    assert!(why.contains("missing request for cpu"), "{why}");
    assert_eq!(
        k.jsonpath("deployment/plain", "{.spec.replicas}").await,
        "2"
    );
}
