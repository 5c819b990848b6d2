//! Evidence bundles: a run's log, every report derived from it, the implementations'
//! manifests and image digests, and a manifest of hashes signed with the harness's key, in
//! one tar archive that anyone can check offline.
//!
//! # What makes a bundle hard to alter
//!
//! - **Everything is derived from the log.** The reports, the players and their manifests,
//!   and the bundle's claims (verdict, certification outcomes) are computed from the log's
//!   events by the same projections `accord report` uses. `verify` recomputes them from the
//!   bundled log and compares, so a bundle cannot claim a pass its log does not show.
//! - **The log vouches for itself.** Its hash chain is checked event by event, and the hash
//!   of its last event is among the signed claims.
//! - **The manifest pins every file** (path, size, SHA-256) and is signed (ES256, compact
//!   JWS, the public key in the header); the manifest's bytes are the JWS payload's bytes.
//! - **The archive is canonical.** Entries are written in one order with fixed metadata
//!   (mode 0644, owner 0, time 0), so `verify` re-writes what it read and requires the same
//!   bytes: a changed byte in a header, in padding or in the end-of-archive blocks is caught
//!   even where tar readers ignore it. So are the manifest (the exact JSON Accord writes) and
//!   the signature (canonical base64url, low-`s` ECDSA): nothing that decodes alike passes.
//!
//! Who signed is shown as the key's RFC 7638 thumbprint; `verify --key` pins the key a
//! recognition body trusts (anyone can sign a consistent bundle with a key of their own).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::events::{Envelope, KeySource, sha256_hex, verify_log};
use crate::formats::jose::{Algorithm, CompactJws, Jwk, SigningKey, VerifyingKey, b64_decode};
use crate::projections::{self, RunStatus, RunView, coverage};
use crate::store::Tail;

/// The bundle layout's version. 2: the signer's `key.source`, the log's checkpoints in the
/// claims (`checkpoints`, `checkpoint_key`).
pub const BUNDLE_FORMAT: u32 = 2;
/// The signed manifest of the bundle.
pub const MANIFEST: &str = "BUNDLE.json";
/// The compact JWS over [`MANIFEST`]'s bytes.
pub const SIGNATURE: &str = "BUNDLE.jws";
/// The run's log: its events as JSON Lines, as the store holds them.
pub const LOG: &str = "log/events.jsonl";
/// `typ` of the signature's header.
const JWS_TYP: &str = "accord-bundle+jws";
/// The most a bundle may hold: [`crate::files::BUNDLE`], the limit its file is read with.
pub const MAX_BUNDLE_BYTES: u64 = crate::files::BUNDLE.bytes;

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl File {
    fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// What a bundle says of its run: all of it derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub run: String,
    /// `finished` or `interrupted`.
    pub run_status: String,
    /// The run's verdict as its log records it.
    pub verdict: String,
    /// True when any scenario failed: a bundle of a failing run says so up front.
    pub has_failures: bool,
    pub scenarios_passed: usize,
    pub scenarios_failed: usize,
    pub scenarios_not_implemented: usize,
    pub scenarios_inconclusive: usize,
    pub profile: Option<String>,
    pub certifications: Vec<ClaimedCertification>,
    pub events: usize,
    /// The hash of the log's last event.
    pub log_head: String,
    /// Signed checkpoints in the log (format 8 logs; none before).
    pub checkpoints: u64,
    /// The key that signed them (RFC 7638 thumbprint).
    pub checkpoint_key: Option<String>,
}

/// One implementation's certification outcome as a bundle states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimedCertification {
    pub implementation: String,
    pub parts: Vec<String>,
    pub verdict: String,
}

/// A file as the manifest pins it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The key a bundle was signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBy {
    pub jwk: Jwk,
    /// RFC 7638 thumbprint of `jwk`.
    pub thumbprint: String,
    /// Where the key was kept, as the signer says: a key kept in the store can be used by
    /// whoever holds the store.
    pub source: KeySource,
}

/// `BUNDLE.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    /// The Accord version that wrote the bundle (and rendered its reports).
    pub created_by: String,
    pub claims: Claims,
    pub key: SignedBy,
    pub files: Vec<Pinned>,
    /// An RFC 3161 time-stamp token over `claims.log_head`, in [`crate::evidence::timestamp::TOKEN_FILE`]
    /// (pinned like every file), and what it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampClaim>,
}

/// What a bundle's time-stamp token says, as read when the bundle was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampClaim {
    pub file: String,
    /// `genTime`, GeneralizedTime as the token writes it.
    pub gen_time: String,
    /// The TSA certificate's subject.
    pub tsa: String,
    /// The token's serial number, hex.
    pub serial: String,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the log is broken at event {seq}: {reason}")]
    BrokenLog { seq: u64, reason: String },
    #[error("the log ends with a torn line ({0} bytes): check it with `accord log verify`")]
    TornLog(usize),
    #[error("the log is empty")]
    EmptyLog,
    #[error("cannot sign the bundle: {0}")]
    Sign(String),
    #[error("the log contradicts itself (altered?): {0}")]
    Contradicts(String),
    #[error("the time-stamp token: {0}")]
    Timestamp(String),
    #[error("the log is not vouched for by the signing key: {0}")]
    NotVouched(String),
    #[error(
        "the run's checkpoints are signed by key {log}, the bundle would be signed by key {bundle}: \
         sign it with the key that signed the run (--signing-key)"
    )]
    OtherSigner { log: String, bundle: String },
}

