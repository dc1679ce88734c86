//! Converters on JSON captured from a Docker 20.10 engine (API 1.41, cgroup v1)
//! and on small hand-checked readings.

use super::*;
use crate::model::{InstanceHealth, Usage, WorkloadAddr, WorkloadKind};
use bollard::models::{
    ContainerInspectResponse, ContainerStatsResponse, ContainerSummary, EventMessage, Service, Task,
};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/docker/",
            $name
        ))
    };
}

fn inspect(json: &str) -> ContainerInspectResponse {
    serde_json::from_str(json).expect("inspect fixture parses")
}

fn lines<T: serde::de::DeserializeOwned>(jsonl: &str) -> Vec<T> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line parses"))
        .collect()
}

#[test]
fn a_compose_replica_is_addressed_by_project_and_service() {
    let c = instance_from_inspect("local", &inspect(fixture!("inspect_api_1.json")));
    let i = &c.instance;
    assert_eq!(c.kind, WorkloadKind::ComposeService);
    assert_eq!(
        i.workload,
        WorkloadAddr::new("local", "opsdeck-test-source-fx", "api")
    );
    assert_eq!(i.name, "opsdeck-test-source-fx_api_1");
    assert!(i.id.starts_with("7742228da099"));
    assert_eq!(i.image, "opsdeck-demo:v1");
    assert!(i.image_id.starts_with("sha256:b35f4e996ad5"));
    assert_eq!(i.state, "running");
    assert_eq!(i.exit_code, None);
    assert_eq!(i.health, Some(InstanceHealth::Healthy));
    assert_eq!(i.restart_count, 0);
    assert_eq!(i.ports, vec!["127.0.0.1:32768->8080/tcp"]);
    // 2026-11-23T16:25:48.184Z and 16:25:49.007Z.
    assert_eq!(i.created_at, 1_795_451_148);
    assert_eq!(i.started_at, Some(1_795_451_149));
    assert!(i.is_ready());
}

#[test]
fn without_a_memory_limit_the_limit_is_zero_not_the_hosts_memory() {
    let c = instance_from_inspect("local", &inspect(fixture!("inspect_api_1.json")));
    assert_eq!(c.mem_limited, Some(false));
    let s: Vec<ContainerStatsResponse> = lines(fixture!("stats_stream_serving.jsonl"));
    let u = usage(&s[1], Some(&s[0]));
    assert_eq!(
        u.mem_limit_bytes, 25_276_063_744,
        "the engine reports the host's"
    );
    let c = c.with_usage(Some(u));
    assert_eq!(c.instance.usage.unwrap().mem_limit_bytes, 0);
}

#[test]
fn an_unpublished_port_reads_like_docker_ps() {
    let c = instance_from_inspect("local", &inspect(fixture!("inspect_worker_1.json")));
    assert_eq!(c.instance.ports, vec!["8080/tcp"]);
    assert_eq!(c.instance.workload.name, "worker");
}

#[test]
fn a_plain_container_is_its_own_workload() {
    let c = instance_from_inspect("local", &inspect(fixture!("inspect_plain.json")));
    assert_eq!(c.kind, WorkloadKind::Container);
    assert_eq!(
        c.instance.workload,
        WorkloadAddr::new("local", "_", "opsdeck-test-source-fx-plain")
    );
}

#[test]
fn an_exited_container_keeps_its_exit_code_and_no_start_time() {
    let c = instance_from_inspect("local", &inspect(fixture!("inspect_crash.json")));
    let i = &c.instance;
    assert_eq!(i.state, "exited");
    assert_eq!(i.exit_code, Some(1));
    assert_eq!(i.started_at, None);
    assert!(!i.is_running() && !i.is_ready());
}

#[test]
fn the_list_gives_names_states_and_ports_like_docker_ps() {
    let list: Vec<ContainerSummary> =
        serde_json::from_str(fixture!("containers_list.json")).unwrap();
    let all: Vec<Container> = list
        .iter()
        .map(|c| instance_from_summary("local", c))
        .collect();
    let by_name = |n: &str| {
        &all.iter()
            .find(|c| c.instance.name == n)
            .unwrap_or_else(|| panic!("{n} in {all:?}"))
            .instance
    };
    assert_eq!(
        by_name("opsdeck-test-source-fx_api_2").ports,
        vec!["127.0.0.1:32771->8080/tcp"]
    );
    assert_eq!(
        by_name("opsdeck-test-source-fx_worker_1").ports,
        vec!["8080/tcp"]
    );
    assert_eq!(by_name("opsdeck-test-source-fx-crash").state, "exited");
    assert_eq!(
        by_name("opsdeck-test-source-fx_api_1").created_at,
        1_795_451_148
    );
}

