//! The metrics view's panels: every `[[panel]]`'s range query against its
//! Prometheus, each answer as chart columns.

use crate::config::Config;
use crate::console::panels::{grid_start, on_grid, PanelSeries};
use crate::console::{Event, PanelRange};
use crate::prometheus;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Every panel's range query, all at once; each answer comes back as
/// `Event::PanelRange`.
pub fn query(
    config: &Config,
    range_secs: i64,
    step: i64,
    end: i64,
    columns: u16,
    tx: &mpsc::Sender<Event>,
) -> JoinHandle<()> {
    let jobs = crate::console::panels::from_config(config)
        .into_iter()
        .map(|panel| {
            let client = prometheus_client(config, &panel.prometheus);
            let tx = tx.clone();
            async move {
                let result = match client {
                    Ok(c) => {
                        // One point per column, the first at the left edge: a
                        // start of `end - range` left the leftmost columns
                        // empty whenever the step was rounded up to fit.
                        let start = grid_start(end, step, columns as usize) as f64;
                        c.query_range(&panel.query, start, end as f64, step as f64)
                            .await
                            .and_then(|a| panel_series(a.data, end, step, columns))
                    }
                    Err(e) => Err(e),
                };
                let range = PanelRange {
                    range_secs,
                    step,
                    end,
                    result,
                };
                let _ = tx
                    .send(Event::PanelRange {
                        title: panel.title,
                        range,
                    })
                    .await;
            }
        })
        .collect::<Vec<_>>();
    tokio::spawn(async move {
        futures::future::join_all(jobs).await;
    })
}

/// A client for the `[[prometheus]]` of that name, set up as its collector's is.
fn prometheus_client(config: &Config, name: &str) -> Result<prometheus::Client, String> {
    let p = config
        .prometheus
        .iter()
        .find(|p| p.name.get_ref() == name)
        .ok_or_else(|| format!("no prometheus named {name}"))?;
    prometheus::Client::for_target(p)
}

/// A range answer as chart columns: each series' points on the grid that ends at `end`.
fn panel_series(
    value: prometheus::Value,
    end: i64,
    step: i64,
    columns: u16,
) -> Result<Vec<PanelSeries>, String> {
    match value {
        prometheus::Value::Matrix(series) => Ok(series
            .into_iter()
            .map(|s| PanelSeries {
                labels: crate::model::labels_text(&s.labels),
                values: on_grid(&s.points, end, step, columns as usize),
            })
            .collect()),
        _ => Err("a range query gave no range vector".into()),
    }
}