/// The harness version that renders reports.
fn harness() -> String {
    format!("accord {}", env!("CARGO_PKG_VERSION"))
}

/// A file name made safe for the archive: implementation ids come from manifests.
fn safe_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    name
}

/// The log as JSON Lines.
fn log_bytes(events: &[Envelope]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        // An envelope is plain data; serialising it cannot fail.
        out.extend_from_slice(serde_json::to_string(e).unwrap_or_default().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Every file a bundle derives from its log, and its claims.
fn derive(events: &[Envelope]) -> (Vec<File>, Claims, RunView) {
    let view = projections::project(events, &Tail::Clean);
    let cov = coverage::coverage(&view, None);
    let mut files = vec![
        File::new(LOG, log_bytes(events)),
        File::new("reports/report.json", projections::json(&view)),
        File::new("reports/report.md", projections::markdown(&view)),
        File::new("reports/junit.xml", projections::junit(&view)),
        File::new("reports/report.html", projections::html(&view)),
        File::new("reports/coverage.json", projections::coverage_json(&view)),
    ];
    // The players of every cell, and each distinct manifest once.
    let mut players = Vec::new();
    let mut manifests: Vec<(String, String)> = Vec::new();
    for c in &view.cells {
        for p in &c.players {
            let mut record = serde_json::to_value(p).unwrap_or(Value::Null);
            if let Some(m) = record.get_mut("manifest").and_then(Value::as_object_mut) {
                // The text is in its own file; the record keeps path and digest.
                m.remove("text");
            }
            players.push(serde_json::json!({"cell": c.id, "player": record}));
            if let Some(m) = &p.manifest
                && !manifests.iter().any(|(sha, _)| *sha == m.sha256)
            {
                manifests.push((m.sha256.clone(), m.text.clone()));
                // The digest is the log's word, and a hostile log may put anything there.
                let name = format!(
                    "implementations/{}-{}.toml",
                    safe_name(&p.implementation),
                    safe_name(&m.sha256.chars().take(12).collect::<String>())
                );
                files.push(File::new(name, m.text.clone()));
            }
        }
    }
    let mut players_json = serde_json::to_string_pretty(&players).unwrap_or_default();
    players_json.push('\n');
    files.push(File::new("implementations/players.json", players_json));
    let claims = Claims {
        run: view.id.clone(),
        run_status: match view.status {
            RunStatus::Finished => "finished".into(),
            RunStatus::Interrupted => "interrupted".into(),
        },
        verdict: view.verdict.as_str().to_owned(),
        has_failures: view.counts.failed > 0,
        scenarios_passed: view.counts.passed,
        scenarios_failed: view.counts.failed,
        scenarios_not_implemented: view.counts.not_implemented,
        scenarios_inconclusive: view.counts.inconclusive,
        profile: cov.profile.clone(),
        certifications: cov
            .certifications
            .iter()
            .map(|c| ClaimedCertification {
                implementation: c.implementation.clone(),
                parts: c.parts.iter().map(|p| (*p).to_owned()).collect(),
                verdict: serde_json::to_value(c.verdict)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            })
            .collect(),
        events: events.len(),
        log_head: events.last().map(|e| e.hash.clone()).unwrap_or_default(),
        checkpoints: view.signed.as_ref().map_or(0, |s| s.checkpoints),
        checkpoint_key: view.signed.as_ref().map(|s| s.key.clone()),
    };
    (files, claims, view)
}

/// Writes the bundle of a run whose log is `events` (complete, chain and checkpoints intact,
/// its `run-finished` agreeing with its events), signed with `key`, kept where `source`
/// says. A log whose checkpoints another key signed is refused: one key vouches for both.
pub fn build(
    events: &[Envelope],
    tail: &Tail,
    key: &SigningKey,
    source: KeySource,
) -> Result<Vec<u8>, BundleError> {
    build_stamped(events, tail, key, source, None)
}

/// [`build`], with an RFC 3161 time-stamp token over the log's last hash (checked against
/// the certificate it carries; the reader pins the TSA).
pub fn build_stamped(
    events: &[Envelope],
    tail: &Tail,
    key: &SigningKey,
    source: KeySource,
    token: Option<Vec<u8>>,
) -> Result<Vec<u8>, BundleError> {
    if let Tail::Torn { bytes, .. } = tail {
        return Err(BundleError::TornLog(*bytes));
    }
    if events.is_empty() {
        return Err(BundleError::EmptyLog);
    }
    let audit = verify_log(events).map_err(|b| BundleError::BrokenLog {
        seq: b.seq,
        reason: b.reason,
    })?;
    if let Some(d) = audit.disagreement {
        return Err(BundleError::Contradicts(d));
    }
    let thumbprint = key.public_jwk().thumbprint();
    if let Some((signer, _)) = &audit.signer
        && *signer != thumbprint
    {
        return Err(BundleError::OtherSigner {
            log: signer.clone(),
            bundle: thumbprint,
        });
    }
    // A key kept outside the store vouches only for what it signed: a log whose checkpoints
    // were stripped, or with events after its last one, is not bundled under it.
    if (source == KeySource::External || audit.signer.is_some())
        && let Err(e) = audit.check_signer(&thumbprint)
    {
        return Err(BundleError::NotVouched(e));
    }
    let (mut files, claims, _) = derive(events);
    let timestamp = match token {
        None => None,
        Some(token) => {
            let stamped = crate::evidence::timestamp::verify(&token, &claims.log_head, None)
                .map_err(BundleError::Timestamp)?;
            files.push(File::new(crate::evidence::timestamp::TOKEN_FILE, token));
            Some(TimestampClaim {
                file: crate::evidence::timestamp::TOKEN_FILE.into(),
                gen_time: stamped.gen_time,
                tsa: stamped.tsa,
                serial: stamped.serial,
            })
        }
    };
    seal_stamped(files, claims, &harness(), key, source, timestamp)
}

/// Pins `files`, signs the manifest and writes the archive. Public so that tests can build
/// forgeries a verifier must refuse.
pub fn seal(
    files: Vec<File>,
    claims: Claims,
    created_by: &str,
    key: &SigningKey,
    source: KeySource,
) -> Result<Vec<u8>, BundleError> {
    seal_stamped(files, claims, created_by, key, source, None)
}

/// [`seal`], the manifest naming a time-stamp token among `files`.
pub fn seal_stamped(
    files: Vec<File>,
    claims: Claims,
    created_by: &str,
    key: &SigningKey,
    source: KeySource,
    timestamp: Option<TimestampClaim>,
) -> Result<Vec<u8>, BundleError> {
    let public = key.public_jwk();
    let manifest = Manifest {
        format: BUNDLE_FORMAT,
        created_by: created_by.to_owned(),
        claims,
        key: SignedBy {
            thumbprint: public.thumbprint(),
            jwk: public,
            source,
        },
        files: files
            .iter()
            .map(|f| Pinned {
                path: f.path.clone(),
                bytes: f.bytes.len() as u64,
                sha256: sha256_hex(&f.bytes),
            })
            .collect(),
        timestamp,
    };
    let manifest_bytes = manifest_text(&manifest).map_err(|e| BundleError::Sign(e.to_string()))?;
    let signature = sign_manifest(&manifest_bytes, key)?;
    let mut all = vec![
        File::new(MANIFEST, manifest_bytes),
        File::new(SIGNATURE, signature.into_bytes()),
    ];
    all.extend(files);
    Ok(write_tar(&all))
}

/// `BUNDLE.json`'s bytes: pretty JSON, fields in declaration order, a final newline.
fn manifest_text(manifest: &Manifest) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(manifest)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The compact JWS over the manifest's exact bytes (the payload is the file itself, not a
/// re-serialisation of it), the public key in its header.
pub fn sign_manifest(manifest: &[u8], key: &SigningKey) -> Result<String, BundleError> {
    use crate::formats::jose::b64;
    let header = serde_json::json!({
        "alg": key.algorithm().name(),
        "typ": JWS_TYP,
        "jwk": key.public_jwk(),
    });
    let header = serde_json::to_vec(&header).map_err(|e| BundleError::Sign(e.to_string()))?;
    let input = format!("{}.{}", b64(header), b64(manifest));
    let mut sig = key
        .sign(input.as_bytes())
        .map_err(|e| BundleError::Sign(e.to_string()))?;
    to_low_s(&mut sig);
    Ok(format!("{input}.{}", b64(sig)))
}

/// The order of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `s` of an ES256 signature (`r || s`, 32 bytes each) is at most n/2. ECDSA accepts `s` and
/// `n - s` alike; a bundle takes only one of them, so the signature's bytes are fixed too.
fn is_low_s(sig: &[u8]) -> bool {
    if sig.len() != 64 {
        return false;
    }
    let s = &sig[32..];
    // s <= n/2  <=>  2s <= n, compared as 33-byte big-endian numbers.
    let mut doubled = [0u8; 33];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let v = u16::from(s[i]) * 2 + carry;
        doubled[i + 1] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    doubled[0] = carry as u8;
    let mut n = [0u8; 33];
    n[1..].copy_from_slice(&P256_N);
    doubled <= n
}

/// Replaces `s` by `n - s` when it is above n/2.
fn to_low_s(sig: &mut [u8]) {
    if sig.len() != 64 || is_low_s(sig) {
        return;
    }
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let v = i16::from(P256_N[i]) - i16::from(sig[32 + i]) - borrow;
        sig[32 + i] = (v.rem_euclid(256)) as u8;
        borrow = i16::from(v < 0);
    }
}

/// Writes files as a canonical tar archive: in the given order, ustar headers with mode
/// 0644, owner and group 0, time 0, then the two end-of-archive blocks.
pub fn write_tar(files: &[File]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for f in files {
        let mut header = tar::Header::new_ustar();
        // Paths are Accord's own (short, relative, ASCII); a failure here is a programming
        // error that the tests catch.
        if header.set_path(&f.path).is_err() {
            continue;
        }
        header.set_size(f.bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        if builder.append(&header, f.bytes.as_slice()).is_err() {
            continue;
        }
    }
    builder.into_inner().unwrap_or_default()
}

/// Reads every regular file of a tar archive, in order.
pub fn read_tar(bytes: &[u8]) -> Result<Vec<File>, String> {
    let mut archive = tar::Archive::new(bytes);
    let mut files = Vec::new();
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| format!("entry {}: {e}", i + 1))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(format!(
                "entry {}: not a regular file ({:?})",
                i + 1,
                entry.header().entry_type()
            ));
        }
        let path = entry
            .path()
            .map_err(|e| format!("entry {}: {e}", i + 1))?
            .to_string_lossy()
            .into_owned();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{path}: {e}"))?;
        files.push(File { path, bytes: data });
    }
    Ok(files)
}

