//! A deterministic Model (a busy host with history, and a Docker engine with a
//! few workloads in various states of trouble) for view snapshots, update tests
//! and render benchmarks, so all draw exactly the same thing on every machine.

use super::Alerts;

use super::Model;
use crate::alert::ExternalAlert;
use crate::alert::{AlertState, AlertView, RuleSpec, RunbookRef};
use crate::model::{
    DiskUsage, EngineEvent, HostSnapshot, Instance, InstanceHealth, Inventory, LogLine, NetRate,
    TargetKind, Usage, Workload, WorkloadAddr, WorkloadKind,
};
use crate::model::{Health, Severity};
use crate::source::Update;
use std::time::Duration;

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/// A host with `cores` cores sampled every 2 s for `history_secs`, ending at `now`.
pub fn sample_model(now: i64, cores: usize, history_secs: i64) -> Model {
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("local", TargetKind::Host);
    model.alerts = sample_alerts();
    let start = now - history_secs;
    let mut t = start;
    while t <= now {
        let phase = (t - start) as f64 / 60.0;
        model.apply_update(Update::Host {
            target: "local".into(),
            at: t,
            snapshot: Box::new(snapshot(phase, cores)),
        });
        model.apply_update(probe_reading(t, now));
        model.tick(t);
        t += 2;
    }
    model.apply_update(Update::RuleResults {
        target: "main".into(),
        at: now,
        results: vec![(
            "ApiUp".into(),
            Err("connection refused (127.0.0.1:9090)".into()),
        )],
    });
    model.apply_update(Update::ExternalAlerts {
        source: "main".into(),
        alerts: prometheus_alerts(now)
            .into_iter()
            .map(ExternalAlert::new)
            .collect(),
    });
    model.apply_update(Update::ExternalAlerts {
        source: "am".into(),
        alerts: vec![silenced_alert(now)],
    });
    model.apply_update(Update::Silences {
        source: "am".into(),
        silences: sample_silences(now),
    });
    model.apply_update(Update::PromRules {
        source: "main".into(),
        rules: sample_prom_rules(),
    });
    model.apply_update(Update::Inventory {
        target: "local".into(),
        at: now,
        inventory: Box::new(sample_inventory(now)),
    });
    model.apply_update(Update::Events {
        target: "local".into(),
        events: sample_events(now),
    });
    model
}

/// The built-in rules plus a PromQL rule, and the built-in runbooks' ids.
fn sample_alerts() -> Alerts {
    let mut api_up = RuleSpec::named("ApiUp");
    api_up.promql = Some("up{job=\"api\"} == 0".into());
    api_up.prometheus = Some("main".into());
    api_up.severity = Severity::Critical;
    let mut specs = crate::alert::default_rules();
    specs.push(api_up);
    let rules = crate::alert::validate_rules(&specs, &["main"]).expect("sample rules are valid");
    let ids = [
        "site-down",
        "degraded-performance",
        "database",
        "failed-deploy",
    ];
    Alerts::new(rules, ids.iter().map(|s| s.to_string()).collect())
}

/// The `site` probe's series (its target is left out so the header stays as
/// other snapshots know it): down for the last 7 minutes, slow and failing a little before.
fn probe_reading(t: i64, now: i64) -> Update {
    let down = t >= now - 420;
    Update::Series {
        target: "site".into(),
        at: t,
        series: vec![
            ("probe:site:up".into(), if down { 0.0 } else { 1.0 }),
            (
                "probe:site:error_ratio".into(),
                if down { 1.0 } else { 0.02 },
            ),
            ("probe:site:latency_p95".into(), 1.4),
        ],
        health: Health::Ok,
    }
}

/// What the `main` Prometheus reports: one firing alert that links a local
/// runbook by URL, one pending.
fn prometheus_alerts(now: i64) -> Vec<AlertView> {
    let alert = |name: &str, state, severity, age: i64| AlertView {
        rule: name.into(),
        series: "{job=\"demo\"}".into(),
        labels: [("job".to_string(), "demo".to_string())].into(),
        annotations: Default::default(),
        state,
        severity,
        value: Some(0.31),
        threshold: None,
        since: (now - age) as f64,
        active_since: Some((now - age) as f64),
        runbook: None,
        message: None,
        flapping: false,
    };
    let mut errors = alert("DemoErrors", AlertState::Firing, Severity::Critical, 900);
    errors.runbook = Some(RunbookRef::Url(
        "https://wiki.example/runbooks/site-down".into(),
    ));
    vec![
        errors,
        alert("DemoSlow", AlertState::Pending, Severity::Warning, 40),
    ]
}

