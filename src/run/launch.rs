//! Starting implementations in containers of local images, through testcontainers: a container
//! per role on a private network, each reachable by the others under its network alias and by
//! the harness on a published port, ready once its control API answers `GET /control/health`.
//! Images are never pulled (testcontainers pulls only when the engine does not have the image,
//! and [`start`] checks that it has it first). A container that fails to become ready is
//! reported with its logs, so the failure is a finding with evidence, not a hang.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use testcontainers::core::logs::LogFrame;
use testcontainers::core::wait::HttpWaitStrategy;
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};

/// How long a container may take to answer its health endpoint.
const STARTUP_TIMEOUT_SECS: u64 = 20;

/// The port every reference-role container listens on.
pub const ROLE_PORT: u16 = 8080;

/// A container image, `name:tag`, that must exist on the engine.
#[derive(Debug, Clone)]
pub struct LocalImage {
    pub name: String,
    pub tag: String,
}

impl LocalImage {
    pub fn parse(reference: &str) -> Option<Self> {
        let (name, tag) = reference.rsplit_once(':')?;
        (!name.is_empty() && !tag.is_empty() && !tag.contains('/')).then(|| Self {
            name: name.to_owned(),
            tag: tag.to_owned(),
        })
    }

    pub fn reference(&self) -> String {
        format!("{}:{}", self.name, self.tag)
    }
}

/// A role running in a container; stopped and removed when dropped.
pub struct ContainerRole {
    /// The name other containers reach it by on the network.
    pub alias: String,
    /// Its base URL as seen from inside the network (its identifier, its URIs).
    pub internal_url: String,
    /// Its base URL as the harness reaches it (published port on the host).
    pub url: String,
    pub container: ContainerAsync<GenericImage>,
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        "the image {0} is not on the Docker engine (build it: scripts/build-images); images are never pulled"
    )]
    NoImage(String),
    #[error("the Docker engine cannot be used: {0}")]
    Engine(String),
    #[error("container {alias} did not become ready: {message}\n--- its logs ---\n{logs}")]
    NotReady {
        alias: String,
        message: String,
        logs: String,
    },
}

/// Whether the engine answers and has `image`.
pub fn check_image(image: &LocalImage) -> Result<(), LaunchError> {
    let out = Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            &image.reference(),
        ])
        .output()
        .map_err(|e| LaunchError::Engine(format!("docker: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No such image") || err.contains("No such object") {
        Err(LaunchError::NoImage(image.reference()))
    } else {
        Err(LaunchError::Engine(err.trim().to_owned()))
    }
}

/// Starts `image` with `args` (an `accord serve` role's arguments) as `alias` on `network`.
pub async fn start(
    image: &LocalImage,
    network: &str,
    alias: &str,
    args: &[String],
) -> Result<ContainerRole, LaunchError> {
    check_image(image)?;
    let internal_url = format!("http://{alias}:{ROLE_PORT}");
    let mut cmd: Vec<String> = args.to_vec();
    // Plain HTTP: the roles are reached by the network's aliases, outside the test domain
    // whose names Accord resolves and certifies (casts use `start_on_host`, over HTTPS).
    // All interfaces without a control token: the network is the test's own, reached from
    // the host only through the published port.
    cmd.extend([
        "--plain-http".into(),
        "--insecure-bind".into(),
        "--bind".into(),
        "0.0.0.0".into(),
        "--port".into(),
        ROLE_PORT.to_string(),
        "--public-url".into(),
        internal_url.clone(),
    ]);
    // Everything the container prints, kept from its first line: when it dies before it is
    // ready, the engine may have removed it before anyone could ask for its logs.
    let captured = Arc::new(Mutex::new(String::new()));
    let sink = captured.clone();
    let started = GenericImage::new(&image.name, &image.tag)
        .with_exposed_port(ROLE_PORT.tcp())
        .with_wait_for(WaitFor::http(
            HttpWaitStrategy::new("/control/health")
                .with_port(ROLE_PORT.tcp())
                .with_expected_status_code(200u16),
        ))
        .with_network(network)
        .with_container_name(alias)
        .with_cmd(cmd)
        .with_startup_timeout(Duration::from_secs(STARTUP_TIMEOUT_SECS))
        .with_log_consumer(move |frame: &LogFrame| {
            let text = String::from_utf8_lossy(frame.bytes());
            sink.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push_str(&text);
        })
        .start()
        .await;
    let container = match started {
        Ok(c) => c,
        Err(e) => {
            let logs = captured
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            // testcontainers removes what it started; make sure, in case it could not.
            let _ = Command::new("docker").args(["rm", "-f", alias]).output();
            return Err(LaunchError::NotReady {
                alias: alias.to_owned(),
                message: e.to_string(),
                logs,
            });
        }
    };
    let port = container
        .get_host_port_ipv4(ROLE_PORT)
        .await
        .map_err(|e| LaunchError::Engine(e.to_string()))?;
    Ok(ContainerRole {
        alias: alias.to_owned(),
        internal_url,
        url: format!("http://127.0.0.1:{port}"),
        container,
    })
}

/// The logs a role container has written so far (for the run's evidence).
pub async fn logs(role: &ContainerRole) -> String {
    let out = role.container.stdout_to_vec().await.unwrap_or_default();
    let err = role.container.stderr_to_vec().await.unwrap_or_default();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    )
}

