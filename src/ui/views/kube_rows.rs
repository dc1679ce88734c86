//! The columns `kubectl get deploy` and `kubectl get pods` print, for the
//! workloads and containers views when what they list is Kubernetes'; usage
//! shown against requests and limits, coloured by the limit.

use crate::base::units::short_bytes;
use crate::model::{Instance, PodContainer, Resources, Severity, Usage, Workload};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::widgets::{Cell, Column};

pub const WORKLOAD_COLUMNS: [Column; 12] = [
    Column::left("WORKLOAD", 16, 72, 10),
    Column::left("KIND", 7, 11, 4),
    Column::right("READY", 5, 7, 9),
    Column::right("UP-TO-DATE", 10, 10, 6),
    Column::right("AVAILABLE", 9, 9, 7),
    Column::left("CONDITION", 9, 26, 8),
    Column::right("REV", 3, 5, 3),
    Column::left("IMAGES", 10, 60, 3),
    Column::right("CPU use/req/lim", 15, 19, 7),
    Column::right("MEM use/req/lim", 15, 19, 6),
    Column::right("RESTARTS", 8, 8, 5),
    Column::right("AGE", 4, 6, 2),
];

pub fn workload_row(w: &Workload, wanted: u32, now: i64) -> Vec<Cell> {
    let r = w.rollout.as_deref().cloned().unwrap_or_default();
    let behind = |n: u32| {
        if n < wanted {
            Cell::sev(n.to_string(), Severity::Warning)
        } else {
            Cell::plain(n.to_string())
        }
    };
    let condition = match (&r.problem, r.paused) {
        // The reason alone; the message is long and the events view has it.
        (Some(problem), _) => Cell::sev(
            problem.split(':').next().unwrap_or(problem).to_string(),
            Severity::Critical,
        ),
        (None, true) => Cell::sev("Paused", Severity::Warning),
        (None, false) => match &r.autoscaler {
            // Its replicas are the autoscaler's to set: say whose they are.
            Some(a) => Cell::muted(a.summary()),
            None => Cell::muted("-"),
        },
    };
    let running = w.running > 0;
    vec![
        Cell::plain(w.addr.to_string()),
        Cell::muted(w.kind.label()),
        Cell::sev(
            format!("{}/{wanted}", w.ready),
            lists::workload_severity(w, wanted),
        ),
        behind(r.up_to_date),
        behind(r.available),
        condition,
        Cell::muted(if r.revision.is_empty() {
            "-".into()
        } else {
            r.revision.clone()
        }),
        Cell::plain(w.images.join(", ")),
        cpu_cell(running.then_some(&w.usage), r.requests, r.limits),
        mem_cell(running.then_some(&w.usage), r.requests, r.limits),
        restarts(w.restarts),
        age(r.created_at, now),
    ]
}

pub const POD_COLUMNS: [Column; 11] = [
    Column::left("POD", 12, 64, 10),
    Column::left("WORKLOAD", 12, 72, 4),
    Column::right("READY", 5, 5, 9),
    Column::left("STATUS", 8, 18, 9),
    Column::right("RESTARTS", 8, 8, 8),
    Column::left("LAST TERMINATION", 10, 24, 6),
    Column::left("NODE", 6, 24, 3),
    Column::right("AGE", 4, 6, 5),
    Column::right("CPU use/req/lim", 15, 19, 7),
    Column::right("MEM use/req/lim", 15, 19, 7),
    Column::left("IMAGE", 10, 60, 2),
];

pub fn pod_row(i: &Instance, now: i64) -> Vec<Cell> {
    let pod = i.pod.as_deref().cloned().unwrap_or_default();
    let ready = pod.containers.iter().all(|c| c.ready);
    let last = pod
        .containers
        .iter()
        .find_map(|c| c.last_termination.clone());
    let last = match last {
        Some(t) if t.starts_with("OOMKilled") => Cell::sev(t, Severity::Critical),
        Some(t) => Cell::sev(t, Severity::Warning),
        None => Cell::muted("-"),
    };
    let status = match i.state.as_str() {
        "running" => Cell::sev("Running", Severity::Ok),
        "succeeded" => Cell::muted("Completed"),
        s => Cell::sev(s.to_string(), pod_severity(s)),
    };
    vec![
        Cell::plain(i.name.clone()),
        Cell::muted(i.workload.to_string()),
        Cell::sev(
            pod.ready_text(),
            if ready {
                Severity::Ok
            } else {
                Severity::Warning
            },
        ),
        status,
        restarts(i.restart_count),
        last,
        Cell::muted(if pod.node.is_empty() {
            "-".into()
        } else {
            pod.node.clone()
        }),
        age(i.created_at, now),
        cpu_cell(i.usage.as_ref(), pod.requests(), pod.limits()),
        mem_cell(i.usage.as_ref(), pod.requests(), pod.limits()),
        Cell::plain(i.image.clone()),
    ]
}

pub const CONTAINER_COLUMNS: [Column; 7] = [
    Column::left("CONTAINER", 10, 40, 10),
    Column::right("READY", 5, 5, 9),
    Column::left("STATE", 8, 24, 9),
    Column::right("RESTARTS", 8, 8, 7),
    Column::left("LAST TERMINATION", 10, 24, 8),
    Column::right("CPU use/req/lim", 15, 19, 8),
    Column::right("MEM use/req/lim", 15, 19, 8),
];

