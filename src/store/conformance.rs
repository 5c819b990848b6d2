//! The behaviour every [`EventStore`] backend must show; run by each backend's tests.

use std::sync::Arc;

use super::{EventStore, RunRecorder, StoreError};
use crate::entropy::FixedClock;
use crate::events::{Event, verify_chain};

/// Runs every check against a fresh, empty store.
pub fn check_all(store: Arc<dyn EventStore>) {
    round_trip(&store);
    conflicts(&store);
    unknown_runs(store.as_ref());
    starts_and_resolves(store.as_ref());
}

fn event(i: u64) -> Event {
    Event::HarnessFaulted {
        message: format!("event {i}"),
    }
}

fn round_trip(store: &Arc<dyn EventStore>) {
    let clock = Arc::new(FixedClock(1_800_000_000));
    let mut r = RunRecorder::create(store.clone(), clock, "run-a").expect("create");
    for i in 0..10 {
        r.record(&event(i)).expect("append");
    }
    r.sync().expect("sync");
    let log = store.read("run-a").expect("read");
    assert_eq!(log.events.len(), 10);
    assert_eq!(log.tail, super::Tail::Clean);
    verify_chain(&log.events).expect("chain");
    assert_eq!(log.events[3].event().expect("typed"), event(3));
    assert_eq!(store.list().expect("list"), vec!["run-a".to_owned()]);
    assert!(matches!(
        store.create_run("run-a"),
        Err(StoreError::RunExists(_))
    ));
}

fn conflicts(store: &Arc<dyn EventStore>) {
    let clock = Arc::new(FixedClock(1_800_000_000));
    let mut r = RunRecorder::create(store.clone(), clock, "run-b").expect("create");
    let first = r.record(&event(0)).expect("append");
    // A second writer that believes it is at 0 is refused: no duplicate sequence number.
    let Err(err) = store.append("run-b", 0, std::slice::from_ref(&first)) else {
        panic!("an append at 0 must conflict");
    };
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{err}"
    );
    // And one that skips ahead is refused: no gap.
    let Err(err) = store.append("run-b", 5, std::slice::from_ref(&first)) else {
        panic!("an append at 5 must conflict");
    };
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 5,
                actual: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.read("run-b").expect("read").events.len(), 1);
}

fn unknown_runs(store: &dyn EventStore) {
    assert!(matches!(
        store.read("no-such-run"),
        Err(StoreError::UnknownRun(_))
    ));
    assert!(matches!(
        store.append("no-such-run", 0, &[]),
        Err(StoreError::UnknownRun(_))
    ));
}

/// Run ids people type resolve the same on every backend (after `round_trip` and
/// `conflicts` made `run-a` and then `run-b`, both at one instant).
fn starts_and_resolves(store: &dyn EventStore) {
    let first = store.read("run-a").expect("read").events[0].at.clone();
    assert_eq!(store.started_at("run-a").expect("start"), Some(first));
    assert_eq!(store.started_at("no-such-run").expect("start"), None);
    assert_eq!(super::resolve_run(store, "run-a").expect("exact"), "run-a");
    assert_eq!(super::resolve_run(store, "RUN-B").expect("prefix"), "run-b");
    assert!(matches!(
        super::resolve_run(store, "run-"),
        Err(super::ResolveError::Ambiguous { .. })
    ));
    // Started at the same instant: the one created last is the latest.
    assert_eq!(
        super::resolve_run(store, "latest").expect("latest"),
        "run-b"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_conforms() {
        check_all(Arc::new(super::super::memory::MemoryStore::new()));
    }

    #[test]
    fn embedded_store_conforms() {
        let dir = std::env::temp_dir().join(format!("accord-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        check_all(Arc::new(super::super::embedded::EmbeddedStore::new(&dir)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
