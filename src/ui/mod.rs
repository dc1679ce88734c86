//! The console: app loop, views, widgets, theme, keymap.
pub mod app;
pub mod format;
pub mod keymap;
pub mod levels;
pub mod render;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod views;
pub mod widgets;
