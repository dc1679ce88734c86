//! One resolution of a series: a fixed ring of bucket means. NaN marks a bucket
//! with no sample (a gap), so charts show gaps instead of inventing values.
//! The ring's memory is taken as it fills, not up front: a console watching
//! hundreds of new containers should not hold hours of empty history for each.

#[derive(Debug, Clone)]
pub(crate) struct Tier {
    /// Seconds per bucket.
    pub res: i64,
    /// The ring's full length; `slots` grows to it and then wraps.
    cap: usize,
    slots: Vec<f32>,
    /// The first bucket ever written sits at slot 0, so the ring fills from the start.
    origin: i64,
    /// Bucket index (time / res) of the newest written slot, or None before any write.
    head: Option<i64>,
    /// Bucket being accumulated for an averaging tier: (bucket, sum, count).
    acc: Option<(i64, f64, u32)>,
}

impl Tier {
    pub fn new(res: i64, len: usize) -> Self {
        Tier {
            res,
            cap: len.max(1),
            slots: Vec::new(),
            origin: 0,
            head: None,
            acc: None,
        }
    }

    /// Writes a raw sample into its bucket (last write in a bucket wins).
    #[inline]
    pub fn put(&mut self, t: i64, v: f32) {
        let bucket = t.div_euclid(self.res);
        self.store(bucket, v);
    }

    /// Adds a sample to the running mean of its bucket; a sample for a later bucket
    /// closes the current one first.
    #[inline]
    pub fn accumulate(&mut self, t: i64, v: f32) {
        let bucket = t.div_euclid(self.res);
        match &mut self.acc {
            Some((b, sum, n)) if *b == bucket => {
                *sum += v as f64;
                *n += 1;
            }
            Some((b, sum, n)) if *b < bucket => {
                let (closed, mean) = (*b, (*sum / *n as f64) as f32);
                self.acc = Some((bucket, v as f64, 1));
                self.store(closed, mean);
            }
            // An older bucket than the open one: too late to average in, dropped.
            Some(_) => {}
            None => self.acc = Some((bucket, v as f64, 1)),
        }
    }

    fn index(&self, bucket: i64) -> usize {
        (bucket - self.origin).rem_euclid(self.cap as i64) as usize
    }

    fn set(&mut self, bucket: i64, v: f32) {
        let i = self.index(bucket);
        if i >= self.slots.len() {
            // Grow by doubling, never past the ring's length.
            let want = (i + 1).max(self.slots.len() * 2).min(self.cap);
            self.slots.reserve_exact(want - self.slots.len());
            self.slots.resize(i + 1, f32::NAN);
        }
        self.slots[i] = v;
    }

    #[inline]
    fn store(&mut self, bucket: i64, v: f32) {
        let len = self.cap as i64;
        match self.head {
            Some(head) if bucket <= head => {
                if head - bucket < len {
                    self.set(bucket, v);
                }
            }
            Some(head) => {
                // Buckets skipped since the last write are gaps.
                let skipped = (bucket - head - 1).min(len);
                for b in bucket - skipped..bucket {
                    if self.index(b) < self.slots.len() {
                        self.set(b, f32::NAN);
                    }
                }
                self.set(bucket, v);
                self.head = Some(bucket);
            }
            None => {
                self.origin = bucket;
                self.set(bucket, v);
                self.head = Some(bucket);
            }
        }
    }

    /// The oldest time this tier still holds.
    pub fn covers_from(&self) -> Option<i64> {
        let newest = self.newest_bucket()?;
        Some((newest - self.cap as i64 + 1) * self.res)
    }

    fn newest_bucket(&self) -> Option<i64> {
        match (self.head, self.acc) {
            (Some(h), Some((b, _, _))) => Some(h.max(b)),
            (h, a) => h.or(a.map(|a| a.0)),
        }
    }

    /// The value of one bucket, counting the still-open accumulator as its bucket's value.
    pub fn bucket(&self, bucket: i64) -> f32 {
        if let Some((b, sum, n)) = self.acc {
            if b == bucket {
                return (sum / n as f64) as f32;
            }
        }
        match self.head {
            Some(head) if bucket <= head && head - bucket < self.cap as i64 => self
                .slots
                .get(self.index(bucket))
                .copied()
                .unwrap_or(f32::NAN),
            _ => f32::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_buckets_become_gaps() {
        let mut t = Tier::new(1, 10);
        t.put(100, 1.0);
        t.put(101, 2.0);
        t.put(105, 3.0);
        assert_eq!(t.bucket(101), 2.0);
        assert!(t.bucket(103).is_nan());
        assert_eq!(t.bucket(105), 3.0);
        assert!(t.bucket(106).is_nan());
    }

    #[test]
    fn ring_forgets_what_fell_off() {
        let mut t = Tier::new(1, 4);
        for s in 0..10 {
            t.put(s, s as f32);
        }
        assert!(t.bucket(5).is_nan());
        assert_eq!(t.bucket(6), 6.0);
        assert_eq!(t.covers_from(), Some(6));
        // A late sample inside the window lands; one outside is dropped.
        t.put(7, 70.0);
        t.put(2, 20.0);
        assert_eq!(t.bucket(7), 70.0);
        assert!(t.bucket(2).is_nan());
    }

    #[test]
    fn a_long_silence_clears_the_whole_ring() {
        let mut t = Tier::new(1, 4);
        t.put(0, 1.0);
        t.put(1000, 2.0);
        assert!(t.bucket(999).is_nan() && t.bucket(997).is_nan());
        assert_eq!(t.bucket(1000), 2.0);
    }

    #[test]
    fn memory_is_taken_as_the_ring_fills() {
        let mut t = Tier::new(1, 1000);
        t.put(5_000_000, 1.0);
        t.put(5_000_003, 2.0);
        assert!(t.slots.capacity() < 16, "{}", t.slots.capacity());
        for s in 5_000_004..5_003_000 {
            t.put(s, s as f32);
        }
        assert_eq!(t.slots.capacity(), 1000);
        assert_eq!(t.bucket(5_002_999), 5_002_999.0);
        assert!(t.bucket(5_001_999).is_nan(), "fell off the ring");
        assert_eq!(t.bucket(5_002_000), 5_002_000.0);
    }

    #[test]
    fn accumulator_averages_per_bucket() {
        let mut t = Tier::new(10, 6);
        for s in 0..10 {
            t.accumulate(s, s as f32);
        }
        assert_eq!(t.bucket(0), 4.5, "open bucket reads as its running mean");
        t.accumulate(10, 100.0);
        assert_eq!(t.bucket(0), 4.5);
        assert_eq!(t.bucket(1), 100.0);
        t.accumulate(35, 1.0);
        assert_eq!(t.bucket(1), 100.0);
        assert!(t.bucket(2).is_nan());
    }
}
