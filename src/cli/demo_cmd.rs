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

pub async fn up(config: &Config, target: &str, project: &str) -> ExitCode {
    let result = async {
        let docker = docker(config, target).await?;
        // The images are built from this very binary, so the demo matches the console.
        let binary =
            std::env::current_exe().map_err(|e| format!("locating opsdeck's own binary: {e}"))?;
        playground::up(&docker, project, &binary, &paths::data_dir()).await
    }
    .await;
    match result {
        Ok((file, urls)) => {
            println!(
                "demo project `{project}` is up on {target} (images {})",
                playground::IMAGES.join(", ")
            );
            for u in urls {
                println!("  {u}");
            }
            println!("workload: {target}/{project}/{SERVICE}");
            println!(
                "compose:  docker-compose -p {project} -f {} ps",
                file.display()
            );
            println!("try:      opsdeck deploy {target}/{project}/{SERVICE} opsdeck-demo:v2-broken --yes");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
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