/// What the `am` Alertmanager holds: a critical alert under a silence.
fn silenced_alert(now: i64) -> ExternalAlert {
    let mut noise = prometheus_alerts(now).remove(0);
    noise.rule = "BackupLate".into();
    noise.value = None;
    noise.runbook = None;
    ExternalAlert {
        alert: noise,
        muted_by: vec!["silence 8e6d45bd".into()],
    }
}

/// The `am` Alertmanager's silences: the one muting BackupLate, one that
/// starts tonight, and one that ended ten minutes ago.
fn sample_silences(now: i64) -> Vec<crate::alertmanager::Silence> {
    use crate::alertmanager::Matcher;
    let silence = |id: &str, state: &str, from: i64, to: i64, matchers, comment: &str| {
        crate::alertmanager::Silence {
            id: id.into(),
            matchers,
            state: state.into(),
            starts_at: (now + from) as f64,
            ends_at: (now + to) as f64,
            created_by: "ana@ops-1".into(),
            comment: comment.into(),
        }
    };
    vec![
        silence(
            "8e6d45bd",
            "active",
            -1800,
            5400,
            vec![Matcher::equal("alertname", "BackupLate")],
            "backup window moved",
        ),
        silence(
            "c0ffee12",
            "pending",
            7200,
            14400,
            vec![
                Matcher::equal("job", "db"),
                Matcher::parse("instance=~db-[12]").expect("a valid matcher"),
            ],
            "db maintenance tonight",
        ),
        silence(
            "0ld5113n",
            "expired",
            -7200,
            -600,
            vec![Matcher::equal("alertname", "DiskNoise")],
            "noisy disk replaced",
        ),
    ]
}

/// The `main` Prometheus's alerting rules: one firing (runbook by URL), one
/// pending, one inactive and one whose query fails.
fn sample_prom_rules() -> Vec<crate::prometheus::PromRuleRow> {
    let rule = |name: &str, state: &str, severity, for_secs: f64| crate::prometheus::PromRuleRow {
        source: "main".into(),
        group: "demo".into(),
        name: name.into(),
        query: format!("{}_condition > 0", name.to_lowercase()),
        state: state.into(),
        health: "ok".into(),
        last_error: None,
        severity,
        for_secs,
        runbook: None,
        runbook_id: None,
    };
    let mut errors = rule("DemoErrors", "firing", Severity::Critical, 0.0);
    errors.runbook = Some(RunbookRef::Url(
        "https://wiki.example/runbooks/site-down".into(),
    ));
    let mut broken = rule("QueueStuck", "inactive", Severity::Warning, 600.0);
    broken.health = "err".into();
    broken.last_error = Some("vector contains metrics with the same labelset".into());
    vec![
        errors,
        rule("DemoSlow", "pending", Severity::Warning, 300.0),
        rule("CertExpiry", "inactive", Severity::Info, 3600.0),
        broken,
    ]
}

fn snapshot(phase: f64, cores: usize) -> HostSnapshot {
    // A smooth wave plus a rising trend: enough shape to see charts move.
    let wave = |offset: f64| 50.0 + 40.0 * (phase + offset).sin();
    let per_core: Vec<f64> = (0..cores).map(|i| wave(i as f64 * 0.7)).collect();
    HostSnapshot {
        hostname: "web-1".into(),
        os: "Linux (Debian GNU/Linux 12)".into(),
        uptime_secs: 3 * 86400 + 7200,
        cpu_percent: per_core.iter().sum::<f64>() / cores.max(1) as f64,
        cpu_per_core: per_core,
        mem_total_bytes: 16 * GIB,
        mem_used_bytes: (9.0 * GIB as f64 + 2.0 * GIB as f64 * (phase / 3.0).sin().abs()) as u64,
        swap_total_bytes: 2 * GIB,
        swap_used_bytes: GIB / 8,
        load: [1.2 + phase.sin().abs(), 1.1, 0.9],
        disks: vec![
            DiskUsage {
                mount: "/".into(),
                filesystem: "ext4".into(),
                total_bytes: 100 * GIB,
                used_bytes: 62 * GIB,
            },
            DiskUsage {
                mount: "/boot".into(),
                filesystem: "vfat".into(),
                total_bytes: GIB / 2,
                used_bytes: GIB / 2 * 19 / 20,
            },
            DiskUsage {
                mount: "/var/lib/postgresql".into(),
                filesystem: "xfs".into(),
                total_bytes: 500 * GIB,
                used_bytes: 430 * GIB,
            },
        ],
        networks: vec![
            NetRate {
                interface: "eth0".into(),
                rx_bytes_per_sec: 2.0e6 * (1.0 + phase.sin()),
                tx_bytes_per_sec: 5.0e5,
            },
            NetRate {
                interface: "docker0".into(),
                rx_bytes_per_sec: 1.0e4,
                tx_bytes_per_sec: 2.0e4,
            },
        ],
    }
}

