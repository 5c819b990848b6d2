//! Evidence that holds against whoever holds the store.
//!
//! A run's hash chain ([`crate::events`]) shows that no event was changed *after* its
//! successors were written; it cannot show that the whole chain was not rewritten, since
//! anyone can recompute SHA-256. This module owns what closes that gap:
//!
//! - [`HarnessKey`]: the ES256 key that signs a run's checkpoints and its bundles, kept in
//!   the store (`<store>/harness-key.jwk`, created on first use) or outside it
//!   (`--signing-key FILE`, `ACCORD_SIGNING_KEY`), and which of the two it was
//!   ([`KeySource`], recorded with every signature).
//! - Checkpoints: after each scenario, cell, finding, campaign checkpoint and the run's end,
//!   the recorder signs the head of the chain (`checkpoint-signed`). A log cut short and
//!   given a forged ending has a head nobody holding only the public key can sign.
//! - [`LogAudit`]: read alongside the chain, it verifies every checkpoint and derives the
//!   run's verdict from its scenarios, cells and findings, so a `run-finished` that claims
//!   better than its events show is caught ([`Audit::disagreement`]).
//!
//! What someone holding the store *and* the key can still forge is stated in
//! `docs/evidence.md`; a certification body keeps the key and time-stamps the head.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::events::{Envelope, Event, KeySource, Verdict};
use crate::formats::jose::{Algorithm, CompactJws, Jwk, SigningKey, VerifyingKey, sign_compact};

/// `typ` of a checkpoint's JWS header.
pub const CHECKPOINT_TYP: &str = "accord-checkpoint+jws";
/// The environment variable that names an external signing key file.
pub const SIGNING_KEY_ENV: &str = "ACCORD_SIGNING_KEY";
/// The key file in a store, created on first use.
pub const STORE_KEY_FILE: &str = "harness-key.jwk";

/// The key that signs a run's checkpoints and bundles, and where it was kept.
pub struct HarnessKey {
    key: SigningKey,
    source: KeySource,
    thumbprint: String,
    path: PathBuf,
}

impl std::fmt::Debug for HarnessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("HarnessKey")
            .field("source", &self.source)
            .field("thumbprint", &self.thumbprint)
            .field("path", &self.path)
            .finish()
    }
}

impl HarnessKey {
    /// The external key at `external` when given, else the store's own key; either is
    /// created on first use (a private JWK, mode 0600), so pointing `--signing-key` at a
    /// new path is how a certification body makes its key.
    pub fn load(store: &Path, external: Option<&Path>) -> Result<Self, String> {
        match external {
            Some(path) => Self::from_key(
                crate::evidence::bundle::load_or_create_key(path)?,
                KeySource::External,
                path,
            ),
            None => {
                let path = store.join(STORE_KEY_FILE);
                Self::from_key(
                    crate::evidence::bundle::load_or_create_key(&path)?,
                    KeySource::Store,
                    &path,
                )
            }
        }
    }

