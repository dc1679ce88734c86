//! One resolution of a series: a fixed ring of bucket means. NaN marks a bucket
//! with no sample (a gap), so charts show gaps instead of inventing values.

#[derive(Debug, Clone)]
pub(crate) struct Tier {
    /// Seconds per bucket.
    pub res: i64,
    slots: Box<[f32]>,
    /// Bucket index (time / res) of the newest written slot, or None before any write.
    head: Option<i64>,
    /// Bucket being accumulated for an averaging tier: (bucket, sum, count).
    acc: Option<(i64, f64, u32)>,
}

impl Tier {
    pub fn new(res: i64, len: usize) -> Self {
        Tier {
            res,
            slots: vec![f32::NAN; len].into_boxed_slice(),
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

    #[inline]
    fn store(&mut self, bucket: i64, v: f32) {
        let len = self.slots.len() as i64;
        match self.head {
            Some(head) if bucket <= head => {
                if head - bucket < len {
                    self.slots[bucket.rem_euclid(len) as usize] = v;
                }
            }
            Some(head) => {
                // Buckets skipped since the last write are gaps.
                let skipped = (bucket - head - 1).min(len);
                for b in bucket - skipped..bucket {
                    self.slots[b.rem_euclid(len) as usize] = f32::NAN;
                }
                self.slots[bucket.rem_euclid(len) as usize] = v;
                self.head = Some(bucket);
            }
            None => {
                self.slots[bucket.rem_euclid(len) as usize] = v;
                self.head = Some(bucket);
            }
        }
    }

    /// The oldest time this tier still holds.
    pub fn covers_from(&self) -> Option<i64> {
        let newest = self.newest_bucket()?;
        Some((newest - self.slots.len() as i64 + 1) * self.res)
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
            Some(head) if bucket <= head && head - bucket < self.slots.len() as i64 => {
                self.slots[bucket.rem_euclid(self.slots.len() as i64) as usize]
            }
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
