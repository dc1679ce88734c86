//! The app loop: the only owner of the Model. It turns terminal input, collector
//! updates, signals and the clock into events for `update`, runs the commands
//! that come back, and redraws only when something changed, at most ~30 times a second.

use super::effects::Effects;
use super::render::render;
use super::state::UiState;
use super::terminal;
use super::theme::Theme;
use super::update::{update, Command, Event};
use crate::config::Config;
use crate::model::{Model, Severity};
use crate::source::{targets, Update};
use crate::base::time::unix_now;
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

/// Starts every collector; effects report on the same channel, hence the sender back.
pub fn start_sources(
    config: &Config,
    model: &mut Model,
) -> (mpsc::Sender<Update>, mpsc::Receiver<Update>) {
    let (tx, rx) = mpsc::channel(UPDATE_QUEUE);
    targets::start(targets::plan(config), model, &tx);
    (tx, rx)
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
    let mut model = Model::new(opts.config.refresh.0, opts.read_only).with_config(&opts.config);
    model.now = unix_now();
    let (tx, mut updates) = start_sources(&opts.config, &mut model);
    let mut effects = Effects::new(opts.config.clone(), opts.read_only, tx);
    let mut ui = UiState::new(opts.theme);
    ui.kube_contexts = crate::connect::kube::targets(&opts.config)
        .into_iter()
        .map(|t| {
            let contexts = crate::connect::kube::contexts(&t).unwrap_or_default();
            (t, contexts)
        })
        .collect();
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
    ui.screen_width = tui.size().map_or(80, |s| s.width);
    spawn_test_panic();
    let result: color_eyre::Result<()> = async {
        let mut dirty = true;
        let mut last_draw = Instant::now() - FRAME_GAP;
        loop {
            if dirty && last_draw.elapsed() >= FRAME_GAP {
                tui.draw(|f| render(f, &model, &ui))?;
                dirty = false;
                last_draw = Instant::now();
            }
            let next_frame = last_draw + FRAME_GAP;
            let mut events = Vec::new();
            tokio::select! {
                ev = input.next() => match ev {
                    Some(Ok(TermEvent::Key(k))) => events.push(Event::Key(k)),
                    Some(Ok(TermEvent::Resize(w, h))) => events.push(Event::Resize(w, h)),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                Some(u) = updates.recv() => {
                    events.push(Event::Source(u));
                    // Take whatever else is queued, so a burst costs one frame.
                    while let Ok(u) = updates.try_recv() {
                        events.push(Event::Source(u));
                    }
                }
                _ = clock.tick() => {
                    let now = unix_now();
                    // Only the header's minute display depends on the clock.
                    dirty |= now / 60 != model.now / 60;
                    events.push(Event::Tick(now));
                }
                _ = sigterm.recv() => return Ok(()),
                _ = sighup.recv() => return Ok(()),
                _ = sigint.recv() => return Ok(()),
                _ = tokio::time::sleep_until(next_frame), if dirty => {}
            }
            for event in events {
                dirty |= !matches!(event, Event::Tick(_));
                for command in update(&mut model, &mut ui, event) {
                    match command {
                        Command::Quit => return Ok(()),
                        Command::LoadTheme(name) => match Theme::load(&name) {
                            Ok(theme) => {
                                ui.message =
                                    Some((format!("theme {}", theme.name), Severity::Info));
                                ui.theme = theme;
                            }
                            Err(e) => ui.message = Some((e.to_string(), Severity::Warning)),
                        },
                        Command::OpenLogs {
                            stream,
                            target,
                            instances,
                            previous,
                        } => effects.open_logs(stream, target, instances, previous),
                        Command::CloseLogs { stream } => effects.close_logs(stream),
                        Command::PlanAction(request) => effects.plan_action(request),
                        Command::Execute(_) => effects.execute(),
                        Command::Acknowledge { row, note } => {
                            let who = crate::action::audit::whoami();
                            ui.message = Some(
                                match model.alerts.acknowledge(&row, &who, unix_now(), &note) {
                                    Ok(ack) => (
                                        format!("{}: {}", row.alert.rule, ack.describe()),
                                        Severity::Info,
                                    ),
                                    Err(e) => (
                                        format!("acknowledgement not recorded: {e}"),
                                        Severity::Critical,
                                    ),
                                },
                            );
                        }
                        Command::QueryPanels {
                            range_secs,
                            step,
                            end,
                            columns,
                        } => effects.query_panels(range_secs, step, end, columns),
                        Command::StartRunbook { id, params, labels } => {
                            effects.start_runbook(&id, &params, &labels)
                        }
                        Command::AnswerRunbook(answer) => effects.answer_runbook(answer),
                        Command::WriteReport => {
                            if let Some(pane) = &ui.runbook {
                                effects.write_report(pane);
                            }
                        }
                        Command::PlanLoad(spec) => effects.plan_load(*spec),
                        Command::StopLoad => effects.stop_load(),
                        Command::WatchContext(target) => effects.watch_context(*target),
                        Command::History(workload) => effects.history(workload),
                    }
                }
            }
        }
    }
    .await;
    terminal::restore();
    result
}
