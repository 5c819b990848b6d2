//! OpenID4VP 1.0, sans I/O: the verifier's transactions ([`Verifier`]) and the wallet's side
//! ([`parse_authorization_request`], [`verify_request_object`], [`build_response`]).
//!
//! The verifier signs request objects (`oauth-authz-req+jwt`, `x5c`) for the client
//! identifier prefixes `x509_san_dns` and `x509_hash`, or sends an unsigned request by value
//! under `redirect_uri`; asks with DCQL; takes `direct_post` and `direct_post.jwt`
//! (ECDH-ES P-256 with A128GCM / A256GCM) answers; binds each to its nonce and state; and
//! validates the VP token as §8.6 orders, through the credential core. Its results (claims,
//! violations, recognition) are what the control API reports.
//!
//! Checking a status list needs I/O, so a response is taken in two steps: [`Verifier::receive`]
//! decrypts and matches it, the caller fetches the status lists named by
//! [`status_list_uris`], and [`Verifier::finish`] validates.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::dcql::{self, Candidate, ClaimsPathPointer, DcqlQuery, PathElement};
use super::jwe::{self, ContentEncryption, EcdhKey};
use super::ledger::{Ledger, json_size};
use super::{ProtocolError, random_token};
use crate::credential::{IssuerTrust, StatusInput, VerifyConfig, verify_credential};
use crate::entropy::{Entropy, SeededEntropy};
use crate::formats::jose::{CompactJws, SigningKey, b64, b64_decode, sign_compact};
use crate::formats::sd_jwt::present::{KeyBinding, holder_view, present};
use crate::formats::sd_jwt::verify::KbExpectation;
use crate::formats::sd_jwt::{ClaimPath, Disclosure, SdJwt};
use crate::formats::sd_jwt_vc::TypMode;
use crate::profiles::Profile;
use crate::profiles::recognition;
use crate::requirements::{Requirement, Violation, catalogue as req};
use crate::trust::resolver::TrustContext;
use crate::trust::trust_list::base64_std;
use crate::trust::x5c::{Anchor, decode_x5c, validate};

pub const REQUEST_TYP: &str = "oauth-authz-req+jwt";
/// `aud` of a request object under static discovery (§5.8).
pub const STATIC_AUDIENCE: &str = "https://self-issued.me/v2";
pub const SCHEME: &str = "openid4vp://";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientIdPrefix {
    X509SanDns,
    X509Hash,
    RedirectUri,
}

impl ClientIdPrefix {
    pub const ALL: [ClientIdPrefix; 3] = [
        ClientIdPrefix::X509SanDns,
        ClientIdPrefix::X509Hash,
        ClientIdPrefix::RedirectUri,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ClientIdPrefix::X509SanDns => "x509_san_dns",
            ClientIdPrefix::X509Hash => "x509_hash",
            ClientIdPrefix::RedirectUri => "redirect_uri",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "x509_san_dns" => Some(ClientIdPrefix::X509SanDns),
            "x509_hash" => Some(ClientIdPrefix::X509Hash),
            "redirect_uri" => Some(ClientIdPrefix::RedirectUri),
            _ => None,
        }
    }

    pub fn from_client_id(client_id: &str) -> Option<Self> {
        Self::from_name(client_id.split_once(':')?.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResponseMode {
    #[serde(rename = "direct_post")]
    DirectPost,
    #[serde(rename = "direct_post.jwt")]
    DirectPostJwt,
}

impl ResponseMode {
    pub fn name(self) -> &'static str {
        match self {
            ResponseMode::DirectPost => "direct_post",
            ResponseMode::DirectPostJwt => "direct_post.jwt",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "direct_post" => Some(ResponseMode::DirectPost),
            "direct_post.jwt" => Some(ResponseMode::DirectPostJwt),
            _ => None,
        }
    }
}

/// `request_uri_method` (§5.1): how a wallet fetches a request object by reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestUriMethod {
    #[default]
    Get,
    /// A form-encoded POST that may carry `wallet_nonce` and `wallet_metadata` (§5.10).
    Post,
}

impl RequestUriMethod {
    pub fn name(self) -> &'static str {
        match self {
            RequestUriMethod::Get => "get",
            RequestUriMethod::Post => "post",
        }
    }
}

/// Ways the reference verifier can be told to misbehave, to test wallets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifierFault {
    /// The request object's `exp` is already in the past.
    ExpiredRequestObject,
    /// The request object names a different `client_id` than the authorization request.
    MismatchedClientId,
    /// The request object's `typ` is plain `JWT`.
    UntypedRequestObject,
    /// The request carries `transaction_data` (which the reference wallet does not support).
    TransactionData,
    /// A request object fetched by POST leaves out the `wallet_nonce` the wallet sent.
    DropWalletNonce,
}

/// A verifier's identity and policy.
pub struct VerifierConfig {
    /// Where the verifier's HTTP endpoints are, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// `EU` or `JP`: whose arrangement rules apply, and which way recognition goes.
    pub jurisdiction: String,
    pub prefix: ClientIdPrefix,
    /// The dNSName in the access certificate.
    pub dns_name: String,
    pub signing_key: SigningKey,
    /// The access certificate chain, leaf first.
    pub chain: Vec<Vec<u8>>,
    pub response_modes: Vec<ResponseMode>,
    /// `enc` values advertised for encrypted responses, in order of preference.
    pub enc_values: Vec<ContentEncryption>,
    /// Lifetime of request objects and transactions, seconds.
    pub request_lifetime: i64,
    pub display_name: String,
    /// Rules this build deliberately breaks (empty for the reference verifier).
    pub flaws: Vec<VerifierFlaw>,
}

/// A deliberate defect, for builds of the reference verifier that stand in for a flawed
/// implementation under test (a failing matrix cell, a campaign's planted bug). Never on by
/// default; every use is visible in the role's capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierFlaw {
    /// Accepts credentials without looking at their status list (breaks Token Status List
    /// §8.3 and the SD-JWT VC status rule).
    SkipStatusCheck,
    /// Ignores what the KB-JWT's `sd_hash` says (breaks RFC 9901 §7.3): a presentation whose
    /// disclosures were changed after the holder signed still passes.
    SkipSdHashCheck,
    /// Ignores the KB-JWT's `aud` (breaks RFC 9901 §7.3 and OpenID4VP §8.6): a presentation
    /// made for another verifier passes. A fuzzing campaign's planted bug.
    SkipKbAudCheck,
    /// Accepts an issuer-signed JWT in which a digest appears more than once (breaks
    /// RFC 9901 §7.1 step 4). A fuzzing campaign's planted bug.
    AcceptDuplicateDigest,
    /// Reads status list entries most significant bits first within each byte (Token Status
    /// List §4.1 numbers them from the least significant bit). A fuzzing campaign's planted
    /// bug.
    StatusBitsMsbFirst,
}

impl VerifierFlaw {
    pub const ALL: [VerifierFlaw; 5] = [
        VerifierFlaw::SkipStatusCheck,
        VerifierFlaw::SkipSdHashCheck,
        VerifierFlaw::SkipKbAudCheck,
        VerifierFlaw::AcceptDuplicateDigest,
        VerifierFlaw::StatusBitsMsbFirst,
    ];

    pub fn name(self) -> &'static str {
        match self {
            VerifierFlaw::SkipStatusCheck => "skip-status-check",
            VerifierFlaw::SkipSdHashCheck => "skip-sd-hash-check",
            VerifierFlaw::SkipKbAudCheck => "skip-kb-aud-check",
            VerifierFlaw::AcceptDuplicateDigest => "accept-duplicate-digest",
            VerifierFlaw::StatusBitsMsbFirst => "status-bits-msb-first",
        }
    }

    /// The requirement whose violations this build drops, for flaws that are a skipped check.
    fn ignored_requirement(self) -> Option<&'static str> {
        match self {
            VerifierFlaw::SkipSdHashCheck => Some(req::SDJWT_KB_SD_HASH.id),
            VerifierFlaw::SkipKbAudCheck => Some(req::SDJWT_KB_AUD.id),
            VerifierFlaw::AcceptDuplicateDigest => Some(req::SDJWT_DUPLICATE_DIGEST.id),
            VerifierFlaw::SkipStatusCheck | VerifierFlaw::StatusBitsMsbFirst => None,
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl VerifierConfig {
    pub fn response_uri(&self) -> String {
        format!("{}/response", self.base_url.trim_end_matches('/'))
    }

    /// The full client identifier under the default prefix (§5.9).
    pub fn client_id(&self) -> String {
        self.client_id_for(self.prefix)
    }

    /// The prefixes a request may be created under, the default first: every one, since
    /// the verifier holds an access certificate (`x509_san_dns`, `x509_hash`) and a
    /// response URI (`redirect_uri`).
    pub fn prefixes(&self) -> Vec<ClientIdPrefix> {
        let mut all = vec![self.prefix];
        all.extend(
            ClientIdPrefix::ALL
                .into_iter()
                .filter(|p| *p != self.prefix),
        );
        all
    }

    /// The full client identifier under `prefix` (§5.9).
    pub fn client_id_for(&self, prefix: ClientIdPrefix) -> String {
        match prefix {
            ClientIdPrefix::X509SanDns => format!("x509_san_dns:{}", self.dns_name),
            ClientIdPrefix::X509Hash => format!(
                "x509_hash:{}",
                b64(aws_lc_rs::digest::digest(
                    &aws_lc_rs::digest::SHA256,
                    self.chain.first().map_or(&[][..], Vec::as_slice)
                ))
            ),
            ClientIdPrefix::RedirectUri => format!("redirect_uri:{}", self.response_uri()),
        }
    }

    /// `vp_formats_supported` (§11.1, Appendix B.3.4).
    pub fn vp_formats(&self) -> Value {
        json!({"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}})
    }
}

/// What the control API asks for.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateRequest {
    pub dcql_query: Value,
    #[serde(default)]
    pub response_mode: Option<ResponseMode>,
    /// The client identifier prefix for this request; the verifier's default when absent.
    #[serde(default)]
    pub client_id_prefix: Option<ClientIdPrefix>,
    /// How the wallet is to fetch the request object (§5.1 `request_uri_method`): `get`
    /// when absent; `post` lets the wallet send a `wallet_nonce` (§5.10).
    #[serde(default)]
    pub request_uri_method: Option<RequestUriMethod>,
    #[serde(default)]
    pub misbehave: Vec<VerifierFault>,
}

/// A created authorization request.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedRequest {
    pub id: String,
    /// What a QR code or link would carry: `openid4vp://?client_id=…&request_uri=…`.
    pub authorization_request: String,
    pub client_id: String,
    pub response_mode: ResponseMode,
    pub nonce: String,
    pub state: String,
}

/// Where a transaction stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    Pending,
    /// A response arrived and is being validated (status and trust lists are being fetched);
    /// a second response for the transaction is refused meanwhile.
    Processing,
    Verified {
        result: Value,
    },
    Rejected {
        result: Value,
    },
    /// The wallet answered with an error response (§8.5).
    WalletError {
        error: String,
        description: Option<String>,
    },
}

