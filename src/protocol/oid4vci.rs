//! OpenID4VCI 1.0, sans I/O: the credential issuer's state machine ([`Issuer`]) and the
//! wallet's side of the exchange ([`parse_offer`], [`proof_jwt`], [`pkce_challenge`]).
//!
//! The issuer implements the pre-authorized code flow (with and without `tx_code`) and the
//! authorization code flow with PKCE (S256), a nonce endpoint, and a credential endpoint
//! that takes `jwt` key proofs and issues SD-JWT VCs (`dc+sd-jwt`) through the credential
//! core. Codes, tokens and nonces are single use and expire; every refusal carries the error
//! code of OpenID4VCI §6.3 / §8.3.1 and the requirement it enforces.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::ledger::{Ledger, json_size};
use super::{ProtocolError, random_token};
use crate::credential::{IssueInput, issue_credential};
use crate::entropy::{Entropy, SeededEntropy};
use crate::formats::jose::{Algorithm, CompactJws, Jwk, SigningKey, VerifyingKey, sign_compact};
use crate::formats::sd_jwt::issue::Decoys;
use crate::formats::status_list::StatusReference;
use crate::profiles::Profile;
use crate::requirements::{Violation, catalogue as req};

pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
pub const OFFER_SCHEME: &str = "openid-credential-offer://";
/// The credential format of SD-JWT VCs (OpenID4VCI Appendix A.3.1).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// The credential format of JWT-secured W3C credentials not using JSON-LD (OpenID4VCI
/// Appendix A.1.1): the reference issuers issue their micro-credentials (Open Badges 3.0) in it.
pub const FORMAT_JWT_VC_JSON: &str = "jwt_vc_json";
/// The types of the micro-credentials the reference issuers issue as `jwt_vc_json`.
pub const BADGE_TYPES: [&str; 2] = ["VerifiableCredential", "OpenBadgeCredential"];

/// How long codes, tokens and nonces live, seconds.
const CODE_LIFETIME: i64 = 600;
const TOKEN_LIFETIME: i64 = 3600;
const NONCE_LIFETIME: i64 = 300;
/// A key proof older than this (or further in the future than the skew) is refused.
const PROOF_MAX_AGE: i64 = 300;
const SKEW: i64 = 60;
/// Wrong transaction codes tolerated before the pre-authorized code is invalidated
/// (§13.6.3: limit attempts, invalidate the code).
const TX_CODE_ATTEMPTS: u32 = 3;
/// Outstanding nonces kept at most; the oldest are forgotten first. The nonce endpoint needs
/// no authentication (§7.1), so without a cap anyone could grow the issuer's memory.
const MAX_NONCES: usize = 1 << 16;
/// Inserts between sweeps of expired offers, codes and tokens.
const SWEEP_EVERY: u32 = 1024;
/// Offers an issuer remembers at most (pre-authorized codes, `issuer_state`s, offers by
/// reference); beyond it the oldest is forgotten, as a verifier forgets its oldest
/// transaction. Forgetting rather than refusing with 503: a run fixes the roles' clock, so
/// expiry never drains the store during a run, and a fuzzing campaign leaves an unredeemed
/// offer behind every case that spoils the code; a refusing issuer would stop serving it.
/// An issuance in flight is seconds old, never the oldest of a thousand.
pub const MAX_PENDING_OFFERS: usize = 1024;
/// Bytes of subjects (serialised claims) pending offers hold at most; oldest forgotten.
pub const MAX_PENDING_OFFER_BYTES: usize = 16 * 1024 * 1024;
/// Authorization codes and access tokens an issuer remembers at most (each holds a
/// subject until the credential is issued); oldest forgotten, for the same reasons.
pub const MAX_GRANTS: usize = 4096;
/// Bytes of subjects codes and tokens hold at most; oldest forgotten.
pub const MAX_GRANT_BYTES: usize = 32 * 1024 * 1024;

/// What an issuer issues and signs with.
pub struct IssuerConfig {
    /// The Credential Issuer Identifier: the URL the metadata is served under.
    pub credential_issuer: String,
    pub profile: Profile,
    /// `iss` of the credentials (the name in the issuer certificate's SAN).
    pub iss: String,
    pub signing_key: SigningKey,
    /// `x5c`, leaf first, without the anchor.
    pub chain: Vec<Vec<u8>>,
    /// The status list the credentials point at, if any.
    pub status_list_uri: Option<String>,
    pub display_name: String,
    /// What this issuer supports beyond the fixed profile (a variant for the interop matrix).
    pub variant: IssuerVariant,
}

/// The flows and key binding methods an issuer offers. The default reference issuer offers
/// both flows and binds to `jwk` or `did:jwk`; narrower variants make matrix cells differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerVariant {
    pub flows: Vec<Flow>,
    /// `cryptographic_binding_methods_supported` (§12.2.4): `jwk`, `did:jwk`.
    pub binding_methods: Vec<String>,
}

impl Default for IssuerVariant {
    fn default() -> Self {
        Self {
            flows: vec![Flow::PreAuthorizedCode, Flow::AuthorizationCode],
            binding_methods: vec!["jwk".into(), "did:jwk".into()],
        }
    }
}

impl IssuerConfig {
    /// The credential configuration of the profile's degree (SD-JWT VC), offered by default.
    pub fn configuration_id(&self) -> &'static str {
        match self.profile {
            Profile::EuDiploma => "eu_diploma_sd_jwt",
            Profile::JpDegree => "jp_degree_sd_jwt",
        }
    }

    /// The credential configuration of the university's micro-credential: an Open Badges 3.0
    /// credential as `jwt_vc_json`, bound to the holder's `did:jwk`.
    pub fn badge_configuration_id(&self) -> &'static str {
        match self.profile {
            Profile::EuDiploma => "eu_micro_credential_jwt_vc_json",
            Profile::JpDegree => "jp_micro_credential_jwt_vc_json",
        }
    }

    /// Whether `id` names one of this issuer's credential configurations.
    pub fn offers(&self, id: &str) -> bool {
        id == self.configuration_id() || id == self.badge_configuration_id()
    }
}

/// How the wallet is to obtain authorization for an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    PreAuthorizedCode,
    AuthorizationCode,
}

