//! Waiting for a new or restarted container to be ready: its HEALTHCHECK
//! says healthy, or an HTTP probe answers 2xx, or (with neither) it has kept
//! running for a few seconds. A deploy's health gate is built on this.

use bollard::models::{ContainerStateStatusEnum, HealthStatusEnum};
use bollard::Docker;
use std::time::{Duration, Instant};

/// How long a container without a health check must keep running to count as ready.
const SETTLE: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(500);
/// What one probe request may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What "healthy" means for a deploy, restart or scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthGate {
    /// An `http://` URL that must answer 2xx, in addition to any HEALTHCHECK.
    pub url: Option<String>,
    pub timeout: Duration,
}

impl Default for HealthGate {
    fn default() -> Self {
        HealthGate {
            url: None,
            timeout: Duration::from_secs(60),
        }
    }
}

impl HealthGate {
    /// How the plan describes the gate.
    pub fn describe(&self) -> String {
        let secs = self.timeout.as_secs();
        match &self.url {
            Some(u) => format!("HEALTHCHECK (if any) and {u} answering 2xx, within {secs}s"),
            None => format!(
                "HEALTHCHECK healthy (or running {}s without one), within {secs}s",
                SETTLE.as_secs()
            ),
        }
    }
}

/// One reading of a container, reduced to what the gate decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Running { health: Option<HealthStatusEnum> },
    Starting,
    Gone(String),
}

/// The verdict on one reading; `None` means keep waiting.
pub fn judge(
    reading: &Reading,
    probe_ok: Option<bool>,
    running_for: Duration,
) -> Option<Result<(), String>> {
    match reading {
        Reading::Gone(why) => Some(Err(why.clone())),
        Reading::Starting => None,
        Reading::Running { health } => match health {
            Some(HealthStatusEnum::UNHEALTHY) => {
                Some(Err("its HEALTHCHECK reports unhealthy".into()))
            }
            Some(HealthStatusEnum::HEALTHY) => match probe_ok {
                Some(false) => None,
                _ => Some(Ok(())),
            },
            Some(HealthStatusEnum::STARTING) => None,
            _ => match probe_ok {
                Some(true) => Some(Ok(())),
                Some(false) => None,
                None => (running_for >= SETTLE).then_some(Ok(())),
            },
        },
    }
}

async fn read(docker: &Docker, id: &str) -> Result<(Reading, String), String> {
    let c = docker
        .inspect_container(id, None)
        .await
        .map_err(|e| format!("inspecting {id}: {e}"))?;
    let state = c.state.unwrap_or_default();
    let health = state.health.as_ref().and_then(|h| h.status);
    let last_log = state
        .health
        .as_ref()
        .and_then(|h| h.log.as_ref())
        .and_then(|l| l.last())
        .and_then(|l| l.output.clone())
        .unwrap_or_default();
    let reading = match state.status {
        Some(ContainerStateStatusEnum::RUNNING) => Reading::Running { health },
        Some(ContainerStateStatusEnum::CREATED) | Some(ContainerStateStatusEnum::RESTARTING) => {
            Reading::Starting
        }
        other => Reading::Gone(format!(
            "it is {} (exit code {})",
            other.map_or("gone".to_string(), |s| s.to_string()),
            state.exit_code.unwrap_or_default()
        )),
    };
    Ok((reading, last_log))
}

/// Waits until container `id` passes `gate`; the error says why it did not.
pub async fn wait_ready(docker: &Docker, id: &str, gate: &HealthGate) -> Result<(), String> {
    let started = Instant::now();
    let mut running_since: Option<Instant> = None;
    let mut last = String::from("no reading yet");
    loop {
        let (reading, log) = read(docker, id).await?;
        if matches!(reading, Reading::Running { .. }) {
            running_since.get_or_insert_with(Instant::now);
        } else {
            running_since = None;
        }
        let probe_ok = match &gate.url {
            Some(url) if matches!(reading, Reading::Running { .. }) => {
                let ok = crate::demo::client::get(url, PROBE_TIMEOUT)
                    .await
                    .map(|r| (200..300).contains(&r.status));
                last = match &ok {
                    Ok(true) => format!("{url} answers"),
                    Ok(false) => format!("{url} answers but not 2xx"),
                    Err(e) => format!("{url}: {e}"),
                };
                Some(ok.unwrap_or(false))
            }
            Some(_) => Some(false),
            None => None,
        };
        let running_for = running_since.map_or(Duration::ZERO, |t| t.elapsed());
        match judge(&reading, probe_ok, running_for) {
            Some(Ok(())) => return Ok(()),
            Some(Err(why)) => {
                let log = log.trim();
                return Err(if log.is_empty() {
                    why
                } else {
                    format!("{why}: {log}")
                });
            }
            None => {}
        }
        if let Reading::Running { health: Some(h) } = &reading {
            last = format!("health {h}; {last}");
        }
        if started.elapsed() >= gate.timeout {
            return Err(format!(
                "not healthy within {}s ({last})",
                gate.timeout.as_secs()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(h: Option<HealthStatusEnum>) -> Reading {
        Reading::Running { health: h }
    }

    #[test]
    fn verdicts_follow_the_healthcheck_then_the_probe_then_time() {
        let zero = Duration::ZERO;
        assert_eq!(
            judge(&running(Some(HealthStatusEnum::HEALTHY)), None, zero),
            Some(Ok(()))
        );
        assert!(matches!(
            judge(&running(Some(HealthStatusEnum::UNHEALTHY)), None, zero),
            Some(Err(_))
        ));
        assert_eq!(
            judge(&running(Some(HealthStatusEnum::STARTING)), None, zero),
            None
        );
        // Healthy by HEALTHCHECK but the probe fails: keep waiting.
        assert_eq!(
            judge(&running(Some(HealthStatusEnum::HEALTHY)), Some(false), zero),
            None
        );
        assert_eq!(judge(&running(None), Some(true), zero), Some(Ok(())));
        assert_eq!(judge(&running(None), None, zero), None);
        assert_eq!(judge(&running(None), None, SETTLE), Some(Ok(())));
        assert_eq!(judge(&Reading::Starting, None, SETTLE), None);
        assert!(matches!(
            judge(&Reading::Gone("exited".into()), None, zero),
            Some(Err(_))
        ));
    }
}
