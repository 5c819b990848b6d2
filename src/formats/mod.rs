//! Credential formats: parsing, encoding and verification, with no I/O.

pub mod bitstring_status;
pub mod cms;
pub mod data_integrity;
pub mod der;
pub mod jades;
pub mod jose;
pub mod pdf;
pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod status_list;
pub mod vc_jwt;
