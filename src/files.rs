//! The files Accord reads and writes on a user's behalf, and the rules every one of them
//! follows.
//!
//! **Reads are bounded.** Each kind of input has a size limit ([`Limit`], the constants
//! below, listed in docs/runs.md), and a file is read through `take(limit + 1)`: a larger
//! file, or one that never ends (`/dev/zero`, a pipe), is refused as soon as the limit is
//! passed, with an error that names the file and the limit, instead of being read until
//! memory runs out. The size is never taken from metadata first: a device or a pipe has
//! none, and a regular file can grow between the check and the read.
//!
//! **Writes never replace what is not a regular file.** [`write`] writes a path that does not
//! exist yet, or a regular file, atomically (a temporary file in the same directory, synced,
//! renamed over it), so a reader never sees half a report. A device or a FIFO given as an
//! output (`/dev/stdout`, `/dev/full`, `<(…)`, a named pipe) is written through, as a shell
//! redirection would: opened for writing, never removed or replaced, and a failed write
//! (ENOSPC on `/dev/full`) is an error that names it. A symlink is followed (see [`write`]).
//!
//! The event store's own files (`src/store/`) are streamed by the store and are not read
//! through here.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

/// The most Accord reads of one kind of input, and what to call that kind in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    /// With its article, for "larger than the 1 MiB limit for a manifest".
    pub what: &'static str,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", human(self.bytes))
    }
}

/// An implementation manifest (`implementations/*.toml`): a few dozen lines in practice.
pub const MANIFEST: Limit = Limit {
    bytes: MIB,
    what: "a manifest",
};
/// A Gherkin feature file. Accord's largest is 5 KB; a generated one with 2,000 scenarios
/// (the interruption test's) is 400 KB.
pub const FEATURE: Limit = Limit {
    bytes: 4 * MIB,
    what: "a feature file",
};
/// A credential or presentation (SD-JWT compact or JSON serialisation), with its
/// disclosures: a few KB in practice, far more than any profile needs.
pub const CREDENTIAL: Limit = Limit {
    bytes: 4 * MIB,
    what: "a credential",
};
/// Claims, an arrangement, a seed file or any other JSON document given on the command line.
pub const JSON: Limit = Limit {
    bytes: 4 * MIB,
    what: "a JSON input",
};
/// A JWK, public or private (the harness key, `--key`): a few hundred bytes.
pub const KEY: Limit = Limit {
    bytes: 64 * KIB,
    what: "a key",
};
/// PEM certificates (chains, CA files of manifests).
pub const CERTIFICATES: Limit = Limit {
    bytes: MIB,
    what: "a certificate file",
};
/// A signed trust list: a JWS over every trust service of a jurisdiction.
pub const TRUST_LIST: Limit = Limit {
    bytes: 16 * MIB,
    what: "a trust list",
};
/// A status list token: its list is compressed, a million entries of 2 bits fit in a few KB.
/// The same bound the transport puts on a fetched one would do; this one leaves room.
pub const STATUS_LIST: Limit = Limit {
    bytes: 16 * MIB,
    what: "a status list token",
};
/// A committed snapshot (`snapshots/**/*.snap`): the largest is 140 KB.
pub const SNAPSHOT: Limit = Limit {
    bytes: 16 * MIB,
    what: "a snapshot",
};
/// An evidence bundle. The bundle of a run of all 123 scenarios of `features/` weighs 3.2 MB,
/// 2.9 MB of it the log (about 23 KB a scenario), so this holds some 20,000 scenarios.
/// Verification holds the whole bundle in memory, so the bound is also what `bundle verify`
/// may allocate.
pub const BUNDLE: Limit = Limit {
    bytes: 512 * MIB,
    what: "a bundle",
};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: larger than the {limit} limit for {}", path.display(), limit.what)]
    TooLarge { path: PathBuf, limit: Limit },
    #[error("{}: not UTF-8 text (byte {at})", path.display())]
    NotUtf8 { path: PathBuf, at: usize },
}

impl ReadError {
    /// The file it is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotUtf8 { path, .. } => path,
        }
    }

    /// The message without the path (for errors that show the path themselves).
    pub fn reason(&self) -> String {
        let full = self.to_string();
        let prefix = format!("{}: ", self.path().display());
        full.strip_prefix(&prefix).unwrap_or(&full).to_owned()
    }
}

