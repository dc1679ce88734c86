//! Assembling samples into metric families.

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::error::{LineError, Reason};
use super::labels::Label;
use super::number::parse_value;
use super::{MetadataKind, MetricType, Sample, Scrape};

/// One cumulative bucket: the count of observations `<= le`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Upper bound (the `le` label); `f64::INFINITY` for the `+Inf` bucket.
    pub le: f64,
    /// Cumulative count of observations less than or equal to `le`.
    pub count: f64,
}

impl Bucket {
    pub const fn new(le: f64, count: f64) -> Self {
        Self { le, count }
    }
}

/// All families of a scrape, plus the samples that could not be placed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Families<'a> {
    /// In order of first appearance (metadata or sample).
    pub families: Vec<Family<'a>>,
    /// Samples rejected while grouping (missing `le`, duplicates, ...).
    pub errors: Vec<LineError>,
}

impl<'a> Families<'a> {
    /// The family with this name (as in `# TYPE`, e.g. `foo` for an
    /// OpenMetrics counter `foo_total`).
    pub fn get(&self, name: &str) -> Option<&Family<'a>> {
        self.families.iter().find(|f| f.name == name)
    }
}

/// One metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family<'a> {
    pub name: Cow<'a, str>,
    /// From `# TYPE`; [`MetricType::Unknown`] without one.
    pub kind: MetricType,
    pub help: Option<Cow<'a, str>>,
    pub unit: Option<Cow<'a, str>>,
    /// One entry per label set, in order of first appearance.
    pub series: Vec<Series<'a>>,
}

/// One label set of a family with everything reported for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<'a> {
    /// Sorted by name; without `le` (histograms) or `quantile` (summaries).
    pub labels: Vec<Label<'a>>,
    /// The first timestamp seen for the series, if any.
    pub timestamp_ms: Option<i64>,
    pub value: SeriesValue,
}