struct Transaction {
    prefix: ClientIdPrefix,
    nonce: String,
    state: String,
    query: DcqlQuery,
    query_json: Value,
    mode: ResponseMode,
    enc_key: Option<EcdhKey>,
    expires: i64,
    faults: Vec<VerifierFault>,
    outcome: Outcome,
    /// Responses refused before they could be judged that name this transaction (by their
    /// JWE `kid` or their `state`), newest last, at most [`MAX_REFUSALS_KEPT`].
    refused: Vec<Value>,
    /// [`Verifier::responses_refused`] when the transaction was created: unmatched refusals
    /// counted after it may have been meant for it.
    refusals_before: u64,
}

/// Refused responses remembered per transaction, and unmatched ones per verifier.
pub const MAX_REFUSALS_KEPT: usize = 16;

/// A response matched to its transaction, waiting for status lists.
pub struct Received {
    pub transaction: String,
    pub vp_token: Value,
}

/// A verifier: configuration plus its open transactions.
pub struct Verifier {
    pub config: VerifierConfig,
    entropy: SeededEntropy,
    transactions: HashMap<String, Transaction>,
    by_state: HashMap<String, String>,
    /// Transaction ids, oldest first, with their sizes: the memory is bounded
    /// ([`MAX_TRANSACTIONS`], [`MAX_TRANSACTION_BYTES`]).
    created: Ledger,
    /// Responses refused so far that named no transaction (an unknown `kid` or `state`, no
    /// `state`), each with its count in [`Self::responses_refused`]; the newest
    /// [`MAX_REFUSALS_KEPT`].
    unmatched: std::collections::VecDeque<(u64, Value)>,
    responses_refused: u64,
}

/// Transactions a verifier remembers at most. Beyond it the oldest is forgotten (a late
/// response to it is refused as an unknown state), so memory stays flat however many
/// requests a long fuzzing campaign or a busy deployment creates.
pub const MAX_TRANSACTIONS: usize = 4096;

/// Bytes of transactions (their DCQL queries, the bulk of what one holds) a verifier
/// remembers at most; beyond it the oldest are forgotten, as beyond [`MAX_TRANSACTIONS`].
/// Issue 17: 4,096 transactions of 240 KB queries took a verifier to 2.1 GB.
pub const MAX_TRANSACTION_BYTES: usize = 32 * 1024 * 1024;

/// What a transaction is charged besides its query: keys, nonce, state, outcome.
const TRANSACTION_OVERHEAD: usize = 1024;

fn invalid_request(r: &'static Requirement, d: impl Into<String>) -> ProtocolError {
    ProtocolError::bad_request("invalid_request", r, d)
}

impl Verifier {
    pub fn new(config: VerifierConfig, entropy: SeededEntropy) -> Self {
        Self {
            config,
            entropy,
            transactions: HashMap::new(),
            by_state: HashMap::new(),
            created: Ledger::new(MAX_TRANSACTIONS, MAX_TRANSACTION_BYTES),
            unmatched: std::collections::VecDeque::new(),
            responses_refused: 0,
        }
    }

    /// Records a new transaction's id, state and size, forgetting the oldest beyond the
    /// bounds.
    fn remember(&mut self, id: String, state: String, size: usize) {
        for old in self.created.admit(id.clone(), size) {
            if let Some(tx) = self.transactions.remove(&old) {
                self.by_state.remove(&tx.state);
            }
        }
        self.by_state.insert(state, id);
    }

    /// Transactions remembered, and the bytes the bound counts for them.
    pub fn held(&self) -> (usize, usize) {
        (self.transactions.len(), self.created.bytes())
    }

    /// Starts a transaction: checks the DCQL query (§6) and mints nonce, state and, for
    /// `direct_post.jwt`, an ephemeral response-encryption key.
    pub fn create_request(
        &mut self,
        request: &CreateRequest,
        now: i64,
    ) -> Result<CreatedRequest, ProtocolError> {
        let query = DcqlQuery::parse(&request.dcql_query)
            .map_err(|v| invalid_request(&req::OID4VP_DCQL_VALID, v.to_string()))?;
        let problems = query.validate();
        if !problems.is_empty() {
            return Err(ProtocolError {
                status: 400,
                error: "invalid_request",
                description: problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                violations: problems
                    .iter()
                    .map(|p| Violation::new(&req::OID4VP_DCQL_VALID, p.to_string()))
                    .collect(),
            });
        }
        let mode = request
            .response_mode
            .or_else(|| self.config.response_modes.first().copied())
            .unwrap_or(ResponseMode::DirectPost);
        if !self.config.response_modes.contains(&mode) {
            return Err(invalid_request(
                &req::OID4VP_DIRECT_POST,
                format!("this verifier does not use response mode {}", mode.name()),
            ));
        }
        let prefix = request.client_id_prefix.unwrap_or(self.config.prefix);
        if !self.config.prefixes().contains(&prefix) {
            return Err(invalid_request(
                &req::OID4VP_CLIENT_ID_PREFIX,
                format!(
                    "this verifier does not use the client identifier prefix {}",
                    prefix.name()
                ),
            ));
        }
        let id = random_token(&mut self.entropy, 16);
        let nonce = random_token(&mut self.entropy, 24);
        let state = random_token(&mut self.entropy, 24);
        let enc_key = match mode {
            ResponseMode::DirectPostJwt => {
                Some(EcdhKey::generate(&mut self.entropy).map_err(|e| {
                    ProtocolError::new(
                        500,
                        "server_error",
                        &req::OID4VP_ENCRYPTED_RESPONSE,
                        e.to_string(),
                    )
                })?)
            }
            ResponseMode::DirectPost => None,
        };
        let client_id = self.config.client_id_for(prefix);
        let authorization_request = if prefix == ClientIdPrefix::RedirectUri {
            // Unsigned, by value (§5.9.3: redirect_uri requests cannot be signed).
            let params = self.request_claims(
                prefix,
                &id,
                &nonce,
                &state,
                &request.dcql_query,
                mode,
                enc_key.as_ref(),
                now,
                &request.misbehave,
            );
            let pairs: Vec<(String, String)> = params
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect();
            let refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            format!("{SCHEME}?{}", super::oid4vci::form(&refs))
        } else {
            let request_uri = format!(
                "{}/request/{id}",
                self.config.base_url.trim_end_matches('/')
            );
            format!(
                "{SCHEME}?{}",
                super::oid4vci::form(&[
                    ("client_id", &client_id),
                    ("request_uri", &request_uri),
                    (
                        "request_uri_method",
                        request.request_uri_method.unwrap_or_default().name(),
                    ),
                ])
            )
        };
        self.remember(
            id.clone(),
            state.clone(),
            json_size(&request.dcql_query) + TRANSACTION_OVERHEAD,
        );
        self.transactions.insert(
            id.clone(),
            Transaction {
                prefix,
                nonce: nonce.clone(),
                state: state.clone(),
                query,
                query_json: request.dcql_query.clone(),
                mode,
                enc_key,
                expires: now + self.config.request_lifetime,
                faults: request.misbehave.clone(),
                outcome: Outcome::Pending,
                refused: Vec::new(),
                refusals_before: self.responses_refused,
            },
        );
        Ok(CreatedRequest {
            id,
            authorization_request,
            client_id,
            response_mode: mode,
            nonce,
            state,
        })
    }

