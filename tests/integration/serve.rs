//! The reference roles as separate processes (`accord serve`), and as containers of the
//! locally built image: the cross-border flow runs across them exactly as in process. Separate
//! processes share no memory, so this is also where the seeded PKI must agree by key across
//! processes (certificate signatures are randomised).
//!
//! The container test needs the Docker engine and the image (`scripts/build-images`): without
//! them it says loudly that it skipped; `ACCORD_REQUIRE_DOCKER=1` (set by .ci/run) makes a
//! missing engine or image a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use accord::roles::control::ControlClient;
use accord::transport::{ExchangeSink, Limits, Transport};
use serde_json::json;

use super::protocol::eu_query;

const IMAGE: &str = "accord/reference:local";

/// One running role, stopped when dropped.
struct Role {
    url: String,
    child: Child,
    /// For a container: its name, removed on drop (even after a failed test).
    container: Option<String>,
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Some(name) = &self.container {
            let _ = Command::new("docker").args(["rm", "-f", name]).output();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the role's "listening on URL" line from its standard error.
fn await_url(child: &mut Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split(" listening on ").nth(1) {
            let url = rest.split_whitespace().next().unwrap().to_owned();
            // Keep draining so the role never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return url;
        }
    }
    panic!("the role exited before it listened")
}

fn process(args: &[&str]) -> Role {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("serve")
        .args(args)
        .args(["--seed", "7"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = await_url(&mut child);
    Role {
        url,
        child,
        container: None,
    }
}

fn container(name: &str, args: &[&str]) -> Role {
    let name = format!("accord-test-{name}-{}", std::process::id());
    // Host networking: the role's URL (its identifier, its request and response URIs) is the
    // same for the other containers and for this test.
    let mut child = Command::new("docker")
        .args(["run", "--rm", "--name", &name, "--network", "host", IMAGE])
        .args(args)
        .args(["--seed", "7"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = await_url(&mut child);
    Role {
        url,
        child,
        container: Some(name),
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Issues the EU diploma into the wallet and presents it to the JP verifier, all through the
/// control API; returns the verifier's outcome.
fn cross_border(start: &dyn Fn(&str, &[&str]) -> Role) -> serde_json::Value {
    let trust = start("trust-list", &["trust-list"]);
    let status = start("status-list", &["status-list"]);
    let issuer = start(
        "issuer-eu",
        &[
            "issuer",
            "--jurisdiction",
            "eu",
            "--status-list-url",
            &status.url,
        ],
    );
    let wallet = start("wallet", &["wallet"]);
    let verifier = start(
        "verifier-jp",
        &[
            "verifier",
            "--jurisdiction",
            "jp",
            "--trust-list-url",
            &trust.url,
        ],
    );
    rt().block_on(async {
        let c = ControlClient::new(
            Transport::new(
                ExchangeSink::default(),
                Limits::default(),
                // Every role serves HTTPS under the seed's TLS CA.
                &accord::tls::ClientTrust::of(&accord::trust::pki::TestPki::generate(7).unwrap()),
            )
            .unwrap(),
        );
        for (role, r) in [
            ("trust-list", &trust),
            ("status-list", &status),
            ("issuer", &issuer),
            ("wallet", &wallet),
            ("verifier", &verifier),
        ] {
            assert!(
                c.health(role, &r.url).await.unwrap().ok(),
                "{role} is not healthy"
            );
        }
        let offer = c
            .create_offer(&issuer.url, &json!({"tx_code": true}))
            .await
            .unwrap();
        let accepted = c
            .accept_offer(
                &wallet.url,
                offer.body["uri"].as_str().unwrap(),
                offer.body["tx_code"].as_str(),
            )
            .await
            .unwrap();
        assert_eq!(accepted.status, 200, "{:?}", accepted.body);
        let created = c
            .create_request(
                &verifier.url,
                &json!({"dcql_query": eu_query(), "response_mode": "direct_post.jwt"}),
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
        c.result(&verifier.url, created.body["id"].as_str().unwrap())
            .await
            .unwrap()
            .body
    })
}

#[test]
fn the_cross_border_flow_runs_across_separate_accord_serve_processes() {
    let outcome = cross_border(&|_, args| process(args));
    assert_eq!(outcome["status"], "verified", "{outcome}");
    assert_eq!(
        outcome["result"]["recognition"][0]["recognition"]["verdict"],
        "recognised"
    );
}

fn docker_ready() -> Result<(), String> {
    let engine = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output();
    match engine {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Err(format!(
                "the Docker engine does not answer: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return Err(format!("docker is not installed: {e}")),
    }
    let image = Command::new("docker")
        .args(["image", "inspect", IMAGE])
        .output()
        .map_err(|e| e.to_string())?;
    if !image.status.success() {
        return Err(format!(
            "the image {IMAGE} is not built (run scripts/build-images)"
        ));
    }
    Ok(())
}

#[test]
fn the_cross_border_flow_runs_across_containers_of_the_local_image() {
    if let Err(why) = docker_ready() {
        let _: Option<()> = crate::support::skip(
            crate::support::Needs::Docker,
            &why,
            "start the Docker engine and run scripts/build-images",
        );
        return;
    }
    let outcome = cross_border(&container);
    assert_eq!(outcome["status"], "verified", "{outcome}");
    // Nothing is left behind: every container of this test is gone.
    let left = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("name=accord-test-.*-{}", std::process::id()),
            "--format",
            "{{.Names}}",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "left behind: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}
