//! Quantiles from classic (`le`-bucketed) histograms, computed the way
//! Prometheus's `histogram_quantile` does, and bucket deltas between two
//! scrapes summed across replicas.
//!
//! Pure: no I/O, no async. The usual pipeline for "p95 over the last window
//! from direct scraping" is:
//!
//! ```text
//! per replica: (buckets at window start, buckets now) --bucket_delta-->
//! sum across replicas (match by le)                   --sum_buckets-->
//! histogram_quantile(0.95, &summed)
//! ```
//!
//! [`windowed_quantile`] does all three steps at once.
//!
//! Semantics follow Prometheus's `promql/quantile.go` (classic-histogram
//! path, Prometheus 2.5x / 3.x):
//!
//! - `q` NaN → NaN; `q < 0` → −Inf; `q > 1` → +Inf (Prometheus returns the
//!   infinities, not NaN, and only attaches a warning).
//! - Buckets are sorted by upper bound; if the highest is not `+Inf` → NaN.
//! - Buckets with the same upper bound are merged (counts added).
//! - Tiny relative differences between neighbouring counts (≤ 1e-12,
//!   floating-point noise) are flattened, and any decrease is lifted to the
//!   running maximum, so the counts are monotonic.
//! - Fewer than two buckets, or a `+Inf` count of zero → NaN.
//! - `rank = q × total`; the chosen bucket is the first whose cumulative
//!   count is ≥ rank (searching all buckets but the `+Inf` one).
//! - Rank in the `+Inf` bucket → the upper bound of the second-highest bucket.
//! - Rank in the lowest bucket whose upper bound is ≤ 0 → that upper bound.
//! - Otherwise linear interpolation inside the bucket, with a lower bound of
//!   0 for the lowest bucket. (As in Prometheus, an empty lowest bucket with
//!   `q = 0` yields NaN from the 0/0 interpolation.)

pub use crate::exposition::Bucket;

/// Relative tolerance under which neighbouring bucket counts are treated as
/// equal (Prometheus's `smallDeltaTolerance`).
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// What [`histogram_quantile_detailed`] had to correct in the input, the
/// same two conditions Prometheus reports as query annotations.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuantileResult {
    pub value: f64,
    /// Some bucket count was lower than a lower bucket's and was lifted.
    pub forced_monotonic: bool,
    /// Some counts differed only by floating-point noise and were equalised.
    pub fixed_precision: bool,
}

/// The `q`-quantile of a classic histogram, as Prometheus's
/// `histogram_quantile(q, ...)` computes it for one label set. The buckets
/// may come in any order; they are not modified.
pub fn histogram_quantile(q: f64, buckets: &[Bucket]) -> f64 {
    histogram_quantile_detailed(q, buckets).value
}

/// [`histogram_quantile`] plus the flags telling whether the counts had to be
/// corrected.
pub fn histogram_quantile_detailed(q: f64, buckets: &[Bucket]) -> QuantileResult {
    let plain = |value| QuantileResult {
        value,
        ..Default::default()
    };
    if q.is_nan() {
        return plain(f64::NAN);
    }
    if q < 0.0 {
        return plain(f64::NEG_INFINITY);
    }
    if q > 1.0 {
        return plain(f64::INFINITY);
    }
    // A NaN upper bound has no place in the ordering; Prometheus "does not
    // expect" one, so such buckets are left out.
    let mut b: Vec<Bucket> = buckets.iter().copied().filter(|b| !b.le.is_nan()).collect();
    if b.is_empty() {
        return plain(f64::NAN);
    }
    b.sort_by(|x, y| x.le.total_cmp(&y.le));
    if b[b.len() - 1].le != f64::INFINITY {
        return plain(f64::NAN);
    }
    coalesce(&mut b);
    let (forced_monotonic, fixed_precision) = ensure_monotonic(&mut b);
    let done = |value| QuantileResult {
        value,
        forced_monotonic,
        fixed_precision,
    };
    if b.len() < 2 {
        return plain(f64::NAN);
    }
    let observations = b[b.len() - 1].count;
    if observations == 0.0 {
        return plain(f64::NAN);
    }
    let mut rank = q * observations;
    // First bucket (excluding +Inf) whose count reaches the rank; the +Inf
    // index when none does. Searched exactly as Go's sort.Search does, so
    // even NaN counts land where Prometheus puts them.
    let idx = go_search(b.len() - 1, |i| b[i].count >= rank);
    if idx == b.len() - 1 {
        return done(b[b.len() - 2].le);
    }
    if idx == 0 && b[0].le <= 0.0 {
        return done(b[0].le);
    }
    let mut start = 0.0;
    let end = b[idx].le;
    let mut count = b[idx].count;
    if idx > 0 {
        start = b[idx - 1].le;
        count -= b[idx - 1].count;
        rank -= b[idx - 1].count;
    }
    done(start + (end - start) * (rank / count))
}