/// The outcome of checking a bundle.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub run: Option<String>,
    pub verdict: Option<String>,
    pub has_failures: Option<bool>,
    pub thumbprint: Option<String>,
    /// What was checked and held.
    pub held: Vec<String>,
    /// What does not match, each naming the file or field.
    pub problems: Vec<String>,
    /// Remarks that are not problems (a bundle written by another Accord version).
    pub notes: Vec<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// A report for people: every check, then the verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for h in &self.held {
            let _ = writeln!(out, "ok       {h}");
        }
        for n in &self.notes {
            let _ = writeln!(out, "note     {n}");
        }
        for p in &self.problems {
            let _ = writeln!(out, "MISMATCH {p}");
        }
        if self.intact() {
            let _ = writeln!(
                out,
                "intact: run {} ({}{}), signed by key {}",
                self.run.as_deref().unwrap_or("?"),
                self.verdict.as_deref().unwrap_or("?"),
                if self.has_failures == Some(true) {
                    ", with failures"
                } else {
                    ""
                },
                self.thumbprint.as_deref().unwrap_or("?")
            );
        } else {
            let _ = writeln!(
                out,
                "NOT INTACT: {} problem(s); nothing in this bundle can be relied on",
                self.problems.len()
            );
        }
        out
    }
}

