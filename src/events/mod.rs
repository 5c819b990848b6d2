//! Accord's events: the serialisable, versioned, past-tense facts a run is made of, and the
//! hash-chained envelope each is stored in.
//!
//! Everything a person reads about a run (verdicts, reports, snapshots) is a projection of
//! these events. Framework types (cucumber's events, HTTP client types) are translated into
//! them at the boundary and never stored.
//!
//! **Architecture invariant:** changing the shape of [`Event`] or [`Envelope`] requires a
//! bump of [`FORMAT_VERSION`] and a line in its history.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use aws_lc_rs::digest::{SHA256, digest};

mod players;
pub use players::{ImageRecord, ManifestRecord, Part, PlayerRecord};

/// The event log format.
///
/// History:
/// - 1: envelope `{run_id, seq, at, kind, payload, prev_hash, hash}`, `seq` from 0,
///   `prev_hash` of the first event is [`GENESIS`], `hash` = hex SHA-256 of the RFC 8785
///   canonical JSON of the envelope without `hash`; `at` is RFC 3339 UTC with milliseconds.
/// - 2: `run-started.seed` is a decimal string (a u64 above 2^53 has no exact RFC 8785 form).
/// - 3: cells (`cell-started`, `cell-finished`: which implementations played together),
///   `fault-injected` and `container-logged`. A run's scenarios are recorded between the
///   `cell-started` and `cell-finished` of their cell.
/// - 4: `run-started.now` (the protocol clock of the run, Unix seconds) and
///   `run-started.replay_of` (the run a replay re-drove), `cell-started.pki_seed`,
///   `replay-differed`. Logs of format 3 read as before (the new fields are optional).
/// - 5: fuzzing campaigns: `campaign-started`, `campaign-progressed`, `finding-recorded`.
///   A campaign's findings are scenarios of its cell, so every projection reads them.
/// - 6: certification: `check-evaluated.subject` (the part whose answer the check judged),
///   `run-started.profile` (the certification profile the run was asked for), and players
///   in `cell-started` with their variant `options`, their `manifest` (path, SHA-256, text)
///   and a container's `image` (name and engine id). Logs of format 5 read as before: their
///   checks judge no part, their players carry no manifest.
/// - 7: `run-started.security`: whether the roles Accord started spoke HTTPS (`https`) or
///   plain HTTP (`plain-http`, by the explicit `--plain-http` flag only). Logs of format 6
///   and earlier lack it; their roles spoke plain HTTP.
/// - 8: `checkpoint-signed`: the harness signs the head of the chain after each scenario,
///   cell, finding and the run's end, with a key kept in the store or outside it
///   (`key_source`). Logs of format 7 and earlier have no checkpoints and are vouched for by
///   their hash chain alone.
/// - 9: `scenario-started.example`: the values of a scenario-outline row, in the order of
///   its Examples table, so its rows can be told apart. Logs of format 8 and earlier lack it
///   (their outline rows share one name).
pub const FORMAT_VERSION: u32 = 9;

