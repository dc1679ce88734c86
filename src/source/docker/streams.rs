//! The engine's streams a session keeps open, events and one stats stream
//! per running container, and what every background task hands the next poll.

use super::collector::describe;
use super::convert;
use crate::source::Update;
use bollard::models::{ContainerStatsResponse, EventMessage};
use bollard::query_parameters::{EventsOptions, StatsOptions};
use bollard::Docker;
use futures::StreamExt;
use std::collections::HashMap;
use tokio::sync::mpsc;

/// What the streaming tasks hand to the next poll.
pub enum Feed {
    /// What one scrape of a labelled container gave (health first), or
    /// why its scraping could not start.
    Scraped(Vec<Update>),
    Event(Box<EventMessage>),
    EventsEnded(String),
    Stats(String, Box<ContainerStatsResponse>),
    /// A container's stats stream ended; the number says which stream, so
    /// the end of an old one cannot be taken for the end of its successor.
    StatsEnded(String, u64),
}

pub async fn stream_events(docker: Docker, tx: mpsc::Sender<Feed>, since_secs: Option<i64>) {
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        (
            "event".to_string(),
            convert::WATCHED_ACTIONS
                .iter()
                .map(|a| a.to_string())
                .collect(),
        ),
    ]);
    let mut stream = docker.events(Some(EventsOptions {
        since: since_secs.map(|s| s.to_string()),
        filters: Some(filters),
        ..Default::default()
    }));
    let ended = loop {
        match stream.next().await {
            Some(Ok(e)) => {
                if tx.send(Feed::Event(Box::new(e))).await.is_err() {
                    return;
                }
            }
            Some(Err(e)) => break format!("event stream failed: {}", describe(&e)),
            None => break "the engine closed the event stream".to_string(),
        }
    };
    let _ = tx.send(Feed::EventsEnded(ended)).await;
}

pub async fn stream_stats(docker: Docker, id: String, n: u64, tx: mpsc::Sender<Feed>) {
    let mut stream = docker.stats(
        &id,
        Some(StatsOptions {
            stream: true,
            one_shot: false,
        }),
    );
    while let Some(Ok(reading)) = stream.next().await {
        if tx
            .send(Feed::Stats(id.clone(), Box::new(reading)))
            .await
            .is_err()
        {
            return;
        }
    }
    let _ = tx.send(Feed::StatsEnded(id, n)).await;
}
