//! [`RedexFile`]: one append-only log — appends, reads, retention,
//! idempotent appends, sync and close. Tails live in `tail`.

use std::collections::{HashMap, VecDeque};
use std::ops::{Bound, RangeBounds};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use parking_lot::Mutex;
use tokio::sync::Notify;

use super::disk::DiskLog;
use super::memlog::MemLog;
use super::record::{MAX_BODY_LEN, MAX_KEY_LEN};
use super::syncer;
use super::tail::RedexTail;
use super::{FsyncPolicy, RedexError, RedexEvent, RedexFileConfig, RepairReport};
use crate::channel::ChannelName;
use crate::clock::Clock;

/// What is behind the file's lock.
pub(crate) struct FileState {
    pub(crate) log: MemLog,
    /// Idempotency keys of retained records, and the same in seq order so
    /// retention can forget them with their records.
    keys: HashMap<Box<[u8]>, u64>,
    key_order: VecDeque<(u64, Box<[u8]>)>,
    disk: Option<DiskLog>,
    closed: bool,
    /// Set once a write or fsync failed: what is on disk is then unknown,
    /// so later appends are refused rather than acknowledged on top of it.
    failed: Option<String>,
}

pub(crate) struct FileShared {
    pub(crate) name: ChannelName,
    pub(crate) config: RedexFileConfig,
    clock: Clock,
    pub(crate) state: Mutex<FileState>,
    /// The next seq, published after each append so tails can see new
    /// records without taking the lock.
    pub(crate) published: AtomicU64,
    pub(crate) closed: AtomicBool,
    pub(crate) notify: Notify,
    /// Live tails; appends skip the wake-up when there are none.
    pub(crate) tailers: AtomicUsize,
    repair: Option<RepairReport>,
    dir: Option<PathBuf>,
    /// Dropping it stops the interval-fsync thread.
    syncer_stop: Mutex<Option<mpsc::Sender<()>>>,
}

/// A handle to an open RedEX file; clones share the file.
///
/// Records get consecutive seqs from 0. Appends are synchronous (they
/// return once the record is in memory, and on disk as far as the
/// [`FsyncPolicy`] says); [`RedexFile::tail`] is the async side.
#[derive(Clone)]
pub struct RedexFile {
    pub(crate) shared: Arc<FileShared>,
}

impl std::fmt::Debug for RedexFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedexFile")
            .field("name", &self.shared.name.as_str())
            .field("next_seq", &self.next_seq())
            .finish()
    }
}

fn failed_error(dir: &Option<PathBuf>, why: &str) -> RedexError {
    RedexError::io(
        dir.clone().unwrap_or_default(),
        std::io::Error::other(format!("an earlier write failed ({why}); reopen the file")),
    )
}

impl FileState {
    fn check_writable(&self, shared: &FileShared) -> Result<(), RedexError> {
        if self.closed {
            return Err(RedexError::Closed(shared.name.to_string()));
        }
        if let Some(why) = &self.failed {
            return Err(failed_error(&shared.dir, why));
        }
        Ok(())
    }

    /// Append one record; the caller checked writability.
    #[inline]
    fn append(
        &mut self,
        config: &RedexFileConfig,
        ts_nanos: u64,
        key: &[u8],
        payload: &[u8],
    ) -> Result<u64, RedexError> {
        if payload.len() > MAX_BODY_LEN - key.len() {
            return Err(RedexError::TooLarge { what: "payload", size: payload.len(), max: MAX_BODY_LEN - key.len() });
        }
        self.make_room(config, ts_nanos, Some(payload.len() as u64))?;
        let seq = self.log.next_seq();
        if let Some(disk) = &mut self.disk {
            if let Err(e) = disk.append(seq, ts_nanos, key, payload) {
                self.failed = Some(e.to_string());
                return Err(e);
            }
        }
        self.log.push(payload, ts_nanos);
        if !key.is_empty() {
            self.keys.insert(key.into(), seq);
            self.key_order.push_back((seq, key.into()));
        }
        Ok(seq)
    }

