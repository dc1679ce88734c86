//! `[[panel]]`s: PromQL expressions drawn as charts over a chosen range, with
//! the unit their values are in. The range data comes from `query_range`,
//! one point per chart column.

use crate::base::units::Unit;

/// The ranges the panels' selector offers, in seconds: 5m, 1h, 6h, 24h.
pub const PANEL_RANGES: [i64; 4] = [300, 3600, 6 * 3600, 24 * 3600];

#[derive(Debug, Clone, PartialEq)]
pub struct PanelDef {
    pub title: String,
    pub prometheus: String,
    pub query: String,
    pub unit: Unit,
}

/// The panels of a config; a unit that does not parse was refused at load.
pub fn from_config(config: &crate::config::Config) -> Vec<PanelDef> {
    config
        .panel
        .iter()
        .map(|p| PanelDef {
            title: p.title.get_ref().clone(),
            prometheus: p.prometheus.get_ref().clone(),
            query: p.query.clone(),
            unit: p.unit.as_deref().and_then(Unit::parse).unwrap_or_default(),
        })
        .collect()
}

/// One series of a panel over its range: one value per column, oldest first,
/// NaN where Prometheus had no point.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelSeries {
    /// `{k="v",...}`, empty when the query gives one unlabelled series.
    pub labels: String,
    pub values: Vec<f64>,
}

/// What the last range query of a panel gave.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelRange {
    pub range_secs: i64,
    pub step: i64,
    /// Unix seconds of the last column.
    pub end: i64,
    pub result: Result<Vec<PanelSeries>, String>,
}

/// The time of the leftmost column of a grid that ends at `end`: what a range
/// query must start at so every column, the first included, gets its point.
pub fn grid_start(end: i64, step: i64, columns: usize) -> i64 {
    end - step.max(1) * (columns as i64 - 1).max(0)
}

/// Places Prometheus's `(time, value)` points on the column grid that ends at
/// `end`, `columns` wide and `step` apart; a column with no point stays NaN.
pub fn on_grid(points: &[(f64, f64)], end: i64, step: i64, columns: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; columns];
    let first = grid_start(end, step, columns) as f64;
    let step = step.max(1) as f64;
    for (t, v) in points {
        let i = ((t - first) / step).round();
        if i >= 0.0 && (i as usize) < columns {
            out[i as usize] = *v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_as_people_write_them() {
        assert_eq!(Unit::parse("s"), Some(Unit::Seconds));
        assert_eq!(Unit::parse("req/s"), Some(Unit::PerSecond));
        assert_eq!(Unit::parse("%"), Some(Unit::Percent));
        assert_eq!(Unit::parse("furlongs"), None);
    }

    #[test]
    fn a_range_query_from_the_grid_start_fills_the_left_edge() {
        // 5m over 80 columns: the step rounds up to 4 s, so 80 columns span
        // 316 s, more than the 300 s named; the query must start there.
        let (end, step, columns) = (10_000, crate::prometheus::step_for(300.0, 80) as i64, 80);
        let start = grid_start(end, step, columns);
        let points: Vec<(f64, f64)> = (0..)
            .map(|i| start + i * step)
            .take_while(|t| *t <= end)
            .map(|t| (t as f64, 1.0))
            .collect();
        let grid = on_grid(&points, end, step, columns);
        assert!(grid.iter().all(|v| *v == 1.0), "{grid:?}");
    }

    #[test]
    fn points_land_on_their_columns_and_gaps_stay_gaps() {
        let pts = [(70.0, 1.0), (90.0, 3.0), (100.0, 4.0), (10.0, 9.0)];
        let g = on_grid(&pts, 100, 10, 4);
        assert_eq!(g[0], 1.0, "70 is the first column: {g:?}");
        assert!(g[1].is_nan(), "nothing at 80");
        assert_eq!((g[2], g[3]), (3.0, 4.0));
        assert_eq!(
            on_grid(&pts, 100, 10, 2),
            [3.0, 4.0],
            "earlier points fall off"
        );
    }
}