fn addr(group: &str, name: &str) -> WorkloadAddr {
    WorkloadAddr::new("local", group, name)
}

fn usage(cpu: f64, mem_mib: u64, limit_mib: u64, net_kib: f64, blk_kib: f64) -> Usage {
    Usage {
        cpu_percent: cpu,
        mem_bytes: mem_mib * MIB,
        mem_limit_bytes: limit_mib * MIB,
        net_rx_bytes_per_sec: net_kib * 1024.0,
        net_tx_bytes_per_sec: net_kib * 512.0,
        blk_read_bytes_per_sec: blk_kib * 1024.0,
        blk_write_bytes_per_sec: blk_kib * 256.0,
    }
}

struct Spec {
    id: &'static str,
    name: &'static str,
    workload: WorkloadAddr,
    image: &'static str,
    state: &'static str,
    exit_code: Option<i64>,
    health: Option<InstanceHealth>,
    restarts: u32,
    ports: &'static [&'static str],
    up_secs: Option<i64>,
    usage: Option<Usage>,
}

fn instance(now: i64, s: Spec) -> Instance {
    Instance {
        id: s.id.into(),
        name: s.name.into(),
        workload: s.workload,
        image: s.image.into(),
        image_id: format!("sha256:{}", s.id.repeat(6)),
        state: s.state.into(),
        exit_code: s.exit_code,
        health: s.health,
        restart_count: s.restarts,
        ports: s.ports.iter().map(|p| p.to_string()).collect(),
        created_at: now - 86_400,
        started_at: s.up_secs.map(|u| now - u),
        usage: s.usage,
        pod: None,
    }
}

/// The Docker side of target `local`: Compose project `shop` (api ×3 with one
/// unhealthy and one restarting, worker ×1), a plain container that crashed,
/// and a Swarm-like service `edge/proxy` running 1 of 2.
pub fn sample_inventory(now: i64) -> Inventory {
    let api = addr("shop", "api");
    let healthy = Some(InstanceHealth::Healthy);
    let instances = vec![
        instance(
            now,
            Spec {
                id: "3f1a9c2e4b7d",
                name: "shop-api-1",
                workload: api.clone(),
                image: "shop-api:1.4.2",
                state: "running",
                exit_code: None,
                health: healthy,
                restarts: 0,
                ports: &["0.0.0.0:8081->8080/tcp"],
                up_secs: Some(3 * 3600 + 120),
                usage: Some(usage(12.5, 182, 512, 220.0, 4.0)),
            },
        ),
        instance(
            now,
            Spec {
                id: "8b2d4e6f1a3c",
                name: "shop-api-2",
                workload: api.clone(),
                image: "shop-api:1.4.2",
                state: "running",
                exit_code: None,
                health: Some(InstanceHealth::Unhealthy),
                restarts: 0,
                ports: &["0.0.0.0:8082->8080/tcp"],
                up_secs: Some(3 * 3600 + 100),
                usage: Some(usage(97.0, 471, 512, 12.0, 0.0)),
            },
        ),
        instance(
            now,
            Spec {
                id: "c4e6a8b0d2f1",
                name: "shop-api-3",
                workload: api.clone(),
                image: "shop-api:1.4.2",
                state: "restarting",
                exit_code: Some(1),
                health: None,
                restarts: 2,
                ports: &[],
                up_secs: None,
                usage: None,
            },
        ),
        instance(
            now,
            Spec {
                id: "5d7f9a1b3c5e",
                name: "shop-worker-1",
                workload: addr("shop", "worker"),
                image: "shop-worker:1.4.2",
                state: "running",
                exit_code: None,
                health: None,
                restarts: 0,
                ports: &[],
                up_secs: Some(26 * 3600),
                usage: Some(usage(3.2, 96, 0, 1.5, 40.0)),
            },
        ),
        instance(
            now,
            Spec {
                id: "e9a1c3e5f7b9",
                name: "batch-import",
                workload: addr("", "batch-import"),
                image: "batch-import:2026-11",
                state: "exited",
                exit_code: Some(137),
                health: None,
                restarts: 0,
                ports: &[],
                up_secs: None,
                usage: None,
            },
        ),
        instance(
            now,
            Spec {
                id: "7a9c1e3f5b7d",
                name: "edge_proxy.1.x8k2m4p6q9r1",
                workload: addr("edge", "proxy"),
                image: "nginx:1.27",
                state: "running",
                exit_code: None,
                health: healthy,
                restarts: 0,
                ports: &["0.0.0.0:443->443/tcp", "0.0.0.0:80->80/tcp"],
                up_secs: Some(5 * 86_400),
                usage: Some(usage(1.1, 24, 128, 3400.0, 0.5)),
            },
        ),
    ];
    let workload = |addr: WorkloadAddr, kind, desired| {
        let mine: Vec<&Instance> = instances.iter().filter(|i| i.workload == addr).collect();
        let mut total = Usage::default();
        for u in mine.iter().filter_map(|i| i.usage.as_ref()) {
            total.add(u);
        }
        let mut images: Vec<String> = mine.iter().map(|i| i.image.clone()).collect();
        images.dedup();
        Workload {
            kind,
            desired,
            running: mine.iter().filter(|i| i.is_running()).count() as u32,
            ready: mine.iter().filter(|i| i.is_ready()).count() as u32,
            images,
            usage: total,
            restarts: mine.iter().map(|i| i.restart_count).sum(),
            rollout: None,
            addr,
        }
    };
    let workloads = vec![
        workload(api, WorkloadKind::ComposeService, None),
        workload(addr("shop", "worker"), WorkloadKind::ComposeService, None),
        workload(addr("", "batch-import"), WorkloadKind::Container, None),
        workload(addr("edge", "proxy"), WorkloadKind::SwarmService, Some(2)),
    ];
    Inventory {
        instances,
        workloads,
        ..Default::default()
    }
}

