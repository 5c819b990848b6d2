//! Runs against implementations described by manifests: the interop matrix of Accord's
//! shipped variants shows the pattern their configurations and flaws imply (each failure
//! explained by a requirement id); a manifest that cannot be read or an implementation that
//! cannot be reached fails its own cells and no other; the features pass against the
//! reference roles in containers and as docker-compose services, and nothing is left behind.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use accord::entropy::{FixedClock, SystemClock};
use accord::events::Verdict;
use accord::projections::{self, CellView, RunView};
use accord::run::engine::{RunConfig, run};
use accord::store::memory::MemoryStore;
use accord::store::{EventStore, Tail};

use crate::support::repo;

const NOW: i64 = 1_800_000_000;

fn manifests(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn project(store: &dyn EventStore, run_id: &str) -> RunView {
    let log = store.read(run_id).unwrap();
    accord::events::verify_chain(&log.events).unwrap();
    assert!(matches!(log.tail, Tail::Clean));
    projections::project(&log.events, &log.tail)
}

fn cell<'a>(v: &'a RunView, id: &str) -> &'a CellView {
    v.cells
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no cell {id}; cells: {:?}", ids(v)))
}

fn ids(v: &RunView) -> Vec<&str> {
    v.cells.iter().map(|c| c.id.as_str()).collect()
}

fn matrix_run(implementations: Vec<PathBuf>, seed: u64) -> (RunView, Verdict) {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let config = RunConfig {
        implementations,
        matrix: true,
        ..RunConfig::new(repo().join("features"), seed)
    };
    let outcome = run(&config, store.clone(), Arc::new(FixedClock(NOW))).unwrap();
    (project(store.as_ref(), &outcome.run_id), outcome.verdict)
}

#[test]
fn the_shipped_variants_make_the_expected_matrix() {
    let (v, verdict) = matrix_run(manifests("implementations"), 7);
    // 3 issuers × 2 wallets × 4 verifiers.
    assert_eq!(v.cells.len(), 24, "{:?}", ids(&v));
    assert_eq!(
        verdict,
        Verdict::Failed,
        "the flawed verifier fails its cells"
    );

    // The reference roles together: everything they can do together passes.
    for id in [
        "accord-issuer-eu × accord-wallet × accord-verifier-jp",
        "accord-issuer-jp × accord-wallet × accord-verifier-eu",
        // pre-authorized only, binding by did:jwk: the wallet follows what it is offered.
        "accord-issuer-eu-pre-auth × accord-wallet × accord-verifier-jp",
        // x509_hash on both sides, encrypted responses only.
        "accord-issuer-jp × accord-wallet-x509-hash-only × accord-verifier-eu-jwt-only",
        "accord-issuer-jp × accord-wallet × accord-verifier-eu-jwt-only",
    ] {
        let c = cell(&v, id);
        assert_eq!(c.verdict, Some(Verdict::Passed), "{id}: {c:?}");
        assert!(c.counts.passed > 0, "{id} ran nothing");
    }
    // Only the scenarios whose response mode the jwt-only verifier declares ran there.
    let jwt_only = cell(
        &v,
        "accord-issuer-jp × accord-wallet × accord-verifier-eu-jwt-only",
    );
    assert!(
        jwt_only
            .not_applicable
            .iter()
            .any(|n| n.contains("response mode direct_post,")),
        "{jwt_only:?}"
    );
    let full = cell(&v, "accord-issuer-jp × accord-wallet × accord-verifier-eu");
    assert!(jwt_only.counts.passed < full.counts.passed);

    // The deliberately flawed verifier fails, explained by the requirement it breaks.
    for issuer in ["accord-issuer-eu", "accord-issuer-eu-pre-auth"] {
        let c = cell(
            &v,
            &format!("{issuer} × accord-wallet × accord-verifier-jp-no-status-check"),
        );
        assert_eq!(c.verdict, Some(Verdict::Failed), "{c:?}");
        assert_eq!(c.failed_requirements, vec!["TSL-7.1-status-values"]);
    }

    // A wallet that takes x509_hash only and a verifier whose first prefix is x509_san_dns:
    // the requests are made under the first prefix both declare, and the cell passes.
    let c = cell(
        &v,
        "accord-issuer-eu × accord-wallet-x509-hash-only × accord-verifier-jp",
    );
    assert_eq!(c.verdict, Some(Verdict::Passed), "{c:?}");
    // An EU issuer with an EU verifier: no scenario pairs them.
    let c = cell(&v, "accord-issuer-eu × accord-wallet × accord-verifier-eu");
    assert_eq!(c.blocked.as_deref(), Some(accord::run::matrix::NO_SCENARIO));

    // Every failed cell is explained by a requirement id.
    for c in &v.cells {
        assert!(c.verdict.is_some(), "{} did not finish", c.id);
        if c.verdict == Some(Verdict::Failed) {
            assert!(!c.failed_requirements.is_empty(), "{c:?}");
        }
    }
    let md = projections::markdown(&v);
    assert!(md.contains("### Interop matrix"), "{md}");
    assert!(md.contains(
        "| accord-issuer-eu | accord-wallet | accord-verifier-jp-no-status-check | failed |"
    ));
    let junit = projections::junit(&v);
    assert!(junit.contains("interop matrix"), "{junit}");
}

