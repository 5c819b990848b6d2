//! The reference wallet. It has no protocol endpoints of its own (issuance and presentation
//! are driven from the wallet's side); its control API makes it act:
//! `POST /control/offers/accept` runs OpenID4VCI against the offering issuer,
//! `POST /control/presentations` answers an OpenID4VP request, `GET /control/credentials`
//! lists what it holds. Every exchange goes through the recording transport.
//!
//! The wallet also checks its counterparts as it goes (metadata, `no-store`, response
//! shapes) and reports what it found, so a vendor's issuer or verifier driven by the
//! reference wallet is tested too.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::bounds::{CREDENTIALS_PAGE, MAX_CREDENTIAL_BYTES, MAX_CREDENTIALS};
use super::{control_bad_request, control_failure, control_fallback, health, json_response};
use crate::entropy::{Clock, SeededEntropy};
use crate::formats::jose::SigningKey;
use crate::protocol::oid4vci::{
    self, OfferLocation, PRE_AUTHORIZED_GRANT, check_offer, parse_offer, pkce_challenge,
    pkce_verifier,
};
use crate::protocol::oid4vp::{
    ClientIdPrefix, Consent, HeldCredential, RequestLocation, WalletFault, build_response,
    check_unsigned_request, parse_authorization_request, verify_request_object, wallet_metadata,
};
use crate::protocol::random_token;
use crate::requirements::{Violation, catalogue as req};
use crate::transport::{Request, Response as HttpResponse, Transport};

/// Whom the wallet trusts as a verifier.
pub struct WalletTrust {
    /// Relying-party CA certificates (DER) request objects must chain to.
    pub rp_anchors: Vec<Vec<u8>>,
    /// Verifiers trusted by client identifier (they may choose any response URI, §5.9.3).
    pub trusted_client_ids: Vec<String>,
    /// The client identifier prefixes this wallet accepts (a variant may accept fewer than
    /// all three), in the names of OpenID4VP §5.9.3.
    pub client_id_prefixes: Vec<ClientIdPrefix>,
}

impl WalletTrust {
    pub const ALL_PREFIXES: [ClientIdPrefix; 3] = [
        ClientIdPrefix::X509SanDns,
        ClientIdPrefix::X509Hash,
        ClientIdPrefix::RedirectUri,
    ];
}

pub struct WalletRole {
    pub name: String,
    pub base_url: String,
    holder: SigningKey,
    /// Relying-party CA certificates (DER) the wallet trusts for request objects.
    rp_anchors: Vec<Vec<u8>>,
    /// Verifiers the wallet trusts by client identifier (they may choose any response URI).
    trusted_client_ids: Vec<String>,
    client_id_prefixes: Vec<ClientIdPrefix>,
    /// Shared, so a presentation takes a snapshot without copying every credential.
    credentials: Mutex<CredentialStore>,
    entropy: Mutex<SeededEntropy>,
    transport: Transport,
    clock: Arc<dyn Clock>,
}

impl WalletRole {
    pub fn new(
        name: &str,
        base_url: String,
        holder: SigningKey,
        trust: WalletTrust,
        entropy: SeededEntropy,
        transport: Transport,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            base_url,
            holder,
            rp_anchors: trust.rp_anchors,
            trusted_client_ids: trust.trusted_client_ids,
            client_id_prefixes: trust.client_id_prefixes,
            credentials: Mutex::new(CredentialStore::default()),
            entropy: Mutex::new(entropy),
            transport,
            clock,
        }
    }

    fn draw<T>(&self, f: impl FnOnce(&mut SeededEntropy) -> T) -> T {
        f(&mut self
            .entropy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    async fn send(
        &self,
        to: &str,
        step: &'static str,
        request: Request,
    ) -> Result<HttpResponse, Failure> {
        self.transport
            .send(&self.name, to, request)
            .await
            .map_err(|e| Failure {
                step,
                detail: e.to_string(),
                counterpart: None,
            })
    }
}

/// The credentials the wallet holds, oldest first, bounded by count
/// ([`MAX_CREDENTIALS`]) and bytes ([`MAX_CREDENTIAL_BYTES`]).
///
/// Beyond either bound the oldest credentials are forgotten rather than new ones refused:
/// nothing a wallet holds expires, so a refusing wallet would stay full for ever (a long
/// issuer campaign would wedge it), and the wallet presents the newest matching credential
/// anyway, so the oldest are the least likely to be asked for.
#[derive(Default)]
pub struct CredentialStore {
    held: VecDeque<(Arc<HeldCredential>, usize)>,
    bytes: usize,
    /// Credentials stored so far: ids stay unique after the oldest are forgotten.
    stored: u64,
    limits: StoreLimits,
}

/// The bounds of a [`CredentialStore`] (the constants of [`super::bounds`]; tests shrink them).
#[derive(Debug, Clone, Copy)]
pub struct StoreLimits {
    pub count: usize,
    pub bytes: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            count: MAX_CREDENTIALS,
            bytes: MAX_CREDENTIAL_BYTES,
        }
    }
}