/// `prev_hash` of the first event of a run.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The outcome of a check, a scenario or a run. Kept apart because they mean different
/// things to a vendor: a failure is the implementation's, an inconclusive result is the
/// harness's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    /// A requirement was not met.
    Failed,
    /// The implementation declared or answered that it does not support the feature.
    NotImplemented,
    /// The harness could not decide (a harness fault, a lost log).
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotImplemented => "not-implemented",
            Verdict::Inconclusive => "inconclusive",
        }
    }

    /// The verdict of a whole made of parts: inconclusive beats failed beats not
    /// implemented beats passed.
    pub fn combine(self, other: Verdict) -> Verdict {
        let rank = |v: Verdict| match v {
            Verdict::Passed => 0,
            Verdict::NotImplemented => 1,
            Verdict::Failed => 2,
            Verdict::Inconclusive => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    Passed,
    Failed,
    Skipped,
}

/// One fact of a run. Serialised adjacently tagged: `{"kind": "...", "payload": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "kebab-case")]
pub enum Event {
    /// The first event of every run: what is needed to reproduce it.
    RunStarted {
        format: u32,
        harness_version: String,
        /// Decimal: RFC 8785 writes numbers as IEEE doubles, which cannot hold every u64.
        seed: String,
        features: String,
        tags: Option<String>,
        /// The instant every role's clock is fixed at during the run (Unix seconds): with the
        /// seed, what makes a run reproducible.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        now: Option<i64>,
        /// For a replay: the run whose recording it re-drove.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replay_of: Option<String>,
        /// The certification profile the run was asked for (`eu-jp-academic/verifier`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        /// HTTPS or plain HTTP between the roles Accord started (format 7; absent before,
        /// when it was plain HTTP).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        security: Option<crate::tls::Security>,
    },
    FeatureStarted {
        feature: String,
        path: String,
    },
    ScenarioStarted {
        feature: String,
        scenario: String,
        line: u64,
        tags: Vec<String>,
        /// A scenario-outline row's values: `(column, value)` in the Examples table's order.
        /// Empty for a plain scenario.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        example: Vec<(String, String)>,
    },
    StepFinished {
        scenario: String,
        step: String,
        line: u64,
        outcome: StepOutcome,
        message: Option<String>,
    },
    /// A requirement was checked.
    CheckEvaluated {
        scenario: String,
        /// The part whose answer the check judged (`verifier-jp`); absent where the check
        /// judged Accord's own credential core (the in-process features).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        requirement: String,
        level: String,
        section: String,
        expected: String,
        actual: String,
        verdict: Verdict,
    },
    ScenarioFinished {
        feature: String,
        scenario: String,
        verdict: Verdict,
    },
    /// One HTTP exchange between roles (or between the harness and a role's control API),
    /// request and response in full: the evidence a replay needs. Human reports redact it
    /// ([`crate::transport::redact`]).
    HttpExchange {
        scenario: String,
        exchange: crate::transport::Exchange,
    },
    /// A cell begins: the implementations that play each part. Its scenarios follow.
    CellStarted {
        cell: String,
        players: Vec<PlayerRecord>,
        /// The seed of the test PKI the cell's players share (decimal), when it is not the
        /// run's seed (compose services are built with their own).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pki_seed: Option<String>,
    },
    /// A cell ended. `blocked` says why it ran nothing (capabilities that do not meet, a
    /// manifest that cannot be read, a player that could not start); `not_applicable` lists
    /// the scenarios it skipped and why.
    CellFinished {
        cell: String,
        verdict: Verdict,
        blocked: Option<String>,
        not_applicable: Vec<String>,
    },
    /// The harness broke something on purpose (a restart, a pause, a proxy fault).
    FaultInjected {
        scenario: String,
        part: String,
        fault: String,
    },
    /// What a container or compose service logged while it played (kept for evidence).
    ContainerLogged {
        cell: String,
        part: String,
        logs: String,
    },
    /// A replay sent a recorded request and the implementation's answer, normalised, differs
    /// from the recorded one at `path` (`accord replay --against`).
    ReplayDiffered {
        scenario: String,
        /// The exchange's position among the scenario's recorded exchanges, from 1.
        exchange: u64,
        /// Method and normalised URL of the request.
        request: String,
        path: String,
        recorded: Option<Value>,
        replayed: Option<Value>,
        /// Catalogue requirements either side names (a verdict, a violation).
        requirements: Vec<String>,
    },
    /// A fuzzing campaign begins (after `run-started`): its role, target and budget. Cases
    /// are numbered from 0 and generated from the run's seed and their number alone.
    CampaignStarted {
        /// `verifier`, `wallet` or `issuer`.
        role: String,
        /// The implementation under test (`accord-reference` or a manifest's id).
        target: String,
        /// The part it plays (`verifier-jp`, …).
        part: String,
        cases: Option<u64>,
        duration_s: Option<u64>,
        jobs: u64,
        /// `generated`, or the regression seeds being re-checked.
        source: String,
        /// The manifest the target was read from (absent for Accord's reference role), so
        /// a resumed campaign starts the same implementation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manifest: Option<String>,
        /// Whether every clock was fixed at `run-started.now` (`--now`); otherwise the roles
        /// and the cases follow the system clock.
        fixed_clock: bool,
        /// A builtin verifier fetched trust lists per response (`--fetch-trust-lists`).
        #[serde(default)]
        fetch_trust_lists: bool,
    },
    /// Every case numbered below `next_case` has been run (a checkpoint a resumed campaign
    /// continues from).
    CampaignProgressed {
        next_case: u64,
        cases_run: u64,
        /// Cases whose answer was a finding, counted before deduplication.
        findings: u64,
        elapsed_ms: u64,
    },
    /// A finding, shrunk: the case that still shows it after shrinking, in full (a
    /// regression seed), what was expected and what the implementation answered. The
    /// scenario it belongs to holds the re-run's exchanges and the failed check.
    FindingRecorded {
        scenario: String,
        /// The number of the case it was first seen in.
        index: u64,
        /// `kind:mutation`, e.g. `wrong-accept:kb-aud-wrong`: findings are deduplicated by it.
        signature: String,
        expected: String,
        observed: String,
        requirement: String,
        case: Value,
        shrink_steps: u64,
    },
    /// The harness itself failed; the run cannot be trusted to be complete.
    HarnessFaulted {
        message: String,
    },
    RunFinished {
        verdict: Verdict,
    },
    /// The harness signed the head of the chain: `head` is the hash of event `seq`, the
    /// event just before this one. `jws` is a compact ES256 JWS over
    /// `{"head", "run", "seq"}` with the public key in its header; `key` is that key's
    /// RFC 7638 thumbprint. Whoever holds the public key can tell a log that was cut short
    /// and given a forged ending: the forger cannot sign the new head.
    CheckpointSigned {
        seq: u64,
        head: String,
        key: String,
        key_source: KeySource,
        jws: String,
    },
}

/// Where the key that signs a run's checkpoints and bundles was kept: a key in the store
/// can be used by anyone who holds the store, so evidence signed with it proves only that
/// the log was not altered by someone without the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// `<store>/harness-key.jwk`, created on first use.
    Store,
    /// A key file given by `--signing-key` or `ACCORD_SIGNING_KEY`, kept outside the store.
    External,
}

