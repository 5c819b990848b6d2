//! Variants of the reference roles: the differently configured builds that make an interop
//! matrix of Accord's own roles differ for real reasons (a verifier that only takes
//! `direct_post.jwt`, a wallet that only trusts `x509_hash`, an issuer without the
//! authorization code flow, a deliberately flawed verifier).
//!
//! A variant is chosen by `key = value` options, the same in an implementation manifest
//! (`launch.options`, for `kind = "builtin"`) and on `accord serve --option KEY=VALUE` (which
//! a container manifest of the reference image passes in its `args`). Lists are comma
//! separated.

use std::collections::BTreeMap;

use crate::protocol::jwe::ContentEncryption;
use crate::protocol::oid4vci::{Flow, IssuerVariant};
use crate::protocol::oid4vp::{ClientIdPrefix, ResponseMode, VerifierFlaw};

use super::topology::VerifierVariant;
use super::wallet::WalletTrust;

/// The variant of every role, defaults where the options say nothing.
#[derive(Debug, Clone)]
pub struct RoleVariant {
    pub issuer: IssuerVariant,
    /// The client identifier prefixes the wallet accepts.
    pub wallet_prefixes: Vec<ClientIdPrefix>,
    pub verifier: VerifierVariant,
}

impl Default for RoleVariant {
    fn default() -> Self {
        Self {
            issuer: IssuerVariant::default(),
            wallet_prefixes: WalletTrust::ALL_PREFIXES.to_vec(),
            verifier: VerifierVariant::default(),
        }
    }
}

/// An option that does not apply to the role or has a value the role cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct OptionError {
    pub key: String,
    pub message: String,
}

/// The options each role takes, with what they accept (for messages and docs).
pub const OPTIONS: &[(&str, &str, &str)] = &[
    (
        "issuer",
        "flows",
        "pre_authorized_code, authorization_code (comma separated)",
    ),
    ("issuer", "binding", "jwk, did:jwk (comma separated)"),
    (
        "wallet",
        "client_id_prefixes",
        "x509_san_dns, x509_hash, redirect_uri (comma separated)",
    ),
    (
        "verifier",
        "client_id_prefix",
        "x509_san_dns, x509_hash or redirect_uri",
    ),
    (
        "verifier",
        "response_mode",
        "direct_post or direct_post.jwt",
    ),
    (
        "verifier",
        "enc",
        "A128GCM, A256GCM (comma separated, in order of preference)",
    ),
    (
        "verifier",
        "flaw",
        "skip-status-check, skip-sd-hash-check, skip-kb-aud-check, accept-duplicate-digest, status-bits-msb-first (deliberate defects)",
    ),
];

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty())
}

/// Reads the options of a role (`issuer`, `wallet`, `verifier`, `status-list`, `trust-list`).
pub fn parse(role: &str, options: &BTreeMap<String, String>) -> Result<RoleVariant, OptionError> {
    let mut variant = RoleVariant::default();
    for (key, value) in options {
        let err = |message: String| OptionError {
            key: key.clone(),
            message,
        };
        let Some((_, _, accepted)) = OPTIONS.iter().find(|(r, k, _)| *r == role && k == key) else {
            let known: Vec<&str> = OPTIONS
                .iter()
                .filter(|(r, _, _)| *r == role)
                .map(|(_, k, _)| *k)
                .collect();
            return Err(err(format!(
                "not an option of the reference {role} (it takes: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        };
        let bad = |v: &str| err(format!("{v:?} is not one of {accepted}"));
        match key.as_str() {
            "flows" => {
                variant.issuer.flows = list(value)
                    .map(|v| Flow::from_name(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?;
            }
            "binding" => {
                variant.issuer.binding_methods = list(value)
                    .map(|v| {
                        matches!(v, "jwk" | "did:jwk")
                            .then(|| v.to_owned())
                            .ok_or_else(|| bad(v))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "client_id_prefixes" => {
                variant.wallet_prefixes = list(value)
                    .map(|v| ClientIdPrefix::from_name(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?;
            }
            "client_id_prefix" => {
                variant.verifier.prefix =
                    ClientIdPrefix::from_name(value).ok_or_else(|| bad(value))?;
            }
            "response_mode" => {
                variant.verifier.response_modes =
                    vec![ResponseMode::from_name(value).ok_or_else(|| bad(value))?];
            }
            "enc" => {
                variant.verifier.enc_values = list(value)
                    .map(|v| ContentEncryption::from_name(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?;
            }
            "flaw" => {
                variant.verifier.flaws = list(value)
                    .map(|v| VerifierFlaw::from_name(v).ok_or_else(|| bad(v)))
                    .collect::<Result<_, _>>()?;
            }
            _ => unreachable!("every key of OPTIONS is handled"),
        }
        let empty = match key.as_str() {
            "flows" => variant.issuer.flows.is_empty(),
            "binding" => variant.issuer.binding_methods.is_empty(),
            "client_id_prefixes" => variant.wallet_prefixes.is_empty(),
            "enc" => variant.verifier.enc_values.is_empty(),
            _ => false,
        };
        if empty {
            return Err(err(format!("name at least one of {accepted}")));
        }
    }
    Ok(variant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn options_choose_the_variant() {
        let v = parse(
            "verifier",
            &opts(&[
                ("client_id_prefix", "x509_hash"),
                ("response_mode", "direct_post.jwt"),
            ]),
        )
        .unwrap();
        assert_eq!(v.verifier.prefix, ClientIdPrefix::X509Hash);
        assert_eq!(v.verifier.response_modes, vec![ResponseMode::DirectPostJwt]);
        let i = parse(
            "issuer",
            &opts(&[("flows", "pre_authorized_code"), ("binding", "did:jwk")]),
        )
        .unwrap();
        assert_eq!(i.issuer.flows, vec![Flow::PreAuthorizedCode]);
        assert_eq!(i.issuer.binding_methods, vec!["did:jwk".to_owned()]);
    }

    #[test]
    fn bad_options_name_the_key() {
        let e = parse("wallet", &opts(&[("response_mode", "direct_post")])).unwrap_err();
        assert_eq!(e.key, "response_mode");
        assert!(e.message.contains("client_id_prefixes"), "{e}");
        let e = parse("issuer", &opts(&[("flows", "implicit")])).unwrap_err();
        assert!(e.message.contains("\"implicit\""), "{e}");
        let e = parse("issuer", &opts(&[("binding", " , ")])).unwrap_err();
        assert!(e.message.contains("at least one"), "{e}");
    }
}