impl Flow {
    /// The name manifests and capabilities use.
    pub fn name(self) -> &'static str {
        match self {
            Flow::PreAuthorizedCode => "pre_authorized_code",
            Flow::AuthorizationCode => "authorization_code",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "pre_authorized_code" => Some(Flow::PreAuthorizedCode),
            "authorization_code" => Some(Flow::AuthorizationCode),
            _ => None,
        }
    }
}

/// Options of [`Issuer::create_offer`].
#[derive(Debug, Clone)]
pub struct OfferOptions {
    pub flow: Flow,
    /// Require a transaction code (pre-authorized flow only).
    pub tx_code: bool,
    /// Pass the offer by reference (`credential_offer_uri`) rather than by value.
    pub by_reference: bool,
    /// Offer the micro-credential (`jwt_vc_json`) rather than the degree (SD-JWT VC).
    pub badge: bool,
}

/// A created offer, as the control API returns it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedOffer {
    pub offer: Value,
    /// `openid-credential-offer://?credential_offer=…` or `…?credential_offer_uri=…`.
    pub uri: String,
    /// The transaction code, sent to the holder out of band.
    pub tx_code: Option<String>,
}

struct PendingOffer {
    /// The credential configuration offered.
    configuration: &'static str,
    subject: Map<String, Value>,
    tx_code: Option<String>,
    expires: i64,
    failed_attempts: u32,
}

struct AuthCode {
    configuration: &'static str,
    subject: Map<String, Value>,
    challenge: String,
    redirect_uri: String,
    client_id: String,
    expires: i64,
}

struct Grant {
    /// The credential configuration the token was granted for.
    configuration: &'static str,
    subject: Map<String, Value>,
    expires: i64,
}

/// A credential issuer: configuration plus the state of every offer, code, token and nonce.
pub struct Issuer {
    pub config: IssuerConfig,
    entropy: SeededEntropy,
    offers: HashMap<String, PendingOffer>,
    offers_by_reference: HashMap<String, Value>,
    issuer_states: HashMap<String, (&'static str, Map<String, Value>)>,
    codes: HashMap<String, AuthCode>,
    tokens: HashMap<String, Grant>,
    nonces: HashMap<String, i64>,
    /// Nonces in the order they were issued, to forget the oldest beyond [`MAX_NONCES`].
    nonce_order: std::collections::VecDeque<String>,
    next_status_index: u64,
    /// Status list capacity: issuance stops, rather than pointing at entries that do not exist.
    status_capacity: u64,
    inserts: u32,
    /// Bounds what offers hold ([`MAX_PENDING_OFFERS`], [`MAX_PENDING_OFFER_BYTES`]).
    offer_ledger: Ledger,
    /// Bounds what codes and tokens hold ([`MAX_GRANTS`], [`MAX_GRANT_BYTES`]).
    grant_ledger: Ledger,
}

/// What an issuer holds: a snapshot for tests and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Offers not yet redeemed (pre-authorized codes, `issuer_state`s, offers by reference).
    pub offers: usize,
    /// Bytes the offer bound counts.
    pub offer_bytes: usize,
    /// Authorization codes and access tokens.
    pub grants: usize,
    /// Bytes the grant bound counts.
    pub grant_bytes: usize,
}

impl Issuer {
    pub fn new(config: IssuerConfig, entropy: SeededEntropy) -> Self {
        Self {
            config,
            entropy,
            offers: HashMap::new(),
            offers_by_reference: HashMap::new(),
            issuer_states: HashMap::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            nonces: HashMap::new(),
            nonce_order: std::collections::VecDeque::new(),
            next_status_index: 0,
            status_capacity: u64::MAX,
            inserts: 0,
            offer_ledger: Ledger::new(MAX_PENDING_OFFERS, MAX_PENDING_OFFER_BYTES),
            grant_ledger: Ledger::new(MAX_GRANTS, MAX_GRANT_BYTES),
        }
    }

    /// What the issuer holds now.
    pub fn held(&self) -> Held {
        Held {
            offers: self.offers.len() + self.issuer_states.len() + self.offers_by_reference.len(),
            offer_bytes: self.offer_ledger.bytes(),
            grants: self.codes.len() + self.tokens.len(),
            grant_bytes: self.grant_ledger.bytes(),
        }
    }

    /// Records a new offer (`kind:id`) and forgets the oldest beyond the bounds.
    fn admit_offer(&mut self, key: String, size: usize) {
        for old in self.offer_ledger.admit(key, size) {
            match old.split_once(':') {
                Some(("code", k)) => {
                    self.offers.remove(k);
                }
                Some(("state", k)) => {
                    self.issuer_states.remove(k);
                }
                Some(("ref", k)) => {
                    self.offers_by_reference.remove(k);
                }
                _ => {}
            }
        }
    }

    /// Records a new code or token (`kind:id`) and forgets the oldest beyond the bounds.
    fn admit_grant(&mut self, key: String, size: usize) {
        for old in self.grant_ledger.admit(key, size) {
            match old.split_once(':') {
                Some(("code", k)) => {
                    self.codes.remove(k);
                }
                Some(("token", k)) => {
                    self.tokens.remove(k);
                }
                _ => {}
            }
        }
    }

    /// Sets how many entries the status list the credentials point at has.
    pub fn with_status_capacity(mut self, capacity: u64) -> Self {
        self.status_capacity = capacity;
        self
    }