    /// A key already in hand (tests, benchmarks).
    pub fn from_key(key: SigningKey, source: KeySource, path: &Path) -> Result<Self, String> {
        if key.algorithm() != Algorithm::ES256 {
            return Err(format!(
                "{}: a harness key must be an ES256 (P-256) key, not {}",
                path.display(),
                key.algorithm().name()
            ));
        }
        Ok(Self {
            thumbprint: key.public_jwk().thumbprint(),
            key,
            source,
            path: path.to_owned(),
        })
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn source(&self) -> KeySource {
        self.source
    }

    /// RFC 7638 thumbprint of the public key.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `checkpoint-signed` event vouching that event `seq` of `run` has hash `head`.
    pub fn checkpoint(&self, run: &str, seq: u64, head: &str) -> Result<Event, String> {
        let mut header = Map::new();
        header.insert("typ".into(), CHECKPOINT_TYP.into());
        let jwk = serde_json::to_value(self.key.public_jwk()).map_err(|e| e.to_string())?;
        header.insert("jwk".into(), jwk);
        let payload = checkpoint_payload(run, seq, head);
        let jws = sign_compact(header, &payload, &self.key).map_err(|e| e.to_string())?;
        Ok(Event::CheckpointSigned {
            seq,
            head: head.to_owned(),
            key: self.thumbprint.clone(),
            key_source: self.source,
            jws,
        })
    }
}

fn checkpoint_payload(run: &str, seq: u64, head: &str) -> Map<String, Value> {
    match json!({"head": head, "run": run, "seq": seq}) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Whether an event of `kind` ends a stretch of the log worth a checkpoint: a scenario, a
/// cell, a finding, a campaign checkpoint, a harness fault or the run.
pub fn ends_a_stretch(kind: &str) -> bool {
    matches!(
        kind,
        "scenario-finished"
            | "cell-finished"
            | "finding-recorded"
            | "campaign-progressed"
            | "harness-faulted"
            | "run-finished"
    )
}

/// What reading a whole log found, beyond its hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Signed checkpoints that verified.
    pub checkpoints: u64,
    /// The key every checkpoint was signed with (thumbprint) and where it was kept.
    pub signer: Option<(String, KeySource)>,
    /// The last event a checkpoint vouches for.
    pub vouched_through: Option<u64>,
    /// The last event of the log.
    pub last_seq: Option<u64>,
    /// The run's verdict as `run-finished` records it (none: the run did not finish).
    pub recorded: Option<Verdict>,
    /// The verdict the run's scenarios, cells, findings and faults add up to.
    pub derived: Verdict,
    /// Why the log's own account of the run disagrees with its events, if it does.
    pub disagreement: Option<String>,
}

impl Default for Audit {
    fn default() -> Self {
        Self {
            checkpoints: 0,
            signer: None,
            vouched_through: None,
            last_seq: None,
            recorded: None,
            // Passed is what combining starts from: no part has said otherwise yet.
            derived: Verdict::Passed,
            disagreement: None,
        }
    }
}

impl Audit {
    /// The verdict a report shows: the recorded one, unless the events show worse.
    pub fn verdict(&self) -> Verdict {
        match self.recorded {
            Some(recorded) if self.disagreement.is_none() => recorded,
            Some(recorded) => recorded.combine(self.derived),
            None => Verdict::Inconclusive,
        }
    }

    /// Whether every event of the log is vouched for by a checkpoint (the last event is
    /// one).
    pub fn wholly_vouched(&self) -> bool {
        self.vouched_through.is_some() && self.vouched_through == self.last_seq
    }

    /// What `--key THUMBPRINT` requires: every checkpoint signed by that key, and every
    /// event vouched for. Events after the last checkpoint are what a forger who cut the
    /// log would append (a new ending, or made-up scenarios with no ending); a run that was
    /// really interrupted between two checkpoints is vouched for only up to the last one,
    /// and is refused too, with the range named.
    pub fn check_signer(&self, thumbprint: &str) -> Result<(), String> {
        let Some((signer, _)) = &self.signer else {
            return Err(format!(
                "no event is signed: nothing vouches for this log with key {thumbprint}"
            ));
        };
        if signer != thumbprint {
            return Err(format!(
                "the checkpoints are signed by key {signer}, not by {thumbprint}"
            ));
        }
        if !self.wholly_vouched() {
            let through = self
                .vouched_through
                .map_or("none".into(), |s| s.to_string());
            let last = self.last_seq.unwrap_or(0);
            return Err(if self.recorded.is_some() {
                format!(
                    "the run's end is not signed: the last checkpoint vouches for events up to \
                     {through}, the log goes on to {last} (a log cut short and given another ending)"
                )
            } else {
                format!(
                    "events after {through} (to {last}) are not vouched for: the run was \
                     interrupted after its last checkpoint, or events were appended to it"
                )
            });
        }
        Ok(())
    }
}

/// Reads a log event by event (after its hash has been checked): verifies checkpoints and
/// tallies the verdict the events show. Keeps a few fields per run, never the events, so
/// a million-event log is audited in constant memory.
#[derive(Debug, Default)]
pub struct LogAudit {
    audit: Audit,
    open_scenario: Option<String>,
    finished_at: Option<u64>,
    /// Verify checkpoint signatures (off for projections, which read logs already verified
    /// or shown as they are).
    skip_signatures: bool,
}

impl LogAudit {
    pub fn new() -> Self {
        Self::default()
    }

