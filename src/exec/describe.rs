//! The console's `d` and `y`: one object read as `opsdeck describe` and
//! `opsdeck get` read it (`source::describe`), sent to the logs view as one
//! batch of lines, where it scrolls and is searched like a log.

use crate::config::Config;
use crate::console::Event;
use crate::model::LogLine;
use crate::source::describe::fetch;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

fn line(text: &str, stderr: bool) -> LogLine {
    LogLine {
        at_nanos: 0,
        instance: String::new(),
        stderr,
        text: text.to_string(),
    }
}

pub fn open(
    config: &Config,
    stream: u64,
    address: String,
    raw: bool,
    tx: mpsc::Sender<Event>,
) -> JoinHandle<()> {
    let config = config.clone();
    tokio::spawn(async move {
        // What is wrong goes out as stderr: the logs view colours it so.
        let marked = fetch(&config, &address).await.and_then(|f| {
            if raw {
                let text = f.raw_text(false)?;
                Ok(text.lines().map(|l| (l.to_string(), false)).collect())
            } else {
                Ok(f.description.marked_lines())
            }
        });
        let lines = match marked {
            Ok(m) => m.iter().map(|(l, bad)| line(l, *bad)).collect(),
            Err(e) => vec![line(&format!("could not read {address}: {e}"), true)],
        };
        let _ = tx.send(Event::Logs { stream, lines }).await;
    })
}