    /// Evict what retention says must go before a record of `incoming`
    /// payload bytes stamped `now` joins (`None`: nothing is joining; the
    /// caps apply as they stand). The byte cap never evicts the joining
    /// record itself, so one record larger than the cap is still kept.
    /// Returns how many records were evicted.
    #[inline]
    fn make_room(&mut self, config: &RedexFileConfig, now: u64, incoming: Option<u64>) -> Result<u64, RedexError> {
        if config.retention_max_events.is_none() && config.retention_max_bytes.is_none() && config.retention_max_age.is_none() {
            return Ok(0);
        }
        self.make_room_slow(config, now, incoming)
    }

    fn make_room_slow(&mut self, config: &RedexFileConfig, now: u64, incoming: Option<u64>) -> Result<u64, RedexError> {
        let len = self.log.len();
        let joining = incoming.is_some() as u64;
        let mut evict = 0u64;
        if let Some(max) = config.retention_max_events {
            evict = (len + joining).saturating_sub(max);
        }
        if let Some(max) = config.retention_max_bytes {
            let mut bytes = self.log.bytes() + incoming.unwrap_or(0);
            let mut n = 0;
            while bytes > max && n < len {
                bytes -= self.log.entry(n).map_or(0, |(size, _)| size);
                n += 1;
            }
            evict = evict.max(n);
        }
        if let Some(age) = config.retention_max_age {
            let cutoff = now.saturating_sub(age.as_nanos().min(u64::MAX as u128) as u64);
            let mut n = evict;
            while self.log.entry(n).is_some_and(|(_, ts)| ts < cutoff) {
                n += 1;
            }
            evict = n;
        }
        let evict = evict.min(len);
        if evict > 0 {
            self.evict(evict)?;
        }
        Ok(evict)
    }

    fn evict(&mut self, n: u64) -> Result<(), RedexError> {
        self.log.evict_front(n);
        let first = self.log.first_seq();
        while self.key_order.front().is_some_and(|(seq, _)| *seq < first) {
            let (_, key) = self.key_order.pop_front().expect("checked non-empty");
            self.keys.remove(&key);
        }
        if let Some(disk) = &mut self.disk {
            disk.retain_from(first)?;
        }
        Ok(())
    }
}

impl FileShared {
    /// Open a file: load it from `dir` when persistent, apply retention.
    pub(crate) fn open(
        name: ChannelName,
        config: RedexFileConfig,
        dir: Option<PathBuf>,
        clock: Clock,
    ) -> Result<Arc<Self>, RedexError> {
        let mut log: Option<MemLog> = None;
        let mut keys = HashMap::new();
        let mut key_order = VecDeque::new();
        let (disk, repair) = match &dir {
            Some(dir) => {
                let (disk, loaded) = DiskLog::open(dir.clone(), name.as_str(), &config, |r| {
                    let log = log.get_or_insert_with(|| MemLog::new(r.seq));
                    log.push(r.payload, r.ts_nanos);
                    if !r.key.is_empty() {
                        keys.insert(Box::<[u8]>::from(r.key), r.seq);
                        key_order.push_back((r.seq, Box::<[u8]>::from(r.key)));
                    }
                })?;
                if log.is_none() {
                    log = Some(MemLog::new(loaded.next_seq));
                }
                (Some(disk), loaded.repair)
            }
            None => (None, None),
        };
        let log = log.unwrap_or_else(|| MemLog::new(0));
        let next = log.next_seq();
        let mut state = FileState { log, keys, key_order, disk, closed: false, failed: None };
        // Caps may be tighter than when the records were written.
        state.make_room(&config, clock.now_nanos(), None)?;
        let shared = Arc::new(Self {
            name,
            config: config.clone(),
            clock,
            state: Mutex::new(state),
            published: AtomicU64::new(next),
            closed: AtomicBool::new(false),
            notify: Notify::new(),
            tailers: AtomicUsize::new(0),
            repair,
            dir,
            syncer_stop: Mutex::new(None),
        });
        if let (true, FsyncPolicy::Interval(every)) = (shared.dir.is_some(), config.fsync) {
            *shared.syncer_stop.lock() = Some(syncer::spawn(Arc::downgrade(&shared), every));
        }
        Ok(shared)
    }

