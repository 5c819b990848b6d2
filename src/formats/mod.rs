//! Credential formats: parsing, encoding and verification, with no I/O.

pub mod jose;
pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod status_list;