    /// Forgets expired offers, codes and tokens now and then, so a long campaign's state
    /// stays bounded by what is alive.
    fn sweep(&mut self, now: i64) {
        self.inserts += 1;
        if !self.inserts.is_multiple_of(SWEEP_EVERY) {
            return;
        }
        self.offers.retain(|_, o| o.expires >= now);
        self.codes.retain(|_, c| c.expires >= now);
        self.tokens.retain(|_, t| t.expires >= now);
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.config.credential_issuer.trim_end_matches('/')
        )
    }

    /// Credential issuer metadata (§12.2.4), served at `/.well-known/openid-credential-issuer`.
    pub fn metadata(&self) -> Value {
        let c = &self.config;
        let claims: Vec<Value> = c
            .profile
            .metadata_claim_paths()
            .into_iter()
            .map(|p| json!({"path": p}))
            .collect();
        json!({
            "credential_issuer": c.credential_issuer,
            "credential_endpoint": self.url("/credential"),
            "nonce_endpoint": self.url("/nonce"),
            "display": [{"name": c.display_name, "locale": "en"}],
            "credential_configurations_supported": {
                c.configuration_id(): {
                    "format": FORMAT_SD_JWT_VC,
                    "scope": c.configuration_id(),
                    "vct": c.profile.vct(),
                    "cryptographic_binding_methods_supported": c.variant.binding_methods,
                    "credential_signing_alg_values_supported": ["ES256"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
                    "credential_metadata": {
                        "display": [{"name": c.profile.name(), "locale": "en"}],
                        "claims": claims,
                    },
                },
                // Appendix A.1.1.2: credential_definition with the credential's types.
                c.badge_configuration_id(): {
                    "format": FORMAT_JWT_VC_JSON,
                    "scope": c.badge_configuration_id(),
                    "credential_definition": {"type": BADGE_TYPES},
                    "cryptographic_binding_methods_supported": ["did:jwk"],
                    "credential_signing_alg_values_supported": ["ES256"],
                    "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
                    "credential_metadata": {
                        "display": [{"name": "Micro-credential (Open Badges 3.0)", "locale": "en"}],
                    },
                }
            }
        })
    }

    /// OAuth authorization server metadata (RFC 8414), at `/.well-known/oauth-authorization-server`.
    /// The issuer is its own authorization server.
    pub fn authorization_server_metadata(&self) -> Value {
        json!({
            "issuer": self.config.credential_issuer,
            "token_endpoint": self.url("/token"),
            "authorization_endpoint": self.url("/authorize"),
            "response_types_supported": ["code"],
            "grant_types_supported": self.config.variant.flows.iter().map(|f| match f {
                Flow::AuthorizationCode => "authorization_code",
                Flow::PreAuthorizedCode => PRE_AUTHORIZED_GRANT,
            }).collect::<Vec<_>>(),
            "code_challenge_methods_supported": ["S256"],
            "pre-authorized_grant_anonymous_access_supported": true,
            "token_endpoint_auth_methods_supported": ["none"],
        })
    }

    /// Creates an offer of this issuer's credential for `subject` (§4.1).
    pub fn create_offer(
        &mut self,
        subject: Map<String, Value>,
        options: &OfferOptions,
        now: i64,
    ) -> CreatedOffer {
        let mut grants = Map::new();
        let mut tx_code = None;
        let configuration = if options.badge {
            self.config.badge_configuration_id()
        } else {
            self.config.configuration_id()
        };
        match options.flow {
            Flow::PreAuthorizedCode => {
                let code = random_token(&mut self.entropy, 24);
                let mut grant = json!({"pre-authorized_code": code});
                if options.tx_code {
                    let digits = format!("{:06}", self.entropy.below(1_000_000));
                    grant["tx_code"] = json!({
                        "input_mode": "numeric",
                        "length": 6,
                        "description": "The six digits sent to you by the university",
                    });
                    tx_code = Some(digits);
                }
                self.sweep(now);
                self.admit_offer(format!("code:{code}"), json_size(&subject));
                self.offers.insert(
                    code,
                    PendingOffer {
                        configuration,
                        subject,
                        tx_code: tx_code.clone(),
                        expires: now + CODE_LIFETIME,
                        failed_attempts: 0,
                    },
                );
                grants.insert(PRE_AUTHORIZED_GRANT.into(), grant);
            }
            Flow::AuthorizationCode => {
                let state = random_token(&mut self.entropy, 24);
                self.admit_offer(format!("state:{state}"), json_size(&subject));
                self.issuer_states
                    .insert(state.clone(), (configuration, subject));
                grants.insert("authorization_code".into(), json!({"issuer_state": state}));
            }
        }
        let offer = json!({
            "credential_issuer": self.config.credential_issuer,
            "credential_configuration_ids": [configuration],
            "grants": grants,
        });
        let uri = if options.by_reference {
            let id = random_token(&mut self.entropy, 16);
            let reference = self.url(&format!("/offers/{id}"));
            self.admit_offer(format!("ref:{id}"), json_size(&offer));
            self.offers_by_reference.insert(id, offer.clone());
            format!(
                "{OFFER_SCHEME}?{}",
                form(&[("credential_offer_uri", &reference)])
            )
        } else {
            format!(
                "{OFFER_SCHEME}?{}",
                form(&[("credential_offer", &offer.to_string())])
            )
        };
        CreatedOffer {
            offer,
            uri,
            tx_code,
        }
    }

    /// The offer behind a `credential_offer_uri` (§4.1.3). Each reference is served once.
    pub fn offer_by_reference(&mut self, id: &str) -> Option<Value> {
        self.offers_by_reference.remove(id)
    }

    /// The authorization endpoint (§5.1). The reference issuer has no login: the holder was
    /// identified when the offer was made, so `issuer_state` stands for the authenticated
    /// End-User and the request is approved at once. Returns the redirect location.
    pub fn authorize(
        &mut self,
        params: &BTreeMap<String, String>,
        now: i64,
    ) -> Result<String, ProtocolError> {
        let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let redirect_uri = get("redirect_uri").ok_or_else(|| {
            ProtocolError::bad_request(
                "invalid_request",
                &req::OAUTH_PKCE,
                "redirect_uri is required",
            )
        })?;
        if get("response_type") != Some("code") {
            return Err(ProtocolError::bad_request(
                "unsupported_response_type",
                &req::OAUTH_PKCE,
                "response_type must be code",
            ));
        }
        let (Some(challenge), Some("S256")) = (get("code_challenge"), get("code_challenge_method"))
        else {
            return Err(ProtocolError::bad_request(
                "invalid_request",
                &req::OAUTH_PKCE,
                "PKCE is required: code_challenge with code_challenge_method S256",
            ));
        };
        let Some((configuration, subject)) =
            get("issuer_state").and_then(|s| self.issuer_states.remove(s))
        else {
            return Err(ProtocolError::bad_request(
                "access_denied",
                &req::OID4VCI_OFFER,
                "unknown or used issuer_state; the reference issuer only authorizes holders it made an offer to",
            ));
        };
        let code = random_token(&mut self.entropy, 24);
        self.admit_grant(format!("code:{code}"), json_size(&subject));
        self.codes.insert(
            code.clone(),
            AuthCode {
                configuration,
                subject,
                challenge: challenge.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                client_id: get("client_id").unwrap_or_default().to_owned(),
                expires: now + CODE_LIFETIME,
            },
        );
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = get("state") {
            pairs.push(("state", state));
        }
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        Ok(format!("{redirect_uri}{sep}{}", form(&pairs)))
    }

    /// The token endpoint (§6).
    pub fn token(
        &mut self,
        params: &BTreeMap<String, String>,
        now: i64,
    ) -> Result<Value, ProtocolError> {
        let get = |k: &str| params.get(k).map(String::as_str);
        let (configuration, subject) = match get("grant_type") {
            Some(PRE_AUTHORIZED_GRANT) => {
                let Some(code) = get("pre-authorized_code") else {
                    return Err(ProtocolError::bad_request(
                        "invalid_request",
                        &req::OID4VCI_INVALID_GRANT,
                        "pre-authorized_code is required for this grant type",
                    ));
                };
                let Some(offer) = self.offers.get(code) else {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "unknown or already used pre-authorized_code",
                    ));
                };
                match (&offer.tx_code, get("tx_code")) {
                    (Some(_), None) => {
                        return Err(ProtocolError::bad_request(
                            "invalid_request",
                            &req::OID4VCI_TX_CODE,
                            "the offer required a tx_code and none was sent",
                        ));
                    }
                    (None, Some(_)) => {
                        return Err(ProtocolError::bad_request(
                            "invalid_request",
                            &req::OID4VCI_TX_CODE,
                            "a tx_code was sent but the offer did not ask for one",
                        ));
                    }
                    (Some(expected), Some(sent)) if expected != sent => {
                        let spent = self.offers.get_mut(code).is_some_and(|o| {
                            o.failed_attempts += 1;
                            o.failed_attempts >= TX_CODE_ATTEMPTS
                        });
                        if spent {
                            // Guessing is bounded: the code is gone after a few misses.
                            self.offers.remove(code);
                        }
                        return Err(ProtocolError::bad_request(
                            "invalid_grant",
                            &req::OID4VCI_INVALID_GRANT,
                            if spent {
                                "wrong tx_code; too many attempts, the pre-authorized code is now invalid"
                            } else {
                                "wrong tx_code"
                            },
                        ));
                    }
                    _ => {}
                }
                // Single use: removed whether or not it has expired.
                let offer = self.offers.remove(code).ok_or_else(|| {
                    ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "unknown pre-authorized_code",
                    )
                })?;
                if now > offer.expires {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "the pre-authorized_code has expired",
                    ));
                }
                (offer.configuration, offer.subject)
            }
            Some("authorization_code") => {
                if params.contains_key("tx_code") {
                    return Err(ProtocolError::bad_request(
                        "invalid_request",
                        &req::OID4VCI_TX_CODE,
                        "tx_code is only used with the pre-authorized code grant (§6.1)",
                    ));
                }
                let Some(code) = get("code").and_then(|c| self.codes.remove(c)) else {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "unknown or already used authorization code",
                    ));
                };
                if now > code.expires {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "the authorization code has expired",
                    ));
                }
                if get("redirect_uri") != Some(code.redirect_uri.as_str()) {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "redirect_uri differs from the authorization request's (RFC 6749 §4.1.3)",
                    ));
                }
                if !code.client_id.is_empty() && get("client_id") != Some(code.client_id.as_str()) {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OID4VCI_INVALID_GRANT,
                        "client_id differs from the authorization request's",
                    ));
                }
                let Some(verifier) = get("code_verifier") else {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OAUTH_PKCE,
                        "code_verifier is required (PKCE)",
                    ));
                };
                if pkce_challenge(verifier) != code.challenge {
                    return Err(ProtocolError::bad_request(
                        "invalid_grant",
                        &req::OAUTH_PKCE,
                        "code_verifier does not match the code_challenge",
                    ));
                }
                (code.configuration, code.subject)
            }
            other => {
                return Err(ProtocolError::bad_request(
                    "unsupported_grant_type",
                    &req::OID4VCI_INVALID_GRANT,
                    format!("unsupported grant_type {other:?}"),
                ));
            }
        };
        let token = random_token(&mut self.entropy, 32);
        self.sweep(now);
        self.admit_grant(format!("token:{token}"), json_size(&subject));
        self.tokens.insert(
            token.clone(),
            Grant {
                configuration,
                subject,
                expires: now + TOKEN_LIFETIME,
            },
        );
        Ok(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
        }))
    }

    /// The nonce endpoint (§7): a fresh, single-use `c_nonce`.
    pub fn nonce(&mut self, now: i64) -> Value {
        // Forget the oldest nonces: expired ones first (they are at the front), and beyond the
        // cap even live ones, so memory stays bounded whoever calls.
        while let Some(oldest) = self.nonce_order.front() {
            let expired = self.nonces.get(oldest).is_none_or(|exp| *exp < now);
            if !expired && self.nonce_order.len() < MAX_NONCES {
                break;
            }
            if let Some(n) = self.nonce_order.pop_front() {
                self.nonces.remove(&n);
            }
        }
        let nonce = random_token(&mut self.entropy, 24);
        self.nonces.insert(nonce.clone(), now + NONCE_LIFETIME);
        self.nonce_order.push_back(nonce.clone());
        json!({"c_nonce": nonce})
    }

    /// The credential endpoint (§8). `authorization` is the `Authorization` header value.
    pub fn credential(
        &mut self,
        authorization: Option<&str>,
        body: &Value,
        now: i64,
    ) -> Result<Value, ProtocolError> {
        let unauthorized = |d: &str| {
            ProtocolError::new(
                401,
                "invalid_token",
                &req::OID4VCI_ACCESS_TOKEN,
                d.to_owned(),
            )
        };
        let token = authorization
            .and_then(|h| {
                h.split_once(' ')
                    .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
            })
            .map(|(_, t)| t.trim())
            .ok_or_else(|| {
                // RFC 6750 §3.1: a request without any authentication information SHOULD
                // NOT be answered with an error code.
                ProtocolError::unauthenticated(
                    &req::OID4VCI_ACCESS_TOKEN,
                    "a Bearer access token is required",
                )
            })?;
        let grant = self
            .tokens
            .get(token)
            .ok_or_else(|| unauthorized("unknown access token"))?;
        if now > grant.expires {
            return Err(unauthorized("the access token has expired"));
        }
        let granted = grant.configuration;
        let Some(request) = body.as_object() else {
            return Err(ProtocolError::bad_request(
                "invalid_credential_request",
                &req::OID4VCI_CREDENTIAL_REQUEST,
                "the credential request must be a JSON object",
            ));
        };
        match (
            request.get("credential_configuration_id"),
            request.get("credential_identifier"),
        ) {
            (Some(_), Some(_)) => {
                return Err(ProtocolError::bad_request(
                    "invalid_credential_request",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    "credential_configuration_id and credential_identifier are mutually exclusive",
                ));
            }
            (None, Some(_)) => {
                // No authorization_details were returned by the token endpoint, so
                // credential_identifier must not be used (§8.2).
                return Err(ProtocolError::bad_request(
                    "invalid_credential_request",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    "credential_identifier is only valid after a token response with authorization_details",
                ));
            }
            (None, None) => {
                return Err(ProtocolError::bad_request(
                    "invalid_credential_request",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    "credential_configuration_id is required",
                ));
            }
            (Some(Value::String(id)), None) if id == granted => {}
            (Some(Value::String(id)), None) if self.config.offers(id) => {
                return Err(ProtocolError::bad_request(
                    "invalid_credential_request",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    format!("the access token was granted for {granted}, not {id}"),
                ));
            }
            (Some(other), None) => {
                return Err(ProtocolError::bad_request(
                    "unknown_credential_configuration",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    format!("unknown credential_configuration_id {other}"),
                ));
            }
        }
        // Unknown parameters are ignored (§8.2), a pre-1.0 `proof` among them.
        if request.contains_key("credential_response_encryption") {
            // Not advertised in the metadata, so the request cannot be honoured (§8.2, §10).
            return Err(ProtocolError::bad_request(
                "invalid_encryption_parameters",
                &req::OID4VCI_ERROR_CODES,
                "this issuer does not encrypt credential responses (no credential_response_encryption in its metadata)",
            ));
        }
        let proofs = match request.get("proofs") {
            None => {
                let hint = if request.contains_key("proof") {
                    " (`proof` is not a parameter of OpenID4VCI 1.0)"
                } else {
                    ""
                };
                // §8.3.1.2 names the error code (invalid_proof: "the field is missing");
                // the rule broken is the request's own (§8.2: proofs when the
                // configuration lists proof types).
                return Err(ProtocolError::bad_request(
                    "invalid_proof",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    format!(
                        "proofs is required: this configuration lists proof_types_supported{hint}"
                    ),
                ));
            }
            Some(Value::Object(p)) if p.len() == 1 => match p.get("jwt") {
                // One proof: batch issuance is not advertised (§12.2.4,
                // batch_credential_issuance absent).
                Some(Value::Array(a)) if a.len() == 1 => a.clone(),
                Some(Value::Array(a)) if a.len() > 1 => {
                    return Err(ProtocolError::bad_request(
                        "invalid_proof",
                        &req::OID4VCI_CREDENTIAL_REQUEST,
                        format!(
                            "{} proofs sent; this issuer does not offer batch issuance (no batch_credential_issuance in its metadata)",
                            a.len()
                        ),
                    ));
                }
                _ => {
                    return Err(ProtocolError::bad_request(
                        "invalid_proof",
                        &req::OID4VCI_CREDENTIAL_REQUEST,
                        "proofs must hold one non-empty `jwt` array (the only supported proof type)",
                    ));
                }
            },
            Some(_) => {
                return Err(ProtocolError::bad_request(
                    "invalid_proof",
                    &req::OID4VCI_CREDENTIAL_REQUEST,
                    "proofs must contain exactly one proof type",
                ));
            }
        };
        let mut holder_keys = Vec::with_capacity(proofs.len());
        for (i, p) in proofs.iter().enumerate() {
            let Some(jwt) = p.as_str() else {
                return Err(ProtocolError::bad_request(
                    "invalid_proof",
                    &req::OID4VCI_PROOF_KEY,
                    format!("proofs.jwt[{i}] is not a string"),
                ));
            };
            holder_keys.push(self.verify_proof(jwt, now).map_err(|mut e| {
                e.description = format!("proofs.jwt[{i}]: {}", e.description);
                e
            })?);
        }
        let subject = self
            .tokens
            .get(token)
            .map(|g| g.subject.clone())
            .unwrap_or_default();
        let mut credentials = Vec::with_capacity(holder_keys.len());
        if granted == self.config.badge_configuration_id() {
            for holder_key in holder_keys {
                let badge = self.badge_for(&holder_key, now)?;
                credentials.push(json!({"credential": badge}));
            }
            return Ok(json!({"credentials": credentials}));
        }
        for holder_key in holder_keys {
            if self.config.status_list_uri.is_some()
                && self.next_status_index >= self.status_capacity
            {
                return Err(ProtocolError::bad_request(
                    "credential_request_denied",
                    &req::OID4VCI_ERROR_CODES,
                    "the issuer's status list is full; no further credentials can be issued",
                ));
            }
            let status = self.config.status_list_uri.clone().map(|uri| {
                let idx = self.next_status_index;
                self.next_status_index += 1;
                StatusReference { idx, uri }
            });
            let input = IssueInput {
                profile: Some(self.config.profile),
                claims: subject.clone(),
                issuer_key: &self.config.signing_key,
                issuer_chain: Some(self.config.chain.clone()),
                holder_key: Some(holder_key),
                iat: now,
                iss: Some(self.config.iss.clone()),
                status,
                disclosable: None,
                decoys: Decoys::UpTo(2),
                enforce_profile: true,
            };
            let sd = issue_credential(input, &mut self.entropy).map_err(|e| {
                ProtocolError::bad_request(
                    "credential_request_denied",
                    &req::OID4VCI_ERROR_CODES,
                    format!("the subject's claims cannot be issued: {e}"),
                )
            })?;
            credentials.push(json!({"credential": sd.to_compact()}));
        }
        Ok(json!({"credentials": credentials}))
    }

    /// The university's micro-credential for the holder of `holder_key`: an Open Badges 3.0
    /// credential (`micro_credential::example_badge`) whose issuer is this Credential Issuer
    /// and whose subject is the holder's `did:jwk`, signed as a VC-JWT (VCDM 1.1 clause
    /// 6.3.1) with `x5c`, so a verifier finds the key through the trusted lists as for the
    /// SD-JWT VCs.
    fn badge_for(&self, holder_key: &Jwk, now: i64) -> Result<String, ProtocolError> {
        let denied = |e: String| {
            ProtocolError::bad_request("credential_request_denied", &req::OID4VCI_ERROR_CODES, e)
        };
        let holder = did_jwk(holder_key).map_err(denied)?;
        let valid_from = time::OffsetDateTime::from_unix_timestamp(now)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .ok_or_else(|| denied(format!("{now} is not a time")))?;
        let country = match self.config.profile {
            Profile::EuDiploma => "BE",
            Profile::JpDegree => "JP",
        };
        let badge = crate::profiles::micro_credential::example_badge(
            &self.config.iss,
            &self.config.display_name,
            country,
            &holder,
            &valid_from,
        );
        crate::formats::vc_jwt::issue_with_x5c(&badge, &self.config.signing_key, &self.config.chain)
            .map_err(|e| denied(e.to_string()))
    }

    /// Checks one `jwt` key proof (Appendix F.1) and returns the key to bind.
    fn verify_proof(&mut self, jwt: &str, now: i64) -> Result<Jwk, ProtocolError> {
        let invalid = |r, d: String| ProtocolError::bad_request("invalid_proof", r, d);
        let jws = CompactJws::parse(jwt)
            .map_err(|e| invalid(&req::OID4VCI_PROOF_KEY, format!("not a JWS: {e}")))?;
        if jws.typ() != Some(PROOF_TYP) {
            return Err(invalid(
                &req::OID4VCI_PROOF_TYP,
                format!("typ is {}, not {PROOF_TYP}", jws.typ_shown()),
            ));
        }
        match jws.algorithm() {
            Ok(Algorithm::ES256) => {}
            Ok(other) => {
                return Err(invalid(
                    &req::OID4VCI_PROOF_ALG,
                    format!("alg {other} is not in proof_signing_alg_values_supported (ES256)"),
                ));
            }
            Err(e) => return Err(invalid(&req::OID4VCI_PROOF_ALG, e.to_string())),
        }
        let header = &jws.header;
        let named = ["kid", "jwk", "x5c"]
            .iter()
            .filter(|k| header.contains_key(**k))
            .count();
        if named != 1 {
            return Err(invalid(
                &req::OID4VCI_PROOF_KEY,
                format!(
                    "the proof names its key by {named} of kid, jwk and x5c; exactly one is required"
                ),
            ));
        }
        let binds = |method: &str| {
            self.config
                .variant
                .binding_methods
                .iter()
                .any(|m| m == method)
        };
        if header.contains_key("jwk") && !binds("jwk")
            || header.contains_key("kid") && !binds("did:jwk")
        {
            return Err(invalid(
                &req::OID4VCI_PROOF_KEY,
                format!(
                    "the proof binds by a method this issuer does not offer (cryptographic_binding_methods_supported: {})",
                    self.config.variant.binding_methods.join(", ")
                ),
            ));
        }
        let jwk: Jwk = if let Some(jwk) = header.get("jwk") {
            serde_json::from_value(jwk.clone())
                .map_err(|e| invalid(&req::OID4VCI_PROOF_KEY, format!("jwk: {e}")))?
        } else if let Some(kid) = header.get("kid").and_then(Value::as_str) {
            // A DID URL (Appendix F.1). This issuer binds to keys it can resolve without a
            // network: did:jwk, whose identifier is the key itself.
            resolve_did_jwk(kid).map_err(|e| invalid(&req::OID4VCI_PROOF_KEY, e))?
        } else {
            return Err(invalid(
                &req::OID4VCI_PROOF_KEY,
                "this issuer binds credentials to a jwk or a did:jwk kid; x5c is not supported"
                    .into(),
            ));
        };
        if jwk.d.is_some() {
            return Err(invalid(
                &req::OID4VCI_PROOF_KEY,
                "the jwk header contains a private key".into(),
            ));
        }
        let key = VerifyingKey::from_jwk(&jwk)
            .map_err(|e| invalid(&req::OID4VCI_PROOF_KEY, format!("jwk: {e}")))?;
        jws.verify(&key).map_err(|e| {
            invalid(
                &req::OID4VCI_PROOF_KEY,
                format!("signature does not verify with the jwk header's key: {e}"),
            )
        })?;
        let claims = &jws.payload;
        if claims.get("aud").and_then(Value::as_str) != Some(self.config.credential_issuer.as_str())
        {
            return Err(invalid(
                &req::OID4VCI_PROOF_AUD,
                format!(
                    "aud is {}, not the Credential Issuer Identifier {}",
                    claims.get("aud").unwrap_or(&Value::Null),
                    self.config.credential_issuer
                ),
            ));
        }
        // NumericDate may be fractional (RFC 7519 §2).
        #[expect(
            clippy::cast_possible_truncation,
            reason = "seconds since the epoch fit an i64"
        )]
        let Some(iat) = claims
            .get("iat")
            .and_then(Value::as_f64)
            .map(|f| f.floor() as i64)
        else {
            return Err(invalid(&req::OID4VCI_PROOF_IAT, "iat is missing".into()));
        };
        if iat > now + SKEW || iat < now - PROOF_MAX_AGE {
            return Err(invalid(
                &req::OID4VCI_PROOF_IAT,
                format!(
                    "iat {iat} is outside [{}, {}]",
                    now - PROOF_MAX_AGE,
                    now + SKEW
                ),
            ));
        }
        let Some(nonce) = claims.get("nonce").and_then(Value::as_str) else {
            return Err(invalid(
                &req::OID4VCI_PROOF_NONCE,
                "nonce is missing; this issuer has a nonce endpoint".into(),
            ));
        };
        match self.nonces.remove(nonce) {
            Some(exp) if exp >= now => Ok(jwk),
            _ => Err(ProtocolError::bad_request(
                "invalid_nonce",
                &req::OID4VCI_PROOF_NONCE,
                "c_nonce is unknown, expired or already used; fetch a new one",
            )),
        }
    }
}

