//! The cast of a run: who plays each part of the topology (the EU and JP issuers, the wallet,
//! the EU and JP verifiers, the status-list and trust-list hosts), started, reachable and
//! stopped. A part is played by one of Accord's reference roles (in process, a variant chosen
//! by options) or by an implementation described by a manifest: built in, already running
//! at a URL, a container of a local image, or a service of the root docker-compose.yml.
//!
//! Every player is reached the same way afterwards: its protocol endpoints at `base_url` and
//! its control API under `control_path`. Containers run on the host's network so that every
//! player, in process or not, reaches every other one at a loopback URL, and the URLs inside
//! signed artefacts (issuer identifiers, status list URIs, response URIs) mean the same to
//! all of them.
//!
//! Faults that need the process or the container (a restart, a pause) are here too; faults on
//! the wire are the recording proxy's ([`crate::roles::proxy`]).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use crate::entropy::Clock;
use crate::events::{ImageRecord, ManifestRecord, Part, PlayerRecord};
use crate::roles::control::ControlClient;
use crate::roles::proxy::{self, Fault, Proxy};
use crate::roles::topology::{self, TopologyError};
use crate::roles::trust_list::TrustListHost;
use crate::roles::variant::{self, RoleVariant};
use crate::roles::{Listen, Running};
use crate::run::launch::{self, HostContainer, LocalImage};
use crate::run::manifest::Manifest;
use crate::transport::{Limits, Request, Transport};
use crate::trust::pki::TestPki;

// `Part` and the player records are the log's vocabulary (`crate::events::players`); what
// only a running topology needs of them is added here.
impl Part {
    /// The host the part is served under, whoever plays it: `issuer.eu.accord.test`, …
    /// ([`crate::tls::host_for`]).
    pub fn host(self) -> String {
        crate::tls::host_for(self.role(), self.jurisdiction())
    }

    /// The parts a manifest can play: its roles, in its jurisdiction if it names one.
    pub fn played_by(manifest: &Manifest) -> Vec<Part> {
        let roles = manifest.role_names();
        let jurisdiction = manifest.jurisdiction.as_ref().map(|j| j.get_ref().as_str());
        Part::ALL
            .into_iter()
            .filter(|p| roles.contains(&p.role()))
            .filter(|p| match (p.jurisdiction(), jurisdiction) {
                (Some(pj), Some(mj)) => pj == mj,
                _ => true,
            })
            .collect()
    }
}

/// The name of Accord's own reference roles in a cast.
pub const REFERENCE: &str = "accord-reference";

/// Who is to play a part.
#[derive(Debug, Clone)]
pub enum Casting {
    /// Accord's reference role, default configuration.
    Reference,
    /// The implementation a manifest describes (`path` for messages).
    Manifest {
        manifest: Arc<Manifest>,
        path: PathBuf,
    },
}

impl Casting {
    pub fn implementation(&self) -> String {
        match self {
            Casting::Reference => REFERENCE.to_owned(),
            Casting::Manifest { manifest, .. } => manifest.id.get_ref().clone(),
        }
    }

    pub fn kind(&self) -> String {
        match self {
            Casting::Reference => "builtin".to_owned(),
            Casting::Manifest { manifest, .. } => manifest.launch.get_ref().kind.get_ref().clone(),
        }
    }

    /// The test PKI an already running implementation was configured with.
    pub fn pki_seed(&self) -> Option<u64> {
        match self {
            Casting::Reference => None,
            Casting::Manifest { manifest, .. } => manifest
                .launch
                .get_ref()
                .pki_seed
                .as_ref()
                .map(|s| *s.get_ref()),
        }
    }
}

impl ImageRecord {
    /// Asks the engine for the id of the local image `name`.
    pub fn inspect(name: &str) -> Self {
        let id = match docker(&["image", "inspect", "--format", "{{.Id}}", name]) {
            Ok(out) => out.trim().to_owned(),
            Err(e) => format!("unknown: {}", e.lines().next().unwrap_or("docker failed")),
        };
        Self {
            name: name.to_owned(),
            id,
        }
    }
}

/// What keeps a player running.
enum Handle {
    InProcess(Running),
    /// An in-process role behind the recording proxy, which can inject faults between it
    /// and everyone else (the status-list host).
    Proxied {
        role: Running,
        proxy: Arc<Proxy>,
        front: Running,
    },
    Container(Box<HostContainer>),
    Compose {
        service: String,
    },
    External,
}

