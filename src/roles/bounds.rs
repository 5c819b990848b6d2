//! Every bound the reference roles put on what a client can make them hold, in one place
//! (issue 17: a role reachable by anyone must not grow without end, nor be held open).
//!
//! Three kinds:
//!
//! - **Bodies**: the largest request body per kind of endpoint ([`MAX_REQUEST_BODY`] for the
//!   protocol endpoints, [`MAX_CONTROL_BODY`] for control calls, [`MAX_TRUST_LIST_BODY`] for
//!   a published trust list), refused with 413 before they are read whole.
//! - **Stores**: what a role remembers between requests, capped by count *and* bytes, so a
//!   flood of small entries and a few huge ones are both stopped. Each store says in its own
//!   module whether it forgets its oldest entry or refuses with `503` + `Retry-After`:
//!   offers ([`crate::protocol::oid4vci::MAX_PENDING_OFFERS`]), transactions
//!   ([`crate::protocol::oid4vp::MAX_TRANSACTIONS`]), credentials ([`MAX_CREDENTIALS`]),
//!   trust lists ([`MAX_TRUST_LISTS`]).
//! - **Connections** ([`ServeLimits`]): how long a client may take to send a request head
//!   (which also bounds a keep-alive connection's idle time), how long a request may take to
//!   be handled (its body included), how many connections one listener holds.
//!
//! The values are sized for what the harness and real implementations send (a presentation
//! with many disclosures, a trust list with a few dozen entries) with a wide margin, and
//! small enough that the worst case of every store together stays in the tens of megabytes.

use std::time::Duration;

/// Largest request body of a protocol endpoint (a presentation with many disclosures fits
/// easily); anything larger is refused with 413 before it is read.
pub const MAX_REQUEST_BODY: usize = 256 * 1024;

/// Largest body of a control call (a subject's claims, a DCQL query, an offer or request
/// URI): the reference subjects are under 2 KB and a DCQL query of every claim path under
/// 4 KB, so 64 KB leaves room for generous test data and cuts a flood's weight by four.
pub const MAX_CONTROL_BODY: usize = 64 * 1024;

/// Largest body of `PUT /control/lists/{name}` and `PUT /control/xml/{file}`: a signed trust list carries its operator's
/// certificate chain and one certificate per entry, so it may exceed [`MAX_CONTROL_BODY`].
pub const MAX_TRUST_LIST_BODY: usize = MAX_REQUEST_BODY;

/// Largest body of `POST /control/seals`: a sealed credential or a signed PDF certificate
/// with its time-stamps and validation data, base64 in JSON.
pub const MAX_SEAL_BODY: usize = MAX_REQUEST_BODY;

/// Credentials the reference wallet holds at most; beyond it the oldest is forgotten.
pub const MAX_CREDENTIALS: usize = 1024;

/// Bytes of credentials (compact SD-JWTs and their decoded claims) the wallet holds at most;
/// beyond it the oldest are forgotten.
pub const MAX_CREDENTIAL_BYTES: usize = 32 * 1024 * 1024;

/// Credentials `GET /control/credentials` lists per page by default, and at most.
pub const CREDENTIALS_PAGE: usize = 100;

/// Lists (names) the trust-list host publishes at most.
pub const MAX_TRUST_LISTS: usize = 16;

/// Bytes of signed lists the trust-list host holds at most.
pub const MAX_TRUST_LIST_BYTES: usize = 4 * 1024 * 1024;

/// What `Retry-After` says when a store refuses because it is full and nothing in it
/// expires (the trust-list host): a nominal minute, so a client backs off rather than spins.
pub const RETRY_AFTER_FULL: u64 = 60;

/// How long a client may take to send a request head, from the moment the connection waits
/// for one: hyper starts this timer whenever it waits for a head (hyper 1.12,
/// `proto/h1/conn.rs`, `poll_read_head`), so it also closes a keep-alive connection idle for
/// that long. Accord's own clients keep idle connections 3 s, well under it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request body may take to arrive, from the head: a 256 KB body takes
/// milliseconds on loopback and a second at 2 Mbit/s.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a request may take to be handled, its body included. A wallet's control call
/// drives a whole issuance or presentation (up to seven exchanges, each bounded to 10 s by
/// the transport), so this is generous; it exists so that no request holds a connection
/// for ever.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Connections one listener holds at once (TLS handshakes in progress included). Sized for
/// one role per process under the default limit of 1,024 open files, leaving room for the
/// role's own outgoing connections; a connection beyond it is closed as soon as it is
/// accepted, so `accept` never stalls on exhausted descriptors.
pub const MAX_CONNECTIONS: usize = 256;

/// How long a stopping role waits for its connections to finish what they are doing.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// The connection bounds of one listener. [`ServeLimits::default`] is what every role uses;
/// tests shorten them to watch a connection being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// [`BODY_READ_TIMEOUT`].
    pub body_read_timeout: Duration,
    /// [`REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// [`crate::tls::HANDSHAKE_TIMEOUT`].
    pub handshake_timeout: Duration,
    /// [`MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// [`SHUTDOWN_GRACE`].
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            handshake_timeout: crate::tls::HANDSHAKE_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            shutdown_grace: SHUTDOWN_GRACE,
        }
    }
}

/// The body limit of a control call to `path` (a path under `/control/`).
pub fn control_body_limit(path: &str) -> usize {
    if path.starts_with("/control/lists/") || path.starts_with("/control/xml/") {
        MAX_TRUST_LIST_BODY
    } else if path == "/control/seals" {
        MAX_SEAL_BODY
    } else {
        MAX_CONTROL_BODY
    }
}
