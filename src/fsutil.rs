//! Atomic file writing, and input reads with a size cap.
//!
//! **Reading.** Every file a user hands ccplan is read through [`CappedReader`] or
//! [`read_text_capped`] (a large chain file is mapped instead, [`read_text_mapped`]) with a
//! limit per kind of input ([`CHAIN_FILE_LIMIT`], [`HOLDINGS_FILE_LIMIT`], [`BATCH_LIMIT`],
//! [`IV_HISTORY_LIMIT`]), so `/dev/zero`, `/dev/urandom` or a mistaken 200 MB file stops with
//! an error at the limit instead of growing memory without bound (a device's size is not
//! known in advance, so the check is on the bytes read, not on the file's metadata).
//!
//! **Writing.**
//! A snapshot or an export that is half written when the disk fills up, the process is killed
//! or a serializer fails is worse than none: the next run would read garbage. [`write_atomic`]
//! writes to a temporary file in the target's own directory (so the final rename never
//! crosses a file system), flushes and fsyncs it, then renames it over the target. Readers see
//! either the old file or the complete new one, never a mix; on any failure the old file is
//! left untouched and the temporary file is removed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// The most a chain or price-history file (`--source file:`, `--history file:`) may hold.
pub const CHAIN_FILE_LIMIT: u64 = 64 * MIB;
/// The most a holdings file may hold.
pub const HOLDINGS_FILE_LIMIT: u64 = 8 * MIB;
/// The most a `price`/`iv --batch` input may hold (file or standard input).
pub const BATCH_LIMIT: u64 = 8 * MIB;
/// The most an IV-history CSV (`history import`) may hold.
pub const IV_HISTORY_LIMIT: u64 = 8 * MIB;

/// A limit in words: "8 MiB", "64 MiB", "1000 bytes".
pub fn size_words(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A reader that fails, with [`io::ErrorKind::InvalidData`], as soon as more than `limit`
/// bytes come from `inner`. It never reads more than `limit + 1` bytes.
#[derive(Debug)]
pub struct CappedReader<R> {
    inner: io::Take<R>,
    limit: u64,
    what: &'static str,
    read: u64,
}

impl<R: Read> CappedReader<R> {
    /// Cap `inner` at `limit` bytes; `what` names the input in the error ("a holdings file").
    pub fn new(inner: R, limit: u64, what: &'static str) -> Self {
        CappedReader {
            inner: inner.take(limit.saturating_add(1)),
            limit,
            what,
            read: 0,
        }
    }

    fn over(&self) -> io::Error {
        over_limit(self.limit, self.what)
    }
}

/// The error of an input over its limit.
fn over_limit(limit: u64, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than the {} limit for {what}", size_words(limit)),
    )
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read > self.limit {
            return Err(self.over());
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(self.over());
        }
        Ok(n)
    }
}

/// Read a whole file as UTF-8 text, at most `limit` bytes (`what` names the input kind in
/// the error). A directory, an unreadable file, a file over the limit (a device such as
/// `/dev/zero` included) are [`Error::Io`] naming the path; bytes that are not UTF-8 are an
/// [`Error::Record`] naming the line and offset, never echoing the bytes themselves. A
/// leading byte-order mark is kept (the parsers skip it).
pub fn read_text_capped(path: &Path, limit: u64, what: &'static str) -> Result<String> {
    let (file, len) = open_regular(path)?;
    read_into_string(path, file, len, limit, what)
}

/// Files this large or larger are mapped by [`read_text_mapped`] rather than copied.
pub const MAP_AT_BYTES: u64 = 256 * 1024;

/// A whole file's text, validated as UTF-8: read into memory, or for a large regular file
/// mapped read-only from the page cache (see [`read_text_mapped`]). Dereferences to `str`.
pub struct FileText(Held);

enum Held {
    Read(String),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for FileText {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Held::Read(s) => s,
            // SAFETY: the mapping's bytes passed `std::str::from_utf8` when the `FileText`
            // was made (`read_text_mapped`), and the mapping is read-only and private, so this
            // process never writes to it. See `read_text_mapped` for a file changed on disk by
            // another process while it is mapped.
            Held::Mapped(m) => unsafe { std::str::from_utf8_unchecked(m) },
        }
    }
}

impl std::fmt::Debug for FileText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.0 {
            Held::Read(_) => "read",
            Held::Mapped(_) => "mapped",
        };
        write!(f, "FileText({how}, {} bytes)", self.len())
    }
}

impl FileText {
    /// Whether the text is a mapping of the file rather than a copy.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Held::Mapped(_))
    }
}

