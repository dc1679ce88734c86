//! Containers labelled `prometheus.io/scrape` on the real engine are found and
//! scraped by the Docker source, on their published port or their own
//! address, and forgotten when they stop; unlabelled ones are left alone.

#[path = "support/images.rs"]
mod images;

use images::*;
use opsdeck::connect::docker::Endpoint;
use opsdeck::console::Model;
use opsdeck::model::TargetKind;
use opsdeck::source::docker::DockerSource;
use opsdeck::source::{Source, Update};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(90);

/// `docker run` of the demo image with `options`; removed on drop.
struct Running(String);

impl Running {
    fn start(image: &str, options: &[&str]) -> Running {
        let name = unique_name("discovery");
        let label = format!("{TEST_LABEL}=1");
        let mut args = vec!["run", "--detach", "--name", &name, "--label", &label];
        args.extend_from_slice(options);
        args.push(image);
        let running = Running(name.clone());
        docker(&args);
        running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = docker_output(&["rm", "--force", &self.0]);
    }
}

/// Polls until `check` holds for the model the updates build, with the last
/// scrape series of every discovered container.
async fn poll_until(
    source: &mut DockerSource,
    model: &mut Model,
    what: &str,
    check: impl Fn(&Model, &HashMap<String, f64>) -> bool,
) {
    let deadline = Instant::now() + WITHIN;
    let mut series = HashMap::new();
    loop {
        for u in source.poll().await.expect("the local engine answers") {
            if let Update::Series { series: s, .. } = &u {
                series.extend(s.iter().cloned());
            }
            model.apply_update(u);
        }
        if check(model, &series) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {WITHIN:?}\ntargets: {:#?}\nseries: {series:#?}",
            model.targets
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labelled_containers_are_scraped_and_forgotten_when_they_stop() {
    let image = build_demo_v1(&opsdeck_binary());
    let port = DEMO_PORT.to_string();
    let scrape = "--label=prometheus.io/scrape=true";
    let port_label = format!("--label=prometheus.io/port={port}");
    let publish = format!("127.0.0.1::{port}");
    // One reached on its address, one on its published port, one not asked for.
    let by_address = Running::start(&image, &[scrape, &port_label]);
    let by_port = Running::start(&image, &[scrape, &port_label, "--publish", &publish]);
    let unlabelled = Running::start(&image, &[]);

    let endpoint = Endpoint {
        host: "unix:///var/run/docker.sock".into(),
        tls: None,
        ssh_config: None,
    };
    let mut source = DockerSource::new("local", endpoint).scraping_every(Duration::from_secs(1));
    let mut model = Model::new(Duration::from_secs(1), false);
    model.add_target("local", TargetKind::Docker);
    let up = |name: &str| format!("scrape:{name}:up");
    let (a, p, u) = (
        by_address.0.clone(),
        by_port.0.clone(),
        unlabelled.0.clone(),
    );
    poll_until(
        &mut source,
        &mut model,
        "both labelled containers scraped",
        |m, s| {
            let found = |n: &str| {
                m.target(n)
                    .is_some_and(|t| t.discovered_by.as_deref() == Some("local"))
            };
            found(&a) && found(&p) && s.get(&up(&a)) == Some(&1.0) && s.get(&up(&p)) == Some(&1.0)
        },
    )
    .await;
    assert!(
        model.target(&u).is_none(),
        "unlabelled containers are not scraped"
    );
    let names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&a.as_str()) && names.contains(&p.as_str()),
        "{names:?}"
    );

    // Traffic shows up as the service's request rate, read off its own /metrics.
    let url = format!(
        "http://{}/work",
        docker(&["port", &p, &port]).lines().next().unwrap().trim()
    );
    let rps = format!("scrape:{p}:rps");
    let deadline = Instant::now() + WITHIN;
    loop {
        for _ in 0..10 {
            let _ = demo_local_get(&url).await;
        }
        let mut series = HashMap::new();
        for u in source.poll().await.unwrap() {
            if let Update::Series { series: s, .. } = &u {
                series.extend(s.iter().cloned());
            }
            model.apply_update(u);
        }
        if series.get(&rps).is_some_and(|v| *v > 0.0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no request rate from {p}: {series:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let row = opsdeck::console::services::rows(&model)
        .into_iter()
        .find(|r| r.name == p)
        .unwrap();
    assert_eq!(row.source, format!("scrape {p}"));

    drop(by_address);
    poll_until(
        &mut source,
        &mut model,
        "the removed container forgotten",
        |m, _| m.target(&a).is_none() && !m.services.iter().any(|s| s.name == a),
    )
    .await;
    assert!(model.target(&p).is_some());
}

async fn demo_local_get(url: &str) -> Result<u16, String> {
    let http = opsdeck::connect::http::Http::new(Duration::from_secs(5), &Default::default())?;
    http.get(url).await.map(|r| r.status)
}
