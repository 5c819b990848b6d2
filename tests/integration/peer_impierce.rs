//! Interop with a wallet Accord did not write: Impierce's `oid4vci` / `oid4vp` / `siopv2` 0.4
//! crates, driven by tests/peers/impierce (a standalone cargo project with its own
//! `[workspace]`, built by .ci/run). The peer runs as a child process against the in-process
//! reference roles: it takes a pre-authorized offer (with `tx_code`) from the EU issuer, then
//! presents the diploma to a JP verifier that uses the `redirect_uri` client-id prefix
//! (unsigned request by value, `direct_post`), the only request form the peer can verify.
//! The verifier's result, read through the control API, is the evidence that an independent
//! implementation completes both protocols against Accord.
//!
//! Where the two disagree, the tests say which side the specification supports.
//!
//! The binary is `$ACCORD_IMPIERCE_PEER`, else tests/peers/impierce/target/release/peer-impierce.
//! Without it the tests say loudly that they were skipped; with `ACCORD_REQUIRE_PEERS=1` (set
//! by .ci/run) a missing peer is a failure.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use accord::entropy::SystemClock;
use accord::protocol::oid4vp::{ClientIdPrefix, ResponseMode};
use accord::requirements::catalogue as req;
use accord::roles::Running;
use accord::roles::control::ControlClient;
use accord::roles::topology::{Topology, VerifierVariant, start_verifier};
use accord::transport::{ExchangeSink, Limits, Transport};
use accord::trust::pki::TestPki;
use serde_json::{Value, json};

/// The peer binary, or `None` (after saying so) when it is not built and that is allowed.
fn peer_binary() -> Option<PathBuf> {
    let path = std::env::var_os("ACCORD_IMPIERCE_PEER").map_or_else(
        || crate::support::repo().join("tests/peers/impierce/target/release/peer-impierce"),
        PathBuf::from,
    );
    if path.is_file() {
        return Some(path);
    }
    crate::support::skip(
        crate::support::Needs::Peer,
        &format!(
            "the Impierce wallet peer is unavailable: {} does not exist",
            path.display()
        ),
        "cargo build --release --locked --manifest-path tests/peers/impierce/Cargo.toml",
    )
}

/// The reference topology on a wall clock (the peer signs its key proof and KB-JWT with the
/// real time), plus a JP verifier that uses the `redirect_uri` prefix and `direct_post` only.
struct Harness {
    pki: TestPki,
    seed: u64,
    topology: Topology,
    redirect_verifier: Running,
    control: ControlClient,
    dir: tempfile::TempDir,
    peer: PathBuf,
}

async fn harness(seed: u64, peer: PathBuf) -> Harness {
    let pki = TestPki::generate(seed).unwrap();
    let transport = Transport::new(
        ExchangeSink::default(),
        Limits::default(),
        &accord::tls::ClientTrust::of(&pki),
    )
    .unwrap();
    // Plain HTTP, by the explicit choice a run makes with --plain-http: the peer runs here as
    // a host process, which cannot resolve the test domain's names without /etc/hosts (its
    // HTTP client is the crates' own). In its container it gets host entries and the CA.
    let topology = Topology::start_with(
        &pki,
        seed,
        Arc::new(SystemClock),
        transport.clone(),
        accord::tls::Security::PlainHttp,
    )
    .await
    .unwrap();
    let redirect_verifier = jp_verifier(
        &pki,
        seed,
        &topology,
        &transport,
        ClientIdPrefix::RedirectUri,
    )
    .await;
    Harness {
        pki,
        seed,
        topology,
        redirect_verifier,
        control: ControlClient::new(transport),
        dir: tempfile::tempdir().unwrap(),
        peer,
    }
}