impl KeySource {
    pub fn describe(self) -> &'static str {
        match self {
            KeySource::Store => "a key kept in the run's store",
            KeySource::External => "a key kept outside the store",
        }
    }
}

impl Event {
    /// The `kind` string this event is stored under.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::RunStarted { .. } => "run-started",
            Event::FeatureStarted { .. } => "feature-started",
            Event::ScenarioStarted { .. } => "scenario-started",
            Event::StepFinished { .. } => "step-finished",
            Event::CheckEvaluated { .. } => "check-evaluated",
            Event::ScenarioFinished { .. } => "scenario-finished",
            Event::HttpExchange { .. } => "http-exchange",
            Event::HarnessFaulted { .. } => "harness-faulted",
            Event::CellStarted { .. } => "cell-started",
            Event::CellFinished { .. } => "cell-finished",
            Event::FaultInjected { .. } => "fault-injected",
            Event::ContainerLogged { .. } => "container-logged",
            Event::ReplayDiffered { .. } => "replay-differed",
            Event::CampaignStarted { .. } => "campaign-started",
            Event::CampaignProgressed { .. } => "campaign-progressed",
            Event::FindingRecorded { .. } => "finding-recorded",
            Event::RunFinished { .. } => "run-finished",
            Event::CheckpointSigned { .. } => "checkpoint-signed",
        }
    }
}

/// An event as stored: its place in the run and in the hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub run_id: String,
    pub seq: u64,
    /// Harness clock, RFC 3339 UTC with milliseconds.
    pub at: String,
    pub kind: String,
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The envelope without its hash: what the hash covers. Fields in RFC 8785 (sorted) order,
/// which the fast path in `canonical_unsealed` relies on.
#[derive(Serialize)]
struct Unsealed<'a> {
    at: &'a str,
    kind: &'a str,
    payload: &'a Value,
    prev_hash: &'a str,
    run_id: &'a str,
    seq: u64,
}

/// True when serde_json's compact output of `v` is its RFC 8785 form: no floats, ASCII keys.
fn jcs_safe(v: &Value) -> bool {
    match v {
        // RFC 8785 writes numbers as doubles: integers beyond 2^53 would be rounded.
        Value::Number(n) => {
            n.as_i64().is_some_and(|i| i.unsigned_abs() <= 1 << 53)
                || n.as_u64().is_some_and(|u| u <= 1 << 53)
        }
        Value::Array(a) => a.iter().all(jcs_safe),
        Value::Object(m) => m.iter().all(|(k, v)| k.is_ascii() && jcs_safe(v)),
        Value::Null | Value::Bool(_) | Value::String(_) => true,
    }
}

