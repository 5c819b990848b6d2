//! The protocols, sans I/O: OpenID4VCI 1.0 ([`oid4vci`]), OpenID4VP 1.0 ([`oid4vp`]) with
//! DCQL ([`dcql`]) and encrypted responses ([`jwe`]).
//!
//! Every function here takes a parsed message, the current time and a source of randomness,
//! and returns the message to send back or a [`ProtocolError`]. No sockets, no clock, no
//! global state: the HTTP layer in [`crate::roles`] owns those, and tests drive these state
//! machines directly. Each refusal names the requirement it enforces, so an implementation
//! under test that receives the error can be told which spec sentence it broke.

pub mod dcql;
pub mod jwe;
pub mod ledger;
pub mod oid4vci;
pub mod oid4vp;

use serde_json::{Value, json};

use crate::requirements::{Requirement, Violation};

/// An OAuth-style error response (RFC 6749 §5.2 shape): HTTP status, `error` code and a
/// description, plus the requirements that were broken.
#[derive(Debug, Clone)]
pub struct ProtocolError {
    pub status: u16,
    /// The spec's error code, e.g. `invalid_grant`, `invalid_proof`, `invalid_request_object`.
    pub error: &'static str,
    pub description: String,
    pub violations: Vec<Violation>,
}

impl ProtocolError {
    pub fn new(
        status: u16,
        error: &'static str,
        requirement: &'static Requirement,
        description: impl Into<String>,
    ) -> Self {
        let description = description.into();
        Self {
            status,
            error,
            violations: vec![Violation::new(requirement, description.clone())],
            description,
        }
    }

    /// `401` to a request that carried no authentication at all: no error code (RFC 6750
    /// §3.1), so `error` is empty, the body has no `error` member and `WWW-Authenticate` is
    /// a bare `Bearer` challenge.
    pub fn unauthenticated(
        requirement: &'static Requirement,
        description: impl Into<String>,
    ) -> Self {
        Self::new(401, "", requirement, description)
    }

    /// `400` with `error`.
    pub fn bad_request(
        error: &'static str,
        requirement: &'static Requirement,
        description: impl Into<String>,
    ) -> Self {
        Self::new(400, error, requirement, description)
    }

    /// The JSON body. `error_description` must be printable ASCII without `"` and `\`
    /// (RFC 6749 §5.2), so anything else is replaced. The broken requirement ids travel in an
    /// extension member, which clients must ignore (RFC 6749 §5.2 allows extensions).
    pub fn body(&self) -> Value {
        let description: String = self
            .description
            .chars()
            .map(|c| {
                if (' '..='~').contains(&c) && c != '"' && c != '\\' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        let mut body = json!({
            "error_description": description,
            "accord_requirements": self.violations.iter().map(|v| v.requirement.id).collect::<Vec<_>>(),
        });
        if !self.error.is_empty() {
            body["error"] = json!(self.error);
        }
        body
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let error = if self.error.is_empty() {
            "no error code"
        } else {
            self.error
        };
        write!(f, "{error} ({}): {}", self.status, self.description)
    }
}

impl std::error::Error for ProtocolError {}

/// A random URL-safe token of `bytes` bytes of entropy (nonces, codes, state, ids).
pub fn random_token(entropy: &mut dyn crate::entropy::Entropy, bytes: usize) -> String {
    crate::formats::jose::b64(entropy.bytes(bytes))
}