#[test]
fn workloads_count_ready_replicas_and_sum_usage() {
    let list: Vec<ContainerSummary> =
        serde_json::from_str(fixture!("containers_list.json")).unwrap();
    let mut all: Vec<Container> = list
        .iter()
        .map(|c| instance_from_summary("local", c))
        .collect();
    for (n, c) in all.iter_mut().enumerate() {
        c.instance.usage = Some(Usage {
            cpu_percent: 10.0 * (n + 1) as f64,
            mem_bytes: 100,
            ..Usage::default()
        });
        c.instance.restart_count = 1;
    }
    let ws = group_workloads(&all, &[]);
    let names: Vec<String> = ws.iter().map(|w| w.addr.to_string()).collect();
    assert_eq!(
        names,
        vec![
            "local/_/opsdeck-test-source-fx-crash",
            "local/_/opsdeck-test-source-fx-plain",
            "local/opsdeck-test-source-fx/api",
            "local/opsdeck-test-source-fx/worker",
        ]
    );
    let api = &ws[2];
    assert_eq!(api.kind, WorkloadKind::ComposeService);
    assert_eq!((api.running, api.ready, api.desired), (2, 2, None));
    assert_eq!(api.images, vec!["opsdeck-demo:v1"]);
    assert_eq!(api.restarts, 2);
    assert_eq!(api.usage.mem_bytes, 200);
    // api_2 and api_1 are third and fourth in the list: 30 + 40.
    assert!((api.usage.cpu_percent - 70.0).abs() < 1e-9);
    let crash = &ws[0];
    assert_eq!((crash.running, crash.ready), (0, 0));
}

#[test]
fn images_are_ordered_most_common_first() {
    let base = instance_from_inspect("local", &inspect(fixture!("inspect_api_1.json")));
    let mut a = base.clone();
    a.instance.image = "shop:v2".into();
    let b = base.clone();
    let c = base.clone();
    let ws = group_workloads(&[a, b, c], &[]);
    assert_eq!(ws[0].images, vec!["opsdeck-demo:v1", "shop:v2"]);
}

#[test]
fn swarm_services_want_their_replicas_or_one_task_per_node() {
    let services: Vec<Service> = serde_json::from_str(fixture!("swarm_services.json")).unwrap();
    let tasks: Vec<Task> = serde_json::from_str(fixture!("swarm_tasks.json")).unwrap();
    let s = swarm_services("private", &services, &tasks);
    let find = |n: &str| s.iter().find(|s| s.addr.name == n).unwrap();
    let svc = find("opsdeck-test-source-svc");
    assert_eq!(
        svc.addr,
        WorkloadAddr::new(
            "private",
            "opsdeck-test-source-stack",
            "opsdeck-test-source-svc"
        )
    );
    assert_eq!(svc.desired, Some(2));
    // Global: the one node's task that should run (rejected ones are shut down).
    let global = find("opsdeck-test-source-glob");
    assert_eq!((global.addr.group.as_str(), global.desired), ("_", Some(1)));
}

#[test]
fn a_task_container_joins_its_service_in_the_services_stack() {
    let services: Vec<Service> = serde_json::from_str(fixture!("swarm_services.json")).unwrap();
    let tasks: Vec<Task> = serde_json::from_str(fixture!("swarm_tasks.json")).unwrap();
    let s = swarm_services("private", &services, &tasks);
    let mut task = vec![instance_from_inspect(
        "private",
        &inspect(fixture!("inspect_swarm_task.json")),
    )];
    assert_eq!(task[0].kind, WorkloadKind::SwarmService);
    // Created with `service create --label`, so the container lacks the stack label.
    assert_eq!(task[0].instance.workload.group, "_");
    adopt_service_addresses(&mut task, &s);
    assert_eq!(
        task[0].instance.workload.to_string(),
        "private/opsdeck-test-source-stack/opsdeck-test-source-svc"
    );
    let ws = group_workloads(&task, &s);
    let svc = ws
        .iter()
        .find(|w| w.addr.name == "opsdeck-test-source-svc")
        .unwrap();
    assert_eq!((svc.running, svc.ready, svc.desired), (1, 1, Some(2)));
    // A service with no containers here still shows, with its desired count.
    let global = ws
        .iter()
        .find(|w| w.addr.name == "opsdeck-test-source-glob")
        .unwrap();
    assert_eq!(
        (global.kind, global.running, global.desired),
        (WorkloadKind::SwarmService, 0, Some(1))
    );
}

