//! The reference roles as containers started by testcontainers from the local image, on a
//! private network, each waited for on its health endpoint: the cross-border flow passes as
//! it does in process, a container that cannot start is reported with its logs, and nothing
//! (container, network) is left behind.
//!
//! Needs the Docker engine and `accord/reference:local` (scripts/build-images). Without them
//! the tests say loudly that they skipped; `ACCORD_REQUIRE_DOCKER=1` (set by .ci/run) makes
//! that a failure.

use std::process::Command;

use accord::roles::control::ControlClient;
use accord::run::launch::{self, LaunchError, LocalImage};
use accord::transport::{ExchangeSink, Limits, Transport};
use serde_json::json;

use super::protocol::jp_query;

fn image() -> LocalImage {
    LocalImage::parse("accord/reference:local").unwrap()
}

/// `None` (after saying why) when the test cannot run here and that is allowed.
pub(super) fn docker() -> Option<()> {
    match launch::check_image(&image()) {
        Ok(()) => Some(()),
        Err(e) => crate::support::skip(
            crate::support::Needs::Docker,
            &e.to_string(),
            "start the Docker engine and run scripts/build-images",
        ),
    }
}

/// The harness's control client for roles on the private network, which speak plain HTTP
/// (`launch::start`).
fn plain_control() -> ControlClient {
    ControlClient::new(
        Transport::new(
            ExchangeSink::default(),
            Limits::default(),
            &accord::tls::ClientTrust::default(),
        )
        .unwrap(),
    )
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter()
        .map(|s| (*s).to_owned())
        .chain(["--seed".to_owned(), "9".to_owned()])
        .collect()
}

fn leftovers(tag: &str) -> String {
    let ps = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("name={tag}"),
            "--format",
            "{{.Names}}",
        ])
        .output()
        .unwrap();
    let nets = Command::new("docker")
        .args([
            "network",
            "ls",
            "--filter",
            &format!("name={tag}"),
            "--format",
            "{{.Name}}",
        ])
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&ps.stdout),
        String::from_utf8_lossy(&nets.stdout)
    )
    .trim()
    .to_owned()
}

#[test]
fn jp_degree_to_eu_verifier_across_testcontainers() {
    if docker().is_none() {
        return;
    }
    let tag = format!("accord-tc-{}", std::process::id());
    rt().block_on(async {
        let net = tag.clone();
        let name = |role: &str| format!("{tag}-{role}");
        let trust = launch::start(&image(), &net, &name("trust"), &args(&["trust-list"]))
            .await
            .unwrap();
        let status = launch::start(&image(), &net, &name("status"), &args(&["status-list"]))
            .await
            .unwrap();
        let issuer = launch::start(
            &image(),
            &net,
            &name("issuer-jp"),
            &args(&[
                "issuer",
                "--jurisdiction",
                "jp",
                "--status-list-url",
                &status.internal_url,
            ]),
        )
        .await
        .unwrap();
        let wallet = launch::start(&image(), &net, &name("wallet"), &args(&["wallet"]))
            .await
            .unwrap();
        let verifier = launch::start(
            &image(),
            &net,
            &name("verifier-eu"),
            &args(&[
                "verifier",
                "--jurisdiction",
                "eu",
                "--trust-list-url",
                &trust.internal_url,
            ]),
        )
        .await
        .unwrap();
        let c = plain_control();
        let offer = c
            .create_offer(
                &issuer.url,
                &json!({"flow": "authorization_code", "by_reference": true}),
            )
            .await
            .unwrap();
        assert!(offer.ok(), "{:?}", offer.body);
        let accepted = c
            .accept_offer(&wallet.url, offer.body["uri"].as_str().unwrap(), None)
            .await
            .unwrap();
        assert_eq!(
            accepted.status,
            200,
            "{:?}\n{}",
            accepted.body,
            launch::logs(&wallet).await
        );
        let created = c
            .create_request(
                &verifier.url,
                &json!({"dcql_query": jp_query(), "response_mode": "direct_post.jwt"}),
            )
            .await
            .unwrap();
        let presented = c
            .present(
                &wallet.url,
                &json!({"request": created.body["authorization_request"]}),
            )
            .await
            .unwrap();
        assert_eq!(presented.status, 200, "{:?}", presented.body);
        let outcome = c
            .result(&verifier.url, created.body["id"].as_str().unwrap())
            .await
            .unwrap()
            .body;
        assert_eq!(outcome["status"], "verified", "{outcome}");
        assert_eq!(
            outcome["result"]["presentations"][0]["trust"]["path"]["decision"]["qualified"],
            false
        );
        drop((trust, status, issuer, wallet, verifier));
    });
    assert_eq!(leftovers(&tag), "", "left behind");
}

