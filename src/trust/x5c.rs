//! Certificate chains: validating an `x5c` header against trust anchors (RFC 5280 §6, as
//! profiled by HAIP and SD-JWT VC), and matching the credential's `iss` to the leaf.
//!
//! Path validation is written here rather than taken from a crate because Accord must report
//! *which* rule a chain broke (a root inside `x5c`, a wrong order, an expired intermediate),
//! not just that a WebPKI verifier said no, and because the anchors come from trust lists
//! rather than a browser root store.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;

use crate::formats::jose::{VerifyingKey, X509Hash};
use crate::requirements::{Violation, catalogue as req};

/// A parsed certificate with the DER it came from.
pub struct Cert {
    pub der: Vec<u8>,
}

impl Cert {
    pub fn parse(&self) -> Result<X509Certificate<'_>, String> {
        match X509Certificate::from_der(&self.der) {
            Ok(([], c)) => Ok(c),
            Ok(_) => Err("trailing bytes after the certificate".into()),
            Err(e) => Err(format!("not a DER X.509 certificate: {e}")),
        }
    }
}

/// The public key of a certificate.
pub fn public_key(cert: &X509Certificate<'_>) -> Result<VerifyingKey, String> {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let curve = match alg.as_str() {
        // id-ecPublicKey: the curve is the parameter.
        "1.2.840.10045.2.1" => spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string())
            .ok_or("EC key without a named curve")?,
        other => other.to_owned(),
    };
    VerifyingKey::from_spki(&curve, &spki.subject_public_key.data).map_err(|e| e.to_string())
}

/// Checks that `child` was signed by `issuer_key`.
pub fn check_signature(
    child: &X509Certificate<'_>,
    issuer_key: &VerifyingKey,
) -> Result<(), String> {
    let hash = match child.signature_algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.10045.4.3.2" => X509Hash::Sha256,
        "1.2.840.10045.4.3.3" => X509Hash::Sha384,
        "1.3.101.112" => X509Hash::None,
        other => {
            return Err(format!(
                "unsupported certificate signature algorithm {other}"
            ));
        }
    };
    issuer_key
        .verify_x509(
            child.tbs_certificate.as_ref(),
            &child.signature_value.data,
            hash,
        )
        .map_err(|e| e.to_string())
}

/// Subject alternative names of a certificate: (URIs, dNSNames).
pub fn subject_alt_names(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    let mut uris = Vec::new();
    let mut dns = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::URI(u) => uris.push((*u).to_owned()),
                GeneralName::DNSName(d) => dns.push((*d).to_owned()),
                _ => {}
            }
        }
    }
    (uris, dns)
}

/// Decodes an `x5c` header: base64 (not base64url) DER certificates, leaf first
/// (RFC 7515 §4.1.6).
pub fn decode_x5c(value: Option<&serde_json::Value>) -> Result<Vec<Cert>, Violation> {
    let Some(serde_json::Value::Array(items)) = value else {
        return Err(Violation::new(
            &req::HAIP_X5C_REQUIRED,
            "the header has no `x5c` certificate chain to find the issuer's key",
        )
        .at("issuer-jwt.header.x5c"));
    };
    if items.is_empty() {
        return Err(
            Violation::new(&req::HAIP_X5C_REQUIRED, "`x5c` is empty").at("issuer-jwt.header.x5c")
        );
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let der = item
            .as_str()
            .ok_or_else(|| "not a string".to_owned())
            .and_then(|s| STANDARD.decode(s).map_err(|e| format!("not base64: {e}")))
            .map_err(|e| Violation::new(&req::X509_CHAIN_ORDER, e).at(format!("x5c[{i}]")))?;
        out.push(Cert { der });
    }
    Ok(out)
}

/// Extensions Accord processes and may therefore accept as critical: basicConstraints,
/// keyUsage, subjectAltName, extendedKeyUsage. (Name constraints are not processed, so a
/// critical nameConstraints fails the path rather than being ignored.)
const KNOWN_CRITICAL: &[&str] = &["2.5.29.19", "2.5.29.15", "2.5.29.17", "2.5.29.37"];

/// A trust anchor: a CA certificate from a trust list entry.
pub struct Anchor<'a, T> {
    pub der: &'a [u8],
    /// What the caller wants back when this anchor is the one the chain ends at.
    pub tag: T,
}

