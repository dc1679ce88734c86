//! The infrastructure beside each stage: readings of the workload behind
//! the URL (CPU and memory against their limits, restarts) and of the
//! `[[postgres]]` targets (connections, the longest query, the slowest
//! statements), taken while the stage runs and folded into its peaks. The
//! readings come from a [`Beside`] the caller supplies (the same collectors
//! the console polls); folding is pure.

use futures::future::BoxFuture;
use serde::Serialize;

/// Takes one reading of everything beside the endpoint.
pub trait Beside: Send + Sync {
    /// What is read, for the plan: `local/shop/api (CPU, memory, restarts); postgres main-db`.
    fn describe(&self) -> String;
    fn sample(&self) -> BoxFuture<'_, InfraSample>;
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InfraSample {
    /// None: no workload is watched.
    pub workload: Option<Result<WorkloadUse, String>>,
    pub databases: Vec<(String, Result<DbUse, String>)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WorkloadUse {
    pub name: String,
    /// Percent of one core, summed over the replicas (as `docker stats`).
    pub cpu_percent: f64,
    /// The limit in percent of one core; 0 when unlimited.
    pub cpu_limit_percent: f64,
    pub mem_bytes: u64,
    /// 0 when unlimited.
    pub mem_limit_bytes: u64,
    pub restarts: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DbUse {
    pub connections: u32,
    pub max_connections: u32,
    pub longest_query_secs: f64,
    /// Mean time of the statements run since the reading before (pg_stat_statements).
    pub mean_statement_ms: Option<f64>,
    /// The statement with the highest mean time, and that mean.
    pub slowest: Option<(String, f64)>,
}

/// A stage's readings, as their peaks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageInfra {
    pub samples: usize,
    pub workload: Option<Peak<WorkloadStage>>,
    pub databases: Vec<(String, Peak<DbStage>)>,
}

/// Peaks over the readings that worked, or why none did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Peak<T> {
    Read(T),
    /// Not one reading in the stage: no figure, and no verdict drawn from it.
    Unread(String),
}

impl<T> Peak<T> {
    pub fn read(&self) -> Option<&T> {
        match self {
            Peak::Read(t) => Some(t),
            Peak::Unread(_) => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WorkloadStage {
    pub name: String,
    pub cpu_percent: f64,
    pub cpu_limit_percent: f64,
    pub mem_bytes: u64,
    pub mem_limit_bytes: u64,
    /// Restarts seen during the stage (the count went up by this much).
    pub restarts: u32,
    /// Readings that failed beside those that worked.
    pub failed: usize,
    /// CPU of each reading that worked, in percent of the limit (of one
    /// core without a limit): the report's saturation line.
    pub cpu_series: Vec<f64>,
}

impl WorkloadStage {
    /// CPU as a share of the workload's CPU limit; None without a limit.
    pub fn cpu_of_limit(&self) -> Option<f64> {
        (self.cpu_limit_percent > 0.0).then(|| self.cpu_percent / self.cpu_limit_percent)
    }

    pub fn mem_of_limit(&self) -> Option<f64> {
        (self.mem_limit_bytes > 0).then(|| self.mem_bytes as f64 / self.mem_limit_bytes as f64)
    }

    /// `api CPU 97 % of its limit, memory 40 % of its limit`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.name, self.figures())
    }

    /// The same without the name: `CPU 97 % of its limit, memory 40 % of its limit`.
    pub fn figures(&self) -> String {
        let cpu = match self.cpu_of_limit() {
            Some(r) => format!("CPU {:.0} % of its limit", r * 100.0),
            None => format!("CPU {:.0} % of a core (no limit)", self.cpu_percent),
        };
        let mem = match self.mem_of_limit() {
            Some(r) => format!("memory {:.0} % of its limit", r * 100.0),
            None => format!(
                "memory {} (no limit)",
                crate::base::units::bytes(self.mem_bytes as f64)
            ),
        };
        let mut out = format!("{cpu}, {mem}");
        if self.restarts > 0 {
            out.push_str(&format!(", {} restarts", self.restarts));
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DbStage {
    pub connections: u32,
    pub max_connections: u32,
    pub longest_query_secs: f64,
    pub mean_statement_ms: Option<f64>,
    pub slowest: Option<(String, f64)>,
    pub failed: usize,
}

impl DbStage {
    pub fn connections_ratio(&self) -> f64 {
        if self.max_connections == 0 {
            0.0
        } else {
            f64::from(self.connections) / f64::from(self.max_connections)
        }
    }

    /// `DB connections 48/100, slowest statement 12 ms mean`.
    pub fn describe(&self, name: &str) -> String {
        let mut out = format!(
            "{name} connections {}/{}",
            self.connections, self.max_connections
        );
        if self.longest_query_secs >= 1.0 {
            out.push_str(&format!(", longest query {:.0} s", self.longest_query_secs));
        }
        if let Some((_, ms)) = &self.slowest {
            out.push_str(&format!(
                ", slowest statement {} ms mean",
                super::threshold::short(*ms)
            ));
        }
        out
    }
}

/// Folds a stage's readings into their peaks; restarts count from the
/// stage's first reading.
pub fn fold(samples: &[InfraSample]) -> StageInfra {
    let workload = samples
        .iter()
        .find(|s| s.workload.is_some())
        .map(|_| fold_workload(samples));
    let mut names: Vec<String> = Vec::new();
    for s in samples {
        for (n, _) in &s.databases {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let databases = names
        .into_iter()
        .map(|n| {
            let peak = fold_db(samples, &n);
            (n, peak)
        })
        .collect();
    StageInfra {
        samples: samples.len(),
        workload,
        databases,
    }
}

fn fold_workload(samples: &[InfraSample]) -> Peak<WorkloadStage> {
    let mut ok = samples
        .iter()
        .filter_map(|s| s.workload.as_ref()?.as_ref().ok())
        .peekable();
    let failed = samples
        .iter()
        .filter(|s| matches!(s.workload, Some(Err(_))))
        .count();
    let Some(first) = ok.peek().cloned().cloned() else {
        let why = samples
            .iter()
            .rev()
            .find_map(|s| s.workload.as_ref()?.as_ref().err().cloned())
            .unwrap_or_else(|| "no reading".into());
        return Peak::Unread(why);
    };
    let mut out = WorkloadStage {
        name: first.name.clone(),
        failed,
        ..Default::default()
    };
    let mut last_restarts = first.restarts;
    for u in ok {
        out.cpu_series.push(if u.cpu_limit_percent > 0.0 {
            u.cpu_percent / u.cpu_limit_percent * 100.0
        } else {
            u.cpu_percent
        });
        out.cpu_percent = out.cpu_percent.max(u.cpu_percent);
        out.cpu_limit_percent = out.cpu_limit_percent.max(u.cpu_limit_percent);
        out.mem_bytes = out.mem_bytes.max(u.mem_bytes);
        out.mem_limit_bytes = out.mem_limit_bytes.max(u.mem_limit_bytes);
        last_restarts = last_restarts.max(u.restarts);
    }
    out.restarts = last_restarts - first.restarts;
    Peak::Read(out)
}

fn fold_db(samples: &[InfraSample], name: &str) -> Peak<DbStage> {
    let readings: Vec<&Result<DbUse, String>> = samples
        .iter()
        .flat_map(|s| {
            s.databases
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, r)| r)
        })
        .collect();
    let failed = readings.iter().filter(|r| r.is_err()).count();
    let ok: Vec<&DbUse> = readings.iter().filter_map(|r| r.as_ref().ok()).collect();
    if ok.is_empty() {
        let why = readings
            .iter()
            .rev()
            .find_map(|r| r.as_ref().err().cloned())
            .unwrap_or_else(|| "no reading".into());
        return Peak::Unread(why);
    }
    let mut out = DbStage {
        failed,
        ..Default::default()
    };
    for d in ok {
        out.connections = out.connections.max(d.connections);
        out.max_connections = out.max_connections.max(d.max_connections);
        out.longest_query_secs = out.longest_query_secs.max(d.longest_query_secs);
        if let Some(m) = d.mean_statement_ms {
            out.mean_statement_ms = Some(out.mean_statement_ms.map_or(m, |o: f64| o.max(m)));
        }
        if let Some((q, ms)) = &d.slowest {
            if out.slowest.as_ref().is_none_or(|(_, o)| ms > o) {
                out.slowest = Some((q.clone(), *ms));
            }
        }
    }
    Peak::Read(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(cpu: f64, restarts: u32) -> InfraSample {
        InfraSample {
            workload: Some(Ok(WorkloadUse {
                name: "local/_/api".into(),
                cpu_percent: cpu,
                cpu_limit_percent: 50.0,
                mem_bytes: 100,
                mem_limit_bytes: 1000,
                restarts,
            })),
            databases: vec![(
                "main-db".into(),
                Ok(DbUse {
                    connections: (cpu / 2.0) as u32,
                    max_connections: 100,
                    longest_query_secs: 0.5,
                    mean_statement_ms: Some(cpu / 10.0),
                    slowest: Some(("select 1".into(), cpu)),
                }),
            )],
        }
    }

    #[test]
    fn a_stage_keeps_its_peaks_and_the_restarts_it_saw() {
        let failed = InfraSample {
            workload: Some(Err("engine gone".into())),
            databases: vec![("main-db".into(), Err("refused".into()))],
        };
        let infra = fold(&[w(10.0, 1), failed, w(48.5, 3), w(30.0, 3)]);
        assert_eq!(infra.samples, 4);
        let wl = infra.workload.as_ref().unwrap().read().unwrap();
        assert_eq!((wl.cpu_percent, wl.restarts, wl.failed), (48.5, 2, 1));
        assert_eq!(wl.cpu_series, [20.0, 97.0, 60.0]);
        assert_eq!(wl.cpu_of_limit(), Some(0.97));
        assert_eq!(
            wl.describe(),
            "local/_/api CPU 97 % of its limit, memory 10 % of its limit, 2 restarts"
        );
        let db = infra.databases[0].1.read().unwrap();
        assert_eq!((db.connections, db.failed), (24, 1));
        assert_eq!(
            db.describe("main-db"),
            "main-db connections 24/100, slowest statement 48.5 ms mean"
        );
    }

    #[test]
    fn a_source_never_read_is_unread_not_zero() {
        let failed = InfraSample {
            workload: Some(Err("no workload local/_/api".into())),
            databases: vec![],
        };
        let infra = fold(&[failed.clone(), failed]);
        assert_eq!(
            infra.workload,
            Some(Peak::Unread("no workload local/_/api".into()))
        );
        assert_eq!(fold(&[]).workload, None);
    }
}
