//! Cases for fuzzing a credential issuer (OpenID4VCI 1.0, pre-authorized code flow): a
//! generated subject, a holder key, and one [`IssuerMutation`] of the token request, the key
//! proof (Appendix F.1) or the credential request, with the verdict a conformant issuer must
//! reach.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::verifier::{Issuer, eu_claims, jp_claims};
use super::{Expectation, Expected, forge};
use crate::entropy::SeededEntropy;
use crate::formats::jose::{Algorithm, SigningKey, b64, sign_compact};
use crate::requirements::catalogue as req;

/// `typ` of a key proof (Appendix F.1).
const PROOF_TYP: &str = "openid4vci-proof+jwt";

/// One thing wrong with an issuance request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerMutation {
    None,
    /// The proof names its key by `kid` (did:jwk) rather than `jwk`: must be accepted when the
    /// issuer lists did:jwk, refused otherwise.
    ProofByDidJwk,
    ProofTypJwt,
    ProofAlgNone,
    ProofHmac,
    ProofAudWrong,
    ProofAudTrailingSlash,
    ProofIatFuture,
    ProofIatOld,
    ProofNonceWrong,
    ProofNonceMissing,
    ProofSignatureFlipped,
    ProofKeyNamedTwice,
    ProofPrivateKey,
    ProofMissing,
    UnknownConfiguration,
    AccessTokenWrong,
    TxCodeWrong,
    PreAuthorizedCodeWrong,
    /// A credential request padded to 300 KB.
    OversizedRequest,
    /// A credential request nested 300 levels deep.
    DeeplyNestedRequest,
}

impl IssuerMutation {
    pub const ALL: [IssuerMutation; 21] = [
        IssuerMutation::None,
        IssuerMutation::ProofByDidJwk,
        IssuerMutation::ProofTypJwt,
        IssuerMutation::ProofAlgNone,
        IssuerMutation::ProofHmac,
        IssuerMutation::ProofAudWrong,
        IssuerMutation::ProofAudTrailingSlash,
        IssuerMutation::ProofIatFuture,
        IssuerMutation::ProofIatOld,
        IssuerMutation::ProofNonceWrong,
        IssuerMutation::ProofNonceMissing,
        IssuerMutation::ProofSignatureFlipped,
        IssuerMutation::ProofKeyNamedTwice,
        IssuerMutation::ProofPrivateKey,
        IssuerMutation::ProofMissing,
        IssuerMutation::UnknownConfiguration,
        IssuerMutation::AccessTokenWrong,
        IssuerMutation::TxCodeWrong,
        IssuerMutation::PreAuthorizedCodeWrong,
        IssuerMutation::OversizedRequest,
        IssuerMutation::DeeplyNestedRequest,
    ];

    pub fn name(self) -> String {
        super::forge::kebab_name(&self)
    }
}

/// What an issuer's metadata says that changes what is expected of it.
#[derive(Debug, Clone, Copy)]
pub struct IssuerTraits {
    /// `jwk` is among `cryptographic_binding_methods_supported` (or the list is absent).
    pub binds_jwk: bool,
    pub binds_did_jwk: bool,
    /// The issuer has a Nonce Endpoint.
    pub nonce_endpoint: bool,
}

/// One issuer case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerCase {
    /// The subject's claims, for the issuer's profile.
    pub subject: Map<String, Value>,
    /// The offer asks for a transaction code.
    pub tx_code: bool,
    pub mutation: IssuerMutation,
    /// Seed of the holder key.
    pub key_seed: u64,
}

impl IssuerCase {
    /// The verdict a conformant issuer reaches, given what its metadata says: a proof naming
    /// its key by a binding method the issuer does not list (§12.2.4) is refused; without a
    /// Nonce Endpoint a proof's `nonce` is not required (Appendix F.1), so the nonce mutations
    /// may go either way; with one, the proof's creation time may be established by the
    /// server-provided nonce instead of `iat` (Appendix F.4, §13.8), so the `iat` mutations
    /// may go either way.
    pub fn expectation(&self, issuer: &IssuerTraits) -> Expectation {
        use IssuerMutation as M;
        let (binds_jwk, binds_did_jwk) = (issuer.binds_jwk, issuer.binds_did_jwk);
        let (verdict, requirement) = match self.mutation {
            M::ProofNonceWrong | M::ProofNonceMissing if !issuer.nonce_endpoint => {
                (Expected::Either, &req::OID4VCI_PROOF_NONCE)
            }
            M::None if !binds_jwk => (Expected::Reject, &req::OID4VCI_PROOF_KEY),
            M::None => (Expected::Accept, &req::OID4VCI_CREDENTIAL_RESPONSE),
            M::ProofByDidJwk if binds_did_jwk => {
                (Expected::Accept, &req::OID4VCI_CREDENTIAL_RESPONSE)
            }
            M::ProofByDidJwk => (Expected::Reject, &req::OID4VCI_PROOF_KEY),
            M::ProofTypJwt => (Expected::Reject, &req::OID4VCI_PROOF_TYP),
            M::ProofAlgNone | M::ProofHmac => (Expected::Reject, &req::OID4VCI_PROOF_ALG),
            M::ProofAudWrong | M::ProofAudTrailingSlash => {
                (Expected::Reject, &req::OID4VCI_PROOF_AUD)
            }
            M::ProofIatFuture | M::ProofIatOld if issuer.nonce_endpoint => {
                (Expected::Either, &req::OID4VCI_PROOF_IAT)
            }
            M::ProofIatFuture | M::ProofIatOld => (Expected::Reject, &req::OID4VCI_PROOF_IAT),
            M::ProofNonceWrong | M::ProofNonceMissing => {
                (Expected::Reject, &req::OID4VCI_PROOF_NONCE)
            }
            M::ProofSignatureFlipped | M::ProofKeyNamedTwice | M::ProofPrivateKey => {
                (Expected::Reject, &req::OID4VCI_PROOF_KEY)
            }
            M::ProofMissing | M::UnknownConfiguration => {
                (Expected::Reject, &req::OID4VCI_CREDENTIAL_REQUEST)
            }
            M::AccessTokenWrong => (Expected::Reject, &req::OID4VCI_ACCESS_TOKEN),
            M::TxCodeWrong => (Expected::Reject, &req::OID4VCI_TX_CODE),
            M::PreAuthorizedCodeWrong => (Expected::Reject, &req::OID4VCI_INVALID_GRANT),
            M::OversizedRequest | M::DeeplyNestedRequest => {
                (Expected::Either, &req::ROBUST_FAIL_CLEANLY)
            }
        };
        Expectation {
            verdict,
            requirement,
        }
    }