impl Envelope {
    /// Wraps `event` as event `seq` of `run_id`, chained to `prev_hash`.
    pub fn seal(run_id: &str, seq: u64, at_ms: i64, event: &Event, prev_hash: &str) -> Self {
        let (kind, payload) = match serde_json::to_value(event) {
            Ok(Value::Object(mut m)) => (
                m.remove("kind")
                    .and_then(|k| k.as_str().map(str::to_owned))
                    .unwrap_or_else(|| event.kind().to_owned()),
                m.remove("payload").unwrap_or(Value::Null),
            ),
            // Events are plain data; serialisation cannot fail or yield a non-object.
            _ => (event.kind().to_owned(), Value::Null),
        };
        let mut e = Self {
            run_id: run_id.to_owned(),
            seq,
            at: format_at(at_ms),
            kind,
            payload,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    /// Hex SHA-256 over the RFC 8785 canonical JSON of the envelope without `hash`.
    pub fn compute_hash(&self) -> String {
        hex(digest(&SHA256, &self.canonical_unsealed()).as_ref())
    }

    /// RFC 8785 canonical JSON of the envelope without `hash`.
    ///
    /// For the values Accord writes (ASCII object keys, no floating-point numbers) serde_json's
    /// compact output with sorted maps *is* the canonical form: the same key order (byte order
    /// equals UTF-16 order for ASCII), the same string escaping, the same integers. That fast
    /// path is taken when the payload qualifies; anything else goes through the general
    /// canonicaliser.
    fn canonical_unsealed(&self) -> Vec<u8> {
        let unsealed = Unsealed {
            at: &self.at,
            kind: &self.kind,
            payload: &self.payload,
            prev_hash: &self.prev_hash,
            run_id: &self.run_id,
            seq: self.seq,
        };
        if jcs_safe(&self.payload) {
            serde_json::to_vec(&unsealed).unwrap_or_default()
        } else {
            serde_json_canonicalizer::to_vec(&unsealed).unwrap_or_default()
        }
    }

    /// The typed event, when this build knows its kind.
    pub fn event(&self) -> Result<Event, serde_json::Error> {
        serde_json::from_value(serde_json::json!({"kind": self.kind, "payload": self.payload}))
    }
}

/// Hex SHA-256 of `bytes`, as the log, manifests records and evidence bundles write digests.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest(&SHA256, bytes).as_ref())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-27T00:30:00.123Z`.
pub fn format_at(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Where a hash chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {seq}: {reason}")]
pub struct ChainBreak {
    /// The position of the first event that does not verify (its index in the log).
    pub seq: u64,
    pub reason: String,
}

/// Checks a run's log: sequence numbers from 0 without gaps, one run id, each `prev_hash` the
/// previous `hash`, each `hash` recomputed, each signed checkpoint verified.
pub fn verify_chain(events: &[Envelope]) -> Result<(), ChainBreak> {
    verify_log(events).map(|_| ())
}

/// [`verify_chain`], and what the log's audit found: its checkpoints' signer and how far
/// they vouch, and whether its `run-finished` agrees with its events.
pub fn verify_log(events: &[Envelope]) -> Result<crate::evidence::checkpoint::Audit, ChainBreak> {
    let mut v = ChainVerifier::default();
    v.feed(events)?;
    Ok(v.finish())
}

/// Verifies a log fed in consecutive pieces, so a long log never has to be in memory whole.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    next_seq: u64,
    prev_hash: Option<String>,
    run_id: Option<String>,
    audit: crate::evidence::checkpoint::LogAudit,
}

impl ChainVerifier {
    /// A verifier that also requires every event to belong to `run` (a log copied over
    /// another run's is refused at its first event).
    pub fn for_run(run: &str) -> Self {
        Self {
            run_id: Some(run.to_owned()),
            ..Self::default()
        }
    }

    /// How many events have verified so far.
    pub fn verified(&self) -> u64 {
        self.next_seq
    }

    /// What the audit found in the events verified so far.
    pub fn finish(self) -> crate::evidence::checkpoint::Audit {
        self.audit.finish()
    }

    /// Verifies the next events of the log.
    pub fn feed(&mut self, events: &[Envelope]) -> Result<(), ChainBreak> {
        // Recomputing the hashes is the expensive part and each depends on its own event
        // only: do it on every core, then walk the chain.
        let recomputed = recompute_hashes(events);
        for (e, computed) in events.iter().zip(&recomputed) {
            let i = self.next_seq;
            let broken = |reason: String| Err(ChainBreak { seq: i, reason });
            let run_id = self.run_id.get_or_insert_with(|| e.run_id.clone());
            if e.seq != i {
                return broken(format!("sequence number is {}, expected {i}", e.seq));
            }
            if e.run_id != *run_id {
                return broken(format!(
                    "run id {} differs from the log's {run_id}",
                    e.run_id
                ));
            }
            let prev = self.prev_hash.as_deref().unwrap_or(GENESIS);
            if e.prev_hash != prev {
                return broken(format!(
                    "prev_hash {} is not the previous event's hash {prev}",
                    e.prev_hash
                ));
            }
            if e.hash != *computed {
                return broken(format!(
                    "hash {} does not match its content (recomputed {computed})",
                    e.hash
                ));
            }
            if let Err(reason) = self.audit.feed(e) {
                return broken(reason);
            }
            self.prev_hash = Some(e.hash.clone());
            self.next_seq += 1;
        }
        Ok(())
    }
}

fn recompute_hashes(events: &[Envelope]) -> Vec<String> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || events.len() < 4096 {
        return events.iter().map(Envelope::compute_hash).collect();
    }
    let chunk = events.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = events
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(Envelope::compute_hash).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            // A hashing thread cannot panic (hashing is total); join errors are impossible.
            // A failed join leaves an empty hash, which never matches: the event is reported
            // broken rather than skipped.
            .flat_map(|h| h.join().unwrap_or_else(|_| vec![String::new(); chunk]))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<Envelope> {
        let mut out: Vec<Envelope> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let ev = Event::HarnessFaulted {
                message: format!("m{i}"),
            };
            out.push(Envelope::seal(
                "r",
                i,
                1_700_000_000_000 + i as i64,
                &ev,
                &prev,
            ));
        }
        out
    }

