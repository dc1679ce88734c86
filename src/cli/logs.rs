//! `opsdeck logs TARGET/GROUP/NAME | TARGET/CONTAINER`: the output of one
//! container, or of every container of a workload merged by time. On a
//! Kubernetes target GROUP is the namespace and NAME a pod or a workload.

use crate::base::time::rfc3339_nanos;
use crate::config::Config;
use crate::model::{LogLine, WorkloadAddr};
use crate::source::docker::convert;
use crate::source::docker::logs;
use crate::source::docker::logs::LogSource;
use crate::source::kube;
use crate::source::logs::{LogRequest, LogStream};
use bollard::query_parameters::ListContainersOptions;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub struct LogsArgs {
    /// A workload (TARGET/GROUP/NAME, e.g. local/shop/api) or one container (TARGET/CONTAINER)
    pub address: String,
    /// Keep printing new lines as they come
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Lines of history per container (default: all)
    #[arg(long, short = 'n', value_name = "N")]
    pub tail: Option<u64>,
    /// Print only lines containing TEXT
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Start each line with its time (RFC 3339, UTC)
    #[arg(long, short = 't')]
    pub timestamps: bool,
    /// Kubernetes: the output of the container instance before the last restart
    #[arg(long, short = 'p')]
    pub previous: bool,
    /// Kubernetes: only this container of each pod
    #[arg(long, short = 'c', value_name = "NAME")]
    pub container: Option<String>,
}

/// What the address names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    Workload(WorkloadAddr),
    Container { target: String, name: String },
}

fn parse_address(s: &str) -> Result<Wanted, String> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [t, c] if !t.is_empty() && !c.is_empty() => Ok(Wanted::Container {
            target: t.to_string(),
            name: c.to_string(),
        }),
        [_, _, _] => s.parse().map(Wanted::Workload),
        _ => Err(format!(
            "`{s}` is neither a workload (TARGET/GROUP/NAME, such as local/shop/api) \
             nor a container (TARGET/CONTAINER, such as local/web-1)"
        )),
    }
}

impl Wanted {
    fn target(&self) -> &str {
        match self {
            Wanted::Workload(a) => &a.target,
            Wanted::Container { target, .. } => target,
        }
    }
}

pub async fn run(config: &Config, args: &LogsArgs) -> color_eyre::Result<ExitCode> {
    match follow(config, args).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

async fn follow(config: &Config, args: &LogsArgs) -> Result<(), String> {
    let wanted = parse_address(&args.address)?;
    let req = LogRequest {
        tail: args.tail,
        follow: args.follow,
        previous: args.previous,
    };
    // A Docker target of the name wins, as in the console's logs view.
    let is_docker = crate::connect::docker::targets(config)
        .iter()
        .any(|(n, _)| n == wanted.target());
    let kube_target = crate::connect::kube::targets(config)
        .into_iter()
        .find(|t| t.name == wanted.target() && !is_docker);
    let (prefix, mut stream) = match kube_target {
        Some(target) => kube_stream(&target, &wanted, args, req).await?,
        None => docker_stream(config, &wanted, args, req).await?,
    };
    while let Some(line) = stream.next().await {
        let line = line?;
        if args
            .grep
            .as_ref()
            .is_some_and(|g| !line.text.contains(g.as_str()))
        {
            continue;
        }
        print_line(&line, prefix, args.timestamps);
    }
    Ok(())
}

/// The pods (or a workload's pods) the address names in its namespace.
async fn kube_stream(
    target: &crate::connect::kube::KubeTarget,
    wanted: &Wanted,
    args: &LogsArgs,
    req: LogRequest,
) -> Result<(bool, LogStream), String> {
    let Wanted::Workload(addr) = wanted else {
        return Err(format!(
            "{} is a Kubernetes target: name a pod or a workload as TARGET/NAMESPACE/NAME",
            wanted.target()
        ));
    };
    let client = crate::connect::kube::client(target).await?;
    let mut pods = kube::logs::pods_named(&client, &addr.group, &addr.name).await?;
    if pods.is_empty() {
        return Err(format!("{addr} has no pods"));
    }
    for p in &mut pods {
        p.container = args.container.clone();
    }
    let (labels, stream) = kube::logs::stream(client, pods, req).await?;
    Ok((labels.len() > 1, stream))
}

async fn docker_stream(
    config: &Config,
    wanted: &Wanted,
    args: &LogsArgs,
    req: LogRequest,
) -> Result<(bool, LogStream), String> {
    let targets = crate::connect::docker::targets(config);
    let Some((_, endpoint)) = targets.iter().find(|(n, _)| n == wanted.target()) else {
        let known: Vec<String> = targets
            .iter()
            .map(|(n, _)| n.clone())
            .chain(
                crate::connect::kube::targets(config)
                    .into_iter()
                    .map(|t| t.name),
            )
            .collect();
        return Err(format!(
            "no Docker or Kubernetes target `{}`; known: {}",
            wanted.target(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    if args.container.is_some() {
        return Err("--container names a container of a Kubernetes pod; on Docker name the container in the address (TARGET/CONTAINER)".into());
    }
    let client = crate::connect::docker::connect(endpoint).await?;
    let listed = client
        .list_containers(Some(ListContainersOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .map_err(|e| format!("listing containers on {}: {e}", wanted.target()))?;
    let mut sources: Vec<LogSource> = listed
        .iter()
        .map(|c| convert::instance_from_summary(wanted.target(), c).instance)
        .filter(|i| match wanted {
            Wanted::Workload(addr) => &i.workload == addr,
            Wanted::Container { name, .. } => &i.name == name || i.id.starts_with(name.as_str()),
        })
        .map(|i| LogSource {
            id: i.id,
            name: i.name,
        })
        .collect();
    if sources.is_empty() {
        return Err(format!(
            "nothing named `{}` is running or stopped there",
            args.address
        ));
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((sources.len() > 1, logs::stream(client, sources, req)))
}

fn print_line(line: &LogLine, prefix: bool, timestamps: bool) {
    let mut text = String::new();
    if timestamps {
        text.push_str(&rfc3339_nanos(line.at_nanos));
        text.push(' ');
    }
    if prefix {
        text.push_str(&line.instance);
        text.push_str(" | ");
    }
    text.push_str(&line.text);
    // As `docker logs` does: the container's stderr goes to ours.
    let _ = if line.stderr {
        writeln!(std::io::stderr(), "{text}")
    } else {
        writeln!(std::io::stdout(), "{text}")
    };
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_workload_or_a_container() {
        assert_eq!(
            parse_address("local/shop/api"),
            Ok(Wanted::Workload(WorkloadAddr::new("local", "shop", "api")))
        );
        assert_eq!(
            parse_address("local/web-1"),
            Ok(Wanted::Container {
                target: "local".into(),
                name: "web-1".into()
            })
        );
        let e = parse_address("web-1").unwrap_err();
        assert!(e.contains("TARGET/CONTAINER"), "{e}");
        assert!(parse_address("local//api").is_err());
    }

    #[test]
    fn times_print_with_nanoseconds() {
        assert_eq!(
            rfc3339_nanos(1_795_451_193_690_899_614),
            "2026-11-23T16:26:33.690899614Z"
        );
    }
}