    /// An audit that tallies verdicts and checks where checkpoints point, without checking
    /// their signatures (for projecting a log to a report).
    pub fn without_signatures() -> Self {
        Self {
            skip_signatures: true,
            ..Self::default()
        }
    }

    /// Reads the next event. An error is a checkpoint that does not verify.
    pub fn feed(&mut self, e: &Envelope) -> Result<(), String> {
        // Only the kinds the audit reads are parsed: the rest of a log is never decoded.
        let event = match e.kind.as_str() {
            "scenario-started" | "scenario-finished" | "cell-finished" | "finding-recorded"
            | "harness-faulted" | "run-finished" | "checkpoint-signed" => e.event().ok(),
            _ => None,
        };
        self.feed_parsed(e, event.as_ref())
    }

    /// Reads the next event, already parsed (`None` when its kind is unknown to this build
    /// or of no interest).
    pub fn feed_parsed(&mut self, e: &Envelope, event: Option<&Event>) -> Result<(), String> {
        let result = self.read(e, event);
        self.audit.last_seq = Some(e.seq);
        result
    }

    fn read(&mut self, e: &Envelope, event: Option<&Event>) -> Result<(), String> {
        if let Some(finished) = self.finished_at
            && e.kind != "checkpoint-signed"
        {
            self.disagree(format!(
                "event {} ({}) follows run-finished (event {finished})",
                e.seq, e.kind
            ));
        }
        let derived = &mut self.audit.derived;
        match event {
            Some(Event::ScenarioStarted { scenario, .. }) => {
                // A scenario that starts while another has not finished leaves that one
                // without a verdict (combining with passed changes nothing).
                let unfinished = self.open_scenario.replace(scenario.clone()).is_some();
                *derived = derived.combine(if unfinished {
                    Verdict::Inconclusive
                } else {
                    Verdict::Passed
                });
            }
            Some(Event::ScenarioFinished { verdict, .. }) => {
                self.open_scenario = None;
                *derived = derived.combine(*verdict);
            }
            Some(Event::CellFinished { verdict, .. }) => *derived = derived.combine(*verdict),
            Some(Event::FindingRecorded { .. }) => *derived = derived.combine(Verdict::Failed),
            Some(Event::HarnessFaulted { .. }) => *derived = derived.combine(Verdict::Inconclusive),
            Some(Event::RunFinished { verdict }) => {
                if let Some(s) = self.open_scenario.take() {
                    *derived = derived.combine(Verdict::Inconclusive);
                    self.disagree(format!(
                        "run-finished (event {}) ends the run while scenario {s:?} has no verdict",
                        e.seq
                    ));
                }
                self.audit.recorded = Some(*verdict);
                self.finished_at = Some(e.seq);
                let derived = self.audit.derived;
                if !claims_no_better(*verdict, derived) {
                    self.disagree(format!(
                        "run-finished (event {}) says {}, but the run's scenarios, cells and \
                         findings say {}",
                        e.seq,
                        verdict.as_str(),
                        derived.as_str()
                    ));
                }
            }
            Some(Event::CheckpointSigned {
                seq,
                head,
                key,
                key_source,
                jws,
            }) => self.checkpoint(e, *seq, head, key, *key_source, jws)?,
            _ => {}
        }
        Ok(())
    }

    fn disagree(&mut self, reason: String) {
        // The first disagreement is the one to name.
        if self.audit.disagreement.is_none() {
            self.audit.disagreement = Some(reason);
        }
    }