    #[expect(clippy::too_many_arguments)]
    fn request_claims(
        &self,
        prefix: ClientIdPrefix,
        id: &str,
        nonce: &str,
        state: &str,
        query: &Value,
        mode: ResponseMode,
        enc_key: Option<&EcdhKey>,
        now: i64,
        faults: &[VerifierFault],
    ) -> Map<String, Value> {
        let mut metadata = Map::new();
        metadata.insert("vp_formats_supported".into(), self.config.vp_formats());
        if let Some(key) = enc_key {
            let mut jwk = key.public_jwk();
            jwk.insert("use".into(), json!("enc"));
            jwk.insert("alg".into(), json!("ECDH-ES"));
            jwk.insert("kid".into(), json!(id));
            metadata.insert("jwks".into(), json!({"keys": [jwk]}));
            metadata.insert(
                "encrypted_response_enc_values_supported".into(),
                json!(
                    self.config
                        .enc_values
                        .iter()
                        .map(|e| e.name())
                        .collect::<Vec<_>>()
                ),
            );
        }
        let mut client_id = self.config.client_id_for(prefix);
        if faults.contains(&VerifierFault::MismatchedClientId) {
            client_id = format!("x509_san_dns:impostor.{}", self.config.dns_name);
        }
        let mut c = Map::new();
        c.insert("client_id".into(), json!(client_id));
        c.insert("response_type".into(), json!("vp_token"));
        c.insert("response_mode".into(), json!(mode.name()));
        c.insert("response_uri".into(), json!(self.config.response_uri()));
        c.insert("nonce".into(), json!(nonce));
        c.insert("state".into(), json!(state));
        c.insert("dcql_query".into(), query.clone());
        c.insert("client_metadata".into(), Value::Object(metadata));
        if faults.contains(&VerifierFault::TransactionData) {
            c.insert(
                "transaction_data".into(),
                json!([b64(
                    json!({"type": "accord-example", "credential_ids": ["x"]}).to_string()
                )]),
            );
        }
        if prefix != ClientIdPrefix::RedirectUri {
            c.insert("aud".into(), json!(STATIC_AUDIENCE));
            c.insert("iat".into(), json!(now));
            let exp = if faults.contains(&VerifierFault::ExpiredRequestObject) {
                now - 60
            } else {
                now + self.config.request_lifetime
            };
            c.insert("exp".into(), json!(exp));
        }
        c
    }

    /// The signed request object behind `request_uri` (§5, RFC 9101), with the
    /// `wallet_nonce` a wallet sent by POST (§5.10: the verifier MUST use it).
    pub fn request_object(
        &self,
        id: &str,
        wallet_nonce: Option<&str>,
        now: i64,
    ) -> Result<String, ProtocolError> {
        let tx = self
            .transactions
            .get(id)
            .filter(|t| matches!(t.outcome, Outcome::Pending) && now <= t.expires)
            .ok_or_else(|| {
                ProtocolError::new(
                    404,
                    "invalid_request_uri",
                    &req::OID4VP_STATE,
                    "unknown or finished request",
                )
            })?;
        let mut claims = self.request_claims(
            tx.prefix,
            id,
            &tx.nonce,
            &tx.state,
            &tx.query_json,
            tx.mode,
            tx.enc_key.as_ref(),
            now,
            &tx.faults,
        );
        if let Some(n) = wallet_nonce
            && !tx.faults.contains(&VerifierFault::DropWalletNonce)
        {
            claims.insert("wallet_nonce".into(), json!(n));
        }
        let mut header = Map::new();
        let typ = if tx.faults.contains(&VerifierFault::UntypedRequestObject) {
            "JWT"
        } else {
            REQUEST_TYP
        };
        header.insert("typ".into(), json!(typ));
        header.insert(
            "x5c".into(),
            json!(
                self.config
                    .chain
                    .iter()
                    .map(|d| base64_std(d))
                    .collect::<Vec<_>>()
            ),
        );
        sign_compact(header, &claims, &self.config.signing_key)
            .map_err(|e| ProtocolError::new(500, "server_error", &req::JAR_TYP, e.to_string()))
    }

    /// Step one of taking a response at the response URI (§8.2, §8.3.1): decrypt it if
    /// encrypted, match it to its transaction by `state`, parse `vp_token`. A wallet's error
    /// response ends the transaction and is answered `Ok(None)`.
    ///
    /// A response refused here is remembered, so the control API can say why a request is
    /// still pending: against the transaction it names (its JWE `kid`, else its `state`),
    /// or, naming none, as an unmatched response every request created before it shows.
    pub fn receive(
        &mut self,
        form: &BTreeMap<String, String>,
        now: i64,
    ) -> Result<Option<Received>, ProtocolError> {
        let result = self.match_response(form, now);
        if let Err(e) = &result {
            self.remember_refusal(form, e);
        }
        result
    }

    fn remember_refusal(&mut self, form: &BTreeMap<String, String>, e: &ProtocolError) {
        let refusal = json!({
            "error": e.error,
            "error_description": e.description,
            "violations": e.violations,
        });
        // The transaction the response names, read without trusting it: the JWE's `kid`
        // (the key it was encrypted to) or the plain `state`.
        let kid = form.get("response").and_then(|jwe| {
            let header = b64_decode(jwe.split('.').next()?).ok()?;
            let header: Map<String, Value> = serde_json::from_slice(&header).ok()?;
            header.get("kid")?.as_str().map(str::to_owned)
        });
        let named = kid
            .filter(|k| self.transactions.contains_key(k))
            .or_else(|| {
                form.get("state")
                    .and_then(|s| self.by_state.get(s).cloned())
            });
        match named.and_then(|id| self.transactions.get_mut(&id)) {
            Some(tx) => {
                if tx.refused.len() >= MAX_REFUSALS_KEPT {
                    tx.refused.remove(0);
                }
                tx.refused.push(refusal);
            }
            None => {
                self.responses_refused += 1;
                if self.unmatched.len() >= MAX_REFUSALS_KEPT {
                    self.unmatched.pop_front();
                }
                self.unmatched.push_back((self.responses_refused, refusal));
            }
        }
    }

    fn match_response(
        &mut self,
        form: &BTreeMap<String, String>,
        now: i64,
    ) -> Result<Option<Received>, ProtocolError> {
        // For an encrypted response, the transaction whose key decrypted it.
        let (params, decrypted_for): (Map<String, Value>, Option<String>) =
            match form.get("response") {
                Some(jwe_text) => {
                    let (kid, params) = self.decrypt(jwe_text)?;
                    (params, Some(kid))
                }
                None => (
                    form.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                    None,
                ),
            };
        let encrypted = decrypted_for.is_some();
        let state = params.get("state").and_then(Value::as_str).ok_or_else(|| {
            invalid_request(
                &req::OID4VP_STATE,
                "state is missing; this verifier always sends one",
            )
        })?;
        let id = self.by_state.get(state).cloned().ok_or_else(|| {
            invalid_request(
                &req::OID4VP_STATE,
                "unknown state: no open transaction has it",
            )
        })?;
        if decrypted_for.as_ref().is_some_and(|kid| *kid != id) {
            // Encrypted to another transaction's key: the response was not made for this
            // request's client_metadata (§8.3).
            return Err(invalid_request(
                &req::OID4VP_ENCRYPTED_RESPONSE,
                "the response is encrypted to another transaction's key than the one its state names",
            ));
        }
        let Some(tx) = self.transactions.get_mut(&id) else {
            return Err(invalid_request(&req::OID4VP_STATE, "unknown transaction"));
        };
        if !matches!(tx.outcome, Outcome::Pending) {
            return Err(invalid_request(
                &req::OID4VP_STATE,
                "this transaction already has a response; a second one is refused (replay)",
            ));
        }
        if now > tx.expires {
            return Err(invalid_request(
                &req::OID4VP_STATE,
                "the transaction has expired",
            ));
        }
        if let Some(error) = params.get("error").and_then(Value::as_str) {
            tx.outcome = Outcome::WalletError {
                error: error.to_owned(),
                description: params
                    .get("error_description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            return Ok(None);
        }
        if tx.mode == ResponseMode::DirectPostJwt && !encrypted {
            let e = invalid_request(
                &req::OID4VP_DIRECT_POST_JWT,
                "the request asked for direct_post.jwt but the response is not encrypted",
            );
            tx.outcome = Outcome::Rejected {
                result: rejection(&e),
            };
            return Err(e);
        }
        let vp_token = match params.get("vp_token") {
            Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| {
                invalid_request(&req::OID4VP_VP_TOKEN, format!("vp_token is not JSON: {e}"))
            }),
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            _ => Err(invalid_request(
                &req::OID4VP_VP_TOKEN,
                "vp_token is missing",
            )),
        };
        match vp_token {
            Ok(vp_token) => {
                tx.outcome = Outcome::Processing;
                Ok(Some(Received {
                    transaction: id,
                    vp_token,
                }))
            }
            Err(e) => {
                tx.outcome = Outcome::Rejected {
                    result: rejection(&e),
                };
                Err(e)
            }
        }
    }

    /// Decrypts a `direct_post.jwt` response; returns the transaction whose key it was
    /// encrypted to (its `kid`) and the payload.
    fn decrypt(&self, text: &str) -> Result<(String, Map<String, Value>), ProtocolError> {
        let bad = |d: String| invalid_request(&req::OID4VP_ENCRYPTED_RESPONSE, d);
        let header_b64 = text.split('.').next().unwrap_or_default();
        let header: Map<String, Value> = b64_decode(header_b64)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| bad("the response is not a compact JWE".into()))?;
        let kid = header.get("kid").and_then(Value::as_str).ok_or_else(|| {
            bad(
                "the JWE has no kid; it must name the client_metadata key it was encrypted to"
                    .into(),
            )
        })?;
        let tx = self
            .transactions
            .get(kid)
            .ok_or_else(|| bad(format!("kid {kid:?} names no key of this verifier")))?;
        let key = tx
            .enc_key
            .as_ref()
            .ok_or_else(|| bad("that transaction has no encryption key".into()))?;
        let decrypted =
            jwe::decrypt(text, key, &self.config.enc_values).map_err(|e| bad(e.to_string()))?;
        let payload = serde_json::from_slice(&decrypted.plaintext)
            .map_err(|e| bad(format!("the decrypted payload is not a JSON object: {e}")))?;
        Ok((kid.to_owned(), payload))
    }

