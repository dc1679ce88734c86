//! The app loop: the only owner of the Model. It turns terminal input, collector
//! updates, signals and the clock into events for `update`, runs the commands
//! that come back, and redraws only when something changed, at most ~30 times a
//! second. Drawing never waits on the terminal: frames go to the frame writer.

use super::frame_writer::FrameWriter;
use super::render::render;
use super::state::UiState;
use super::terminal;
use super::update::{update, Command, UiEvent};
use crate::base::time::unix_now;
use crate::config::theme::Theme;
use crate::config::Config;
use crate::console::Acks;
use crate::console::Model;
use crate::exec::{files, Performer};
use crate::model::Severity;
use crate::source::targets;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::time::Instant;

const FRAME_GAP: Duration = Duration::from_millis(33);
/// Bounded so a flood from a collector slows the collector, not the console.
const UPDATE_QUEUE: usize = 256;

pub struct Options {
    pub config: Config,
    pub theme: Theme,
    pub read_only: bool,
}

/// For the end-to-end test that a panic in a background task still restores the
/// terminal: `OPSDECK_TEST_PANIC_AFTER_MS=N` panics a task N ms after start.
fn spawn_test_panic() {
    if let Some(ms) = std::env::var("OPSDECK_TEST_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            panic!("test panic requested by OPSDECK_TEST_PANIC_AFTER_MS");
        });
    }
}

pub async fn run(opts: Options) -> color_eyre::Result<()> {
    // What the files say, read before the loop starts: the loop never reads one.
    let start = tokio::task::spawn_blocking({
        let config = opts.config.clone();
        move || files::startup(&config)
    })
    .await?;
    let mut model = Model::new(opts.config.refresh.0, opts.read_only)
        .with_config(&opts.config, start.runbook_ids);
    model.alerts.acks = Acks::from_read(start.acks);
    model.now = unix_now();
    let (update_tx, mut updates) = mpsc::channel(UPDATE_QUEUE);
    let (reply_tx, mut replies) = mpsc::channel(UPDATE_QUEUE);
    model.add_started(targets::start(targets::plan(&opts.config), &update_tx));
    let mut performer = Performer::new(opts.config.clone(), opts.read_only, reply_tx, update_tx);
    let mut ui = UiState::new(opts.theme);
    ui.kube_contexts = start.kube_contexts;
    if let Some(e) = &model.alerts.acks.load_error {
        ui.message = Some((
            format!("acknowledgements not loaded: {e}"),
            Severity::Warning,
        ));
    }

    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let mut tui = terminal::enter()?;
    let mut writer = FrameWriter::start()?;
    ui.screen_width = tui.size().map_or(80, |s| s.width);
    spawn_test_panic();
    let result: color_eyre::Result<()> = async {
        let mut dirty = true;
        let mut last_draw = Instant::now() - FRAME_GAP;
        loop {
            if dirty && last_draw.elapsed() >= FRAME_GAP {
                let frame = tui.draw(|f| render(f, &model, &ui))?;
                writer.submit(frame.buffer.clone());
                dirty = false;
                last_draw = Instant::now();
            }
            let next_frame = last_draw + FRAME_GAP;
            let mut events = Vec::new();
            tokio::select! {
                ev = input.next() => match ev {
                    Some(Ok(TermEvent::Key(k))) => {
                        events.extend(super::alt_keys::unfold(k).into_iter().map(UiEvent::Key))
                    }
                    Some(Ok(TermEvent::Resize(w, h))) => events.push(UiEvent::Resize(w, h)),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                Some(u) = updates.recv() => {
                    events.push(UiEvent::from(u));
                    // Take whatever else is queued, so a burst costs one frame.
                    while let Ok(u) = updates.try_recv() {
                        events.push(UiEvent::from(u));
                    }
                }
                Some(e) = replies.recv() => {
                    events.push(UiEvent::Console(e));
                    while let Ok(e) = replies.try_recv() {
                        events.push(UiEvent::Console(e));
                    }
                }
                _ = clock.tick() => {
                    let now = unix_now();
                    // Only the header's minute display depends on the clock.
                    dirty |= now / 60 != model.now / 60;
                    events.push(UiEvent::Tick(now));
                }
                _ = sigterm.recv() => return Ok(()),
                _ = sighup.recv() => return Ok(()),
                _ = sigint.recv() => return Ok(()),
                _ = tokio::time::sleep_until(next_frame), if dirty => {}
            }
            let mut shell = None;
            for event in events {
                dirty |= !matches!(event, UiEvent::Tick(_));
                for command in update(&mut model, &mut ui, event) {
                    match command {
                        Command::Quit => return Ok(()),
                        Command::Shell(request) => shell = Some(request),
                        command => performer.perform(command),
                    }
                }
            }
            let Some(request) = shell else { continue };
            // The session has the terminal: no frame is written and no key
            // read (the input stream is dropped, so its reader thread stops
            // waiting on the terminal) until the command exits.
            writer.close();
            drop(std::mem::replace(&mut input, EventStream::new()));
            terminal::restore();
            let session = crate::exec::shell::run(&opts.config, opts.read_only, request, true);
            tokio::pin!(session);
            let ended = loop {
                tokio::select! {
                    ended = &mut session => break ended,
                    // The Model stays current meanwhile, so the view is fresh on return.
                    Some(u) = updates.recv() => {
                        for command in update(&mut model, &mut ui, UiEvent::from(u)) {
                            performer.perform(command);
                        }
                    }
                    Some(e) = replies.recv() => {
                        for command in update(&mut model, &mut ui, UiEvent::Console(e)) {
                            performer.perform(command);
                        }
                    }
                    _ = sigterm.recv() => return Ok(()),
                    _ = sighup.recv() => return Ok(()),
                }
            };
            tui = terminal::enter()?;
            writer = FrameWriter::start()?;
            let size = tui.size()?;
            for event in [
                UiEvent::Resize(size.width, size.height),
                UiEvent::ShellEnded(ended.describe()),
            ] {
                for command in update(&mut model, &mut ui, event) {
                    performer.perform(command);
                }
            }
            dirty = true;
        }
    }
    .await;
    writer.close();
    terminal::restore();
    result
}
