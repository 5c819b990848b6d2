//! Implementation manifests (`implementations/*.toml`): what an implementation under test is
//! (id, vendor, version, roles, jurisdiction), what it declares it can do (formats, client
//! identifier prefixes, response modes, algorithms, flows), how Accord reaches it (built in,
//! at a URL, in a container, as a compose service) and where its control API is.
//!
//! [`load`] reads and checks one manifest and reports every problem with the field and the
//! line, so a vendor can fix a broken manifest without guessing; a bad manifest fails its own
//! cells of a run, never the whole run.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

pub const ROLES: &[&str] = &["issuer", "wallet", "verifier", "status-list", "trust-list"];
pub const FORMATS: &[&str] = &["dc+sd-jwt", "mso_mdoc", "jwt_vc_json"];
pub const CLIENT_ID_PREFIXES: &[&str] = &[
    "x509_san_dns",
    "x509_hash",
    "redirect_uri",
    "decentralized_identifier",
    "verifier_attestation",
    "openid_federation",
];
pub const RESPONSE_MODES: &[&str] = &["direct_post", "direct_post.jwt"];
pub const FLOWS: &[&str] = &["pre_authorized_code", "authorization_code"];
pub const ALGORITHMS: &[&str] = &["ES256", "ES384", "ES512", "EdDSA", "PS256"];

/// A manifest as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: Spanned<String>,
    pub vendor: Spanned<String>,
    pub version: Spanned<String>,
    pub roles: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub jurisdiction: Option<Spanned<String>>,
    #[serde(default)]
    pub capabilities: Capabilities,
    pub launch: Spanned<Launch>,
    #[serde(default)]
    pub control: Control,
    #[serde(default)]
    pub tls: Tls,
    /// The manifest's text as read: the evidence bundle keeps it (recorded in the log).
    #[serde(skip)]
    pub source: String,
}

/// What the implementation declares it supports. The interop matrix only pairs
/// implementations whose declarations meet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    #[serde(default)]
    pub formats: Vec<Spanned<String>>,
    #[serde(default)]
    pub client_id_prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    pub response_modes: Vec<Spanned<String>>,
    #[serde(default)]
    pub algorithms: Vec<Spanned<String>>,
    #[serde(default)]
    pub flows: Vec<Spanned<String>>,
}

/// How Accord reaches the implementation. `kind` is `builtin` (one of Accord's own
/// reference roles, in process; `options` pick the variant), `url` (already running at
/// `base`), `container` (a local `image`, never pulled, started with `args` and `env` on the
/// host's network and ready when its `readiness` path, default `/control/health`, answers
/// 200; it listens on `ports[0]` if given, else on the port the harness passes as `{port}`)
/// or `compose` (a `service` of the root docker-compose.yml, reachable at `base`).
///
/// `args` and `env` values may use placeholders the harness fills in: `{port}`,
/// `{public_url}`, `{host}` (the part's name in the test domain), `{seed}` (the seed of the
/// run's test PKI), `{jurisdiction}`, `{status_list_url}`, `{trust_list_url}`, `{now}` (the
/// run's clock, RFC 3339; `{now_unix}` in Unix seconds), and for containers the files Accord mounts read-only under
/// `/accord`: `{pki_dir}` (the test PKI as `accord pki generate` writes it), `{ca_file}` (its
/// TLS CA), `{tls_cert_file}` and `{tls_key_file}` (a server certificate chain and PKCS#8
/// key for `{host}`, from that CA). `mounts` are more read-only mounts, `SOURCE:TARGET` with
/// the source relative to the manifest (an implementation's own configuration). `clock =
/// "system"` declares an implementation that follows the system clock and cannot be given
/// the run's: the roles of its cells then follow the system clock too. An
/// implementation that is already running (`url`,
/// `compose`) was configured with a test PKI beforehand: `pki_seed` says which, and the run
/// uses that PKI for its cells. A flat table rather than a tagged enum, so every field keeps
/// its place in the file for error messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    pub kind: Spanned<String>,
    #[serde(default)]
    pub options: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub base: Option<Spanned<String>>,
    #[serde(default)]
    pub image: Option<Spanned<String>>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub ports: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    pub readiness: Option<Spanned<String>>,
    #[serde(default)]
    pub service: Option<Spanned<String>>,
    #[serde(default)]
    pub args: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub pki_seed: Option<Spanned<u64>>,
    #[serde(default)]
    pub mounts: Vec<Spanned<String>>,
    #[serde(default)]
    pub clock: Option<Spanned<String>>,
}

