//! Per-second rates from successive counter observations, with counter
//! resets handled: when a value drops, the process restarted and the new
//! value counted up from zero, so the increase over that step is the new
//! value itself (what Prometheus's `rate`/`increase` assume too).
//!
//! Pure: no I/O, no clock. Timestamps are seconds as `f64` (any epoch).
//! Observations whose value or timestamp is NaN, or whose timestamp does not
//! move forward, are ignored. No extrapolation to the window's edges is done
//! (Prometheus's `rate` extrapolates; these figures are the plain increase
//! between the first and the last observation, divided by their distance).

/// One observation of a counter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Seconds (any epoch, e.g. Unix time).
    pub t: f64,
    pub value: f64,
}

impl Observation {
    pub const fn new(t: f64, value: f64) -> Self {
        Self { t, value }
    }
}

/// How much a counter grew from `prev` to `curr`: the difference, or `curr`
/// when the counter went down (a reset).
pub fn reset_aware_delta(prev: f64, curr: f64) -> f64 {
    if curr < prev {
        curr
    } else {
        curr - prev
    }
}

fn usable(obs: &[Observation]) -> impl Iterator<Item = Observation> + '_ {
    let mut last_t = f64::NEG_INFINITY;
    obs.iter().copied().filter(move |o| {
        if o.t.is_nan() || o.value.is_nan() || o.t <= last_t {
            return false;
        }
        last_t = o.t;
        true
    })
}

/// Total increase over the observations (in time order), counting resets
/// from zero, and the seconds it spans. `None` with fewer than two usable
/// observations.
pub fn increase(obs: &[Observation]) -> Option<(f64, f64)> {
    let mut it = usable(obs);
    let first = it.next()?;
    let mut prev = first;
    let mut total = 0.0;
    let mut n = 1;
    for o in it {
        total += reset_aware_delta(prev.value, o.value);
        prev = o;
        n += 1;
    }
    (n >= 2).then_some((total, prev.t - first.t))
}

/// Per-second rate over the observations: [`increase`] divided by the time
/// between the first and last usable observation. `None` with fewer than two
/// usable observations.
pub fn rate(obs: &[Observation]) -> Option<f64> {
    let (inc, secs) = increase(obs)?;
    (secs > 0.0).then(|| inc / secs)
}

/// Rate between the last two usable observations (like PromQL's `irate`).
pub fn instant_rate(obs: &[Observation]) -> Option<f64> {
    let usable: Vec<Observation> = usable(obs).collect();
    let [.., a, b] = usable[..] else {
        return None;
    };
    Some(reset_aware_delta(a.value, b.value) / (b.t - a.t))
}

/// Streaming form: feed each scrape's counter value, get the rate since the
/// previous one.
#[derive(Debug, Clone, Default)]
pub struct CounterRate {
    last: Option<Observation>,
}

impl CounterRate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an observation; returns the per-second rate since the previous
    /// usable one (`None` for the first, or when this one is ignored).
    pub fn observe(&mut self, t: f64, value: f64) -> Option<f64> {
        if t.is_nan() || value.is_nan() {
            return None;
        }
        match self.last {
            Some(prev) if t <= prev.t => None,
            Some(prev) => {
                self.last = Some(Observation::new(t, value));
                Some(reset_aware_delta(prev.value, value) / (t - prev.t))
            }
            None => {
                self.last = Some(Observation::new(t, value));
                None
            }
        }
    }

    /// The last accepted observation.
    pub fn last(&self) -> Option<Observation> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(pairs: &[(f64, f64)]) -> Vec<Observation> {
        pairs.iter().map(|&(t, v)| Observation::new(t, v)).collect()
    }

    #[test]
    fn steady_counter() {
        let o = obs(&[(0.0, 100.0), (10.0, 150.0), (20.0, 200.0)]);
        assert_eq!(increase(&o), Some((100.0, 20.0)));
        assert_eq!(rate(&o), Some(5.0));
        assert_eq!(instant_rate(&o), Some(5.0));
    }

    #[test]
    fn reset_counts_new_value_from_zero() {
        // 100 -> 150 (+50), reset to 30 (+30), -> 60 (+30)
        let o = obs(&[(0.0, 100.0), (10.0, 150.0), (20.0, 30.0), (30.0, 60.0)]);
        assert_eq!(increase(&o), Some((110.0, 30.0)));
        assert!((rate(&o).unwrap() - 110.0 / 30.0).abs() < 1e-12);
        let o = obs(&[(0.0, 100.0), (5.0, 4.0)]);
        assert_eq!(instant_rate(&o), Some(0.8));
    }

    #[test]
    fn too_few_or_bad_points() {
        assert_eq!(rate(&[]), None);
        assert_eq!(rate(&obs(&[(1.0, 1.0)])), None);
        // duplicate and backwards timestamps, NaN values ignored
        let o = obs(&[
            (0.0, 1.0),
            (0.0, 5.0),
            (-1.0, 9.0),
            (2.0, f64::NAN),
            (4.0, 9.0),
        ]);
        assert_eq!(increase(&o), Some((8.0, 4.0)));
        assert_eq!(rate(&o), Some(2.0));
    }

    #[test]
    fn streaming() {
        let mut r = CounterRate::new();
        assert_eq!(r.observe(0.0, 10.0), None);
        assert_eq!(r.observe(2.0, 14.0), Some(2.0));
        assert_eq!(r.observe(2.0, 20.0), None);
        assert_eq!(r.observe(4.0, 1.0), Some(0.5));
        assert_eq!(r.last(), Some(Observation::new(4.0, 1.0)));
    }
}
