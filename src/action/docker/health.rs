//! Waiting for a new or restarted container to be ready: its HEALTHCHECK
//! says healthy, or an HTTP probe answers 2xx, or (with neither) it has kept
//! running for a few seconds. A deploy's health gate is built on this.

use bollard::models::{ContainerStateStatusEnum, HealthStatusEnum};
use bollard::Docker;
use std::time::{Duration, Instant};

/// How long a container must stay ready (running, healthy, probe answering)
/// before it counts: one good reading is not enough.
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
    /// How the plan describes the gate; the URL without its credentials.
    pub fn describe(&self) -> String {
        let secs = self.timeout.as_secs();
        match &self.url {
            Some(u) => format!(
                "HEALTHCHECK (if any) healthy and {} answering 2xx for {}s, within {secs}s",
                crate::base::redact::redact(u),
                SETTLE.as_secs()
            ),
            None => format!(
                "HEALTHCHECK healthy (or running, without one) for {}s, within {secs}s",
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

/// The verdict on one reading; `None` means not (or no longer) ready, keep waiting.
pub fn judge(reading: &Reading, probe_ok: Option<bool>) -> Option<Result<(), String>> {
    match reading {
        Reading::Gone(why) => Some(Err(why.clone())),
        Reading::Starting => None,
        Reading::Running { health } => match health {
            Some(HealthStatusEnum::UNHEALTHY) => {
                Some(Err("its HEALTHCHECK reports unhealthy".into()))
            }
            Some(HealthStatusEnum::STARTING) => None,
            // Healthy, or no HEALTHCHECK at all: the probe, if any, decides.
            _ => match probe_ok {
                Some(false) => None,
                _ => Some(Ok(())),
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
    // A release that passes one check and crashes a second later must not
    // pass the gate: ready means ready on every reading for SETTLE.
    let mut ready_since: Option<Instant> = None;
    let mut last = String::from("no reading yet");
    loop {
        let (reading, log) = read(docker, id).await?;
        let probe_ok = match &gate.url {
            Some(url) if matches!(reading, Reading::Running { .. }) => {
                let ok = match crate::connect::http::Http::new(PROBE_TIMEOUT, &Default::default()) {
                    Ok(http) => http.get(url).await.map(|r| (200..300).contains(&r.status)),
                    Err(e) => Err(e),
                };
                let shown = crate::base::redact::redact(url);
                last = match &ok {
                    Ok(true) => format!("{shown} answers"),
                    Ok(false) => format!("{shown} answers but not 2xx"),
                    // The client's error names the URL (without credentials) itself.
                    Err(e) => e.clone(),
                };
                Some(ok.unwrap_or(false))
            }
            Some(_) => Some(false),
            None => None,
        };
        match judge(&reading, probe_ok) {
            Some(Ok(())) => {
                if ready_since.get_or_insert_with(Instant::now).elapsed() >= SETTLE {
                    return Ok(());
                }
            }
            Some(Err(why)) => {
                let log = log.trim();
                return Err(if log.is_empty() {
                    why
                } else {
                    format!("{why}: {log}")
                });
            }
            None => ready_since = None,
        }
        if let Reading::Running { health: Some(h) } = &reading {
            last = format!("health {h}; {last}");
        }
        if ready_since.is_none() && started.elapsed() >= gate.timeout {
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
    fn verdicts_follow_the_healthcheck_then_the_probe() {
        let healthy = running(Some(HealthStatusEnum::HEALTHY));
        assert_eq!(judge(&healthy, None), Some(Ok(())));
        assert!(matches!(
            judge(&running(Some(HealthStatusEnum::UNHEALTHY)), None),
            Some(Err(_))
        ));
        assert_eq!(
            judge(&running(Some(HealthStatusEnum::STARTING)), None),
            None
        );
        // Healthy by HEALTHCHECK but the probe fails: not ready yet.
        assert_eq!(judge(&healthy, Some(false)), None);
        assert_eq!(judge(&running(None), Some(true)), Some(Ok(())));
        // No check and no probe: running is all there is to go on.
        assert_eq!(judge(&running(None), None), Some(Ok(())));
        assert_eq!(judge(&Reading::Starting, None), None);
        assert!(matches!(
            judge(&Reading::Gone("exited".into()), None),
            Some(Err(_))
        ));
    }
}
