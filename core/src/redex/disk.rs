//! The durable half of a persistent RedEX file: a directory of segments,
//! the write buffer in front of the newest one, fsync policy, segment
//! rolling and retention's segment deletion, and the verifying load.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::meta::{read_meta, remove_stale_tmp, sync_dir, write_meta, DirLock, Meta};
use super::record::{encode, HEADER_LEN};
use super::segment::{list_segments, scan, segment_name, ScannedRecord};
use super::{FsyncPolicy, RedexError, RedexFileConfig, RepairKind, RepairReport};

/// Buffered record bytes are written to the segment past this size.
const WRITE_BUF: usize = 256 << 10;

struct Segment {
    first_seq: u64,
    path: PathBuf,
}

pub(crate) struct DiskLog {
    dir: PathBuf,
    name: String,
    config: RedexFileConfig,
    _lock: DirLock,
    /// Oldest first; the last one is being appended to.
    segments: Vec<Segment>,
    active: Arc<File>,
    /// Size of the active segment including buffered bytes.
    active_len: u64,
    buf: Vec<u8>,
    /// Records appended since the last fsync.
    unsynced: u64,
    /// `start_seq` as last written to `meta.json`.
    meta_start: u64,
}

/// What a load found: the next seq and the repair made on the way (if any).
pub(crate) struct Loaded {
    pub next_seq: u64,
    pub repair: Option<RepairReport>,
}

impl DiskLog {
    /// Open (or create) the log in `dir`, handing every retained record to
    /// `each` in seq order.
    pub fn open(
        dir: PathBuf,
        name: &str,
        config: &RedexFileConfig,
        mut each: impl FnMut(ScannedRecord<'_>),
    ) -> Result<(Self, Loaded), RedexError> {
        std::fs::create_dir_all(&dir).map_err(|e| RedexError::io(&dir, e))?;
        let lock = DirLock::acquire(&dir, name)?;
        remove_stale_tmp(&dir)?;
        let start_seq = read_meta(&dir)?.map_or(0, |m| m.start_seq);
        let mut found = list_segments(&dir).map_err(|e| RedexError::io(&dir, e))?;
        // Segments wholly below start_seq are deletions a crash interrupted.
        let mut stale = 0;
        while stale + 1 < found.len() && found[stale + 1].0 <= start_seq {
            stale += 1;
        }
        for (_, path) in found.drain(..stale) {
            std::fs::remove_file(&path).map_err(|e| RedexError::io(&path, e))?;
        }
        if let Some((first, path)) = found.first() {
            // Segments never start above the retained start unless some were
            // lost (deleted by hand, restored from an older backup).
            if *first > start_seq && !config.recover {
                return Err(RedexError::Corrupt {
                    file: path.clone(),
                    offset: 0,
                    reason: format!("the log starts at seq {first} but its metadata retains from seq {start_seq}"),
                });
            }
        }
        if found.is_empty() {
            let path = dir.join(segment_name(start_seq));
            File::create(&path).map_err(|e| RedexError::io(&path, e))?;
            sync_dir(&dir)?;
            found.push((start_seq, path));
        }

        let mut repair = None;
        let mut next_seq = found[0].0;
        let mut kept = 0;
        for (i, (first, path)) in found.iter().enumerate() {
            if *first != next_seq {
                return Err(RedexError::Corrupt {
                    file: path.clone(),
                    offset: 0,
                    reason: format!("segment starts at seq {first} but the previous one ends before {next_seq}"),
                });
            }
            let data = std::fs::read(path).map_err(|e| RedexError::io(path, e))?;
            let end = scan(&data, *first, |r| {
                if r.seq >= start_seq {
                    each(r)
                }
            });
            next_seq = end.next_seq;
            kept = i + 1;
            let Some(bad) = end.bad else { continue };
            let is_last = i + 1 == found.len();
            let kind = if bad.torn_shape && is_last {
                RepairKind::TornTail
            } else if config.recover {
                RepairKind::Corruption
            } else {
                return Err(RedexError::Corrupt { file: path.clone(), offset: bad.offset, reason: bad.reason });
            };
            let mut bytes_cut = data.len() as u64 - end.good_len;
            let later = &found[i + 1..];
            for (_, p) in later {
                bytes_cut += std::fs::metadata(p).map_err(|e| RedexError::io(p, e))?.len();
            }
            cut(path, end.good_len)?;
            for (_, p) in later {
                std::fs::remove_file(p).map_err(|e| RedexError::io(p, e))?;
            }
            sync_dir(&dir)?;
            repair = Some(RepairReport {
                kind,
                file: path.clone(),
                offset: bad.offset,
                reason: bad.reason,
                bytes_cut,
                segments_removed: later.len(),
            });
            break;
        }
        found.truncate(kept);

        let (_, active_path) = found.last().expect("at least one segment");
        let active = OpenOptions::new().append(true).open(active_path).map_err(|e| RedexError::io(active_path, e))?;
        let active_len = active.metadata().map_err(|e| RedexError::io(active_path, e))?.len();
        let start_seq = start_seq.min(next_seq);
        let log = Self {
            dir: dir.clone(),
            name: name.to_string(),
            config: config.clone(),
            _lock: lock,
            segments: found.into_iter().map(|(first_seq, path)| Segment { first_seq, path }).collect(),
            active: Arc::new(active),
            active_len,
            buf: Vec::with_capacity(WRITE_BUF + 4096),
            unsynced: 0,
            meta_start: start_seq,
        };
        write_meta(&dir, &Meta::new(name, start_seq, config))?;
        Ok((log, Loaded { next_seq, repair }))
    }

    fn active_path(&self) -> &Path {
        &self.segments.last().expect("at least one segment").path
    }

    /// Buffer one record; writes and fsyncs as the policy says.
    #[inline]
    pub fn append(&mut self, seq: u64, ts_nanos: u64, key: &[u8], payload: &[u8]) -> Result<(), RedexError> {
        let record_len = (HEADER_LEN + key.len() + payload.len()) as u64;
        if self.active_len > 0 && self.active_len + record_len > self.config.segment_max_bytes {
            self.roll(seq)?;
        }
        encode(&mut self.buf, seq, ts_nanos, key, payload);
        self.active_len += record_len;
        self.unsynced += 1;
        match self.config.fsync {
            FsyncPolicy::EveryN(n) if self.unsynced >= n => self.sync(),
            _ if self.buf.len() >= WRITE_BUF => self.write_buf(),
            _ => Ok(()),
        }
    }

    /// Hand the buffered bytes to the OS.
    pub fn write_buf(&mut self) -> Result<(), RedexError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = (&*self.active).write_all(&self.buf);
        self.buf.clear();
        result.map_err(|e| RedexError::io(self.active_path(), e))
    }

