//! Accord's integration tests, one binary (see ARCHITECTURE.md): spec vectors, the
//! independent OWF `sd-jwt` peer and Impierce wallet peer, the CLI contract, and properties.

#![expect(
    clippy::unwrap_used,
    reason = "a broken fixture should fail the test loudly"
)]

mod certification;
mod ci_gate;
mod cli;
mod containers;
mod control_api;
mod data_integrity;
mod docs;
mod evidence;
mod faults;
mod fuzz;
mod hostile;
mod hostile_cli;
mod hostile_roles;
mod matrix;
mod negative;
mod pades;
mod peer_impierce;
mod peer_jwcrypto;
mod peer_owf;
mod properties;
mod protocol;
mod protocol_rules;
mod replay;
mod run_engine;
mod runs;
mod serve;
mod support;
mod tls;
mod trust;
mod tsp;
mod usage;
mod vectors;
mod xades;
