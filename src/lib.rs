//! Accord: a conformance and interoperability harness for digital-identity issuers, wallets
//! and verifiers, starting with EU–Japan academic credentials. See ARCHITECTURE.md for the
//! code map.

pub mod cli;
pub mod credential;
pub mod entropy;
pub mod events;
pub mod formats;
pub mod profiles;
pub mod requirements;
pub mod store;
pub mod trust;