    /// Write the buffer and fsync the active segment.
    pub fn sync(&mut self) -> Result<(), RedexError> {
        self.write_buf()?;
        self.active.sync_data().map_err(|e| RedexError::io(self.active_path(), e))?;
        self.unsynced = 0;
        Ok(())
    }

    /// Write the buffer and return the active segment (and its path) for
    /// an fsync done outside the file's lock, so appends keep going while
    /// the device flushes. `None` when nothing is waiting for a sync.
    pub fn prepare_background_sync(&mut self) -> Result<Option<(Arc<File>, PathBuf)>, RedexError> {
        if self.unsynced == 0 {
            return Ok(None);
        }
        self.write_buf()?;
        self.unsynced = 0;
        Ok(Some((self.active.clone(), self.active_path().to_path_buf())))
    }

    fn roll(&mut self, first_seq: u64) -> Result<(), RedexError> {
        // The finished segment is made durable before the next one exists,
        // so a crash can only ever tear the newest segment.
        self.sync()?;
        let path = self.dir.join(segment_name(first_seq));
        let file = OpenOptions::new().create_new(true).append(true).open(&path).map_err(|e| RedexError::io(&path, e))?;
        sync_dir(&self.dir)?;
        self.segments.push(Segment { first_seq, path });
        self.active = Arc::new(file);
        self.active_len = 0;
        Ok(())
    }

    /// Retention moved the start of the log to `start_seq`: delete the
    /// segments that hold only older records (never the active one).
    pub fn retain_from(&mut self, start_seq: u64) -> Result<(), RedexError> {
        let mut dead = 0;
        while dead + 1 < self.segments.len() && self.segments[dead + 1].first_seq <= start_seq {
            dead += 1;
        }
        if dead == 0 {
            return Ok(());
        }
        // Metadata first: a crash between the two steps leaves segments the
        // next open knows to delete, never a start that points at nothing.
        self.write_meta(start_seq)?;
        for seg in self.segments.drain(..dead) {
            std::fs::remove_file(&seg.path).map_err(|e| RedexError::io(&seg.path, e))?;
        }
        sync_dir(&self.dir)
    }

    pub fn write_meta(&mut self, start_seq: u64) -> Result<(), RedexError> {
        if start_seq != self.meta_start {
            write_meta(&self.dir, &Meta::new(&self.name, start_seq, &self.config))?;
            self.meta_start = start_seq;
        }
        Ok(())
    }
}

/// Truncate `path` to `len` bytes, durably.
fn cut(path: &Path, len: u64) -> Result<(), RedexError> {
    let f = OpenOptions::new().write(true).open(path).map_err(|e| RedexError::io(path, e))?;
    f.set_len(len).map_err(|e| RedexError::io(path, e))?;
    f.sync_all().map_err(|e| RedexError::io(path, e))
}