/// The first offset at which `a` and `b` differ (compared block by block: bundles are
/// large and this runs for every altered byte the tests try).
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let block = a
        .chunks(512)
        .zip(b.chunks(512))
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()) / 512);
    let start = block * 512;
    start
        + a[start.min(a.len())..]
            .iter()
            .zip(&b[start.min(b.len())..])
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()) - start.min(a.len().min(b.len())))
}

/// Where in a canonical archive byte `offset` lies.
fn locate(files: &[File], offset: usize) -> String {
    let mut at = 0usize;
    for f in files {
        let data = f.bytes.len().div_ceil(512) * 512;
        if offset < at + 512 {
            return format!("the tar header of {}", f.path);
        }
        if offset < at + 512 + data {
            return format!("the contents or padding of {}", f.path);
        }
        at += 512 + data;
    }
    "the end-of-archive blocks".into()
}

/// Checks a bundle completely, offline. `trusted_key` pins the signer: a JWK thumbprint.
pub fn verify(bytes: &[u8], trusted_key: Option<&str>) -> Verification {
    verify_stamped(bytes, trusted_key, None)
}

/// [`verify`], and the bundle's time-stamp token checked against `tsa_cert` (the TSA's
/// certificate, DER): a pinned TSA requires a token.
pub fn verify_stamped(
    bytes: &[u8],
    trusted_key: Option<&str>,
    tsa_cert: Option<&[u8]>,
) -> Verification {
    let mut v = Verification::default();
    let files = match read_tar(bytes) {
        Ok(f) => f,
        Err(e) => {
            v.problems
                .push(format!("the archive cannot be read as tar: {e}"));
            return v;
        }
    };
    let canonical = write_tar(&files);
    if canonical != bytes {
        let offset = first_difference(&canonical, bytes);
        v.problems.push(format!(
            "the archive is not as Accord wrote it: byte {offset} differs ({}); {} bytes, expected {}",
            locate(&files, offset),
            bytes.len(),
            canonical.len()
        ));
    } else {
        v.held
            .push(format!("archive: {} files, canonical form", files.len()));
    }
    let mut seen = BTreeSet::new();
    for f in &files {
        if !seen.insert(f.path.as_str()) {
            v.problems.push(format!("{}: appears twice", f.path));
        }
    }
    let get = |path: &str| files.iter().find(|f| f.path == path);
    let Some(manifest_file) = get(MANIFEST) else {
        v.problems.push(format!("{MANIFEST}: missing"));
        return v;
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_file.bytes) {
        Ok(m) => m,
        Err(e) => {
            v.problems
                .push(format!("{MANIFEST}: not a bundle manifest: {e}"));
            return v;
        }
    };
    // In the one form Accord writes: other whitespace, key order or escapes would be bytes
    // that changed and parse alike.
    if manifest_text(&manifest).ok().as_deref() != Some(manifest_file.bytes.as_slice()) {
        v.problems.push(format!(
            "{MANIFEST}: not in the form Accord writes (altered after it was written)"
        ));
    }
    v.run = Some(manifest.claims.run.clone());
    v.verdict = Some(manifest.claims.verdict.clone());
    v.has_failures = Some(manifest.claims.has_failures);
    v.thumbprint = Some(manifest.key.thumbprint.clone());
    if manifest.format != BUNDLE_FORMAT {
        v.problems.push(format!(
            "{MANIFEST}: format {} (this Accord reads {BUNDLE_FORMAT})",
            manifest.format
        ));
    }
    check_signature(&mut v, &manifest, &manifest_file.bytes, get(SIGNATURE));
    if trusted_key.is_none() {
        v.notes.push(format!(
            "no --key given: the bundle is consistent, and its signer is whoever holds key {}",
            manifest.key.thumbprint
        ));
    }
    if let Some(trusted) = trusted_key {
        if manifest.key.thumbprint == trusted {
            v.held.push(format!("signer: the trusted key {trusted}"));
        } else {
            v.problems.push(format!(
                "{SIGNATURE}: signed by key {}, not by the trusted key {trusted}",
                manifest.key.thumbprint
            ));
        }
    }
    let mut pinned = BTreeSet::new();
    for p in &manifest.files {
        if !pinned.insert(p.path.as_str()) {
            v.problems
                .push(format!("{}: pinned twice in {MANIFEST}", p.path));
        }
    }
    // Every file pinned, every pinned file present and unchanged.
    for f in files
        .iter()
        .filter(|f| f.path != MANIFEST && f.path != SIGNATURE)
    {
        match manifest.files.iter().find(|p| p.path == f.path) {
            None => v
                .problems
                .push(format!("{}: not listed in {MANIFEST}", f.path)),
            Some(p) => {
                let sha = sha256_hex(&f.bytes);
                if p.sha256 != sha || p.bytes != f.bytes.len() as u64 {
                    v.problems.push(format!(
                        "{}: SHA-256 {sha} ({} bytes), the manifest pins {} ({} bytes)",
                        f.path,
                        f.bytes.len(),
                        p.sha256,
                        p.bytes
                    ));
                }
            }
        }
    }
    for p in &manifest.files {
        if get(&p.path).is_none() {
            v.problems
                .push(format!("{}: listed in {MANIFEST} but missing", p.path));
        }
    }
    if v.problems.is_empty() {
        v.held
            .push(format!("files: {} pinned by SHA-256", manifest.files.len()));
    }
    if !v.problems.is_empty() {
        // Not intact, and each change is already named by the file it touched; what follows
        // re-reads the log and re-derives the reports, the costly steps.
        return v;
    }
    // The log: complete, chained, the run the manifest names.
    let Some(log) = get(LOG) else {
        v.problems.push(format!("{LOG}: missing"));
        return v;
    };
    let events = match parse_log(&log.bytes) {
        Ok(e) => e,
        Err(e) => {
            v.problems.push(format!("{LOG}: {e}"));
            return v;
        }
    };
    let audit = match verify_log(&events) {
        Ok(audit) => {
            v.held
                .push(format!("{LOG}: {} events, hash chain intact", events.len()));
            audit
        }
        Err(b) => {
            v.problems.push(format!(
                "{LOG}: the hash chain breaks at event {}: {}",
                b.seq, b.reason
            ));
            return v;
        }
    };
    if events.is_empty() {
        v.problems.push(format!("{LOG}: no events"));
        return v;
    }
    check_checkpoints(&mut v, &audit, &manifest.key, trusted_key);
    check_timestamp(
        &mut v,
        &manifest,
        get(crate::evidence::timestamp::TOKEN_FILE),
        tsa_cert,
    );
    // Everything else is recomputed from the log and must be what the bundle holds.
    let (derived, claims, view) = derive(&events);
    // What the log says of each manifest must hold of the text it recorded.
    for c in &view.cells {
        for p in &c.players {
            if let Some(m) = &p.manifest
                && sha256_hex(m.text.as_bytes()) != m.sha256
            {
                v.problems.push(format!(
                    "{LOG}: cell {}, {}: the manifest text recorded does not have the SHA-256 recorded with it",
                    c.id,
                    p.part.name()
                ));
            }
        }
    }
    if claims == manifest.claims {
        v.held.push(format!(
            "claims: run {}, verdict {}, {} certification(s), as the log shows",
            claims.run,
            claims.verdict,
            claims.certifications.len()
        ));
    } else {
        describe_claims(&mut v, &manifest.claims, &claims);
    }
    // Every report must be what the log gives, byte for byte, whoever wrote the bundle: a
    // report that cannot be re-derived is one nobody can vouch for.
    let other_version = (manifest.created_by != harness()).then(|| {
        format!(
            " (written by {}, checked by {}: check it with the version that wrote it)",
            manifest.created_by,
            harness()
        )
    });
    for d in &derived {
        match get(&d.path) {
            None => v
                .problems
                .push(format!("{}: missing (its log gives one)", d.path)),
            Some(f) if f.bytes == d.bytes => {}
            Some(_) => v.problems.push(format!(
                "{}: differs from what its log gives{}",
                d.path,
                other_version.as_deref().unwrap_or("")
            )),
        }
    }
    for f in &files {
        let ours = f.path == MANIFEST
            || f.path == SIGNATURE
            || (manifest.timestamp.is_some() && f.path == crate::evidence::timestamp::TOKEN_FILE);
        if !ours && !derived.iter().any(|d| d.path == f.path) {
            v.problems
                .push(format!("{}: not something its log gives", f.path));
        }
    }
    if v.problems.is_empty() {
        v.held.push(format!(
            "reports and implementations: {} files re-derived from the log",
            derived.len() - 1
        ));
    }
    v
}