/// The last half hour of target `local`, oldest first.
pub fn sample_events(now: i64) -> Vec<EngineEvent> {
    let ev =
        |ago: i64, action: &str, instance: &str, workload: Option<WorkloadAddr>, detail: &str| {
            EngineEvent {
                at_nanos: (now - ago) * 1_000_000_000 + 250_000_000,
                target: "local".into(),
                action: action.into(),
                instance: instance.into(),
                workload,
                detail: detail.into(),
                // As the Docker converter judges them.
                warning: action == "oom"
                    || (action == "die" && detail != "exit 0")
                    || (action == "health_status" && detail == "unhealthy"),
            }
        };
    let api = || Some(addr("shop", "api"));
    vec![
        ev(
            1800,
            "start",
            "shop-worker-1",
            Some(addr("shop", "worker")),
            "",
        ),
        ev(
            1500,
            "kill",
            "edge_proxy.2.b7n1v3c5z8w2",
            Some(addr("edge", "proxy")),
            "signal 15",
        ),
        ev(
            1499,
            "die",
            "edge_proxy.2.b7n1v3c5z8w2",
            Some(addr("edge", "proxy")),
            "exit 0",
        ),
        ev(
            1200,
            "oom",
            "batch-import",
            Some(addr("", "batch-import")),
            "",
        ),
        ev(
            1199,
            "die",
            "batch-import",
            Some(addr("", "batch-import")),
            "exit 137",
        ),
        ev(600, "health_status", "shop-api-2", api(), "unhealthy"),
        ev(420, "die", "shop-api-3", api(), "exit 1"),
        ev(418, "start", "shop-api-3", api(), ""),
        ev(240, "die", "shop-api-3", api(), "exit 1"),
        ev(238, "start", "shop-api-3", api(), ""),
        ev(60, "health_status", "shop-api-1", api(), "healthy"),
    ]
}

/// Interleaved output of the three `shop/api` replicas, some of it about timeouts.
pub fn sample_log_lines(now: i64) -> Vec<LogLine> {
    let ids = ["3f1a9c2e4b7d", "8b2d4e6f1a3c", "c4e6a8b0d2f1"];
    (0..40)
        .map(|i: i64| {
            let replica = (i % 3) as usize;
            let text = match (i % 7, replica) {
                (3, 1) => format!("GET /orders/{} upstream timeout after 5000ms", 4100 + i),
                (5, _) => format!("WARN pool: connection timeout, retrying ({})", i % 4 + 1),
                (_, 2) if i > 30 => "panic: config: DATABASE_URL is not set".to_string(),
                _ => format!("GET /orders/{} 200 {}ms", 4100 + i, 12 + (i * 7) % 40),
            };
            LogLine {
                at_nanos: (now - 40 + i) * 1_000_000_000 + i * 1_000_000,
                instance: ids[replica].into(),
                stderr: text.starts_with("WARN") || text.starts_with("panic"),
                text,
            }
        })
        .collect()
}
