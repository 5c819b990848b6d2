//! Implementation manifests (`implementations/*.toml`): what an implementation under test is
//! (id, vendor, version, roles, jurisdiction), what it declares it can do (formats, client
//! identifier prefixes, response modes, algorithms, flows), how Accord reaches it (built in,
//! at a URL, in a container, as a compose service) and where its control API is.
//!
//! [`load`] reads and checks one manifest and reports every problem at once, each with its
//! field and line (a missing field with the table it belongs in), so a vendor can fix a
//! broken manifest in one go without guessing. `accord run` refuses a broken manifest before
//! anything is recorded; the engine, given one anyway, makes it a cell of its own that fails
//! and runs the others.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeArray, DeInteger, DeTable, DeValue};

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

impl Problem {
    /// The problem as `FILE:LINE: field: message`, the form compilers use and editors jump
    /// to (`accord impl check`, and the refusal of a run given a broken manifest).
    pub fn located(&self, path: &str) -> String {
        match self.line {
            Some(l) => format!("{path}:{l}: {}: {}", self.field, self.message),
            None => format!("{path}: {}: {}", self.field, self.message),
        }
    }
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
    /// Every problem of the file, one per line as `FILE:LINE: field: message`.
    #[error("{}", located(.path, .problems))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

fn located(path: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.located(path))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
    let text = crate::files::read_text(path, crate::files::MANIFEST)?;
    parse(&text).map_err(|problems| ManifestError::Invalid {
        path: path.display().to_string(),
        problems,
    })
}

/// The shape a field's value must have.
#[derive(Clone, Copy)]
enum Shape {
    Text,
    /// A whole number from 0 to `max`.
    Number {
        max: u64,
    },
    Texts,
    Numbers {
        max: u64,
    },
    /// A table of strings under keys of the writer's choosing (`options`, `env`).
    TextTable,
    Table(&'static [Field]),
}

impl Shape {
    fn expected(self) -> String {
        match self {
            Shape::Text => "a string".into(),
            Shape::Number { max } => format!("a whole number from 0 to {max}"),
            Shape::Texts => "an array of strings".into(),
            Shape::Numbers { max } => format!("an array of whole numbers from 0 to {max}"),
            Shape::TextTable => "a table of strings".into(),
            Shape::Table(_) => "a table".into(),
        }
    }

    /// What stands in for a field that is missing or of the wrong type, so the rest of the
    /// manifest can still be read and checked. Its span is empty: it is not in the file.
    fn placeholder(self) -> DeValue<'static> {
        match self {
            Shape::Text => DeValue::String("".into()),
            Shape::Number { .. } => DeValue::Integer(Default::default()),
            Shape::Texts | Shape::Numbers { .. } => DeValue::Array(DeArray::new()),
            Shape::TextTable => DeValue::Table(DeTable::new()),
            Shape::Table(fields) => {
                let mut table = DeTable::new();
                for f in fields.iter().filter(|f| f.required) {
                    table.insert(
                        Spanned::new(0..0, f.name.into()),
                        Spanned::new(0..0, f.shape.placeholder()),
                    );
                }
                DeValue::Table(table)
            }
        }
    }
}

/// A field a manifest table may have.
struct Field {
    name: &'static str,
    shape: Shape,
    required: bool,
}

const fn required(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: true,
    }
}

const fn optional(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: false,
    }
}

/// What a manifest may hold, table by table: the structs above, written out so that every
/// problem of a file is found in one pass (serde stops at the first) and a missing field is
/// reported with the table it belongs in.
const TOP: &[Field] = &[
    required("id", Shape::Text),
    required("vendor", Shape::Text),
    required("version", Shape::Text),
    required("roles", Shape::Texts),
    optional("jurisdiction", Shape::Text),
    optional("capabilities", Shape::Table(CAPABILITIES)),
    required("launch", Shape::Table(LAUNCH)),
    optional("control", Shape::Table(CONTROL)),
    optional("tls", Shape::Table(TLS)),
];

const CAPABILITIES: &[Field] = &[
    optional("formats", Shape::Texts),
    optional("client_id_prefixes", Shape::Texts),
    optional("response_modes", Shape::Texts),
    optional("algorithms", Shape::Texts),
    optional("flows", Shape::Texts),
];