#[test]
fn tasks_on_other_nodes_become_instances_of_their_service() {
    let services: Vec<Service> = serde_json::from_str(fixture!("swarm_services.json")).unwrap();
    let tasks: Vec<Task> = serde_json::from_str(fixture!("swarm_tasks.json")).unwrap();
    let s = swarm_services("private", &services, &tasks);
    // As a manager sees them when the containers are on other nodes.
    let remote = remote_task_instances(&s, &tasks, &std::collections::HashSet::new());
    let svc: Vec<_> = remote
        .iter()
        .filter(|c| c.instance.workload.name == "opsdeck-test-source-svc")
        .collect();
    assert_eq!(svc.len(), 2, "only the tasks meant to run: {remote:#?}");
    let i = &svc[0].instance;
    assert_eq!(
        i.workload.to_string(),
        "private/opsdeck-test-source-stack/opsdeck-test-source-svc"
    );
    assert!(i.name.starts_with("opsdeck-test-source-svc."), "{i:?}");
    assert_eq!(
        (i.state.as_str(), i.image.as_str()),
        ("running", "opsdeck-demo:v1")
    );
    assert!(i.started_at.is_some() && i.is_ready());
    let ws = group_workloads(&remote, &s);
    let w = ws
        .iter()
        .find(|w| w.addr.name == "opsdeck-test-source-svc")
        .unwrap();
    assert_eq!((w.running, w.ready, w.desired), (2, 2, Some(2)));
    // The one whose container is here is known from inspecting it instead.
    let task_container = inspect(fixture!("inspect_swarm_task.json")).id.unwrap();
    let local = std::collections::HashSet::from([task_container.as_str()]);
    assert_eq!(
        remote_task_instances(&s, &tasks, &local).len(),
        remote.len() - 1
    );
}

#[test]
fn a_one_shot_reading_compares_with_the_engines_previous_sample() {
    let s: ContainerStatsResponse =
        serde_json::from_str(fixture!("stats_oneshot_idle.json")).unwrap();
    let cpu = cpu_percent(&s);
    assert!((0.0..200.0).contains(&cpu), "{cpu}");
    assert!(mem_bytes(&s) > 0);
}

#[test]
fn swarm_task_labels_win_over_compose_labels() {
    let labels = [
        ("com.docker.swarm.service.name", "shop_api"),
        ("com.docker.stack.namespace", "shop"),
        ("com.docker.compose.project", "ignored"),
        ("com.docker.compose.service", "ignored"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (addr, kind) = workload_of("prod", "shop_api.1.abc", &labels);
    assert_eq!(kind, WorkloadKind::SwarmService);
    assert_eq!(addr.to_string(), "prod/shop/shop_api");
}

fn stats(jsonl: &str) -> Vec<ContainerStatsResponse> {
    lines(jsonl)
}

#[test]
fn cpu_matches_docker_stats_on_a_burning_container() {
    let s = stats(fixture!("stats_stream_burning.jsonl"));
    // The first reading of a stream has nothing to compare with.
    assert_eq!(cpu_percent(&s[0]), 0.0);
    // (48920859999 - 48160233812) / (3543610000000 - 3541630000000) × 2 × 100
    let expected = 760_626_187.0 / 1_980_000_000.0 * 2.0 * 100.0;
    assert!((cpu_percent(&s[1]) - expected).abs() < 1e-9);
    assert!(
        cpu_percent(&s[1]) > 50.0,
        "one burn thread is most of a core"
    );
}

#[test]
fn memory_leaves_out_the_inactive_page_cache() {
    let s = stats(fixture!("stats_stream_burning.jsonl"));
    // usage 12664832 − total_inactive_file 1175552 (cgroup v1).
    assert_eq!(mem_bytes(&s[1]), 12_664_832 - 1_175_552);
    let v2: ContainerStatsResponse = serde_json::from_str(
        r#"{"memory_stats":{"usage":1000,"stats":{"inactive_file":300},"limit":4096}}"#,
    )
    .unwrap();
    assert_eq!(mem_bytes(&v2), 700);
    assert_eq!(usage(&v2, None).mem_limit_bytes, 4096);
}

#[test]
fn network_is_a_rate_between_two_readings() {
    let s = stats(fixture!("stats_stream_serving.jsonl"));
    let u = usage(&s[2], Some(&s[1]));
    // Readings 1.003449 s apart: rx 26734 − 13504, tx 276681 − 132590.
    let secs = 1.003_446_297;
    assert!(
        (u.net_rx_bytes_per_sec - 13_230.0 / secs).abs() < 0.01,
        "{u:?}"
    );
    assert!(
        (u.net_tx_bytes_per_sec - 144_091.0 / secs).abs() < 0.01,
        "{u:?}"
    );
    // No limit set: the engine reports the host's memory, as `docker stats` shows it.
    assert_eq!(u.mem_limit_bytes, 25_276_063_744);
    // Without a previous reading there is no rate.
    assert_eq!(usage(&s[2], None).net_rx_bytes_per_sec, 0.0);
}

#[test]
fn block_io_rates_read_both_cgroup_spellings_and_survive_resets() {
    let at = |t: &str, r: u64, w: u64, op_case: fn(&str) -> String| -> ContainerStatsResponse {
        serde_json::from_value(serde_json::json!({
            "read": t,
            "blkio_stats": {"io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": op_case("read"), "value": r},
                {"major": 8, "minor": 0, "op": op_case("write"), "value": w},
                {"major": 8, "minor": 0, "op": op_case("total"), "value": r + w}
            ]}
        }))
        .unwrap()
    };
    let title = |s: &str| {
        let mut c = s.chars();
        c.next().unwrap().to_uppercase().chain(c).collect()
    };
    let lower = |s: &str| s.to_string();
    let t0 = "2026-11-23T16:00:00Z";
    let t2 = "2026-11-23T16:00:02Z";
    let u = usage(&at(t2, 5000, 9000, title), Some(&at(t0, 1000, 1000, title)));
    assert_eq!(
        (u.blk_read_bytes_per_sec, u.blk_write_bytes_per_sec),
        (2000.0, 4000.0)
    );
    let u = usage(&at(t2, 5000, 9000, lower), Some(&at(t0, 1000, 1000, lower)));
    assert_eq!(u.blk_read_bytes_per_sec, 2000.0);
    // A counter that went backwards (the container restarted) is no rate at all.
    let u = usage(&at(t2, 10, 10, lower), Some(&at(t0, 1000, 1000, lower)));
    assert_eq!(u.blk_read_bytes_per_sec, 0.0);
}

