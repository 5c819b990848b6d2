//! Accord: a conformance and interoperability harness for digital-identity issuers, wallets
//! and verifiers. See ARCHITECTURE.md for the code map.

pub mod entropy;
pub mod formats;
pub mod requirements;
pub mod trust;
