//! peer-impierce: Impierce's `oid4vci` / `oid4vp` / `siopv2` 0.4 crates driven as an independent
//! wallet against an OpenID4VCI 1.0 issuer and an OpenID4VP 1.0 verifier over HTTP.
//!
//! Everything protocol-related goes through the peer's own API (`oid4vci::Wallet`,
//! `siopv2::Provider`, `oid4vp::OID4VP`, `identity_kit::sd_jwt_vc`). This file only supplies what
//! the peer asks its caller for: an ES256 holder key behind the `oid4vc_core::Subject` trait (and
//! `identity_kit::jose::Signer` for the KB-JWT), key resolution for request-object `kid`s, and the
//! choice of which credential and which claims to present.
//!
//! ```text
//! peer-impierce wallet-issue   --offer URI [--tx-code X] --out cred.txt [common]
//! peer-impierce wallet-present --request URI --credential cred.txt [--own-post] [common]
//! peer-impierce parse-offer    --offer URI
//! peer-impierce proof-demo     [--aud URL] [--nonce N] [--with-iss] [common]
//! common: [--holder-key holder.jwk] [--holder-did jwk|key]
//! ```
//! Exit codes: 0 done, 1 the peer or the counterpart failed, 2 bad usage.

use std::{collections::HashMap, str::FromStr, sync::Arc};

use anyhow::{Context, Result, anyhow, bail, ensure};
use async_trait::async_trait;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use identity_kit::{
    did::{Did, DidUrl},
    jose::{Jwk, JwsAlgorithm, SignError, Signer as JoseSigner},
    methods::{DidJwk, DidKey, key::KeyFormat},
    sd_jwt_vc::{ClaimPath, KeyBinding, PathComponent, SdJwtVc},
};
use jsonwebtoken::Algorithm;
use oid4vc_core::{
    Sign, Subject, Verify,
    authentication::sign::ExternalSign,
    authorization_request::{AuthorizationRequest, Object},
    claim_path_pointer::ClaimPathElement,
    types::string_or_object::StringOrObject,
    utils::form_urlencoded::to_form_urlencoded_string,
};
use oid4vci::{
    Proof, Wallet,
    credential_offer::CredentialOffer,
    credential_response::CredentialResponseType,
    proof::ProofType,
    token_request::TokenRequest,
};
use oid4vp::{
    dcql::dcql_query::{CredentialQuery, CredentialQueryId, Format, MetaTypes},
    oid4vp::OID4VP,
    token::{
        vp_token::{Presentations, VpToken},
        vp_token_builder::VpTokenBuilder,
    },
};
use p256::ecdsa::{Signature, SigningKey, signature::Signer as _};
use serde_json::{Value, json};
use siopv2::Provider;

// ---------------------------------------------------------------------------------------------
// Holder key: one P-256 key, ES256, identified to the peer as did:jwk or did:key.
// ---------------------------------------------------------------------------------------------

struct Holder {
    key: SigningKey,
    public_jwk: Jwk,
    did: String,
    kid: String,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Holder").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl Holder {
    /// Loads the private P-256 JWK at `path`, or creates one there from the OS's randomness.
    fn load_or_create(path: &str, did_method: &str) -> Result<Self> {
        let key = match std::fs::read_to_string(path) {
            Ok(text) => {
                let jwk: Value = serde_json::from_str(&text).with_context(|| format!("{path}: not JSON"))?;
                ensure!(jwk["kty"] == "EC" && jwk["crv"] == "P-256", "{path}: not a P-256 JWK");
                let d = URL_SAFE_NO_PAD
                    .decode(jwk["d"].as_str().ok_or_else(|| anyhow!("{path}: no `d`"))?)
                    .context("`d` is not base64url")?;
                SigningKey::from_slice(&d).map_err(|e| anyhow!("{path}: bad private key: {e}"))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                loop {
                    use std::io::Read as _;
                    std::fs::File::open("/dev/urandom")?.read_exact(&mut seed)?;
                    if let Ok(key) = SigningKey::from_slice(&seed) {
                        break key;
                    }
                }
            }
            Err(e) => return Err(e).with_context(|| format!("reading {path}")),
        };
        let point = key.verifying_key().to_sec1_point(false);
        let public_jwk = Jwk::from_p256_public(point.as_bytes())?;
        if !std::path::Path::new(path).exists() {
            let mut private = serde_json::to_value(&public_jwk)?;
            private["d"] = Value::String(URL_SAFE_NO_PAD.encode(key.to_bytes()));
            std::fs::write(path, serde_json::to_string_pretty(&private)? + "\n")?;
            eprintln!("peer-impierce: created holder key {path}");
        }
        let (did, kid) = match did_method {
            "jwk" => {
                let did = DidJwk::did(&public_jwk)?.to_string();
                let kid = format!("{did}#0");
                (did, kid)
            }
            "key" => {
                let did = DidKey::did(&public_jwk)?;
                let kid = format!("{did}#{}", did.method_specific_id());
                (did.to_string(), kid)
            }
            other => bail!("--holder-did must be `jwk` or `key`, not `{other}`"),
        };
        Ok(Self { key, public_jwk, did, kid })
    }