/// A part, played and reachable.
#[derive(Debug, Clone)]
pub struct Player {
    pub record: PlayerRecord,
    /// Path of the control API on `base_url` (`/control` unless the manifest says otherwise).
    pub control_path: String,
}

impl Player {
    pub fn base_url(&self) -> &str {
        &self.record.base_url
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CastError {
    #[error("{part}: {implementation}: {message}")]
    Start {
        part: &'static str,
        implementation: String,
        message: String,
    },
}

/// What every player of a cast shares.
#[derive(Clone)]
pub struct Stage {
    pub pki: Arc<TestPki>,
    /// Seed of the roles' randomness.
    pub seed: u64,
    pub clock: Arc<dyn Clock>,
    pub transport: Transport,
    /// What the harness's clients trust (the transport was built with it too).
    pub trust: crate::tls::ClientTrust,
    /// HTTPS (the default) or plain HTTP for the roles Accord starts.
    pub security: crate::tls::Security,
    /// A name unique to this cast, for container names.
    pub label: String,
    /// Where docker-compose.yml is (the compose services' project).
    pub compose_file: PathBuf,
}

/// Every part, played.
pub struct Cast {
    stage: Stage,
    /// The harness's own client (control calls): the same recording sink as the roles, a
    /// longer time limit, so a role that waits for a silent counterpart until its own limit
    /// still answers the harness.
    control_transport: Transport,
    castings: BTreeMap<Part, Casting>,
    players: RefCell<BTreeMap<Part, Player>>,
    handles: RefCell<BTreeMap<Part, Handle>>,
    /// The in-process trust-list host, when Accord plays it (scenarios stage lists on it
    /// through its control API like on any other).
    pub trust_list_host: Option<Arc<TrustListHost>>,
    /// Set by [`Cast::stop`]; a cast dropped without it still removes its compose services.
    stopped: std::cell::Cell<bool>,
}

/// Where a container finds the files Accord hands it (read-only mounts).
pub const CONTAINER_FILES: &str = "/accord";

/// How long a player may take to answer its readiness path.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// Time limit of the harness's control calls: longer than the roles' own limit on their
/// exchanges ([`Limits::default`]), so a role that gives up on a silent counterpart can
/// still say so.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

impl Cast {
    /// Starts every part, hosts first. Parts missing from `castings` are played by the
    /// reference roles. A player that cannot start stops the cast (and what was started is
    /// stopped when the error is dropped with it).
    pub async fn start(stage: Stage, castings: BTreeMap<Part, Casting>) -> Result<Cast, CastError> {
        let mut cast = Cast::unstarted(stage, castings)?;
        // Compose services are started together: docker-compose is slow to start, and they
        // need nothing from the harness (their configuration is in the compose file).
        let services = compose_services(&cast.castings);
        if !services.is_empty() {
            let mut args = vec!["up", "-d", "--no-deps"];
            args.extend(services.iter().map(String::as_str));
            if let Err(e) = compose(&cast.stage.compose_file, &args) {
                let mut rm = vec!["rm", "-sf"];
                rm.extend(services.iter().map(String::as_str));
                let _ = compose(&cast.stage.compose_file, &rm);
                return Err(CastError::Start {
                    part: "compose",
                    implementation: services.join(", "),
                    message: e,
                });
            }
        }
        for part in Part::ALL {
            let (player, handle, host) = match cast.launch(part, None).await {
                Ok(started) => started,
                Err(e) => {
                    // Stop what did start, now, while the runtime is driven: a container
                    // left to its own drop might outlive the run.
                    cast.stop().await;
                    return Err(e);
                }
            };
            if host.is_some() {
                cast.trust_list_host = host;
            }
            cast.players.borrow_mut().insert(part, player);
            cast.handles.borrow_mut().insert(part, handle);
        }
        Ok(cast)
    }

    /// A cast with nobody started yet; parts missing from `castings` go to the reference
    /// roles.
    fn unstarted(stage: Stage, mut castings: BTreeMap<Part, Casting>) -> Result<Cast, CastError> {
        for part in Part::ALL {
            castings.entry(part).or_insert(Casting::Reference);
        }
        let control_transport = Transport::new(
            stage.transport.sink().clone(),
            Limits {
                timeout: CONTROL_TIMEOUT,
                ..Limits::default()
            },
            &stage.trust,
        )
        .map_err(|e| CastError::Start {
            part: "harness",
            implementation: REFERENCE.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Cast {
            stage,
            control_transport,
            castings,
            players: RefCell::new(BTreeMap::new()),
            handles: RefCell::new(BTreeMap::new()),
            trust_list_host: None,
            stopped: std::cell::Cell::new(false),
        })
    }

    /// Starts only the parts in `play` (at the addresses in `at` where given); every other
    /// part is taken to be played elsewhere, at the URL `elsewhere` names (a replay's
    /// recorded counterparts). The started players point at those URLs as they would at
    /// players of a whole cast.
    pub async fn start_partial(
        stage: Stage,
        castings: BTreeMap<Part, Casting>,
        play: &[Part],
        at: &BTreeMap<Part, SocketAddr>,
        elsewhere: &BTreeMap<Part, PlayerRecord>,
    ) -> Result<Cast, CastError> {
        let mut cast = Cast::unstarted(stage, castings)?;
        for (part, record) in elsewhere {
            cast.players.borrow_mut().insert(
                *part,
                Player {
                    record: record.clone(),
                    control_path: "/control".into(),
                },
            );
        }
        let services: Vec<String> = compose_services(&cast.castings);
        if !services.is_empty() {
            let mut args = vec!["up", "-d", "--no-deps"];
            args.extend(services.iter().map(String::as_str));
            compose(&cast.stage.compose_file, &args).map_err(|e| CastError::Start {
                part: "compose",
                implementation: services.join(", "),
                message: e,
            })?;
        }
        for part in Part::ALL.into_iter().filter(|p| play.contains(p)) {
            match cast.launch(part, at.get(&part).copied()).await {
                Ok((player, handle, host)) => {
                    if host.is_some() {
                        cast.trust_list_host = host;
                    }
                    cast.players.borrow_mut().insert(part, player);
                    cast.handles.borrow_mut().insert(part, handle);
                }
                Err(e) => {
                    cast.stop().await;
                    return Err(e);
                }
            }
        }
        Ok(cast)
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    pub fn transport(&self) -> &Transport {
        &self.stage.transport
    }

    pub fn player(&self, part: Part) -> Player {
        self.players
            .borrow()
            .get(&part)
            .cloned()
            .unwrap_or_else(|| unreachable!("every part is played once the cast has started"))
    }

    pub fn records(&self) -> Vec<PlayerRecord> {
        self.players
            .borrow()
            .values()
            .map(|p| p.record.clone())
            .collect()
    }

    /// The client identifier prefixes the player of `part` declares (its manifest's
    /// `capabilities.client_id_prefixes`); `None` when it declares none (Accord's roles,
    /// which take every prefix).
    pub fn declared_prefixes(&self, part: Part) -> Option<Vec<String>> {
        self.declared(part, |c| &c.client_id_prefixes)
    }

    /// The response modes `part`'s manifest declares; `None` for a reference role (which
    /// takes every mode) or a manifest that declares none.
    pub fn declared_response_modes(&self, part: Part) -> Option<Vec<String>> {
        self.declared(part, |c| &c.response_modes)
    }

    fn declared(
        &self,
        part: Part,
        list: impl Fn(&crate::run::manifest::Capabilities) -> &Vec<toml::Spanned<String>>,
    ) -> Option<Vec<String>> {
        match self.casting(part) {
            Casting::Manifest { manifest, .. } => {
                let declared: Vec<String> = list(&manifest.capabilities)
                    .iter()
                    .map(|p| p.get_ref().clone())
                    .collect();
                (!declared.is_empty()).then_some(declared)
            }
            Casting::Reference => None,
        }
    }

    pub fn casting(&self, part: Part) -> &Casting {
        &self.castings[&part]
    }

    /// A control client for `part` (its control path).
    pub fn control(&self, part: Part) -> ControlClient {
        let token = match &self.castings[&part] {
            // Checked when the part was launched; unset since then means no token.
            Casting::Manifest { manifest, .. } => manifest.control.token().ok().flatten(),
            Casting::Reference => None,
        };
        ControlClient::new(self.control_transport.clone())
            .with_control_path(&self.player(part).control_path)
            .with_token(token)
    }

    fn url_of(&self, part: Part) -> Option<String> {
        self.players
            .borrow()
            .get(&part)
            .map(|p| p.record.base_url.clone())
    }

    /// Starts `part` (again, at `at`, for a restart).
    async fn launch(
        &self,
        part: Part,
        at: Option<SocketAddr>,
    ) -> Result<(Player, Handle, Option<Arc<TrustListHost>>), CastError> {
        let casting = self.castings[&part].clone();
        let fail = |message: String| CastError::Start {
            part: part.name(),
            implementation: casting.implementation(),
            message,
        };
        let control_path = match &casting {
            Casting::Reference => "/control".to_owned(),
            Casting::Manifest { manifest, .. } => manifest.control.base.get_ref().clone(),
        };
        if let Casting::Manifest { manifest, .. } = &casting
            && let Err(var) = manifest.control.token()
        {
            return Err(fail(format!(
                "control.token_env names {var}, which is not set in Accord's environment"
            )));
        }
        let record = |base_url: String| {
            let mut record =
                PlayerRecord::new(part, &casting.implementation(), &casting.kind(), &base_url);
            if let Casting::Manifest { manifest, path } = &casting {
                let launch = manifest.launch.get_ref();
                record.options = launch
                    .options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                    .collect();
                record.manifest = Some(ManifestRecord::of(path, &manifest.source));
                if launch.kind.get_ref() == "container" {
                    record.image = launch
                        .image
                        .as_ref()
                        .map(|i| ImageRecord::inspect(i.get_ref()));
                }
            }
            record
        };
        match &casting {
            Casting::Reference => {
                let (base_url, handle, host) = self
                    .start_in_process(part, &RoleVariant::default(), at)
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                Ok((
                    Player {
                        record: record(base_url),
                        control_path,
                    },
                    handle,
                    host,
                ))
            }
            Casting::Manifest { manifest, path } => {
                let launch = manifest.launch.get_ref();
                match launch.kind.get_ref().as_str() {
                    "builtin" => {
                        let variant = variant::parse(part.role(), &launch.option_values())
                            .map_err(|e| fail(format!("{}: launch.options.{e}", path.display())))?;
                        let (base_url, handle, host) = self
                            .start_in_process(part, &variant, at)
                            .await
                            .map_err(|e| fail(e.to_string()))?;
                        Ok((
                            Player {
                                record: record(base_url),
                                control_path,
                            },
                            handle,
                            host,
                        ))
                    }
                    "url" => {
                        let base = launch
                            .base
                            .as_ref()
                            .map(|b| b.get_ref().trim_end_matches('/').to_owned())
                            .unwrap_or_default();
                        // Already running by definition: one try, no waiting.
                        self.wait_ready(&base, &format!("{control_path}/health"), Duration::ZERO)
                            .await
                            .map_err(fail)?;
                        Ok((
                            Player {
                                record: record(base),
                                control_path,
                            },
                            Handle::External,
                            None,
                        ))
                    }
                    "compose" => {
                        let service = launch
                            .service
                            .as_ref()
                            .map(|s| s.get_ref().clone())
                            .unwrap_or_default();
                        let base = launch
                            .base
                            .as_ref()
                            .map(|b| b.get_ref().trim_end_matches('/').to_owned())
                            .unwrap_or_default();
                        if let Err(e) = self
                            .wait_ready(&base, &format!("{control_path}/health"), READY_WITHIN)
                            .await
                        {
                            let logs = compose(
                                &self.stage.compose_file,
                                &["logs", "--no-color", &service],
                            )
                            .unwrap_or_default();
                            // The cast is dropped with the error, and its drop removes every
                            // compose service it started.
                            return Err(fail(format!("{e}\n--- its logs ---\n{logs}")));
                        }
                        Ok((
                            Player {
                                record: record(base),
                                control_path,
                            },
                            Handle::Compose { service },
                            None,
                        ))
                    }
                    "container" => {
                        let image = launch
                            .image
                            .as_ref()
                            .and_then(|i| LocalImage::parse(i.get_ref()))
                            .ok_or_else(|| fail("launch.image is not name:tag".into()))?;
                        if launch.ports.is_some() && Part::played_by(manifest).len() > 1 {
                            return Err(fail(
                                "a container with a fixed port (launch.ports) can play one part only; name a jurisdiction or let the harness choose the port ({port})"
                                    .into(),
                            ));
                        }
                        let port = match (at, &launch.ports) {
                            (Some(a), _) => a.port(),
                            (None, Some(p)) if !p.get_ref().is_empty() => p.get_ref()[0],
                            _ => free_port().map_err(|e| fail(e.to_string()))?,
                        };
                        // On the host's network the container answers on loopback, under
                        // its part's name when the run speaks HTTPS.
                        let public_url = if self.stage.security.is_plain() {
                            format!("http://127.0.0.1:{port}")
                        } else {
                            format!("https://{}:{port}", part.host())
                        };
                        let fill = |s: &str| self.fill(s, part, port, &public_url);
                        let args: Vec<String> = launch
                            .args
                            .as_ref()
                            .map(|a| a.get_ref().iter().map(|s| fill(s)).collect())
                            .unwrap_or_default();
                        let env: Vec<(String, String)> = launch
                            .env
                            .iter()
                            .map(|(k, v)| (k.clone(), fill(v)))
                            .collect();
                        let readiness = launch.readiness.as_ref().map_or_else(
                            || format!("{control_path}/health"),
                            |r| r.get_ref().clone(),
                        );
                        let name = format!("{}-{}", self.stage.label, part.name());
                        let hosts: Vec<String> = Part::ALL.iter().map(|p| p.host()).collect();
                        let files = self
                            .container_files(part)
                            .map_err(|e| fail(format!("cannot prepare its files: {e}")))?;
                        let mut mounts = vec![
                            (files.join("pki"), format!("{CONTAINER_FILES}/pki")),
                            (files.join("tls"), format!("{CONTAINER_FILES}/tls")),
                        ];
                        for (source, target) in launch.mount_pairs(path) {
                            if !source.exists() {
                                return Err(fail(format!(
                                    "launch.mounts: {} does not exist",
                                    source.display()
                                )));
                            }
                            let source = source.canonicalize().unwrap_or(source);
                            mounts.push((source, target));
                        }
                        let container = launch::start_on_host(
                            launch::HostLaunch {
                                image: &image,
                                name: &name,
                                args: &args,
                                env: &env,
                                hosts: &hosts,
                                mounts: &mounts,
                                ready_url: &format!("{public_url}{readiness}"),
                                within: READY_WITHIN,
                            },
                            &self.stage.transport,
                        )
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                        Ok((
                            Player {
                                record: record(public_url),
                                control_path,
                            },
                            Handle::Container(Box::new(container)),
                            None,
                        ))
                    }
                    other => Err(fail(format!("unknown launch kind {other:?}"))),
                }
            }
        }
    }

    /// Writes what a container player is handed read-only, under a directory of the cast's
    /// own (removed when the cast stops): `pki/` (the test PKI, as `accord pki generate`
    /// writes it, `tls-ca.pem` included) and `tls/` (a server certificate chain and key for
    /// the part's host, from the seed's TLS CA).
    fn container_files(&self, part: Part) -> Result<PathBuf, String> {
        let dir = self.scratch_dir().join(part.name());
        let _ = std::fs::remove_dir_all(&dir);
        self.stage
            .pki
            .write_to(&dir.join("pki"))
            .map_err(|e| e.to_string())?;
        let identity = self
            .stage
            .pki
            .tls_server(&[&part.host()])
            .map_err(|e| e.to_string())?;
        let tls = dir.join("tls");
        std::fs::create_dir_all(&tls).map_err(|e| format!("{}: {e}", tls.display()))?;
        let chain: String = identity
            .chain
            .iter()
            .map(|der| crate::trust::pki::pem("CERTIFICATE", der))
            .collect();
        for (file, text) in [
            ("server.pem", chain),
            (
                "server.key",
                crate::trust::pki::pem("PRIVATE KEY", &identity.key_pkcs8),
            ),
        ] {
            let path = tls.join(file);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(dir)
    }

    /// The cast's own directory for files handed to containers.
    fn scratch_dir(&self) -> PathBuf {
        std::env::temp_dir().join(&self.stage.label)
    }

    /// Fills a manifest's placeholders for `part`.
    fn fill(&self, template: &str, part: Part, port: u16, public_url: &str) -> String {
        let status = self.url_of(Part::StatusList).unwrap_or_default();
        let trust = self.url_of(Part::TrustList).unwrap_or_default();
        template
            .replace("{port}", &port.to_string())
            .replace("{public_url}", public_url)
            .replace("{host}", &part.host())
            .replace("{pki_dir}", &format!("{CONTAINER_FILES}/pki"))
            .replace("{ca_file}", &format!("{CONTAINER_FILES}/pki/tls-ca.pem"))
            .replace(
                "{tls_cert_file}",
                &format!("{CONTAINER_FILES}/tls/server.pem"),
            )
            .replace(
                "{tls_key_file}",
                &format!("{CONTAINER_FILES}/tls/server.key"),
            )
            .replace("{seed}", &self.stage.pki.seed.to_string())
            .replace("{jurisdiction}", part.jurisdiction().unwrap_or(""))
            .replace("{status_list_url}", &status)
            .replace("{trust_list_url}", &trust)
            .replace(
                "{now}",
                &crate::events::format_at(self.stage.clock.now_ms()),
            )
            .replace("{now_unix}", &self.stage.clock.now().to_string())
    }

    /// Polls `base` + `path` until it answers 200, for at most `within`. Each try is bounded
    /// by the transport's limits; the pause between tries grows.
    async fn wait_ready(&self, base: &str, path: &str, within: Duration) -> Result<(), String> {
        let url = format!("{base}{path}");
        let deadline = tokio::time::Instant::now() + within;
        let mut pause = Duration::from_millis(20);
        loop {
            let last = match self
                .stage
                .transport
                .send_unrecorded(Request::get(&url))
                .await
            {
                Ok(r) if r.status == 200 => return Ok(()),
                Ok(r) => format!("HTTP {}", r.status),
                Err(e) => e.to_string(),
            };
            if tokio::time::Instant::now() + pause > deadline {
                return Err(format!(
                    "not ready: {url} did not answer 200 within {}s (last: {last})",
                    within.as_secs()
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    /// Starts an in-process role: the status-list host behind a recording proxy (the
    /// others reach it only through the proxy, so faults can be injected on that path),
    /// every other role directly. Returns its base URL and handle.
    async fn start_in_process(
        &self,
        part: Part,
        variant: &RoleVariant,
        at: Option<SocketAddr>,
    ) -> Result<(String, Handle, Option<Arc<TrustListHost>>), TopologyError> {
        let s = &self.stage;
        let listen = Listen::role(
            s.security,
            &s.pki,
            &part.host(),
            at.unwrap_or_else(|| loopback(0)),
        )?;
        if part != Part::StatusList {
            let (running, host) = self.start_reference(part, variant, listen).await?;
            return Ok((running.base_url.clone(), Handle::InProcess(running), host));
        }
        let proxy = Arc::new(Proxy::new(
            "proxy:status-list",
            "http://127.0.0.1:9",
            "status-list",
            self.stage.transport.clone(),
        ));
        let handle = proxy.clone();
        // The proxy is what others reach (over HTTPS under the part's name); the role
        // behind it is reached by the proxy alone, over plain HTTP on loopback.
        let front =
            crate::roles::serve("proxy:status-list", listen, move |_| proxy::router(handle))
                .await?;
        let (role, _) = self
            .start_reference(
                part,
                variant,
                Listen::from(loopback(0)).with_public_url(front.base_url.clone()),
            )
            .await?;
        proxy.set_target(&format!("http://{}", role.addr));
        Ok((
            front.base_url.clone(),
            Handle::Proxied { role, proxy, front },
            None,
        ))
    }

    async fn start_reference(
        &self,
        part: Part,
        variant: &RoleVariant,
        listen: Listen,
    ) -> Result<(Running, Option<Arc<TrustListHost>>), TopologyError> {
        let s = &self.stage;
        let status = self.url_of(Part::StatusList);
        let trust = self.url_of(Part::TrustList);
        Ok(match part {
            Part::TrustList => {
                let (r, host) = topology::start_trust_list(&s.pki, s.clock.clone(), listen).await?;
                (r, Some(host))
            }
            Part::StatusList => (
                topology::start_status_list(&s.pki, s.clock.clone(), listen).await?,
                None,
            ),
            Part::IssuerEu | Part::IssuerJp => (
                topology::start_issuer(
                    &s.pki,
                    part.jurisdiction().unwrap_or("eu"),
                    s.seed,
                    s.clock.clone(),
                    status.as_deref(),
                    &variant.issuer,
                    listen,
                )
                .await?,
                None,
            ),
            Part::VerifierEu | Part::VerifierJp => (
                topology::start_verifier(
                    &s.pki,
                    part.jurisdiction().unwrap_or("eu"),
                    s.seed,
                    s.clock.clone(),
                    s.transport.clone(),
                    trust.as_deref(),
                    &variant.verifier,
                    listen,
                )
                .await?,
                None,
            ),
            Part::Wallet => (
                topology::start_wallet(
                    &s.pki,
                    &variant.wallet_prefixes,
                    s.seed,
                    s.clock.clone(),
                    s.transport.clone(),
                    listen,
                )
                .await?,
                None,
            ),
        })
    }

    /// Restarts the player of `part`, losing whatever it held in memory: an in-process role
    /// is stopped and started again on the same address, a container or compose service is
    /// restarted by the Docker engine. An implementation at a URL cannot be restarted by the
    /// harness (`Err`).
    pub async fn restart(&self, part: Part) -> Result<(), String> {
        let handle = self.handles.borrow_mut().remove(&part);
        match handle {
            Some(Handle::InProcess(running)) => {
                let addr = running.addr;
                running.stop().await;
                let (player, handle, _) = self
                    .launch(part, Some(addr))
                    .await
                    .map_err(|e| e.to_string())?;
                self.players.borrow_mut().insert(part, player);
                self.handles.borrow_mut().insert(part, handle);
                Ok(())
            }
            Some(Handle::Proxied { role, proxy, front }) => {
                // The proxy stays (it is the address others know); the role behind it
                // starts afresh.
                role.stop().await;
                let variant = self.variant_of(part)?;
                let (fresh, _) = self
                    .start_reference(
                        part,
                        &variant,
                        Listen::from(loopback(0)).with_public_url(front.base_url.clone()),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                proxy.set_target(&format!("http://{}", fresh.addr));
                self.handles.borrow_mut().insert(
                    part,
                    Handle::Proxied {
                        role: fresh,
                        proxy,
                        front,
                    },
                );
                Ok(())
            }
            Some(Handle::Container(c)) => {
                let r = docker(&["restart", "--time", "2", c.id()]);
                let base = self.player(part).record.base_url;
                self.handles.borrow_mut().insert(part, Handle::Container(c));
                r?;
                self.wait_ready(
                    &base,
                    &format!("{}/health", self.player(part).control_path),
                    READY_WITHIN,
                )
                .await
            }
            Some(Handle::Compose { service }) => {
                let r = compose(&self.stage.compose_file, &["restart", &service]);
                self.handles
                    .borrow_mut()
                    .insert(part, Handle::Compose { service });
                r?;
                let p = self.player(part);
                self.wait_ready(
                    p.base_url(),
                    &format!("{}/health", p.control_path),
                    READY_WITHIN,
                )
                .await
            }
            Some(h @ Handle::External) => {
                self.handles.borrow_mut().insert(part, h);
                Err(format!(
                    "{} runs at a URL the harness does not control; it cannot be restarted",
                    self.casting(part).implementation()
                ))
            }
            None => Err(format!("{} is not playing", part.name())),
        }
    }

    fn variant_of(&self, part: Part) -> Result<RoleVariant, String> {
        match self.casting(part) {
            Casting::Reference => Ok(RoleVariant::default()),
            Casting::Manifest { manifest, .. } => {
                variant::parse(part.role(), &manifest.launch.get_ref().option_values())
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// Injects `fault` on the path to `part` (only a part behind the recording proxy: the
    /// in-process status-list host). `Fault::None` lifts it.
    pub fn set_fault(&self, part: Part, fault: Fault) -> Result<(), String> {
        match self.handles.borrow().get(&part) {
            Some(Handle::Proxied { proxy, .. }) => {
                proxy.set_fault(fault);
                Ok(())
            }
            _ => Err(format!(
                "{} ({}) is not behind Accord's recording proxy; faults on its path cannot be injected",
                part.name(),
                self.casting(part).implementation()
            )),
        }
    }

    /// Pauses (`true`) or resumes the container of `part` (the Docker engine freezes its
    /// processes: connections stay open and nothing answers).
    pub fn pause(&self, part: Part, paused: bool) -> Result<(), String> {
        let verb = if paused { "pause" } else { "unpause" };
        match self.handles.borrow().get(&part) {
            Some(Handle::Container(c)) => docker(&[verb, c.id()]).map(|_| ()),
            Some(Handle::Compose { service }) => {
                compose(&self.stage.compose_file, &[verb, service]).map(|_| ())
            }
            _ => Err(format!(
                "{} is not a container; only containers can be paused",
                self.casting(part).implementation()
            )),
        }
    }

    /// Whether any part runs in a container or a compose service.
    pub fn has_containers(&self) -> bool {
        self.handles
            .borrow()
            .values()
            .any(|h| matches!(h, Handle::Container(_) | Handle::Compose { .. }))
    }

    /// What each container and compose service has logged, by part, for the run's evidence.
    pub async fn logs(&self) -> Vec<(Part, String)> {
        let mut out = Vec::new();
        let targets: Vec<(Part, Option<String>, Option<String>)> = self
            .handles
            .borrow()
            .iter()
            .map(|(p, h)| match h {
                Handle::Container(c) => (*p, Some(c.id().to_owned()), None),
                Handle::Compose { service } => (*p, None, Some(service.clone())),
                _ => (*p, None, None),
            })
            .collect();
        for (part, id, service) in targets {
            let logs = if let Some(id) = id {
                docker(&["logs", &id]).ok()
            } else if let Some(service) = service {
                compose(&self.stage.compose_file, &["logs", "--no-color", &service]).ok()
            } else {
                None
            };
            if let Some(l) = logs {
                out.push((part, l));
            }
        }
        out
    }

    /// Stops every player: containers are removed, compose services stopped and removed,
    /// in-process roles shut down. Idempotent.
    pub async fn stop(&self) {
        let handles = std::mem::take(&mut *self.handles.borrow_mut());
        for (_, h) in handles.into_iter().rev() {
            match h {
                Handle::InProcess(r) => r.stop().await,
                Handle::Proxied { role, front, .. } => {
                    front.stop().await;
                    role.stop().await;
                }
                Handle::Container(c) => c.remove().await,
                Handle::Compose { .. } | Handle::External => {}
            }
        }
        if !self.stopped.replace(true) {
            remove_services(&self.stage.compose_file, &self.castings);
        }
        let _ = std::fs::remove_dir_all(self.scratch_dir());
    }
}

/// Stops and removes the docker-compose services among `castings` (all at once).
fn remove_services(compose_file: &Path, castings: &BTreeMap<Part, Casting>) {
    let services = compose_services(castings);
    if !services.is_empty() {
        let mut rm = vec!["rm", "-sf"];
        rm.extend(services.iter().map(String::as_str));
        let _ = compose(compose_file, &rm);
    }
}

impl Drop for Cast {
    fn drop(&mut self) {
        // A cast dropped without `stop` (a failed start, a panic) still leaves no compose
        // service behind; containers are removed by the cell's guard, which stops the cast
        // on the runtime.
        if !self.stopped.get() {
            remove_services(&self.stage.compose_file, &self.castings);
        }
        let _ = std::fs::remove_dir_all(self.scratch_dir());
    }
}

/// The docker-compose services among `castings`.
fn compose_services(castings: &BTreeMap<Part, Casting>) -> Vec<String> {
    let mut services: Vec<String> = castings
        .values()
        .filter_map(|c| match c {
            Casting::Manifest { manifest, .. } => {
                let l = manifest.launch.get_ref();
                (l.kind.get_ref() == "compose")
                    .then(|| l.service.as_ref().map(|s| s.get_ref().clone()))
                    .flatten()
            }
            Casting::Reference => None,
        })
        .collect();
    services.sort();
    services.dedup();
    services
}

/// Runs `docker ARGS`; its stdout, or its stderr as the error.
pub fn docker(args: &[&str]) -> Result<String, String> {
    run("docker", args)
}

/// Runs `docker-compose -f FILE ARGS`.
pub fn compose(file: &Path, args: &[&str]) -> Result<String, String> {
    let file = file.display().to_string();
    let mut all = vec!["-f", file.as_str()];
    all.extend_from_slice(args);
    run("docker-compose", &all)
}

/// The longest a `docker` or `docker-compose` command may take (a `docker restart` waits for
/// the container to stop; an engine that does not answer must not hang the run).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // Read both pipes on their own threads, so a chatty command cannot fill a pipe and
    // stall while we wait for it.
    let mut pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    ];
    let readers: Vec<std::thread::JoinHandle<Vec<u8>>> = pipes
        .iter_mut()
        .map(|p| {
            let pipe = p.take();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut out);
                }
                out
            })
        })
        .collect();
    let deadline = std::time::Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let mut outputs = readers
        .into_iter()
        .map(|r| String::from_utf8_lossy(&r.join().unwrap_or_default()).into_owned());
    let (stdout, stderr) = (
        outputs.next().unwrap_or_default(),
        outputs.next().unwrap_or_default(),
    );
    match status {
        Some(s) if s.success() => Ok(format!("{stdout}{stderr}")),
        Some(_) => Err(format!("{program} {}: {}", args.join(" "), stderr.trim())),
        None => Err(format!(
            "{program} {}: no answer within {}s; stopped",
            args.join(" "),
            COMMAND_TIMEOUT.as_secs()
        )),
    }
}
