//! RedEX: `Redex`, `RedexFile` and `RedexTail` (`nextBatch` resolves to
//! the next ready records: backfill, then live appends).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use napi::bindgen_prelude::{BigInt, Buffer, Env};
use napi::JsObject;
use napi_derive::napi;
use net_sdk::cortex::{self, FsyncPolicy, RedexError, RedexFileConfig};
use tokio::sync::{Mutex, Notify};

use crate::error::{error, invalid, Result};
use crate::identity::u64_of;
use crate::promise;

pub fn redex_fail(e: RedexError) -> crate::error::Error {
    error(e.kind(), e.to_string())
}

/// How a file stores, syncs and forgets records.
#[napi(object)]
#[derive(Default)]
pub struct RedexFileOptions {
    /// Keep the file under the Redex's persistent directory.
    pub persistent: Option<bool>,
    /// Fsync after every n records.
    pub fsync_every_n: Option<BigInt>,
    /// Fsync every interval (ms) from a background thread.
    pub fsync_interval_ms: Option<f64>,
    /// Never fsync on its own (only sync() and close()).
    pub fsync_never: Option<bool>,
    pub retention_max_events: Option<BigInt>,
    pub retention_max_bytes: Option<BigInt>,
    pub retention_max_age_ms: Option<f64>,
    pub segment_max_bytes: Option<f64>,
    /// Cut a corrupt log at its last good record instead of failing.
    pub recover: Option<bool>,
}

fn whole(v: f64, what: &str) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u64::MAX as f64 {
        Ok(v as u64)
    } else {
        Err(invalid(format!("{what} must be a whole number >= 0, got {v}")))
    }
}

pub fn file_config(o: RedexFileOptions) -> Result<RedexFileConfig> {
    let mut c = RedexFileConfig::default().with_persistent(o.persistent.unwrap_or(false)).with_recover(o.recover.unwrap_or(false));
    let every = o.fsync_every_n.as_ref().map(|n| u64_of(n, "fsyncEveryN")).transpose()?;
    let interval = o.fsync_interval_ms.map(|ms| whole(ms, "fsyncIntervalMs")).transpose()?;
    c.fsync = match (every, interval, o.fsync_never.unwrap_or(false)) {
        (None, None, false) => c.fsync,
        (Some(n), None, false) => FsyncPolicy::EveryN(n),
        (None, Some(ms), false) => FsyncPolicy::Interval(Duration::from_millis(ms)),
        (None, None, true) => FsyncPolicy::Never,
        _ => {
            return Err(redex_fail(RedexError::Config(
                "give at most one of fsyncEveryN, fsyncIntervalMs, fsyncNever".into(),
            )))
        }
    };
    c.retention_max_events = o.retention_max_events.as_ref().map(|n| u64_of(n, "retentionMaxEvents")).transpose()?;
    c.retention_max_bytes = o.retention_max_bytes.as_ref().map(|n| u64_of(n, "retentionMaxBytes")).transpose()?;
    c.retention_max_age = o.retention_max_age_ms.map(|ms| whole(ms, "retentionMaxAgeMs")).transpose()?.map(Duration::from_millis);
    if let Some(b) = o.segment_max_bytes {
        c.segment_max_bytes = whole(b, "segmentMaxBytes")?;
    }
    Ok(c)
}

/// A manager of RedEX files: in memory, or under `persistentDir`.
#[napi]
pub struct Redex {
    pub(crate) inner: cortex::Redex,
}

#[napi]
impl Redex {
    #[napi(constructor)]
    pub fn new(persistent_dir: Option<String>) -> Self {
        let inner = match persistent_dir {
            Some(d) => cortex::Redex::new().with_persistent_dir(d),
            None => cortex::Redex::new(),
        };
        Redex { inner }
    }

    /// Open the file `name` (a channel name). Throws code
    /// `invalid_channel`, `redex:config`, `redex:corrupt` (message names
    /// file and offset), `redex:locked`, `redex:io`.
    #[napi]
    pub fn open_file(&self, name: String, options: Option<RedexFileOptions>) -> Result<RedexFile> {
        let config = file_config(options.unwrap_or_default())?;
        let file = self.inner.open_file(&name, config).map_err(redex_fail)?;
        Ok(RedexFile { file })
    }
}

/// One record of a file.
#[napi(object)]
pub struct RedexEventJs {
    pub seq: BigInt,
    pub timestamp_nanos: BigInt,
    pub payload: Buffer,
}

impl From<&cortex::RedexEvent> for RedexEventJs {
    fn from(e: &cortex::RedexEvent) -> Self {
        RedexEventJs { seq: BigInt::from(e.seq), timestamp_nanos: BigInt::from(e.timestamp_nanos), payload: e.payload.to_vec().into() }
    }
}

/// What opening a persistent file had to cut.
#[napi(object)]
pub struct RepairReportJs {
    /// `"torn_tail"` or `"corruption"`.
    pub kind: String,
    pub file: String,
    pub offset: BigInt,
    pub reason: String,
    pub bytes_cut: BigInt,
    pub segments_removed: u32,
}

/// An open RedEX file.
#[napi]
pub struct RedexFile {
    file: cortex::RedexFile,
}

#[napi]
impl RedexFile {
    /// Append one record; returns its seq.
    #[napi]
    pub fn append(&self, payload: Buffer) -> Result<BigInt> {
        self.file.append(&payload).map(BigInt::from).map_err(redex_fail)
    }

