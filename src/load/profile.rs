//! Load profiles as rate-over-time functions, and the open-model schedule
//! they imply: request `k` is *intended* to leave at the moment the
//! cumulative count `N(t) = ∫ rate` reaches `k`. Latency is measured from
//! that intended moment, so a server that stalls the sender cannot hide the
//! wait it causes (coordinated omission).

use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// How the request rate changes over the run. Rates are requests per second.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "profile", rename_all = "lowercase")]
pub enum Profile {
    /// As fast as the connections allow (closed model: each connection sends
    /// its next request when the previous answer arrives).
    Max,
    Constant {
        rate: f64,
    },
    /// Linearly from `from` to `to` over `over`, then holding `to`.
    Ramp {
        from: f64,
        to: f64,
        #[serde(with = "secs")]
        over: Duration,
    },
    /// `base`, then `base × times` from `at` for `hold`, then `base` again.
    Spike {
        base: f64,
        times: f64,
        #[serde(with = "secs")]
        at: Duration,
        #[serde(with = "secs")]
        hold: Duration,
    },
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// A stretch of time over which the rate moves linearly from `r0` to `r1`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start: f64,
    /// `f64::INFINITY` for the last one, which holds its rate.
    len: f64,
    r0: f64,
    r1: f64,
}

impl Segment {
    fn rate_at(&self, dt: f64) -> f64 {
        self.r0 + self.slope() * dt
    }

    /// Change of rate per second; the last segment holds its rate.
    fn slope(&self) -> f64 {
        if self.len.is_finite() && self.len > 0.0 {
            (self.r1 - self.r0) / self.len
        } else {
            0.0
        }
    }

    /// Requests intended within the first `dt` seconds of the segment.
    fn count_within(&self, dt: f64) -> f64 {
        let slope = self.slope();
        self.r0 * dt + slope * dt * dt / 2.0
    }

    /// The `dt` at which `count_within(dt) == n` (n within the segment).
    fn time_for(&self, n: f64) -> f64 {
        let slope = self.slope();
        if slope.abs() < 1e-12 {
            return if self.r0 > 0.0 {
                n / self.r0
            } else {
                f64::INFINITY
            };
        }
        // slope/2·dt² + r0·dt − n = 0, the root that is ≥ 0.
        let disc = self.r0 * self.r0 + 2.0 * slope * n;
        if disc < 0.0 {
            return f64::INFINITY;
        }
        (disc.sqrt() - self.r0) / slope
    }
}