    /// ES256 over `message`: the 64-byte r||s JWS form.
    fn es256(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.key.sign(message);
        signature.to_bytes().to_vec()
    }
}

// What `oid4vci::Wallet` and `siopv2::Provider` take: `oid4vc_core::Subject` = Sign + Verify + identifier.
#[async_trait]
impl Sign for Holder {
    async fn key_id(&self, _subject_syntax_type: &str, _algorithm: Algorithm) -> Option<String> {
        Some(self.kid.clone())
    }

    async fn sign(&self, message: &str, _subject_syntax_type: &str, algorithm: Algorithm) -> Result<Vec<u8>> {
        ensure!(algorithm == Algorithm::ES256, "the holder key signs ES256 only, not {algorithm:?}");
        Ok(self.es256(message.as_bytes()))
    }

    fn external_signer(&self) -> Option<Arc<dyn ExternalSign>> {
        None
    }
}

/// The peer asks the wallet's own Subject for the public key of any `kid` it must verify (the
/// request object's). Only DID URLs (did:jwk, did:key) can be resolved: the key bytes are returned
/// in the form `oid4vc_core::jwt::decode` wants (a SEC1 point for P-256, 32 bytes for Ed25519).
#[async_trait]
impl Verify for Holder {
    async fn public_key(&self, kid: &str) -> Result<Vec<u8>> {
        eprintln!("peer-impierce: peer asks for the public key of kid {kid}");
        let url = DidUrl::parse(kid).map_err(|e| anyhow!("kid `{kid}` is not a DID URL: {e}"))?;
        let did: &Did = url.did();
        let document = match did.method() {
            "jwk" => DidJwk::document(did)?,
            "key" => DidKey::new().with_format(KeyFormat::JsonWebKey).document(did)?,
            other => bail!("cannot resolve did:{other}"),
        };
        let jwk = document
            .verification_method
            .iter()
            .find(|method| method.id == url)
            .and_then(|method| method.public_key_jwk())
            .ok_or_else(|| anyhow!("no verification method `{kid}` with a JWK"))?;
        match (jwk.kty(), jwk.crv()) {
            ("EC", Some("P-256")) => Ok(jwk.p256_public_bytes()?.to_vec()),
            ("OKP", Some("Ed25519")) => Ok(jwk.ed25519_public_bytes()?.to_vec()),
            (kty, crv) => bail!("unsupported key {kty} {crv:?} for `{kid}`"),
        }
    }
}

#[async_trait]
impl Subject for Holder {
    async fn identifier(&self, _subject_syntax_type: &str, _algorithm: Algorithm) -> Result<String> {
        Ok(self.did.clone())
    }
}

/// What `identity_kit` takes to sign a KB-JWT.
#[async_trait]
impl JoseSigner for Holder {
    fn alg(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES256
    }

    fn kid(&self) -> Option<&str> {
        None
    }

    async fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.es256(signing_input))
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

struct Args {
    command: String,
    values: HashMap<String, String>,
    flags: Vec<String>,
}

