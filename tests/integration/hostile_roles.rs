//! Hostile clients of the reference roles (issue 17, items 3 to 5): each finding reproduced
//! against a role and the bound that now stops it asserted. Connections are driven by hand
//! over TCP so that a test can send what no HTTP client would (a foreign `Host`, half a
//! request head); the timeouts are shortened through `ServeLimits` and each test waits for
//! the server's end of file, never for a fixed time.
//!
//! The stores' caps under floods (offers, transactions, credentials) are unit tests next to
//! the stores (`protocol::oid4vci`, `protocol::oid4vp`, `roles::wallet`); the trust-list
//! host's cap is shown here through its control API.
//!
//! See: issue 17.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use accord::entropy::{Clock, FixedClock};
use accord::protocol::oid4vci::IssuerVariant;
use accord::roles::control::ControlClient;
use accord::roles::topology;
use accord::roles::{ControlAccess, Listen, Running, ServeLimits};
use accord::transport::{ExchangeSink, Limits, Request, SECRET_BEARER, Transport};
use accord::trust::pki::TestPki;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::protocol::harness;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(1_767_225_600))
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A plain-HTTP EU issuer on loopback with these protections and bounds.
async fn issuer(access: ControlAccess, limits: ServeLimits) -> Running {
    let pki = TestPki::generate(71).unwrap();
    let listen = Listen::from(loopback())
        .with_access(access)
        .with_limits(limits);
    topology::start_issuer(
        &pki,
        "eu",
        71,
        clock(),
        None,
        &IssuerVariant::default(),
        listen,
    )
    .await
    .unwrap()
}

/// Sends `request` on a fresh connection and reads until the server closes it: the status
/// and the whole answer (empty when the server closed without answering).
async fn exchange(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// A `POST` with `Connection: close`, its head lines given whole.
fn post(path: &str, host: &str, lines: &[&str], body: &str) -> String {
    let extra: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Waits for the server to close `s` (end of file or reset), reading whatever it sends. The
/// outer bound only keeps a broken server from hanging the suite.
async fn closed_by_server(mut s: TcpStream) {
    let mut sink = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut sink))
        .await
        .expect("the server never closed the connection")
        .ok();
}

/// Reads one keep-alive response (head and `Content-Length` body) and returns its status.
async fn read_response(s: &mut TcpStream) -> u16 {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).await.unwrap(), 1, "closed mid-head");
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).await.unwrap();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap()
}