impl Profile {
    /// Checks rates and times make sense; the message names the flag.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |what: &str, r: f64| {
            if r.is_finite() && r > 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{what} must be a positive rate (requests/s), got {r}"
                ))
            }
        };
        match self {
            Profile::Max => Ok(()),
            Profile::Constant { rate } => positive("--rate", *rate),
            Profile::Ramp { from, to, over } => {
                if !(from.is_finite() && *from >= 0.0) {
                    return Err(format!("--from must be a rate ≥ 0, got {from}"));
                }
                positive("--to", *to)?;
                if over.is_zero() {
                    return Err("--over must be longer than zero".into());
                }
                Ok(())
            }
            Profile::Spike {
                base, times, hold, ..
            } => {
                positive("--rate (the spike's baseline)", *base)?;
                if !(times.is_finite() && *times >= 1.0) {
                    return Err(format!("--spike-x must be at least 1, got {times}"));
                }
                if hold.is_zero() {
                    return Err("--spike-for must be longer than zero".into());
                }
                Ok(())
            }
        }
    }

    /// True when requests follow a schedule (open model).
    pub fn is_open(&self) -> bool {
        !matches!(self, Profile::Max)
    }

    fn segments(&self) -> Vec<Segment> {
        let seg = |start: f64, len: f64, r0: f64, r1: f64| Segment { start, len, r0, r1 };
        match *self {
            Profile::Max => vec![],
            Profile::Constant { rate } => vec![seg(0.0, f64::INFINITY, rate, rate)],
            Profile::Ramp { from, to, over } => {
                let over = over.as_secs_f64();
                vec![seg(0.0, over, from, to), seg(over, f64::INFINITY, to, to)]
            }
            Profile::Spike {
                base,
                times,
                at,
                hold,
            } => {
                let (at, hold) = (at.as_secs_f64(), hold.as_secs_f64());
                let peak = base * times;
                vec![
                    seg(0.0, at, base, base),
                    seg(at, hold, peak, peak),
                    seg(at + hold, f64::INFINITY, base, base),
                ]
            }
        }
    }

    /// The intended rate `t` into the run; None for the closed model.
    pub fn rate_at(&self, t: Duration) -> Option<f64> {
        let t = t.as_secs_f64();
        let segs = self.segments();
        let s = segs.iter().rev().find(|s| s.start <= t)?;
        Some(s.rate_at(t - s.start))
    }

    /// Requests intended in the first `t` of the run (None: closed model).
    pub fn count_until(&self, t: Duration) -> Option<f64> {
        let t = t.as_secs_f64();
        let segs = self.segments();
        if segs.is_empty() {
            return None;
        }
        let mut n = 0.0;
        for s in &segs {
            if t <= s.start {
                break;
            }
            n += s.count_within((t - s.start).min(s.len));
        }
        Some(n)
    }

    /// When request `k` (0-based) is intended to leave, from the start of the
    /// run; None for the closed model or a schedule that never gets there.
    pub fn send_time(&self, k: u64) -> Option<Duration> {
        let mut left = k as f64;
        for s in self.segments() {
            let whole = if s.len.is_finite() {
                s.count_within(s.len)
            } else {
                f64::INFINITY
            };
            if left < whole {
                let dt = s.time_for(left);
                return dt
                    .is_finite()
                    .then(|| Duration::from_secs_f64(s.start + dt));
            }
            left -= whole;
        }
        None
    }

    /// The highest rate the schedule reaches (None: closed model).
    pub fn peak_rate(&self) -> Option<f64> {
        match *self {
            Profile::Max => None,
            Profile::Constant { rate } => Some(rate),
            Profile::Ramp { from, to, .. } => Some(from.max(to)),
            Profile::Spike { base, times, .. } => Some(base * times),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |d: &Duration| crate::base::duration::HumanDuration(*d);
        match self {
            Profile::Max => f.write_str("as fast as possible"),
            Profile::Constant { rate } => write!(f, "constant {rate}/s"),
            Profile::Ramp { from, to, over } => {
                write!(f, "ramp {from}/s → {to}/s over {}", d(over))
            }
            Profile::Spike {
                base,
                times,
                at,
                hold,
            } => write!(f, "spike {base}/s, ×{times} at {} for {}", d(at), d(hold)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn constant_schedule_is_evenly_spaced() {
        let p = Profile::Constant { rate: 100.0 };
        assert_eq!(p.send_time(0), Some(Duration::ZERO));
        assert_eq!(p.send_time(50), Some(secs(0.5)));
        assert_eq!(p.count_until(secs(2.0)), Some(200.0));
        assert_eq!(p.rate_at(secs(7.0)), Some(100.0));
    }

    #[test]
    fn ramp_climbs_then_holds() {
        let p = Profile::Ramp {
            from: 0.0,
            to: 100.0,
            over: secs(10.0),
        };
        assert_eq!(p.rate_at(secs(5.0)), Some(50.0));
        assert_eq!(p.rate_at(secs(20.0)), Some(100.0));
        // ∫0..10 of 10·t = 500, then 100/s.
        assert_eq!(p.count_until(secs(10.0)), Some(500.0));
        assert_eq!(p.count_until(secs(12.0)), Some(700.0));
        // N(t) = 5t² reaches 125 at t = 5.
        let t = p.send_time(125).unwrap().as_secs_f64();
        assert!((t - 5.0).abs() < 1e-9, "{t}");
        let t = p.send_time(600).unwrap().as_secs_f64();
        assert!((t - 11.0).abs() < 1e-9, "{t}");
        assert_eq!(p.peak_rate(), Some(100.0));
    }

    #[test]
    fn spike_multiplies_for_its_window_only() {
        let p = Profile::Spike {
            base: 10.0,
            times: 10.0,
            at: secs(2.0),
            hold: secs(1.0),
        };
        assert_eq!(p.rate_at(secs(1.9)), Some(10.0));
        assert_eq!(p.rate_at(secs(2.5)), Some(100.0));
        assert_eq!(p.rate_at(secs(3.0)), Some(10.0));
        assert_eq!(p.count_until(secs(4.0)), Some(20.0 + 100.0 + 10.0));
        // Request 20 is the first of the spike; 120 the first after it.
        assert_eq!(p.send_time(20), Some(secs(2.0)));
        assert_eq!(p.send_time(70), Some(secs(2.5)));
        assert_eq!(p.send_time(120), Some(secs(3.0)));
        assert_eq!(p.peak_rate(), Some(100.0));
    }

    #[test]
    fn send_times_never_go_backwards() {
        let p = Profile::Ramp {
            from: 3.0,
            to: 1000.0,
            over: secs(3.0),
        };
        let mut last = Duration::ZERO;
        for k in 0..5000 {
            let t = p.send_time(k).unwrap();
            assert!(t >= last, "request {k} at {t:?} before {last:?}");
            last = t;
        }
    }

    #[test]
    fn the_closed_model_has_no_schedule() {
        assert_eq!(Profile::Max.send_time(3), None);
        assert_eq!(Profile::Max.rate_at(secs(1.0)), None);
        assert!(!Profile::Max.is_open());
    }

    #[test]
    fn bad_rates_name_their_flag() {
        let e = Profile::Constant { rate: 0.0 }.validate().unwrap_err();
        assert!(e.contains("--rate"), "{e}");
        let e = Profile::Spike {
            base: 5.0,
            times: 0.5,
            at: secs(1.0),
            hold: secs(1.0),
        }
        .validate()
        .unwrap_err();
        assert!(e.contains("--spike-x"), "{e}");
        let e = Profile::Ramp {
            from: 1.0,
            to: 2.0,
            over: Duration::ZERO,
        }
        .validate()
        .unwrap_err();
        assert!(e.contains("--over"), "{e}");
    }
}