/// A container on the host's network (see [`crate::run::cast`]); removed when dropped or by
/// [`HostContainer::remove`].
pub struct HostContainer {
    pub name: String,
    container: ContainerAsync<GenericImage>,
}

impl HostContainer {
    pub fn id(&self) -> &str {
        self.container.id()
    }

    /// Stops and removes the container now, waiting for the engine.
    pub async fn remove(self) {
        let _ = self.container.rm().await;
    }
}

/// A container to start on the host's network.
pub struct HostLaunch<'a> {
    pub image: &'a LocalImage,
    pub name: &'a str,
    /// Its command.
    pub args: &'a [String],
    pub env: &'a [(String, String)],
    /// Names that resolve to loopback inside it (host entries: the test domain's names of
    /// the cast's players).
    pub hosts: &'a [String],
    /// Read-only bind mounts: (host path, container path).
    pub mounts: &'a [(std::path::PathBuf, String)],
    /// Polled until it answers 200.
    pub ready_url: &'a str,
    pub within: Duration,
}

/// Starts a container on the host's network and waits until its `ready_url` answers 200
/// through `readiness` (the harness's client, which trusts the run's CAs); the container is
/// removed, and its logs returned in the error, if it does not within `within`.
pub async fn start_on_host(
    launch: HostLaunch<'_>,
    readiness: &crate::transport::Transport,
) -> Result<HostContainer, LaunchError> {
    let HostLaunch {
        image,
        name,
        args,
        env,
        hosts,
        mounts,
        ready_url,
        within,
    } = launch;
    check_image(image)?;
    // A container left by an earlier run that was killed would hold the name.
    let _ = Command::new("docker").args(["rm", "-f", name]).output();
    let captured = Arc::new(Mutex::new(String::new()));
    let sink = captured.clone();
    let mut request = GenericImage::new(&image.name, &image.tag)
        .with_wait_for(WaitFor::Nothing)
        .with_network("host")
        .with_container_name(name)
        .with_cmd(args.to_vec())
        .with_log_consumer(move |frame: &LogFrame| {
            let text = String::from_utf8_lossy(frame.bytes());
            sink.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push_str(&text);
        });
    for (k, v) in env {
        request = request.with_env_var(k, v);
    }
    for (source, target) in mounts {
        request = request.with_mount(
            testcontainers::core::Mount::bind_mount(source.display().to_string(), target.clone())
                .with_access_mode(testcontainers::core::AccessMode::ReadOnly),
        );
    }
    for host in hosts {
        request = request.with_host(
            host.clone(),
            testcontainers::core::Host::Addr(std::net::Ipv4Addr::LOCALHOST.into()),
        );
    }
    let logs_now = || {
        captured
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    };
    let container = request.start().await.map_err(|e| {
        let _ = Command::new("docker").args(["rm", "-f", name]).output();
        LaunchError::NotReady {
            alias: name.to_owned(),
            message: e.to_string(),
            logs: logs_now(),
        }
    })?;
    let deadline = tokio::time::Instant::now() + within;
    let mut pause = Duration::from_millis(20);
    loop {
        let poll = readiness.send_unrecorded(crate::transport::Request::get(ready_url));
        let last = match tokio::time::timeout(Duration::from_secs(2), poll).await {
            Ok(Ok(r)) if r.status == 200 => {
                return Ok(HostContainer {
                    name: name.to_owned(),
                    container,
                });
            }
            Ok(Ok(r)) => format!("HTTP {}", r.status),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer within 2 s".to_owned(),
        };
        let exited = container
            .is_running()
            .await
            .map(|running| !running)
            .unwrap_or(false);
        if exited || tokio::time::Instant::now() + pause > deadline {
            let message = if exited {
                format!("the container exited before {ready_url} answered")
            } else {
                format!(
                    "{ready_url} did not answer 200 within {}s (last: {last})",
                    within.as_secs()
                )
            };
            let logs = logs_now();
            let _ = container.rm().await;
            return Err(LaunchError::NotReady {
                alias: name.to_owned(),
                message,
                logs,
            });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}
