//! Credential formats: parsing, encoding and verification, with no I/O.

pub mod jose;