/// [`read_text_capped`] for the large files a chain source reads: the same checks, errors
/// and limit, but a regular file of [`MAP_AT_BYTES`] or more is mapped from the page cache
/// instead of copied into fresh memory. On the 2-core VM this takes a 2.2 MB chain file from
/// about 0.9 ms to 0.15 ms, since every fresh page of a heap buffer costs a fault and a
/// zeroing before the copy into it. Anything that cannot be mapped (a device, a pipe, a file
/// system without mappings) is read as [`read_text_capped`] does.
///
/// The one thing a mapping changes: the text is the file's bytes as they are while ccplan
/// runs, not a copy taken at the start. A file truncated or rewritten in place by another
/// program during the run (for a few milliseconds) can end the process with a bus error;
/// a file replaced by rename, as ccplan's own writers and most tools do, is not affected,
/// since the mapping keeps the old file.
pub fn read_text_mapped(path: &Path, limit: u64, what: &'static str) -> Result<FileText> {
    let (file, len) = open_regular(path)?;
    if len > limit {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: over_limit(limit, what),
        });
    }
    if len >= MAP_AT_BYTES && file.metadata().is_ok_and(|m| m.is_file()) {
        // SAFETY: the mapping is read-only and private and lives inside the returned
        // `FileText`, which owns it; its length is the file's length just read from the open
        // descriptor. What cannot be ruled out is another process truncating or rewriting the
        // file while it is mapped, documented above.
        let mapped = unsafe { memmap2::MmapOptions::new().populate().map(&file) };
        if let Ok(m) = mapped {
            if m.len() as u64 == len {
                return match std::str::from_utf8(&m) {
                    Ok(_) => Ok(FileText(Held::Mapped(m))),
                    Err(e) => Err(not_utf8(path, &m, e)),
                };
            }
        }
    }
    read_into_string(path, file, len, limit, what).map(|s| FileText(Held::Read(s)))
}

/// Open `path` for reading, refusing a directory; the length its metadata gives.
fn open_regular(path: &Path) -> Result<(File, u64)> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory, not a file",
        )));
    }
    let file = File::open(path).map_err(io_err)?;
    Ok((file, meta.len()))
}

fn read_into_string(
    path: &Path,
    file: File,
    len: u64,
    limit: u64,
    what: &'static str,
) -> Result<String> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // One allocation for the whole file, read one byte past the cap. (`take` rather than a
    // `CappedReader`: the file's own reads go straight into the spare capacity, where a
    // reader with only `read` has every buffer zero-filled first, 2 MB for a big chain.)
    let hint = len.min(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > limit {
        return Err(io_err(over_limit(limit, what)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let err = e.utf8_error();
        not_utf8(path, e.as_bytes(), err)
    })
}

/// The error for bytes that are not UTF-8: the line and offset of the first bad byte.
fn not_utf8(path: &Path, bytes: &[u8], e: std::str::Utf8Error) -> Error {
    let at = e.valid_up_to();
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    Error::record(
        path.display().to_string(),
        line,
        "content",
        format!("not UTF-8 text (bad byte at offset {at})"),
    )
}

/// Distinguishes temporary files of concurrent writers in one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many temporary names to try before giving up (only collides with stale leftovers).
const TEMP_ATTEMPTS: u32 = 64;

/// Write `path` atomically with the bytes `write` produces.
///
/// `write` gets a buffered writer to the temporary file. If it returns an error, or any
/// flush, fsync or rename fails, the previous content of `path` (if any) is intact, the
/// temporary file is gone and the error is returned. IO failures become [`Error::Io`] naming
/// `path` (a missing or read-only directory included); [`Error::Output`] from `write` is
/// re-labelled the same way; any other error of `write` is passed through unchanged.
///
/// When `path` already exists its permissions are carried over to the new file. A symlink is
/// followed (the file it points to is replaced, the link is kept). A target that is neither a
/// regular file nor a directory (`/dev/stdout`, `/dev/null`, `/dev/full`, a FIFO) is written in
/// place, since renaming over it would replace the device node itself.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let io_err = |source: io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // A symlink is followed, so the file it points to is replaced and the link stays.
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(meta) = fs::metadata(&target) {
        if !meta.is_file() && !meta.is_dir() {
            // A device (`/dev/stdout`, `/dev/null`, `/dev/full`), a FIFO or a socket: a rename
            // would replace the node itself with a regular file, so it is written in place.
            return write_in_place(&target, write).map_err(|e| match e {
                Error::Output(source) => io_err(source),
                other => other,
            });
        }
    }
    let path = target.as_path();
    let file_name = path.file_name().ok_or_else(|| {
        io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path (no file name)",
        ))
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (temp_path, file) = create_temp(&dir, &file_name.to_string_lossy()).map_err(io_err)?;
    let guard = TempGuard(Some(temp_path.clone()));

    let mut out = BufWriter::new(file);
    match write(&mut out) {
        Ok(()) => {}
        Err(Error::Output(e)) => return Err(io_err(e)),
        Err(e) => return Err(e),
    }
    let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    if let Ok(meta) = fs::metadata(path) {
        // Best effort: keep the target's mode; a failure here is not worth losing the write.
        let _ = file.set_permissions(meta.permissions());
    }
    file.sync_all().map_err(io_err)?;
    drop(file);
    fs::rename(&temp_path, path).map_err(io_err)?;
    guard.disarm();
    sync_dir(&dir);
    Ok(())
}

