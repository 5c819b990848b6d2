//! Running scenarios against a topology: which implementations play together (`matrix`),
//! what each declares (`manifest`), how each is started (`cast`, `launch`), the features a
//! run reads (`features`) and the engine that drives cucumber and records every fact in the
//! run's event log (`engine`).
//!
//! Everything here produces events; nothing here reads a verdict back except from them.

pub mod cast;
pub mod engine;
pub mod features;
pub mod launch;
pub mod manifest;
pub mod matrix;
