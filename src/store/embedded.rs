//! The embedded store: one JSON Lines log per run under `<root>/runs/<run-id>/events.jsonl`,
//! and a run index `<root>/runs/index.jsonl` (one line per run created).
//!
//! Appends take an exclusive file lock (so separate processes cannot interleave), check the
//! expected sequence number against the log, and write the batch with one `write`. Durability
//! policy: appends are not fsynced one by one; [`EventStore::sync`] fsyncs, and the run engine
//! calls it at every scenario end and at the end of the run. A crash can therefore lose at
//! most the events of the scenario in progress, and a torn last line is detected on reading.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{EventStore, ReadLog, StoreError, Tail};
use crate::events::Envelope;

pub struct EmbeddedStore {
    root: PathBuf,
    /// Per run: (log length in bytes, next sequence number) as of this process's last append,
    /// so an append needs no read while nobody else wrote in between.
    tails: Mutex<HashMap<String, (u64, u64)>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl EmbeddedStore {
    /// A store rooted at `root` (e.g. `.accord`); directories are created on first write.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            tails: Mutex::new(HashMap::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    pub fn log_path(&self, run_id: &str) -> PathBuf {
        self.runs_dir().join(run_id).join("events.jsonl")
    }

    fn check_id(run_id: &str) -> Result<(), StoreError> {
        let ok = !run_id.is_empty()
            && run_id.len() <= 128
            && run_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(StoreError::UnknownRun(run_id.to_owned()))
        }
    }

    fn tails(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, u64)>> {
        self.tails
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The next sequence number of a log of `len` bytes, from its last complete line.
fn next_seq_from_tail(f: &mut File, len: u64, path: &Path) -> Result<u64, StoreError> {
    if len == 0 {
        return Ok(0);
    }
    let mut window = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(window);
        f.seek(SeekFrom::Start(start)).map_err(io(path))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        Read::by_ref(f)
            .take(len - start)
            .read_to_end(&mut buf)
            .map_err(io(path))?;
        if buf.last() != Some(&b'\n') {
            return Err(StoreError::Corrupt {
                path: path.display().to_string(),
                line: 0,
                message: "the log ends with a torn line (the run was interrupted); nothing more can be appended".into(),
            });
        }
        let body = &buf[..buf.len() - 1];
        match body.iter().rposition(|&b| b == b'\n') {
            Some(i) => return parse_seq(&body[i + 1..], path),
            None if start == 0 => return parse_seq(body, path),
            None => window *= 4,
        }
    }
}

fn parse_seq(line: &[u8], path: &Path) -> Result<u64, StoreError> {
    let e: Envelope = serde_json::from_slice(line).map_err(|e| StoreError::Corrupt {
        path: path.display().to_string(),
        line: 0,
        message: format!("the last event is not a valid envelope: {e}"),
    })?;
    Ok(e.seq + 1)
}

impl EventStore for EmbeddedStore {
    fn create_run(&self, run_id: &str) -> Result<(), StoreError> {
        Self::check_id(run_id)?;
        let dir = self.runs_dir().join(run_id);
        std::fs::create_dir_all(self.runs_dir()).map_err(io(&self.runs_dir()))?;
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::RunExists(run_id.to_owned()));
            }
            Err(e) => return Err(io(&dir)(e)),
        }
        let log = self.log_path(run_id);
        File::create(&log).map_err(io(&log))?;
        let index = self.runs_dir().join("index.jsonl");
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&index)
            .map_err(io(&index))?;
        f.lock().map_err(io(&index))?;
        let line = format!("{}\n", serde_json::json!({"id": run_id}));
        f.write_all(line.as_bytes()).map_err(io(&index))?;
        Ok(())
    }

    fn append(
        &self,
        run_id: &str,
        expected_next: u64,
        events: &[Envelope],
    ) -> Result<(), StoreError> {
        Self::check_id(run_id)?;
        let path = self.log_path(run_id);
        let mut f = match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::UnknownRun(run_id.to_owned()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        // Held until `f` is dropped at the end of this function.
        f.lock().map_err(io(&path))?;
        let len = f.metadata().map_err(io(&path))?.len();
        let cached = self.tails().get(run_id).copied();
        let actual = match cached {
            Some((cached_len, next)) if cached_len == len => next,
            _ => next_seq_from_tail(&mut f, len, &path)?,
        };
        if actual != expected_next {
            return Err(StoreError::Conflict {
                run: run_id.to_owned(),
                expected: expected_next,
                actual,
            });
        }
        let mut buf = Vec::with_capacity(events.len() * 512);
        for e in events {
            serde_json::to_writer(&mut buf, e).map_err(|e| io(&path)(e.into()))?;
            buf.push(b'\n');
        }
        f.write_all(&buf).map_err(io(&path))?;
        self.tails().insert(
            run_id.to_owned(),
            (len + buf.len() as u64, actual + events.len() as u64),
        );
        Ok(())
    }

    fn read(&self, run_id: &str) -> Result<ReadLog, StoreError> {
        Self::check_id(run_id)?;
        let path = self.log_path(run_id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::UnknownRun(run_id.to_owned()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut events = Vec::new();
        let mut tail = Tail::Clean;
        let mut rest = bytes.as_slice();
        let mut line_no = 0;
        while !rest.is_empty() {
            line_no += 1;
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                tail = Tail::Torn {
                    line: line_no,
                    bytes: rest.len(),
                };
                break;
            };
            let line = &rest[..end];
            rest = &rest[end + 1..];
            let e: Envelope = serde_json::from_slice(line).map_err(|e| StoreError::Corrupt {
                path: path.display().to_string(),
                line: line_no,
                message: format!("not a valid event envelope: {e}"),
            })?;
            events.push(e);
        }
        Ok(ReadLog { events, tail })
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        let index = self.runs_dir().join("index.jsonl");
        let text = match std::fs::read_to_string(&index) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&index)(e)),
        };
        // A torn last line of the index names a run whose directory may exist: it is
        // skipped here, and `accord runs` still finds the directory's log by id.
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect())
    }

    fn sync(&self, run_id: &str) -> Result<(), StoreError> {
        let path = self.log_path(run_id);
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))
    }
}