    /// Step two: validates the VP token (§8.6) and records the outcome. `status_tokens`
    /// holds what was fetched for each status list URI (`None`: could not be fetched).
    pub fn finish(
        &mut self,
        received: Received,
        trust: &TrustContext,
        status_tokens: &HashMap<String, Option<String>>,
        now: i64,
    ) -> Result<Value, ProtocolError> {
        let jurisdiction = self.config.jurisdiction.clone();
        let Some(tx) = self.transactions.get_mut(&received.transaction) else {
            return Err(invalid_request(&req::OID4VP_STATE, "unknown transaction"));
        };
        if !matches!(tx.outcome, Outcome::Processing) {
            return Err(invalid_request(
                &req::OID4VP_STATE,
                "this transaction is not waiting for a response",
            ));
        }
        // Key binding is to the client identifier this request was made under (§8.6, B.3.6).
        let client_id = self.config.client_id_for(tx.prefix);
        // §8.6: a presentation that fails its checks is discarded; the VP token is rejected
        // when its own form is wrong or what remains does not satisfy the query.
        let mut token_violations: Vec<Violation> = Vec::new();
        for p in dcql::check_vp_token_shape(&tx.query, &received.vp_token) {
            if p.section.starts_with("8.") {
                token_violations
                    .push(Violation::new(&req::OID4VP_VP_TOKEN, p.to_string()).at("vp_token"));
            }
        }
        let mut violations: Vec<Violation> = Vec::new();
        let mut kept: Map<String, Value> = Map::new();
        let mut presentations = Vec::new();
        let mut recognitions = Vec::new();
        if let Some(entries) = received.vp_token.as_object() {
            for (query_id, list) in entries {
                let Some(cq) = tx.query.credentials.iter().find(|c| &c.id == query_id) else {
                    continue;
                };
                for (i, item) in list.as_array().into_iter().flatten().enumerate() {
                    let at = format!("vp_token.{query_id}[{i}]");
                    if cq.format == super::oid4vci::FORMAT_JWT_VC_JSON {
                        let checked =
                            check_jwt_vc_presentation(item, &client_id, &tx.nonce, trust, now, &at);
                        let mut own = checked.violations;
                        if own.iter().all(|v| !v.is_fatal()) {
                            for p in dcql::check_disclosed(cq, None, &checked.credential) {
                                own.push(
                                    Violation::new(&req::OID4VP_DCQL_SATISFIED, p.to_string())
                                        .at(at.clone()),
                                );
                            }
                        }
                        let valid = crate::requirements::all_pass(&own);
                        if valid {
                            let direction = if jurisdiction == "JP" {
                                recognition::Direction::EuInJp
                            } else {
                                recognition::Direction::JpInEu
                            };
                            let r = crate::profiles::micro_credential::assess(
                                &checked.credential,
                                direction,
                                recognition::Format::JwtVcJson,
                            );
                            recognitions
                                .push(json!({"credential_query": query_id, "recognition": r}));
                            keep(&mut kept, query_id, item);
                        }
                        presentations.push(json!({
                            "credential_query": query_id,
                            "valid": valid,
                            "format": cq.format,
                            "claims": checked.credential,
                            "holder": checked.holder,
                            "trust": checked.trust,
                            "violations": own,
                        }));
                        violations.extend(own);
                        continue;
                    }
                    let Some(text) = item.as_str() else {
                        violations.push(
                            Violation::new(
                                &req::OID4VP_VP_TOKEN,
                                "an SD-JWT VC presentation is a string",
                            )
                            .at(at),
                        );
                        continue;
                    };
                    let sd = match SdJwt::parse_compact(text) {
                        Ok(sd) => sd,
                        Err(e) => {
                            violations
                                .push(Violation::new(&req::SDJWT_FORMAT, e.to_string()).at(at));
                            continue;
                        }
                    };
                    let uri = status_uri_of(&sd);
                    let config = VerifyConfig {
                        now,
                        skew: 60,
                        // Holder binding unless the query says otherwise (§8.6 step 2.3).
                        key_binding: cq.require_cryptographic_holder_binding.then(|| {
                            KbExpectation {
                                aud: client_id.clone(),
                                nonce: tx.nonce.clone(),
                            }
                        }),
                        typ_mode: TypMode::Strict,
                        trust: IssuerTrust::Lists(TrustContext {
                            lists: trust.lists.clone(),
                            arrangement: trust.arrangement.clone(),
                            now,
                        }),
                        status: if self.config.flaws.contains(&VerifierFlaw::SkipStatusCheck) {
                            StatusInput::Skip
                        } else {
                            let token = uri.and_then(|u| status_tokens.get(&u).cloned().flatten());
                            if self
                                .config
                                .flaws
                                .contains(&VerifierFlaw::StatusBitsMsbFirst)
                            {
                                StatusInput::TokenMisread(token)
                            } else {
                                StatusInput::Token(token)
                            }
                        },
                        check_profile: true,
                    };
                    let mut report = verify_credential(&sd, None, &config);
                    let ignored: Vec<&str> = self
                        .config
                        .flaws
                        .iter()
                        .filter_map(|f| f.ignored_requirement())
                        .collect();
                    if !ignored.is_empty() {
                        report
                            .violations
                            .retain(|v| !ignored.contains(&v.requirement.id));
                        report.valid = crate::requirements::all_pass(&report.violations);
                    }
                    let mut own: Vec<Violation> = report
                        .violations
                        .iter()
                        .cloned()
                        .map(|v| v.at_if_unset(&at))
                        .collect();
                    if report.valid {
                        let vct = report.claims.get("vct").and_then(Value::as_str);
                        for p in
                            dcql::check_disclosed(cq, vct, &Value::Object(report.claims.clone()))
                        {
                            // A value outside `values` breaks the wallet's SHOULD NOT
                            // (§6.4.1), reported at that level; a claim not disclosed
                            // breaks the query itself.
                            let requirement = if p.message.starts_with("SHOULD") {
                                &req::OID4VP_DCQL_VALUES
                            } else {
                                &req::OID4VP_DCQL_SATISFIED
                            };
                            own.push(Violation::new(requirement, p.to_string()).at(at.clone()));
                        }
                    }
                    let valid = report.valid && crate::requirements::all_pass(&own);
                    if valid {
                        if let Some(r) = recognise(&jurisdiction, &report.claims) {
                            recognitions
                                .push(json!({"credential_query": query_id, "recognition": r}));
                        }
                        keep(&mut kept, query_id, item);
                    }
                    presentations.push(json!({
                        "credential_query": query_id,
                        "valid": valid,
                        "claims": report.claims,
                        "disclosed": report.disclosed,
                        "profile": report.profile,
                        "trust": report.trust,
                        "status": report.status,
                        "violations": own,
                    }));
                    violations.extend(own);
                }
            }
        }
        for p in dcql::check_vp_token_shape(&tx.query, &Value::Object(kept)) {
            if !p.section.starts_with("8.") {
                token_violations.push(
                    Violation::new(
                        &req::OID4VP_DCQL_SATISFIED,
                        format!("after discarding the presentations that failed: {p}"),
                    )
                    .at("vp_token"),
                );
            }
        }
        let valid = crate::requirements::all_pass(&token_violations);
        token_violations.extend(violations);
        let violations = token_violations;
        let result = json!({
            "client_id": client_id,
            "response_mode": tx.mode.name(),
            "presentations": presentations,
            "recognition": recognitions,
            "violations": violations,
        });
        if valid {
            tx.outcome = Outcome::Verified { result };
            Ok(json!({}))
        } else {
            tx.outcome = Outcome::Rejected { result };
            Err(ProtocolError {
                status: 400,
                error: "invalid_request",
                description: "the VP token was rejected (OpenID4VP 1.0 §8.6); the verifier's result lists why".into(),
                violations: violations.into_iter().filter(Violation::is_fatal).collect(),
            })
        }
    }

