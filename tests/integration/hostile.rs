//! Hostile counterparts: garbage, a huge body, no answer at all, a dropped connection. Each
//! gets a clear error and a recorded exchange within bounded time and memory, and the
//! harness keeps working afterwards.

use std::time::Duration;

use accord::transport::{ExchangeSink, Limits, Request, Transport, TransportError};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::protocol::harness;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[derive(Clone, Copy)]
enum Behaviour {
    Garbage,
    Huge,
    Silent,
    Drop,
}

/// A one-route server that misbehaves on every connection.
async fn hostile(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match behaviour {
                    Behaviour::Garbage => {
                        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\n\r\n\x00\xffnot{js").await;
                    }
                    Behaviour::Huge => {
                        // Announces nothing and streams far beyond the limit.
                        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                        let chunk = vec![b'a'; 64 * 1024];
                        for _ in 0..1024 {
                            let head = format!("{:x}\r\n", chunk.len());
                            if socket.write_all(head.as_bytes()).await.is_err()
                                || socket.write_all(&chunk).await.is_err()
                                || socket.write_all(b"\r\n").await.is_err()
                            {
                                return;
                            }
                        }
                    }
                    Behaviour::Silent => {
                        // Holds the connection open and never answers.
                        let _ = socket.read(&mut buf).await;
                        std::future::pending::<()>().await;
                    }
                    Behaviour::Drop => drop(socket),
                }
            });
        }
    });
    format!("http://{addr}")
}

fn quick_limits() -> Limits {
    Limits {
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        max_body: 256 * 1024,
    }
}

#[test]
fn each_hostile_counterpart_is_a_recorded_error_not_a_hang() {
    rt().block_on(async {
        let sink = ExchangeSink::default();
        let t = Transport::new(sink.clone(), quick_limits(), &Default::default()).unwrap();
        let url = hostile(Behaviour::Garbage).await;
        let r = t
            .send("test", "hostile", Request::get(format!("{url}/x")))
            .await
            .unwrap();
        assert!(matches!(r.json(), Err(TransportError::NotJson { .. })));
        let url = hostile(Behaviour::Huge).await;
        let e = t
            .send("test", "hostile", Request::get(format!("{url}/x")))
            .await
            .unwrap_err();
        assert!(
            matches!(e, TransportError::TooLarge { limit: 262_144, .. }),
            "{e}"
        );
        let url = hostile(Behaviour::Silent).await;
        let e = t
            .send("test", "hostile", Request::get(format!("{url}/x")))
            .await
            .unwrap_err();
        assert!(matches!(e, TransportError::Timeout { .. }), "{e}");
        let url = hostile(Behaviour::Drop).await;
        let e = t
            .send("test", "hostile", Request::get(format!("{url}/x")))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                TransportError::Failed { .. } | TransportError::Connect { .. }
            ),
            "{e}"
        );
        let e = t
            .send("test", "nobody", Request::get("http://127.0.0.1:9/x"))
            .await
            .unwrap_err();
        assert!(matches!(e, TransportError::Connect { .. }), "{e}");
        let recorded = sink.drain();
        assert_eq!(recorded.len(), 5);
        assert_eq!(recorded[0].status, Some(200));
        for x in &recorded[1..] {
            assert!(x.error.is_some() && x.status.is_none(), "{x:?}");
        }
    });
}

#[test]
fn the_wallet_reports_a_hostile_issuer_as_a_failed_step_and_keeps_working() {
    rt().block_on(async {
        let h = harness(31).await;
        for behaviour in [Behaviour::Garbage, Behaviour::Drop] {
            let url = hostile(behaviour).await;
            let offer = json!({"credential_issuer": url, "credential_configuration_ids": ["x"], "grants": {}});
            let a = h.control.accept_offer(&h.topology.wallet.base_url, &offer.to_string(), None).await.unwrap();
            assert_eq!(a.status, 422, "{:?}", a.body);
            assert_eq!(a.body["step"], "metadata", "{:?}", a.body);
            assert!(!a.body["detail"].as_str().unwrap().is_empty());
        }
        // Still serving: a real issuance right after.
        let issued = h.issue("eu", json!({})).await;
        assert_eq!(issued["credentials"][0]["vct"], "urn:eudi:diploma:1");
        assert!(h.sink.drain().iter().any(|x| x.to == "issuer" && x.error.is_some()));
    });
}

#[test]
fn a_role_refuses_an_oversized_request_body() {
    rt().block_on(async {
        let h = harness(32).await;
        let big = "a".repeat(accord::roles::MAX_REQUEST_BODY + 1);
        let url = format!("{}/response", h.topology.jp_verifier.base_url);
        let r = h
            .control
            .transport()
            .send(
                "test",
                "verifier",
                Request::post_form(&url, &[("vp_token", &big)]),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 413);
        // And keeps answering.
        let ok = h
            .control
            .health("verifier", &h.topology.jp_verifier.base_url)
            .await
            .unwrap();
        assert!(ok.ok());
    });
}

#[test]
fn an_unknown_control_operation_answers_501() {
    rt().block_on(async {
        let h = harness(33).await;
        for base in [
            &h.topology.eu_issuer.base_url,
            &h.topology.wallet.base_url,
            &h.topology.jp_verifier.base_url,
            &h.topology.status_list.base_url,
            &h.topology.trust_list.base_url,
        ] {
            let r = h
                .control
                .transport()
                .send(
                    "test",
                    "role",
                    Request::post_json(format!("{base}/control/deferred-credentials"), &json!({})),
                )
                .await
                .unwrap();
            assert_eq!(r.status, 501);
            assert_eq!(r.json().unwrap()["error"], "not_implemented");
        }
    });
}
