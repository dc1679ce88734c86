//! The console: app loop, views, widgets, theme, keymap.
pub mod theme;
