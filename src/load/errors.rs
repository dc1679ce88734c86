//! What went wrong with one request, in the few kinds an operator acts on:
//! the server is not there (connect), it is too slow (timeout), it hung up
//! (reset), or something else (TLS, protocol).

use serde::Serialize;
use std::error::Error;
use std::io;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// No connection could be made: refused, unreachable, name not resolved.
    Connect,
    /// No complete answer within `--timeout`.
    Timeout,
    /// The connection was closed or reset before the answer was complete.
    Reset,
    /// The TLS handshake failed (bad certificate, wrong name, no common protocol).
    Tls,
    /// Anything else: a malformed answer, an HTTP/2 protocol error.
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 5] = [
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Reset,
        ErrorKind::Tls,
        ErrorKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::Tls => "tls",
            ErrorKind::Other => "other",
        }
    }
}

/// Where in the exchange the error happened: before a connection existed,
/// everything but a timeout means the server could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Connect,
    Tls,
    Exchange,
}

/// Classifies an error from the given stage by walking its source chain.
pub fn classify(stage: Stage, err: &(dyn Error + 'static)) -> ErrorKind {
    let mut io_kind = None;
    let mut hyper_hint = None;
    let mut cur: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = cur {
        // An io::Error's `source` skips the error it wraps; `get_ref` reaches it.
        let mut next = e.source();
        if let Some(io) = e.downcast_ref::<io::Error>() {
            io_kind.get_or_insert(io.kind());
            if let Some(inner) = io.get_ref() {
                next = Some(inner as &(dyn Error + 'static));
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                hyper_hint.get_or_insert(ErrorKind::Timeout);
            } else if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                hyper_hint.get_or_insert(ErrorKind::Reset);
            }
        }
        if e.downcast_ref::<rustls::Error>().is_some() {
            return ErrorKind::Tls;
        }
        cur = next;
    }
    if io_kind == Some(io::ErrorKind::TimedOut) {
        return ErrorKind::Timeout;
    }
    match stage {
        Stage::Connect => return ErrorKind::Connect,
        Stage::Tls if io_kind.is_none_or(|k| !is_reset(k)) => return ErrorKind::Tls,
        _ => {}
    }
    match io_kind {
        Some(k) if is_reset(k) => ErrorKind::Reset,
        _ => hyper_hint.unwrap_or(ErrorKind::Other),
    }
}

fn is_reset(k: io::ErrorKind) -> bool {
    matches!(
        k,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapped(io::Error);
    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "wrapped: {}", self.0)
        }
    }
    impl Error for Wrapped {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    fn io(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, "x")
    }

    #[test]
    fn refused_is_connect_and_timeouts_win_everywhere() {
        let refused = io(io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(Stage::Connect, &refused), ErrorKind::Connect);
        let timed = Wrapped(io(io::ErrorKind::TimedOut));
        assert_eq!(classify(Stage::Connect, &timed), ErrorKind::Timeout);
        assert_eq!(classify(Stage::Exchange, &timed), ErrorKind::Timeout);
    }

    #[test]
    fn a_hang_up_mid_exchange_is_a_reset_found_through_the_chain() {
        for k in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::UnexpectedEof,
        ] {
            let e = Wrapped(io(k));
            assert_eq!(classify(Stage::Exchange, &e), ErrorKind::Reset, "{k:?}");
        }
        assert_eq!(
            classify(Stage::Exchange, &io(io::ErrorKind::InvalidData)),
            ErrorKind::Other
        );
    }

    #[test]
    fn a_failed_handshake_is_tls_unless_the_peer_hung_up() {
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert_eq!(classify(Stage::Exchange, &e), ErrorKind::Tls);
        assert_eq!(
            classify(Stage::Tls, &io(io::ErrorKind::InvalidData)),
            ErrorKind::Tls
        );
        assert_eq!(
            classify(Stage::Tls, &io(io::ErrorKind::ConnectionReset)),
            ErrorKind::Reset
        );
    }
}
