//! The console: app loop, views, widgets, theme, keymap.
mod alt_keys;
pub mod app;
pub mod ascii;
pub mod frame_writer;
pub mod keymap;
pub mod levels;
pub mod lists;
pub mod render;
pub mod sgr16;
pub mod state;
pub mod terminal;
pub mod update;
pub mod views;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;

/// `opsdeck` with no subcommand: the config and theme loaded (every problem
/// printed, exit 2), then the console until the user quits.
pub fn launch(
    config: Option<PathBuf>,
    theme: Option<String>,
    read_only: bool,
    ascii: bool,
) -> color_eyre::Result<ExitCode> {
    let Some(mut loaded) = crate::exec::files::load_config_or_report(config) else {
        return Ok(ExitCode::from(2));
    };
    // With no config, what the local engine asks to be watched (the
    // demo's front door) is watched.
    crate::exec::add_labelled_probes(&mut loaded);
    let theme =
        match crate::exec::files::load_theme(theme.as_deref().unwrap_or(&loaded.config.theme)) {
            Ok(t) => t.for_terminal(crate::config::term_caps::TermCaps::detect(ascii)),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
    let config = loaded.config;
    crate::exec::runtime()?.block_on(async move {
        let read_only = read_only || config.read_only;
        app::run(app::Options {
            config,
            theme,
            read_only,
        })
        .await
    })?;
    Ok(ExitCode::SUCCESS)
}