/// A chain that validated.
pub struct ValidatedChain<T> {
    pub leaf_key: VerifyingKey,
    pub leaf_uris: Vec<String>,
    pub leaf_dns: Vec<String>,
    pub anchor: T,
}

/// Validates `chain` (leaf first) against `anchors` at time `now` (RFC 5280 §6.1, with the
/// HAIP rule that the anchor is never inside `x5c`).
pub fn validate<T: Clone>(
    chain: &[Cert],
    anchors: &[Anchor<'_, T>],
    now: i64,
) -> Result<ValidatedChain<T>, Vec<Violation>> {
    let mut v = Vec::new();
    let mut parsed = Vec::with_capacity(chain.len());
    for (i, c) in chain.iter().enumerate() {
        match c.parse() {
            Ok(p) => parsed.push(p),
            Err(e) => {
                return Err(vec![
                    Violation::new(&req::X509_CHAIN_ORDER, e).at(format!("x5c[{i}]")),
                ]);
            }
        }
    }
    let mut keys = Vec::with_capacity(parsed.len());
    for (i, p) in parsed.iter().enumerate() {
        match public_key(p) {
            Ok(k) => keys.push(k),
            Err(e) => {
                return Err(vec![
                    Violation::new(&req::X509_SIGNATURE, e).at(format!("x5c[{i}]")),
                ]);
            }
        }
    }
    // HAIP: the trust anchor must not be shipped in x5c. A self-signed certificate in the
    // chain, or one byte-identical to an anchor, is such a root.
    for (i, (p, c)) in parsed.iter().zip(chain).enumerate() {
        let self_signed =
            p.subject().as_raw() == p.issuer().as_raw() && check_signature(p, &keys[i]).is_ok();
        if self_signed || anchors.iter().any(|a| a.der == c.der.as_slice()) {
            v.push(
                Violation::new(
                    &req::HAIP_X5C_NO_ROOT,
                    "`x5c` contains a root / trust anchor certificate; anchors come from the trust list, never from the credential",
                )
                .at(format!("x5c[{i}]")),
            );
        }
    }
    // Leaf first: each certificate is issued and signed by the next one.
    for i in 0..parsed.len().saturating_sub(1) {
        if parsed[i].issuer().as_raw() != parsed[i + 1].subject().as_raw() {
            v.push(
                Violation::new(
                    &req::X509_CHAIN_ORDER,
                    format!(
                        "x5c[{i}] is issued by `{}`, but x5c[{}] is `{}`: the chain is not leaf-first and in order",
                        parsed[i].issuer(),
                        i + 1,
                        parsed[i + 1].subject()
                    ),
                )
                .at(format!("x5c[{i}]")),
            );
        } else if let Err(e) = check_signature(&parsed[i], &keys[i + 1]) {
            v.push(
                Violation::new(
                    &req::X509_SIGNATURE,
                    format!("x5c[{i}] signature by x5c[{}]: {e}", i + 1),
                )
                .at(format!("x5c[{i}]")),
            );
        }
    }
    // RFC 5280 §6.1.4(o): a critical extension the verifier does not process fails the path.
    for (i, p) in parsed.iter().enumerate() {
        for ext in p.extensions() {
            let oid = ext.oid.to_id_string();
            if ext.critical && !KNOWN_CRITICAL.contains(&oid.as_str()) {
                v.push(
                    Violation::new(
                        &req::X509_KEY_USAGE,
                        format!("unrecognised critical extension {oid}"),
                    )
                    .at(format!("x5c[{i}]")),
                );
            }
        }
    }
    // Validity and key usage.
    for (i, p) in parsed.iter().enumerate() {
        check_validity(p, now, &format!("x5c[{i}]"), &mut v);
        check_key_usage(p, i == 0, i.saturating_sub(1), &format!("x5c[{i}]"), &mut v);
    }
    // The top of the chain must be signed by an anchor.
    let top = parsed.len() - 1;
    let mut found = None;
    for a in anchors {
        let Ok((_, ac)) = X509Certificate::from_der(a.der) else {
            continue;
        };
        if ac.subject().as_raw() != parsed[top].issuer().as_raw() {
            continue;
        }
        let Ok(ak) = public_key(&ac) else { continue };
        if check_signature(&parsed[top], &ak).is_ok() {
            check_validity(&ac, now, "trust-anchor", &mut v);
            check_key_usage(&ac, false, top, "trust-anchor", &mut v);
            found = Some(a.tag.clone());
            break;
        }
    }
    let Some(anchor) = found else {
        v.push(
            Violation::new(
                &req::X509_PATH_TO_ANCHOR,
                format!(
                    "no trust anchor from the trust lists issued `{}` (the top of `x5c`)",
                    parsed[top].issuer()
                ),
            )
            .at(format!("x5c[{top}]")),
        );
        return Err(v);
    };
    if !v.is_empty() {
        return Err(v);
    }
    let (uris, dns) = subject_alt_names(&parsed[0]);
    Ok(ValidatedChain {
        leaf_key: keys.swap_remove(0),
        leaf_uris: uris,
        leaf_dns: dns,
        anchor,
    })
}

fn check_validity(c: &X509Certificate<'_>, now: i64, at: &str, v: &mut Vec<Violation>) {
    let nb = c.validity().not_before.timestamp();
    let na = c.validity().not_after.timestamp();
    if now < nb || now > na {
        v.push(
            Violation::new(
                &req::X509_VALIDITY,
                format!(
                    "`{}` is valid from {} to {}, not at {now}",
                    c.subject(),
                    c.validity().not_before,
                    c.validity().not_after
                ),
            )
            .at(at),
        );
    }
}

/// Leaf: digitalSignature when keyUsage is present, and not a CA. Issuers: a CA with
/// keyCertSign, and a pathLenConstraint that allows the certificates beneath it.
fn check_key_usage(
    c: &X509Certificate<'_>,
    leaf: bool,
    below: usize,
    at: &str,
    v: &mut Vec<Violation>,
) {
    let ku = c.key_usage().ok().flatten().map(|k| *k.value);
    let bc = c
        .basic_constraints()
        .ok()
        .flatten()
        .map(|b| b.value.clone());
    if leaf {
        if let Some(ku) = ku
            && !ku.digital_signature()
        {
            v.push(
                Violation::new(
                    &req::X509_KEY_USAGE,
                    "the signing certificate's keyUsage lacks digitalSignature",
                )
                .at(at),
            );
        }
        if bc.as_ref().is_some_and(|b| b.ca) {
            v.push(
                Violation::new(
                    &req::X509_KEY_USAGE,
                    "the signing certificate is a CA certificate",
                )
                .at(at),
            );
        }
        return;
    }
    match &bc {
        Some(b) if b.ca => {
            if let Some(max) = b.path_len_constraint
                && below > max as usize
            {
                v.push(
                    Violation::new(
                        &req::X509_KEY_USAGE,
                        format!("pathLenConstraint {max} allows fewer than the {below} intermediate certificates beneath it"),
                    )
                    .at(at),
                );
            }
        }
        _ => v.push(
            Violation::new(
                &req::X509_KEY_USAGE,
                "an issuing certificate is not a CA (basicConstraints cA)",
            )
            .at(at),
        ),
    }
    if let Some(ku) = ku
        && !ku.key_cert_sign()
    {
        v.push(
            Violation::new(
                &req::X509_KEY_USAGE,
                "an issuing certificate's keyUsage lacks keyCertSign",
            )
            .at(at),
        );
    }
}

/// Does `iss` name the leaf? An HTTPS `iss` must equal a SAN URI, or its host a SAN dNSName
/// (Accord's rule; SD-JWT VC -09 §3.5 wording, see the catalogue).
pub fn iss_matches(iss: &str, uris: &[String], dns: &[String]) -> bool {
    if uris.iter().any(|u| u == iss) {
        return true;
    }
    let Some(rest) = iss.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // `https://good.example:x@evil.example/` has the host evil.example: refuse userinfo
    // outright rather than parse around it.
    if authority.contains('@') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    !host.is_empty() && dns.iter().any(|d| d.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iss_matching() {
        let uris = vec!["https://issuer.example/u".to_owned()];
        let dns = vec!["uni.example".to_owned()];
        assert!(iss_matches("https://issuer.example/u", &uris, &dns));
        assert!(iss_matches("https://uni.example/path", &uris, &dns));
        assert!(iss_matches("https://UNI.example:443", &uris, &dns));
        assert!(!iss_matches("https://evil.example", &uris, &dns));
        assert!(!iss_matches("http://uni.example", &uris, &dns));
        assert!(!iss_matches(
            "https://uni.example.evil.example",
            &uris,
            &dns
        ));
    }
}