/// Reads the file at `path`, at most `limit` bytes of it.
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_from(file, path, limit)
}

/// Reads the file at `path` as UTF-8 text, at most `limit` bytes of it.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, ReadError> {
    text(read(path, limit)?, path)
}

/// Reads `reader` to its end, refusing it once it passes `limit`; `path` names it in errors
/// (`-` for standard input).
pub fn read_from(reader: impl Read, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    // One byte past the limit tells "exactly the limit" from "more".
    reader
        .take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// `bytes` as text, or an error naming the first byte that is not UTF-8.
pub fn text(bytes: Vec<u8>, path: &Path) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        at: e.utf8_error().valid_up_to(),
    })
}

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

impl WriteError {
    fn io(path: &Path, e: &io::Error) -> Self {
        Self {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// Writes `bytes` to `path` without ever leaving half a file or replacing what is not a
/// regular file:
///
/// - a path that does not exist, or a regular file: a temporary file beside it, synced and
///   renamed over it (the old file's permissions kept), so readers see the old content or
///   the new, never a mix;
/// - a character or block device, a FIFO: written through, opened for writing as a shell's
///   `>` would open it, never replaced; a failed write is an error;
/// - a symlink: **followed**. Its target is written by the two rules above (a regular target
///   is replaced atomically in its own directory, the link is kept; a device or FIFO is
///   written through), after the link itself has been opened for writing, so the kernel's
///   own rules on following links (`fs.protected_symlinks` in sticky directories,
///   permissions) apply exactly as to a redirection. A link to nothing is refused rather than
///   creating a file wherever it points. Following rather than refusing: a link is how
///   people keep a stable name for a changing report (`latest.html`), and a shell, `cp` and
///   `tee` all follow it; what the issue found was the link being *replaced*;
/// - a directory, a socket: refused.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(path, bytes, None),
        Err(e) => Err(WriteError::io(path, &e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            // Opened once, for writing, through the link: the kernel's own rules on following
            // links apply as to a redirection, and nothing is created or truncated. What was
            // opened decides: a device, a FIFO or a pipe (`/dev/stdout` into `| less` is a
            // link to `pipe:[…]`, which has no path to resolve) is written through this very
            // handle, never opened a second time; a regular file is replaced atomically at the
            // link's resolved target.
            let mut opened = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| WriteError::io(path, &e))?;
            let kind = opened
                .metadata()
                .map_err(|e| WriteError::io(path, &e))?
                .file_type();
            if !kind.is_file() {
                return opened
                    .write_all(bytes)
                    .and_then(|()| opened.flush())
                    .map_err(|e| WriteError::io(path, &e));
            }
            drop(opened);
            let target = std::fs::canonicalize(path).map_err(|e| {
                WriteError::new(
                    path,
                    format!("a symlink whose target cannot be resolved ({e}): refused, name the file to write instead"),
                )
            })?;
            write_existing(&target, bytes).map_err(|e| WriteError {
                path: path.to_path_buf(),
                message: format!("(→ {}) {}", target.display(), e.message),
            })
        }
        Ok(_) => write_existing(path, bytes),
    }
}

/// Writes to a path that exists and is not a symlink.
fn write_existing(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let meta = std::fs::metadata(path).map_err(|e| WriteError::io(path, &e))?;
    let kind = meta.file_type();
    if kind.is_file() {
        return replace(path, bytes, Some(meta.permissions()));
    }
    if kind.is_dir() {
        return Err(WriteError::new(path, "is a directory"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_socket() {
            return Err(WriteError::new(path, "is a socket"));
        }
    }
    // A device or a FIFO: written through.
    let mut f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| WriteError::io(path, &e))?;
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .map_err(|e| WriteError::io(path, &e))
}

/// Temporary files of this process, numbered so two writes at once never share one.
static TEMPORARIES: AtomicU64 = AtomicU64::new(0);

/// Writes a temporary file beside `path` and renames it over `path`.
fn replace(
    path: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> Result<(), WriteError> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| WriteError::new(path, "names no file"))?;
    let (tmp, mut file) = temporary(dir, &name).map_err(|e| WriteError::io(path, &e))?;
    let result = file
        .write_all(bytes)
        .and_then(|()| match &permissions {
            Some(p) => file.set_permissions(p.clone()),
            None => Ok(()),
        })
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(WriteError::io(path, &e));
    }
    Ok(())
}

