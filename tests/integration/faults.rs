//! Faults injected through the recording proxy in front of the status-list host: whatever
//! goes wrong with the status list (an error status, a truncated token, a connection dropped
//! mid-response), a conformant verifier fails closed (Token Status List §8.3, enforced by
//! Accord's profile), and the harness records what happened.

use std::net::SocketAddr;
use std::sync::Arc;

use accord::entropy::{Clock, FixedClock};
use accord::roles::proxy::{self, Fault, Proxy};
use accord::roles::topology::{self, VerifierVariant};
use accord::roles::wallet::WalletTrust;
use accord::roles::{control::ControlClient, serve};
use accord::transport::{ExchangeSink, Limits, Transport};
use accord::trust::pki::TestPki;
use serde_json::json;

use super::protocol::{NOW, eu_query};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_verifier_fails_closed_whatever_goes_wrong_with_the_status_list() {
    rt().block_on(async {
        let seed = 61;
        let pki = TestPki::generate(seed).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(FixedClock(NOW));
        let sink = ExchangeSink::default();
        let transport = Transport::new(
            sink.clone(),
            Limits::default(),
            &accord::tls::ClientTrust::of(&pki),
        )
        .unwrap();
        let lo = SocketAddr::from(([127, 0, 0, 1], 0));
        let (trust, _) = topology::start_trust_list(&pki, clock.clone(), lo)
            .await
            .unwrap();
        // The proxy first: its URL is the status-list host's public URL, so the tokens' `sub`
        // matches what the credentials point at (Token Status List §5.1).
        let p = Arc::new(Proxy::new(
            "proxy:status-list",
            "http://127.0.0.1:9",
            "status-list",
            transport.clone(),
        ));
        let handle = p.clone();
        let proxied = serve("proxy:status-list", lo, move |_| proxy::router(handle))
            .await
            .unwrap();
        let status = topology::start_status_list(
            &pki,
            clock.clone(),
            accord::roles::Listen::from(lo).with_public_url(proxied.base_url.clone()),
        )
        .await
        .unwrap();
        p.set_target(&format!("http://{}", status.addr));
        // Credentials point at the proxy; the verifier reaches the status list only through it.
        let issuer = topology::start_issuer(
            &pki,
            "eu",
            seed,
            clock.clone(),
            Some(&proxied.base_url),
            &Default::default(),
            lo,
        )
        .await
        .unwrap();
        let wallet = topology::start_wallet(
            &pki,
            &WalletTrust::ALL_PREFIXES,
            seed,
            clock.clone(),
            transport.clone(),
            lo,
        )
        .await
        .unwrap();
        let verifier = topology::start_verifier(
            &pki,
            "jp",
            seed,
            clock,
            transport.clone(),
            Some(&trust.base_url),
            &VerifierVariant::default(),
            lo,
        )
        .await
        .unwrap();
        let c = ControlClient::new(transport);
        let offer = c.create_offer(&issuer.base_url, &json!({})).await.unwrap();
        assert!(
            c.accept_offer(&wallet.base_url, offer.body["uri"].as_str().unwrap(), None)
                .await
                .unwrap()
                .ok()
        );
        let present = || async {
            let created = c
                .create_request(&verifier.base_url, &json!({"dcql_query": eu_query()}))
                .await
                .unwrap();
            c.present(
                &wallet.base_url,
                &json!({"request": created.body["authorization_request"]}),
            )
            .await
            .unwrap();
            c.result(&verifier.base_url, created.body["id"].as_str().unwrap())
                .await
                .unwrap()
                .body
        };
        let cited = |outcome: &serde_json::Value| -> Vec<String> {
            outcome["result"]["violations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["requirement"].as_str().map(str::to_owned))
                .collect()
        };
        let first = present().await;
        assert_eq!(first["status"], "verified", "no fault, no finding: {first}");
        for (fault, requirement) in [
            (Fault::Status(503), "TSL-8.3-fetch-fail-closed"),
            (Fault::Drop, "TSL-8.3-fetch-fail-closed"),
            (Fault::Truncate, "TSL-8.3-fetch-fail-closed"),
        ] {
            p.set_fault(fault.clone());
            let outcome = present().await;
            assert_eq!(outcome["status"], "rejected", "{fault:?}: {outcome}");
            assert!(
                cited(&outcome).iter().any(|c| c == requirement),
                "{fault:?} should cite {requirement}: {outcome}"
            );
        }
        p.set_fault(Fault::None);
        assert_eq!(
            present().await["status"],
            "verified",
            "recovered after the fault"
        );
        // The proxy recorded what it forwarded (the harness never called the status list).
        assert!(
            sink.drain()
                .iter()
                .any(|x| x.from == "proxy:status-list" && x.to == "status-list")
        );
    });
}