    #[test]
    fn sealed_chains_verify_and_round_trip() {
        let c = chain(5);
        verify_chain(&c).unwrap();
        for e in &c {
            let line = serde_json::to_string(e).unwrap();
            let back: Envelope = serde_json::from_str(&line).unwrap();
            assert_eq!(&back, e);
            assert!(matches!(
                back.event().unwrap(),
                Event::HarnessFaulted { .. }
            ));
        }
        assert_eq!(c[0].at, "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn breaks_are_named() {
        let mut c = chain(4);
        c[2].payload = serde_json::json!({"message": "edited"});
        assert_eq!(verify_chain(&c).unwrap_err().seq, 2);
        let mut c = chain(4);
        c.remove(1);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 1);
    }

    #[test]
    fn the_fast_canonical_form_is_rfc_8785() {
        // Payloads Accord writes, and ones with non-ASCII text and escapes: both paths agree.
        for payload in [
            serde_json::json!({"b": 1, "a": [true, null, "x"], "c": {"z": "髙橋\n\u{1f}", "y": -3}}),
            serde_json::json!({"message": "tab\t quote\" slash/ é"}),
        ] {
            let e = Envelope {
                run_id: "r".into(),
                seq: 7,
                at: "2026-01-01T00:00:00.000Z".into(),
                kind: "k".into(),
                payload,
                prev_hash: GENESIS.into(),
                hash: String::new(),
            };
            assert!(jcs_safe(&e.payload));
            let general = serde_json_canonicalizer::to_vec(&Unsealed {
                at: &e.at,
                kind: &e.kind,
                payload: &e.payload,
                prev_hash: &e.prev_hash,
                run_id: &e.run_id,
                seq: e.seq,
            })
            .unwrap();
            assert_eq!(e.canonical_unsealed(), general);
        }
        assert!(!jcs_safe(&serde_json::json!({"f": 1.5})));
        // Beyond 2^53 a u64 has no exact RFC 8785 form: the general path takes it.
        assert!(!jcs_safe(&serde_json::json!({"seed": u64::MAX})));
        assert!(jcs_safe(&serde_json::json!({"seed": 1u64 << 53})));
        assert!(!jcs_safe(&serde_json::json!({"ключ": 1})));
    }

    #[test]
    fn verdicts_combine_worst_first() {
        use Verdict::*;
        assert_eq!(Passed.combine(Failed), Failed);
        assert_eq!(Failed.combine(NotImplemented), Failed);
        assert_eq!(NotImplemented.combine(Passed), NotImplemented);
        assert_eq!(Failed.combine(Inconclusive), Inconclusive);
    }
}
