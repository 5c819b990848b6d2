//! Credential formats: parsing, encoding and verification, with no I/O.

pub mod jose;
pub mod sd_jwt;