/// A JP verifier with `prefix`, `direct_post` only (the peer cannot encrypt responses).
async fn jp_verifier(
    pki: &TestPki,
    seed: u64,
    topology: &Topology,
    transport: &Transport,
    prefix: ClientIdPrefix,
) -> Running {
    let variant = VerifierVariant {
        prefix,
        response_modes: vec![ResponseMode::DirectPost],
        enc_values: vec![],
        flaws: vec![],
    };
    start_verifier(
        pki,
        "jp",
        seed,
        Arc::new(SystemClock),
        transport.clone(),
        Some(&topology.trust_list.base_url),
        &variant,
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .unwrap()
}

/// What the peer did: exit status, stdout, stderr (its own log lines and its error).
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "peer ok={}\n--- stdout\n{}--- stderr\n{}",
            self.ok, self.stdout, self.stderr
        )
    }
}

fn eu_query() -> Value {
    json!({"credentials": [{
        "id": "diploma",
        "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:eudi:diploma:1"]},
        "claims": [{"path": ["qualification"]}, {"path": ["family_name"]}, {"path": ["given_name"]}]
    }]})
}

impl Harness {
    async fn extra_verifier(&self, prefix: ClientIdPrefix) -> Running {
        jp_verifier(
            &self.pki,
            self.seed,
            &self.topology,
            self.control.transport(),
            prefix,
        )
        .await
    }

    fn holder_key(&self) -> PathBuf {
        self.dir.path().join("holder.jwk")
    }

    fn credential(&self) -> PathBuf {
        self.dir.path().join("credential.txt")
    }