impl CredentialStore {
    pub fn with_limits(limits: StoreLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// The next credential's id.
    fn next_id(&self) -> String {
        format!("cred-{}", self.stored + 1)
    }

    /// Stores `credential`, forgetting the oldest ones beyond the bounds.
    pub fn push(&mut self, credential: HeldCredential) {
        // The compact form and the decoded claims are what the wallet keeps of it.
        let size = credential.credential.len() + credential.claims.to_string().len();
        while !self.held.is_empty()
            && (self.held.len() >= self.limits.count || self.bytes + size > self.limits.bytes)
        {
            if let Some((_, old)) = self.held.pop_front() {
                self.bytes -= old;
            }
        }
        self.bytes += size;
        self.stored += 1;
        self.held.push_back((Arc::new(credential), size));
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Bytes held, as the bounds count them.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Every credential, oldest first (shared, not copied).
    pub fn snapshot(&self) -> Vec<Arc<HeldCredential>> {
        self.held.iter().map(|(c, _)| c.clone()).collect()
    }

    /// At most `limit` credentials from the `offset`-th, oldest first.
    pub fn page(&self, offset: usize, limit: usize) -> Vec<Arc<HeldCredential>> {
        self.held
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// Why a control operation failed, and the counterpart's answer if there was one.
struct Failure {
    step: &'static str,
    detail: String,
    counterpart: Option<Value>,
}

impl Failure {
    fn from_response(step: &'static str, r: &HttpResponse) -> Self {
        let body = serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()));
        Self {
            step,
            detail: format!("HTTP {}", r.status),
            counterpart: Some(json!({"status": r.status, "body": body})),
        }
    }

    fn response(self) -> Response {
        control_failure(self.step, self.detail, self.counterpart)
    }
}

pub fn router(state: Arc<WalletRole>) -> Router {
    Router::new()
        .route("/control/health", get(|| async { health("wallet") }))
        .route("/control/capabilities", get(capabilities))
        .route("/control/offers/accept", post(accept_offer))
        .route("/control/presentations", post(present))
        .route("/control/credentials", get(list_credentials))
        .route("/control/{*rest}", axum::routing::any(control_fallback))
        .with_state(state)
}

async fn capabilities(State(s): State<Arc<WalletRole>>) -> Response {
    json_response(
        200,
        &json!({
            "role": "wallet",
            "implementation": s.name,
            "formats": ["dc+sd-jwt", "jwt_vc_json"],
            "flows": ["pre_authorized_code", "authorization_code"],
            "client_id_prefixes": s.client_id_prefixes.iter().map(|p| p.name()).collect::<Vec<_>>(),
            "response_modes": ["direct_post", "direct_post.jwt"],
            "encrypted_response_enc_values": ["A128GCM", "A256GCM"],
            "algorithms": ["ES256"],
            "control_operations": ["health", "capabilities", "accept_offer", "present", "list_credentials"],
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_page")]
    limit: usize,
}

fn default_page() -> usize {
    CREDENTIALS_PAGE
}

/// `GET /control/credentials[?offset=N&limit=M]`: one page of what the wallet holds, oldest
/// first, at most [`CREDENTIALS_PAGE`] credentials, with the `total` held and the
/// `next_offset` to ask for (null on the last page). Paged so that a full wallet answers
/// in bounded time and size.
async fn list_credentials(
    State(s): State<Arc<WalletRole>>,
    query: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(page)) = query else {
        return control_bad_request("offset and limit must be non-negative integers");
    };
    let limit = page.limit.clamp(1, CREDENTIALS_PAGE);
    let (items, total) = {
        let store = s
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (store.page(page.offset, limit), store.len())
    };
    let list: Vec<Value> = items
        .iter()
        .map(|c| json!({"id": c.id, "format": c.format, "vct": c.vct, "claims": c.claims}))
        .collect();
    let end = page.offset.saturating_add(list.len());
    let next = (end < total).then_some(end);
    json_response(
        200,
        &json!({"credentials": list, "total": total, "next_offset": next}),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptOffer {
    /// `openid-credential-offer://…` or the offer JSON.
    offer: String,
    #[serde(default)]
    tx_code: Option<String>,
}

async fn accept_offer(State(s): State<Arc<WalletRole>>, body: Bytes) -> Response {
    let request: AcceptOffer = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    match issuance(&s, &request).await {
        Ok(v) => json_response(200, &v),
        Err(f) => f.response(),
    }
}

fn json_of(step: &'static str, r: &HttpResponse) -> Result<Value, Failure> {
    r.json().map_err(|e| Failure {
        step,
        detail: e.to_string(),
        counterpart: None,
    })
}

/// OpenID4VCI from the wallet's side (§3.5 pre-authorized, §3.4 authorization code).
async fn issuance(s: &WalletRole, request: &AcceptOffer) -> Result<Value, Failure> {
    let mut findings: Vec<Violation> = Vec::new();
    let fail = |step, detail: String| Failure {
        step,
        detail,
        counterpart: None,
    };
    let offer = match parse_offer(&request.offer).map_err(|d| fail("offer", d))? {
        OfferLocation::Value(v) => v,
        OfferLocation::Reference(url) => {
            let r = s.send("issuer", "offer", Request::get(&url)).await?;
            if r.status != 200 {
                return Err(Failure::from_response("offer", &r));
            }
            json_of("offer", &r)?
        }
    };
    let (issuer, config_ids, grants) = check_offer(&offer).map_err(|d| fail("offer", d))?;
    let metadata_url =
        oid4vci::well_known(&issuer, "openid-credential-issuer").map_err(|d| fail("offer", d))?;
    let r = s
        .send("issuer", "metadata", Request::get(metadata_url))
        .await?;
    if r.status != 200 {
        return Err(Failure::from_response("metadata", &r));
    }
    let metadata = json_of("metadata", &r)?;
    if metadata["credential_issuer"].as_str() != Some(issuer.as_str()) {
        findings.push(Violation::new(
            &req::OID4VCI_METADATA,
            format!(
                "credential_issuer is {}, expected {issuer}",
                metadata["credential_issuer"]
            ),
        ));
        return Err(fail(
            "metadata",
            "the metadata's credential_issuer is not the offering issuer (§12.2.4)".into(),
        ));
    }
    let config_id = config_ids
        .iter()
        .find(|id| {
            metadata["credential_configurations_supported"]
                .get(id.as_str())
                .is_some()
        })
        .cloned()
        .ok_or_else(|| {
            fail(
                "metadata",
                "no offered configuration is in credential_configurations_supported".into(),
            )
        })?;
    let as_issuer = metadata["authorization_servers"][0]
        .as_str()
        .unwrap_or(&issuer)
        .to_owned();
    let as_url = oid4vci::well_known(&as_issuer, "oauth-authorization-server")
        .map_err(|d| fail("metadata", d))?;
    let r = s
        .send("issuer", "as-metadata", Request::get(as_url))
        .await?;
    if r.status != 200 {
        return Err(Failure::from_response("as-metadata", &r));
    }
    let as_metadata = json_of("as-metadata", &r)?;
    if as_metadata["issuer"].as_str() != Some(as_issuer.as_str()) {
        // RFC 8414 §3.3: metadata whose issuer differs must not be used.
        return Err(fail(
            "as-metadata",
            format!(
                "the authorization server metadata names issuer {}, not {as_issuer} (RFC 8414 §3.3)",
                as_metadata["issuer"]
            ),
        ));
    }
    let token_endpoint = as_metadata["token_endpoint"]
        .as_str()
        .ok_or_else(|| fail("as-metadata", "token_endpoint is missing".into()))?
        .to_owned();
    let token_request = if let Some(grant) = grants.get(PRE_AUTHORIZED_GRANT) {
        let code = grant["pre-authorized_code"]
            .as_str()
            .ok_or_else(|| fail("offer", "pre-authorized_code is missing".into()))?;
        let mut pairs = vec![
            ("grant_type", PRE_AUTHORIZED_GRANT),
            ("pre-authorized_code", code),
        ];
        if let Some(tx) = &request.tx_code {
            pairs.push(("tx_code", tx));
        }
        Request::post_form(&token_endpoint, &pairs)
    } else if let Some(grant) = grants.get("authorization_code") {
        let authorize = as_metadata["authorization_endpoint"]
            .as_str()
            .ok_or_else(|| fail("as-metadata", "authorization_endpoint is missing".into()))?;
        let verifier = s.draw(|e| pkce_verifier(e));
        let state = s.draw(|e| crate::protocol::random_token(e, 16));
        let redirect = format!("{}/callback", s.base_url);
        let challenge = pkce_challenge(&verifier);
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", "accord-wallet"),
            ("redirect_uri", redirect.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("scope", config_id.as_str()),
            ("state", state.as_str()),
        ];
        if let Some(st) = grant["issuer_state"].as_str() {
            pairs.push(("issuer_state", st));
        }
        let r = s
            .send(
                "issuer",
                "authorize",
                Request::get(format!("{authorize}?{}", oid4vci::form(&pairs))),
            )
            .await?;
        let location = r
            .header("location")
            .filter(|_| r.status == 302 || r.status == 303)
            .ok_or_else(|| Failure::from_response("authorize", &r))?;
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params: std::collections::BTreeMap<String, String> =
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        if params.get("state") != Some(&state) {
            return Err(fail(
                "authorize",
                "the authorization response's state does not match the request's".into(),
            ));
        }
        let code = params
            .get("code")
            .ok_or_else(|| fail("authorize", format!("no code in the redirect {location:?}")))?;
        Request::post_form(
            &token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", &verifier),
                ("redirect_uri", &redirect),
                ("client_id", "accord-wallet"),
            ],
        )
    } else {
        return Err(fail(
            "offer",
            "the offer has no grant this wallet supports".into(),
        ));
    };
    let r = s.send("issuer", "token", token_request).await?;
    if r.status != 200 {
        return Err(Failure::from_response("token", &r));
    }
    let token = json_of("token", &r)?;
    findings.extend(oid4vci::check_token_response(&token));
    let access_token = token["access_token"]
        .as_str()
        .ok_or_else(|| fail("token", "access_token is missing".into()))?
        .to_owned();
    let nonce = match metadata["nonce_endpoint"].as_str() {
        Some(url) => {
            let r = s
                .send(
                    "issuer",
                    "nonce",
                    Request {
                        method: "POST".into(),
                        url: url.to_owned(),
                        headers: Vec::new(),
                        body: Vec::new(),
                    },
                )
                .await?;
            if r.status != 200 {
                return Err(Failure::from_response("nonce", &r));
            }
            if !r
                .header("cache-control")
                .is_some_and(|c| c.contains("no-store"))
            {
                findings.push(Violation::new(
                    &req::OID4VCI_NONCE_NO_STORE,
                    "the nonce response lacks Cache-Control: no-store",
                ));
            }
            Some(
                json_of("nonce", &r)?["c_nonce"]
                    .as_str()
                    .ok_or_else(|| fail("nonce", "c_nonce is missing".into()))?
                    .to_owned(),
            )
        }
        None => None,
    };
    // Bind the way the issuer says it can (§12.2.4), or stop: a key representation the
    // issuer never offered would be refused anyway.
    let configuration = &metadata["credential_configurations_supported"][config_id.as_str()];
    let binding = oid4vci::Binding::choose(configuration).ok_or_else(|| {
        fail(
            "metadata",
            format!(
                "the issuer binds only by {}, none of which this wallet supports (jwk, did:jwk)",
                configuration["cryptographic_binding_methods_supported"]
            ),
        )
    })?;
    let proof =
        oid4vci::proof_jwt_bound(&s.holder, binding, &issuer, nonce.as_deref(), s.clock.now())
            .map_err(|e| fail("credential", e.to_string()))?;
    let credential_endpoint = metadata["credential_endpoint"]
        .as_str()
        .ok_or_else(|| fail("metadata", "credential_endpoint is missing".into()))?;
    let body = json!({"credential_configuration_id": config_id, "proofs": {"jwt": [proof]}});
    let r = s
        .send(
            "issuer",
            "credential",
            Request::post_json(credential_endpoint, &body)
                .header("authorization", format!("Bearer {access_token}")),
        )
        .await?;
    if r.status != 200 {
        return Err(Failure::from_response("credential", &r));
    }
    let response = json_of("credential", &r)?;
    let issued = response["credentials"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            fail(
                "credential",
                "the response has no credentials array (§8.3)".into(),
            )
        })?;
    let mut out = Vec::new();
    for item in issued {
        let compact = item["credential"].as_str().ok_or_else(|| {
            fail(
                "credential",
                "a credentials entry has no credential string".into(),
            )
        })?;
        let mut held = s
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let format = configuration["format"]
            .as_str()
            .unwrap_or(oid4vci::FORMAT_SD_JWT_VC);
        let credential = HeldCredential::from_issued_as(held.next_id(), format, compact)
            .map_err(|e| fail("credential", e))?;
        out.push(json!({"id": credential.id, "vct": credential.vct, "claims": credential.claims}));
        held.push(credential);
    }
    Ok(json!({"credentials": out, "findings": findings}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Present {
    /// `openid4vp://…`
    request: String,
    #[serde(default)]
    consent: Consent,
    #[serde(default)]
    misbehave: Vec<WalletFault>,
}

async fn present(State(s): State<Arc<WalletRole>>, body: Bytes) -> Response {
    let request: Present = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return control_bad_request(e.to_string()),
    };
    match presentation(&s, &request).await {
        Ok(v) => json_response(200, &v),
        Err(f) => f.response(),
    }
}

/// Sends the wallet's error to the verifier of an already verified request object.
async fn report_refusal(s: &WalletRole, jwt: &str, e: &crate::protocol::ProtocolError) {
    let Ok(jws) = crate::formats::jose::CompactJws::parse(jwt) else {
        return;
    };
    let Some(response_uri) = jws.payload.get("response_uri").and_then(Value::as_str) else {
        return;
    };
    let mut form = vec![
        ("error", e.error),
        ("error_description", e.description.as_str()),
    ];
    if let Some(state) = jws.payload.get("state").and_then(Value::as_str) {
        form.push(("state", state));
    }
    // The verifier's answer changes nothing for the wallet; the exchange is recorded.
    let _ = s
        .send(
            "verifier",
            "error-response",
            Request::post_form(response_uri, &form),
        )
        .await;
}

/// OpenID4VP from the wallet's side.
async fn presentation(s: &WalletRole, request: &Present) -> Result<Value, Failure> {
    let now = s.clock.now();
    let refused = |e: crate::protocol::ProtocolError| Failure {
        step: "request",
        detail: format!("the wallet refused the request: {e}"),
        counterpart: Some(json!({"refusal": e.body()})),
    };
    let location = parse_authorization_request(&request.request).map_err(refused)?;
    let client_id = match &location {
        RequestLocation::Reference { client_id, .. } => client_id.clone(),
        RequestLocation::Value(params) => params
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    };
    if !ClientIdPrefix::from_client_id(&client_id)
        .is_some_and(|p| s.client_id_prefixes.contains(&p))
    {
        // §8.5: a prefix the wallet does not support is invalid_request.
        return Err(refused(crate::protocol::ProtocolError::bad_request(
            "invalid_request",
            &req::OID4VP_CLIENT_ID_PREFIX,
            format!("this wallet does not support the client identifier prefix of {client_id:?}"),
        )));
    }
    let authorization = match location {
        RequestLocation::Reference {
            client_id,
            request_uri,
            method,
        } => {
            // §5.10: by POST, with a fresh wallet_nonce the request object must carry back.
            let wallet_nonce = (method == "post").then(|| s.draw(|e| random_token(e, 16)));
            let fetch = match &wallet_nonce {
                Some(nonce) => Request::post_form(
                    &request_uri,
                    &[
                        ("wallet_nonce", nonce.as_str()),
                        (
                            "wallet_metadata",
                            &wallet_metadata(&s.client_id_prefixes).to_string(),
                        ),
                    ],
                ),
                None => Request::get(&request_uri),
            };
            let r = s
                .send(
                    "verifier",
                    "request-uri",
                    fetch.header("accept", "application/oauth-authz-req+jwt"),
                )
                .await?;
            if r.status != 200 {
                return Err(Failure::from_response("request-uri", &r));
            }
            let jwt = r.text();
            let verified = verify_request_object(
                jwt.trim(),
                &client_id,
                &s.rp_anchors,
                &s.trusted_client_ids,
                now,
            )
            .and_then(|request| match &wallet_nonce {
                Some(sent) if request.wallet_nonce.as_deref() != Some(sent.as_str()) => {
                    Err(crate::protocol::ProtocolError::bad_request(
                        "invalid_request_object",
                        &req::OID4VP_REQUEST_URI_POST,
                        format!(
                            "the request object's wallet_nonce is {:?}, not the {sent:?} this wallet sent",
                            request.wallet_nonce
                        ),
                    ))
                }
                _ => Ok(request),
            });
            match verified {
                Ok(request) => request,
                Err(e) if e.error == "invalid_transaction_data" => {
                    // Found after the signature and client were verified, so the response URI
                    // is trusted: the verifier is told (§5.1 "MUST return an error").
                    report_refusal(s, jwt.trim(), &e).await;
                    return Err(refused(e));
                }
                Err(e) => return Err(refused(e)),
            }
        }
        RequestLocation::Value(params) => check_unsigned_request(&params).map_err(refused)?,
    };
    let held = s
        .credentials
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .snapshot();
    let held: Vec<&HeldCredential> = held.iter().map(AsRef::as_ref).collect();
    let built = s.draw(|e| {
        build_response(
            &authorization,
            &held,
            &s.holder,
            &request.consent,
            &request.misbehave,
            now,
            e,
        )
    });
    let (form, disclosed, declined) = match built {
        Ok(r) => (r.form, r.disclosed, None),
        Err(e) if e.error == "access_denied" => {
            let mut form = vec![
                ("error".to_owned(), "access_denied".to_owned()),
                ("error_description".to_owned(), e.description.clone()),
            ];
            if let Some(st) = &authorization.state {
                form.push(("state".to_owned(), st.clone()));
            }
            (form, Default::default(), Some(e.description))
        }
        Err(e) => return Err(refused(e)),
    };
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = s
        .send(
            "verifier",
            "response",
            Request::post_form(&authorization.response_uri, &pairs),
        )
        .await?;
    let verifier_body =
        serde_json::from_slice::<Value>(&r.body).unwrap_or_else(|_| Value::String(r.text()));
    let mut findings = Vec::new();
    if r.status == 200 && !verifier_body.is_object() {
        findings.push(Violation::new(
            &req::OID4VP_DIRECT_POST,
            "the response URI answered 200 without a JSON object",
        ));
    }
    Ok(json!({
        "client_id": authorization.client_id,
        "response_mode": authorization.response_mode.name(),
        "declined": declined,
        "disclosed": disclosed,
        // What went to the response URI, so the harness can replay it when it cannot see
        // the wallet's traffic (a wallet in a container).
        "posted_form": crate::protocol::oid4vci::form(&pairs),
        "verifier_status": r.status,
        "verifier_response": verifier_body,
        "findings": findings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(id: &str, size: usize) -> HeldCredential {
        HeldCredential {
            id: id.to_owned(),
            format: "dc+sd-jwt".to_owned(),
            vct: "urn:test".to_owned(),
            credential: "x".repeat(size),
            claims: json!({}),
        }
    }

    #[test]
    fn the_store_forgets_its_oldest_beyond_the_count() {
        let mut store = CredentialStore::with_limits(StoreLimits {
            count: 3,
            bytes: usize::MAX,
        });
        for n in 0..10 {
            let id = store.next_id();
            assert_eq!(id, format!("cred-{}", n + 1), "ids stay unique");
            store.push(held(&id, 10));
        }
        assert_eq!(store.len(), 3);
        let ids: Vec<String> = store.snapshot().iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, ["cred-8", "cred-9", "cred-10"]);
        assert_eq!(store.page(1, 1)[0].id, "cred-9");
        assert!(store.page(3, 10).is_empty());
    }

    #[test]
    fn the_store_forgets_its_oldest_beyond_the_bytes() {
        let mut store = CredentialStore::with_limits(StoreLimits {
            count: usize::MAX,
            bytes: 1000,
        });
        for _ in 0..50 {
            let id = store.next_id();
            store.push(held(&id, 298));
        }
        // 300 bytes each ("{}" counts): three fit in 1000.
        assert_eq!(store.len(), 3);
        assert_eq!(store.bytes(), 900);
        assert!(store.bytes() <= 1000);
        // One larger than the whole bound is still held, alone: the newest always is.
        store.push(held("big", 5000));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn the_default_bounds_are_the_documented_ones() {
        let store = CredentialStore::default();
        assert_eq!(store.limits.count, MAX_CREDENTIALS);
        assert_eq!(store.limits.bytes, MAX_CREDENTIAL_BYTES);
    }
}
