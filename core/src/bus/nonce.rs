//! The producer nonce: the first part of every dedup id the Redis and
//! JetStream backends write (`{nonce:hex}:{shard}:{sequence_start}:{i}`).
//!
//! Without a path the nonce is random per process. With
//! [`NetBuilder::producer_nonce_path`](super::NetBuilder::producer_nonce_path)
//! it is read from that file, or created there on first run: written to a
//! temporary file beside it, synced, and renamed into place, so a crash
//! leaves either no file or a whole one. The file holds the nonce as 16 hex
//! digits and a newline. A file that exists but does not hold exactly that
//! is refused with [`SdkError::CorruptNonce`]: quietly replacing it would
//! give a restarted producer a new nonce, and its retransmits would no
//! longer be recognised as duplicates.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::error::{Result, SdkError};

/// A nonce for a producer without a nonce file: random per process.
pub fn fresh_nonce() -> u64 {
    rand::random()
}

fn parse(path: &Path, text: &str) -> Result<u64> {
    let corrupt = |why: &str| SdkError::CorruptNonce(format!("{}: {why}", path.display()));
    let digits = text.strip_suffix('\n').unwrap_or(text);
    if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(corrupt("expected 16 hex digits and a newline"));
    }
    u64::from_str_radix(digits, 16).map_err(|_| corrupt("not a hex u64"))
}

/// Load the nonce stored at `path`, or create the file with a fresh one.
///
/// Fails with `CorruptNonce` when the file exists but is malformed, and
/// with `Io` when it cannot be read or written.
pub fn load_or_create_nonce(path: &Path) -> Result<u64> {
    let io = |what: &str, e: std::io::Error| SdkError::Io(format!("producer nonce file {}: {what}: {e}", path.display()));
    match fs::read(path) {
        Ok(bytes) => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| SdkError::CorruptNonce(format!("{}: not text", path.display())))?;
            return parse(path, text);
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(io("read", e)),
    }
    let nonce = fresh_nonce();
    let name = path.file_name().ok_or_else(|| SdkError::InvalidConfig(format!("producer nonce path {} names no file", path.display())))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(format!("{nonce:016x}\n").as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io("write", e));
    }
    // Two producers racing to create the same file: the first rename wins
    // the name, and the loser must adopt the winner's nonce, not its own.
    // `hard_link` fails if the target exists, unlike `rename`.
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                // Make the new name durable too (best effort: not every
                // filesystem lets a directory be opened for sync).
                if let Ok(d) = fs::File::open(dir) {
                    let _ = d.sync_all();
                }
            }
            Ok(nonce)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let text = fs::read_to_string(path).map_err(|e| io("read", e))?;
            parse(path, &text)
        }
        Err(e) => Err(io("create", e)),
    }
}

/// The dedup id of event `i` of a batch starting at `sequence_start`.
pub fn dedup_id(nonce: u64, shard: u16, sequence_start: u64, i: usize) -> String {
    format!("{}{i}", dedup_prefix(nonce, shard, sequence_start))
}

/// What every dedup id of a batch starts with: a backend builds the prefix
/// once and appends each event's `i`.
pub(crate) fn dedup_prefix(nonce: u64, shard: u16, sequence_start: u64) -> String {
    format!("{nonce:016x}:{shard}:{sequence_start}:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("net-nonce-{tag}-{}-{}", std::process::id(), fresh_nonce()));
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn created_once_then_loaded() {
        let d = temp_dir("create");
        let p = d.join("producer.nonce");
        let a = load_or_create_nonce(&p).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), format!("{a:016x}\n"));
        assert_eq!(load_or_create_nonce(&p).unwrap(), a);
        // No temporary file left behind.
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1);
        fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_refused_and_kept() {
        let d = temp_dir("corrupt");
        let p = d.join("producer.nonce");
        for bad in [&b""[..], b"xyz\n", b"0123456789abcdef0\n", b"\xff\xfe", b"0123456789abcdeg\n"] {
            fs::write(&p, bad).unwrap();
            let e = load_or_create_nonce(&p).unwrap_err();
            assert_eq!(e.kind(), "corrupt_nonce", "{bad:?}");
            assert!(e.to_string().contains("producer.nonce"), "{e}");
            assert_eq!(fs::read(&p).unwrap(), bad, "the file is left as it was");
        }
        fs::write(&p, "00000000000000ff").unwrap();
        assert_eq!(load_or_create_nonce(&p).unwrap(), 255, "the newline is optional");
        fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn unwritable_places_are_io_errors() {
        let d = temp_dir("io");
        let e = load_or_create_nonce(&d.join("missing-dir").join("n")).unwrap_err();
        assert_eq!(e.kind(), "io");
        fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn dedup_ids_have_the_documented_shape() {
        assert_eq!(dedup_id(0xab, 3, 1000, 7), "00000000000000ab:3:1000:7");
    }
}
