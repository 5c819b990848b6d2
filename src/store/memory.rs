//! An in-memory [`EventStore`], for tests and for runs that need no record.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{EventStore, ReadLog, StoreError, Tail};
use crate::events::Envelope;

/// Run ids in creation order, and run id → events.
type Runs = (Vec<String>, BTreeMap<String, Vec<Envelope>>);

#[derive(Default)]
pub struct MemoryStore {
    runs: Mutex<Runs>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runs> {
        // A panic while holding the lock cannot leave the map half-updated (each update is
        // one push or insert), so a poisoned lock is still consistent.
        self.runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl EventStore for MemoryStore {
    fn create_run(&self, run_id: &str) -> Result<(), StoreError> {
        let mut g = self.lock();
        if g.1.contains_key(run_id) {
            return Err(StoreError::RunExists(run_id.to_owned()));
        }
        g.0.push(run_id.to_owned());
        g.1.insert(run_id.to_owned(), Vec::new());
        Ok(())
    }

    fn append(
        &self,
        run_id: &str,
        expected_next: u64,
        events: &[Envelope],
    ) -> Result<(), StoreError> {
        let mut g = self.lock();
        let log =
            g.1.get_mut(run_id)
                .ok_or_else(|| StoreError::UnknownRun(run_id.to_owned()))?;
        let actual = log.len() as u64;
        if actual != expected_next {
            return Err(StoreError::Conflict {
                run: run_id.to_owned(),
                expected: expected_next,
                actual,
            });
        }
        log.extend_from_slice(events);
        Ok(())
    }

    fn read(&self, run_id: &str) -> Result<ReadLog, StoreError> {
        let g = self.lock();
        let log =
            g.1.get(run_id)
                .ok_or_else(|| StoreError::UnknownRun(run_id.to_owned()))?;
        Ok(ReadLog {
            events: log.clone(),
            tail: Tail::Clean,
        })
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.lock().0.clone())
    }

    fn sync(&self, _run_id: &str) -> Result<(), StoreError> {
        Ok(())
    }
}