/// Item 5: a web page's cross-origin `text/plain` POST (CSRF) and a `Host` of the page's
/// own name (DNS rebinding) cannot drive a role; a JSON call from a non-browser client can.
#[test]
fn cross_origin_and_foreign_host_control_calls_are_refused() {
    rt().block_on(async {
        let role = issuer(ControlAccess::default(), ServeLimits::default()).await;
        let host = role.addr.to_string();
        let at = role.addr;
        // The CSRF form: text/plain, from the page's origin.
        let (status, answer) = exchange(
            at,
            &post(
                "/control/offers",
                &host,
                &["Origin: http://evil.example", "Content-Type: text/plain"],
                "{}",
            ),
        )
        .await;
        assert_eq!(status, 403, "{answer}");
        // Without an Origin, text/plain is still no JSON.
        let (status, answer) = exchange(
            at,
            &post("/control/offers", &host, &["Content-Type: text/plain"], "{}"),
        )
        .await;
        assert_eq!(status, 415, "{answer}");
        // A browser's fetch from another site on the same machine.
        let (status, _) = exchange(
            at,
            &post(
                "/control/offers",
                &host,
                &["Sec-Fetch-Site: same-site", "Content-Type: application/json"],
                "{}",
            ),
        )
        .await;
        assert_eq!(status, 403);
        // DNS rebinding: the page's own name, resolved to loopback.
        let (status, answer) = exchange(
            at,
            &post(
                "/control/offers",
                &format!("rebind.attacker.example:{}", at.port()),
                &["Content-Type: application/json"],
                "{}",
            ),
        )
        .await;
        assert_eq!(status, 421, "{answer}");
        // The protocol endpoints stay open to any host: only /control/ is guarded.
        let (status, _) = exchange(
            at,
            "GET /.well-known/openid-credential-issuer/eu HTTP/1.1\r\nHost: any.example\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(status, 200);
        // What the harness sends passes.
        let (status, answer) = exchange(
            at,
            &post(
                "/control/offers",
                &format!("localhost:{}", at.port()),
                &["Content-Type: application/json"],
                "{}",
            ),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        role.stop().await;
    });
}

/// The same guard on the in-process topology over HTTPS: the harness's own calls under the
/// `*.accord.test` names pass (the rest of the suite relies on it), a foreign origin does not.
#[test]
fn the_guard_admits_the_harness_over_https_and_refuses_a_foreign_origin() {
    rt().block_on(async {
        let h = harness(72).await;
        let wallet = &h.topology.wallet.base_url;
        assert!(
            wallet.starts_with("https://wallet.accord.test:"),
            "{wallet}"
        );
        let ok = h.control.credentials(wallet).await.unwrap();
        assert!(ok.ok(), "{:?}", ok.body);
        let r = h
            .control
            .transport()
            .send(
                "test",
                "wallet",
                Request::post_json(
                    format!("{wallet}/control/presentations"),
                    &json!({"request": "openid4vp://?client_id=x"}),
                )
                .header("origin", "https://evil.example"),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 403);
    });
}

/// Item 5: with a control token, every control call but health needs it; the harness's
/// client sends it, and the recorded exchange does not show it.
#[test]
fn a_role_with_a_control_token_answers_401_without_it_and_works_with_it() {
    rt().block_on(async {
        let access = ControlAccess::default().with_token(Some("s3cret-token".into()));
        let role = issuer(access, ServeLimits::default()).await;
        let host = role.addr.to_string();
        let json = "Content-Type: application/json";
        let (status, answer) =
            exchange(role.addr, &post("/control/offers", &host, &[json], "{}")).await;
        assert_eq!(status, 401, "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("www-authenticate: bearer"),
            "{answer}"
        );
        let (status, _) = exchange(
            role.addr,
            &post(
                "/control/offers",
                &host,
                &[json, "Authorization: Bearer s3cret-tokeN"],
                "{}",
            ),
        )
        .await;
        assert_eq!(status, 401);
        let (status, _) = exchange(
            role.addr,
            &format!("GET /control/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 200, "health stays open for readiness probes");
        let sink = ExchangeSink::default();
        let transport =
            Transport::new(sink.clone(), Limits::default(), &Default::default()).unwrap();
        let client = ControlClient::new(transport).with_token(Some("s3cret-token".into()));
        let offer = client
            .create_offer(&role.base_url, &json!({}))
            .await
            .unwrap();
        assert!(offer.ok(), "{:?}", offer.body);
        let recorded = sink.drain();
        assert_eq!(recorded[0].request_headers["authorization"], SECRET_BEARER);
        assert!(!format!("{recorded:?}").contains("s3cret-token"));
        role.stop().await;
    });
}

/// Item 3: control bodies are bounded below the global limit.
#[test]
fn an_oversized_control_body_is_refused() {
    rt().block_on(async {
        let role = issuer(ControlAccess::default(), ServeLimits::default()).await;
        let big =
            json!({"subject": {"padding": "x".repeat(accord::roles::bounds::MAX_CONTROL_BODY)}})
                .to_string();
        let (status, _) = exchange(
            role.addr,
            &post(
                "/control/offers",
                &role.addr.to_string(),
                &["Content-Type: application/json"],
                &big,
            ),
        )
        .await;
        assert_eq!(status, 413);
        role.stop().await;
    });
}

/// Item 3 and the `alg: none` finding of item 5: the trust-list host republishes only
/// well-formed signed lists, and holds a bounded number of them.
#[test]
fn the_trust_list_host_refuses_unsigned_lists_and_stays_within_its_caps() {
    rt().block_on(async {
        let pki = TestPki::generate(73).unwrap();
        let (running, host) = topology::start_trust_list(
            &pki,
            Arc::new(accord::entropy::FixedClock(1_790_000_000)),
            Listen::from(loopback()),
        )
        .await
        .unwrap();
        let transport = Transport::new(
            ExchangeSink::disabled(),
            Limits::default(),
            &Default::default(),
        )
        .unwrap();
        let put = |name: String, token: String| {
            let t = transport.clone();
            let url = format!("{}/control/lists/{name}", running.base_url);
            async move {
                t.send(
                    "test",
                    "trust-list",
                    Request::put_json(url, &json!({"token": token})),
                )
                .await
                .unwrap()
            }
        };
        let good = pki.eu.signed_trust_list().unwrap();
        let payload = good.split('.').nth(1).unwrap().to_owned();
        let none = accord::formats::jose::b64(br#"{"alg":"none","typ":"accord-trust-list+jwt"}"#);
        let r = put("eu".into(), format!("{none}.{payload}.")).await;
        assert_eq!(r.status, 400);
        assert!(
            r.text().contains("not a well-formed signed trust list"),
            "{}",
            r.text()
        );
        let r = put("eu".into(), "garbage".into()).await;
        assert_eq!(r.status, 400);
        // A flood of well-formed lists under new names: refused once the host is full.
        let mut refused = None;
        for n in 0..40 {
            let r = put(format!("flood-{n}"), good.clone()).await;
            if r.status != 200 {
                refused = Some(r);
                break;
            }
        }
        let refused = refused.expect("the host never filled up");
        assert_eq!(refused.status, 503);
        assert!(refused.header("retry-after").is_some());
        let (count, bytes) = host.held();
        assert_eq!(count, accord::roles::bounds::MAX_TRUST_LISTS);
        assert!(bytes <= accord::roles::bounds::MAX_TRUST_LIST_BYTES);
        // Replacing a list by name still works when full.
        assert_eq!(put("eu".into(), good.clone()).await.status, 200);
        running.stop().await;
    });
}

fn short() -> ServeLimits {
    ServeLimits {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..ServeLimits::default()
    }
}

/// Item 4: an idle connection, one idle after a keep-alive request, a slowloris head and a
/// dribbled body are each closed by the server.
#[test]
fn idle_and_half_sent_connections_are_closed_by_the_server() {
    rt().block_on(async {
        let role = issuer(ControlAccess::default(), short()).await;
        let host = role.addr.to_string();
        // Idle from the start.
        closed_by_server(TcpStream::connect(role.addr).await.unwrap()).await;
        // Idle after one keep-alive request.
        let mut s = TcpStream::connect(role.addr).await.unwrap();
        s.write_all(format!("GET /control/health HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        assert_eq!(read_response(&mut s).await, 200);
        closed_by_server(s).await;
        // Slowloris: half a head, never finished.
        let mut s = TcpStream::connect(role.addr).await.unwrap();
        s.write_all(format!("GET /control/health HTTP/1.1\r\nHost: {host}\r\nX-A: ").as_bytes())
            .await
            .unwrap();
        closed_by_server(s).await;
        // A body announced but dribbled: refused, and the connection closed.
        let mut s = TcpStream::connect(role.addr).await.unwrap();
        s.write_all(
            format!("POST /control/offers HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{").as_bytes(),
        )
        .await
        .unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut answer))
            .await
            .expect("the server never closed the connection")
            .ok();
        let answer = String::from_utf8_lossy(&answer);
        assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
        role.stop().await;
    });
}

/// Item 4: beyond the connection cap a new connection is closed at once; once the idle
/// ones are closed by the server, the role answers again.
#[test]
fn beyond_the_connection_cap_new_connections_are_closed_and_the_role_recovers() {
    rt().block_on(async {
        let limits = ServeLimits {
            max_connections: 4,
            header_read_timeout: Duration::from_secs(5),
            ..ServeLimits::default()
        };
        let role = issuer(ControlAccess::default(), limits).await;
        let host = role.addr.to_string();
        let health = format!("GET /control/health HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let mut held = Vec::new();
        for _ in 0..4 {
            // Each answered once, so the server has accepted it; then left idle.
            let mut s = TcpStream::connect(role.addr).await.unwrap();
            s.write_all(health.as_bytes()).await.unwrap();
            assert_eq!(read_response(&mut s).await, 200);
            held.push(s);
        }
        let (status, answer) = exchange(role.addr, &health).await;
        assert_eq!(
            (status, answer.as_str()),
            (0, ""),
            "closed without an answer"
        );
        for s in held {
            closed_by_server(s).await;
        }
        let (status, _) = exchange(
            role.addr,
            &format!("GET /control/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 200);
        role.stop().await;
    });
}

/// Stopping a role still releases its port at once, even with a connection open.
#[test]
fn a_stopped_role_releases_its_port_with_connections_open() {
    rt().block_on(async {
        let role = issuer(ControlAccess::default(), ServeLimits::default()).await;
        let addr = role.addr;
        let _idle = TcpStream::connect(addr).await.unwrap();
        role.stop().await;
        let again = issuer_at(addr).await;
        assert_eq!(again.addr, addr);
        again.stop().await;
    });
}

async fn issuer_at(addr: SocketAddr) -> Running {
    let pki = TestPki::generate(71).unwrap();
    topology::start_issuer(
        &pki,
        "eu",
        71,
        clock(),
        None,
        &IssuerVariant::default(),
        Listen::from(addr),
    )
    .await
    .unwrap()
}

/// Item 5: `accord serve --bind 0.0.0.0` without a token is refused (exit 2), saying why.
#[test]
fn serving_beyond_loopback_without_a_token_is_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "issuer", "--bind", "0.0.0.0", "--port", "0"])
        .env_remove("ACCORD_CONTROL_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", super::support::text(&out));
    let text = super::support::text(&out);
    assert!(text.contains("--control-token"), "{text}");
    assert!(text.contains("--insecure-bind"), "{text}");
}