#[test]
fn a_disconnected_network_fails_the_wallet_cleanly_and_reconnecting_heals_it() {
    if docker().is_none() {
        return;
    }
    let tag = format!("accord-tc-net-{}", std::process::id());
    rt().block_on(async {
        let net = tag.clone();
        let name = |role: &str| format!("{tag}-{role}");
        let status = launch::start(&image(), &net, &name("status"), &args(&["status-list"]))
            .await
            .unwrap();
        let issuer = launch::start(
            &image(),
            &net,
            &name("issuer-eu"),
            &args(&["issuer", "--status-list-url", &status.internal_url]),
        )
        .await
        .unwrap();
        let wallet = launch::start(&image(), &net, &name("wallet"), &args(&["wallet"]))
            .await
            .unwrap();
        let c = plain_control();
        // Both offers are made while the issuer is reachable from the harness.
        let mut offers = Vec::new();
        for _ in 0..2 {
            let o = c.create_offer(&issuer.url, &json!({})).await.unwrap();
            assert!(o.ok(), "{:?}", o.body);
            offers.push(o.body["uri"].as_str().unwrap().to_owned());
        }
        let docker = |args: &[&str]| {
            let out = Command::new("docker").args(args).output().unwrap();
            assert!(
                out.status.success(),
                "docker {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        // The issuer leaves the network: the wallet cannot reach it, and says so.
        docker(&["network", "disconnect", &net, &issuer.alias]);
        let failed = c.accept_offer(&wallet.url, &offers[0], None).await.unwrap();
        assert_eq!(failed.status, 422, "{:?}", failed.body);
        assert_eq!(failed.body["step"], "metadata", "{:?}", failed.body);
        let held = c.credentials(&wallet.url).await.unwrap();
        assert_eq!(held.body["credentials"], json!([]), "nothing half-issued");
        // Back on the network under the same name: the next attempt succeeds.
        docker(&[
            "network",
            "connect",
            "--alias",
            &issuer.alias,
            &net,
            &issuer.alias,
        ]);
        let healed = c.accept_offer(&wallet.url, &offers[1], None).await.unwrap();
        assert_eq!(
            healed.status,
            200,
            "{:?}\n{}",
            healed.body,
            launch::logs(&wallet).await
        );
        drop((status, issuer, wallet));
    });
    assert_eq!(leftovers(&tag), "", "left behind");
}

#[test]
fn a_container_that_cannot_start_is_reported_with_its_logs() {
    if docker().is_none() {
        return;
    }
    let tag = format!("accord-tc-bad-{}", std::process::id());
    rt().block_on(async {
        // An argument the role refuses: it prints why and exits; readiness never comes.
        let e = match launch::start(
            &image(),
            &tag,
            &format!("{tag}-verifier"),
            &args(&["verifier", "--response-mode", "fragment"]),
        )
        .await
        {
            Err(e) => e,
            Ok(_) => panic!("a role with a bad argument became ready"),
        };
        let LaunchError::NotReady { logs, .. } = &e else {
            panic!("{e}")
        };
        assert!(logs.contains("unknown response mode"), "{e}");
    });
    assert_eq!(leftovers(&format!("{tag}-verifier")), "", "left behind");
}