    fn checkpoint(
        &mut self,
        e: &Envelope,
        seq: u64,
        head: &str,
        key: &str,
        source: KeySource,
        jws: &str,
    ) -> Result<(), String> {
        // The event before a checkpoint is the one it vouches for; its hash is this event's
        // `prev_hash` (which the chain verifies), so nothing per event is kept for it.
        if e.seq == 0 {
            return Err("a checkpoint cannot be the first event".into());
        }
        if seq.checked_add(1) != Some(e.seq) || head != e.prev_hash {
            return Err(format!(
                "the checkpoint names event {seq} with hash {head}, but it follows event {} \
                 with hash {}",
                e.seq - 1,
                e.prev_hash
            ));
        }
        match &self.audit.signer {
            Some((signer, signer_source)) if signer != key || *signer_source != source => {
                return Err(format!(
                    "the checkpoint is signed by key {key} ({}), earlier ones by {signer} ({})",
                    source.describe(),
                    signer_source.describe()
                ));
            }
            _ => {}
        }
        if !self.skip_signatures {
            verify_checkpoint(jws, &e.run_id, seq, head, key)?;
        }
        self.audit.signer = Some((key.to_owned(), source));
        self.audit.checkpoints += 1;
        self.audit.vouched_through = Some(e.seq);
        Ok(())
    }

    pub fn finish(self) -> Audit {
        self.audit
    }