impl Launch {
    /// Whether the implementation follows the system clock (`clock = "system"`).
    pub fn follows_system_clock(&self) -> bool {
        self.clock.as_ref().is_some_and(|c| c.get_ref() == "system")
    }

    /// `mounts` as (source, target), sources resolved against the manifest's directory.
    pub fn mount_pairs(&self, manifest_path: &Path) -> Vec<(std::path::PathBuf, String)> {
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        self.mounts
            .iter()
            .filter_map(|m| m.get_ref().split_once(':'))
            .map(|(source, target)| (dir.join(source), target.to_owned()))
            .collect()
    }
}

/// TLS an implementation brings of its own: CA certificates (PEM files, relative to the
/// manifest) that Accord's clients and roles trust besides the seed's TLS CA, for an
/// implementation whose server certificate another CA issued.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    #[serde(default)]
    pub ca: Vec<Spanned<String>>,
}

impl Tls {
    /// The CA files, resolved against the manifest's directory.
    pub fn ca_files(&self, manifest_path: &Path) -> Vec<std::path::PathBuf> {
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        self.ca.iter().map(|c| dir.join(c.get_ref())).collect()
    }
}

pub const LAUNCH_KINDS: &[&str] = &["builtin", "url", "container", "compose"];

impl Manifest {
    /// The roles it plays, as written.
    pub fn role_names(&self) -> Vec<&str> {
        self.roles
            .get_ref()
            .iter()
            .map(|r| r.get_ref().as_str())
            .collect()
    }

    pub fn plays(&self, role: &str) -> bool {
        self.roles.get_ref().iter().any(|r| r.get_ref() == role)
    }
}

impl Launch {
    /// `options` without their places in the file (what [`crate::roles::variant::parse`]
    /// reads).
    pub fn option_values(&self) -> BTreeMap<String, String> {
        self.options
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect()
    }
}

/// A launch field's name, where it is (if present) and the kinds it applies to.
type LaunchField<'a> = (&'a str, Option<Range<usize>>, &'a [&'a str]);

/// Where the control API is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Path prefix of the control API on the implementation's base URL.
    #[serde(default = "default_control_base")]
    pub base: Spanned<String>,
    /// The environment variable of the harness's process that holds the bearer token the
    /// implementation's control API requires (`Authorization: Bearer …`); none when absent.
    /// The manifest names the variable, never the token, so manifests can be committed and
    /// recorded in bundles.
    #[serde(default)]
    pub token_env: Option<Spanned<String>>,
}

impl Default for Control {
    fn default() -> Self {
        Self {
            base: Spanned::new(0..0, default_control_base().into_inner()),
            token_env: None,
        }
    }
}

impl Control {
    /// The control token, read from `token_env`: `Ok(None)` when the manifest names no
    /// variable, `Err` (the variable's name) when it names one that is unset or empty.
    pub fn token(&self) -> Result<Option<String>, String> {
        let Some(var) = &self.token_env else {
            return Ok(None);
        };
        match std::env::var(var.get_ref()) {
            Ok(t) if !t.is_empty() => Ok(Some(t)),
            _ => Err(var.get_ref().clone()),
        }
    }
}

fn default_control_base() -> Spanned<String> {
    Spanned::new(0..0, "/control".to_owned())
}

/// One problem in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The field, as a dotted path (`launch.image`, `capabilities.response_modes[1]`).
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read, or is larger than [`crate::files::MANIFEST`].
    #[error(transparent)]
    Read(#[from] crate::files::ReadError),
    #[error("{path}: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// Reads and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
    let text = crate::files::read_text(path, crate::files::MANIFEST)?;
    parse(&text).map_err(|problems| ManifestError::Invalid {
        path: path.display().to_string(),
        problems,
    })
}