    /// The holder key the proof is signed with.
    pub fn holder_key(&self) -> Result<SigningKey, String> {
        SigningKey::generate(
            Algorithm::ES256,
            &mut SeededEntropy::new(self.key_seed, "fuzz/holder"),
        )
        .map_err(|e| e.to_string())
    }

    /// The key proof for `credential_issuer` and its `c_nonce` (`None`: the issuer has no
    /// Nonce Endpoint) at `now`.
    pub fn proof(
        &self,
        holder: &SigningKey,
        credential_issuer: &str,
        nonce: Option<&str>,
        now: i64,
    ) -> Result<String, String> {
        use IssuerMutation as M;
        let m = self.mutation;
        let jwk = serde_json::to_value(holder.public_jwk()).unwrap_or(Value::Null);
        let did = format!("did:jwk:{}#0", b64(jwk.to_string()));
        let mut header = Map::new();
        header.insert(
            "typ".into(),
            json!(if m == M::ProofTypJwt {
                "JWT"
            } else {
                PROOF_TYP
            }),
        );
        match m {
            M::ProofByDidJwk => {
                header.insert("kid".into(), json!(did));
            }
            M::ProofKeyNamedTwice => {
                header.insert("jwk".into(), jwk);
                header.insert("kid".into(), json!(did));
            }
            M::ProofPrivateKey => {
                header.insert(
                    "jwk".into(),
                    serde_json::to_value(holder.private_jwk()).unwrap_or(Value::Null),
                );
            }
            _ => {
                header.insert("jwk".into(), jwk);
            }
        }
        let mut claims = Map::new();
        claims.insert(
            "aud".into(),
            json!(match m {
                M::ProofAudWrong => "https://issuer.elsewhere.example".to_owned(),
                M::ProofAudTrailingSlash => format!("{credential_issuer}/"),
                _ => credential_issuer.to_owned(),
            }),
        );
        claims.insert(
            "iat".into(),
            json!(match m {
                M::ProofIatFuture => now + 3600,
                M::ProofIatOld => now - 86_400,
                _ => now,
            }),
        );
        match (m, nonce) {
            (M::ProofNonceMissing, _) => {}
            (M::ProofNonceWrong, n) => {
                claims.insert(
                    "nonce".into(),
                    json!(format!("{}-other", n.unwrap_or("accord"))),
                );
            }
            (_, Some(n)) => {
                claims.insert("nonce".into(), json!(n));
            }
            (_, None) => {}
        }
        let jwt = match m {
            M::ProofAlgNone => forge::alg_none(header, &claims),
            M::ProofHmac => forge::hmac_with_public_key(header, &claims, &holder.public_jwk()),
            _ => sign_compact(header, &claims, holder).map_err(|e| e.to_string())?,
        };
        Ok(if m == M::ProofSignatureFlipped {
            forge::flip_signature(jwt)
        } else {
            jwt
        })
    }

    /// The credential request body.
    pub fn credential_request(&self, configuration_id: &str, proof: &str) -> Value {
        use IssuerMutation as M;
        let id = if self.mutation == M::UnknownConfiguration {
            format!("{configuration_id}_unknown")
        } else {
            configuration_id.to_owned()
        };
        let mut body = json!({"credential_configuration_id": id});
        if self.mutation != M::ProofMissing {
            body["proofs"] = json!({"jwt": [proof]});
        }
        match self.mutation {
            M::OversizedRequest => body["x_padding"] = json!("x".repeat(300_000)),
            M::DeeplyNestedRequest => body["x_nested"] = forge::nested(300),
            _ => {}
        }
        body
    }
}

/// Every issuer case for an issuer of `profile` (`Eu` or `Jp`): a quarter unmutated.
pub fn cases(issuer: Issuer) -> impl Strategy<Value = IssuerCase> {
    let subject = match issuer {
        Issuer::Eu => eu_claims().sboxed(),
        Issuer::Jp => jp_claims().sboxed(),
    };
    let mutation = prop_oneof![
        1 => Just(IssuerMutation::None),
        3 => proptest::sample::select(&IssuerMutation::ALL[1..]),
    ];
    (subject, any::<bool>(), mutation, 0u64..(1 << 53)).prop_map(
        |(subject, tx_code, mutation, key_seed)| IssuerCase {
            tx_code: tx_code || mutation == IssuerMutation::TxCodeWrong,
            subject,
            mutation,
            key_seed,
        },
    )
}
