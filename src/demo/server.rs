//! The accept loop: HTTP/1 connections on hyper, graceful shutdown, and
//! the crash fault, which ends the loop with an error.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::config::DemoConfig;
use super::faults::Faults;
use super::metrics::Registry;
use super::routes::App;

/// How long in-flight requests get to finish after a shutdown signal;
/// below Docker's default 10 s stop timeout so the exit stays clean.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The error `serve` returns when the crash fault fires; the CLI turns it
/// into exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrashFault;

impl fmt::Display for CrashFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("crash fault fired")
    }
}

impl std::error::Error for CrashFault {}

/// Whether `err` is the crash fault rather than a real failure.
pub fn is_crash(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|e| e.is::<CrashFault>())
}

/// A bound, not yet running demo server; binding first lets callers learn
/// the port when they listen on port 0.
#[derive(Debug)]
pub struct DemoServer {
    listener: TcpListener,
    app: Arc<App>,
    /// Faults held back until this long after the server starts.
    later: Option<(Duration, super::faults::FaultSettings)>,
}

impl DemoServer {
    pub async fn bind(config: DemoConfig) -> io::Result<Self> {
        config
            .validate("configuration")
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(config.listen).await?;
        let (now, later) = match config.faults_after {
            Some(after) => (Default::default(), Some((after, config.faults))),
            None => (config.faults, None),
        };
        let app = Arc::new(App {
            version: config.version,
            faults: Faults::new(now),
            metrics: Registry::new(),
        });
        Ok(Self {
            listener,
            app,
            later,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes (then drains in-flight requests
    /// for up to [`DRAIN_TIMEOUT`]) or the crash fault fires (then returns
    /// a [`CrashFault`] error at once, without draining).
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let DemoServer {
            listener,
            app,
            later,
        } = self;
        let late_faults = later.map(|(after, faults)| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                app.faults.replace(faults);
            })
        });
        let graceful = GracefulShutdown::new();
        let mut crash = app.faults.crash_deadline();
        tokio::pin!(shutdown);
        let result = loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => serve_connection(&graceful, &app, stream),
                    // Running out of descriptors or a peer resetting before
                    // accept are transient; a short pause avoids a busy loop.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                () = &mut shutdown => break Ok(()),
                () = crash_fires(&mut crash) => {
                    break Err(io::Error::other(CrashFault));
                }
            }
        };
        drop(listener);
        if let Some(task) = late_faults {
            task.abort();
        }
        app.faults.stop_burning();
        if result.is_ok() {
            // Idle keep-alive connections close now; busy ones finish first.
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
        }
        result
    }
}

fn serve_connection(graceful: &GracefulShutdown, app: &Arc<App>, stream: tokio::net::TcpStream) {
    let app = Arc::clone(app);
    let service = service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { app.handle(req).await }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(TokioIo::new(stream), service);
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        // Errors here are per connection (a client hanging up, the down
        // fault refusing); they must not reach the accept loop.
        let _ = conn.await;
    });
}

/// Completes when the crash deadline passes; follows re-arming and
/// cancelling through `POST /fault`.
async fn crash_fires(rx: &mut watch::Receiver<Option<Instant>>) {
    loop {
        let deadline = *rx.borrow_and_update();
        match deadline {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at.into()) => return,
                    changed = rx.changed() => if changed.is_err() {
                        // The sender lives as long as the server; if it is
                        // gone the current deadline still stands.
                        tokio::time::sleep_until(at.into()).await;
                        return;
                    },
                }
            }
            None => {
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}

/// Binds and runs a demo server until `shutdown` completes.
pub async fn serve(config: DemoConfig, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    DemoServer::bind(config).await?.run(shutdown).await
}

/// Completes on SIGTERM or SIGINT. As PID 1 in a container the process has
/// no default SIGTERM handler, so without this `docker stop` would wait
/// out its timeout and then kill.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