fn check_signature(
    v: &mut Verification,
    manifest: &Manifest,
    manifest_bytes: &[u8],
    signature: Option<&File>,
) {
    let Some(sig) = signature else {
        v.problems.push(format!("{SIGNATURE}: missing"));
        return;
    };
    // Exactly the compact form as written: no whitespace around it, every segment the
    // canonical base64url of what it decodes to, and the signature in its low-`s` form.
    // Anything else is a changed byte that decodes alike, and is refused as such.
    let Ok(text) = std::str::from_utf8(&sig.bytes) else {
        v.problems.push(format!("{SIGNATURE}: not UTF-8"));
        return;
    };
    let canonical = text.split('.').all(|segment| {
        b64_decode(segment).is_ok_and(|bytes| crate::formats::jose::b64(bytes) == segment)
    });
    if !canonical {
        v.problems.push(format!(
            "{SIGNATURE}: not a compact JWS in canonical base64url (altered after signing)"
        ));
        return;
    }
    let jws = match CompactJws::parse(text) {
        Ok(j) => j,
        Err(e) => {
            v.problems
                .push(format!("{SIGNATURE}: not a compact JWS: {e}"));
            return;
        }
    };
    if jws.header.get("typ").and_then(Value::as_str) != Some(JWS_TYP) {
        v.problems
            .push(format!("{SIGNATURE}: header.typ is not {JWS_TYP}"));
    }
    let alg = jws.algorithm();
    if alg.as_ref().ok() != Some(&Algorithm::ES256) {
        v.problems
            .push(format!("{SIGNATURE}: header.alg must be ES256"));
        return;
    }
    let key = jws
        .header
        .get("jwk")
        .and_then(|j| serde_json::from_value::<Jwk>(j.clone()).ok())
        .filter(|j| j.d.is_none())
        .and_then(|j| VerifyingKey::from_jwk(&j).ok());
    let Some(key) = key else {
        v.problems
            .push(format!("{SIGNATURE}: header.jwk is not a public P-256 key"));
        return;
    };
    if key.jwk().thumbprint() != manifest.key.thumbprint || *key.jwk() != manifest.key.jwk {
        v.problems.push(format!(
            "{SIGNATURE}: signed by key {}, the manifest names {}",
            key.jwk().thumbprint(),
            manifest.key.thumbprint
        ));
    }
    if let Err(e) = jws.verify(&key) {
        v.problems
            .push(format!("{SIGNATURE}: the signature does not verify: {e}"));
        return;
    }
    if !is_low_s(&jws.signature) {
        v.problems.push(format!(
            "{SIGNATURE}: the signature is not in its low-s form (its mirror image was swapped in)"
        ));
        return;
    }
    let payload = jws
        .signing_input
        .split_once('.')
        .and_then(|(_, p)| b64_decode(p).ok());
    if payload.as_deref() != Some(manifest_bytes) {
        v.problems
            .push(format!("{SIGNATURE}: signs other bytes than {MANIFEST}"));
        return;
    }
    v.held.push(format!(
        "{SIGNATURE}: ES256 signature over {MANIFEST} verifies (key {})",
        manifest.key.thumbprint
    ));
}