    /// The outcome of a transaction, for the control API.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.transactions.get(id).map(|t| &t.outcome)
    }

    /// The outcome as the control API reports it: while the request is pending, also the
    /// responses refused before they could be judged (`refused_responses`: those naming
    /// it; `unmatched_responses`: those naming no transaction, received since it was
    /// created), so a wallet's author sees why nothing happened.
    pub fn outcome_report(&self, id: &str) -> Option<Value> {
        let tx = self.transactions.get(id)?;
        let mut report = serde_json::to_value(&tx.outcome).ok()?;
        if matches!(tx.outcome, Outcome::Pending) {
            report["refused_responses"] = Value::Array(tx.refused.clone());
            report["unmatched_responses"] = Value::Array(
                self.unmatched
                    .iter()
                    .filter(|(n, _)| *n > tx.refusals_before)
                    .map(|(_, r)| r.clone())
                    .collect(),
            );
        }
        Some(report)
    }
}

fn rejection(e: &ProtocolError) -> Value {
    json!({"error": e.error, "error_description": e.description, "violations": e.violations})
}

/// The recognition verdict a verifier in `jurisdiction` reaches for these claims, when the
/// credential comes from the other side.
/// Keeps a presentation that passed, under its credential query, for the check of what
/// remains against the query (§8.6).
fn keep(kept: &mut Map<String, Value>, query_id: &str, item: &Value) {
    if let Value::Array(items) = kept
        .entry(query_id.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        items.push(item.clone());
    }
}

/// A `jwt_vc_json` presentation as the verifier checked it.
struct CheckedJwtVc {
    credential: Value,
    holder: Option<String>,
    trust: Option<crate::trust::resolver::TrustOutcome>,
    violations: Vec<Violation>,
}

/// Checks a `jwt_vc_json` presentation (OpenID4VP B.1.3.1): a VP JWT signed by the holder's
/// `did:jwk`, its `aud` the Client Identifier and its `nonce` the request's; the one VC-JWT
/// it holds verified as VCDM 1.1 clause 6.3.1 and Open Badges 3.0 clause 8.2 say, its key
/// found through `x5c` and the trusted lists (as for SD-JWT VCs), its subject the holder.
fn check_jwt_vc_presentation(
    item: &Value,
    client_id: &str,
    nonce: &str,
    trust: &TrustContext,
    now: i64,
    at: &str,
) -> CheckedJwtVc {
    use crate::formats::jose::VerifyingKey;
    let mut out = CheckedJwtVc {
        credential: Value::Null,
        holder: None,
        trust: None,
        violations: Vec::new(),
    };
    macro_rules! found {
        ($requirement:expr, $message:expr, $where_:expr $(,)?) => {
            out.violations
                .push(Violation::new($requirement, $message).at(format!("{at}.{}", $where_)))
        };
    }
    let Some(text) = item.as_str() else {
        found!(
            &req::OID4VP_W3C_VP,
            "a jwt_vc_json presentation is a JWT string",
            "",
        );
        return out;
    };
    let vp = match CompactJws::parse(text) {
        Ok(vp) => vp,
        Err(e) => {
            found!(&req::OID4VP_W3C_VP, format!("not a JWS: {e}"), "");
            return out;
        }
    };
    // The holder: the presentation's key, named by a did:jwk `kid`.
    let kid = vp.header.get("kid").and_then(Value::as_str).unwrap_or("");
    let holder_key = crate::formats::jose::resolve_did_jwk(kid)
        .and_then(|jwk| VerifyingKey::from_jwk(&jwk).map_err(|e| e.to_string()));
    let holder_did = kid.split('#').next().unwrap_or("").to_owned();
    match &holder_key {
        Ok(key) if vp.verify(key).is_ok() => {}
        Ok(_) => found!(
            &req::OID4VP_W3C_HOLDER_BINDING,
            "the presentation's signature does not verify with its kid's key",
            "header.kid",
        ),
        Err(e) => found!(
            &req::OID4VP_W3C_HOLDER_BINDING,
            format!("the presentation's key is not readable: {e}"),
            "header.kid",
        ),
    }
    let claim = |k: &str| vp.payload.get(k).and_then(Value::as_str);
    if claim("aud") != Some(client_id) {
        found!(
            &req::OID4VP_W3C_HOLDER_BINDING,
            format!(
                "aud is {:?}, not the Client Identifier {client_id:?}",
                claim("aud")
            ),
            "payload.aud",
        );
    }
    if claim("nonce") != Some(nonce) {
        found!(
            &req::OID4VP_W3C_HOLDER_BINDING,
            format!("nonce is {:?}, not the request's", claim("nonce")),
            "payload.nonce",
        );
    }
    let vcs: Vec<&str> = vp
        .payload
        .get("vp")
        .and_then(|p| p.get("verifiableCredential"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let [vc] = vcs[..] else {
        found!(
            &req::OID4VP_W3C_VP,
            format!(
                "vp.verifiableCredential holds {} VC-JWT(s); one credential is asked for",
                vcs.len()
            ),
            "payload.vp.verifiableCredential",
        );
        return out;
    };
    let inner = match CompactJws::parse(vc) {
        Ok(j) => j,
        Err(e) => {
            found!(
                &crate::requirements::vc_jwt::VCDM_VC_CLAIM,
                format!("not a VC-JWT: {e}"),
                "vc"
            );
            return out;
        }
    };
    let mut resolver = crate::trust::resolver::ChainResolver::new(trust);
    use crate::formats::sd_jwt::verify::IssuerKeyResolver as _;
    let issuer_key = match resolver.resolve(&inner) {
        Ok(key) => serde_json::to_value(key.jwk()).ok(),
        Err(vs) => {
            for v in vs {
                out.violations
                    .push(v.at_if_unset(&format!("{at}.vc.header.x5c")));
            }
            None
        }
    };
    out.violations.extend(
        resolver
            .findings
            .into_iter()
            .map(|v| v.at_if_unset(&format!("{at}.vc"))),
    );
    out.trust = resolver.outcome;
    match crate::formats::vc_jwt::verify(vc, issuer_key.as_ref(), now) {
        Ok(checked) => {
            if issuer_key.is_some() && checked.signature_verified != Some(true) {
                out.violations.push(
                    Violation::new(
                        &crate::requirements::vc_jwt::VCDM_SIGNATURE,
                        "the VC-JWT's signature does not verify",
                    )
                    .at(format!("{at}.vc.signature")),
                );
            }
            out.violations.extend(
                checked
                    .violations
                    .into_iter()
                    .map(|v| v.at_if_unset(&format!("{at}.vc"))),
            );
            out.credential = checked.credential;
        }
        Err(e) => out.violations.push(
            Violation::new(&crate::requirements::vc_jwt::VCDM_VC_CLAIM, e.to_string())
                .at(format!("{at}.vc")),
        ),
    }
    // The credential is the holder's: its subject is the presenting DID.
    let subject = out
        .credential
        .get("credentialSubject")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str);
    if subject != Some(holder_did.as_str()) {
        out.violations.push(
            Violation::new(
                &req::OID4VP_W3C_HOLDER_BINDING,
                format!("the credential's subject is {subject:?}, not the presenting holder {holder_did:?}"),
            )
            .at(format!("{at}.vc.credentialSubject.id")),
        );
    }
    out.holder = Some(holder_did);
    out
}

fn recognise(jurisdiction: &str, claims: &Map<String, Value>) -> Option<Value> {
    let profile = claims
        .get("vct")
        .and_then(Value::as_str)
        .and_then(Profile::from_vct)?;
    let r = match (jurisdiction, profile) {
        ("JP", Profile::EuDiploma) => recognition::recognise_eu_in_jp(claims),
        ("EU", Profile::JpDegree) => recognition::recognise_jp_in_eu(claims),
        _ => return None,
    };
    serde_json::to_value(r).ok()
}

/// The status list URI a credential points at, read without verification (the caller
/// fetches it; verification happens afterwards).
pub fn status_uri_of(sd: &SdJwt) -> Option<String> {
    let jws = CompactJws::parse(&sd.issuer_jwt).ok()?;
    jws.payload
        .get("status")?
        .get("status_list")?
        .get("uri")?
        .as_str()
        .map(str::to_owned)
}

/// The status list URIs of the presentations in `vp_token` whose issuer signature verifies
/// under `trust`: a verifier fetches only what a trusted issuer signed, never a URL an
/// attacker put in a forged credential.
pub fn status_list_uris(vp_token: &Value, trust: &TrustContext, now: i64) -> Vec<String> {
    let mut out = Vec::new();
    for list in vp_token.as_object().into_iter().flat_map(|m| m.values()) {
        for item in list.as_array().into_iter().flatten() {
            let Some(sd) = item.as_str().and_then(|t| SdJwt::parse_compact(t).ok()) else {
                continue;
            };
            let config = VerifyConfig {
                now,
                skew: 60,
                key_binding: None,
                typ_mode: TypMode::Strict,
                trust: IssuerTrust::Lists(TrustContext {
                    lists: trust.lists.clone(),
                    arrangement: trust.arrangement.clone(),
                    now,
                }),
                status: StatusInput::Skip,
                check_profile: false,
            };
            // Claims are only reported once the issuer's signature and chain verified.
            let report = verify_credential(&sd, None, &config);
            if report.claims.is_empty() {
                continue;
            }
            if let Some(uri) = status_uri_of(&sd)
                && !out.contains(&uri)
            {
                out.push(uri);
            }
        }
    }
    out
}

// -------------------------------------------------------------------------------------------
// Wallet side
// -------------------------------------------------------------------------------------------

/// An authorization request as the wallet first sees it (§5, §5.7).
#[derive(Debug, Clone)]
pub enum RequestLocation {
    /// `request_uri` to fetch (with the outer `client_id`).
    Reference {
        client_id: String,
        request_uri: String,
        method: String,
    },
    /// Parameters by value (unsigned).
    Value(Map<String, Value>),
}

/// Parses `openid4vp://?…` (or any URL with the same query).
pub fn parse_authorization_request(uri: &str) -> Result<RequestLocation, ProtocolError> {
    let query = uri.split_once('?').map(|(_, q)| q).ok_or_else(|| {
        invalid_request(
            &req::OID4VP_QUERY_PRESENT,
            "the authorization request URI has no query",
        )
    })?;
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let client_id = params.get("client_id").cloned().ok_or_else(|| {
        invalid_request(
            &req::OID4VP_CLIENT_ID_PREFIX,
            "client_id is required (§5.2)",
        )
    })?;
    if let Some(request_uri) = params.get("request_uri") {
        let method = params
            .get("request_uri_method")
            .cloned()
            .unwrap_or_else(|| "get".into());
        if method != "get" && method != "post" {
            return Err(ProtocolError::bad_request(
                "invalid_request_uri_method",
                &req::OID4VP_QUERY_PRESENT,
                format!("request_uri_method {method:?} is neither get nor post"),
            ));
        }
        return Ok(RequestLocation::Reference {
            client_id,
            request_uri: request_uri.clone(),
            method,
        });
    }
    let mut map = Map::new();
    for (k, v) in params {
        // Objects travel as JSON strings (§5.1).
        let value = match k.as_str() {
            "dcql_query" | "client_metadata" | "transaction_data" => serde_json::from_str(&v)
                .map_err(|e| {
                    invalid_request(&req::OID4VP_QUERY_PRESENT, format!("{k} is not JSON: {e}"))
                })?,
            _ => Value::String(v),
        };
        map.insert(k, value);
    }
    Ok(RequestLocation::Value(map))
}

/// An authorization request the wallet has checked and will answer.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub response_mode: ResponseMode,
    pub response_uri: String,
    pub nonce: String,
    pub state: Option<String>,
    pub dcql_query: DcqlQuery,
    pub client_metadata: Map<String, Value>,
    /// The `wallet_nonce` claim of a request object fetched by POST (§5.10).
    pub wallet_nonce: Option<String>,
}