/// The smallest `i` in `0..n` for which `f(i)` holds, assuming `f` is
/// false then true; `n` if none (Go's `sort.Search`, same probing order).
fn go_search(n: usize, f: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if f(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Merge neighbours with the same upper bound (input sorted).
fn coalesce(b: &mut Vec<Bucket>) {
    b.dedup_by(|next, kept| {
        if next.le == kept.le {
            kept.count += next.count;
            true
        } else {
            false
        }
    });
}

/// Flatten floating-point noise and lift decreases; returns
/// `(forced_monotonic, fixed_precision)`.
fn ensure_monotonic(b: &mut [Bucket]) -> (bool, bool) {
    let (mut forced, mut fixed) = (false, false);
    let mut prev = b[0].count;
    for bucket in &mut b[1..] {
        let curr = bucket.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, SMALL_DELTA_TOLERANCE) {
            bucket.count = prev;
            fixed = true;
            continue;
        }
        if curr < prev {
            bucket.count = prev;
            forced = true;
            continue;
        }
        prev = curr;
    }
    (forced, fixed)
}

/// Relative float comparison with Prometheus's `util/almost.Equal` rules.
fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return diff < epsilon * f64::MIN_POSITIVE;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// How the buckets of one replica grew between two scrapes.
///
/// Buckets are matched by `le`. If any matched bucket went down, the target
/// restarted (a counter reset): every bucket then counts from zero, so the
/// delta is the newer count. A bucket only in `after` also counts from zero;
/// a bucket only in `before` is dropped. The result is sorted by `le`.
pub fn bucket_delta(before: &[Bucket], after: &[Bucket]) -> Vec<Bucket> {
    let find = |le: f64| before.iter().find(|b| b.le == le).map(|b| b.count);
    let reset = after
        .iter()
        .any(|a| find(a.le).is_some_and(|prev| a.count < prev));
    let mut out: Vec<Bucket> = after
        .iter()
        .filter(|a| !a.le.is_nan())
        .map(|a| {
            let count = match find(a.le) {
                Some(prev) if !reset => a.count - prev,
                _ => a.count,
            };
            Bucket { le: a.le, count }
        })
        .collect();
    out.sort_by(|x, y| x.le.total_cmp(&y.le));
    coalesce(&mut out);
    out
}

/// Sum histograms bucket by bucket, matching by `le` (what
/// `sum by (le) (...)` does in PromQL). The result is sorted by `le`.
pub fn sum_buckets<'b, I>(histograms: I) -> Vec<Bucket>
where
    I: IntoIterator<Item = &'b [Bucket]>,
{
    let mut out: Vec<Bucket> = histograms
        .into_iter()
        .flat_map(|h| h.iter().copied())
        .filter(|b| !b.le.is_nan())
        .collect();
    out.sort_by(|x, y| x.le.total_cmp(&y.le));
    coalesce(&mut out);
    out
}

/// Per-replica deltas between two scrapes, summed across replicas: the
/// input of a quantile over the window between the scrapes.
pub fn summed_deltas<'b, I>(replicas: I) -> Vec<Bucket>
where
    I: IntoIterator<Item = (&'b [Bucket], &'b [Bucket])>,
{
    let deltas: Vec<Vec<Bucket>> = replicas
        .into_iter()
        .map(|(before, after)| bucket_delta(before, after))
        .collect();
    sum_buckets(deltas.iter().map(Vec::as_slice))
}

/// The `q`-quantile of the observations made between two scrapes, summed
/// across replicas: `histogram_quantile(q, sum by (le) (increase(...)))`
/// without Prometheus's extrapolation.
pub fn windowed_quantile<'b, I>(q: f64, replicas: I) -> f64
where
    I: IntoIterator<Item = (&'b [Bucket], &'b [Bucket])>,
{
    histogram_quantile(q, &summed_deltas(replicas))
}

/// p50, p95 and p99 of one set of buckets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// p50 / p95 / p99 of a histogram (for example the output of
/// [`summed_deltas`]).
pub fn percentiles(buckets: &[Bucket]) -> Percentiles {
    Percentiles {
        p50: histogram_quantile(0.5, buckets),
        p95: histogram_quantile(0.95, buckets),
        p99: histogram_quantile(0.99, buckets),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn h(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs
            .iter()
            .map(|&(le, count)| Bucket::new(le, count))
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    // The classic example from Prometheus's own tests (testdata/histograms):
    // buckets 0.1:50 0.2:70 0.4:90 1:100 +Inf:100 (cumulative).
    fn sample() -> Vec<Bucket> {
        h(&[
            (0.1, 50.0),
            (0.2, 70.0),
            (0.4, 90.0),
            (1.0, 100.0),
            (INF, 100.0),
        ])
    }

    #[test]
    fn interpolates_linearly() {
        let b = sample();
        // rank 50 lands exactly at the top of the first bucket.
        assert!(close(histogram_quantile(0.5, &b), 0.1));
        // rank 25 in [0, 0.1] with 50 obs -> 0.05
        assert!(close(histogram_quantile(0.25, &b), 0.05));
        // rank 75 in (0.2, 0.4] holding 20 obs, 5 into it -> 0.25
        assert!(close(histogram_quantile(0.75, &b), 0.25));
        // rank 95 in (0.4, 1] holding 10 obs, 5 into it -> 0.7
        assert!(close(histogram_quantile(0.95, &b), 0.7));
        assert!(close(histogram_quantile(1.0, &b), 1.0));
        assert!(close(histogram_quantile(0.0, &b), 0.0));
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let mut b = sample();
        b.reverse();
        assert!(close(histogram_quantile(0.75, &b), 0.25));
    }

    #[test]
    fn q_out_of_range_like_prometheus() {
        let b = sample();
        assert_eq!(histogram_quantile(-0.1, &b), f64::NEG_INFINITY);
        assert_eq!(histogram_quantile(1.1, &b), INF);
        assert!(histogram_quantile(f64::NAN, &b).is_nan());
        // even with no buckets at all, as in Prometheus
        assert_eq!(histogram_quantile(2.0, &[]), INF);
    }

    #[test]
    fn rank_in_inf_bucket_returns_second_highest_bound() {
        let b = h(&[(0.1, 10.0), (0.5, 20.0), (INF, 100.0)]);
        assert_eq!(histogram_quantile(0.99, &b), 0.5);
        assert_eq!(histogram_quantile(0.5, &b), 0.5);
    }

    #[test]
    fn nan_counts_behave_like_prometheus() {
        // A NaN total makes every rank comparison false: sort.Search returns
        // the +Inf index, so the second-highest bound comes back.
        let b = h(&[(0.1, 1.0), (0.5, 2.0), (INF, f64::NAN)]);
        assert_eq!(histogram_quantile(0.5, &b), 0.5);
    }

    #[test]
    fn missing_inf_bucket_is_nan() {
        assert!(histogram_quantile(0.5, &h(&[(0.1, 1.0), (1.0, 2.0)])).is_nan());
    }

    #[test]
    fn empty_and_zero_counts_are_nan() {
        assert!(histogram_quantile(0.5, &[]).is_nan());
        assert!(histogram_quantile(0.5, &h(&[(0.1, 0.0), (INF, 0.0)])).is_nan());
        // only the +Inf bucket: fewer than two buckets
        assert!(histogram_quantile(0.5, &h(&[(INF, 5.0)])).is_nan());
    }

    #[test]
    fn lowest_bucket_with_non_positive_bound() {
        let b = h(&[(-1.0, 10.0), (0.0, 20.0), (1.0, 30.0), (INF, 30.0)]);
        assert_eq!(histogram_quantile(0.1, &b), -1.0);
        // rank 15 in (-1, 0] holding 10, 5 into it -> -0.5
        assert!(close(histogram_quantile(0.5, &b), -0.5));
        let z = h(&[(0.0, 10.0), (1.0, 20.0), (INF, 20.0)]);
        assert_eq!(histogram_quantile(0.25, &z), 0.0);
    }

    #[test]
    fn q_zero_with_empty_lowest_bucket_is_nan_like_prometheus() {
        let b = h(&[(0.1, 0.0), (1.0, 10.0), (INF, 10.0)]);
        assert!(histogram_quantile(0.0, &b).is_nan());
    }

    #[test]
    fn monotonicity_is_forced() {
        // 0.4 dips below 0.2: lifted to 70.
        let b = h(&[
            (0.1, 50.0),
            (0.2, 70.0),
            (0.4, 60.0),
            (1.0, 100.0),
            (INF, 100.0),
        ]);
        let r = histogram_quantile_detailed(0.75, &b);
        assert!(r.forced_monotonic);
        assert!(!r.fixed_precision);
        // rank 75 -> bucket (0.4, 1] (counts 70 -> 100), 5 of 30 into it
        assert!(close(r.value, 0.4 + 0.6 * 5.0 / 30.0));
    }

    #[test]
    fn float_noise_is_flattened() {
        let b = h(&[(0.1, 1.0), (0.2, 1.0 + 1e-15), (INF, 2.0)]);
        let r = histogram_quantile_detailed(0.5, &b);
        assert!(r.fixed_precision);
        assert!(!r.forced_monotonic);
        assert!(close(r.value, 0.1));
    }

    #[test]
    fn duplicate_bounds_are_coalesced() {
        let b = h(&[(0.1, 25.0), (0.1, 25.0), (0.2, 70.0), (INF, 70.0)]);
        assert!(close(histogram_quantile(0.5, &b), 0.07));
    }

    #[test]
    fn deltas_and_replica_sums() {
        let a0 = h(&[(0.1, 10.0), (0.5, 20.0), (INF, 30.0)]);
        let a1 = h(&[(0.1, 15.0), (0.5, 30.0), (INF, 40.0)]);
        let b0 = h(&[(0.5, 1.0), (0.1, 1.0), (INF, 1.0)]);
        let b1 = h(&[(0.1, 6.0), (0.5, 11.0), (INF, 12.0)]);
        let d = bucket_delta(&a0, &a1);
        assert_eq!(d, h(&[(0.1, 5.0), (0.5, 10.0), (INF, 10.0)]));
        let s = summed_deltas([(&a0[..], &a1[..]), (&b0[..], &b1[..])]);
        assert_eq!(s, h(&[(0.1, 10.0), (0.5, 20.0), (INF, 21.0)]));
        let q = windowed_quantile(0.5, [(&a0[..], &a1[..]), (&b0[..], &b1[..])]);
        // rank 10.5 -> (0.1, 0.5] holding 10, 0.5 into it
        assert!(close(q, 0.1 + 0.4 * 0.05));
    }

    #[test]
    fn reset_counts_from_zero() {
        let before = h(&[(0.1, 100.0), (INF, 200.0)]);
        let after = h(&[(0.1, 3.0), (INF, 500.0)]);
        // 0.1 dropped: the whole histogram restarted.
        assert_eq!(
            bucket_delta(&before, &after),
            h(&[(0.1, 3.0), (INF, 500.0)])
        );
        // a new bucket counts from zero
        let newer = h(&[(0.1, 110.0), (0.2, 5.0), (INF, 210.0)]);
        assert_eq!(
            bucket_delta(&before, &newer),
            h(&[(0.1, 10.0), (0.2, 5.0), (INF, 10.0)])
        );
    }

    #[test]
    fn percentiles_bundle() {
        let p = percentiles(&sample());
        assert!(close(p.p50, 0.1));
        assert!(close(p.p95, 0.7));
        assert!(close(p.p99, 0.94));
    }

    #[test]
    fn almost_equal_rules() {
        assert!(almost_equal(1.0, 1.0 + 1e-15, 1e-12));
        assert!(!almost_equal(1.0, 1.0 + 1e-9, 1e-12));
        assert!(!almost_equal(0.0, 1e-300, 1e-12));
        assert!(almost_equal(f64::NAN, f64::NAN, 1e-12));
    }
}