#[test]
fn a_broken_manifest_or_an_unreachable_implementation_fails_only_its_own_cells() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken-wallet.toml");
    std::fs::write(
        &broken,
        "id = \"broken-wallet\"\nvendor = \"V\"\nversion = \"1\"\nroles = [\"wallet\"]\n\n[launch]\nkind = \"teleport\"\n",
    )
    .unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gone = dir.path().join("gone-wallet.toml");
    std::fs::write(
        &gone,
        format!(
            "id = \"gone-wallet\"\nvendor = \"V\"\nversion = \"1\"\nroles = [\"wallet\"]\n\n[capabilities]\nclient_id_prefixes = [\"x509_san_dns\"]\n\n[launch]\nkind = \"url\"\nbase = \"http://127.0.0.1:{port}\"\n"
        ),
    )
    .unwrap();
    let root = repo().join("implementations");
    let (v, verdict) = matrix_run(
        vec![
            root.join("accord-issuer-eu.toml"),
            root.join("accord-wallet.toml"),
            root.join("accord-verifier-jp.toml"),
            broken.clone(),
            gone.clone(),
        ],
        8,
    );
    assert_eq!(verdict, Verdict::Inconclusive);
    let b = cell(&v, "broken-wallet");
    assert_eq!(b.verdict, Some(Verdict::Inconclusive));
    let why = b.blocked.as_deref().unwrap_or_default();
    assert!(
        why.contains("broken-wallet.toml") && why.contains("launch.kind"),
        "{why}"
    );
    let g = cell(&v, "accord-issuer-eu × gone-wallet × accord-verifier-jp");
    assert_eq!(g.verdict, Some(Verdict::Inconclusive));
    assert!(
        g.blocked
            .as_deref()
            .is_some_and(|b| b.contains("wallet: gone-wallet") && b.contains("not ready")),
        "{g:?}"
    );
    let ok = cell(&v, "accord-issuer-eu × accord-wallet × accord-verifier-jp");
    assert_eq!(ok.verdict, Some(Verdict::Passed), "{ok:?}");
    assert!(ok.counts.passed >= 10);

    // A run in which nothing could run says so: inconclusive, not a pass.
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let config = RunConfig {
        implementations: vec![
            // redirect_uri and decentralized_identifier against x509_hash only.
            root.join("peers/impierce-wallet.toml"),
            root.join("accord-verifier-eu-jwt-only.toml"),
            // The same id twice: the second is a cell of its own, never a silent merge.
            root.join("accord-verifier-eu-jwt-only.toml"),
        ],
        ..RunConfig::new(repo().join("features"), 2)
    };
    let outcome = run(&config, store.clone(), Arc::new(FixedClock(NOW))).unwrap();
    assert_eq!(outcome.verdict, Verdict::Inconclusive);
    let v = project(store.as_ref(), &outcome.run_id);
    assert_eq!(v.cells.len(), 2, "{:?}", ids(&v));
    assert!(v.cells.iter().any(|c| {
        c.blocked
            .as_deref()
            .is_some_and(|b| b.contains("already used"))
    }));
    assert!(v.cells.iter().any(|c| {
        c.blocked
            .as_deref()
            .is_some_and(|b| b.contains("no client identifier prefix in common"))
    }));

    // Without --matrix, two wallets for one part is a usage error that says what to do.
    let config = RunConfig {
        implementations: vec![root.join("accord-wallet.toml"), gone],
        ..RunConfig::new(repo().join("features"), 1)
    };
    let e = run(
        &config,
        Arc::new(MemoryStore::new()),
        Arc::new(FixedClock(NOW)),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("--matrix"), "{e}");
}

