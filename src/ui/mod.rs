//! The console: app loop, views, widgets, theme, keymap.
pub mod action_flow;
pub mod app;
pub mod effects;
pub mod keymap;
pub mod levels;
pub mod lists;
pub mod load_run;
pub mod log_view;
pub mod render;
pub mod runbook_pane;
pub mod selection;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod views;
pub mod widgets;
