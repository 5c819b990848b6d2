//! How a case is played against an implementation under test, over HTTP, and what its answer
//! was. One [`Subject`] per role; the campaign engine knows nothing else about roles.

use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use proptest::strategy::SBoxedStrategy;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::verifier::{self, BuildContext, VerifierCase};
use super::{Expectation, Observed};
use crate::entropy::{Clock, SeededEntropy};
use crate::formats::jose::CompactJws;
use crate::protocol::oid4vp::{
    ClientIdPrefix, RequestLocation, ResponseMode, encrypt_for_verifier,
    parse_authorization_request, wallet_metadata,
};
use crate::roles::json_response;
use crate::transport::{Request, Response as HttpResponse, Transport, TransportError};
use crate::trust::pki::TestPki;

/// A role as a campaign sees it.
pub trait Subject: Send + Sync + 'static {
    type Case: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// Every case of this role.
    fn strategy(&self) -> SBoxedStrategy<Self::Case>;
    fn expectation(&self, case: &Self::Case) -> Expectation;
    /// The case's mutation, by name (half of a finding's signature).
    fn mutation(&self, case: &Self::Case) -> String;
    /// Whether a case read from a regression seed (hand-editable) can be played at all.
    fn check(&self, _case: &Self::Case) -> Result<(), String> {
        Ok(())
    }
    /// Plays the case; `harness` is the transport the harness's own requests go through.
    fn run(&self, case: &Self::Case, harness: &Transport) -> impl Future<Output = Observed> + Send;
}

/// What one step of a case got back: a response, or the observation that ends the case.
fn answered(
    at: &str,
    result: Result<HttpResponse, TransportError>,
) -> Result<HttpResponse, Observed> {
    match result {
        Err(e) => Err(Observed::NoAnswer {
            at: at.to_owned(),
            error: e.to_string(),
        }),
        Ok(r) if r.status >= 500 => Err(Observed::ServerError {
            at: at.to_owned(),
            status: r.status,
        }),
        Ok(r) => Ok(r),
    }
}

/// Whether a transport error says the server closed the connection while the body was being
/// written (what a server does to stop an oversized upload).
fn refused_mid_body(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("error writing a body")
        || e.contains("broken pipe")
        || e.contains("connection reset")
}

/// The requirement ids an error answer names (`accord_requirements`, Accord's extension
/// member; other implementations' answers name none).
fn named_requirements(body: &[u8]) -> Vec<String> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("accord_requirements").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// The status list host a verifier campaign plays: each case's status list token under a
/// key of its own, for as long as the case runs.
#[derive(Default)]
pub struct StatusBoard {
    tokens: Mutex<HashMap<String, String>>,
}

impl StatusBoard {
    fn put(&self, key: String, token: String) {
        self.lock().insert(key, token);
    }

    fn take(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `GET /lists/{key}`.
    pub fn router(board: Arc<StatusBoard>) -> Router {
        Router::new()
            .route("/lists/{key}", get(serve_list))
            .route(
                "/control/health",
                get(|| async { crate::roles::health("status-list") }),
            )
            .with_state(board)
    }
}

async fn serve_list(State(board): State<Arc<StatusBoard>>, Path(key): Path<String>) -> Response {
    match board.lock().get(&key) {
        Some(token) => (
            [(header::CONTENT_TYPE, "application/statuslist+jwt")],
            token.clone(),
        )
            .into_response(),
        None => json_response(404, &json!({"error": "not_found", "list": key})),
    }
}

/// A verifier under test: its base URL and control path, the keys of the test PKI it trusts,
/// the campaign's status list host.
pub struct VerifierSubject {
    pub base_url: String,
    pub control_path: String,
    pub pki: Arc<TestPki>,
    /// The clock cases are built by: the roles' clock.
    pub clock: Arc<dyn Clock>,
    pub status_base: String,
    pub board: Arc<StatusBoard>,
    /// The response mode requests are made with (`direct_post` unless the verifier declares
    /// only others): [`VerifierSubject::with_declared_modes`].
    response_mode: String,
    next_list: AtomicU64,
}

/// What the harness, as a wallet, learnt from the request object it fetched.
struct RequestObject {
    response_uri: String,
    response_mode: String,
    client_metadata: serde_json::Map<String, Value>,
}

impl VerifierSubject {
    pub fn new(
        base_url: &str,
        control_path: &str,
        pki: Arc<TestPki>,
        clock: Arc<dyn Clock>,
        status_base: &str,
        board: Arc<StatusBoard>,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            control_path: control_path.trim_end_matches('/').to_owned(),
            pki,
            clock,
            status_base: status_base.trim_end_matches('/').to_owned(),
            board,
            response_mode: "direct_post".to_owned(),
            next_list: AtomicU64::new(0),
        }
    }

