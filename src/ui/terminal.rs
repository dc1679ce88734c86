//! Entering and leaving the full-screen terminal. Restoring is idempotent and is
//! called on every way out: quit, error, signal and panic.

use super::sgr16::Sgr16;
use crossterm::{cursor, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

/// Colours go out as the classic 16-colour codes every ANSI terminal reads.
pub type Tui = Terminal<CrosstermBackend<Sgr16<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<Tui> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
    Terminal::new(CrosstermBackend::new(Sgr16::new(io::stdout())))
}

/// Leaves the alternate screen and raw mode if we are in them; safe to call twice.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
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