#[test]
fn cpu_count_falls_back_to_the_per_cpu_list() {
    let s: ContainerStatsResponse = serde_json::from_str(
        r#"{"cpu_stats":{"cpu_usage":{"total_usage":2000,"percpu_usage":[1,1,1,1]},"system_cpu_usage":20000},
            "precpu_stats":{"cpu_usage":{"total_usage":1000},"system_cpu_usage":10000}}"#,
    )
    .unwrap();
    // 1000 / 10000 × 4 × 100
    assert!((cpu_percent(&s) - 40.0).abs() < 1e-9);
}

#[test]
fn events_become_engine_events_with_their_details() {
    let all: Vec<EventMessage> = lines(fixture!("events.jsonl"));
    let shown: Vec<_> = all
        .iter()
        .filter_map(|e| engine_event("local", e))
        .collect();
    let summary: Vec<(String, String, String)> = shown
        .iter()
        .map(|e| (e.action.clone(), e.instance.clone(), e.detail.clone()))
        .collect();
    let s = |a: &str, i: &str, d: &str| (a.to_string(), i.to_string(), d.to_string());
    assert_eq!(
        summary,
        vec![
            s("start", "opsdeck-test-source-fx-crash", ""),
            s("die", "opsdeck-test-source-fx-crash", "1"),
            s("kill", "opsdeck-test-source-fx_api_2", "9"),
            s("die", "opsdeck-test-source-fx_api_2", "137"),
            s("start", "opsdeck-test-source-fx_api_2", ""),
            s("health_status", "opsdeck-test-source-fx_api_2", "healthy"),
        ]
    );
    let die = &shown[3];
    assert_eq!(die.at_nanos, 1_795_451_179_431_426_368);
    assert_eq!(
        die.workload,
        Some(WorkloadAddr::new("local", "opsdeck-test-source-fx", "api"))
    );
    assert_eq!(
        shown[0].workload.as_ref().map(|w| w.group.as_str()),
        Some("_")
    );
}

#[test]
fn events_say_what_to_reinspect_and_health_check_noise_is_ignored() {
    let all: Vec<EventMessage> = lines(fixture!("events.jsonl"));
    let changes: Vec<Change> = all.iter().filter_map(change).collect();
    // create, start, die (crash); kill, die, start, health_status (api_2); no exec_*, no network.
    assert_eq!(changes.len(), 7, "{changes:?}");
    assert!(changes.iter().all(|c| matches!(c, Change::Reinspect(_))));
    let destroy: EventMessage = serde_json::from_str(
        r#"{"Type":"container","Action":"destroy","Actor":{"ID":"abc","Attributes":{"name":"x"}},"time":1,"timeNano":1}"#,
    )
    .unwrap();
    assert_eq!(change(&destroy), Some(Change::Forget("abc".into())));
    assert_eq!(engine_event("local", &destroy), None);
}

#[test]
fn engine_times_parse_and_the_zero_time_is_none() {
    assert_eq!(
        unix_secs("2026-11-23T16:25:49.007834278Z"),
        Some(1_795_451_149)
    );
    assert_eq!(
        unix_nanos("2026-11-23T16:25:49.007834278Z"),
        Some(1_795_451_149_007_834_278)
    );
    assert_eq!(unix_secs("0001-01-01T00:00:00Z"), None);
    assert_eq!(unix_secs("yesterday"), None);
    assert_eq!(
        health_verdict(" unhealthy"),
        Some(InstanceHealth::Unhealthy)
    );
    assert_eq!(health_verdict("none"), None);
}
