//! The stepped levels of a capacity run: `--stages 50:2m,100:2m` (virtual
//! users) or `--stages 20/s:1m,40/s:1m` (requests a second), and a
//! `--spike '10x@5m for 1m'` cut into them. Pure: text in, stages out.

use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// How hard one stage pushes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Level {
    /// Concurrent virtual users, each sending its next request when the
    /// previous answer arrives (closed model).
    Users(usize),
    /// Requests a second on a schedule (open model).
    Rate(f64),
}

impl Level {
    /// The level `times` as high (a spike), at least one user.
    pub fn times(self, times: f64) -> Level {
        match self {
            Level::Users(n) => Level::Users(((n as f64) * times).round().max(1.0) as usize),
            Level::Rate(r) => Level::Rate(r * times),
        }
    }

    fn number(self) -> f64 {
        match self {
            Level::Users(n) => n as f64,
            Level::Rate(r) => r,
        }
    }

    fn same_kind(self, other: Level) -> bool {
        matches!(
            (self, other),
            (Level::Users(_), Level::Users(_)) | (Level::Rate(_), Level::Rate(_))
        )
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Users(1) => f.write_str("1 user"),
            Level::Users(n) => write!(f, "{n} users"),
            Level::Rate(r) => write!(f, "{}/s", crate::runbook::judge::fmt_num(*r)),
        }
    }
}

/// What a stage is in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A step of the ladder, judged for "the highest stage that holds".
    Step,
    /// The sudden multiple; judged on its own.
    Spike,
    /// The rest of a step the spike interrupted: judged with that step.
    Recovery,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stage {
    pub level: Level,
    #[serde(with = "crate::base::duration")]
    pub hold: Duration,
    pub role: Role,
}

impl Stage {
    pub fn label(&self) -> String {
        match self.role {
            Role::Step => self.level.to_string(),
            Role::Spike => format!("spike {}", self.level),
            Role::Recovery => format!("{} (after the spike)", self.level),
        }
    }
}

/// A sudden multiple of the first stage's level, `at` into the run, for `hold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub times: f64,
    pub at: Duration,
    pub hold: Duration,
}

/// Reads `50:2m,100:2m` or `20/s:1m,40/s:1m`; one kind of level per run.
pub fn parse_stages(text: &str) -> Result<Vec<Stage>, String> {
    let mut out: Vec<Stage> = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (level, hold) = part.split_once(':').ok_or_else(|| {
            format!("--stages `{part}`: expected LEVEL:DURATION, like 50:2m or 20/s:1m")
        })?;
        let level = parse_level(level.trim()).map_err(|e| format!("--stages `{part}`: {e}"))?;
        let hold =
            crate::base::duration::parse(hold).map_err(|e| format!("--stages `{part}`: {e}"))?;
        if hold.is_zero() {
            return Err(format!(
                "--stages `{part}`: a stage must last longer than zero"
            ));
        }
        if let Some(first) = out.first() {
            if !first.level.same_kind(level) {
                return Err(format!(
                    "--stages `{part}`: every stage is users (50) or every stage is a rate (50/s), not both"
                ));
            }
        }
        out.push(Stage {
            level,
            hold,
            role: Role::Step,
        });
    }
    Ok(out)
}

fn parse_level(text: &str) -> Result<Level, String> {
    let rate = text.strip_suffix("/s").or_else(|| text.strip_suffix("rps"));
    match rate {
        Some(r) => match r.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Level::Rate(v)),
            _ => Err(format!("`{text}` is not a positive rate")),
        },
        None => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Level::Users(n)),
            _ => Err(format!(
                "`{text}` is neither a number of users (50) nor a rate (50/s)"
            )),
        },
    }
}

/// Reads `10x@5m for 1m`.
pub fn parse_spike(text: &str) -> Result<Spike, String> {
    let bad = || format!("--spike `{text}`: expected TIMESx@AT for DURATION, like 10x@5m for 1m");
    let (times, rest) = text.trim().split_once("x@").ok_or_else(bad)?;
    let (at, hold) = rest.split_once(" for ").ok_or_else(bad)?;
    let times: f64 = times.trim().parse().map_err(|_| bad())?;
    if !(times.is_finite() && times >= 1.0) {
        return Err(format!("--spike `{text}`: the multiple must be at least 1"));
    }
    let at = crate::base::duration::parse(at).map_err(|e| format!("--spike `{text}`: {e}"))?;
    let hold = crate::base::duration::parse(hold).map_err(|e| format!("--spike `{text}`: {e}"))?;
    if hold.is_zero() {
        return Err(format!("--spike `{text}`: it must last longer than zero"));
    }
    Ok(Spike { times, at, hold })
}

/// Cuts the spike into the stages: the step running `at` into the run is
/// split around it; past the end it is appended.
pub fn with_spike(stages: &[Stage], spike: Spike) -> Vec<Stage> {
    let Some(first) = stages.first() else {
        return Vec::new();
    };
    let peak = Stage {
        level: first.level.times(spike.times),
        hold: spike.hold,
        role: Role::Spike,
    };
    let mut out = Vec::with_capacity(stages.len() + 2);
    let mut start = Duration::ZERO;
    let mut placed = false;
    for s in stages {
        let end = start + s.hold;
        if !placed && spike.at < end {
            let before = spike.at.saturating_sub(start);
            if !before.is_zero() {
                out.push(Stage { hold: before, ..*s });
            }
            out.push(peak);
            let after = end - spike.at.max(start);
            out.push(Stage {
                hold: after,
                role: if before.is_zero() {
                    s.role
                } else {
                    Role::Recovery
                },
                ..*s
            });
            placed = true;
        } else {
            out.push(*s);
        }
        start = end;
    }
    if !placed {
        out.push(peak);
    }
    out
}