/// Verifies a signed request object for `outer_client_id` (§5, §5.9.3, RFC 9101) against
/// the relying-party trust anchors, and checks its parameters.
///
/// `trusted_client_ids` are the client identifiers the wallet trusts by name; under
/// `x509_san_dns` any other must answer at a response URI whose host is the identifier's DNS
/// name (§5.9.3).
pub fn verify_request_object(
    jwt: &str,
    outer_client_id: &str,
    rp_anchors: &[Vec<u8>],
    trusted_client_ids: &[String],
    now: i64,
) -> Result<AuthorizationRequest, ProtocolError> {
    let bad_object = |r: &'static Requirement, d: String| {
        ProtocolError::bad_request("invalid_request_object", r, d)
    };
    let jws =
        CompactJws::parse(jwt).map_err(|e| bad_object(&req::JAR_TYP, format!("not a JWS: {e}")))?;
    if jws.typ() != Some(REQUEST_TYP) {
        return Err(bad_object(
            &req::JAR_TYP,
            format!("typ is {}, not {REQUEST_TYP}", jws.typ_shown()),
        ));
    }
    let prefix = ClientIdPrefix::from_client_id(outer_client_id).ok_or_else(|| {
        invalid_request(
            &req::OID4VP_CLIENT_ID_PREFIX,
            format!("unsupported client identifier prefix in {outer_client_id:?}"),
        )
    })?;
    if prefix == ClientIdPrefix::RedirectUri {
        return Err(invalid_request(
            &req::OID4VP_CLIENT_ID_PREFIX,
            "redirect_uri requests cannot be signed (§5.9.3)",
        ));
    }
    let chain = decode_x5c(jws.header.get("x5c")).map_err(|v| {
        let mut e = bad_object(&req::OID4VP_REQUEST_TRUST, v.message.clone());
        e.violations.push(v);
        e
    })?;
    let anchors: Vec<Anchor<'_, usize>> = rp_anchors
        .iter()
        .enumerate()
        .map(|(i, der)| Anchor { der, tag: i })
        .collect();
    let validated = validate(&chain, &anchors, now).map_err(|vs| {
        let d = vs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = invalid_request(
            &req::OID4VP_REQUEST_TRUST,
            format!("the request's certificate chain does not validate: {d}"),
        );
        e.violations.extend(vs);
        e
    })?;
    jws.verify(&validated.leaf_key).map_err(|e| {
        invalid_request(
            &req::OID4VP_REQUEST_TRUST,
            format!("request object signature: {e}"),
        )
    })?;
    let original = &outer_client_id[prefix.name().len() + 1..];
    match prefix {
        ClientIdPrefix::X509SanDns => {
            if !validated
                .leaf_dns
                .iter()
                .any(|d| d.eq_ignore_ascii_case(original))
            {
                return Err(invalid_request(
                    &req::OID4VP_CLIENT_ID_PREFIX,
                    format!(
                        "{original:?} is not a dNSName SAN of the leaf certificate ({:?})",
                        validated.leaf_dns
                    ),
                ));
            }
        }
        ClientIdPrefix::X509Hash => {
            let hash = b64(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                &chain[0].der,
            ));
            if hash != original {
                return Err(invalid_request(
                    &req::OID4VP_CLIENT_ID_PREFIX,
                    "x509_hash does not match the SHA-256 of the leaf certificate",
                ));
            }
        }
        ClientIdPrefix::RedirectUri => {}
    }
    let claims = &jws.payload;
    if claims.get("client_id").and_then(Value::as_str) != Some(outer_client_id) {
        return Err(bad_object(
            &req::JAR_CLIENT_ID,
            format!(
                "the request object's client_id {} differs from the request's {outer_client_id:?}",
                claims.get("client_id").unwrap_or(&Value::Null)
            ),
        ));
    }
    match claims.get("exp") {
        None => {}
        // NumericDate may be fractional (RFC 7519 §2).
        Some(Value::Number(n)) => {
            let exp = n.as_f64().unwrap_or(f64::NEG_INFINITY);
            #[expect(
                clippy::cast_precision_loss,
                reason = "seconds since the epoch, compared"
            )]
            if exp < now as f64 {
                return Err(bad_object(
                    &req::JAR_EXP,
                    format!("the request object expired at {exp} (now {now})"),
                ));
            }
        }
        Some(other) => {
            return Err(bad_object(
                &req::JAR_EXP,
                format!("exp is {other}, not a NumericDate"),
            ));
        }
    }
    let request = check_parameters(claims)?;
    if prefix == ClientIdPrefix::X509SanDns
        && !trusted_client_ids.iter().any(|t| t == outer_client_id)
    {
        let host = url::Url::parse(&request.response_uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        if host.as_deref() != Some(original.to_ascii_lowercase().as_str()) {
            return Err(invalid_request(
                &req::OID4VP_CLIENT_ID_PREFIX,
                format!(
                    "{outer_client_id} is not a client identifier this wallet trusts by name, so its response_uri must be on {original}, not {:?}",
                    host.unwrap_or_default()
                ),
            ));
        }
    }
    Ok(request)
}

/// Checks an unsigned request by value (only for `redirect_uri`).
pub fn check_unsigned_request(
    params: &Map<String, Value>,
) -> Result<AuthorizationRequest, ProtocolError> {
    let client_id = params
        .get("client_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if ClientIdPrefix::from_client_id(client_id) != Some(ClientIdPrefix::RedirectUri) {
        return Err(invalid_request(
            &req::OID4VP_CLIENT_ID_PREFIX,
            format!(
                "an unsigned request must use the redirect_uri prefix; {client_id:?} requires a signed request object"
            ),
        ));
    }
    let request = check_parameters(params)?;
    if client_id["redirect_uri:".len()..] != request.response_uri {
        return Err(invalid_request(
            &req::OID4VP_CLIENT_ID_PREFIX,
            "under redirect_uri the response_uri must equal the client identifier",
        ));
    }
    Ok(request)
}

