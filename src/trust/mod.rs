//! Trust: the seeded test PKI, `x5c` chain validation, signed trust lists, and the EU–JP
//! mutual-recognition arrangement that says which lists a verifier accepts.

pub mod mra;
pub mod pki;
pub mod resolver;
pub mod trust_list;
pub mod x5c;