impl Args {
    fn parse() -> Result<Self> {
        let mut it = std::env::args().skip(1);
        let command = it.next().ok_or_else(|| anyhow!("no command"))?;
        let (mut values, mut flags) = (HashMap::new(), Vec::new());
        while let Some(arg) = it.next() {
            let name = arg.strip_prefix("--").ok_or_else(|| anyhow!("unexpected argument `{arg}`"))?;
            match name {
                "with-iss" | "own-post" => flags.push(name.to_owned()),
                _ => {
                    let value = it.next().ok_or_else(|| anyhow!("--{name} needs a value"))?;
                    values.insert(name.to_owned(), value);
                }
            }
        }
        Ok(Self { command, values, flags })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn need(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| anyhow!("--{name} is required"))
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn holder(&self) -> Result<Arc<Holder>> {
        Ok(Arc::new(Holder::load_or_create(
            self.get("holder-key").unwrap_or("holder.jwk"),
            self.get("holder-did").unwrap_or("jwk"),
        )?))
    }
}

const USAGE: &str = "usage:
  peer-impierce wallet-issue   --offer URI [--tx-code X] --out FILE [--with-iss] [common]
  peer-impierce wallet-present --request URI --credential FILE [--own-post] [common]
  peer-impierce parse-offer    --offer URI
  peer-impierce proof-demo     [--aud URL] [--nonce N] [--with-iss] [common]
common: [--holder-key holder.jwk] [--holder-did jwk|key]";

#[tokio::main]
async fn main() {
    let args = match Args::parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("peer-impierce: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let outcome = match args.command.as_str() {
        "wallet-issue" => wallet_issue(&args).await,
        "wallet-present" => wallet_present(&args).await,
        "parse-offer" => parse_offer(&args).await,
        "proof-demo" => proof_demo(&args).await,
        other => {
            eprintln!("peer-impierce: unknown command `{other}`\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = outcome {
        eprintln!("peer-impierce: error: {e:#}");
        std::process::exit(1);
    }
}

fn decode_jwt(jwt: &str) -> Result<(Value, Value)> {
    let mut parts = jwt.split('.');
    let mut part = || -> Result<Value> {
        let text = parts.next().ok_or_else(|| anyhow!("not a JWT"))?;
        Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text)?)?)
    };
    Ok((part()?, part()?))
}

// ---------------------------------------------------------------------------------------------
// OpenID4VCI: pre-authorized code flow with oid4vci::Wallet
// ---------------------------------------------------------------------------------------------

async fn parse_offer(args: &Args) -> Result<()> {
    let offer = CredentialOffer::from_str(args.need("offer")?)?;
    println!("{}", serde_json::to_string_pretty(&offer)?);
    Ok(())
}

