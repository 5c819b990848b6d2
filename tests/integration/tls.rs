//! TLS between the roles: every reference role is reachable by name over HTTPS by a client
//! that validates strictly (curl with the seed's CA, no `-k`); Accord's clients refuse a
//! server whose certificate names another host; plain HTTP is an explicit choice that the
//! run's log and reports carry.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use accord::entropy::FixedClock;
use accord::roles::Listen;
use accord::roles::topology::{self, VerifierVariant};
use accord::tls::{ClientTrust, Security};
use accord::transport::{ExchangeSink, Limits, Request, Transport};
use accord::trust::pki::{TestPki, pem};
use serde_json::json;

use super::protocol::{NOW, eu_query, harness};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// curl, an independent TLS client, with only the seed's CA and the name pinned to loopback
/// (`--resolve`, as Accord's own resolver does): every role answers its health check, and a
/// role asked for under another name is refused by the certificate check.
#[test]
fn curl_reaches_every_role_by_name_with_the_seeds_ca_only() {
    let Some(curl) = which("curl") else {
        let _: Option<()> = crate::support::skip(
            crate::support::Needs::Peer,
            "curl is not installed",
            "apt-get install curl",
        );
        return;
    };
    rt().block_on(async {
        let h = harness(31).await;
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("tls-ca.pem");
        let pki = TestPki::generate(31).unwrap();
        std::fs::write(&ca, pem("CERTIFICATE", &pki.tls_ca.cert_der)).unwrap();
        let t = &h.topology;
        let roles = [
            &t.trust_list,
            &t.status_list,
            &t.eu_issuer,
            &t.jp_issuer,
            &t.wallet,
            &t.eu_verifier,
            &t.jp_verifier,
        ];
        for role in roles {
            let url = url::Url::parse(&role.base_url).unwrap();
            assert_eq!(url.scheme(), "https", "{}", role.base_url);
            let host = url.host_str().unwrap().to_owned();
            assert!(host.ends_with(".accord.test"), "{host}");
            let port = url.port().unwrap();
            let health = format!("{}/control/health", role.base_url);
            let out = tokio::task::spawn_blocking({
                let (curl, ca, health) = (curl.clone(), ca.clone(), health.clone());
                move || {
                    Command::new(curl)
                        .args(["--silent", "--show-error", "--fail", "--cacert"])
                        .arg(&ca)
                        .args(["--resolve", &format!("{host}:{port}:127.0.0.1"), &health])
                        .output()
                        .unwrap()
                }
            })
            .await
            .unwrap();
            assert!(
                out.status.success(),
                "curl {health}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // The same server under a name its certificate does not carry.
        let port = url::Url::parse(&t.jp_verifier.base_url)
            .unwrap()
            .port()
            .unwrap();
        let wrong = format!("https://verifier.eu.accord.test:{port}/control/health");
        let out = Command::new(&curl)
            .args(["--silent", "--show-error", "--fail", "--cacert"])
            .arg(&ca)
            .args([
                "--resolve",
                &format!("verifier.eu.accord.test:{port}:127.0.0.1"),
                &wrong,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success(), "curl accepted {wrong}");
    });
}

/// A verifier whose request and response URIs name `verifier.jp.accord.test` but whose TLS
/// certificate names another host: Accord's wallet does not fetch its request object (the
/// TLS check fails), so nothing is presented to it.
#[test]
fn the_wallet_refuses_a_verifier_whose_certificate_names_another_host() {
    rt().block_on(async {
        let h = harness(32).await;
        let pki = TestPki::generate(32).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = Listen::role(
            Security::Https,
            &pki,
            "impostor.accord.test",
            SocketAddr::from(([127, 0, 0, 1], port)),
        )
        .unwrap()
        .with_public_url(format!("https://verifier.jp.accord.test:{port}"));
        let impostor = topology::start_verifier(
            &pki,
            "jp",
            32,
            Arc::new(FixedClock(NOW)),
            h.topology.transport.clone(),
            Some(&h.topology.trust_list.base_url),
            &VerifierVariant::default(),
            listen,
        )
        .await
        .unwrap();
        // Reached under the name its certificate does carry, the control API works.
        let control = format!("https://impostor.accord.test:{}", impostor.addr.port());
        let created = h
            .control
            .create_request(&control, &json!({"dcql_query": eu_query()}))
            .await
            .unwrap();
        assert!(created.ok(), "{:?}", created.body);
        let uri = created.body["authorization_request"].as_str().unwrap();
        assert!(uri.contains("verifier.jp.accord.test"), "{uri}");
        let refused = h
            .control
            .present(&h.topology.wallet.base_url, &json!({"request": uri}))
            .await
            .unwrap();
        assert_eq!(refused.status, 422, "{}", refused.body);
        let fetch = h
            .sink
            .last_matching(|e| e.from == "wallet" && e.url.contains("/request/"))
            .unwrap();
        assert_eq!(fetch.status, None, "{fetch:?}");
        let why = fetch.error.unwrap_or_default();
        assert!(why.contains("certificate"), "{why}");
    });
}

/// Without the seed's CA, Accord's client trusts nothing: no system roots, no exceptions.
#[test]
fn a_client_without_the_ca_reaches_no_role() {
    rt().block_on(async {
        let h = harness(33).await;
        let bare = Transport::new(
            ExchangeSink::default(),
            Limits::default(),
            &ClientTrust::default(),
        )
        .unwrap();
        let url = format!("{}/control/health", h.topology.wallet.base_url);
        let e = bare.send("test", "wallet", Request::get(&url)).await;
        let message = e.expect_err("an untrusted server was accepted").to_string();
        assert!(message.contains("certificate"), "{message}");
    });
}

/// `--plain-http` is the only way to plain HTTP, and the run says so in its log and reports;
/// a run without it records HTTPS.
#[test]
fn plain_http_is_explicit_recorded_and_reported() {
    let store = tempfile::tempdir().unwrap();
    let store_arg = store.path().to_str().unwrap();
    for (flag, recorded, shown) in [
        (None, "https", "HTTPS"),
        (Some("--plain-http"), "plain-http", "plain HTTP"),
    ] {
        let mut args = vec![
            "run",
            "--seed",
            "3",
            "--store",
            store_arg,
            "--tags",
            "@http and not @faults and not @rules",
        ];
        args.extend(flag);
        let out = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(&args)
            .output()
            .unwrap();
        let text = crate::support::text(&out);
        assert!(out.status.success(), "{text}");
        let run = text
            .lines()
            .find_map(|l| l.strip_prefix("accord: run "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();
        let log =
            std::fs::read_to_string(store.path().join("runs").join(&run).join("events.jsonl"))
                .unwrap();
        let first: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
        assert_eq!(first["payload"]["security"], recorded, "{first}");
        let scheme = if recorded == "https" {
            "\"url\":\"https://"
        } else {
            "\"url\":\"http://127.0.0.1"
        };
        assert!(log.contains(scheme), "no {scheme} exchange in the log");
        let report = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["report", &run, "--store", store_arg, "--format", "md"])
            .output()
            .unwrap();
        let md = String::from_utf8_lossy(&report.stdout);
        assert!(md.contains(&format!("Transport: {shown}")), "{md}");
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    let out = Command::new("which").arg(name).output().ok()?;
    out.status
        .success()
        .then(|| std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}