/// The `did:jwk` of a public key: the DID is the key's JWK, base64url-encoded.
pub fn did_jwk(key: &Jwk) -> Result<String, String> {
    // The same JSON the key proofs' `kid` carries (see `proof_jwt_bound`).
    let json = serde_json::to_value(key).map_err(|e| e.to_string())?;
    Ok(format!(
        "did:jwk:{}",
        crate::formats::jose::b64(json.to_string())
    ))
}

/// Resolves a `did:jwk` DID URL (optionally with a `#0` fragment) to its public key.
pub fn resolve_did_jwk(kid: &str) -> Result<Jwk, String> {
    crate::formats::jose::resolve_did_jwk(kid)
}

/// `base/.well-known/NAME` for an identifier that may have a path: the well-known segment
/// goes between the host and the path (OpenID4VCI §12.2.2, RFC 8414 §3.1).
pub fn well_known(identifier: &str, name: &str) -> Result<String, String> {
    let url =
        url::Url::parse(identifier).map_err(|e| format!("{identifier:?} is not a URL: {e}"))?;
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Ok(format!("{origin}/.well-known/{name}{path}"))
}

/// `application/x-www-form-urlencoded` of `pairs`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    crate::formats::jose::b64(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// Where a credential offer is: inline, or behind a URL to fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum OfferLocation {
    Value(Value),
    Reference(String),
}

