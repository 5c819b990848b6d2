//! Accord: a conformance and interoperability harness for digital-identity issuers, wallets
//! and verifiers, starting with EU–Japan academic credentials. See ARCHITECTURE.md for the
//! code map.
//!
//! Layers, lowest first: `events` and `store` (the append-only log every verdict derives
//! from; they read the checkpoint audit of `evidence::checkpoint` and the exchange type of
//! `transport`, and nothing of `run`, `steps`, `projections` or `cli`); the credential core (`formats`, `profiles`, `trust`,
//! `requirements`, `credential`), the protocols and reference roles (`protocol`, `roles`,
//! `transport`, `tls`); `run` drives scenarios through `steps` and records them; `fuzz`
//! drives property-based campaigns; `projections`, `certification` and `evidence` read logs
//! back; `cli` wires it all to the `accord` binary.

pub mod academic;
pub mod certification;
pub mod cli;
pub mod credential;
pub mod entropy;
pub mod events;
pub mod evidence;
pub mod files;
pub mod formats;
pub mod fuzz;
pub mod profiles;
pub mod projections;
pub mod protocol;
pub mod requirements;
pub mod roles;
pub mod run;
pub mod steps;
pub mod store;
pub mod tls;
pub mod transport;
pub mod trust;
