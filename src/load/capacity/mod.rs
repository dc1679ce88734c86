//! Capacity runs: `opsdeck load --stages 50:2m,100:2m --threshold 'p95<1s'`
//! answers "can it take 2–3× today's traffic, and what breaks first?".
//!
//! Pure parts: [`stages`] (the levels and the spike), [`threshold`] (a
//! condition on a stage's figures), [`verdict`] (each stage judged, the
//! highest that holds). The I/O part: [`run`] (the stages one after the
//! other through the load runner, as one action).

pub mod bottleneck;
pub mod flags;
pub mod infra;
pub mod markdown;
pub mod run;
pub mod spec;
pub mod stages;
pub mod table;
pub mod threshold;
pub mod verdict;
