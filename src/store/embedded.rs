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

use super::{EventStore, ReadLog, StoreError, Tail, Verified};

/// Lines verified per block by [`EmbeddedStore::verify`].
const BLOCK: usize = 16 * 1024;
/// The longest first line [`EmbeddedStore::started_at`] reads.
const FIRST_EVENT_LIMIT: u64 = 64 * 1024;
use crate::events::Envelope;

pub struct EmbeddedStore {
    root: PathBuf,
    /// Per run this instance appends to: the open log, and its length in bytes and next
    /// sequence number as of this instance's last append, so an append needs neither an open
    /// nor a read while nobody else wrote in between.
    tails: Mutex<HashMap<String, Appender>>,
}

struct Appender {
    file: File,
    len: u64,
    next: u64,
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

    fn tails(&self) -> std::sync::MutexGuard<'_, HashMap<String, Appender>> {
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
    e.seq.checked_add(1).ok_or_else(|| StoreError::Corrupt {
        path: path.display().to_string(),
        line: 0,
        message: "the last event's sequence number is at its maximum".into(),
    })
}

/// Parses log lines into envelopes, on every core for long logs; the first bad line (by line
/// number) is the error.
fn parse_lines(lines: &[&[u8]], path: &Path) -> Result<Vec<Envelope>, StoreError> {
    let parse = |offset: usize, part: &[&[u8]]| -> Result<Vec<Envelope>, StoreError> {
        part.iter()
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_slice(line).map_err(|e| StoreError::Corrupt {
                    path: path.display().to_string(),
                    line: offset + i + 1,
                    message: format!("not a valid event envelope: {e}"),
                })
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || lines.len() < 4096 {
        return parse(0, lines);
    }
    let chunk = lines.len().div_ceil(threads);
    let parts: Vec<Result<Vec<Envelope>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| scope.spawn(move || parse(k * chunk, part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Corrupt {
                        path: path.display().to_string(),
                        line: 0,
                        message: "a parsing thread failed".into(),
                    })
                })
            })
            .collect()
    });
    let mut events = Vec::with_capacity(lines.len());
    for part in parts {
        events.extend(part?);
    }
    Ok(events)
}