impl<'a> Series<'a> {
    /// The value of one label.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.value.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SeriesValue {
    /// `_total` (or the bare name in the Prometheus format) and `_created`.
    Counter {
        total: Option<f64>,
        created: Option<f64>,
    },
    /// Gauges, and `info` / `stateset` samples (each label set one value).
    Gauge(f64),
    /// Untyped / unknown.
    Unknown(f64),
    /// Histograms and gauge histograms (`_gsum`/`_gcount` fill sum/count).
    Histogram(HistogramData),
    Summary(SummaryData),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistogramData {
    /// Cumulative buckets sorted by `le`.
    pub buckets: Vec<Bucket>,
    pub sum: Option<f64>,
    pub count: Option<f64>,
    pub created: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    pub quantile: f64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SummaryData {
    /// Sorted by quantile.
    pub quantiles: Vec<Quantile>,
    pub sum: Option<f64>,
    pub count: Option<f64>,
    pub created: Option<f64>,
}

/// Which part of a family a sample fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Value,
    Total,
    Created,
    Bucket,
    Quantile,
    Sum,
    Count,
}

impl Slot {
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The slot of a bare family name for each type.
fn bare_slot(kind: MetricType) -> Option<Slot> {
    match kind {
        MetricType::Counter => Some(Slot::Total),
        MetricType::Summary => Some(Slot::Quantile),
        MetricType::Histogram | MetricType::GaugeHistogram => None,
        MetricType::Gauge | MetricType::Unknown | MetricType::StateSet | MetricType::Info => {
            Some(Slot::Value)
        }
    }
}

/// The slot of `family + suffix` for each type.
fn suffix_slot(kind: MetricType, suffix: &str) -> Option<Slot> {
    use MetricType::*;
    Some(match (kind, suffix) {
        (Counter, "_total") => Slot::Total,
        (Counter | Histogram | Summary, "_created") => Slot::Created,
        (Histogram | GaugeHistogram, "_bucket") => Slot::Bucket,
        (Histogram | Summary, "_sum") | (GaugeHistogram, "_gsum") => Slot::Sum,
        (Histogram | Summary, "_count") | (GaugeHistogram, "_gcount") => Slot::Count,
        (Info, "_info") => Slot::Value,
        _ => return None,
    })
}

const SUFFIXES: [&str; 8] = [
    "_total", "_created", "_bucket", "_sum", "_count", "_gsum", "_gcount", "_info",
];

struct Builder<'s, 'a> {
    families: Vec<(u32, Family<'a>)>,
    by_name: HashMap<&'s str, usize>,
    /// Which slots each series has filled: [family][series].
    filled: Vec<Vec<u8>>,
    /// (family, hash of sorted labels) → series; a hash collision falls
    /// back to a scan of the family.
    index: HashMap<(usize, u64), usize>,
    /// The current sample's labels, sorted (reused between samples).
    scratch: Vec<Label<'a>>,
    /// The last sample name resolved, and where it went: consecutive
    /// samples usually share a name.
    last: Option<(&'s str, usize, Slot)>,
    errors: Vec<LineError>,
}

impl<'s, 'a> Builder<'s, 'a> {
    // The Cow itself is cloned into the family, keeping borrowed names
    // borrowed.
    #[allow(clippy::ptr_arg)]
    fn family(&mut self, name: &'s Cow<'a, str>, line: u32) -> usize {
        if let Some(&f) = self.by_name.get(name.as_ref()) {
            return f;
        }
        let f = self.families.len();
        self.families.push((
            line,
            Family {
                name: name.clone(),
                kind: MetricType::Unknown,
                help: None,
                unit: None,
                series: Vec::new(),
            },
        ));
        self.filled.push(Vec::new());
        self.by_name.insert(name.as_ref(), f);
        f
    }

    fn resolve(&mut self, sample: &'s Sample<'a>) -> Result<(usize, Slot), Reason> {
        let name = sample.name.as_ref();
        if let Some((last, f, slot)) = self.last {
            if last == name {
                return Ok((f, slot));
            }
        }
        let (f, slot) = self.resolve_name(sample)?;
        self.last = Some((name, f, slot));
        Ok((f, slot))
    }

    fn resolve_name(&mut self, sample: &'s Sample<'a>) -> Result<(usize, Slot), Reason> {
        let name = sample.name.as_ref();
        if let Some(&f) = self.by_name.get(name) {
            return bare_slot(self.families[f].1.kind)
                .map(|slot| (f, slot))
                .ok_or(Reason::UnexpectedSample);
        }
        for suffix in SUFFIXES {
            if let Some(base) = name.strip_suffix(suffix) {
                if let Some(&f) = self.by_name.get(base) {
                    if let Some(slot) = suffix_slot(self.families[f].1.kind, suffix) {
                        return Ok((f, slot));
                    }
                }
            }
        }
        Ok((self.family(&sample.name, sample.line), Slot::Value))
    }

    fn add(&mut self, sample: &'s Sample<'a>) -> Result<(), Reason> {
        let (f, slot) = self.resolve(sample)?;
        let kind = self.families[f].1.kind;
        let mut bound = None;
        self.scratch.clear();
        for label in sample.labels() {
            let special = match slot {
                Slot::Bucket => label.name == "le",
                Slot::Quantile => label.name == "quantile",
                _ => false,
            };
            if special {
                bound = Some(label.value);
            } else {
                self.scratch.push(label);
            }
        }
        let point = match slot {
            Slot::Bucket => {
                let le = bound.ok_or(Reason::MissingBucketBound)?;
                Some(
                    parse_value(le.trim())
                        .filter(|v| !v.is_nan())
                        .ok_or(Reason::InvalidBucketBound)?,
                )
            }
            Slot::Quantile => {
                let q = bound.ok_or(Reason::MissingQuantile)?;
                Some(
                    parse_value(q.trim())
                        .filter(|v| !v.is_nan())
                        .ok_or(Reason::InvalidQuantile)?,
                )
            }
            _ => None,
        };
        self.scratch.sort();
        let s = self.series_for(f, kind);
        let series = &mut self.families[f].1.series[s];
        let v = sample.value;
        match (slot, &mut series.value) {
            (Slot::Bucket, SeriesValue::Histogram(h)) => {
                let le = point.unwrap_or(f64::NAN);
                if h.buckets.iter().any(|b| b.le == le) {
                    return Err(Reason::DuplicateSample);
                }
                h.buckets.push(Bucket { le, count: v });
            }
            (Slot::Quantile, SeriesValue::Summary(sm)) => {
                let quantile = point.unwrap_or(f64::NAN);
                if sm.quantiles.iter().any(|q| q.quantile == quantile) {
                    return Err(Reason::DuplicateSample);
                }
                sm.quantiles.push(Quantile { quantile, value: v });
            }
            (_, value) => {
                let mask = &mut self.filled[f][s];
                if *mask & slot.bit() != 0 {
                    return Err(Reason::DuplicateSample);
                }
                *mask |= slot.bit();
                set_slot(value, slot, v);
            }
        }
        if series.timestamp_ms.is_none() {
            series.timestamp_ms = sample.timestamp_ms;
        }
        Ok(())
    }
}

impl<'s, 'a> Builder<'s, 'a> {
    /// The series of family `f` whose labels are `self.scratch`, created
    /// if new.
    fn series_for(&mut self, f: usize, kind: MetricType) -> usize {
        let mut hasher = DefaultHasher::new();
        self.scratch.hash(&mut hasher);
        let h = hasher.finish();
        let series = &self.families[f].1.series;
        let indexed = match self.index.get(&(f, h)) {
            Some(&s) if series[s].labels == self.scratch => return s,
            Some(_) => {
                if let Some(s) = series.iter().position(|x| x.labels == self.scratch) {
                    return s;
                }
                true
            }
            None => false,
        };
        let family = &mut self.families[f].1;
        let s = family.series.len();
        family.series.push(Series {
            labels: self.scratch.clone(),
            timestamp_ms: None,
            value: empty_value(kind),
        });
        self.filled[f].push(0);
        if !indexed {
            self.index.insert((f, h), s);
        }
        s
    }
}

fn empty_value(kind: MetricType) -> SeriesValue {
    match kind {
        MetricType::Counter => SeriesValue::Counter {
            total: None,
            created: None,
        },
        MetricType::Histogram | MetricType::GaugeHistogram => {
            SeriesValue::Histogram(HistogramData::default())
        }
        MetricType::Summary => SeriesValue::Summary(SummaryData::default()),
        MetricType::Unknown => SeriesValue::Unknown(f64::NAN),
        MetricType::Gauge | MetricType::Info | MetricType::StateSet => SeriesValue::Gauge(f64::NAN),
    }
}

fn set_slot(value: &mut SeriesValue, slot: Slot, v: f64) {
    match (value, slot) {
        (SeriesValue::Counter { total, .. }, Slot::Total) => *total = Some(v),
        (SeriesValue::Counter { created, .. }, Slot::Created) => *created = Some(v),
        (SeriesValue::Gauge(g) | SeriesValue::Unknown(g), Slot::Value) => *g = v,
        (SeriesValue::Histogram(h), Slot::Sum) => h.sum = Some(v),
        (SeriesValue::Histogram(h), Slot::Count) => h.count = Some(v),
        (SeriesValue::Histogram(h), Slot::Created) => h.created = Some(v),
        (SeriesValue::Summary(s), Slot::Sum) => s.sum = Some(v),
        (SeriesValue::Summary(s), Slot::Count) => s.count = Some(v),
        (SeriesValue::Summary(s), Slot::Created) => s.created = Some(v),
        // resolve() only hands out slots that fit the family's type.
        _ => {}
    }
}

/// Assemble a scrape's samples into families.
///
/// A sample joins the family whose `# TYPE`/`# HELP` name equals its name,
/// or equals its name less a suffix that fits the type (`_total`,
/// `_created`, `_bucket`, `_sum`, `_count`, `_gsum`, `_gcount`, `_info`);
/// otherwise it forms an untyped family of its own name. So both the
/// Prometheus style (`# TYPE x_total counter` / `x_total`) and the
/// OpenMetrics style (`# TYPE x counter` / `x_total`) work. Families that
/// only have metadata are kept, with no series.
pub fn group<'a>(scrape: &Scrape<'a>) -> Families<'a> {
    let mut b = Builder {
        families: Vec::new(),
        by_name: HashMap::new(),
        filled: Vec::new(),
        index: HashMap::new(),
        scratch: Vec::new(),
        last: None,
        errors: Vec::new(),
    };
    for m in &scrape.metadata {
        let f = b.family(&m.name, m.line);
        let family = &mut b.families[f].1;
        match &m.kind {
            MetadataKind::Type(t) => family.kind = *t,
            MetadataKind::Help(h) => {
                family.help.get_or_insert_with(|| h.clone());
            }
            MetadataKind::Unit(u) => {
                family.unit.get_or_insert_with(|| u.clone());
            }
        }
    }
    for sample in &scrape.samples {
        if let Err(reason) = b.add(sample) {
            b.errors.push(LineError {
                line: sample.line,
                column: 1,
                reason,
            });
        }
    }
    let mut families = b.families;
    families.sort_by_key(|(line, _)| *line);
    let families = families
        .into_iter()
        .map(|(_, mut family)| {
            for series in &mut family.series {
                match &mut series.value {
                    SeriesValue::Histogram(h) => h.buckets.sort_by(|x, y| x.le.total_cmp(&y.le)),
                    SeriesValue::Summary(s) => s
                        .quantiles
                        .sort_by(|x, y| x.quantile.total_cmp(&y.quantile)),
                    _ => {}
                }
            }
            family
        })
        .collect();
    Families {
        families,
        errors: b.errors,
    }
}
