//! Every container (or the containers of one workload, after Enter on it).

use super::kube_rows;
use super::list_frame::{self, ListFrame};
use crate::base::units::{bytes, cpu, short_bytes, span};
use crate::console::Model;
use crate::model::{Instance, InstanceHealth, Severity};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, Rows, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

const COLUMNS: [Column; 12] = [
    Column::left("NAME", 12, 64, 10),
    Column::left("WORKLOAD", 12, 72, 4),
    Column::left("STATE", 10, 14, 9),
    Column::left("HEALTH", 9, 9, 8),
    Column::right("RESTARTS", 8, 8, 7),
    Column::left("IMAGE", 10, 60, 3),
    Column::left("PORTS", 10, 30, 1),
    Column::right("UPTIME", 6, 7, 5),
    Column::right("CPU", 6, 8, 6),
    Column::right("MEM", 15, 19, 6),
    Column::right("NET RX/TX", 9, 11, 2),
    Column::right("BLOCK R/W", 9, 11, 2),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::containers(model, ui);
    // Pods get kubectl's columns; a list mixing pods and containers keeps Docker's.
    let pods = !rows.is_empty() && rows.iter().all(|i| i.pod.is_some());
    let noun = if pods { "Pods" } else { "Containers" };
    let title = match &ui.tables.containers_of {
        Some(w) => format!("{noun} of {w}"),
        None => super::workloads::scope_title(noun, ui),
    };
    // One workload's instances: its CPU and memory charts underneath, when there is room.
    let area = match &ui.tables.containers_of {
        Some(w) if area.height >= 30 => {
            let [list, charts] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(14)]).areas(area);
            let w = w.to_string();
            // An autoscaled workload's replicas are the HPA's to set: its
            // readings and conditions beside the charts say why they are what they are.
            let charts = match super::autoscaler_pane::of(model, &w) {
                Some(hpa) if charts.width >= 100 => {
                    let [charts, side] =
                        Layout::horizontal([Constraint::Fill(1), Constraint::Length(46)])
                            .areas(charts);
                    super::autoscaler_pane::render(side, buf, ui, hpa);
                    charts
                }
                _ => charts,
            };
            super::workload_charts::render(charts, buf, model, ui, &w);
            list
        }
        _ => area,
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: &title,
            columns: if pods {
                &kube_rows::POD_COLUMNS
            } else {
                &COLUMNS
            },
            rows: Rows::lazy(rows.len(), |n| {
                if pods {
                    kube_rows::pod_row(rows[n], model.now)
                } else {
                    row(rows[n], model.now)
                }
            }),
            selected: ui
                .tables
                .containers
                .index_where(&rows, |i, key| lists::is_container_key(i, key)),
            empty: "no container matches",
        },
    );
}

fn row(i: &Instance, now: i64) -> Vec<Cell> {
    let state = match i.exit_code {
        Some(code) if matches!(i.state.as_str(), "exited" | "dead") => {
            format!("{} {code}", i.state)
        }
        _ => i.state.clone(),
    };
    let health = match i.health {
        None => Cell::muted("-"),
        Some(InstanceHealth::Healthy) => Cell::new("healthy", Tone::Good),
        Some(h) => Cell::sev(
            if h == InstanceHealth::Starting {
                "starting"
            } else {
                "unhealthy"
            },
            lists::health_severity(Some(h)),
        ),
    };
    let restarts = if i.restart_count > 0 {
        Cell::sev(i.restart_count.to_string(), Severity::Warning)
    } else {
        Cell::muted("0")
    };
    let uptime = match i.started_at.filter(|_| i.is_running()) {
        Some(t) => Cell::plain(span((now - t).max(0))),
        None => Cell::muted("-"),
    };
    let (cpu_cell, mem, net, blk) = match &i.usage {
        None => (
            Cell::muted("-"),
            Cell::muted("-"),
            Cell::muted("-"),
            Cell::muted("-"),
        ),
        Some(u) => {
            let mem = if u.mem_limit_bytes > 0 {
                let r = u.mem_bytes as f64 / u.mem_limit_bytes as f64;
                Cell::sev(
                    format!(
                        "{}/{}",
                        bytes(u.mem_bytes as f64),
                        bytes(u.mem_limit_bytes as f64)
                    ),
                    levels::memory(r),
                )
            } else {
                Cell::plain(bytes(u.mem_bytes as f64))
            };
            (
                Cell::sev(cpu(u.cpu_percent), levels::cpu(u.cpu_percent)),
                mem,
                Cell::plain(pair(u.net_rx_bytes_per_sec, u.net_tx_bytes_per_sec)),
                Cell::plain(pair(u.blk_read_bytes_per_sec, u.blk_write_bytes_per_sec)),
            )
        }
    };
    vec![
        Cell::plain(i.name.clone()),
        Cell::muted(i.workload.to_string()),
        Cell::sev(state, lists::state_severity(i)),
        health,
        restarts,
        Cell::plain(i.image.clone()),
        Cell::muted(ports(&i.ports)),
        uptime,
        cpu_cell,
        mem,
        net,
        blk,
    ]
}

/// Two rates per second in one narrow cell: `3.2M/1.6M`.
fn pair(a: f64, b: f64) -> String {
    format!("{}/{}", short_bytes(a), short_bytes(b))
}

/// Ports without the any-address prefix and the default protocol, which say
/// nothing on a small screen.
fn ports(ports: &[String]) -> String {
    ports
        .iter()
        .map(|p| p.strip_prefix("0.0.0.0:").unwrap_or(p))
        .map(|p| p.strip_suffix("/tcp").unwrap_or(p))
        .collect::<Vec<_>>()
        .join(", ")
}