async fn wallet_issue(args: &Args) -> Result<()> {
    let out = args.need("out")?;
    let holder = args.holder()?;
    // The subject syntax type is only used to pick `iss` / `kid` from the Subject; ours ignores it.
    let wallet = Wallet::new(holder.clone(), vec![format!("did:{}", args.get("holder-did").unwrap_or("jwk"))], vec![
        Algorithm::ES256,
    ])?;

    // 1. Offer: by value (credential_offer=) or by reference (credential_offer_uri=, fetched with GET).
    let offer = match CredentialOffer::from_str(args.need("offer")?).context("parsing the credential offer")? {
        CredentialOffer::CredentialOffer(offer) => *offer,
        CredentialOffer::CredentialOfferUri(uri) => wallet.get_credential_offer(uri).await?,
    };
    eprintln!("peer-impierce: offer from {} for {:?}", offer.credential_issuer, *offer.credential_configuration_ids);
    let pre_authorized = offer
        .grants
        .as_ref()
        .and_then(|grants| grants.pre_authorized_code.clone())
        .ok_or_else(|| anyhow!("the offer has no pre-authorized_code grant (authorization code flow not driven here)"))?;
    if pre_authorized.tx_code.is_some() && args.get("tx-code").is_none() {
        bail!("the offer asks for a tx_code: pass --tx-code");
    }

    // 2. Credential issuer metadata: GET <origin>/.well-known/openid-credential-issuer<path>.
    let metadata = wallet.get_credential_issuer_metadata(offer.credential_issuer.clone()).await?;
    // 3. Authorization server metadata: the grant's authorization_server, else the first of the
    //    metadata's authorization_servers, else the issuer itself.
    let authorization_server = pre_authorized
        .authorization_server
        .clone()
        .or_else(|| metadata.authorization_servers.first().cloned())
        .unwrap_or_else(|| offer.credential_issuer.clone());
    let as_metadata = wallet.get_authorization_server_metadata(authorization_server).await?;
    let token_endpoint = as_metadata
        .token_endpoint
        .clone()
        .ok_or_else(|| anyhow!("the authorization server metadata has no token_endpoint"))?;

    // 4. Token request, pre-authorized code grant.
    let token_response = wallet
        .get_access_token(token_endpoint, TokenRequest::PreAuthorizedCode {
            pre_authorized_code: pre_authorized.pre_authorized_code.clone(),
            tx_code: args.get("tx-code").map(str::to_owned),
            authorization_details: None,
        })
        .await?;
    eprintln!("peer-impierce: token_type {}", token_response.token_type);

    // 5. Nonce endpoint (POST, no body), when the issuer has one.
    let nonce = match &metadata.nonce_endpoint {
        Some(endpoint) => Some(wallet.get_nonce(endpoint.clone()).await?),
        None => None,
    };

    // 6. Credential request for the first offered configuration.
    let configuration_id = offer.credential_configuration_ids.first().cloned().expect("non-empty");
    let configuration = metadata
        .credential_configurations_supported
        .get(&configuration_id)
        .cloned()
        .ok_or_else(|| {
            anyhow!("`{configuration_id}` is not in credential_configurations_supported (the peer drops entries it cannot parse)")
        })?;
    let response = wallet
        .get_credential(metadata, &token_response, nonce, configuration_id, &configuration, !args.flag("with-iss"))
        .await?;
    let credential = match response.credential {
        CredentialResponseType::Immediate { credentials, notification_id } => {
            if let Some(id) = notification_id {
                eprintln!("peer-impierce: notification_id {id} (not acknowledged)");
            }
            credentials.into_iter().next().ok_or_else(|| anyhow!("empty `credentials`"))?.credential
        }
        CredentialResponseType::Deferred { transaction_id, .. } => {
            bail!("deferred issuance (transaction_id {transaction_id}): the peer's Wallet has no deferred-credential call")
        }
    };

    // The peer does not check what it received; parse it as an SD-JWT VC with identity-kit to say what it is.
    match SdJwtVc::parse(&credential) {
        Ok(vc) => eprintln!(
            "peer-impierce: received SD-JWT VC typ={:?} vct={} disclosures={}",
            vc.header().typ,
            vc.claims().vct,
            vc.sd_jwt().disclosures().len()
        ),
        Err(e) => eprintln!("peer-impierce: warning: the credential is not an SD-JWT VC for identity-kit: {e}"),
    }
    std::fs::write(out, format!("{credential}\n")).with_context(|| format!("writing {out}"))?;
    println!("{out}");
    Ok(())
}

async fn proof_demo(args: &Args) -> Result<()> {
    let holder = args.holder()?;
    // The same builder calls as oid4vci::Wallet::get_credential makes.
    let mut builder = Proof::builder()
        .proof_type(ProofType::Jwt)
        .algorithm(Algorithm::ES256)
        .signer(holder.clone())
        .aud(args.get("aud").unwrap_or("http://127.0.0.1:8080/"))
        .iat(chrono::Utc::now().timestamp());
    if args.flag("with-iss") {
        builder = builder.iss(holder.did.clone());
    }
    if let Some(nonce) = args.get("nonce") {
        builder = builder.nonce(nonce.to_owned());
    }
    let Proof::Jwt { jwt } = builder.subject_syntax_type("did:jwk").build().await?;
    let (header, payload) = decode_jwt(&jwt)?;
    println!("{}", serde_json::to_string_pretty(&json!({ "holder_jwk": holder.public_jwk, "jwt": jwt, "header": header, "payload": payload }))?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OpenID4VP: siopv2::Provider (request handling, response POST) + oid4vp (DCQL, vp_token)
// + identity-kit (SD-JWT disclosure selection, KB-JWT)
// ---------------------------------------------------------------------------------------------

fn claim_path(pointer: &[ClaimPathElement]) -> Result<ClaimPath> {
    pointer
        .iter()
        .map(|element| match element {
            ClaimPathElement::String(name) => Ok(PathComponent::from(name.as_str())),
            ClaimPathElement::Integer(index) => Ok(PathComponent::from(usize::try_from(*index)?)),
            ClaimPathElement::Null => Ok(PathComponent::from(())),
        })
        .collect::<Result<Vec<_>>>()
        .map(ClaimPath::from)
}

/// The credential query our one credential answers: format dc+sd-jwt and a matching vct.
fn matching_query<'a>(queries: &'a [CredentialQuery], vct: &str) -> Option<&'a CredentialQuery> {
    queries.iter().find(|query| {
        matches!(query.format, Format::DcSdJwt)
            && matches!(&query.meta, MetaTypes::SdJwtMeta { vct_values } if vct_values.iter().any(|v| v == vct))
    })
}