fn check_parameters(c: &Map<String, Value>) -> Result<AuthorizationRequest, ProtocolError> {
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    if c.contains_key("transaction_data") {
        return Err(ProtocolError::bad_request(
            "invalid_transaction_data",
            &req::OID4VP_TRANSACTION_DATA,
            "transaction_data is not supported by this wallet",
        ));
    }
    if s("response_type") != Some("vp_token") {
        return Err(ProtocolError::bad_request(
            "unsupported_response_type",
            &req::OID4VP_QUERY_PRESENT,
            "response_type must be vp_token",
        ));
    }
    let dcql_json = match (c.get("dcql_query"), c.get("scope")) {
        (Some(q), None) => q,
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                &req::OID4VP_QUERY_PRESENT,
                "dcql_query and scope are mutually exclusive",
            ));
        }
        (None, _) => {
            return Err(invalid_request(
                &req::OID4VP_QUERY_PRESENT,
                "dcql_query is missing (no scope is predefined by this wallet)",
            ));
        }
    };
    let dcql_query = DcqlQuery::parse(dcql_json)
        .map_err(|v| invalid_request(&req::OID4VP_DCQL_VALID, v.to_string()))?;
    if let Some(v) = dcql_query.validate().first() {
        return Err(invalid_request(&req::OID4VP_DCQL_VALID, v.to_string()));
    }
    let response_mode = s("response_mode")
        .and_then(ResponseMode::from_name)
        .ok_or_else(|| {
            invalid_request(
                &req::OID4VP_DIRECT_POST,
                match c.get("response_mode") {
                    Some(mode) => format!("unsupported response_mode {mode:?}"),
                    None => "no response_mode".to_owned(),
                },
            )
        })?;
    let response_uri = s("response_uri").ok_or_else(|| {
        invalid_request(
            &req::OID4VP_DIRECT_POST,
            "response_uri is required with direct_post",
        )
    })?;
    if c.contains_key("redirect_uri") {
        return Err(invalid_request(
            &req::OID4VP_DIRECT_POST,
            "redirect_uri must not be present with response_uri",
        ));
    }
    let nonce = s("nonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid_request(&req::OID4VP_NONCE, "nonce is required"))?;
    let state = s("state").map(str::to_owned);
    if let Some(st) = &state
        && !st
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(invalid_request(
            &req::OID4VP_STATE,
            "state contains characters outside the URL-safe ASCII set",
        ));
    }
    Ok(AuthorizationRequest {
        client_id: s("client_id").unwrap_or_default().to_owned(),
        response_mode,
        response_uri: response_uri.to_owned(),
        nonce: nonce.to_owned(),
        state,
        dcql_query,
        client_metadata: c
            .get("client_metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        wallet_nonce: s("wallet_nonce").map(str::to_owned),
    })
}

/// A credential in the wallet.
#[derive(Debug, Clone, Serialize)]
pub struct HeldCredential {
    pub id: String,
    pub format: String,
    pub vct: String,
    /// The issued SD-JWT VC, compact.
    pub credential: String,
    /// Every claim, as the holder sees it.
    pub claims: Value,
}

impl HeldCredential {
    /// A credential issued in `format`: an SD-JWT VC, or a `jwt_vc_json` VC-JWT (its claims
    /// are the credential in its `vc` claim, as DCQL paths read a W3C credential, B.1.2).
    pub fn from_issued_as(id: String, format: &str, compact: &str) -> Result<Self, String> {
        if format != super::oid4vci::FORMAT_JWT_VC_JSON {
            return Self::from_issued(id, compact);
        }
        let jws = CompactJws::parse(compact).map_err(|e| e.to_string())?;
        let vc = jws
            .payload
            .get("vc")
            .filter(|v| v.is_object())
            .cloned()
            .ok_or("the VC-JWT has no `vc` object (VCDM 1.1 clause 6.3.1)")?;
        Ok(Self {
            id,
            format: format.to_owned(),
            vct: String::new(),
            credential: compact.to_owned(),
            claims: vc,
        })
    }

    pub fn from_issued(id: String, compact: &str) -> Result<Self, String> {
        let sd = SdJwt::parse_compact(compact).map_err(|e| e.to_string())?;
        let view = holder_view(&sd).map_err(|e| e.to_string())?;
        let vct = view
            .claims
            .get("vct")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            id,
            format: super::oid4vci::FORMAT_SD_JWT_VC.into(),
            vct,
            credential: compact.to_owned(),
            claims: Value::Object(view.claims),
        })
    }
}

/// The holder's decision.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Consent {
    /// Refuse to share anything (the wallet answers `access_denied`).
    #[serde(default)]
    pub deny: bool,
    /// Claims (dotted paths) the holder refuses to disclose even when asked.
    #[serde(default)]
    pub withhold: Vec<String>,
}

/// Ways the reference wallet can be told to misbehave, to test verifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WalletFault {
    /// KB-JWT `aud` names another verifier.
    WrongAudience,
    /// KB-JWT `nonce` is not the request's.
    WrongNonce,
    /// A disclosure is altered after the KB-JWT was computed.
    TamperedDisclosure,
    /// The KB-JWT has no `sd_hash`.
    MissingSdHash,
    /// Encrypt with A256GCM whatever the verifier advertised.
    UnadvertisedEnc,
    /// Send the response unencrypted although `direct_post.jwt` was asked for.
    PlaintextResponse,
}

/// The response the wallet posts to `response_uri`.
#[derive(Debug, Clone, Serialize)]
pub struct WalletResponse {
    /// The form fields of the POST.
    pub form: Vec<(String, String)>,
    /// The VP token in the clear (for the wallet's own report).
    pub vp_token: Value,
    /// What was disclosed, per credential query.
    pub disclosed: BTreeMap<String, Vec<String>>,
}

/// DCQL claims path pointers to the credential core's claim paths; `null` (all elements)
/// expands over the array it meets.
fn to_claim_paths(pointer: &ClaimsPathPointer, claims: &Value) -> Vec<ClaimPath> {
    let mut out = vec![(ClaimPath::root(), claims)];
    for element in &pointer.0 {
        let mut next = Vec::new();
        for (path, value) in out {
            match (element, value) {
                (PathElement::Key(k), Value::Object(m)) => {
                    if let Some(v) = m.get(k) {
                        next.push((path.key(k), v));
                    }
                }
                (PathElement::Index(i), Value::Array(a)) => {
                    if let Some(v) = a.get(*i) {
                        next.push((path.index(*i), v));
                    }
                }
                (PathElement::All, Value::Array(a)) => {
                    next.extend(a.iter().enumerate().map(|(i, v)| (path.index(i), v)));
                }
                _ => {}
            }
        }
        out = next;
    }
    out.into_iter().map(|(p, _)| p).collect()
}

/// What a wallet tells a verifier about itself when it fetches a request object by POST
/// (§5.10 `wallet_metadata`, with the parameters of §10.1 Accord's wallets have: formats, and
/// the signing algorithms they accept for request objects).
pub fn wallet_metadata(prefixes: &[ClientIdPrefix]) -> Value {
    json!({
        "vp_formats_supported": {
            "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}
        },
        "request_object_signing_alg_values_supported": ["ES256"],
        "client_id_prefixes_supported": prefixes.iter().map(|p| p.name()).collect::<Vec<_>>(),
    })
}