    /// Wake tails after records were published.
    #[inline]
    fn wake_tails(&self) {
        if self.tailers.load(Ordering::SeqCst) > 0 {
            self.notify.notify_waiters();
        }
    }

    /// One tick of the interval policy: write under the lock, fsync outside it.
    pub(crate) fn background_sync(&self) {
        let prepared = {
            let mut st = self.state.lock();
            match st.disk.as_mut().map(DiskLog::prepare_background_sync) {
                Some(Ok(p)) => p,
                Some(Err(e)) => {
                    st.failed = Some(e.to_string());
                    None
                }
                None => None,
            }
        };
        if let Some((file, path)) = prepared {
            if let Err(e) = file.sync_data() {
                self.state.lock().failed = Some(RedexError::io(path, e).to_string());
            }
        }
    }
}

impl Drop for FileShared {
    fn drop(&mut self) {
        // The last handle went away without `close`: make what was appended
        // durable anyway. Errors have nobody left to be reported to.
        let st = self.state.get_mut();
        if let Some(disk) = &mut st.disk {
            let _ = disk.sync();
            let _ = disk.write_meta(st.log.first_seq());
        }
    }
}

fn range_to_half_open(range: impl RangeBounds<u64>) -> (u64, u64) {
    let from = match range.start_bound() {
        Bound::Included(s) => *s,
        Bound::Excluded(s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let to = match range.end_bound() {
        Bound::Included(e) => e.saturating_add(1),
        Bound::Excluded(e) => *e,
        Bound::Unbounded => u64::MAX,
    };
    (from, to)
}

impl RedexFile {
    /// The file's name.
    pub fn name(&self) -> &ChannelName {
        &self.shared.name
    }

    /// The configuration it was opened with.
    pub fn config(&self) -> &RedexFileConfig {
        &self.shared.config
    }

    /// Append one record; returns its seq.
    ///
    /// # Errors
    /// [`RedexError::Closed`] after `close`; [`RedexError::TooLarge`];
    /// [`RedexError::Io`] when a write or fsync the policy requires fails
    /// (the file then refuses further appends until reopened).
    #[inline]
    pub fn append(&self, payload: &[u8]) -> Result<u64, RedexError> {
        self.append_stamped(payload).map(|(seq, _)| seq)
    }

    /// `append`, also returning the timestamp stored with the record (a
    /// fold applying its own event needs the same value a replay will see).
    #[inline]
    pub(crate) fn append_stamped(&self, payload: &[u8]) -> Result<(u64, u64), RedexError> {
        let stamped = {
            let mut st = self.shared.state.lock();
            st.check_writable(&self.shared)?;
            let ts = self.shared.clock.now_nanos();
            let seq = st.append(&self.shared.config, ts, &[], payload)?;
            self.shared.published.store(seq + 1, Ordering::Release);
            (seq, ts)
        };
        self.shared.wake_tails();
        Ok(stamped)
    }

    /// Append several records under one lock, with consecutive seqs;
    /// returns the first seq, or `None` for an empty batch (nothing was
    /// appended).
    ///
    /// If a record fails (say, too large) the ones before it stay appended
    /// and the error is returned.
    pub fn append_batch<I, B>(&self, payloads: I) -> Result<Option<u64>, RedexError>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let mut first = None;
        let result = {
            let mut st = self.shared.state.lock();
            st.check_writable(&self.shared)?;
            let ts = self.shared.clock.now_nanos();
            let mut result = Ok(());
            for p in payloads {
                match st.append(&self.shared.config, ts, &[], p.as_ref()) {
                    Ok(seq) => {
                        first.get_or_insert(seq);
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            self.shared.published.store(st.log.next_seq(), Ordering::Release);
            result
        };
        if first.is_some() {
            self.shared.wake_tails();
        }
        result.map(|()| first)
    }

    /// Append a record identified by `key`, once: a retry with a key whose
    /// record is still retained returns that record's seq and appends
    /// nothing. The key is stored with the record, so this holds across
    /// reopens too; once retention evicts the record its key is forgotten.
    ///
    /// # Errors
    /// [`RedexError::EmptyKey`], [`RedexError::TooLarge`] for a key over
    /// 65,535 bytes, and those of [`RedexFile::append`].
    pub fn append_idempotent(&self, key: &[u8], payload: &[u8]) -> Result<u64, RedexError> {
        if key.is_empty() {
            return Err(RedexError::EmptyKey);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(RedexError::TooLarge { what: "idempotency key", size: key.len(), max: MAX_KEY_LEN });
        }
        let seq = {
            let mut st = self.shared.state.lock();
            st.check_writable(&self.shared)?;
            if let Some(seq) = st.keys.get(key) {
                return Ok(*seq);
            }
            let seq = st.append(&self.shared.config, self.shared.clock.now_nanos(), key, payload)?;
            self.shared.published.store(seq + 1, Ordering::Release);
            seq
        };
        self.shared.wake_tails();
        Ok(seq)
    }

    /// The retained records with seq in `range` (clamped to what is
    /// retained), oldest first. Works on a closed file too.
    pub fn read(&self, range: impl RangeBounds<u64>) -> Vec<RedexEvent> {
        let (from, to) = range_to_half_open(range);
        let mut out = VecDeque::new();
        self.shared.state.lock().log.read_into(from, to, usize::MAX, &mut out);
        out.into()
    }

    /// A stream of every record from `from_seq` on: first the retained
    /// ones (backfill), then each new append as it happens, with no record
    /// missed or repeated between the two. It ends after `close` once
    /// everything appended has been delivered. If `from_seq` (or a slow
    /// reader's position) falls behind retention, one
    /// [`RedexError::TailLagged`] item reports the gap and the stream
    /// continues from the oldest retained record.
    pub fn tail(&self, from_seq: u64) -> RedexTail {
        RedexTail::new(self.shared.clone(), from_seq)
    }

    /// Seq the next append will get.
    pub fn next_seq(&self) -> u64 {
        self.shared.published.load(Ordering::Acquire)
    }

    /// Seq of the oldest retained record (`next_seq` when none is).
    pub fn first_seq(&self) -> u64 {
        self.shared.state.lock().log.first_seq()
    }

    /// Number of retained records.
    pub fn len(&self) -> u64 {
        self.shared.state.lock().log.len()
    }

    /// Whether no record is retained.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Payload bytes of the retained records.
    pub fn retained_bytes(&self) -> u64 {
        self.shared.state.lock().log.bytes()
    }

    /// What opening this file had to cut (a torn final record, or damage
    /// when opened with `recover`), if anything.
    pub fn repair_report(&self) -> Option<&RepairReport> {
        self.shared.repair.as_ref()
    }

    /// Apply age retention now (appends apply it as they go; this is for a
    /// file that is idle). Returns how many records were evicted.
    pub fn sweep_retention(&self) -> Result<u64, RedexError> {
        let mut st = self.shared.state.lock();
        st.check_writable(&self.shared)?;
        st.make_room(&self.shared.config, self.shared.clock.now_nanos(), None)
    }

    /// Write everything appended so far and fsync it (persistent files;
    /// a no-op in memory).
    pub fn sync(&self) -> Result<(), RedexError> {
        let mut st = self.shared.state.lock();
        st.check_writable(&self.shared)?;
        let result = match &mut st.disk {
            Some(disk) => disk.sync(),
            None => Ok(()),
        };
        if let Err(e) = &result {
            st.failed = Some(e.to_string());
        }
        result
    }

    /// Close the file: sync it, record its metadata, release its directory
    /// lock and end its tails (after they deliver what was appended).
    /// Every handle sees the close; closing again is a no-op. The records
    /// stay readable through existing handles; `open_file` opens the file
    /// afresh.
    pub fn close(&self) -> Result<(), RedexError> {
        let result = {
            let mut st = self.shared.state.lock();
            if st.closed {
                return Ok(());
            }
            st.closed = true;
            let first = st.log.first_seq();
            match st.disk.take() {
                Some(mut disk) => disk.sync().and_then(|()| disk.write_meta(first)),
                None => Ok(()),
            }
        };
        self.shared.syncer_stop.lock().take();
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.notify.notify_waiters();
        result
    }

    /// Whether `close` was called (on any handle).
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }
}