/// Parses and checks manifest text; every problem found, in file order.
pub fn parse(text: &str) -> Result<Manifest, Vec<Problem>> {
    let line_of = |span: Range<usize>| -> Option<usize> {
        (span.end > 0).then(|| text[..span.start.min(text.len())].matches('\n').count() + 1)
    };
    let manifest: Manifest = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        let field = e
            .span()
            .and_then(|span| field_of_error(text, &message, span))
            .unwrap_or_else(|| "(manifest)".to_owned());
        vec![Problem {
            line: e.span().and_then(&line_of),
            field,
            message,
        }]
    })?;
    let mut problems = Vec::new();
    let mut problem = |span: Range<usize>, field: String, message: String| {
        problems.push(Problem {
            line: line_of(span),
            field,
            message,
        });
    };
    let id = manifest.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        problem(
            manifest.id.span(),
            "id".into(),
            format!(
                "{id:?} must be non-empty lowercase letters, digits, '-' and '.' (it names the matrix cells)"
            ),
        );
    }
    for (field, value) in [("vendor", &manifest.vendor), ("version", &manifest.version)] {
        if value.get_ref().trim().is_empty() {
            problem(value.span(), field.into(), "must not be empty".into());
        }
    }
    if manifest.roles.get_ref().is_empty() {
        problem(
            manifest.roles.span(),
            "roles".into(),
            format!("name at least one of {}", ROLES.join(", ")),
        );
    }
    let mut check_list = |field: &str, values: &[Spanned<String>], allowed: &[&str]| {
        for (i, v) in values.iter().enumerate() {
            if !allowed.contains(&v.get_ref().as_str()) {
                problem(
                    v.span(),
                    format!("{field}[{i}]"),
                    format!("{:?} is not one of {}", v.get_ref(), allowed.join(", ")),
                );
            }
        }
    };
    check_list("roles", manifest.roles.get_ref(), ROLES);
    let caps = &manifest.capabilities;
    check_list("capabilities.formats", &caps.formats, FORMATS);
    check_list(
        "capabilities.client_id_prefixes",
        &caps.client_id_prefixes,
        CLIENT_ID_PREFIXES,
    );
    check_list(
        "capabilities.response_modes",
        &caps.response_modes,
        RESPONSE_MODES,
    );
    check_list("capabilities.algorithms", &caps.algorithms, ALGORITHMS);
    check_list("capabilities.flows", &caps.flows, FLOWS);
    if let Some(j) = &manifest.jurisdiction
        && !matches!(j.get_ref().as_str(), "eu" | "jp")
    {
        problem(
            j.span(),
            "jurisdiction".into(),
            format!("{:?} is not one of eu, jp", j.get_ref()),
        );
    }
    let roles = manifest.role_names();
    if roles.contains(&"verifier") && caps.response_modes.is_empty() {
        problem(
            manifest.launch.span(),
            "capabilities.response_modes".into(),
            "a verifier must declare the response modes it uses".into(),
        );
    }
    if roles.iter().any(|r| matches!(*r, "wallet" | "verifier"))
        && caps.client_id_prefixes.is_empty()
    {
        problem(
            manifest.launch.span(),
            "capabilities.client_id_prefixes".into(),
            "a wallet or verifier must declare the client identifier prefixes it supports".into(),
        );
    }
    let launch = manifest.launch.get_ref();
    let kind = launch.kind.get_ref().as_str();
    if !LAUNCH_KINDS.contains(&kind) {
        problem(
            launch.kind.span(),
            "launch.kind".into(),
            format!("{kind:?} is not one of {}", LAUNCH_KINDS.join(", ")),
        );
    }
    // Which fields each kind needs, and which it must not carry.
    let mount_span = launch.mounts.first().map(Spanned::span);
    let fields: [LaunchField<'_>; 8] = [
        ("mounts", mount_span, &["container"]),
        (
            "base",
            launch.base.as_ref().map(Spanned::span),
            &["url", "compose"],
        ),
        (
            "args",
            launch.args.as_ref().map(Spanned::span),
            &["container"],
        ),
        (
            "pki_seed",
            launch.pki_seed.as_ref().map(Spanned::span),
            &["url", "compose"],
        ),
        (
            "image",
            launch.image.as_ref().map(Spanned::span),
            &["container"],
        ),
        (
            "ports",
            launch.ports.as_ref().map(Spanned::span),
            &["container"],
        ),
        (
            "readiness",
            launch.readiness.as_ref().map(Spanned::span),
            &["container"],
        ),
        (
            "service",
            launch.service.as_ref().map(Spanned::span),
            &["compose"],
        ),
    ];
    for (name, span, kinds) in &fields {
        if let Some(span) = span.clone()
            && LAUNCH_KINDS.contains(&kind)
            && !kinds.contains(&kind)
        {
            problem(
                span,
                format!("launch.{name}"),
                format!("does not apply to kind {kind:?}"),
            );
        }
    }
    let required: &[&str] = match kind {
        "url" => &["base"],
        "container" => &["image"],
        "compose" => &["service", "base"],
        _ => &[],
    };
    for name in required {
        if fields
            .iter()
            .any(|(n, span, _)| n == name && span.is_none())
        {
            problem(
                launch.kind.span(),
                format!("launch.{name}"),
                format!("is required for kind {kind:?}"),
            );
        }
    }
    if let Some(base) = &launch.base
        && url::Url::parse(base.get_ref()).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
    {
        problem(
            base.span(),
            "launch.base".into(),
            format!("{:?} is not an http(s) URL", base.get_ref()),
        );
    }
    if let Some(image) = &launch.image {
        let name = image.get_ref();
        if name.is_empty() || name.contains(char::is_whitespace) || !name.contains(':') {
            problem(
                image.span(),
                "launch.image".into(),
                format!(
                    "{name:?} must be a local image reference with an explicit tag (name:tag); images are never pulled"
                ),
            );
        }
    }
    if let Some(ports) = &launch.ports
        && (ports.get_ref().is_empty() || ports.get_ref().contains(&0))
    {
        problem(
            ports.span(),
            "launch.ports".into(),
            "name at least one port, none of them 0".into(),
        );
    }
    for (i, m) in launch.mounts.iter().enumerate() {
        let ok = m
            .get_ref()
            .split_once(':')
            .is_some_and(|(s, t)| !s.is_empty() && t.starts_with('/') && !t.starts_with("/accord"));
        if !ok {
            problem(
                m.span(),
                format!("launch.mounts[{i}]"),
                format!(
                    "{:?} must be SOURCE:TARGET, the target an absolute path outside /accord (Accord's own mounts)",
                    m.get_ref()
                ),
            );
        }
    }
    if let Some(c) = &launch.clock
        && !matches!(c.get_ref().as_str(), "run" | "system")
    {
        problem(
            c.span(),
            "launch.clock".into(),
            format!("{:?} is not one of run, system", c.get_ref()),
        );
    }
    if let Some(r) = &launch.readiness
        && !r.get_ref().starts_with('/')
    {
        problem(
            r.span(),
            "launch.readiness".into(),
            format!("{:?} must be a path starting with /", r.get_ref()),
        );
    }
    if let Some(service) = &launch.service
        && service.get_ref().trim().is_empty()
    {
        problem(
            service.span(),
            "launch.service".into(),
            "must name a service of docker-compose.yml".into(),
        );
    }
    if kind == "builtin" {
        let role = roles.first().copied().unwrap_or("");
        if roles.len() > 1 {
            problem(
                manifest.roles.span(),
                "roles".into(),
                "a builtin implementation plays exactly one role".into(),
            );
        }
        if let Err(e) = crate::roles::variant::parse(role, &launch.option_values()) {
            let span = launch
                .options
                .get(&e.key)
                .map_or_else(|| launch.kind.span(), Spanned::span);
            problem(span, format!("launch.options.{}", e.key), e.message);
        }
    } else if !launch.options.is_empty() {
        problem(
            launch.kind.span(),
            "launch.options".into(),
            format!("does not apply to kind {kind:?}"),
        );
    }
    if !manifest.control.base.get_ref().starts_with('/') {
        problem(
            manifest.control.base.span(),
            "control.base".into(),
            format!(
                "{:?} must be a path starting with /",
                manifest.control.base.get_ref()
            ),
        );
    }
    if let Some(var) = &manifest.control.token_env {
        let name = var.get_ref();
        let valid = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            problem(
                var.span(),
                "control.token_env".into(),
                format!(
                    "{name:?} must be the name of an environment variable (letters, digits, _), not the token"
                ),
            );
        }
    }
    problems.sort_by_key(|p| p.line);
    if problems.is_empty() {
        let mut manifest = manifest;
        manifest.source = text.to_owned();
        Ok(manifest)
    } else {
        Err(problems)
    }
}