fn containers_named(prefix: &str) -> String {
    let out = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("name={prefix}"),
            "--format",
            "{{.Names}}",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs the features with the given manifests (real time: containers keep their own
/// clocks) and checks that every scenario passed and the players' logs were kept. Returns
/// the run's view and the names of the casts it started.
fn run_with(implementations: Vec<PathBuf>, compose_file: &Path) -> (RunView, Vec<String>) {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let config = RunConfig {
        implementations,
        compose_file: compose_file.to_path_buf(),
        ..RunConfig::new(repo().join("features"), 11)
    };
    let outcome = run(&config, store.clone(), Arc::new(SystemClock)).unwrap();
    let v = project(store.as_ref(), &outcome.run_id);
    let failed: Vec<String> = v
        .scenarios
        .iter()
        .filter(|s| s.verdict != Some(Verdict::Passed))
        .map(|s| format!("{}: {:?} {:?}", s.scenario, s.checks, s.steps))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(outcome.verdict, Verdict::Passed);
    let log = store.read(&outcome.run_id).unwrap();
    assert!(
        log.events.iter().any(|e| e.kind == "container-logged"),
        "the players' logs are kept"
    );
    (v, outcome.cast_labels)
}

#[test]
fn the_features_pass_against_the_reference_roles_in_containers() {
    let Some(()) = super::containers::docker() else {
        return;
    };
    let (v, casts) = run_with(
        manifests("implementations/containers"),
        &repo().join("docker-compose.yml"),
    );
    assert_eq!(v.cells.len(), 1);
    let kinds: Vec<&str> = v.cells[0]
        .players
        .iter()
        .filter(|p| p.kind == "container")
        .map(|p| p.implementation.as_str())
        .collect();
    assert_eq!(kinds.len(), 3, "{:?}", v.cells[0].players);
    // The evidence names what ran: each container's image by the engine's id, and the
    // manifest it was read from.
    for p in v.cells[0].players.iter().filter(|p| p.kind == "container") {
        let image = p.image.as_ref().expect("a container's image is recorded");
        assert!(image.id.starts_with("sha256:"), "{image:?}");
        let manifest = p.manifest.as_ref().expect("its manifest is recorded");
        assert_eq!(
            manifest.sha256,
            accord::events::sha256_hex(manifest.text.as_bytes())
        );
    }
    assert!(v.counts.passed >= 25);
    // Only this run's casts: other tests of this process may have containers of their own
    // running at this moment.
    assert!(!casts.is_empty());
    for cast in casts {
        assert_eq!(
            containers_named(&format!("{cast}-")),
            "",
            "containers of cast {cast} left behind"
        );
    }
}

#[test]
fn the_features_pass_against_the_docker_compose_topology() {
    let Some(()) = super::containers::docker() else {
        return;
    };
    let compose = repo().join("docker-compose.yml");
    let (v, _) = run_with(manifests("implementations/compose"), &compose);
    assert!(
        v.cells[0].players.iter().all(|p| p.kind == "compose"),
        "{:?}",
        v.cells[0].players
    );
    let ps = Command::new("docker-compose")
        .args(["-f", &compose.display().to_string(), "ps", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ps.stdout).trim(),
        "",
        "compose services left behind"
    );
}

/// The images of the three independent implementations (scripts/build-images), or `None`
/// after saying why they cannot run here.
pub(crate) fn peer_images() -> Option<()> {
    super::containers::docker()?;
    for image in [
        "accord/peer-polaris-verifier:local",
        "accord/peer-edutap-issuer:local",
        "accord/peer-impierce-wallet:local",
    ] {
        let image = accord::run::launch::LocalImage::parse(image).unwrap();
        if let Err(e) = accord::run::launch::check_image(&image) {
            return crate::support::skip(
                crate::support::Needs::Peer,
                &format!("the independent implementations' images are not built: {e}"),
                "scripts/build-images peers",
            );
        }
    }
    Some(())
}

/// The cross-vendor matrix: Accord's variants and the three independent implementations
/// (polaris-oid4vp, eduTAP openid4vci, Impierce) in containers, every combination whose
/// declared capabilities meet. docs/implementations.md publishes this table; it must be what a
/// run gives.
/// Each independent implementation took part in cells that ran scenarios and passed some.
#[test]
fn the_docs_show_the_cross_vendor_matrix() {
    let Some(()) = peer_images() else {
        return;
    };
    let mut implementations = manifests("implementations");
    implementations.extend(manifests("implementations/peers"));
    let store = Arc::new(MemoryStore::new());
    let config = RunConfig {
        implementations,
        matrix: true,
        compose_file: repo().join("docker-compose.yml"),
        ..RunConfig::new(repo().join("features"), 1)
    };
    let outcome = run(&config, store.clone(), Arc::new(SystemClock)).unwrap();
    let view = project(store.as_ref(), &outcome.run_id);
    for peer in [
        "polaris-verifier",
        "edutap-issuer",
        "edutap-issuer-jp",
        "impierce-wallet",
    ] {
        let passed: usize = view
            .cells
            .iter()
            .filter(|c| c.id.split(" × ").any(|axis| axis == peer))
            .map(|c| c.counts.passed)
            .sum();
        assert!(passed > 0, "no scenario passed in a cell with {peer}");
    }
    let table = projections::matrix_markdown(&view);
    let page = std::fs::read_to_string(repo().join("docs/implementations.md")).unwrap();
    assert!(
        page.contains(&table),
        "docs/implementations.md must publish the cross-vendor matrix a run gives:\n{table}"
    );
}
