//! MetricStore: every series in three fixed rings (1 s for 15 min, 10 s for 6 h,
//! 1 min for 48 h), so memory is bounded however long the console runs; each
//! ring takes its memory as it fills.

use super::glob::glob_match;
use super::tier::Tier;
use std::collections::HashMap;

/// Tier layout: (seconds per bucket, buckets).
pub const TIERS: [(i64, usize); 3] = [(1, 15 * 60), (10, 6 * 360), (60, 48 * 60)];

/// A handle to a series, so the hot ingest path never hashes a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeriesId(u32);

#[derive(Debug, Clone)]
struct Series {
    tiers: [Tier; 3],
    last: Option<(i64, f64)>,
}

#[derive(Debug, Default, Clone)]
pub struct MetricStore {
    ids: HashMap<String, SeriesId>,
    names: Vec<String>,
    series: Vec<Series>,
}

impl MetricStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of a series, creating it on first use.
    pub fn intern(&mut self, name: &str) -> SeriesId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = SeriesId(self.series.len() as u32);
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        self.series.push(Series {
            tiers: TIERS.map(|(res, len)| Tier::new(res, len)),
            last: None,
        });
        id
    }

    pub fn id(&self, name: &str) -> Option<SeriesId> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: SeriesId) -> &str {
        &self.names[id.0 as usize]
    }

    /// Records a sample at `t` (unix seconds). NaN and infinities are recorded as gaps.
    #[inline]
    pub fn push(&mut self, id: SeriesId, t: i64, v: f64) {
        let s = &mut self.series[id.0 as usize];
        let v32 = v as f32;
        let [fine, mid, coarse] = &mut s.tiers;
        fine.put(t, v32);
        if v.is_finite() {
            mid.accumulate(t, v32);
            coarse.accumulate(t, v32);
            if s.last.is_none_or(|(lt, _)| t >= lt) {
                s.last = Some((t, v));
            }
        }
    }

    /// Interns and records in one call, for callers off the hot path.
    pub fn record(&mut self, name: &str, t: i64, v: f64) {
        let id = self.intern(name);
        self.push(id, t, v);
    }

    /// The newest finite sample: (time, value).
    pub fn latest(&self, id: SeriesId) -> Option<(i64, f64)> {
        self.series[id.0 as usize].last
    }

    pub fn latest_by_name(&self, name: &str) -> Option<(i64, f64)> {
        self.id(name).and_then(|id| self.latest(id))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// `points` values covering `(to - points*step, to]`, one per `step` seconds,
    /// each the mean of the samples in its span; NaN where there were none.
    /// Reads the finest tier that still holds the start of the span.
    pub fn window(&self, id: SeriesId, to: i64, step: i64, points: usize) -> Vec<f32> {
        let step = step.max(1);
        let from = to - step * points as i64 + 1;
        let s = &self.series[id.0 as usize];
        let tier = s
            .tiers
            .iter()
            .find(|t| t.res <= step && t.covers_from().is_some_and(|c| c <= from))
            .or_else(|| s.tiers.iter().rev().find(|t| t.res <= step))
            .unwrap_or(&s.tiers[0]);
        let mut out = Vec::with_capacity(points);
        for p in 0..points as i64 {
            let start = from + p * step;
            let end = start + step;
            let (mut sum, mut n) = (0.0f64, 0u32);
            let mut b = start.div_euclid(tier.res);
            while b * tier.res < end {
                let v = tier.bucket(b);
                if !v.is_nan() {
                    sum += v as f64;
                    n += 1;
                }
                b += 1;
            }
            out.push(if n == 0 {
                f32::NAN
            } else {
                (sum / n as f64) as f32
            });
        }
        out
    }

    /// Every series whose name matches `pattern`, where `*` stands for any run of
    /// characters (`host:disk:*:used_ratio`).
    pub fn matching(&self, pattern: &str) -> Vec<(&str, Option<(i64, f64)>)> {
        self.names
            .iter()
            .zip(&self.series)
            .filter(|(name, _)| glob_match(pattern, name))
            .map(|(name, s)| (name.as_str(), s.last))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_reads_recent_seconds_with_gaps() {
        let mut m = MetricStore::new();
        let id = m.intern("host:cpu");
        for t in [100, 102, 104, 110] {
            m.push(id, t, t as f64);
        }
        let w = m.window(id, 111, 2, 6);
        // spans: [100,101] [102,103] [104,105] [106,107] [108,109] [110,111]
        assert_eq!(w[0], 100.0);
        assert_eq!(w[1], 102.0);
        assert_eq!(w[2], 104.0);
        assert!(w[3].is_nan() && w[4].is_nan());
        assert_eq!(w[5], 110.0);
        assert_eq!(m.latest(id), Some((110, 110.0)));
    }

    #[test]
    fn long_windows_fall_back_to_coarser_tiers() {
        let mut m = MetricStore::new();
        let id = m.intern("x");
        let end = 3 * 3600;
        for t in 0..end {
            m.push(id, t, (t / 600) as f64);
        }
        // Two hours back is beyond the 15-minute tier; the 10 s tier answers.
        let w = m.window(id, end - 1, 600, 12);
        assert_eq!(w.len(), 12);
        for (i, v) in w.iter().enumerate() {
            assert_eq!(*v, (i + 6) as f32, "point {i}");
        }
    }

    #[test]
    fn non_finite_values_are_gaps() {
        let mut m = MetricStore::new();
        let id = m.intern("x");
        m.push(id, 10, 1.0);
        m.push(id, 11, f64::NAN);
        assert!(m.window(id, 11, 1, 1)[0].is_nan());
        assert_eq!(m.latest(id), Some((10, 1.0)));
    }

    #[test]
    fn matching_returns_latest_values() {
        let mut m = MetricStore::new();
        m.record("host:disk:/:used_ratio", 5, 0.5);
        m.record("host:disk:/boot:used_ratio", 5, 0.95);
        m.record("host:cpu", 5, 3.0);
        let hits = m.matching("host:disk:*:used_ratio");
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[1], ("host:disk:/boot:used_ratio", Some((5, 0.95))));
    }
}
