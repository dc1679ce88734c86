//! Where opsdeck keeps its files: the platform's directories, overridable by
//! environment so tests and containers can point them elsewhere.

use std::path::PathBuf;

pub const CONFIG_ENV: &str = "OPSDECK_CONFIG";
pub const DATA_DIR_ENV: &str = "OPSDECK_DATA_DIR";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
}

/// The config file to read: `--config`, else `OPSDECK_CONFIG`, else the platform default.
pub fn config_file(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| {
            std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(default_config_file)
}

pub fn default_config_file() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("opsdeck.toml"))
}

/// Where the audit log, run timelines and history live.
pub fn data_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".opsdeck"))
}

/// Expands a leading `~/` so config files can name paths under the user's home.
pub fn expand_home(path: &std::path::Path) -> PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(base)) => base.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}

/// Where the latest restore drill of `backup` is kept.
pub fn drill_record(backup: &str) -> PathBuf {
    data_dir()
        .join("backups")
        .join(format!("{backup}.last-drill.json"))
}
