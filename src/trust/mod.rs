//! Trust: the seeded test PKI, `x5c` chain validation, signed trust lists, and the EU–JP
//! mutual-recognition arrangement that says which lists a verifier accepts.

pub mod ades;
pub mod etsi_tl;
pub mod mra;
pub mod pki;
pub mod resolver;
pub mod seal_judgement;
pub mod services;
pub mod trust_list;
pub mod tsp;
pub mod tsp_pki;
pub mod x5c;
