//! `opsdeck demo up | down`: the playground Compose project on a Docker target.

use crate::action::docker::endpoint_for;
use crate::config::{paths, Config};
use crate::connect::docker::connect;
use crate::demo::playground;
use crate::demo::playground::SERVICE;
use std::process::ExitCode;

async fn docker(config: &Config, target: &str) -> Result<bollard::Docker, String> {
    let endpoint = endpoint_for(config, target)?;
    connect(&endpoint).await.map_err(|e| {
        format!(
            "Docker target `{target}` is unreachable: {}",
            crate::base::redact::redact(&e)
        )
    })
}

pub async fn up(config: &Config, target: &str, project: &str, port: u16) -> ExitCode {
    let result = async {
        let docker = docker(config, target).await?;
        // The images are built from this very binary, so the demo matches the console.
        let binary =
            std::env::current_exe().map_err(|e| format!("locating opsdeck's own binary: {e}"))?;
        playground::up(&docker, target, project, port, &binary, &paths::data_dir()).await
    }
    .await;
    match result {
        Ok(up) => {
            println!(
                "demo project `{project}` is up on {target} (images {})",
                playground::IMAGES.join(", ")
            );
            println!(
                "front door: {} (stays put across deploys, rollbacks and restarts)",
                up.front
            );
            for u in up.replicas {
                println!("  {u}");
            }
            println!("workload: {target}/{project}/{SERVICE}");
            println!(
                "compose:  docker-compose -p {project} -f {} ps",
                up.file.display()
            );
            println!(
                "\n# `opsdeck` with no config finds this demo by itself; in a config file, add:\n{}",
                config_lines(target, project, port)
            );
            println!(
                "try:      opsdeck deploy {target}/{project}/{SERVICE} opsdeck-demo:v3-late --yes"
            );
            println!(
                "          (it passes the health gate, then fails half its requests 30 s later)"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The config that watches the demo: a probe on the front door that knows
/// which workload serves it. The replicas are scraped by their labels.
pub fn config_lines(target: &str, project: &str, port: u16) -> String {
    format!(
        "[[probe]]\nname = \"demo\"\nurl = \"{}\"\nworkload = \"{target}/{project}/{SERVICE}\"\n\
         # The replicas carry prometheus.io/scrape labels: their request rates and\n\
         # errors come without a [[scrape]], each alert naming the workload.",
        playground::front_url(port, "/health")
    )
}

pub async fn down(config: &Config, target: &str, project: &str) -> ExitCode {
    let result = async {
        let docker = docker(config, target).await?;
        playground::down(&docker, project).await
    }
    .await;
    match result {
        Ok(removed) if removed.is_empty() => {
            println!("demo project `{project}` is not running on {target}");
            ExitCode::SUCCESS
        }
        Ok(removed) => {
            println!("removed {}", removed.join(", "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