/// Parses `openid-credential-offer://?credential_offer=…` (or any URL with the same query),
/// or a bare offer JSON object.
pub fn parse_offer(uri: &str) -> Result<OfferLocation, String> {
    let trimmed = uri.trim();
    if trimmed.starts_with('{') {
        return serde_json::from_str(trimmed)
            .map(OfferLocation::Value)
            .map_err(|e| format!("the offer is not JSON: {e}"));
    }
    let query = trimmed
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or_else(|| "the offer URI has no query".to_owned())?;
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    match (
        params.get("credential_offer"),
        params.get("credential_offer_uri"),
    ) {
        (Some(v), None) => serde_json::from_str(v)
            .map(OfferLocation::Value)
            .map_err(|e| format!("credential_offer is not JSON: {e}")),
        (None, Some(u)) => Ok(OfferLocation::Reference(u.clone())),
        (Some(_), Some(_)) => {
            Err("credential_offer and credential_offer_uri are mutually exclusive (§4.1)".into())
        }
        (None, None) => Err("neither credential_offer nor credential_offer_uri is present".into()),
    }
}

/// An offer's issuer, configuration ids and grants.
pub type CheckedOffer = (String, Vec<String>, Map<String, Value>);

/// Checks an offer's shape (§4.1.1) and returns its issuer, configuration ids and grants.
pub fn check_offer(offer: &Value) -> Result<CheckedOffer, String> {
    let issuer = offer
        .get("credential_issuer")
        .and_then(Value::as_str)
        .ok_or("credential_issuer is missing")?;
    let ids: Vec<String> = offer
        .get("credential_configuration_ids")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("credential_configuration_ids must be a non-empty array")?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or("a configuration id is not a string")
        })
        .collect::<Result<_, _>>()?;
    let grants = match offer.get("grants") {
        None => Map::new(),
        Some(Value::Object(g)) => g.clone(),
        Some(_) => return Err("grants must be an object".into()),
    };
    Ok((issuer.to_owned(), ids, grants))
}