/// What the log's own signatures and verdict say, against the bundle's signer: the log
/// must not contradict itself, its checkpoints must be the bundle signer's and vouch for
/// its end. A log recorded without a key has no checkpoints, which is said, not refused.
fn check_checkpoints(
    v: &mut Verification,
    audit: &crate::evidence::checkpoint::Audit,
    key: &SignedBy,
    trusted_key: Option<&str>,
) {
    if let Some(d) = &audit.disagreement {
        v.problems
            .push(format!("{LOG}: the log contradicts itself (altered?): {d}"));
    }
    match &audit.signer {
        // A key kept outside the store signs only logs it vouched for (`build`): none here
        // means the checkpoints were stripped.
        None if key.source == KeySource::External => v.problems.push(format!(
            "{LOG}: no signed checkpoints, but the bundle's key is kept outside the store and \
             signs only logs it vouched for (checkpoints stripped?)"
        )),
        None => v.notes.push(format!(
            "{LOG}: no signed checkpoints (recorded without a signing key): the log is vouched \
             for by this bundle's signature alone"
        )),
        Some((signer, _)) if *signer != key.thumbprint => v.problems.push(format!(
            "{LOG}: its checkpoints are signed by key {signer}, the bundle by key {}",
            key.thumbprint
        )),
        Some(_) => match audit.check_signer(trusted_key.unwrap_or(&key.thumbprint)) {
            Ok(()) => v.held.push(format!(
                "{LOG}: {} checkpoints signed by key {}, the last vouching for the log's last event",
                audit.checkpoints, key.thumbprint
            )),
            Err(e) => v.problems.push(format!("{LOG}: {e}")),
        },
    }
    if key.source == KeySource::Store {
        v.notes.push(format!(
            "signed by {}: whoever holds the store can sign another bundle of this run; \
             certification evidence is signed with a key kept outside it (docs/evidence.md)",
            key.source.describe()
        ));
    }
}