/// Creates a new temporary file in `dir`. `create_new` (O_EXCL) never follows a link someone
/// planted at the name, so a temporary file cannot be turned into a write elsewhere.
fn temporary(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..16 {
        let n = TEMPORARIES.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.partial-{}-{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// The directory `path` is in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Checks, before any work is done, that [`write`] will be able to write `path`: its
/// directory exists and a file can be created in it (tried, then removed: permission bits
/// alone say nothing for root or on a read-only file system), or it is an existing device,
/// FIFO or regular file that can be written. Nothing at `path` is changed.
pub fn check_writable(path: &Path) -> Result<(), WriteError> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| {
                WriteError::new(
                    path,
                    format!("a symlink whose target cannot be resolved ({e}): refused, name the file to write instead"),
                )
            })?
        }
        Ok(_) => path.to_path_buf(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(WriteError::io(path, &e)),
    };
    if let Ok(meta) = std::fs::metadata(&target) {
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(WriteError::new(path, "is a directory"));
        }
        if !kind.is_file() {
            // A device or FIFO: opening a FIFO would wait for its reader, and the write
            // itself reports what fails.
            return Ok(());
        }
    }
    let dir = parent(&target);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(WriteError::new(
                path,
                format!("{} is not a directory", dir.display()),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WriteError::new(
                path,
                format!("directory {} does not exist", dir.display()),
            ));
        }
        Err(e) => return Err(WriteError::io(path, &e)),
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| WriteError::new(path, "names no file"))?;
    let (tmp, _file) = temporary(dir, &name).map_err(|e| {
        WriteError::new(
            path,
            format!("cannot write in directory {}: {e}", dir.display()),
        )
    })?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

/// `bytes` in the largest whole unit (`1 MiB`, `64 KiB`, `100 bytes`).
fn human(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_stops_one_byte_past_the_limit() {
        let limit = Limit {
            bytes: 10,
            what: "a test input",
        };
        let p = Path::new("x");
        assert_eq!(read_from(&[1u8; 10][..], p, limit).unwrap().len(), 10);
        let e = read_from(io::repeat(0), p, limit).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x: larger than the 10 bytes limit for a test input"
        );
        assert_eq!(MANIFEST.to_string(), "1 MiB");
    }

    #[test]
    fn writes_replace_regular_files_and_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.html");
        write(&file, b"one").unwrap();
        write(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        #[cfg(unix)]
        {
            let link = dir.path().join("latest.html");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            write(&link, b"three").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read(&file).unwrap(), b"three");
            let dangling = dir.path().join("dangling.html");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
            assert!(write(&dangling, b"x").is_err());
            assert!(!dir.path().join("nowhere").exists());
            // A link to a pipe (`/dev/stdout` piped into another program is one): written
            // through, though its target has no path.
            #[cfg(target_os = "linux")]
            {
                use std::io::Read as _;
                use std::os::fd::AsRawFd as _;
                let (mut reader, writer) = std::io::pipe().unwrap();
                let through = PathBuf::from(format!("/proc/self/fd/{}", writer.as_raw_fd()));
                write(&through, b"piped").unwrap();
                drop(writer);
                let mut got = Vec::new();
                reader.read_to_end(&mut got).unwrap();
                assert_eq!(got, b"piped");
            }
        }
        // Nothing temporary is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| !n.to_string_lossy().contains("partial")),
            "{names:?}"
        );
    }

    #[test]
    fn an_output_in_a_missing_directory_is_refused_before_work() {
        let dir = tempfile::tempdir().unwrap();
        let e = check_writable(&dir.path().join("no/such/junit.xml")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        check_writable(&dir.path().join("junit.xml")).unwrap();
        assert!(!dir.path().join("junit.xml").exists());
        assert!(check_writable(dir.path()).is_err());
    }
}