    /// Requests are made in the mode the verifier under test declares (its manifest's
    /// `capabilities.response_modes`): `direct_post` when it is among them or none are
    /// declared, else the first declared (`direct_post.jwt`: the harness then encrypts its
    /// response to the key in the request's `client_metadata`, §8.3). The client identifier
    /// prefix is the verifier's own default: the harness, as a wallet, takes any.
    #[must_use]
    pub fn with_declared_modes(mut self, declared: Option<&[String]>) -> Self {
        if let Some(first) = declared
            .filter(|d| !d.iter().any(|m| m == "direct_post"))
            .and_then(|d| d.first())
        {
            self.response_mode = first.clone();
        }
        self
    }

    fn control(&self, operation: &str) -> String {
        format!("{}{}{operation}", self.base_url, self.control_path)
    }

    /// The request object of an authorization request, fetched for every case as a wallet
    /// would (OpenID4VP lets a verifier use a response URI per transaction): by GET, or by
    /// POST with a `wallet_nonce` when the request says `request_uri_method=post` (§5.10).
    /// The harness does not judge the request object here (the wallet's scenarios do); it
    /// reads where and how to answer.
    async fn request_object(
        &self,
        authorization_request: &str,
        case: &VerifierCase,
        harness: &Transport,
    ) -> Result<RequestObject, Observed> {
        let refused = |what: &str| Observed::SetupRefused {
            at: format!("request object ({what})"),
            status: 0,
        };
        let Ok(RequestLocation::Reference {
            request_uri,
            method,
            ..
        }) = parse_authorization_request(authorization_request)
        else {
            return Err(refused("no request_uri"));
        };
        let fetch = if method == "post" {
            let mut entropy = SeededEntropy::new(case.salt_seed, "fuzz/wallet-nonce");
            let wallet_nonce = crate::protocol::random_token(&mut entropy, 16);
            Request::post_form(
                &request_uri,
                &[
                    ("wallet_nonce", wallet_nonce.as_str()),
                    (
                        "wallet_metadata",
                        // The harness, as a wallet, takes any prefix (it does not judge here).
                        &wallet_metadata(&ClientIdPrefix::ALL).to_string(),
                    ),
                ],
            )
        } else {
            Request::get(&request_uri)
        };
        let r = answered(
            "request object",
            harness.send("harness", "verifier", fetch).await,
        )?;
        if r.status != 200 {
            return Err(Observed::SetupRefused {
                at: "request object".into(),
                status: r.status,
            });
        }
        let jws = CompactJws::parse(r.text().trim()).map_err(|_| refused("not a JWS"))?;
        let text = |name: &str| jws.payload.get(name).and_then(Value::as_str);
        Ok(RequestObject {
            response_uri: text("response_uri")
                .ok_or_else(|| refused("no response_uri"))?
                .to_owned(),
            response_mode: text("response_mode").unwrap_or("direct_post").to_owned(),
            client_metadata: jws
                .payload
                .get("client_metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        })
    }

    async fn play(&self, case: &VerifierCase, harness: &Transport) -> Result<Observed, Observed> {
        let created = answered(
            "create request",
            harness
                .send(
                    "harness",
                    "verifier",
                    Request::post_json(
                        self.control("/requests"),
                        &json!({"dcql_query": case.query(), "response_mode": self.response_mode}),
                    ),
                )
                .await,
        )?;
        if created.status != 200 {
            return Err(Observed::SetupRefused {
                at: "create request".into(),
                status: created.status,
            });
        }
        let created = created.json().unwrap_or(Value::Null);
        let field = |name: &str| created.get(name).and_then(Value::as_str).unwrap_or("");
        let (id, nonce, state, client_id) = (
            field("id"),
            field("nonce"),
            field("state"),
            field("client_id"),
        );
        let object = self
            .request_object(field("authorization_request"), case, harness)
            .await?;
        let key = self.next_list.fetch_add(1, Ordering::Relaxed).to_string();
        let status_uri = format!("{}/lists/{key}", self.status_base);
        let built = verifier::build(
            case,
            &BuildContext {
                pki: &self.pki,
                nonce,
                client_id,
                now: self.clock.now(),
                status_uri: &status_uri,
            },
        )
        .map_err(|e| Observed::SetupRefused {
            at: format!("building the presentation: {e}"),
            status: 0,
        })?;
        let oversized = built.oversized();
        if let Some(token) = built.status_token {
            self.board.put(key.clone(), token);
        }
        let vp_token = json!({ verifier::QUERY_ID: [built.presentation] });
        let mut request = if object.response_mode == ResponseMode::DirectPostJwt.name() {
            let mut payload = serde_json::Map::new();
            payload.insert("vp_token".into(), vp_token);
            payload.insert("state".into(), json!(state));
            let mut entropy = SeededEntropy::new(case.salt_seed, "fuzz/response-encryption");
            let jwe = encrypt_for_verifier(&object.client_metadata, &payload, false, &mut entropy)
                .map_err(|e| Observed::SetupRefused {
                    at: format!("encrypting the response: {e}"),
                    status: 0,
                })?;
            Request::post_form(&object.response_uri, &[("response", &jwe)])
        } else {
            Request::post_form(
                &object.response_uri,
                &[("vp_token", &vp_token.to_string()), ("state", state)],
            )
        };
        if oversized {
            // A server may answer 413 and close before reading it all; the pooled connection
            // must not be reused for the next case.
            request = request.header("connection", "close");
        }
        let sent = harness.send("harness", "verifier", request).await;
        self.board.take(&key);
        // RFC 9110 clause 15.5.14: a server refusing a body too large may close the
        // connection instead of reading on; the client then fails writing it, before it can
        // read the 413. For an oversized body that is the refusal, not silence.
        if oversized
            && let Err(e) = &sent
            && refused_mid_body(&e.to_string())
        {
            return Ok(Observed::Rejected {
                requirements: vec![],
            });
        }
        let response = answered("response", sent)?;
        if response.status != 200 {
            return Ok(Observed::Rejected {
                requirements: named_requirements(&response.body),
            });
        }
        // 200 only says the response was processed (§8.2): the verdict is in the result.
        let result = answered(
            "read result",
            harness
                .send(
                    "harness",
                    "verifier",
                    Request::get(self.control(&format!("/requests/{id}"))),
                )
                .await,
        )?;
        let body = result.json().unwrap_or(Value::Null);
        Ok(match body.get("status").and_then(Value::as_str) {
            Some("verified") => Observed::Accepted,
            _ => Observed::Rejected {
                requirements: body
                    .pointer("/result/violations")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.get("requirement").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
            },
        })
    }
}

impl Subject for VerifierSubject {
    type Case = VerifierCase;

    fn strategy(&self) -> SBoxedStrategy<VerifierCase> {
        use proptest::strategy::Strategy as _;
        verifier::cases().sboxed()
    }

    fn expectation(&self, case: &VerifierCase) -> Expectation {
        case.expectation()
    }

    fn mutation(&self, case: &VerifierCase) -> String {
        case.mutation.name()
    }

    fn check(&self, case: &VerifierCase) -> Result<(), String> {
        case.check()
    }

    async fn run(&self, case: &VerifierCase, harness: &Transport) -> Observed {
        match self.play(case, harness).await {
            Ok(o) | Err(o) => o,
        }
    }
}

/// Where an issuer's endpoints are, read from its metadata once.
struct IssuerEndpoints {
    credential_issuer: String,
    token: String,
    nonce: Option<String>,
    credential: String,
    configuration_id: String,
    binds_jwk: bool,
    binds_did_jwk: bool,
}

/// An issuer under test: the campaign plays the wallet (OpenID4VCI pre-authorized code flow).
pub struct IssuerSubject {
    pub base_url: String,
    pub control_path: String,
    pub issuer: verifier::Issuer,
    pub clock: Arc<dyn Clock>,
    endpoints: tokio::sync::OnceCell<Result<IssuerEndpoints, Observed>>,
}

impl IssuerSubject {
    pub fn new(
        base_url: &str,
        control_path: &str,
        issuer: verifier::Issuer,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            control_path: control_path.trim_end_matches('/').to_owned(),
            issuer,
            clock,
            endpoints: tokio::sync::OnceCell::new(),
        }
    }

    /// Reads the issuer's and its authorization server's metadata (§12.2.2, RFC 8414).
    async fn discover(
        &self,
        offer: &Value,
        harness: &Transport,
    ) -> Result<IssuerEndpoints, Observed> {
        let refused = |what: String| Observed::SetupRefused {
            at: format!("metadata ({what})"),
            status: 0,
        };
        let issuer = offer["credential_issuer"]
            .as_str()
            .ok_or_else(|| refused("the offer has no credential_issuer".into()))?
            .to_owned();
        let configuration_id = offer["credential_configuration_ids"][0]
            .as_str()
            .ok_or_else(|| refused("the offer names no configuration".into()))?
            .to_owned();
        let url = crate::protocol::oid4vci::well_known(&issuer, "openid-credential-issuer")
            .map_err(refused)?;
        let metadata = answered(
            "issuer metadata",
            harness.send("harness", "issuer", Request::get(url)).await,
        )?
        .json()
        .map_err(|e| refused(e.to_string()))?;
        let as_issuer = metadata["authorization_servers"][0]
            .as_str()
            .unwrap_or(&issuer)
            .to_owned();
        let as_url = crate::protocol::oid4vci::well_known(&as_issuer, "oauth-authorization-server")
            .map_err(refused)?;
        let as_metadata = answered(
            "authorization server metadata",
            harness
                .send("harness", "issuer", Request::get(as_url))
                .await,
        )?
        .json()
        .map_err(|e| refused(e.to_string()))?;
        let methods = metadata["credential_configurations_supported"][&configuration_id]
            ["cryptographic_binding_methods_supported"]
            .as_array();
        // No list: no binding method is named, and a jwk proof is what a wallet sends.
        let binds_jwk = methods.is_none_or(|m| m.iter().any(|x| x == "jwk"));
        let binds_did_jwk = methods.is_some_and(|m| m.iter().any(|x| x == "did:jwk"));
        Ok(IssuerEndpoints {
            credential_issuer: issuer,
            token: as_metadata["token_endpoint"]
                .as_str()
                .ok_or_else(|| refused("no token_endpoint".into()))?
                .to_owned(),
            nonce: metadata["nonce_endpoint"].as_str().map(str::to_owned),
            credential: metadata["credential_endpoint"]
                .as_str()
                .ok_or_else(|| refused("no credential_endpoint".into()))?
                .to_owned(),
            configuration_id,
            binds_jwk,
            binds_did_jwk,
        })
    }

    async fn play(
        &self,
        case: &super::issuer::IssuerCase,
        harness: &Transport,
    ) -> Result<Observed, Observed> {
        use super::issuer::IssuerMutation as M;
        let created = answered(
            "create offer",
            harness
                .send(
                    "harness",
                    "issuer",
                    Request::post_json(
                        format!("{}{}/offers", self.base_url, self.control_path),
                        &json!({"flow": "pre_authorized_code", "tx_code": case.tx_code, "subject": case.subject}),
                    ),
                )
                .await,
        )?;
        if created.status != 200 {
            return Err(Observed::SetupRefused {
                at: "create offer".into(),
                status: created.status,
            });
        }
        let created = created.json().unwrap_or(Value::Null);
        let offer = &created["offer"];
        let endpoints = self
            .endpoints
            .get_or_init(|| self.discover(offer, harness))
            .await
            .as_ref()
            .map_err(Clone::clone)?;
        let grant = &offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"];
        let code = grant["pre-authorized_code"].as_str().unwrap_or_default();
        let code = if case.mutation == M::PreAuthorizedCodeWrong {
            format!("{code}x")
        } else {
            code.to_owned()
        };
        let mut pairs = vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:pre-authorized_code".to_owned(),
            ),
            ("pre-authorized_code", code),
        ];
        if let Some(tx) = created["tx_code"].as_str() {
            let tx = if case.mutation == M::TxCodeWrong {
                format!("{tx}9")
            } else {
                tx.to_owned()
            };
            pairs.push(("tx_code", tx));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let token = answered(
            "token",
            harness
                .send(
                    "harness",
                    "issuer",
                    Request::post_form(&endpoints.token, &pairs),
                )
                .await,
        )?;
        if token.status != 200 {
            return Ok(Observed::Rejected {
                requirements: named_requirements(&token.body),
            });
        }
        let access_token = token.json().unwrap_or(Value::Null)["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let nonce = match &endpoints.nonce {
            Some(url) => {
                let r = answered(
                    "nonce",
                    harness
                        .send(
                            "harness",
                            "issuer",
                            Request {
                                method: "POST".into(),
                                url: url.clone(),
                                headers: Vec::new(),
                                body: Vec::new(),
                            },
                        )
                        .await,
                )?;
                r.json().unwrap_or(Value::Null)["c_nonce"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }
            None => String::new(),
        };
        let holder = case.holder_key().map_err(|e| Observed::SetupRefused {
            at: format!("holder key: {e}"),
            status: 0,
        })?;
        let proof = case
            .proof(
                &holder,
                &endpoints.credential_issuer,
                endpoints.nonce.is_some().then_some(nonce.as_str()),
                self.clock.now(),
            )
            .map_err(|e| Observed::SetupRefused {
                at: format!("proof: {e}"),
                status: 0,
            })?;
        let body = case.credential_request(&endpoints.configuration_id, &proof);
        let bearer = if case.mutation == M::AccessTokenWrong {
            format!("{access_token}x")
        } else {
            access_token
        };
        let mut request = Request::post_json(&endpoints.credential, &body)
            .header("authorization", format!("Bearer {bearer}"));
        if case.mutation == M::OversizedRequest {
            request = request.header("connection", "close");
        }
        let r = answered(
            "credential",
            harness.send("harness", "issuer", request).await,
        )?;
        if r.status != 200 {
            return Ok(Observed::Rejected {
                requirements: named_requirements(&r.body),
            });
        }
        // Issued: the credential must be an SD-JWT bound to the proof's key.
        let credential = r.json().unwrap_or(Value::Null)["credentials"][0]["credential"]
            .as_str()
            .map(str::to_owned);
        let bound = credential
            .as_deref()
            .and_then(|c| crate::formats::sd_jwt::SdJwt::parse_compact(c).ok())
            .and_then(|sd| {
                let jws = CompactJws::parse(&sd.issuer_jwt).ok()?;
                jws.payload.get("cnf").and_then(|c| c.get("jwk")).cloned()
            })
            .is_some_and(|jwk| {
                serde_json::from_value::<crate::formats::jose::Jwk>(jwk)
                    .is_ok_and(|j| j.thumbprint() == holder.public_jwk().thumbprint())
            });
        Ok(if bound {
            Observed::Accepted
        } else {
            // 200 without a credential bound to the proven key is no issuance (§8.3).
            Observed::BadAnswer {
                at: "credential".into(),
                problem: "HTTP 200 without a credential bound to the proof's key".into(),
            }
        })
    }
}

impl Subject for IssuerSubject {
    type Case = super::issuer::IssuerCase;

    fn strategy(&self) -> SBoxedStrategy<Self::Case> {
        use proptest::strategy::Strategy as _;
        super::issuer::cases(self.issuer).sboxed()
    }

    fn expectation(&self, case: &Self::Case) -> Expectation {
        let endpoints = self.endpoints.get().and_then(|e| e.as_ref().ok());
        case.expectation(&super::issuer::IssuerTraits {
            binds_jwk: endpoints.is_none_or(|e| e.binds_jwk),
            binds_did_jwk: endpoints.is_some_and(|e| e.binds_did_jwk),
            nonce_endpoint: endpoints.is_none_or(|e| e.nonce.is_some()),
        })
    }

    fn mutation(&self, case: &Self::Case) -> String {
        case.mutation.name()
    }

    async fn run(&self, case: &Self::Case, harness: &Transport) -> Observed {
        match self.play(case, harness).await {
            Ok(o) | Err(o) => o,
        }
    }
}

/// The verifier a wallet campaign plays: request objects by key, responses by `state`.
#[derive(Default)]
pub struct VerifierDouble {
    requests: Mutex<HashMap<String, String>>,
    /// The `state` of every case in flight: responses for others are refused, so a wallet
    /// cannot make the campaign keep what it posts.
    expected: Mutex<std::collections::HashSet<String>>,
    /// Form parameters of each response received, by `state`.
    responses: Mutex<HashMap<String, HashMap<String, String>>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl VerifierDouble {
    /// `GET /request/{key}`, `POST /response`.
    pub fn router(double: Arc<VerifierDouble>) -> Router {
        Router::new()
            .route("/request/{key}", get(serve_request_object))
            .route("/response", axum::routing::post(take_response))
            .route(
                "/control/health",
                get(|| async { crate::roles::health("verifier") }),
            )
            .with_state(double)
    }
}

async fn serve_request_object(
    State(d): State<Arc<VerifierDouble>>,
    Path(key): Path<String>,
) -> Response {
    match locked(&d.requests).get(&key) {
        Some(jwt) => (
            [(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")],
            jwt.clone(),
        )
            .into_response(),
        None => json_response(404, &json!({"error": "invalid_request_uri"})),
    }
}

async fn take_response(State(d): State<Arc<VerifierDouble>>, body: axum::body::Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    match form.get("state").cloned() {
        Some(state) if locked(&d.expected).contains(&state) => {
            locked(&d.responses).insert(state, form);
            json_response(200, &json!({}))
        }
        _ => json_response(400, &json!({"error": "invalid_request"})),
    }
}

/// A wallet under test, holding a JP degree the campaign had issued to it.
pub struct WalletSubject {
    pub base_url: String,
    pub control_path: String,
    pub pki: Arc<TestPki>,
    pub clock: Arc<dyn Clock>,
    /// Where the campaign's verifier is.
    pub verifier_base: String,
    pub double: Arc<VerifierDouble>,
    next_key: AtomicU64,
}

impl WalletSubject {
    pub fn new(
        base_url: &str,
        control_path: &str,
        pki: Arc<TestPki>,
        clock: Arc<dyn Clock>,
        verifier_base: &str,
        double: Arc<VerifierDouble>,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            control_path: control_path.trim_end_matches('/').to_owned(),
            pki,
            clock,
            verifier_base: verifier_base.trim_end_matches('/').to_owned(),
            double,
            next_key: AtomicU64::new(0),
        }
    }

    async fn play(
        &self,
        case: &super::wallet::WalletCase,
        harness: &Transport,
    ) -> Result<Observed, Observed> {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed).to_string();
        let built = case
            .build(&self.pki, &self.verifier_base, &key, self.clock.now())
            .map_err(|e| Observed::SetupRefused {
                at: format!("building the request: {e}"),
                status: 0,
            })?;
        locked(&self.double.requests).insert(key.clone(), built.request_object.clone());
        locked(&self.double.expected).insert(built.state.clone());
        let mut request = Request::post_json(
            format!("{}{}/presentations", self.base_url, self.control_path),
            &json!({"request": built.authorization_request}),
        );
        if built.request_object.len() > crate::roles::MAX_REQUEST_BODY / 2 {
            request = request.header("connection", "close");
        }
        let asked = harness.send("harness", "wallet", request).await;
        locked(&self.double.requests).remove(&key);
        locked(&self.double.expected).remove(&built.state);
        let response = locked(&self.double.responses).remove(&built.state);
        let answer = answered("present", asked)?;
        let Some(form) = response.filter(|f| f.contains_key("vp_token")) else {
            return Ok(Observed::Rejected {
                requirements: answer
                    .json()
                    .ok()
                    .and_then(|v| {
                        v.pointer("/counterpart_response/refusal/accord_requirements")
                            .cloned()
                    })
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default(),
            });
        };
        // Presented: it must be bound to this request (§8.6, RFC 9901 §7.3).
        let problem = bound_to(&form["vp_token"], &built.client_id, &built.nonce);
        Ok(match problem {
            None => Observed::Accepted,
            Some(p) => Observed::BadAnswer {
                at: "response".into(),
                problem: p,
            },
        })
    }
}

/// Why a presentation is not the answer to the request whose `aud` and `nonce` are given.
fn bound_to(vp_token: &str, client_id: &str, nonce: &str) -> Option<String> {
    let token: Value = match serde_json::from_str(vp_token) {
        Ok(t) => t,
        Err(e) => return Some(format!("vp_token is not JSON: {e}")),
    };
    let Some(text) = token
        .get(super::wallet::QUERY_ID)
        .and_then(|v| v.get(0))
        .and_then(Value::as_str)
    else {
        return Some(format!(
            "vp_token has no presentation for the credential query {:?}",
            super::wallet::QUERY_ID
        ));
    };
    let sd = match crate::formats::sd_jwt::SdJwt::parse_compact(text) {
        Ok(sd) => sd,
        Err(e) => return Some(format!("the presentation is not an SD-JWT: {e}")),
    };
    let Some(kb) = sd.kb_jwt.as_deref() else {
        return Some("the presentation has no KB-JWT".into());
    };
    let Ok(kb) = CompactJws::parse(kb) else {
        return Some("the KB-JWT is not a JWS".into());
    };
    if kb.payload.get("aud").and_then(Value::as_str) != Some(client_id) {
        return Some(format!("KB-JWT aud is not {client_id}"));
    }
    if kb.payload.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return Some("KB-JWT nonce is not the request's".into());
    }
    None
}

impl Subject for WalletSubject {
    type Case = super::wallet::WalletCase;

    fn strategy(&self) -> SBoxedStrategy<Self::Case> {
        use proptest::strategy::Strategy as _;
        super::wallet::cases().sboxed()
    }

    fn expectation(&self, case: &Self::Case) -> Expectation {
        case.expectation()
    }

    fn mutation(&self, case: &Self::Case) -> String {
        case.mutation.name()
    }

    async fn run(&self, case: &Self::Case, harness: &Transport) -> Observed {
        match self.play(case, harness).await {
            Ok(o) | Err(o) => o,
        }
    }
}