/// The time-stamp token: over the head the log ends with, saying what the manifest says,
/// signed by the pinned TSA (or, unpinned, by the certificate it carries, which is said).
fn check_timestamp(
    v: &mut Verification,
    manifest: &Manifest,
    token: Option<&File>,
    tsa_cert: Option<&[u8]>,
) {
    use crate::evidence::timestamp::TOKEN_FILE;
    let Some(claim) = &manifest.timestamp else {
        if tsa_cert.is_some() {
            v.problems.push(format!(
                "{TOKEN_FILE}: missing: the bundle has no time-stamp, and --tsa-cert requires one"
            ));
        }
        return;
    };
    let Some(token) = token else {
        v.problems
            .push(format!("{TOKEN_FILE}: named in {MANIFEST} but missing"));
        return;
    };
    match crate::evidence::timestamp::verify(&token.bytes, &manifest.claims.log_head, tsa_cert) {
        Err(e) => v.problems.push(format!("{TOKEN_FILE}: {e}")),
        Ok(stamped) => {
            if stamped.gen_time != claim.gen_time
                || stamped.tsa != claim.tsa
                || stamped.serial != claim.serial
            {
                v.problems.push(format!(
                    "{TOKEN_FILE}: the token says {} by {} (serial {}), {MANIFEST} says {} by {} \
                     (serial {})",
                    stamped.gen_time,
                    stamped.tsa,
                    stamped.serial,
                    claim.gen_time,
                    claim.tsa,
                    claim.serial
                ));
                return;
            }
            v.held.push(format!(
                "{TOKEN_FILE}: the log's head {} was time-stamped at {} by {} (RFC 3161, serial {})",
                manifest.claims.log_head, stamped.gen_time, stamped.tsa, stamped.serial
            ));
            if tsa_cert.is_none() {
                v.notes.push(format!(
                    "{TOKEN_FILE}: checked against the certificate it carries; give --tsa-cert \
                     to pin the time-stamping authority"
                ));
            }
        }
    }
}

/// Names each claim that the log does not bear out.
fn describe_claims(v: &mut Verification, claimed: &Claims, shown: &Claims) {
    let (a, b) = (
        serde_json::to_value(claimed).unwrap_or(Value::Null),
        serde_json::to_value(shown).unwrap_or(Value::Null),
    );
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return;
    };
    for (k, claimed) in a {
        let shown = b.get(k).unwrap_or(&Value::Null);
        if claimed != shown {
            v.problems.push(format!(
                "{MANIFEST}: claims.{k} is {claimed}; its log shows {shown}"
            ));
        }
    }
}

/// Parses JSON Lines of envelopes; the error names the line.
fn parse_log(bytes: &[u8]) -> Result<Vec<Envelope>, String> {
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        return Err("ends with a torn line".into());
    }
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_slice::<Envelope>(line)
                .map_err(|e| format!("line {}: not an event: {e}", i + 1))
        })
        .collect()
}

