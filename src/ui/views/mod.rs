//! Whole screens and their parts. Each takes the Model by shared reference.
pub mod chrome;
pub mod help;
pub mod host_panes;
pub mod overview;