const LAUNCH: &[Field] = &[
    required("kind", Shape::Text),
    optional("options", Shape::TextTable),
    optional("base", Shape::Text),
    optional("image", Shape::Text),
    optional("env", Shape::TextTable),
    optional(
        "ports",
        Shape::Numbers {
            max: u16::MAX as u64,
        },
    ),
    optional("readiness", Shape::Text),
    optional("service", Shape::Text),
    optional("args", Shape::Texts),
    optional("pki_seed", Shape::Number { max: u64::MAX }),
    optional("mounts", Shape::Texts),
    optional("clock", Shape::Text),
];

const CONTROL: &[Field] = &[
    optional("base", Shape::Text),
    optional("token_env", Shape::Text),
];

const TLS: &[Field] = &[optional("ca", Shape::Texts)];

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// `[table]` as a person reads it, the top level included.
fn table_name(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        format!("[{path}]")
    }
}

/// Where a field of the table `path` is written: `in [launch]`, or at the top.
fn where_(path: &str) -> String {
    if path.is_empty() {
        "at the top level (before any [table])".to_owned()
    } else {
        format!("in [{path}]")
    }
}

fn a_or_an(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

/// The tables (other than `except`) that have a field called `name`.
fn homes_of(name: &str, except: &str) -> Vec<String> {
    fn walk(fields: &[Field], path: &str, name: &str, except: &str, out: &mut Vec<String>) {
        if path != except && fields.iter().any(|f| f.name == name) {
            out.push(where_(path));
        }
        for f in fields {
            if let Shape::Table(inner) = f.shape {
                walk(inner, &join(path, f.name), name, except, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(TOP, "", name, except, &mut out);
    out
}

/// Edits (insertions, deletions, substitutions) between two names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// What to say of a field a table does not have: where it belongs if another table has it,
/// the near miss if it looks like a typo, and what the table takes.
fn unknown_field(name: &str, path: &str, fields: &[Field]) -> String {
    let homes = homes_of(name, path);
    if !homes.is_empty() {
        return format!(
            "unknown field {}; it belongs {}",
            where_(path),
            homes.join(" or ")
        );
    }
    let takes = fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
    let near = fields
        .iter()
        .map(|f| (distance(name, f.name), f.name))
        .filter(|(d, f)| *d <= 2.max(f.len() / 5))
        .min();
    match near {
        Some((_, f)) => format!(
            "unknown field; did you mean `{f}`? ({} takes {takes})",
            table_name(path)
        ),
        None => format!("unknown field ({} takes {takes})", table_name(path)),
    }
}

/// The first pass over a manifest: its structure against [`TOP`]. Every unknown field, value
/// of the wrong type and missing required field is reported and mended (taken out, or given
/// a placeholder), so the second pass can read what is left and check its values.
struct Walk<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    /// The fields reported so far: the second pass says nothing more of them nor of what is
    /// inside them (a missing `launch.kind` is not also an unknown kind).
    reported: BTreeSet<String>,
    /// The line of each table's header and of each field's key, by dotted path (the top
    /// level is `""`, line 1).
    lines: BTreeMap<String, usize>,
}

impl Walk<'_> {
    fn line(&self, at: usize) -> usize {
        line_at(self.text, at)
    }

    /// The last line: where a missing table would go.
    fn last_line(&self) -> usize {
        self.text.lines().count().max(1)
    }

    fn report(&mut self, line: usize, field: String, message: String) {
        self.reported.insert(field.clone());
        self.problems.push(Problem {
            line: Some(line),
            field,
            message,
        });
    }

    /// Whether `field`, or a field it is part of, was reported already.
    fn covered(&self, field: &str) -> bool {
        self.reported.iter().any(|r| {
            field
                .strip_prefix(r.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    fn table<'i>(
        &mut self,
        table: &mut DeTable<'i>,
        fields: &'static [Field],
        path: &str,
        header: usize,
    ) {
        self.lines.insert(path.to_owned(), header);
        for (key, value) in std::mem::take(table) {
            let full = join(path, key.get_ref());
            let line = self.line(key.span().start);
            self.lines.insert(full.clone(), line);
            match fields.iter().find(|f| f.name == key.get_ref().as_ref()) {
                None => {
                    let message = unknown_field(key.get_ref(), path, fields);
                    self.report(line, full, message);
                }
                Some(field) => {
                    if let Some(value) = self.value(value, field.shape, &full) {
                        table.insert(key, value);
                    }
                }
            }
        }
        for field in fields.iter().filter(|f| f.required) {
            if table.contains_key(field.name) {
                continue;
            }
            let full = join(path, field.name);
            // One of the wrong type was reported already; a placeholder stands in for it.
            if !self.reported.contains(&full) {
                match field.shape {
                    Shape::Table(inner) => {
                        let needs: Vec<&str> = inner
                            .iter()
                            .filter(|f| f.required)
                            .map(|f| f.name)
                            .collect();
                        let line = self.last_line();
                        self.report(
                            line,
                            full.clone(),
                            format!(
                                "missing: the table [{full}] is required (with {}); add it at the end of the file",
                                needs.join(", ")
                            ),
                        );
                    }
                    _ => self.report(header, full, format!("missing: required {}", where_(path))),
                }
            }
            table.insert(
                Spanned::new(0..0, field.name.into()),
                Spanned::new(0..0, field.shape.placeholder()),
            );
        }
    }

    /// Checks a value's shape: the value to keep (mended inside if need be), or `None` when
    /// it is of the wrong type altogether (reported).
    fn value<'i>(
        &mut self,
        value: Spanned<DeValue<'i>>,
        shape: Shape,
        full: &str,
    ) -> Option<Spanned<DeValue<'i>>> {
        let span = value.span();
        let line = self.line(span.start);
        let found = value.get_ref().type_str();
        let wrong = |walk: &mut Self, found: &str, hint: String| {
            walk.report(
                line,
                full.to_owned(),
                format!(
                    "expected {}, found {}{hint}",
                    shape.expected(),
                    a_or_an(found)
                ),
            );
        };
        match (shape, value.into_inner()) {
            (Shape::Text, v @ DeValue::String(_)) => Some(Spanned::new(span, v)),
            (Shape::Number { max }, DeValue::Integer(n)) => {
                if fits(&n, max) {
                    Some(Spanned::new(span, DeValue::Integer(n)))
                } else {
                    self.report(
                        line,
                        full.to_owned(),
                        format!("{n} is not a whole number from 0 to {max}"),
                    );
                    None
                }
            }
            (Shape::Texts, DeValue::Array(items)) => {
                let mut kept = DeArray::new();
                for (i, item) in items.into_iter().enumerate() {
                    if item.get_ref().is_str() {
                        kept.push(item);
                    } else {
                        let line = self.line(item.span().start);
                        let found = item.get_ref().type_str();
                        self.report(
                            line,
                            format!("{full}[{i}]"),
                            format!("expected a string, found {}", a_or_an(found)),
                        );
                        // An empty string keeps the others at their index, for messages.
                        kept.push(Spanned::new(0..0, DeValue::String("".into())));
                    }
                }
                Some(Spanned::new(span, DeValue::Array(kept)))
            }
            (Shape::Numbers { max }, DeValue::Array(items)) => {
                let mut kept = DeArray::new();
                for (i, item) in items.into_iter().enumerate() {
                    match item.get_ref() {
                        DeValue::Integer(n) if fits(n, max) => kept.push(item),
                        other => {
                            let line = self.line(item.span().start);
                            let message = match other {
                                DeValue::Integer(n) => {
                                    format!("{n} is not a whole number from 0 to {max}")
                                }
                                v => format!(
                                    "expected a whole number from 0 to {max}, found {}",
                                    a_or_an(v.type_str())
                                ),
                            };
                            self.report(line, format!("{full}[{i}]"), message);
                        }
                    }
                }
                Some(Spanned::new(span, DeValue::Array(kept)))
            }
            (Shape::TextTable, DeValue::Table(entries)) => {
                let mut kept = DeTable::new();
                for (key, v) in entries {
                    if v.get_ref().is_str() {
                        kept.insert(key, v);
                    } else {
                        let line = self.line(v.span().start);
                        let found = v.get_ref().type_str();
                        self.report(
                            line,
                            format!("{full}.{}", key.get_ref()),
                            format!("expected a string, found {}", a_or_an(found)),
                        );
                    }
                }
                Some(Spanned::new(span, DeValue::Table(kept)))
            }
            (Shape::Table(fields), DeValue::Table(mut inner)) => {
                self.table(&mut inner, fields, full, line);
                Some(Spanned::new(span, DeValue::Table(inner)))
            }
            (Shape::Texts, DeValue::String(s)) => {
                let key = full.rsplit('.').next().unwrap_or(full);
                let hint = format!(" (write {key} = [{s:?}])");
                wrong(self, found, hint);
                None
            }
            (Shape::Table(_), DeValue::Array(items))
                if !items.is_empty() && items.iter().all(|i| i.get_ref().is_table()) =>
            {
                let hint = format!(" ([[{full}]]; write [{full}], once)");
                wrong(self, "array of tables", hint);
                None
            }
            _ => {
                wrong(self, found, String::new());
                None
            }
        }
    }
}

/// The 1-based line of byte `at` (counted in bytes: a place inside a character, or past the
/// end, still has a line).
fn line_at(text: &str, at: usize) -> usize {
    let end = at.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Whether a TOML integer is a whole number from 0 to `max`.
fn fits(n: &DeInteger<'_>, max: u64) -> bool {
    u64::from_str_radix(n.as_str(), n.radix()).is_ok_and(|v| v <= max)
}

/// The second pass's findings: problems of values, each dropped when the first pass has
/// already reported the field (or what it is part of).
struct Findings<'w, 't> {
    walk: &'w mut Walk<'t>,
}

impl Findings<'_, '_> {
    /// A problem at the value spanning `span` (no line for a value not in the file).
    fn at(&mut self, span: Range<usize>, field: String, message: String) {
        let line = (span.end > 0).then(|| self.walk.line(span.start));
        self.on(line, field, message);
    }

    fn on(&mut self, line: Option<usize>, field: String, message: String) {
        if !self.walk.covered(&field) {
            self.walk.reported.insert(field.clone());
            self.walk.problems.push(Problem {
                line,
                field,
                message,
            });
        }
    }

    /// Each value of a list that is not one of `allowed`.
    fn list(&mut self, field: &str, values: &[Spanned<String>], allowed: &[&str]) {
        for (i, v) in values.iter().enumerate() {
            if !allowed.contains(&v.get_ref().as_str()) {
                self.at(
                    v.span(),
                    format!("{field}[{i}]"),
                    format!("{:?} is not one of {}", v.get_ref(), allowed.join(", ")),
                );
            }
        }
    }

    /// A field the manifest lacks (or leaves empty) although what it says elsewhere needs it:
    /// at its key if it is there, else at its table's header, else at the end of the file
    /// where the table would go.
    fn needed(&mut self, table: &str, name: &str, why: &str) {
        let field = join(table, name);
        let (line, message) = if let Some(line) = self.walk.lines.get(&field) {
            (*line, format!("is empty: {why}"))
        } else if let Some(line) = self.walk.lines.get(table) {
            (*line, format!("missing in [{table}]: {why}"))
        } else {
            (
                self.walk.last_line(),
                format!("missing, and so is the table [{table}] (add it): {why}"),
            )
        };
        self.on(Some(line), field, message);
    }
}

/// Parses and checks manifest text: every problem found (unknown fields, values of the
/// wrong type, missing fields with the table they belong in, values that are not allowed),
/// each with its line, in file order.
pub fn parse(text: &str) -> Result<Manifest, Vec<Problem>> {
    let (root, syntax) = DeTable::parse_recoverable(text);
    let line_of = |at: usize| line_at(text, at);
    if !syntax.is_empty() {
        // What a file that is not TOML means is unknown until it parses: its syntax errors
        // alone, each where it is.
        let mut problems: Vec<Problem> = syntax
            .iter()
            .map(|e| Problem {
                line: e.span().map(|s| line_of(s.start)),
                field: e
                    .span()
                    .and_then(|s| field_at(text, s.start))
                    .unwrap_or_else(|| "(manifest)".to_owned()),
                message: e.message().trim().to_owned(),
            })
            .collect();
        problems.dedup();
        return Err(in_file_order(problems));
    }
    let span = root.span();
    let mut root = root.into_inner();
    let mut walk = Walk {
        text,
        problems: Vec::new(),
        reported: BTreeSet::new(),
        lines: BTreeMap::new(),
    };
    walk.table(&mut root, TOP, "", 1);
    let manifest =
        match Manifest::deserialize(toml::de::Deserializer::from(Spanned::new(span, root))) {
            Ok(m) => m,
            // The first pass lets through only what the structs read: this is a mismatch
            // between the two, reported rather than hidden.
            Err(e) => {
                walk.problems.push(Problem {
                    line: e.span().map(|s| line_of(s.start)),
                    field: "(manifest)".to_owned(),
                    message: e.message().trim().to_owned(),
                });
                return Err(in_file_order(walk.problems));
            }
        };
    check_values(&manifest, &mut Findings { walk: &mut walk });
    if walk.problems.is_empty() {
        let mut manifest = manifest;
        manifest.source = text.to_owned();
        Ok(manifest)
    } else {
        Err(in_file_order(walk.problems))
    }
}

/// Sorted by line (a stable sort: problems of one line stay in the order found), those
/// without a line last.
fn in_file_order(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|p| (p.line.is_none(), p.line));
    problems
}

/// The second pass: the values of a manifest whose structure the first pass has mended.
fn check_values(manifest: &Manifest, found: &mut Findings<'_, '_>) {
    let id = manifest.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        found.at(
            manifest.id.span(),
            "id".into(),
            format!(
                "{id:?} must be non-empty lowercase letters, digits, '-' and '.' (it names the matrix cells)"
            ),
        );
    }
    for (field, value) in [("vendor", &manifest.vendor), ("version", &manifest.version)] {
        if value.get_ref().trim().is_empty() {
            found.at(value.span(), field.into(), "must not be empty".into());
        }
    }
    if manifest.roles.get_ref().is_empty() {
        found.at(
            manifest.roles.span(),
            "roles".into(),
            format!("name at least one of {}", ROLES.join(", ")),
        );
    }
    found.list("roles", manifest.roles.get_ref(), ROLES);
    let caps = &manifest.capabilities;
    found.list("capabilities.formats", &caps.formats, FORMATS);
    found.list(
        "capabilities.client_id_prefixes",
        &caps.client_id_prefixes,
        CLIENT_ID_PREFIXES,
    );
    found.list(
        "capabilities.response_modes",
        &caps.response_modes,
        RESPONSE_MODES,
    );
    found.list("capabilities.algorithms", &caps.algorithms, ALGORITHMS);
    found.list("capabilities.flows", &caps.flows, FLOWS);
    if let Some(j) = &manifest.jurisdiction
        && !matches!(j.get_ref().as_str(), "eu" | "jp")
    {
        found.at(
            j.span(),
            "jurisdiction".into(),
            format!("{:?} is not one of eu, jp", j.get_ref()),
        );
    }
    let roles = manifest.role_names();
    if roles.contains(&"verifier") && caps.response_modes.is_empty() {
        found.needed(
            "capabilities",
            "response_modes",
            &format!(
                "a verifier must declare the response modes it uses ({})",
                RESPONSE_MODES.join(", ")
            ),
        );
    }
    if roles.iter().any(|r| matches!(*r, "wallet" | "verifier"))
        && caps.client_id_prefixes.is_empty()
    {
        found.needed(
            "capabilities",
            "client_id_prefixes",
            &format!(
                "a wallet or verifier must declare the client identifier prefixes it supports ({})",
                CLIENT_ID_PREFIXES.join(", ")
            ),
        );
    }
    check_launch(manifest, &roles, found);
    if !manifest.control.base.get_ref().starts_with('/') {
        found.at(
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
            found.at(
                var.span(),
                "control.token_env".into(),
                format!(
                    "{name:?} must be the name of an environment variable (letters, digits, _), not the token"
                ),
            );
        }
    }
}

/// The `[launch]` table's values: its kind, the fields that kind needs and those it must
/// not carry.
fn check_launch(manifest: &Manifest, roles: &[&str], found: &mut Findings<'_, '_>) {
    let launch = manifest.launch.get_ref();
    let kind = launch.kind.get_ref().as_str();
    let known_kind = LAUNCH_KINDS.contains(&kind);
    if !known_kind {
        found.at(
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
            && known_kind
            && !kinds.contains(&kind)
        {
            found.at(
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
            found.needed("launch", name, &format!("required for kind {kind:?}"));
        }
    }
    if let Some(base) = &launch.base
        && url::Url::parse(base.get_ref()).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
    {
        found.at(
            base.span(),
            "launch.base".into(),
            format!("{:?} is not an http(s) URL", base.get_ref()),
        );
    }
    if let Some(image) = &launch.image {
        let name = image.get_ref();
        if name.is_empty() || name.contains(char::is_whitespace) || !name.contains(':') {
            found.at(
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
        found.at(
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
            found.at(
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
        found.at(
            c.span(),
            "launch.clock".into(),
            format!("{:?} is not one of run, system", c.get_ref()),
        );
    }
    if let Some(r) = &launch.readiness
        && !r.get_ref().starts_with('/')
    {
        found.at(
            r.span(),
            "launch.readiness".into(),
            format!("{:?} must be a path starting with /", r.get_ref()),
        );
    }
    if let Some(service) = &launch.service
        && service.get_ref().trim().is_empty()
    {
        found.at(
            service.span(),
            "launch.service".into(),
            "must name a service of docker-compose.yml".into(),
        );
    }
    if kind == "builtin" {
        let role = roles.first().copied().unwrap_or("");
        if roles.len() > 1 {
            found.at(
                manifest.roles.span(),
                "roles".into(),
                "a builtin implementation plays exactly one role".into(),
            );
        }
        // Without a role (reported already) there is no variant to read the options of.
        if !found.walk.covered("roles")
            && let Err(e) = crate::roles::variant::parse(role, &launch.option_values())
        {
            let span = launch
                .options
                .get(&e.key)
                .map_or_else(|| launch.kind.span(), Spanned::span);
            found.at(span, format!("launch.options.{}", e.key), e.message);
        }
    } else if known_kind && !launch.options.is_empty() {
        found.at(
            launch.kind.span(),
            "launch.options".into(),
            format!("does not apply to kind {kind:?}"),
        );
    }
}

/// The field a syntax error is in, as written in the file (`launch.ports`): the key at or
/// above the error's place, under the table header above it.
fn field_at(text: &str, at: usize) -> Option<String> {
    let (table, key) = key_at(text, at);
    let key = key?;
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
        // The element itself, at its own line; the array's other values are still checked.
        assert_eq!(p[0].field, "capabilities.algorithms[1]", "{p:?}");
        assert_eq!(p[0].line, Some(13), "{p:?}");
        assert_eq!(p.len(), 1, "{p:?}");
        let p = parse(&GOOD.replace("kind = \"container\"\n", "")).unwrap_err();
        assert_eq!(p[0].field, "launch.kind", "{p:?}");
        // Nothing more: without a kind, what the kind allows is not judged.
        assert_eq!(p.len(), 1, "{p:?}");
    }

    /// The fields, lines and messages of every problem, for assertions.
    fn described(problems: &[Problem]) -> Vec<(Option<usize>, &str)> {
        problems
            .iter()
            .map(|p| (p.line, p.field.as_str()))
            .collect()
    }

    #[test]
    fn every_problem_is_reported_at_once_each_with_its_line() {
        // Two required fields missing (one at the top, one of [launch]) and an unknown one.
        let bad = GOOD
            .replace("vendor = \"Accord\"\n", "")
            .replace("kind = \"container\"\n", "")
            .replace(
                "algorithms = [\"ES256\"]",
                "algorithms = [\"ES256\"]\ncolour = \"blue\"",
            );
        let p = parse(&bad).unwrap_err();
        assert_eq!(
            described(&p),
            [
                (Some(1), "vendor"),
                (Some(11), "capabilities.colour"),
                (Some(13), "launch.kind"),
            ],
            "{p:?}"
        );
        assert!(p[0].message.contains("at the top level"), "{p:?}");
        assert!(p[1].message.starts_with("unknown field"), "{p:?}");
        assert!(p[2].message.contains("required in [launch]"), "{p:?}");
        // Wrong types and values that are not allowed come in the same pass.
        let bad = bad
            .replace("version = \"0.1.0\"", "version = 12")
            .replace("[\"verifier\"]", "[\"verifier\", \"teleporter\"]")
            .replace("ports = [8080]", "ports = [8080, 70000]");
        let p = parse(&bad).unwrap_err();
        assert_eq!(
            described(&p),
            [
                (Some(1), "vendor"),
                (Some(2), "version"),
                (Some(3), "roles[1]"),
                (Some(11), "capabilities.colour"),
                (Some(13), "launch.kind"),
                (Some(15), "launch.ports[1]"),
            ],
            "{p:?}"
        );
        assert_eq!(p[1].message, "expected a string, found an integer");
    }

    #[test]
    fn a_missing_client_id_prefixes_is_named_in_capabilities() {
        let p = parse(&GOOD.replace("client_id_prefixes = [\"x509_san_dns\"]\n", "")).unwrap_err();
        assert_eq!(
            described(&p),
            [(Some(7), "capabilities.client_id_prefixes")],
            "{p:?}"
        );
        assert!(p[0].message.contains("[capabilities]"), "{p:?}");
        // Without a [capabilities] table: at the end of the file, saying which table to add.
        let start = GOOD.find("[capabilities]").unwrap();
        let end = GOOD.find("[launch]").unwrap();
        let bare = format!("{}{}", &GOOD[..start], &GOOD[end..]);
        let p = parse(&bare).unwrap_err();
        let last = bare.lines().count();
        assert_eq!(
            described(&p),
            [
                (Some(last), "capabilities.response_modes"),
                (Some(last), "capabilities.client_id_prefixes"),
            ],
            "{p:?}"
        );
        assert!(
            p.iter().all(|p| p.message.contains("[capabilities]")),
            "{p:?}"
        );
        // Put in the wrong table, it is said where it belongs.
        let moved = GOOD
            .replace("client_id_prefixes = [\"x509_san_dns\"]\n", "")
            .replace(
                "ports = [8080]",
                "ports = [8080]\nclient_id_prefixes = [\"x509_san_dns\"]",
            );
        let p = parse(&moved).unwrap_err();
        assert_eq!(
            described(&p),
            [
                (Some(7), "capabilities.client_id_prefixes"),
                (Some(16), "launch.client_id_prefixes"),
            ],
            "{p:?}"
        );
        assert!(p[1].message.contains("belongs in [capabilities]"), "{p:?}");
    }

    #[test]
    fn a_missing_table_is_reported_once_at_the_end_of_the_file() {
        let start = GOOD.find("[launch]").unwrap();
        let text = &GOOD[..start];
        let p = parse(text).unwrap_err();
        assert_eq!(
            described(&p),
            [(Some(text.lines().count()), "launch")],
            "{p:?}"
        );
        assert!(p[0].message.contains("[launch]") && p[0].message.contains("kind"));
        // A table written as an array of tables, or a list written as one string.
        let p = parse(&GOOD.replace("[launch]", "[[launch]]")).unwrap_err();
        assert_eq!(described(&p), [(Some(13), "launch")], "{p:?}");
        assert!(p[0].message.contains("write [launch]"), "{p:?}");
        let p = parse(&GOOD.replace("roles = [\"verifier\"]", "roles = \"verifier\"")).unwrap_err();
        assert_eq!(described(&p), [(Some(4), "roles")], "{p:?}");
        assert!(p[0].message.contains("roles = [\"verifier\"]"), "{p:?}");
    }

    #[test]
    fn a_near_miss_is_suggested() {
        let p = parse(&GOOD.replace("response_modes", "response_mode")).unwrap_err();
        assert_eq!(
            described(&p),
            [
                (Some(7), "capabilities.response_modes"),
                (Some(10), "capabilities.response_mode"),
            ],
            "{p:?}"
        );
        assert!(
            p[1].message.contains("did you mean `response_modes`"),
            "{p:?}"
        );
    }
}
