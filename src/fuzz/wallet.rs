//! Cases for fuzzing a wallet (OpenID4VP 1.0, signed request objects under `x509_san_dns`):
//! the campaign plays the JP verifier, asks for a random subset of the claims of the JP
//! degree the wallet holds, and applies one [`WalletMutation`] to the authorization request
//! or its request object, with the verdict a conformant wallet must reach.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::verifier::escape_non_ascii;
use super::{Expectation, Expected, forge};
use crate::formats::jose::{SigningKey, b64, sign_compact};
use crate::protocol::oid4vp::{REQUEST_TYP, STATIC_AUDIENCE};
use crate::requirements::catalogue as req;
use crate::trust::pki::TestPki;
use crate::trust::trust_list::base64_std;

/// The credential query id of every case.
pub const QUERY_ID: &str = "degree";

/// Claims of the JP degree a query may ask for (always disclosable in the profile).
pub const ASKABLE: [&str; 8] = [
    "family_name",
    "given_name",
    "family_name_latin",
    "given_name_latin",
    "degree",
    "credits",
    "awarding_date",
    "birthdate",
];

/// One thing wrong (or unusual) with an authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WalletMutation {
    None,
    ExpiredRequestObject,
    UntypedRequestObject,
    ClientIdMismatch,
    SignatureFlipped,
    AlgNone,
    /// Signed by a key whose certificate chains to an issuer CA, not to a relying-party CA.
    UntrustedSigner,
    UnknownClientIdPrefix,
    DcqlMalformed,
    TransactionData,
    NonceMissing,
    /// Non-ASCII text in the request object written as `\uXXXX` escapes: same JSON, must be
    /// accepted.
    KanjiEscaped,
    /// A 300 KB request object.
    OversizedRequestObject,
    /// `client_metadata` nested 300 levels deep.
    DeeplyNestedRequestObject,
}

impl WalletMutation {
    pub const ALL: [WalletMutation; 14] = [
        WalletMutation::None,
        WalletMutation::ExpiredRequestObject,
        WalletMutation::UntypedRequestObject,
        WalletMutation::ClientIdMismatch,
        WalletMutation::SignatureFlipped,
        WalletMutation::AlgNone,
        WalletMutation::UntrustedSigner,
        WalletMutation::UnknownClientIdPrefix,
        WalletMutation::DcqlMalformed,
        WalletMutation::TransactionData,
        WalletMutation::NonceMissing,
        WalletMutation::KanjiEscaped,
        WalletMutation::OversizedRequestObject,
        WalletMutation::DeeplyNestedRequestObject,
    ];

    pub fn name(self) -> String {
        super::forge::kebab_name(&self)
    }
}

/// One wallet case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletCase {
    /// The claims asked for (names from [`ASKABLE`]).
    pub ask: Vec<String>,
    pub mutation: WalletMutation,
    /// The verifier's display name in `client_metadata` (kanji and kana included).
    pub display_name: String,
}

/// A request the campaign serves: the authorization request the wallet is handed, and the
/// request object behind its `request_uri`.
pub struct BuiltRequest {
    pub authorization_request: String,
    pub request_object: String,
    pub client_id: String,
    pub nonce: String,
    pub state: String,
}

impl WalletCase {
    pub fn expectation(&self) -> Expectation {
        use WalletMutation as M;
        let (verdict, requirement) = match self.mutation {
            M::None | M::KanjiEscaped => (Expected::Accept, &req::OID4VP_QUERY_PRESENT),
            M::ExpiredRequestObject => (Expected::Reject, &req::JAR_EXP),
            M::UntypedRequestObject => (Expected::Reject, &req::JAR_TYP),
            M::ClientIdMismatch => (Expected::Reject, &req::JAR_CLIENT_ID),
            M::SignatureFlipped | M::AlgNone | M::UntrustedSigner => {
                (Expected::Reject, &req::OID4VP_REQUEST_TRUST)
            }
            M::UnknownClientIdPrefix => (Expected::Reject, &req::OID4VP_CLIENT_ID_PREFIX),
            M::DcqlMalformed => (Expected::Reject, &req::OID4VP_DCQL_VALID),
            M::TransactionData => (Expected::Reject, &req::OID4VP_TRANSACTION_DATA),
            M::NonceMissing => (Expected::Reject, &req::OID4VP_NONCE),
            M::OversizedRequestObject | M::DeeplyNestedRequestObject => {
                (Expected::Either, &req::ROBUST_FAIL_CLEANLY)
            }
        };
        Expectation {
            verdict,
            requirement,
        }
    }