async fn wallet_present(args: &Args) -> Result<()> {
    let holder = args.holder()?;
    let credential_path = args.need("credential")?;
    let credential = SdJwtVc::parse(std::fs::read_to_string(credential_path)?.trim())
        .with_context(|| format!("{credential_path}: not an SD-JWT VC"))?;
    let provider = Provider::new(holder.clone(), vec![format!("did:{}", args.get("holder-did").unwrap_or("jwk"))], vec![
        Algorithm::ES256,
    ])?;

    // 1. The peer parses the URL: by value (all parameters), `request=` (JWT), or
    //    `client_id=&request_uri=` (GET, then verify the JWT with the kid in its header).
    let generic: AuthorizationRequest<Object> =
        provider.validate_request(args.need("request")?.to_owned()).await.context("the peer rejected the request")?;
    let request = AuthorizationRequest::<Object<OID4VP>>::from_generic(&generic)
        .context("the request object is not an OpenID4VP request for the peer")?;
    let parameters = &request.body.extension;
    eprintln!(
        "peer-impierce: request from client_id={} response_mode={} response_uri={}",
        request.body.client_id,
        parameters.response_mode,
        request.body.uri.uri()
    );
    if parameters.response_mode != "direct_post" {
        bail!(
            "response_mode `{}` is not supported by the peer: siopv2::Provider::send_response only form-POSTs in the clear (no JWE for direct_post.jwt)",
            parameters.response_mode
        );
    }

    // 2. DCQL: the peer has no wallet-side matcher, so pick the query by format and vct here.
    let vct = credential.claims().vct.clone();
    let query = matching_query(&parameters.dcql_query.credentials, &vct)
        .ok_or_else(|| anyhow!("no dc+sd-jwt credential query asks for vct `{vct}`"))?;
    let paths = query
        .claims
        .iter()
        .flatten()
        .map(|claim| claim_path(claim.path.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    eprintln!("peer-impierce: answering query `{}` disclosing {} claim path(s)", query.id, paths.len());

    // 3. SD-JWT presentation with identity-kit: the disclosures for those paths, then a KB-JWT
    //    with aud = client_id, nonce, iat and sd_hash.
    let presentation = credential
        .disclose(paths.iter())?
        .sign_key_binding(
            &KeyBinding::new(request.body.client_id.clone(), parameters.nonce.clone(), chrono::Utc::now()),
            holder.as_ref(),
        )
        .await?
        .to_string();

    // 4. vp_token = { "<query id>": ["<sd-jwt~...~kb-jwt>"] }, checked against the DCQL query by the peer.
    let vp_token: VpToken = VpTokenBuilder::builder_dcql_query(parameters.dcql_query.clone())
        .add_presentations(
            CredentialQueryId::try_new(query.id.to_string())?,
            Presentations::try_new(vec![StringOrObject::from(presentation)])?,
        )
        .build()?;

    // 5. The authorization response: vp_token (+ state), form-encoded, POSTed to response_uri.
    let response = provider.generate_response(&request, vp_token).await?;
    if args.flag("own-post") {
        // The same body as siopv2::Provider::send_response, sent here to read the verifier's answer
        // (send_response returns only the status code).
        let body = to_form_urlencoded_string(&response)?;
        let answer = oid4vc_core::http_client()
            .post(response.redirect_uri.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let status = answer.status();
        let text = answer.text().await?;
        println!("{}", json!({ "status": status.as_u16(), "body": text }));
        ensure!(status.is_success(), "the verifier answered {status}");
    } else {
        let status = provider.send_response(&response).await?;
        println!("{}", json!({ "status": status.as_u16() }));
        ensure!(status.is_success(), "the verifier answered {status}");
    }
    Ok(())
}