/// The field a deserialisation error is about, as written in the file (`launch.ports`).
///
/// serde names a missing or unknown field in backquotes, and the span shows its table; any
/// other error (a value of the wrong type) puts the *value* in backquotes (`integer `12``),
/// so the field is read from the file instead: the key that the span's value belongs to,
/// under the table header above it.
fn field_of_error(text: &str, message: &str, span: Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let (table, key) = key_at(text, start);
    let named = message
        .starts_with("missing field")
        .then(|| message.split('`').nth(1))
        .flatten();
    let key = match named {
        Some(name) => Some(name.to_owned()),
        None if message.starts_with("unknown field") || message.starts_with("duplicate") => {
            message.split('`').nth(1).map(str::to_owned).or(key)
        }
        None => key,
    }?;
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

/// The table header and the key in force at byte `at`: walking up from its line, the first
/// `key = …` line gives the key (a value spread over several lines belongs to the key above
/// it) and the first `[table]` header the table.
fn key_at(text: &str, at: usize) -> (Option<String>, Option<String>) {
    let mut key = None;
    // Up to the end of `at`'s own line: a table's span starts at its header.
    let end = text
        .get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |n| at + n);
    for line in text.get(..end).unwrap_or(text).rsplit('\n').map(str::trim) {
        if line.starts_with('[') {
            let name = line.trim_start_matches('[');
            let name = name.split(']').next().unwrap_or("").trim();
            return (Some(name.to_owned()), key);
        }
        if key.is_none()
            && let Some((k, _)) = line.split_once('=')
        {
            let k = k.trim().trim_matches('"');
            let bare = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if bare {
                key = Some(k.to_owned());
            }
        }
    }
    (None, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"id = "accord-verifier-jp"
vendor = "Accord"
version = "0.1.0"
roles = ["verifier"]
jurisdiction = "jp"

[capabilities]
formats = ["dc+sd-jwt"]
client_id_prefixes = ["x509_san_dns"]
response_modes = ["direct_post.jwt"]
algorithms = ["ES256"]

[launch]
kind = "container"
image = "accord/reference:local"
ports = [8080]
"#;

    #[test]
    fn a_good_manifest_parses() {
        let m = parse(GOOD).map_err(|p| format!("{p:?}")).unwrap();
        assert_eq!(m.id.get_ref(), "accord-verifier-jp");
        assert_eq!(m.control.base.get_ref(), "/control");
    }

    #[test]
    fn problems_name_the_field_and_the_line() {
        let bad = GOOD
            .replace("\"direct_post.jwt\"", "\"fragment\"")
            .replace("accord/reference:local", "accord/reference");
        let problems = parse(&bad).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].field, "capabilities.response_modes[0]");
        assert_eq!(problems[0].line, Some(10));
        assert_eq!(problems[1].field, "launch.image");
        assert_eq!(problems[1].line, Some(15));
    }

    #[test]
    fn a_control_token_is_named_by_its_variable_never_given() {
        let m = parse(&format!(
            "{GOOD}\n[control]\ntoken_env = \"ACME_CONTROL_TOKEN\"\n"
        ))
        .map_err(|p| format!("{p:?}"))
        .unwrap();
        assert_eq!(
            m.control.token_env.as_ref().map(|v| v.get_ref().as_str()),
            Some("ACME_CONTROL_TOKEN")
        );
        let p = parse(&format!(
            "{GOOD}\n[control]\ntoken_env = \"Bearer abc-123\"\n"
        ))
        .unwrap_err();
        assert_eq!(p[0].field, "control.token_env", "{p:?}");
        assert!(p[0].line.is_some(), "{p:?}");
    }

    #[test]
    fn syntax_errors_and_unknown_fields_have_a_line() {
        let p = parse("id = \"x\"\nvendor = \"v\"\nversion = [\n").unwrap_err();
        assert!(p[0].line.is_some(), "{p:?}");
        let p = parse(&GOOD.replace(
            "jurisdiction = \"jp\"",
            "jurisdiction = \"jp\"\ncolour = \"blue\"",
        ))
        .unwrap_err();
        assert_eq!(p[0].field, "colour", "{p:?}");
        assert_eq!(p[0].line, Some(6), "{p:?}");
        let p = parse(&GOOD.replace("version = \"0.1.0\"\n", "")).unwrap_err();
        assert_eq!(p[0].field, "version", "{p:?}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_field_not_the_value() {
        let p = parse(&GOOD.replace("version = \"0.1.0\"", "version = 12")).unwrap_err();
        assert_eq!(
            (p[0].field.as_str(), p[0].line),
            ("version", Some(3)),
            "{p:?}"
        );
        let p = parse(&GOOD.replace("ports = [8080]", "ports = \"8080\"")).unwrap_err();
        assert_eq!(
            (p[0].field.as_str(), p[0].line),
            ("launch.ports", Some(16)),
            "{p:?}"
        );
        let p = parse(&GOOD.replace(
            "algorithms = [\"ES256\"]",
            "algorithms = [\n  \"ES256\",\n  7,\n]",
        ))
        .unwrap_err();
        assert_eq!(p[0].field, "capabilities.algorithms", "{p:?}");
        assert_eq!(p[0].line, Some(13), "{p:?}");
        let p = parse(&GOOD.replace("kind = \"container\"\n", "")).unwrap_err();
        assert_eq!(p[0].field, "launch.kind", "{p:?}");
    }
}
