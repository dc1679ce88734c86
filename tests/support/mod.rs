#![allow(dead_code)]
//! Test support: real services and real terminals for the integration tests.
pub mod tmux;
