//! The event store: one append-only stream per run.
//!
//! [`EventStore`] is the trait every backend implements and [`conformance`] is the test suite
//! they must all pass: [`embedded::EmbeddedStore`] (JSON Lines files, the default, no server)
//! and [`memory::MemoryStore`]; a shared backend (PostgreSQL) can follow behind the same trait.
//!
//! Appends carry the sequence number the writer expects to be next (optimistic concurrency):
//! a writer that is behind gets [`StoreError::Conflict`] instead of a gap or a duplicate. Each
//! run is its own fault domain: a torn or corrupt log affects that run only.

#[doc(hidden)]
pub mod conformance;
pub mod embedded;
pub mod memory;
pub mod resolve;

pub use resolve::{ResolveError, resolve_run};

use std::sync::Arc;

use crate::entropy::Clock;
use crate::events::{Envelope, Event, GENESIS};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no run `{0}` in the store")]
    UnknownRun(String),
    #[error("run `{0}` already exists")]
    RunExists(String),
    #[error(
        "append to run `{run}` expected event {expected} to be next, but the log has {actual} events"
    )]
    Conflict {
        run: String,
        expected: u64,
        actual: u64,
    },
    #[error("{path}:{line}: {message}")]
    Corrupt {
        path: String,
        line: usize,
        message: String,
    },
    #[error("run `{run}`: cannot sign a checkpoint: {message}")]
    Sign { run: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// How a run's log ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Every line is a complete event.
    Clean,
    /// The last line is incomplete (the writer was killed mid-write): the events before it
    /// are intact and returned; the torn bytes are reported, never silently dropped.
    Torn { line: usize, bytes: usize },
}

/// A run's events as read back.
#[derive(Debug, Clone)]
pub struct ReadLog {
    pub events: Vec<Envelope>,
    pub tail: Tail,
}

/// A backend that stores runs' event streams.
pub trait EventStore: Send + Sync {
    /// Starts a new, empty run.
    fn create_run(&self, run_id: &str) -> Result<(), StoreError>;
    /// Appends `events`, which must start at sequence number `expected_next`.
    fn append(
        &self,
        run_id: &str,
        expected_next: u64,
        events: &[Envelope],
    ) -> Result<(), StoreError>;
    /// Reads a run's log.
    fn read(&self, run_id: &str) -> Result<ReadLog, StoreError>;
    /// Every run id, oldest first.
    fn list(&self) -> Result<Vec<String>, StoreError>;
    /// Makes what was appended durable (fsync for files).
    fn sync(&self, run_id: &str) -> Result<(), StoreError>;

    /// When a run started: the time (`at`) of its first event, `None` when it has none or
    /// its log is corrupt or gone (such a run has no start to order it by). Backends
    /// may read the first event alone; `latest` asks this of every run.
    fn started_at(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        match self.read(run_id) {
            Ok(log) => Ok(log.events.into_iter().next().map(|e| e.at)),
            Err(StoreError::Corrupt { .. } | StoreError::UnknownRun(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Verifies a run's hash chain. Backends may stream instead of reading the log whole.
    fn verify(&self, run_id: &str) -> Result<Verified, StoreError> {
        let log = self.read(run_id)?;
        let mut chain = crate::events::ChainVerifier::for_run(run_id);
        let result = chain.feed(&log.events);
        Ok(Verified {
            events: chain.verified(),
            tail: log.tail,
            broken: result.err(),
            audit: chain.finish(),
        })
    }
}

/// The outcome of verifying a run's log.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Events read (all of them when intact; up to and including the break otherwise).
    pub events: u64,
    pub tail: Tail,
    pub broken: Option<crate::events::ChainBreak>,
    /// Checkpoints and verdict agreement of the events that verified.
    pub audit: crate::evidence::checkpoint::Audit,
}

/// The single writer of one run: assigns sequence numbers, chains hashes, stamps the time,
/// and (given a key) signs the head of the chain after every event that ends a stretch of
/// the run ([`crate::evidence::checkpoint::ends_a_stretch`]).
pub struct RunRecorder {
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
    run_id: String,
    next_seq: u64,
    last_hash: String,
    signer: Option<Arc<crate::evidence::checkpoint::HarnessKey>>,
}

impl RunRecorder {
    /// Starts recording a new run.
    pub fn create(
        store: Arc<dyn EventStore>,
        clock: Arc<dyn Clock>,
        run_id: &str,
    ) -> Result<Self, StoreError> {
        store.create_run(run_id)?;
        Ok(Self {
            store,
            clock,
            run_id: run_id.to_owned(),
            next_seq: 0,
            last_hash: GENESIS.to_owned(),
            signer: None,
        })
    }

    /// Signs checkpoints with `key` from now on.
    pub fn with_checkpoints(
        mut self,
        key: Option<Arc<crate::evidence::checkpoint::HarnessKey>>,
    ) -> Self {
        self.signer = key;
        self
    }

    /// Continues recording a run whose log is whole and verifies (an interrupted fuzzing
    /// campaign). Returns the recorder and the events so far. A log with a torn last line or
    /// a broken chain is refused: appending to it would hide the damage.
    pub fn resume(
        store: Arc<dyn EventStore>,
        clock: Arc<dyn Clock>,
        run_id: &str,
    ) -> Result<(Self, Vec<Envelope>), StoreError> {
        let log = store.read(run_id)?;
        if let Tail::Torn { line, bytes } = log.tail {
            return Err(StoreError::Corrupt {
                path: run_id.to_owned(),
                line,
                message: format!(
                    "the log ends with a torn line ({bytes} bytes); it cannot be continued"
                ),
            });
        }
        if let Err(b) = crate::events::verify_chain(&log.events) {
            return Err(StoreError::Corrupt {
                path: run_id.to_owned(),
                line: b.seq as usize + 1,
                message: format!("the hash chain is broken: {}", b.reason),
            });
        }
        let Some(last) = log.events.last() else {
            return Err(StoreError::UnknownRun(run_id.to_owned()));
        };
        let recorder = Self {
            store,
            clock,
            run_id: run_id.to_owned(),
            next_seq: last.seq + 1,
            last_hash: last.hash.clone(),
            signer: None,
        };
        Ok((recorder, log.events))
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Seals and appends one event. A failure here makes the run inconclusive: without its
    /// log a run proves nothing.
    pub fn record(&mut self, event: &Event) -> Result<Envelope, StoreError> {
        let envelope = self.append(event)?;
        if let Some(key) = &self.signer
            && crate::evidence::checkpoint::ends_a_stretch(event.kind())
        {
            let checkpoint = key
                .checkpoint(&self.run_id, envelope.seq, &envelope.hash)
                .map_err(|message| StoreError::Sign {
                    run: self.run_id.clone(),
                    message,
                })?;
            self.append(&checkpoint)?;
        }
        Ok(envelope)
    }

    fn append(&mut self, event: &Event) -> Result<Envelope, StoreError> {
        let at_ms = self.clock.now_ms();
        let envelope = Envelope::seal(&self.run_id, self.next_seq, at_ms, event, &self.last_hash);
        self.store
            .append(&self.run_id, self.next_seq, std::slice::from_ref(&envelope))?;
        self.next_seq += 1;
        self.last_hash.clone_from(&envelope.hash);
        Ok(envelope)
    }

    pub fn sync(&self) -> Result<(), StoreError> {
        self.store.sync(&self.run_id)
    }
}