    pub fn audit(&self) -> &Audit {
        &self.audit
    }
}

/// A recorded verdict is no better than the derived one: a pass needs every part passed, a
/// not-implemented needs no failure; failed and inconclusive claim nothing in the run's
/// favour.
fn claims_no_better(recorded: Verdict, derived: Verdict) -> bool {
    match recorded {
        Verdict::Passed => derived == Verdict::Passed,
        Verdict::NotImplemented => matches!(derived, Verdict::Passed | Verdict::NotImplemented),
        Verdict::Failed | Verdict::Inconclusive => true,
    }
}

/// Checks a checkpoint's JWS: ES256, its `typ`, a public P-256 key in its header whose
/// thumbprint is `key`, and a payload naming exactly this run, event and hash.
pub fn verify_checkpoint(
    jws: &str,
    run: &str,
    seq: u64,
    head: &str,
    key: &str,
) -> Result<(), String> {
    let parsed = CompactJws::parse(jws).map_err(|e| format!("the checkpoint's JWS: {e}"))?;
    if parsed.algorithm().ok() != Some(Algorithm::ES256) {
        return Err("the checkpoint's JWS is not ES256".into());
    }
    if parsed.typ() != Some(CHECKPOINT_TYP) {
        return Err(format!("the checkpoint's JWS typ is not {CHECKPOINT_TYP}"));
    }
    let jwk = parsed
        .header
        .get("jwk")
        .and_then(|j| serde_json::from_value::<Jwk>(j.clone()).ok())
        .filter(|j| j.d.is_none());
    let Some(jwk) = jwk else {
        return Err("the checkpoint's JWS header carries no public key".into());
    };
    if jwk.thumbprint() != key {
        return Err(format!(
            "the checkpoint names key {key}, its signature carries key {}",
            jwk.thumbprint()
        ));
    }
    let verifying = VerifyingKey::from_jwk(&jwk).map_err(|e| format!("the checkpoint key: {e}"))?;
    parsed
        .verify(&verifying)
        .map_err(|e| format!("the checkpoint's signature does not verify: {e}"))?;
    if parsed.payload != checkpoint_payload(run, seq, head) {
        return Err("the checkpoint's signature covers another run, event or hash".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededEntropy;
    use crate::events::GENESIS;

    fn key(label: &str) -> HarnessKey {
        let k = SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(7, label)).unwrap();
        HarnessKey::from_key(k, KeySource::External, Path::new("k.jwk")).unwrap()
    }

    /// A run of `verdicts` scenarios, a checkpoint after each and after `run-finished`.
    fn run(verdicts: &[Verdict], finished: Verdict, signer: &HarnessKey) -> Vec<Envelope> {
        let mut log: Vec<Envelope> = Vec::new();
        let push = |log: &mut Vec<Envelope>, ev: Event| {
            let prev = log.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let seq = log.len() as u64;
            log.push(Envelope::seal("r", seq, 0, &ev, &prev));
            if ends_a_stretch(ev.kind()) {
                let head = log.last().unwrap().hash.clone();
                let cp = signer.checkpoint("r", seq, &head).unwrap();
                log.push(Envelope::seal("r", seq + 1, 0, &cp, &head));
            }
        };
        for (i, v) in verdicts.iter().enumerate() {
            push(
                &mut log,
                Event::ScenarioStarted {
                    feature: "f".into(),
                    scenario: format!("s{i}"),
                    line: 1,
                    tags: vec![],
                    example: vec![],
                },
            );
            push(
                &mut log,
                Event::ScenarioFinished {
                    feature: "f".into(),
                    scenario: format!("s{i}"),
                    verdict: *v,
                },
            );
        }
        push(&mut log, Event::RunFinished { verdict: finished });
        log
    }

    fn audit(log: &[Envelope]) -> Result<Audit, String> {
        let mut a = LogAudit::new();
        for e in log {
            a.feed(e)?;
        }
        Ok(a.finish())
    }

    #[test]
    fn an_honest_log_is_vouched_for_to_its_end() {
        let k = key("a");
        let log = run(&[Verdict::Passed, Verdict::Failed], Verdict::Failed, &k);
        let a = audit(&log).unwrap();
        assert_eq!(a.checkpoints, 3);
        assert!(a.disagreement.is_none());
        assert!(a.recorded.is_some() && a.wholly_vouched());
        a.check_signer(k.thumbprint()).unwrap();
        assert!(a.check_signer(key("b").thumbprint()).is_err());
        assert_eq!(a.verdict(), Verdict::Failed);
    }

    #[test]
    fn a_run_finished_better_than_its_scenarios_disagrees() {
        let k = key("a");
        let log = run(&[Verdict::Passed, Verdict::Failed], Verdict::Passed, &k);
        let a = audit(&log).unwrap();
        assert!(a.disagreement.as_deref().unwrap().contains("says passed"));
        assert_eq!(a.verdict(), Verdict::Failed);
        // Recording worse than the events show claims nothing in the run's favour.
        let log = run(&[Verdict::Passed], Verdict::Inconclusive, &k);
        assert!(audit(&log).unwrap().disagreement.is_none());
    }

    #[test]
    fn a_cut_log_with_a_new_end_is_not_vouched_for() {
        let k = key("a");
        let mut log = run(&[Verdict::Passed, Verdict::Failed], Verdict::Failed, &k);
        // Keep the first scenario and its checkpoint, then append an unsigned end.
        log.truncate(3);
        let prev = log.last().unwrap().hash.clone();
        let end = Event::RunFinished {
            verdict: Verdict::Passed,
        };
        log.push(Envelope::seal("r", 3, 0, &end, &prev));
        let a = audit(&log).unwrap();
        assert!(
            a.disagreement.is_none(),
            "the forged end agrees with what is left"
        );
        let err = a.check_signer(k.thumbprint()).unwrap_err();
        assert!(err.contains("end is not signed"), "{err}");
    }

    #[test]
    fn a_checkpoint_from_another_key_or_over_another_head_is_refused() {
        let (k, other) = (key("a"), key("b"));
        let log = run(&[Verdict::Passed], Verdict::Passed, &k);
        // Re-sign the last checkpoint with another key: a change of signer mid-log.
        let mut forged = log.clone();
        let last = forged.len() - 1;
        let head = forged[last - 1].hash.clone();
        let cp = other.checkpoint("r", last as u64 - 1, &head).unwrap();
        forged[last] = Envelope::seal("r", last as u64, 0, &cp, &head);
        assert!(audit(&forged).unwrap_err().contains("earlier ones by"));
        // A checkpoint whose signature covers another head.
        let mut forged = log.clone();
        let wrong = other.checkpoint("r", 0, GENESIS).unwrap();
        let Event::CheckpointSigned { jws, .. } = wrong else {
            unreachable!()
        };
        let mut payload = serde_json::to_value(forged[last].event().unwrap()).unwrap();
        payload["payload"]["jws"] = jws.into();
        let ev: Event = serde_json::from_value(payload).unwrap();
        forged[last] = Envelope::seal("r", last as u64, 0, &ev, &head);
        let err = audit(&forged).unwrap_err();
        assert!(err.contains("key"), "{err}");
    }
}
