//! Entering and leaving the full-screen terminal. Restoring is idempotent and is
//! called on every way out: quit, error, signal and panic.

use super::frame_writer::Offscreen;
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Frames are rendered off screen; the frame writer puts them on the terminal.
pub type Tui = Terminal<Offscreen>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<Tui> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
    Terminal::new(Offscreen)
}

/// Writes `bytes` unless the terminal was restored (then `false`). Holding
/// stdout's lock across the check and the write means no frame's bytes can
/// land on the shell after `restore` has left the alternate screen.
pub fn write_while_active(bytes: &[u8]) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    if !ACTIVE.load(Ordering::SeqCst) {
        return Ok(false);
    }
    out.write_all(bytes)?;
    out.flush()?;
    Ok(true)
}

/// Leaves the alternate screen and raw mode if we are in them; safe to call twice.
pub fn restore() {
    let mut out = io::stdout().lock();
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }
}

/// color-eyre's reports, with the terminal put back first so they are readable.
/// A panic anywhere, also in a collector task, ends the process: a console that
/// keeps drawing after the terminal was restored would scribble over the shell.
pub fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    eyre_hook.install()?;
    std::panic::set_hook(Box::new(move |info| {
        let was_active = ACTIVE.load(Ordering::SeqCst);
        restore();
        crate::connect::ssh::close_all();
        eprintln!("{}", panic_hook.panic_report(info));
        if was_active {
            std::process::exit(101);
        }
    }));
    Ok(())
}
