//! RedEX: crash-safe, append-only log files, in memory or on disk.
//!
//! ```text
//! Redex (manager) ──open_file(name, RedexFileConfig)──► RedexFile
//!   append / append_batch / append_idempotent ─► memlog (retained records)
//!                                              └► disk (segments, fsync)
//!   read(range) ◄── memlog        tail(from) ◄── memlog + wake-ups
//! ```
//! One concept per file: `config` ([`RedexFileConfig`], [`FsyncPolicy`]),
//! `record` (the checksummed on-disk record), `segment` (segment names and
//! the verifying scan), `meta` (atomic metadata writes, the directory
//! lock), `disk` (segments, write buffer, fsync, rolling), `memlog` (the
//! retained records in memory), `file` ([`RedexFile`]), `tail`
//! ([`RedexTail`]), `syncer` (the interval-fsync thread), `manager`
//! ([`Redex`]), `repair` ([`RepairReport`]), `error` ([`RedexError`]).
//!
//! On disk a file is a directory `<persistent dir>/<escaped name>/` with
//! segments `<first seq, 20 digits>.log`, `meta.json` and a `LOCK`.
//!
//! ```
//! use futures::StreamExt;
//! use net_sdk::redex::{Redex, RedexFileConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("redex-doc-{}", std::process::id()));
//! let redex = Redex::new().with_persistent_dir(&dir);
//! let config = RedexFileConfig::default().with_persistent(true).with_fsync_every_n(1);
//! let file = redex.open_file("analytics/clicks", config.clone())?;
//! assert_eq!(file.append(b"{\"url\":\"/home\"}")?, 0);
//! assert_eq!(file.append_batch([b"a", b"b"])?, Some(1));
//! let mut tail = file.tail(0); // backfill, then live appends
//! assert_eq!(tail.next().await.unwrap()?.seq, 0);
//! file.close()?;
//! // Reopened, every record is back and seqs continue.
//! let file = redex.open_file("analytics/clicks", config)?;
//! assert_eq!(file.next_seq(), 3);
//! # file.close()?;
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

mod config;
mod disk;
mod error;
mod event;
mod file;
mod manager;
mod memlog;
mod prefault;
mod meta;
mod record;
mod repair;
mod segment;
mod syncer;
mod tail;

pub use config::{FsyncPolicy, RedexFileConfig, DEFAULT_SEGMENT_MAX_BYTES};
pub use error::RedexError;
pub use event::RedexEvent;
pub use file::RedexFile;
pub use manager::Redex;
pub use repair::{RepairKind, RepairReport};
pub use tail::RedexTail;

/// Internals exposed for the fuzz targets; not a stable API.
#[doc(hidden)]
pub mod internals {
    /// One good record found by [`scan_segment`].
    pub struct Scanned {
        pub seq: u64,
        pub ts_nanos: u64,
        pub key: Vec<u8>,
        pub payload: Vec<u8>,
    }

    /// Scan `data` as a segment whose first record is `first_seq`: the good
    /// records, the length they cover, and where the scan stopped early
    /// (offset, whether the bad bytes look like a torn append).
    pub fn scan_segment(data: &[u8], first_seq: u64) -> (Vec<Scanned>, u64, Option<(u64, bool)>) {
        let mut out = Vec::new();
        let end = super::segment::scan(data, first_seq, |r| {
            out.push(Scanned { seq: r.seq, ts_nanos: r.ts_nanos, key: r.key.to_vec(), payload: r.payload.to_vec() })
        });
        (out, end.good_len, end.bad.map(|b| (b.offset, b.torn_shape)))
    }

    /// Append one encoded record to `out`.
    pub fn encode_record(out: &mut Vec<u8>, seq: u64, ts_nanos: u64, key: &[u8], payload: &[u8]) {
        super::record::encode(out, seq, ts_nanos, key, payload)
    }
}
