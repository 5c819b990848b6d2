//! SD-JWT (RFC 9901): the data model shared by issuance, presentation and verification.
//!
//! An SD-JWT travels as `<issuer-signed JWT>~<disclosure>~…~<disclosure>~[<KB-JWT>]`
//! (RFC 9901 §4) or in the JWS JSON serialisation (§8, see [`json`]). This module keeps the
//! pieces as the exact strings received, because digests and `sd_hash` are computed over the
//! bytes as received, never over a re-encoding (RFC 9901 §4.2.3).

pub mod disclosure;
pub mod issue;
pub mod json;
pub mod path;
pub mod present;
pub mod verify;

use aws_lc_rs::digest;

pub use disclosure::Disclosure;
pub use path::{ClaimPath, PathSegment};

use super::jose::b64;

/// The parts of an SD-JWT, each kept as the string that was received or produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdJwt {
    /// The issuer-signed JWT, compact JWS.
    pub issuer_jwt: String,
    /// The disclosures, base64url, in the order received.
    pub disclosures: Vec<String>,
    /// The key-binding JWT, when this is a presentation with key binding.
    pub kb_jwt: Option<String>,
}

/// A malformed SD-JWT container (before any cryptographic check).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("empty input")]
    Empty,
    #[error(
        "not an SD-JWT: expected `<JWT>~<disclosures>~[<KB-JWT>]` with at least one `~`, found none"
    )]
    NoTilde,
    #[error("the issuer-signed JWT (before the first `~`) is not a compact JWS: {0}")]
    IssuerJwt(String),
    #[error("component {index} (between `~`) is empty; only the last component may be empty")]
    EmptyDisclosure { index: usize },
    #[error("the key-binding JWT (after the last `~`) is not a compact JWS")]
    KbJwt,
    #[error("invalid JSON serialisation: {0}")]
    Json(String),
}

impl SdJwt {
    /// Parses the compact serialisation (RFC 9901 §4). Leading and trailing ASCII whitespace
    /// (a newline from a file) is ignored; nothing else is.
    pub fn parse_compact(text: &str) -> Result<Self, FormatError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if text.is_empty() {
            return Err(FormatError::Empty);
        }
        let parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 {
            return Err(FormatError::NoTilde);
        }
        let issuer_jwt = parts[0];
        if issuer_jwt.split('.').count() != 3 {
            return Err(FormatError::IssuerJwt(format!(
                "{} dot-separated parts",
                issuer_jwt.split('.').count()
            )));
        }
        let last = parts[parts.len() - 1];
        let kb_jwt = if last.is_empty() {
            None
        } else if last.split('.').count() == 3 {
            Some(last.to_owned())
        } else {
            return Err(FormatError::KbJwt);
        };
        let middle = &parts[1..parts.len() - 1];
        let mut disclosures = Vec::with_capacity(middle.len());
        for (i, d) in middle.iter().enumerate() {
            if d.is_empty() {
                return Err(FormatError::EmptyDisclosure { index: i + 1 });
            }
            disclosures.push((*d).to_owned());
        }
        Ok(Self {
            issuer_jwt: issuer_jwt.to_owned(),
            disclosures,
            kb_jwt,
        })
    }

    /// The string the KB-JWT's `sd_hash` is computed over: the issuer JWT and the disclosures,
    /// each followed by `~` (RFC 9901 §4.3.1).
    pub fn without_kb(&self) -> String {
        let mut s = String::with_capacity(
            self.issuer_jwt.len() + self.disclosures.iter().map(|d| d.len() + 1).sum::<usize>() + 1,
        );
        s.push_str(&self.issuer_jwt);
        s.push('~');
        for d in &self.disclosures {
            s.push_str(d);
            s.push('~');
        }
        s
    }

    /// The KB-JWT's `sd_hash` for this SD-JWT: the digest of [`Self::without_kb`], computed
    /// piecewise so that no copy of the presentation is made.
    pub fn sd_hash(&self, alg: HashAlg) -> String {
        let mut ctx = digest::Context::new(alg.algorithm());
        ctx.update(self.issuer_jwt.as_bytes());
        ctx.update(b"~");
        for d in &self.disclosures {
            ctx.update(d.as_bytes());
            ctx.update(b"~");
        }
        b64(ctx.finish())
    }

    /// The compact serialisation.
    pub fn to_compact(&self) -> String {
        let mut s = self.without_kb();
        if let Some(kb) = &self.kb_jwt {
            s.push_str(kb);
        }
        s
    }
}

/// The hash functions `_sd_alg` may name (IANA Named Information Hash Algorithm Registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha-256" => Some(HashAlg::Sha256),
            "sha-384" => Some(HashAlg::Sha384),
            "sha-512" => Some(HashAlg::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha-256",
            HashAlg::Sha384 => "sha-384",
            HashAlg::Sha512 => "sha-512",
        }
    }

    fn algorithm(self) -> &'static digest::Algorithm {
        match self {
            HashAlg::Sha256 => &digest::SHA256,
            HashAlg::Sha384 => &digest::SHA384,
            HashAlg::Sha512 => &digest::SHA512,
        }
    }

    /// base64url(hash(ascii bytes)), the form of every SD-JWT digest and of `sd_hash`.
    pub fn digest_b64(self, input: &str) -> String {
        b64(digest::digest(self.algorithm(), input.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_round_trip_with_and_without_kb() {
        let s = "a.b.c~d1~d2~";
        let p = SdJwt::parse_compact(s).unwrap();
        assert_eq!(p.disclosures, vec!["d1", "d2"]);
        assert_eq!(p.kb_jwt, None);
        assert_eq!(p.to_compact(), s);
        let s = "a.b.c~d1~x.y.z";
        let p = SdJwt::parse_compact(s).unwrap();
        assert_eq!(p.kb_jwt.as_deref(), Some("x.y.z"));
        assert_eq!(p.to_compact(), s);
        assert_eq!(p.without_kb(), "a.b.c~d1~");
        assert_eq!(
            p.sd_hash(HashAlg::Sha256),
            HashAlg::Sha256.digest_b64("a.b.c~d1~")
        );
    }

    #[test]
    fn malformed_compact_is_named() {
        assert_eq!(SdJwt::parse_compact(""), Err(FormatError::Empty));
        assert_eq!(SdJwt::parse_compact("a.b.c"), Err(FormatError::NoTilde));
        assert!(matches!(
            SdJwt::parse_compact("a.b~"),
            Err(FormatError::IssuerJwt(_))
        ));
        assert_eq!(
            SdJwt::parse_compact("a.b.c~d1~~"),
            Err(FormatError::EmptyDisclosure { index: 2 })
        );
        assert_eq!(
            SdJwt::parse_compact("a.b.c~d1~notajwt"),
            Err(FormatError::KbJwt)
        );
    }
}