/// Builds the wallet's answer (§8): selects credentials by DCQL, discloses what is asked and
/// consented to, binds each presentation to the client identifier and nonce (Appendix
/// B.3.6), and encrypts for `direct_post.jwt` (§8.3).
pub fn build_response(
    request: &AuthorizationRequest,
    held: &[&HeldCredential],
    holder: &SigningKey,
    consent: &Consent,
    faults: &[WalletFault],
    now: i64,
    entropy: &mut dyn Entropy,
) -> Result<WalletResponse, ProtocolError> {
    let denied = |d: &str| {
        ProtocolError::bad_request("access_denied", &req::OID4VP_DCQL_SATISFIED, d.to_owned())
    };
    if consent.deny {
        return Err(denied("the holder declined to share"));
    }
    // Newest first: when several credentials match, the wallet presents the latest one
    // (a re-issued diploma supersedes the old one).
    let newest_first: Vec<&HeldCredential> = held.iter().rev().copied().collect();
    let candidates: Vec<Candidate<'_>> = newest_first
        .iter()
        .map(|h| Candidate {
            format: &h.format,
            vct: (!h.vct.is_empty()).then_some(h.vct.as_str()),
            claims: &h.claims,
            cryptographic_holder_binding: true,
        })
        .collect();
    let selection =
        dcql::select(&request.dcql_query, &candidates).map_err(|e| denied(&e.to_string()))?;
    let mut vp_token = Map::new();
    let mut disclosed = BTreeMap::new();
    for (query_id, chosen) in &selection.chosen {
        let mut items = Vec::new();
        for (index, matched) in chosen {
            let h = newest_first[*index];
            if h.format == super::oid4vci::FORMAT_JWT_VC_JSON {
                // No selective disclosure: the whole credential, in a presentation the holder
                // signs for this request (B.1.3.1).
                let aud = if faults.contains(&WalletFault::WrongAudience) {
                    "x509_san_dns:another-verifier.example".to_owned()
                } else {
                    request.client_id.clone()
                };
                let nonce = if faults.contains(&WalletFault::WrongNonce) {
                    format!("{}-stale", request.nonce)
                } else {
                    request.nonce.clone()
                };
                let vp =
                    vp_jwt(&h.credential, holder, &aud, &nonce, now).map_err(|e| denied(&e))?;
                disclosed.insert(query_id.clone(), vec!["(the whole credential)".to_owned()]);
                items.push(Value::String(vp));
                continue;
            }
            let sd = SdJwt::parse_compact(&h.credential).map_err(|e| denied(&e.to_string()))?;
            let mut reveal: Vec<ClaimPath> = matched
                .paths
                .iter()
                .flat_map(|p| to_claim_paths(p, &h.claims))
                .collect();
            reveal.retain(|p| {
                !consent
                    .withhold
                    .iter()
                    .any(|w| p.to_string() == *w || p.to_string().starts_with(&format!("{w}.")))
            });
            // Claims that are never selectively disclosable (iss, vct, status, …) are always
            // present; asking for them needs no disclosure.
            let view = holder_view(&sd).map_err(|e| denied(&e.to_string()))?;
            reveal.retain(|p| {
                view.paths
                    .iter()
                    .flatten()
                    .any(|d| d.is_prefix_of(p) || p.is_prefix_of(d))
            });
            let aud = if faults.contains(&WalletFault::WrongAudience) {
                "x509_san_dns:another-verifier.example".to_owned()
            } else {
                request.client_id.clone()
            };
            let nonce = if faults.contains(&WalletFault::WrongNonce) {
                format!("{}-stale", request.nonce)
            } else {
                request.nonce.clone()
            };
            let mut p = present(
                &sd,
                &reveal,
                Some(KeyBinding {
                    holder_key: holder,
                    aud: aud.clone(),
                    nonce: nonce.clone(),
                    iat: now,
                }),
            )
            .map_err(|e| denied(&e.to_string()))?;
            if faults.contains(&WalletFault::MissingSdHash) {
                let mut header = Map::new();
                header.insert("typ".into(), json!("kb+jwt"));
                let mut payload = Map::new();
                payload.insert("iat".into(), json!(now));
                payload.insert("aud".into(), json!(aud));
                payload.insert("nonce".into(), json!(nonce));
                p.kb_jwt = Some(
                    sign_compact(header, &payload, holder).map_err(|e| denied(&e.to_string()))?,
                );
            }
            if faults.contains(&WalletFault::TamperedDisclosure)
                && let Some(d) = p.disclosures.first_mut()
                && let Ok(parsed) = Disclosure::parse(d)
            {
                *d = b64(json!([parsed.salt, parsed.name, "forged"]).to_string());
            }
            disclosed.insert(
                query_id.clone(),
                reveal.iter().map(ToString::to_string).collect(),
            );
            items.push(Value::String(p.to_compact()));
        }
        vp_token.insert(query_id.clone(), Value::Array(items));
    }
    let vp_token = Value::Object(vp_token);
    let mut payload = Map::new();
    payload.insert("vp_token".into(), vp_token.clone());
    if let Some(s) = &request.state {
        payload.insert("state".into(), json!(s));
    }
    let form = if request.response_mode == ResponseMode::DirectPostJwt
        && !faults.contains(&WalletFault::PlaintextResponse)
    {
        vec![(
            "response".to_owned(),
            encrypt_response(request, &payload, faults, entropy)?,
        )]
    } else {
        let mut f = vec![("vp_token".to_owned(), vp_token.to_string())];
        if let Some(s) = &request.state {
            f.push(("state".to_owned(), s.clone()));
        }
        f
    };
    Ok(WalletResponse {
        form,
        vp_token,
        disclosed,
    })
}

/// A Verifiable Presentation of the VC-JWT `credential` as a JWT (VCDM 1.1 clause 6.3.1, as
/// OpenID4VP B.1.3.1 carries `jwt_vc_json`): signed by `holder`, its `iss` and the
/// presentation's `holder` the holder's `did:jwk` (the key in `kid`), bound to the request by
/// `aud` (the Client Identifier) and `nonce`.
pub fn vp_jwt(
    credential: &str,
    holder: &SigningKey,
    aud: &str,
    nonce: &str,
    iat: i64,
) -> Result<String, String> {
    let did = super::oid4vci::did_jwk(&holder.public_jwk())?;
    let mut header = Map::new();
    header.insert("typ".into(), json!("JWT"));
    header.insert("kid".into(), json!(format!("{did}#0")));
    let mut payload = Map::new();
    payload.insert("iss".into(), json!(did));
    payload.insert("aud".into(), json!(aud));
    payload.insert("nonce".into(), json!(nonce));
    payload.insert("iat".into(), json!(iat));
    payload.insert(
        "vp".into(),
        json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiablePresentation"],
            "holder": did,
            "verifiableCredential": [credential],
        }),
    );
    sign_compact(header, &payload, holder).map_err(|e| e.to_string())
}

fn encrypt_response(
    request: &AuthorizationRequest,
    payload: &Map<String, Value>,
    faults: &[WalletFault],
    entropy: &mut dyn Entropy,
) -> Result<String, ProtocolError> {
    encrypt_for_verifier(
        &request.client_metadata,
        payload,
        faults.contains(&WalletFault::UnadvertisedEnc),
        entropy,
    )
}

/// Encrypts an authorization response for `direct_post.jwt` (§8.3): ECDH-ES to the P-256 key
/// of the verifier's `client_metadata.jwks`, with the first content encryption it advertises
/// (A128GCM when it advertises none), or, when `unadvertised_enc`, one it does not.
pub fn encrypt_for_verifier(
    client_metadata: &Map<String, Value>,
    payload: &Map<String, Value>,
    unadvertised_enc: bool,
    entropy: &mut dyn Entropy,
) -> Result<String, ProtocolError> {
    let bad = |d: String| invalid_request(&req::OID4VP_ENCRYPTED_RESPONSE, d);
    let keys = client_metadata
        .get("jwks")
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let key = keys
        .iter()
        .filter_map(Value::as_object)
        .find(|k| {
            let use_ok = k.get("use").is_none_or(|u| u == "enc");
            use_ok
                && k.get("alg") == Some(&json!("ECDH-ES"))
                && k.get("crv") == Some(&json!("P-256"))
        })
        .ok_or_else(|| {
            bad("client_metadata.jwks has no P-256 ECDH-ES key for encryption".into())
        })?;
    let advertised: Vec<ContentEncryption> =
        match client_metadata.get("encrypted_response_enc_values_supported") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .filter_map(ContentEncryption::from_name)
                .collect(),
            _ => vec![ContentEncryption::A128Gcm],
        };
    let enc = if unadvertised_enc {
        // Always one the verifier did not advertise (A192GCM when it lists both others).
        [
            ContentEncryption::A256Gcm,
            ContentEncryption::A128Gcm,
            ContentEncryption::A192Gcm,
        ]
        .into_iter()
        .find(|e| !advertised.contains(e))
        .unwrap_or(ContentEncryption::A192Gcm)
    } else {
        *advertised
            .first()
            .ok_or_else(|| bad("no supported enc value is advertised".into()))?
    };
    let mut header = Map::new();
    if let Some(kid) = key.get("kid") {
        header.insert("kid".into(), kid.clone());
    }
    let mut public = key.clone();
    public.retain(|k, _| matches!(k.as_str(), "kty" | "crv" | "x" | "y"));
    jwe::encrypt(
        Value::Object(payload.clone()).to_string().as_bytes(),
        &public,
        enc,
        header,
        entropy,
    )
    .map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        let pki = crate::trust::pki::TestPki::generate(17).unwrap();
        let config = VerifierConfig {
            base_url: "https://verifier.jp.accord.test:1".into(),
            jurisdiction: "JP".into(),
            prefix: ClientIdPrefix::X509SanDns,
            dns_name: pki.jp.verifier_host.clone(),
            signing_key: SigningKey::from_jwk(pki.jp.verifier.key.private_jwk()).unwrap(),
            chain: pki.jp.verifier_chain(),
            response_modes: vec![ResponseMode::DirectPost],
            enc_values: vec![ContentEncryption::A128Gcm],
            request_lifetime: 300,
            display_name: "bounds".into(),
            flaws: Vec::new(),
        };
        Verifier::new(config, SeededEntropy::new(17, "bounds"))
    }

    fn request(padding: usize) -> CreateRequest {
        let mut claims = vec![json!({"path": ["family_name"]})];
        if padding > 0 {
            claims.push(json!({"path": ["x".repeat(padding)]}));
        }
        serde_json::from_value(json!({"dcql_query": {"credentials": [{
            "id": "diploma",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:eudi:diploma:1"]},
            "claims": claims,
        }]}}))
        .unwrap()
    }

    /// Issue 17, item 3: 4,096 requests of 240 KB queries took a verifier to 2.1 GB.
    #[test]
    fn transactions_are_bounded_by_count_and_by_bytes() {
        let mut v = verifier();
        let small = request(0);
        for _ in 0..MAX_TRANSACTIONS + 100 {
            v.create_request(&small, 0).unwrap();
        }
        assert_eq!(v.held().0, MAX_TRANSACTIONS);
        // Queries of 60 KB (under the control body limit): the byte bound stops them first.
        let big = request(60 * 1024);
        let mut last = None;
        for _ in 0..700 {
            last = Some(v.create_request(&big, 0).unwrap());
        }
        let (count, bytes) = v.held();
        assert!(bytes <= MAX_TRANSACTION_BYTES, "{bytes}");
        assert!(count < 600, "{count}");
        // The newest transaction is still there.
        let last = last.unwrap();
        assert!(v.outcome_report(&last.id).is_some());
    }
}
