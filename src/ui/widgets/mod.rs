//! Reusable drawing pieces shared by every view.
pub mod series_chart;
pub mod table;
pub mod titled;

pub use series_chart::{usage_bar, SeriesChart};
pub use table::{Cell, Column, DataTable, Rows, Tone};
pub use titled::pane_block;