    /// Runs the peer on the blocking pool, so the runtime keeps serving the roles it calls.
    async fn peer(&self, args: Vec<String>, holder_did: &str) -> Run {
        let mut command = Command::new(&self.peer);
        command
            .args(&args)
            .arg("--holder-key")
            .arg(self.holder_key())
            .args(["--holder-did", holder_did])
            .current_dir(self.dir.path())
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost");
        let out: Output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("the peer binary runs");
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A pre-authorized offer with `tx_code` from the reference EU issuer, taken by the peer.
    async fn issue(&self, holder_did: &str) -> Run {
        self.issue_from(&self.topology.issuer("eu").base_url, holder_did)
            .await
    }

    /// A pre-authorized offer with `tx_code`, created through the control API of `issuer`
    /// and taken by the peer, which writes the credential to [`Harness::credential`].
    async fn issue_from(&self, issuer: &str, holder_did: &str) -> Run {
        let offer = self
            .control
            .create_offer(issuer, &json!({"tx_code": true}))
            .await
            .unwrap();
        assert!(offer.ok(), "{:?}", offer.body);
        let args = vec![
            "wallet-issue".into(),
            "--offer".into(),
            offer.body["uri"].as_str().unwrap().to_owned(),
            "--tx-code".into(),
            offer.body["tx_code"].as_str().unwrap().to_owned(),
            "--out".into(),
            path(&self.credential()),
        ];
        self.peer(args, holder_did).await
    }

    /// A request from `verifier` for the diploma's qualification and names, answered by the
    /// peer; returns what the peer did and the verifier's outcome.
    async fn present(&self, verifier: &str) -> (Run, Value) {
        let created = self
            .control
            .create_request(
                verifier,
                &json!({"dcql_query": eu_query(), "response_mode": "direct_post"}),
            )
            .await
            .unwrap();
        assert!(created.ok(), "{:?}", created.body);
        let args = vec![
            "wallet-present".into(),
            "--request".into(),
            created.body["authorization_request"]
                .as_str()
                .unwrap()
                .to_owned(),
            "--credential".into(),
            path(&self.credential()),
            "--own-post".into(),
        ];
        let run = self.peer(args, "jwk").await;
        let outcome = self
            .control
            .result(verifier, created.body["id"].as_str().unwrap())
            .await
            .unwrap();
        (run, outcome.body)
    }
}

fn path(p: &Path) -> String {
    p.to_str().expect("temp paths are UTF-8").to_owned()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn impierce_wallet_is_issued_the_eu_diploma_and_presents_it_to_accord_verifier() {
    let Some(peer) = peer_binary() else {
        return;
    };
    rt().block_on(async {
        let h = harness(21, peer).await;
        let issued = h.issue("jwk").await;
        eprintln!("{issued}");
        assert!(issued.ok, "issuance by the peer failed:\n{issued}");
        let credential = std::fs::read_to_string(h.credential()).unwrap();
        assert!(credential.trim().contains('~'), "an SD-JWT: {credential}");

        let (presented, outcome) = h.present(&h.redirect_verifier.base_url).await;
        eprintln!("{presented}");
        assert!(
            presented.ok,
            "presentation by the peer failed:\n{presented}"
        );
        assert_eq!(outcome["status"], "verified", "{outcome}\n{presented}");
        let p = &outcome["result"]["presentations"][0];
        // The peer disclosed what the DCQL query asked for, and nothing else.
        assert!(p["claims"]["qualification"].is_object(), "{p}");
        assert!(p["claims"]["family_name"].is_string(), "{p}");
        assert!(p["claims"]["given_name"].is_string(), "{p}");
        assert!(p["claims"].get("date_of_birth").is_none(), "{p}");
        assert_eq!(
            outcome["result"]["recognition"][0]["recognition"]["verdict"], "recognised",
            "{outcome}"
        );
    });
}

/// Disagreement: with `--holder-did key` the peer names its proof key by a did:key DID URL in
/// `kid`. Accord advertises `cryptographic_binding_methods_supported: ["jwk", "did:jwk"]` for
/// the configuration (OpenID4VCI 1.0 §12.2.4: the key representations the issued credential
/// can be bound to), and in a `jwt` proof a `kid` is the DID URL of the key the credential is
/// to be bound to (Appendix F.1). A did:key binding is outside what the issuer offered, so the
/// issuer refuses the proof with `invalid_proof` (§8.3.1.2) and issues nothing. The peer is
/// not wrong to support did:key; it is wrong to prove with a method the metadata does not
/// list. With `--holder-did jwk` (the test above) the same peer is issued the credential.
#[test]
fn impierce_did_key_proof_is_refused_with_invalid_proof() {
    let Some(peer) = peer_binary() else {
        return;
    };
    rt().block_on(async {
        let h = harness(22, peer).await;
        let metadata = h
            .control
            .transport()
            .send(
                "harness",
                "issuer",
                accord::transport::Request::get(format!(
                    "{}/.well-known/openid-credential-issuer/eu",
                    h.topology.issuer("eu").base_url
                )),
            )
            .await
            .unwrap();
        let metadata: Value = serde_json::from_slice(&metadata.body).unwrap();
        assert_eq!(
            metadata["credential_configurations_supported"]["eu_diploma_sd_jwt"]
                ["cryptographic_binding_methods_supported"],
            json!(["jwk", "did:jwk"]),
            "{metadata}"
        );
        let issued = h.issue("key").await;
        eprintln!("{issued}");
        assert!(!issued.ok, "the issuer must refuse a did:key proof:\n{issued}");
        assert!(
            issued.stderr.contains("\"error\":\"invalid_proof\"")
                && issued.stderr.contains(req::OID4VCI_PROOF_KEY.id),
            "refused as invalid_proof, citing {}:\n{issued}",
            req::OID4VCI_PROOF_KEY.id
        );
        assert!(!h.credential().exists(), "no credential was written");
    });
}

/// Disagreement: request objects signed under the X.509 client-id prefixes. For both
/// `x509_san_dns` (the reference verifiers' default) and `x509_hash`, OpenID4VP 1.0 §5.9.3 has
/// the request signed by the key of the leaf certificate in the `x5c` header and the wallet
/// validate that signature and the chain. The peer only verifies request objects whose header
/// names a `kid` it can resolve (a DID URL), so it refuses both valid requests before looking
/// at them ("No key identifier found in the header") and never answers the verifier, whose
/// transaction stays pending. OpenID4VP itself leaves the choice of prefixes to the wallet,
/// so for `x509_san_dns` this is a missing capability; HAIP 1.0 §5 says the wallet MUST accept
/// `x509_hash` for signed requests, so under HAIP the gap is the peer's.
#[test]
fn impierce_cannot_verify_x509_signed_request_objects() {
    let Some(peer) = peer_binary() else {
        return;
    };
    rt().block_on(async {
        let h = harness(23, peer).await;
        let issued = h.issue("jwk").await;
        assert!(issued.ok, "issuance by the peer failed:\n{issued}");
        let x509_hash = h.extra_verifier(ClientIdPrefix::X509Hash).await;
        for (prefix, verifier) in [
            ("x509_san_dns", &h.topology.verifier("jp").base_url),
            ("x509_hash", &x509_hash.base_url),
        ] {
            let (presented, outcome) = h.present(verifier).await;
            eprintln!("{prefix}: {presented}");
            assert!(
                !presented.ok,
                "{prefix}: the peer cannot verify x5c:\n{presented}"
            );
            assert!(
                presented.stderr.contains("the peer rejected the request")
                    && presented
                        .stderr
                        .contains("No key identifier found in the header"),
                "{prefix}: refused while validating the request:\n{presented}"
            );
            assert_eq!(outcome["status"], "pending", "{prefix}: {outcome}");
        }
    });
}

/// The EU issuer again, but with a Credential Issuer Identifier without a path
/// (`http://127.0.0.1:PORT`, metadata at `/.well-known/openid-credential-issuer`), the shape
/// most deployments have. [`accord::roles::topology::start_issuer`] always adds `/eu`, so the
/// router is assembled here from the same public parts.
async fn root_issuer(h: &Harness) -> Running {
    use accord::entropy::SeededEntropy;
    use accord::profiles::Profile;
    use accord::protocol::oid4vci::{Issuer, IssuerConfig};
    use accord::roles::issuer::{IssuerRole, router};
    use accord::roles::status_list::StatusListHost;
    let key = accord::roles::copy_key(&h.pki.eu.issuer.key).unwrap();
    let chain = h.pki.eu.issuer_chain();
    let iss = h.pki.eu.issuer_url.clone();
    let status = StatusListHost::list_uri(&h.topology.status_list.base_url, "eu");
    accord::roles::serve(
        "issuer:eu-root",
        SocketAddr::from(([127, 0, 0, 1], 0)),
        move |base_url| {
            let config = IssuerConfig {
                credential_issuer: base_url,
                profile: Profile::EuDiploma,
                iss,
                signing_key: key,
                chain,
                status_list_uri: Some(status),
                display_name: "Accord reference university (EU, root identifier)".into(),
                variant: Default::default(),
            };
            router(
                Arc::new(IssuerRole::new(
                    "issuer:eu-root",
                    "EU",
                    Issuer::new(config, SeededEntropy::new(24, "role/issuer:eu-root")),
                    Arc::new(SystemClock),
                )),
                "",
            )
        },
    )
    .await
    .unwrap()
}

/// Disagreement: with a Credential Issuer Identifier that has no path, the peer puts the
/// identifier through the `url` crate before using it as the proof's `aud`, and the parser's
/// serialisation adds a "/" (`http://127.0.0.1:PORT/`). OpenID4VCI 1.0 Appendix F.1: `aud`
/// MUST be the Credential Issuer Identifier; RFC 7519 §4.1.3 compares `aud` as a StringOrURI,
/// and §2 says StringOrURI values are compared as case-sensitive strings with no
/// transformations or canonicalisations. So `http://127.0.0.1:PORT/` is not
/// `http://127.0.0.1:PORT` and Accord's `invalid_proof` is right; the peer must send the
/// identifier exactly as the metadata's `credential_issuer` spells it.
#[test]
fn impierce_proof_aud_gains_a_trailing_slash_and_is_refused_for_a_root_identifier() {
    let Some(peer) = peer_binary() else {
        return;
    };
    rt().block_on(async {
        let h = harness(24, peer).await;
        let issuer = root_issuer(&h).await;
        let issued = h.issue_from(&issuer.base_url, "jwk").await;
        eprintln!("{issued}");
        assert!(!issued.ok, "the issuer must refuse the aud:\n{issued}");
        assert!(
            issued.stderr.contains("\"error\":\"invalid_proof\"")
                && issued.stderr.contains(req::OID4VCI_PROOF_AUD.id),
            "refused as invalid_proof, citing {}:\n{issued}",
            req::OID4VCI_PROOF_AUD.id
        );
        // `error_description` is limited to printable ASCII without `"` (RFC 6749 §5.2), so
        // Accord writes the quotes around the received aud as `?`.
        let base = &issuer.base_url;
        assert!(
            issued.stderr.contains(&format!("aud is ?{base}/?")),
            "the peer's aud is the identifier plus a slash:\n{issued}"
        );
        assert!(
            issued
                .stderr
                .contains(&format!("not the Credential Issuer Identifier {base}\"")),
            "{issued}"
        );
    });
}

/// The adapter process of docs/adapters.md, killed when dropped.
struct Adapter {
    child: std::process::Child,
    url: String,
}

impl Drop for Adapter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_adapter(peer: &Path) -> Adapter {
    use std::io::BufRead as _;
    let script = crate::support::repo().join("implementations/peers/impierce-wallet/adapter.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg("--peer")
        .arg(peer)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("adapter said {line:?}"))
        .to_owned();
    Adapter { child, url }
}

/// The worked example of docs/adapters.md, for real: the Impierce wallet behind the Python
/// control-API adapter is driven by Accord exactly like the reference wallet.
#[test]
fn the_documented_adapter_drives_the_impierce_wallet_through_the_control_api() {
    let Some(peer) = peer_binary() else {
        return;
    };
    let adapter = start_adapter(&peer);
    rt().block_on(async {
        let h = harness(27, peer).await;
        let c = &h.control;
        assert!(c.health("wallet", &adapter.url).await.unwrap().ok());
        let caps = c.capabilities("wallet", &adapter.url).await.unwrap();
        assert_eq!(caps.body["response_modes"], json!(["direct_post"]));
        let offer = c.create_offer(&h.topology.issuer("eu").base_url, &json!({"tx_code": true})).await.unwrap();
        let accepted = c.accept_offer(&adapter.url, offer.body["uri"].as_str().unwrap(), offer.body["tx_code"].as_str()).await.unwrap();
        assert_eq!(accepted.status, 200, "{:?}", accepted.body);
        assert_eq!(accepted.body["credentials"][0]["vct"], "urn:eudi:diploma:1");
        let v = &h.redirect_verifier.base_url;
        let created = c.create_request(v, &json!({"dcql_query": eu_query(), "response_mode": "direct_post"})).await.unwrap();
        let presented = c.present(&adapter.url, &json!({"request": created.body["authorization_request"]})).await.unwrap();
        assert_eq!(presented.status, 200, "{:?}", presented.body);
        assert_eq!(presented.body["verifier_status"], 200, "{:?}", presented.body);
        let outcome = c.result(v, created.body["id"].as_str().unwrap()).await.unwrap();
        assert_eq!(outcome.body["status"], "verified", "{:?}", outcome.body);
        // What the wallet cannot do is declared, not faked.
        let created = c.create_request(v, &json!({"dcql_query": eu_query()})).await.unwrap();
        let spoiled = c.present(&adapter.url, &json!({"request": created.body["authorization_request"], "misbehave": ["wrong-nonce"]})).await.unwrap();
        assert!(spoiled.not_implemented(), "{:?}", spoiled.body);
    });
}