    /// Append records with consecutive seqs; the first seq, or null for an
    /// empty array (nothing was appended).
    #[napi]
    pub fn append_batch(&self, payloads: Vec<Buffer>) -> Result<Option<BigInt>> {
        let items: Vec<&[u8]> = payloads.iter().map(|b| b.as_ref()).collect();
        self.file.append_batch(items).map(|s| s.map(BigInt::from)).map_err(redex_fail)
    }

    /// Append `payload` identified by `key` once: a retry returns the
    /// original seq while that record is retained.
    #[napi]
    pub fn append_idempotent(&self, key: Buffer, payload: Buffer) -> Result<BigInt> {
        self.file.append_idempotent(&key, &payload).map(BigInt::from).map_err(redex_fail)
    }

    /// The retained records with `start <= seq < end`.
    #[napi]
    pub fn read_range(&self, start: BigInt, end: BigInt) -> Result<Vec<RedexEventJs>> {
        let (from, to) = (u64_of(&start, "start")?, u64_of(&end, "end")?);
        Ok(self.file.read(from..to).iter().map(RedexEventJs::from).collect())
    }

    /// A tail from `fromSeq`: backfill, then live appends.
    #[napi]
    pub fn tail(&self, from_seq: BigInt) -> Result<RedexTail> {
        let from = u64_of(&from_seq, "fromSeq")?;
        let state = TailState { tail: self.file.tail(from), pending: None };
        Ok(RedexTail {
            state: Arc::new(Mutex::new(Some(state))),
            closed: Arc::new(AtomicBool::new(false)),
            cancel: Arc::new(Notify::new()),
        })
    }

    #[napi(getter)]
    pub fn next_seq(&self) -> BigInt {
        BigInt::from(self.file.next_seq())
    }

    #[napi(getter)]
    pub fn first_seq(&self) -> BigInt {
        BigInt::from(self.file.first_seq())
    }

    #[napi(getter)]
    pub fn length(&self) -> BigInt {
        BigInt::from(self.file.len())
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.file.is_closed()
    }

    /// What opening the file had to cut, or null.
    #[napi(getter)]
    pub fn repair_report(&self) -> Option<RepairReportJs> {
        self.file.repair_report().map(|r| RepairReportJs {
            kind: if r.kind == cortex::RepairKind::TornTail { "torn_tail" } else { "corruption" }.to_string(),
            file: r.file.display().to_string(),
            offset: BigInt::from(r.offset),
            reason: r.reason.clone(),
            bytes_cut: BigInt::from(r.bytes_cut),
            segments_removed: r.segments_removed as u32,
        })
    }

    /// Write and fsync everything appended so far.
    #[napi]
    pub fn sync(&self) -> Result<()> {
        self.file.sync().map_err(redex_fail)
    }

    /// Sync and close; appends then throw code `redex:closed`. Idempotent.
    #[napi]
    pub fn close(&self) -> Result<()> {
        self.file.close().map_err(redex_fail)
    }
}

struct TailState {
    tail: cortex::RedexTail,
    /// An error met after some records were collected, reported next call.
    pending: Option<RedexError>,
}

/// A tail of a file.
#[napi]
pub struct RedexTail {
    /// `None` once ended or closed.
    state: Arc<Mutex<Option<TailState>>>,
    closed: Arc<AtomicBool>,
    /// Wakes a nextBatch waiting for records when close() is called.
    cancel: Arc<Notify>,
}

#[napi]
impl RedexTail {
    /// The next ready records (at least one, at most `max`), or null once
    /// the file was closed and everything was delivered, or after close().
    /// Rejects with code `redex:tail_lagged` when retention evicted records
    /// not yet delivered (the next call continues from the oldest).
    #[napi(ts_return_type = "Promise<Array<RedexEventJs> | null>")]
    pub fn next_batch(&self, env: Env, max: u32) -> Result<JsObject> {
        let (state, closed, cancel) = (self.state.clone(), self.closed.clone(), self.cancel.clone());
        let max = (max as usize).max(1);
        promise::spawn(
            &env,
            async move {
                let mut guard = state.lock().await;
                if closed.load(Ordering::SeqCst) {
                    *guard = None;
                }
                let Some(st) = guard.as_mut() else { return Ok(None) };
                if let Some(e) = st.pending.take() {
                    return Err(redex_fail(e));
                }
                let mut out = Vec::new();
                let mut next = tokio::select! {
                    biased;
                    _ = cancel.notified() => {
                        *guard = None;
                        return Ok(None);
                    }
                    item = st.tail.next() => item,
                };
                loop {
                    match next {
                        None => {
                            *guard = None;
                            break;
                        }
                        Some(Err(e)) if out.is_empty() => return Err(redex_fail(e)),
                        Some(Err(e)) => {
                            st.pending = Some(e);
                            break;
                        }
                        Some(Ok(e)) => out.push(e),
                    }
                    if out.len() >= max {
                        break;
                    }
                    match st.tail.next().now_or_never() {
                        Some(item) => next = item,
                        None => break,
                    }
                }
                Ok(if out.is_empty() { None } else { Some(out) })
            },
            |_, batch| Ok(batch.map(|v| v.iter().map(RedexEventJs::from).collect::<Vec<_>>())),
        )
    }

    /// Stop tailing: the next nextBatch resolves to null. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        match self.state.try_lock() {
            Ok(mut t) => *t = None,
            // A nextBatch holds the tail: wake it; it drops the tail.
            Err(_) => self.cancel.notify_one(),
        }
    }
}
