//! The Kubernetes test API server on a socket, for pointing kubectl at:
//! `cargo run --release --example kube-test-server -- --listen 127.0.0.1:PORT`

use kube_test_server::{serve, Cluster, Config};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut listen = String::from("127.0.0.1:8001");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(addr)) => listen = addr,
            _ => {
                eprintln!("usage: kube-test-server --listen 127.0.0.1:PORT");
                std::process::exit(2);
            }
        }
    }
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("kube-test-server listening on http://{listen}; point kubectl at it with --server http://{listen}");
    if let Err(e) = serve(listener, Cluster::new(Config::default())).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