/// A `jwt` key proof (Appendix F.1) for `holder`, bound to the issuer and its nonce.
pub fn proof_jwt(
    holder: &SigningKey,
    credential_issuer: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, crate::formats::jose::JoseError> {
    proof_jwt_bound(holder, Binding::Jwk, credential_issuer, nonce, iat)
}

/// How a key proof names the holder key (Appendix F.1), following what the issuer's
/// `cryptographic_binding_methods_supported` lists (§12.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// A `jwk` header.
    Jwk,
    /// A `kid` header holding a `did:jwk` DID URL.
    DidJwk,
}

impl Binding {
    /// The binding to use for a credential configuration: `jwk` when listed (or when the
    /// list is absent), else `did:jwk`; `None` when the issuer offers neither.
    pub fn choose(configuration: &Value) -> Option<Self> {
        match configuration
            .get("cryptographic_binding_methods_supported")
            .and_then(Value::as_array)
        {
            None => Some(Binding::Jwk),
            Some(methods) if methods.iter().any(|m| m == "jwk") => Some(Binding::Jwk),
            Some(methods) if methods.iter().any(|m| m == "did:jwk") => Some(Binding::DidJwk),
            Some(_) => None,
        }
    }
}

/// A `jwt` key proof naming the holder key as `binding` says.
pub fn proof_jwt_bound(
    holder: &SigningKey,
    binding: Binding,
    credential_issuer: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, crate::formats::jose::JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), json!(PROOF_TYP));
    let jwk = serde_json::to_value(holder.public_jwk()).unwrap_or(Value::Null);
    match binding {
        Binding::Jwk => {
            header.insert("jwk".into(), jwk);
        }
        Binding::DidJwk => {
            header.insert(
                "kid".into(),
                json!(format!(
                    "did:jwk:{}#0",
                    crate::formats::jose::b64(jwk.to_string())
                )),
            );
        }
    }
    let mut claims = Map::new();
    claims.insert("aud".into(), json!(credential_issuer));
    claims.insert("iat".into(), json!(iat));
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    sign_compact(header, &claims, holder)
}