    /// Builds the request for the campaign's verifier at `base` (request object at
    /// `{base}/request/{key}`, responses to `{base}/response`), signed as the JP verifier.
    pub fn build(
        &self,
        pki: &TestPki,
        base: &str,
        key: &str,
        now: i64,
    ) -> Result<BuiltRequest, String> {
        use WalletMutation as M;
        let m = self.mutation;
        let j = &pki.jp;
        let client_id = if m == M::UnknownClientIdPrefix {
            // A prefix OpenID4VP 1.0 §5.9.3 does not define.
            format!("accord-unknown:{}", j.verifier_host)
        } else {
            format!("x509_san_dns:{}", j.verifier_host)
        };
        let nonce = b64(format!("nonce-{key}"));
        let state = format!("state-{key}");
        let claims: Vec<Value> = self.ask.iter().map(|n| json!({"path": [n]})).collect();
        let query = if m == M::DcqlMalformed {
            json!({"credentials": {"id": QUERY_ID}})
        } else {
            json!({"credentials": [{
                "id": QUERY_ID,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [crate::profiles::Profile::JpDegree.vct()]},
                "claims": claims,
            }]})
        };
        let mut metadata = Map::new();
        metadata.insert(
            "vp_formats_supported".into(),
            json!({"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}}),
        );
        metadata.insert("client_name".into(), json!(self.display_name));
        match m {
            M::DeeplyNestedRequestObject => {
                metadata.insert("x_nested".into(), forge::nested(300));
            }
            M::OversizedRequestObject => {
                metadata.insert("x_padding".into(), json!("x".repeat(300_000)));
            }
            _ => {}
        }
        let mut c = Map::new();
        c.insert(
            "client_id".into(),
            json!(if m == M::ClientIdMismatch {
                format!("x509_san_dns:impostor.{}", j.verifier_host)
            } else {
                client_id.clone()
            }),
        );
        c.insert("response_type".into(), json!("vp_token"));
        c.insert("response_mode".into(), json!("direct_post"));
        c.insert("response_uri".into(), json!(format!("{base}/response")));
        if m != M::NonceMissing {
            c.insert("nonce".into(), json!(nonce));
        }
        c.insert("state".into(), json!(state));
        c.insert("dcql_query".into(), query);
        c.insert("client_metadata".into(), Value::Object(metadata));
        if m == M::TransactionData {
            c.insert(
                "transaction_data".into(),
                json!([b64(
                    json!({"type": "accord-fuzz", "credential_ids": [QUERY_ID]}).to_string()
                )]),
            );
        }
        c.insert("aud".into(), json!(STATIC_AUDIENCE));
        c.insert("iat".into(), json!(now));
        c.insert(
            "exp".into(),
            json!(if m == M::ExpiredRequestObject {
                // Beyond any clock-skew leeway a wallet may allow.
                now - 600
            } else {
                now + 300
            }),
        );
        let (signer, chain): (&SigningKey, Vec<Vec<u8>>) = if m == M::UntrustedSigner {
            (&pki.eu.issuer.key, pki.eu.issuer_chain())
        } else {
            (&j.verifier.key, j.verifier_chain())
        };
        let mut header = Map::new();
        header.insert(
            "typ".into(),
            json!(if m == M::UntypedRequestObject {
                "JWT"
            } else {
                REQUEST_TYP
            }),
        );
        header.insert(
            "x5c".into(),
            json!(chain.iter().map(|d| base64_std(d)).collect::<Vec<_>>()),
        );
        let request_object = match m {
            M::AlgNone => forge::alg_none(header, &c),
            M::KanjiEscaped => {
                // Signed over the escaped payload text: the same claims, other bytes.
                header.insert("alg".into(), json!("ES256"));
                let h = b64(serde_json::to_vec(&header).unwrap_or_default());
                let p = b64(escape_non_ascii(
                    &serde_json::to_string(&c).unwrap_or_default(),
                ));
                let input = format!("{h}.{p}");
                let sig = signer.sign(input.as_bytes()).map_err(|e| e.to_string())?;
                format!("{input}.{}", b64(sig))
            }
            _ => sign_compact(header, &c, signer).map_err(|e| e.to_string())?,
        };
        let request_object = if m == M::SignatureFlipped {
            forge::flip_signature(request_object)
        } else {
            request_object
        };
        let request_uri = format!("{base}/request/{key}");
        let authorization_request = format!(
            "openid4vp://?{}",
            crate::protocol::oid4vci::form(&[
                ("client_id", &client_id),
                ("request_uri", &request_uri),
                ("request_uri_method", "get"),
            ])
        );
        Ok(BuiltRequest {
            authorization_request,
            request_object,
            client_id,
            nonce,
            state,
        })
    }
}

/// Every wallet case: a quarter unmutated.
pub fn cases() -> impl Strategy<Value = WalletCase> {
    let mutation = prop_oneof![
        1 => Just(WalletMutation::None),
        3 => proptest::sample::select(&WalletMutation::ALL[1..]),
    ];
    (
        proptest::sample::subsequence(ASKABLE.to_vec(), 1..=ASKABLE.len()),
        mutation,
        proptest::sample::select(
            &[
                "浪速大学 入試課",
                "Accord admissions",
                "アドミッションズ・オフィス",
                "𠮷野大学",
            ][..],
        ),
    )
        .prop_map(|(ask, mutation, name)| WalletCase {
            ask: ask.into_iter().map(str::to_owned).collect(),
            mutation,
            display_name: name.to_owned(),
        })
}