/// The stages at `times` of today's rate, for `--from-current`: 1×, 2×, 3×
/// and a 10× spike in the middle of the 3× step.
pub fn from_current(rate: f64, hold: Duration) -> Vec<Stage> {
    // A tenth of a request a second is as fine as a reading of traffic goes.
    let rate = ((rate * 10.0).round() / 10.0).max(0.1);
    let steps: Vec<Stage> = [1.0, 2.0, 3.0]
        .iter()
        .map(|m| Stage {
            level: Level::Rate(rate * m),
            hold,
            role: Role::Step,
        })
        .collect();
    with_spike(
        &steps,
        Spike {
            times: 10.0,
            at: hold * 2 + hold / 2,
            hold: hold / 2,
        },
    )
}

pub fn total(stages: &[Stage]) -> Duration {
    stages.iter().map(|s| s.hold).sum()
}

/// The highest level reached (the plan's peak).
pub fn peak(stages: &[Stage]) -> Option<Level> {
    stages
        .iter()
        .map(|s| s.level)
        .max_by(|a, b| a.number().total_cmp(&b.number()))
}

/// The stages as typed: `50:2m,100:2m`.
pub fn describe(stages: &[Stage]) -> String {
    let parts: Vec<String> = stages
        .iter()
        .map(|s| {
            let level = match s.level {
                Level::Users(n) => n.to_string(),
                Level::Rate(r) => format!("{}/s", crate::runbook::judge::fmt_num(r)),
            };
            let mark = if s.role == Role::Spike { "!" } else { "" };
            format!(
                "{level}{mark}:{}",
                crate::base::duration::HumanDuration(s.hold)
            )
        })
        .collect();
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn stages_read_users_or_rates_never_both() {
        let s = parse_stages("50:2m, 100:2m,200:30s").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].level, Level::Users(100));
        assert_eq!(s[2].hold, secs(30));
        assert_eq!(total(&s), secs(270));
        let r = parse_stages("20/s:10s,40rps:10s").unwrap();
        assert_eq!(r[1].level, Level::Rate(40.0));
        assert_eq!(describe(&r), "20/s:10s,40/s:10s");
        let e = parse_stages("50:1m,20/s:1m").unwrap_err();
        assert!(e.contains("not both"), "{e}");
        assert!(parse_stages("50").unwrap_err().contains("LEVEL:DURATION"));
        assert!(parse_stages("0:1m").unwrap_err().contains("neither"));
        assert!(parse_stages("5:0s")
            .unwrap_err()
            .contains("longer than zero"));
        assert!(parse_stages("5:soon")
            .unwrap_err()
            .contains("invalid duration"));
    }

    #[test]
    fn a_spike_splits_the_step_it_lands_in() {
        let steps = parse_stages("50:2m,100:2m,200:2m,300:2m").unwrap();
        let spike = parse_spike("10x@5m for 1m").unwrap();
        assert_eq!(spike.times, 10.0);
        let s = with_spike(&steps, spike);
        let shape: Vec<(String, u64)> = s.iter().map(|s| (s.label(), s.hold.as_secs())).collect();
        assert_eq!(
            shape,
            vec![
                ("50 users".to_string(), 120),
                ("100 users".into(), 120),
                ("200 users".into(), 60),
                ("spike 500 users".into(), 60),
                ("200 users (after the spike)".into(), 60),
                ("300 users".into(), 120),
            ]
        );
        // The spike adds its own time; the steps keep theirs.
        assert_eq!(total(&s), total(&steps) + secs(60));
        // On a boundary no empty part is left; past the end it is appended.
        let s = with_spike(&steps, parse_spike("2x@2m for 10s").unwrap());
        assert_eq!(s[1].role, Role::Spike);
        assert_eq!(s[2].role, Role::Step);
        let s = with_spike(&steps, parse_spike("2x@1h for 10s").unwrap());
        assert_eq!(s.last().unwrap().role, Role::Spike);
        assert_eq!(peak(&s), Some(Level::Users(300)));
    }

    #[test]
    fn bad_spikes_say_how_to_write_one() {
        assert!(parse_spike("10x").unwrap_err().contains("TIMESx@AT"));
        assert!(parse_spike("0.5x@1m for 1m")
            .unwrap_err()
            .contains("at least 1"));
        assert!(parse_spike("3x@1m for 0s").unwrap_err().contains("longer"));
    }

    #[test]
    fn todays_rate_becomes_one_two_three_times_and_a_tenfold_spike() {
        let s = from_current(12.0, secs(60));
        let levels: Vec<String> = s.iter().map(Stage::label).collect();
        assert_eq!(
            levels,
            [
                "12/s",
                "24/s",
                "36/s",
                "spike 120/s",
                "36/s (after the spike)"
            ]
        );
        assert_eq!(total(&s), secs(210));
        // A reading of traffic is rounded to a tenth of a request a second.
        assert_eq!(from_current(20.7834, secs(60))[0].label(), "20.8/s");
    }
}