/// Reads a harness key (a private JWK, JSON) or, when `path` does not exist, creates one
/// from the operating system's random source and writes it there (mode 0600).
pub fn load_or_create_key(path: &std::path::Path) -> Result<SigningKey, String> {
    match crate::files::read(path, crate::files::KEY) {
        Ok(bytes) => {
            let jwk: Jwk = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: not a private JWK: {e}", path.display()))?;
            if jwk.d.is_none() {
                return Err(format!("{}: a public key cannot sign", path.display()));
            }
            SigningKey::from_jwk(&jwk).map_err(|e| format!("{}: {e}", path.display()))
        }
        Err(crate::files::ReadError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            let key = SigningKey::generate(Algorithm::ES256, &mut crate::entropy::SystemEntropy)
                .map_err(|e| e.to_string())?;
            let text =
                serde_json::to_string_pretty(key.private_jwk()).map_err(|e| e.to_string())?;
            match write_private(path, text.as_bytes()) {
                Ok(()) => Ok(key),
                // Another process created the key first: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_key(path),
                Err(e) => Err(format!("{}: cannot write the key: {e}", path.display())),
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Writes a secret to a temporary file readable by its owner alone, then renames it into
/// place (never a half-written key; never one that exists and is replaced).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}-{stamp}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    // hard_link fails if the key appeared meanwhile: the first writer's key is kept (the
    // caller then reads it).
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// The thumbprint a `--key` argument names: a thumbprint itself, or a JWK file (public or
/// private).
pub fn trusted_thumbprint(arg: &str) -> Result<String, String> {
    let path = std::path::Path::new(arg);
    if path.exists() {
        let bytes = crate::files::read(path, crate::files::KEY).map_err(|e| e.to_string())?;
        let jwk: Jwk =
            serde_json::from_slice(&bytes).map_err(|e| format!("{arg}: not a JWK: {e}"))?;
        return Ok(jwk.public().thumbprint());
    }
    if arg.len() == 43
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(arg.to_owned());
    }
    Err(format!(
        "{arg}: neither a JWK file nor a key thumbprint (43 base64url characters)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_tar_round_trips() {
        let files = vec![
            File::new("a.txt", "hello"),
            File::new("dir/b.json", vec![0u8; 1024]),
        ];
        let bytes = write_tar(&files);
        assert_eq!(bytes.len() % 512, 0);
        assert_eq!(read_tar(&bytes).unwrap(), files);
        assert_eq!(write_tar(&read_tar(&bytes).unwrap()), bytes);
    }

    #[test]
    fn first_difference_finds_the_first_differing_byte() {
        let a = vec![0u8; 2000];
        for at in [0, 1, 511, 512, 1999] {
            let mut b = a.clone();
            b[at] = 1;
            assert_eq!(first_difference(&a, &b), at);
        }
        assert_eq!(first_difference(&a, &a[..1500]), 1500);
    }

    /// A log written by someone hostile, its hash chain intact: a manifest digest that is not
    /// hex, an implementation id that is a path. The bundle is written and verified without
    /// a panic, nothing it holds escapes `implementations/`, and the digest is named false.
    #[test]
    fn a_hostile_but_consistent_log_bundles_without_panic() {
        use crate::entropy::{FixedClock, SeededEntropy};
        use crate::events::{Event, FORMAT_VERSION, Verdict};
        use crate::events::{ManifestRecord, Part, PlayerRecord};
        use crate::store::memory::MemoryStore;
        use crate::store::{EventStore, RunRecorder};
        use std::sync::Arc;

        let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
        let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(0)), "hostile").unwrap();
        let mut player = PlayerRecord::new(Part::VerifierJp, "../../x", "url", "http://x");
        player.manifest = Some(ManifestRecord {
            path: "/etc/passwd".into(),
            sha256: "éééééééééééééééééé".into(),
            text: "<script>".into(),
        });
        for e in [
            Event::RunStarted {
                format: FORMAT_VERSION,
                harness_version: "x".into(),
                seed: "1".into(),
                features: "f".into(),
                tags: None,
                now: None,
                replay_of: None,
                profile: Some("no/such-profile".into()),
                security: None,
            },
            Event::CellStarted {
                cell: "a × b × c".into(),
                players: vec![player],
                pki_seed: None,
            },
            Event::RunFinished {
                verdict: Verdict::Passed,
            },
        ] {
            r.record(&e).unwrap();
        }
        let log = store.read("hostile").unwrap();
        let key = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(1, "k")).unwrap();
        let bytes = build(&log.events, &log.tail, &key, KeySource::Store).unwrap();
        let files = read_tar(&bytes).unwrap();
        for f in &files {
            assert!(
                f.path
                    .split('/')
                    .all(|c| !c.is_empty() && c != "." && c != ".."),
                "{}",
                f.path
            );
        }
        // Written, but never intact: the digest the log recorded is not its text's.
        let v = verify(&bytes, None);
        assert!(!v.intact());
        assert!(
            v.problems[0].contains("does not have the SHA-256 recorded with it"),
            "{}",
            v.render()
        );
    }

    #[test]
    fn low_s_is_at_most_half_the_order_and_high_s_is_mirrored() {
        let mut half = [0u8; 64];
        // n / 2, rounded down.
        let mut carry = 0u16;
        for i in 0..32 {
            let v = (carry << 8) | u16::from(P256_N[i]);
            half[32 + i] = (v / 2) as u8;
            carry = v % 2;
        }
        assert!(is_low_s(&half));
        let mut above = half;
        above[63] += 1;
        assert!(!is_low_s(&above));
        let mut top = [0u8; 64];
        top[32..].copy_from_slice(&P256_N);
        top[63] -= 1; // n - 1
        to_low_s(&mut top);
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(&top[32..], &one);
        assert!(!is_low_s(&[0u8; 10]));
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._.._etc_passwd");
        assert_eq!(safe_name(""), "_");
        assert_eq!(safe_name("vendor wallet 1.0"), "vendor_wallet_1.0");
    }
}