/// Write straight into an existing special file; no atomicity is possible or needed there.
fn write_in_place<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(Error::Output)?;
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    out.flush().map_err(Error::Output)
}

/// Create a fresh temporary file `.NAME.tmp-PID-N` in `dir`, never reusing an existing one.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last_err = None;
    for _ in 0..TEMP_ATTEMPTS {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let candidate = dir.join(format!(".{name}.tmp-{pid}-{n}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("could not create a temporary file")))
}

/// Make the rename durable: fsync the directory (Unix only; best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes the temporary file unless the write completed.
struct TempGuard(Option<PathBuf>);

impl TempGuard {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reader_stops_at_the_limit() {
        let mut v = Vec::new();
        let e = CappedReader::new(io::repeat(0), 1000, "a test input")
            .read_to_end(&mut v)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            "larger than the 1000 bytes limit for a test input"
        );
        assert!(v.len() <= 1001);
        let mut v = Vec::new();
        CappedReader::new(&[7u8; 1000][..], 1000, "x")
            .read_to_end(&mut v)
            .unwrap();
        assert_eq!(v.len(), 1000);
        assert_eq!(size_words(8 * MIB), "8 MiB");
    }

    /// A file of exactly the limit is read whole; one byte more is refused naming the path
    /// and the limit; `/dev/zero` (a length of 0 that never ends) is refused the same way.
    #[test]
    fn read_text_capped_reads_up_to_the_limit_and_refuses_more() {
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("at.txt");
        fs::write(&at, "x".repeat(1000)).unwrap();
        assert_eq!(
            read_text_capped(&at, 1000, "a test input").unwrap().len(),
            1000
        );
        let over = dir.path().join("over.txt");
        fs::write(&over, "x".repeat(1001)).unwrap();
        for path in [over.as_path(), Path::new("/dev/zero")] {
            if !path.exists() {
                continue;
            }
            match read_text_capped(path, 1000, "a test input") {
                Err(Error::Io { path: p, source }) => {
                    assert_eq!(p, path);
                    assert_eq!(source.kind(), io::ErrorKind::InvalidData);
                    assert_eq!(
                        source.to_string(),
                        "larger than the 1000 bytes limit for a test input"
                    );
                }
                other => panic!("{}: {other:?}", path.display()),
            }
        }
    }

    /// A chain-sized file is mapped, a small one read, and both give exactly the file's text;
    /// the mapped reader refuses what the copying one refuses, with the same errors.
    #[test]
    fn read_text_mapped_maps_large_files_and_keeps_every_check() {
        let dir = tempfile::tempdir().unwrap();
        let big_len = usize::try_from(MAP_AT_BYTES).unwrap() + 7;
        let text: String = "strike,bid,ask\n48.50,1.25,1.30\n€\n"
            .chars()
            .cycle()
            .take(big_len)
            .collect();
        let big = dir.path().join("big.csv");
        fs::write(&big, &text).unwrap();
        let mapped = read_text_mapped(&big, CHAIN_FILE_LIMIT, "a test input").unwrap();
        assert!(mapped.is_mapped(), "{mapped:?}");
        assert_eq!(&*mapped, text.as_str());
        assert_eq!(
            &*mapped,
            read_text_capped(&big, CHAIN_FILE_LIMIT, "a test input").unwrap()
        );

        let small = dir.path().join("small.csv");
        fs::write(&small, "strike\n50\n").unwrap();
        let read = read_text_mapped(&small, CHAIN_FILE_LIMIT, "a test input").unwrap();
        assert!(!read.is_mapped(), "{read:?}");
        assert_eq!(&*read, "strike\n50\n");

        // Over the limit: the big file by its length, /dev/zero by the bytes read.
        for (path, limit) in [
            (big.as_path(), MAP_AT_BYTES),
            (Path::new("/dev/zero"), 1000),
        ] {
            if !path.exists() {
                continue;
            }
            match read_text_mapped(path, limit, "a test input") {
                Err(Error::Io { path: p, source }) => {
                    assert_eq!(p, path);
                    assert_eq!(source.kind(), io::ErrorKind::InvalidData);
                    assert_eq!(
                        source.to_string(),
                        format!(
                            "larger than the {} limit for a test input",
                            size_words(limit)
                        )
                    );
                }
                other => panic!("{}: {other:?}", path.display()),
            }
        }

        // A bad byte on line 3 of a mapped file is named like the copying reader names it.
        let mut bytes = text.into_bytes();
        let at = bytes.iter().position(|b| *b == 0xe2).unwrap();
        bytes[at] = 0xff;
        let bad = dir.path().join("bad.csv");
        fs::write(&bad, &bytes).unwrap();
        for got in [
            read_text_mapped(&bad, CHAIN_FILE_LIMIT, "a test input").map(|t| t.len()),
            read_text_capped(&bad, CHAIN_FILE_LIMIT, "a test input").map(|t| t.len()),
        ] {
            match got {
                Err(Error::Record {
                    line,
                    field,
                    message,
                    ..
                }) => {
                    assert_eq!((line, field.as_str()), (3, "content"));
                    assert_eq!(message, format!("not UTF-8 text (bad byte at offset {at})"));
                }
                other => panic!("{other:?}"),
            }
        }

        match read_text_mapped(dir.path(), CHAIN_FILE_LIMIT, "a test input") {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, dir.path());
                assert_eq!(source.to_string(), "is a directory, not a file");
            }
            other => panic!("{other:?}"),
        }
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect()
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, |w| w.write_all(b"first").map_err(Error::Output)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
        write_atomic(&path, |w| w.write_all(b"second!").map_err(Error::Output)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second!");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn failing_writer_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keep.txt");
        fs::write(&path, "old content").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial new cont").map_err(Error::Output)?;
            Err(Error::invalid("demo", "x", "a failing writer"))
        })
        .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { what: "demo", .. }));
        assert_eq!(fs::read_to_string(&path).unwrap(), "old content");
        assert!(leftovers(dir.path()).is_empty());

        // An IO error from the writer is reported against the target path.
        let err =
            write_atomic(&path, |_| Err(Error::Output(io::Error::other("disk full")))).unwrap_err();
        match err {
            Error::Io { path: p, source } => {
                assert_eq!(p, path);
                assert_eq!(source.to_string(), "disk full");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "old content");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.json");
        let err = write_atomic(&path, |w| w.write_all(b"x").map_err(Error::Output)).unwrap_err();
        match &err {
            Error::Io { path: p, .. } => assert_eq!(p, &path),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("out.json"));
    }

    #[cfg(unix)]
    #[test]
    fn read_only_directory_is_an_io_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ro = dir.path().join("ro");
        fs::create_dir(&ro).unwrap();
        let path = ro.join("out.json");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores directory permissions; only assert when the directory really is locked.
        let probe = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(ro.join("probe"));
        if probe.is_err() {
            let err =
                write_atomic(&path, |w| w.write_all(b"new").map_err(Error::Output)).unwrap_err();
            assert!(
                matches!(&err, Error::Io { path: p, .. } if p == &path),
                "{err:?}"
            );
            assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new").map_err(Error::Output)).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        if !fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
            return;
        }
        write_atomic(null, |w| w.write_all(b"gone").map_err(Error::Output)).unwrap();
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
        let full = Path::new("/dev/full");
        if fs::metadata(full).is_ok_and(|m| m.file_type().is_char_device()) {
            let err = write_atomic(full, |w| {
                w.write_all(&[b'x'; 100_000]).map_err(Error::Output)
            })
            .unwrap_err();
            assert!(
                matches!(&err, Error::Io { path, .. } if path == full),
                "{err:?}"
            );
            assert!(fs::metadata(full).unwrap().file_type().is_char_device());
        }
    }

    #[test]
    fn path_without_file_name_is_refused() {
        let err = write_atomic(Path::new("/"), |_| Ok(())).unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
    }

    #[test]
    fn failed_rename_removes_the_temp_file() {
        // The target is a non-empty directory, so the final rename fails after a full write.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        let err =
            write_atomic(&target, |w| w.write_all(b"data").map_err(Error::Output)).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path: p, .. } if p == &target),
            "{err:?}"
        );
        assert!(target.is_dir());
        assert!(leftovers(dir.path()).is_empty());
    }
}