fn append_locked(
    a: &mut Appender,
    run_id: &str,
    expected_next: u64,
    events: &[Envelope],
    path: &Path,
) -> Result<(), StoreError> {
    let len = a.file.metadata().map_err(io(path))?.len();
    let actual = if len == a.len {
        a.next
    } else {
        next_seq_from_tail(&mut a.file, len, path)?
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
        serde_json::to_writer(&mut buf, e).map_err(|e| io(path)(e.into()))?;
        buf.push(b'\n');
    }
    a.file.write_all(&buf).map_err(io(path))?;
    a.len = len + buf.len() as u64;
    a.next = actual + events.len() as u64;
    Ok(())
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
        let mut tails = self.tails();
        if !tails.contains_key(run_id) {
            let file = match OpenOptions::new().read(true).append(true).open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(StoreError::UnknownRun(run_id.to_owned()));
                }
                Err(e) => return Err(io(&path)(e)),
            };
            // u64::MAX: no known length yet, so the first append reads the tail.
            tails.insert(
                run_id.to_owned(),
                Appender {
                    file,
                    len: u64::MAX,
                    next: 0,
                },
            );
        }
        let Some(a) = tails.get_mut(run_id) else {
            return Err(StoreError::UnknownRun(run_id.to_owned()));
        };
        // The exclusive lock keeps other processes (and other store instances) out between
        // the check and the write.
        a.file.lock().map_err(io(&path))?;
        let result = append_locked(a, run_id, expected_next, events, &path);
        let unlocked = a.file.unlock().map_err(io(&path));
        result.and(unlocked)
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
        let mut lines = Vec::new();
        let mut tail = Tail::Clean;
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                tail = Tail::Torn {
                    line: lines.len() + 1,
                    bytes: rest.len(),
                };
                break;
            };
            lines.push(&rest[..end]);
            rest = &rest[end + 1..];
        }
        let events = parse_lines(&lines, &path)?;
        Ok(ReadLog { events, tail })
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        let index = self.runs_dir().join("index.jsonl");
        let text = match std::fs::read_to_string(&index) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(&index)(e)),
        };
        let mut ids: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect();
        // A run the index does not name (its line torn by a kill, or a run directory copied
        // in from another store) is still a run: its log is read by id, so it is listed, and
        // resolved, too, after the indexed ones, in id order (creation order for UUID v7).
        let known: std::collections::HashSet<String> = ids.iter().cloned().collect();
        let mut unindexed: Vec<String> = Vec::new();
        let dir = self.runs_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(io(&dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io(&dir))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !known.contains(&name)
                && Self::check_id(&name).is_ok()
                && entry.path().join("events.jsonl").is_file()
            {
                unindexed.push(name);
            }
        }
        unindexed.sort();
        ids.extend(unindexed);
        Ok(ids)
    }

    /// Reads the first line alone (bounded: a first event longer than this is not a
    /// `run-started` Accord wrote, and the run has no start to order it by).
    fn started_at(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        use std::io::BufRead;
        Self::check_id(run_id)?;
        let path = self.log_path(run_id);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path)(e)),
        };
        let mut line = Vec::new();
        std::io::BufReader::new(file)
            .take(FIRST_EVENT_LIMIT)
            .read_until(b'\n', &mut line)
            .map_err(io(&path))?;
        if line.last() != Some(&b'\n') {
            return Ok(None);
        }
        Ok(serde_json::from_slice::<Envelope>(&line[..line.len() - 1])
            .ok()
            .map(|e| e.at))
    }

    /// Streams the log in blocks of lines: constant memory, parsing and hashing on every core.
    fn verify(&self, run_id: &str) -> Result<Verified, StoreError> {
        use std::io::BufRead;
        Self::check_id(run_id)?;
        let path = self.log_path(run_id);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::UnknownRun(run_id.to_owned()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut chain = crate::events::ChainVerifier::for_run(run_id);
        let mut tail = Tail::Clean;
        let mut block: Vec<Vec<u8>> = Vec::with_capacity(BLOCK);
        let mut lines_read = 0usize;
        loop {
            let mut line = Vec::new();
            let n = reader.read_until(b'\n', &mut line).map_err(io(&path))?;
            let at_end = n == 0;
            if !at_end {
                if line.last() == Some(&b'\n') {
                    line.pop();
                    block.push(line);
                } else {
                    tail = Tail::Torn {
                        line: lines_read + block.len() + 1,
                        bytes: line.len(),
                    };
                }
            }
            if block.len() == BLOCK || at_end || tail != Tail::Clean {
                let refs: Vec<&[u8]> = block.iter().map(Vec::as_slice).collect();
                let mut events = match parse_lines(&refs, &path) {
                    Ok(e) => e,
                    Err(StoreError::Corrupt { line, message, .. }) => {
                        let seq = (lines_read + line - 1) as u64;
                        return Ok(Verified {
                            events: chain.verified(),
                            tail,
                            broken: Some(crate::events::ChainBreak {
                                seq,
                                reason: format!("line {}: {message}", lines_read + line),
                            }),
                            audit: chain.finish(),
                        });
                    }
                    Err(e) => return Err(e),
                };
                lines_read += block.len();
                block.clear();
                if let Err(b) = chain.feed(&events) {
                    return Ok(Verified {
                        events: chain.verified(),
                        tail,
                        broken: Some(b),
                        audit: chain.finish(),
                    });
                }
                events.clear();
            }
            if at_end || tail != Tail::Clean {
                return Ok(Verified {
                    events: chain.verified(),
                    tail,
                    broken: None,
                    audit: chain.finish(),
                });
            }
        }
    }

    fn sync(&self, run_id: &str) -> Result<(), StoreError> {
        let path = self.log_path(run_id);
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::resolve_run;

    fn run_in(store: &EmbeddedStore, id: &str) {
        store.create_run(id).unwrap();
        let e = Envelope::seal(
            id,
            0,
            1_800_000_000_000,
            &crate::events::Event::HarnessFaulted {
                message: "start".into(),
            },
            crate::events::GENESIS,
        );
        store.append(id, 0, &[e]).unwrap();
    }

    #[test]
    fn a_run_the_index_does_not_name_is_listed_and_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::new(dir.path());
        run_in(&store, "run-b");
        run_in(&store, "run-a");
        // A run directory copied in from another store, and a directory that is no run.
        let copied = dir.path().join("runs/copied-run");
        std::fs::create_dir(&copied).unwrap();
        std::fs::copy(store.log_path("run-a"), copied.join("events.jsonl")).unwrap();
        std::fs::create_dir(dir.path().join("runs/not a run")).unwrap();
        std::fs::create_dir(dir.path().join("runs/empty")).unwrap();
        assert_eq!(store.list().unwrap(), ["run-b", "run-a", "copied-run"]);
        assert_eq!(resolve_run(&store, "cop").unwrap(), "copied-run");
        // Without an index at all.
        std::fs::remove_file(dir.path().join("runs/index.jsonl")).unwrap();
        assert_eq!(store.list().unwrap(), ["copied-run", "run-a", "run-b"]);
        // No store at all: no runs.
        assert!(
            EmbeddedStore::new(dir.path().join("nowhere"))
                .list()
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_start_is_read_from_the_first_line_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::new(dir.path());
        run_in(&store, "run-a");
        assert_eq!(
            store.started_at("run-a").unwrap().as_deref(),
            Some("2027-01-15T08:00:00.000Z")
        );
        // A torn or unreadable first line: no start, no error.
        let path = store.log_path("run-a");
        let text = std::fs::read(&path).unwrap();
        std::fs::write(&path, &text[..20]).unwrap();
        assert_eq!(store.started_at("run-a").unwrap(), None);
        std::fs::write(&path, b"not json\n").unwrap();
        assert_eq!(store.started_at("run-a").unwrap(), None);
        assert_eq!(store.started_at("no-such-run").unwrap(), None);
    }
}
