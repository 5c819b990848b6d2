//! PDF for signatures: a bounded reader of what a signed PDF holds (objects, cross-reference
//! tables and streams, object streams, incremental updates), the signature fields and the
//! Document Security Store, the analysis of what each later revision changed, a writer for
//! Accord's reference roles (a one-page certificate signed PAdES-B-B/B-T, a document
//! time-stamp, a DSS, and the faults a validator must catch), and PAdES validation
//! ([`pades::validate`], ETSI EN 319 142-1 judged as EN 319 102-1 orders).
//!
//! Nothing here renders a page: "what is shown" is judged by which objects changed, never by
//! pixels.

pub mod attachments;
pub mod changes;
pub mod document;
pub mod filters;
pub mod object;
pub mod pades;
pub mod signatures;
pub mod writer;

pub use document::Document;
pub use object::{Dict, ObjRef, Object, Stream};
pub use signatures::{Dss, PdfSignature, SignatureKind};

/// Why a PDF could not be read. Every variant says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The bytes do not form the token or object expected.
    #[error("PDF syntax error at byte {offset} of the {origin}: {message}")]
    Syntax {
        offset: usize,
        origin: String,
        message: String,
    },
    /// The file's structure (header, cross-reference, trailer) is broken.
    #[error("PDF structure error at byte {offset}: {message}")]
    Structure { offset: usize, message: String },
    /// A stream cannot be decoded.
    #[error("PDF stream {what}: {message}")]
    Stream { what: String, message: String },
    /// A signature dictionary is malformed.
    #[error("PDF signature field `{field}`: {message}")]
    Signature { field: String, message: String },
    /// The writer was asked for something it cannot make.
    #[error("PDF writer: {0}")]
    Writer(String),
}