/// One container of a pod, as `kubectl describe pod` and k9s's container
/// list show it: which of the pod's containers burns the CPU or nears its
/// memory limit.
pub fn container_row(c: &PodContainer) -> Vec<Cell> {
    let state = match &c.reason {
        Some(r) => Cell::sev(r.clone(), pod_severity(r)),
        None if c.state == "running" => Cell::sev("running", Severity::Ok),
        None => Cell::muted(c.state.clone()),
    };
    let last = match &c.last_termination {
        Some(t) if t.starts_with("OOMKilled") => Cell::sev(t.clone(), Severity::Critical),
        Some(t) => Cell::sev(t.clone(), Severity::Warning),
        None => Cell::muted("-"),
    };
    let usage = c.usage.map(|u| Usage {
        cpu_percent: u.cpu_millis as f64 / 10.0,
        mem_bytes: u.mem_bytes,
        ..Usage::default()
    });
    vec![
        Cell::plain(c.name.clone()),
        if c.ready {
            Cell::sev("yes", Severity::Ok)
        } else {
            Cell::sev("no", Severity::Warning)
        },
        state,
        restarts(c.restarts),
        last,
        cpu_cell(usage.as_ref(), c.requests, c.limits),
        mem_cell(usage.as_ref(), c.requests, c.limits),
    ]
}

fn pod_severity(state: &str) -> Severity {
    match state {
        "CrashLoopBackOff" | "OOMKilled" | "Error" | "ImagePullBackOff" | "ErrImagePull"
        | "failed" | "Evicted" => Severity::Critical,
        _ => Severity::Warning,
    }
}

fn restarts(n: u32) -> Cell {
    if n > 0 {
        Cell::sev(n.to_string(), Severity::Warning)
    } else {
        Cell::muted("0")
    }
}

fn age(created_at: i64, now: i64) -> Cell {
    if created_at <= 0 {
        return Cell::muted("-");
    }
    Cell::muted(age_text(created_at, now))
}

/// As kubectl's AGE column: the largest unit only once it is two of them.
pub fn age_text(since: i64, now: i64) -> String {
    match (now - since).max(0) {
        s if s >= 2 * 86_400 => format!("{}d", s / 86_400),
        s if s >= 2 * 3600 => format!("{}h", s / 3600),
        s if s >= 120 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn millis(m: u64) -> String {
    if m == 0 {
        "-".into()
    } else if m >= 10_000 {
        format!("{:.0}", m as f64 / 1000.0)
    } else if m >= 1000 {
        format!("{:.1}", m as f64 / 1000.0)
    } else {
        format!("{m}m")
    }
}

fn mem_text(b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        short_bytes(b as f64)
    }
}

/// `120m/100m/500m`: over the request is worth a look, near the limit is throttling.
fn cpu_cell(usage: Option<&Usage>, req: Resources, lim: Resources) -> Cell {
    let used = usage.map(|u| (u.cpu_percent * 10.0).round() as u64);
    let text = format!(
        "{}/{}/{}",
        used.map_or("-".into(), |m| if m == 0 { "0m".into() } else { millis(m) }),
        millis(req.cpu_millis),
        millis(lim.cpu_millis)
    );
    match used {
        Some(m) if lim.cpu_millis > 0 => {
            Cell::sev(text, levels::cpu(m as f64 / lim.cpu_millis as f64 * 100.0))
        }
        Some(m) if req.cpu_millis > 0 && m > req.cpu_millis => Cell::sev(text, Severity::Warning),
        Some(_) => Cell::plain(text),
        None => Cell::muted(text),
    }
}

/// `45M/64M/128M`, coloured as memory against the limit (the OOM line).
fn mem_cell(usage: Option<&Usage>, req: Resources, lim: Resources) -> Cell {
    let used = usage.map(|u| u.mem_bytes);
    let text = format!(
        "{}/{}/{}",
        used.map_or("-".into(), |b| short_bytes(b as f64)),
        mem_text(req.mem_bytes),
        mem_text(lim.mem_bytes)
    );
    match used {
        Some(b) if lim.mem_bytes > 0 => {
            Cell::sev(text, levels::memory(b as f64 / lim.mem_bytes as f64))
        }
        Some(_) => Cell::plain(text),
        None => Cell::muted(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Autoscaler, AutoscalerMetric, Rollout, WorkloadKind};

    #[test]
    fn an_autoscaled_workload_says_whose_its_replicas_are() {
        let autoscaler = Autoscaler {
            name: "web".into(),
            min: 2,
            max: 10,
            current: Some(3),
            desired: Some(5),
            metrics: vec![AutoscalerMetric {
                name: "cpu".into(),
                target: "70 %".into(),
                current: Some("93 %".into()),
            }],
            conditions: vec![],
        };
        let w = Workload {
            addr: "prod/shop/web".parse().unwrap(),
            kind: WorkloadKind::Deployment,
            desired: Some(3),
            running: 3,
            ready: 3,
            images: vec!["web:1".into()],
            usage: Usage::default(),
            restarts: 0,
            rollout: Some(Box::new(Rollout {
                autoscaler: Some(autoscaler),
                ..Rollout::default()
            })),
        };
        let condition = &workload_row(&w, 3, 0)[5];
        assert_eq!(condition.text, "HPA 2–10 @ cpu 70 % (3→5)");
    }
}
