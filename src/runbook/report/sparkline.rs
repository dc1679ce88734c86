//! Series as one line of block characters, readable in any Markdown viewer
//! and in a terminal.

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// At most `width` characters: each is the mean of its share of `values`;
/// a share with no finite value (a gap in the data) is a space.
pub fn sparkline(values: &[f64], width: usize) -> String {
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let buckets = width.min(values.len());
    let means: Vec<Option<f64>> = (0..buckets)
        .map(|b| {
            let (lo, hi) = (b * values.len() / buckets, (b + 1) * values.len() / buckets);
            let finite: Vec<f64> = values[lo..hi]
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            (!finite.is_empty()).then(|| finite.iter().sum::<f64>() / finite.len() as f64)
        })
        .collect();
    let Some((min, max)) = range(means.iter().flatten().copied()) else {
        return " ".repeat(buckets);
    };
    means
        .iter()
        .map(|m| match m {
            None => ' ',
            Some(_) if max == min => LEVELS[0],
            Some(v) => LEVELS[(((v - min) / (max - min)) * 7.0).round() as usize],
        })
        .collect()
}

/// Min, max and last of the finite values.
pub fn stats(values: &[f64]) -> Option<(f64, f64, f64)> {
    let (min, max) = range(values.iter().copied().filter(|v| v.is_finite()))?;
    let last = values.iter().rev().copied().find(|v| v.is_finite())?;
    Some((min, max, last))
}

fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_between_min_and_max() {
        assert_eq!(
            sparkline(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 8),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&[5.0, 5.0, 5.0], 10), "▁▁▁");
    }

    #[test]
    fn downsamples_by_averaging() {
        let values: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 1.0 }).collect();
        assert_eq!(sparkline(&values, 4), "▁▁██");
    }

    #[test]
    fn gaps_show_as_spaces() {
        assert_eq!(sparkline(&[0.0, f64::NAN, 1.0], 3), "▁ █");
        assert_eq!(sparkline(&[f64::NAN, f64::NAN], 5), "  ");
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(sparkline(&[1.0], 0), "");
    }

    #[test]
    fn stats_skip_gaps() {
        assert_eq!(
            stats(&[3.0, f64::NAN, 1.0, 2.0, f64::NAN]),
            Some((1.0, 3.0, 2.0))
        );
        assert_eq!(stats(&[f64::NAN]), None);
    }
}
