//! `opsdeck demo front`: the demo's one stable front door. Replicas come and
//! go with every deploy, rollback and restart, each on a new published port;
//! this forwards every connection to the service's name on the project's
//! network (Docker's DNS answers with the replicas there now), so a probe
//! or a load test on the front door's fixed port keeps working.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Forward connections to the demo service's replicas.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct DemoFrontArgs {
    /// Address to listen on
    #[arg(long, default_value = "0.0.0.0:8080", value_name = "IP:PORT")]
    pub listen: SocketAddr,
    /// Where to forward: HOST:PORT, the host resolved for every connection
    #[arg(long, default_value = "api:8080", value_name = "HOST:PORT")]
    pub to: String,
}

/// How long a connection to a replica may take; a replica that went away
/// fails the one connection, not the front door.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn run_front(args: &DemoFrontArgs) -> ExitCode {
    let listener = match TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    serve(listener, args.to.clone()).await;
    ExitCode::SUCCESS
}

/// Accepts until the process ends; each connection is copied both ways.
pub async fn serve(listener: TcpListener, to: String) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let to = to.clone();
        tokio::spawn(async move {
            let upstream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&to)).await;
            if let Ok(Ok(mut upstream)) = upstream {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
            // Unreachable replicas: the client sees the connection close,
            // as it would behind any load balancer with no backend.
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::config::DemoConfig;
    use crate::demo::server::DemoServer;

    #[tokio::test]
    async fn the_front_door_forwards_to_the_service() {
        let config = DemoConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..DemoConfig::default()
        };
        let server = DemoServer::bind(config).await.unwrap();
        let backend = server.local_addr().unwrap();
        tokio::spawn(server.run(std::future::pending()));
        let front = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let door = front.local_addr().unwrap();
        tokio::spawn(serve(front, backend.to_string()));
        let http =
            crate::connect::http::Http::new(Duration::from_secs(5), &Default::default()).unwrap();
        let r = http.get(&format!("http://{door}/health")).await.unwrap();
        assert_eq!(r.status, 200);
    }
}