/// Draws a PKCE code verifier (RFC 7636 §4.1: 43–128 unreserved characters).
pub fn pkce_verifier(entropy: &mut dyn Entropy) -> String {
    random_token(entropy, 32)
}

/// The wallet's checks of a Token Response (§6.2): `access_token` and `token_type` (RFC 6749
/// §5.1), and each `authorization_details` entry an object of `type` `openid_credential`
/// (RFC 9396 §2: `type` is REQUIRED) with a `credential_configuration_id` and non-empty
/// string `credential_identifiers`. Unknown members are ignored, as the wallet must.
pub fn check_token_response(token: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut broken = |m: String| out.push(Violation::new(&req::OID4VCI_TOKEN_RESPONSE, m));
    for member in ["access_token", "token_type"] {
        if !token[member].is_string() {
            broken(format!("{member} is missing or not a string"));
        }
    }
    match token.get("authorization_details") {
        None => {}
        Some(Value::Array(details)) if !details.is_empty() => {
            for (i, d) in details.iter().enumerate() {
                if d["type"] != "openid_credential" {
                    broken(format!(
                        "authorization_details[{i}].type is {}, not \"openid_credential\" (REQUIRED, RFC 9396 §2)",
                        d["type"]
                    ));
                }
                if !d["credential_configuration_id"].is_string() {
                    broken(format!(
                        "authorization_details[{i}].credential_configuration_id is missing"
                    ));
                }
                let ids_ok = d["credential_identifiers"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
                if !ids_ok {
                    broken(format!(
                        "authorization_details[{i}].credential_identifiers is not a non-empty array of strings"
                    ));
                }
            }
        }
        Some(other) => broken(format!(
            "authorization_details is {other}, not a non-empty array of objects"
        )),
    }
    out
}

#[cfg(test)]
mod tests {

    /// The Token Response example of OpenID4VCI 1.0 §6.2 passes; the same with its
    /// authorization detail's `type` left out (what eduTAP `openid4vci` 1.0.0a1 sends, see
    /// docs/interop-findings.md) breaks RFC 9396 §2, which makes `type` REQUIRED.
    #[test]
    fn token_response_authorization_details_need_their_type() {
        let spec = json!({
            "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ",
            "token_type": "Bearer",
            "expires_in": 86400,
            "authorization_details": [{
                "type": "openid_credential",
                "credential_configuration_id": "UniversityDegreeCredential",
                "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"]
            }]
        });
        assert!(check_token_response(&spec).is_empty());
        let mut untyped = spec.clone();
        untyped["authorization_details"][0]
            .as_object_mut()
            .map(|d| d.remove("type"));
        let v = check_token_response(&untyped);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].requirement.id, "OID4VCI-6.2-token-response");
        assert!(check_token_response(&json!({"access_token": "a"})).len() == 1);
        assert!(
            !check_token_response(
                &json!({"access_token": "a", "token_type": "Bearer", "authorization_details": []})
            )
            .is_empty()
        );
    }

    use super::*;
    use crate::entropy::SeededEntropy;

    #[test]
    fn the_wallet_binds_the_way_the_issuer_offers() {
        let with = |m: Value| json!({"cryptographic_binding_methods_supported": m});
        assert_eq!(Binding::choose(&json!({})), Some(Binding::Jwk));
        assert_eq!(
            Binding::choose(&with(json!(["did:jwk", "jwk"]))),
            Some(Binding::Jwk)
        );
        assert_eq!(
            Binding::choose(&with(json!(["did:jwk"]))),
            Some(Binding::DidJwk)
        );
        assert_eq!(Binding::choose(&with(json!(["did:key", "cose_key"]))), None);
    }

    #[test]
    fn a_did_jwk_proof_names_the_holder_key() {
        let holder = SigningKey::generate(
            crate::formats::jose::Algorithm::ES256,
            &mut SeededEntropy::new(1, "h"),
        )
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        let jwt = proof_jwt_bound(
            &holder,
            Binding::DidJwk,
            "https://i.example/eu",
            Some("n"),
            1,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let jws = CompactJws::parse(&jwt).unwrap_or_else(|e| panic!("{e}"));
        assert!(!jws.header.contains_key("jwk"));
        let kid = jws.header["kid"].as_str().unwrap_or_default();
        assert_eq!(resolve_did_jwk(kid), Ok(holder.public_jwk()));
        assert!(resolve_did_jwk("did:key:z6Mk").is_err());
    }

    fn bounded_issuer() -> Issuer {
        let pki = crate::trust::pki::TestPki::generate(17).unwrap();
        let config = IssuerConfig {
            credential_issuer: "https://issuer.eu.accord.test/eu".into(),
            profile: Profile::EuDiploma,
            iss: pki.eu.issuer_url.clone(),
            signing_key: SigningKey::from_jwk(pki.eu.issuer.key.private_jwk()).unwrap(),
            chain: pki.eu.issuer_chain(),
            status_list_uri: None,
            display_name: "bounds".into(),
            variant: IssuerVariant::default(),
        };
        Issuer::new(config, SeededEntropy::new(17, "bounds"))
    }

    /// Issue 17, item 3: 20,000 offers took an issuer from 15 MB to 4.95 GB.
    #[test]
    fn a_flood_of_offers_is_bounded_by_count_and_by_bytes() {
        let mut issuer = bounded_issuer();
        let pre = OfferOptions {
            flow: Flow::PreAuthorizedCode,
            tx_code: false,
            by_reference: false,
            badge: false,
        };
        let auth = OfferOptions {
            flow: Flow::AuthorizationCode,
            tx_code: false,
            by_reference: true,
            badge: true,
        };
        let small = issuer.config.profile.example_claims();
        for n in 0..MAX_PENDING_OFFERS * 2 {
            let options = if n % 2 == 0 { &pre } else { &auth };
            issuer.create_offer(small.clone(), options, 0);
        }
        let held = issuer.held();
        assert_eq!(held.offers, MAX_PENDING_OFFERS, "{held:?}");
        // Subjects of 60 KB (under the control body limit): the byte bound stops them first.
        let mut big = small.clone();
        big.insert("padding".into(), json!("x".repeat(60 * 1024)));
        for _ in 0..600 {
            issuer.create_offer(big.clone(), &pre, 0);
        }
        let held = issuer.held();
        assert!(held.offer_bytes <= MAX_PENDING_OFFER_BYTES, "{held:?}");
        assert!(held.offers < 300, "{held:?}");
        // The newest offer is still redeemable.
        let last = issuer.create_offer(small, &pre, 0);
        let code = last.offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
            .as_str()
            .unwrap()
            .to_owned();
        let params = BTreeMap::from([
            ("grant_type".to_owned(), PRE_AUTHORIZED_GRANT.to_owned()),
            ("pre-authorized_code".to_owned(), code),
        ]);
        assert!(issuer.token(&params, 0).is_ok());
        assert_eq!(issuer.held().grants, 1);
    }
}
