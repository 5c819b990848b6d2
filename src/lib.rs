//! Accord: a conformance and interoperability harness for digital-identity issuers, wallets
//! and verifiers, starting with EU–Japan academic credentials. See ARCHITECTURE.md for the
//! code map.

pub mod bundle;
pub mod cast;
pub mod certification;
pub mod cli;
pub mod credential;
pub mod engine;
pub mod entropy;
pub mod events;
pub mod evidence;
pub mod features;
pub mod files;
pub mod formats;
pub mod fuzz;
pub mod launch;
pub mod manifest;
pub mod matrix;
pub mod profiles;
pub mod projections;
pub mod protocol;
pub mod replay;
pub mod requirements;
pub mod roles;
pub mod rundiff;
pub mod snapshot;
pub mod steps;
pub mod store;
pub mod timestamp;
pub mod tls;
pub mod transcript;
pub mod transport;
pub mod trust;
