//! The Redis Streams backend: one stream per shard on a Redis server.
//!
//! Shard `n` is the stream `<prefix>:shard:<n>`. A drained block becomes
//! one `MULTI` … `EXEC` of pipelined `XADD`s (optionally `MAXLEN ~`
//! trimmed), each entry holding the fields
//!
//! | field | value |
//! |---|---|
//! | `seq` | the producer's sequence (the one in its `Receipt`) |
//! | `ts` | the emit timestamp, Unix nanoseconds |
//! | `dedup_id` | `{producer_nonce:hex}:{shard}:{sequence_start}:{i}` |
//! | `data` | the payload bytes |
//!
//! Entries get server-generated stream ids, so any number of producers may
//! share the streams. Reads go by stream id (`XRANGE`): the sequence in a
//! polled [`EventId`](crate::EventId) (and so in poll cursors) is the entry's
//! stream id `ms-n` packed as `ms << 20 | n`, not the producer's sequence.
//! A watcher task waits on the streams with `XREAD BLOCK` on its own
//! connection, so subscribers also wake for entries other processes add.
//!
//! When `EXEC` fails (server gone, response timed out) the bus's drainer
//! retries the same block, with the same dedup ids: if the failed `EXEC`
//! had in fact been applied, the stream holds the block twice, and a
//! consumer drops the second copy with [`RedisStreamDedup`](crate::RedisStreamDedup).

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncConnectionConfig, Client, ErrorKind, RedisError, Value};
use tokio::sync::Notify;

use super::shard_ends::ShardEnds;
use super::url::redact;
use super::watcher_task::WatcherTask;
use super::{Backend, ReadOutcome};
use crate::bus::nonce::dedup_prefix;
use crate::bus::block::EventBlock;
use crate::bus::event::{Event, EventId, StoredEvent};
use crate::error::{Result, SdkError};

/// Bits of a packed stream id given to the sequence within a millisecond.
const SEQ_BITS: u32 = 20;
/// Most `XADD`s in one `MULTI`/`EXEC`.
const MAX_EXEC: usize = 4096;
/// How long the watcher's `XREAD` blocks before it asks again.
const WATCH_BLOCK_MS: usize = 1000;

/// Where and how to reach Redis: for [`NetBuilder::redis`](crate::NetBuilder::redis).
///
/// ```no_run
/// # async fn demo() -> net_sdk::Result<()> {
/// use net_sdk::{Net, RedisAdapterConfig};
/// let net = Net::builder()
///     .redis(RedisAdapterConfig::new("redis://localhost:6379").prefix("orders").maxlen(1_000_000))
///     .producer_nonce_path("/var/lib/myapp/producer.nonce")
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisAdapterConfig {
    pub(crate) url: String,
    pub(crate) prefix: String,
    pub(crate) maxlen: Option<usize>,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Duration,
    pub(crate) producer_nonce_path: Option<PathBuf>,
}

impl std::fmt::Debug for RedisAdapterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisAdapterConfig")
            .field("url", &redact(&self.url))
            .field("prefix", &self.prefix)
            .field("maxlen", &self.maxlen)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("producer_nonce_path", &self.producer_nonce_path)
            .finish()
    }
}

impl RedisAdapterConfig {
    /// A server at `url` (`redis://[user:password@]host:port[/db]`), streams
    /// named `net:shard:<n>`, no trimming, 5 s connect and response
    /// timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: "net".into(),
            maxlen: None,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(5),
            producer_nonce_path: None,
        }
    }

    /// Stream key prefix (default `net`): shard `n` is `<prefix>:shard:<n>`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Trim each stream to about `entries` entries (`XADD MAXLEN ~`).
    pub fn maxlen(mut self, entries: usize) -> Self {
        self.maxlen = Some(entries);
        self
    }

    /// How long connecting (and each reconnect attempt) may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a command (a whole `MULTI`/`EXEC`) may wait for its reply;
    /// a batch whose reply times out is retried under the same dedup ids.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Load (or create) the producer nonce at `path`; see
    /// [`NetBuilder::producer_nonce_path`](crate::NetBuilder::producer_nonce_path).
    pub fn producer_nonce_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.producer_nonce_path = Some(path.into());
        self
    }

    /// The server URL with its password hidden.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    /// The stream key of `shard`.
    pub fn stream_key(&self, shard: u16) -> String {
        format!("{}:shard:{shard}", self.prefix)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(SdkError::InvalidConfig(format!("redis {}: {m}", self.redacted_url())));
        if self.prefix.is_empty() {
            return bad("the stream prefix must not be empty".into());
        }
        if self.maxlen == Some(0) {
            return bad("maxlen must be at least 1".into());
        }
        if self.connect_timeout.is_zero() || self.response_timeout.is_zero() {
            return bad("timeouts must be greater than zero".into());
        }
        Ok(())
    }
}

/// Pack a stream id `ms-n` into a cursor sequence.
pub(crate) fn pack_id(id: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(id).ok()?;
    let (ms, n) = text.split_once('-')?;
    let (ms, n): (u64, u64) = (ms.parse().ok()?, n.parse().ok()?);
    if ms >> (64 - SEQ_BITS) != 0 || n >> SEQ_BITS != 0 {
        return None;
    }
    Some(ms << SEQ_BITS | n)
}

/// The stream id a cursor sequence stands for.
pub(crate) fn unpack_id(packed: u64) -> String {
    format!("{}-{}", packed >> SEQ_BITS, packed & ((1 << SEQ_BITS) - 1))
}

/// Turn a client error into the SDK's, naming the server (never its password).
fn classify(url: &str, e: RedisError) -> SdkError {
    let auth = e.kind() == ErrorKind::AuthenticationFailed || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"));
    let shown = e.to_string();
    if auth {
        SdkError::AuthFailed(format!("redis {url}: the server refused the credentials ({shown})"))
    } else if e.is_timeout() {
        SdkError::Timeout(format!("redis {url}: {shown}"))
    } else {
        SdkError::Backend(format!("redis {url}: {shown}"))
    }
}

/// A [`Backend`] storing each shard in a Redis stream; install it with
/// [`NetBuilder::redis`](crate::NetBuilder::redis).
pub struct RedisBackend {
    conn: ConnectionManager,
    /// Shard names are the stream keys; ends are packed stream ids.
    shared: Arc<ShardEnds>,
    nonce: u64,
    maxlen: Option<usize>,
    watcher: WatcherTask,
}

impl RedisBackend {
    /// Connect to the server of `config` (checking its credentials with a
    /// `PING`) for a bus of `shards` shards whose dedup ids start with
    /// `nonce`. Spawns the watcher on the current tokio runtime.
    ///
    /// A malformed URL fails with `InvalidConfig`, refused credentials with
    /// `AuthFailed`, an unreachable server with `Backend` or `Timeout`;
    /// each message names the URL without its password.
    pub async fn connect(config: &RedisAdapterConfig, shards: u16, nonce: u64) -> Result<Self> {
        config.validate()?;
        let url = config.redacted_url();
        let client = Client::open(config.url.as_str())
            .map_err(|e| SdkError::InvalidConfig(format!("redis {url}: not a usable Redis URL ({e})")))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(config.connect_timeout)
            .set_response_timeout(config.response_timeout)
            .set_number_of_retries(2)
            .set_max_delay(500);
        let mut conn = ConnectionManager::new_with_config(client.clone(), manager_config)
            .await
            .map_err(|e| classify(&url, e))?;
        redis::cmd("PING").query_async::<()>(&mut conn).await.map_err(|e| classify(&url, e))?;
        let keys: Box<[String]> = (0..shards).map(|s| config.stream_key(s)).collect();
        // Where each stream ends now: the newest entry of each, in one round trip.
        let mut pipe = redis::pipe();
        for key in keys.iter() {
            pipe.cmd("XREVRANGE").arg(key).arg("+").arg("-").arg("COUNT").arg(1);
        }
        let newest: Vec<Value> = pipe.query_async(&mut conn).await.map_err(|e| classify(&url, e))?;
        let tails = newest.iter().map(|v| entries(v).last().and_then(|(id, _)| pack_id(id)).map_or(0, |p| p + 1));
        let shared = ShardEnds::new(url, keys, tails);
        let watch_config = AsyncConnectionConfig::new()
            .set_connection_timeout(config.connect_timeout)
            .set_response_timeout(Duration::from_millis(WATCH_BLOCK_MS as u64) + config.response_timeout);
        let watcher = tokio::spawn(watch(Arc::downgrade(&shared), client, watch_config));
        Ok(Self { conn, shared, nonce, maxlen: config.maxlen, watcher: WatcherTask::new(watcher) })
    }

    /// The nonce this backend's dedup ids start with.
    pub fn producer_nonce(&self) -> u64 {
        self.nonce
    }

    fn key(&self, shard: u16) -> Result<&str> {
        self.shared.name("redis", shard)
    }

    /// `XADD` `events` (`(i, sequence, timestamp, payload)`, the `i`-th of
    /// a batch starting at `sequence_start`) to `shard` in one transaction:
    /// `MULTI`, one `XADD` per event, `EXEC`, written in one go.
    ///
    /// Each `XADD` is sized before it is filled (one buffer for its bytes,
    /// one for its argument bounds: no regrowth), and the pipeline is sized
    /// for the whole batch. The reply is only checked for errors and for the
    /// newest stream id.
    async fn add<'a>(
        &self,
        shard: u16,
        sequence_start: u64,
        count: usize,
        events: impl Iterator<Item = (usize, u64, u64, &'a [u8])>,
    ) -> Result<()> {
        let key = self.key(shard)?;
        let mut id = DedupId::new(self.nonce, shard, sequence_start);
        let (maxlen_args, maxlen_bytes) = if self.maxlen.is_some() { (3, "MAXLEN".len() + 1 + 20) } else { (0, 0) };
        // XADD key [MAXLEN ~ n] * seq <u64> ts <u64> dedup_id <id> data <payload>
        let args = 11 + maxlen_args;
        let fixed = "XADD".len() + key.len() + maxlen_bytes + 1 + "seqtsdedup_iddata".len() + 20 + 20 + id.max_len();
        let mut pipe = redis::Pipeline::with_capacity(count);
        pipe.atomic();
        for (i, sequence, timestamp, payload) in events {
            let mut cmd = redis::Cmd::with_capacity(args, fixed + payload.len());
            cmd.arg("XADD").arg(key);
            if let Some(n) = self.maxlen {
                cmd.arg("MAXLEN").arg("~").arg(n);
            }
            cmd.arg("*")
                .arg("seq")
                .arg(sequence)
                .arg("ts")
                .arg(timestamp)
                .arg("dedup_id")
                .arg(id.of(i))
                .arg("data")
                .arg(payload);
            pipe.add_command(cmd);
        }
        let reply: Value = pipe.query_async(&mut self.conn.clone()).await.map_err(|e| classify(&self.shared.url, e))?;
        // EXEC answers one stream id per XADD; anything else (a transaction
        // the server aborted) stored nothing known: the drainer retries.
        let ids = match &reply {
            Value::Array(ids) if ids.len() == count => ids,
            other => {
                return Err(SdkError::Backend(format!(
                    "redis {}: EXEC of {count} XADDs to {key} answered {}",
                    self.shared.url,
                    match other {
                        Value::Array(ids) => format!("{} results", ids.len()),
                        Value::Nil => "nil (transaction aborted)".to_string(),
                        _ => "something other than the stream ids".to_string(),
                    }
                )))
            }
        };
        if let Some(Value::BulkString(last)) = ids.last() {
            if let Some(p) = pack_id(last) {
                self.shared.raise(shard as usize, p + 1);
            }
        }
        self.shared.changed().notify_waiters();
        Ok(())
    }
}

/// The dedup ids of one batch, `{nonce:016x}:{shard}:{sequence_start}:{i}`,
/// written into one buffer: the common prefix once, then each `i` in turn.
struct DedupId {
    text: String,
    prefix: usize,
}

impl DedupId {
    fn new(nonce: u64, shard: u16, sequence_start: u64) -> Self {
        let mut text = dedup_prefix(nonce, shard, sequence_start);
        let prefix = text.len();
        text.reserve(20);
        Self { text, prefix }
    }

    /// The longest id of this batch (any `i`).
    fn max_len(&self) -> usize {
        self.prefix + 20
    }

    /// The id of the `i`-th event (written into the reserved room: no
    /// allocation).
    fn of(&mut self, i: usize) -> &str {
        use std::fmt::Write;
        self.text.truncate(self.prefix);
        write!(self.text, "{i}").expect("writing to a String");
        &self.text
    }
}

/// The `(id, fields)` pairs of an `XRANGE`-shaped reply.
fn entries(reply: &Value) -> impl Iterator<Item = (&[u8], &[Value])> {
    let items: &[Value] = match reply {
        Value::Array(items) => items,
        _ => &[],
    };
    items.iter().filter_map(|entry| match entry {
        Value::Array(pair) => match pair.as_slice() {
            [Value::BulkString(id), Value::Array(fields)] => Some((id.as_slice(), fields.as_slice())),
            [Value::BulkString(id), Value::Nil] => Some((id.as_slice(), &[][..])),
            _ => None,
        },
        _ => None,
    })
}

/// The value of `name` among an entry's field/value pairs.
fn field<'a>(fields: &'a [Value], name: &str) -> Option<&'a [u8]> {
    fields.chunks_exact(2).find_map(|kv| match kv {
        [Value::BulkString(k), Value::BulkString(v)] if k == name.as_bytes() => Some(v.as_slice()),
        [Value::SimpleString(k), Value::BulkString(v)] if k.as_bytes() == name.as_bytes() => Some(v.as_slice()),
        _ => None,
    })
}

/// Wait on every stream with `XREAD BLOCK`; when one grows, learn its new
/// end and wake the subscribers. Runs until the backend goes away.
async fn watch(shared: Weak<ShardEnds>, client: Client, config: AsyncConnectionConfig) {
    let mut conn = None;
    loop {
        let Some(s) = shared.upgrade() else { return };
        if conn.is_none() {
            match client.get_multiplexed_async_connection_with_config(&config).await {
                Ok(c) => conn = Some(c),
                Err(_) => {
                    drop(s);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        let c = conn.as_mut().expect("connected above");
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT").arg(1).arg("BLOCK").arg(WATCH_BLOCK_MS).arg("STREAMS");
        for key in s.names.iter() {
            cmd.arg(key);
        }
        for t in s.tails() {
            // The last id seen: XREAD returns entries strictly after it.
            cmd.arg(if t == 0 { "0-0".to_string() } else { unpack_id(t - 1) });
        }
        let keys = s.names.clone();
        drop(s);
        let grown: Vec<usize> = match cmd.query_async::<Value>(c).await {
            Ok(Value::Array(streams)) => streams
                .iter()
                .filter_map(|st| match st {
                    Value::Array(kv) => match kv.first() {
                        Some(Value::BulkString(k)) => keys.iter().position(|key| key.as_bytes() == k.as_slice()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect(),
            Ok(Value::Map(streams)) => streams
                .iter()
                .filter_map(|(k, _)| match k {
                    Value::BulkString(k) => keys.iter().position(|key| key.as_bytes() == k.as_slice()),
                    _ => None,
                })
                .collect(),
            Ok(_) => Vec::new(),
            Err(_) => {
                conn = None;
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        if grown.is_empty() {
            continue;
        }
        let Some(s) = shared.upgrade() else { return };
        let mut pipe = redis::pipe();
        for &shard in &grown {
            pipe.cmd("XREVRANGE").arg(&s.names[shard]).arg("+").arg("-").arg("COUNT").arg(1);
        }
        let c = conn.as_mut().expect("connected above");
        match pipe.query_async::<Vec<Value>>(c).await {
            Ok(newest) => {
                for (&shard, v) in grown.iter().zip(&newest) {
                    if let Some(p) = entries(v).last().and_then(|(id, _)| pack_id(id)) {
                        s.raise(shard, p + 1);
                    }
                }
                s.changed().notify_waiters();
            }
            Err(_) => conn = None,
        }
    }
}

#[async_trait]
impl Backend for RedisBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        let Some(first) = events.first().map(|e| e.sequence) else { return Ok(()) };
        for (c, chunk) in events.chunks(MAX_EXEC).enumerate() {
            let at = c * MAX_EXEC;
            let each = chunk.iter().enumerate().map(|(i, e)| (at + i, e.sequence, e.timestamp, &e.raw[..]));
            self.add(shard, first, chunk.len(), each).await?;
        }
        events.clear();
        Ok(())
    }

    async fn append_block(&self, shard: u16, block: &EventBlock) -> Result<()> {
        let first = block.first_sequence();
        let len = block.len();
        // A drained block is at most the bus's max_batch: one transaction
        // unless that is above MAX_EXEC.
        for at in (0..len).step_by(MAX_EXEC) {
            let count = MAX_EXEC.min(len - at);
            let each = block.iter().enumerate().skip(at).take(count).map(|(i, (s, t, p))| (i, s, t, p));
            self.add(shard, first, count, each).await?;
        }
        Ok(())
    }

    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        let key = self.key(shard)?;
        if limit == 0 {
            let has_more = from_sequence < self.tail(shard);
            return Ok(ReadOutcome { next_sequence: from_sequence, has_more });
        }
        let start = if from_sequence == 0 { "-".to_string() } else { unpack_id(from_sequence) };
        // One more than asked: whether it comes back answers `has_more`.
        let reply: Value = redis::cmd("XRANGE")
            .arg(key)
            .arg(start)
            .arg("+")
            .arg("COUNT")
            .arg(limit + 1)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| classify(&self.shared.url, e))?;
        let mut next_sequence = from_sequence;
        let mut has_more = false;
        for (taken, (id, fields)) in entries(&reply).enumerate() {
            let Some(sequence) = pack_id(id) else {
                return Err(SdkError::Backend(format!(
                    "redis {}: stream id {:?} of {key} is outside the cursor's range",
                    self.shared.url,
                    String::from_utf8_lossy(id)
                )));
            };
            if taken == limit {
                has_more = true;
                break;
            }
            let insertion_ts = field(fields, "ts").and_then(|t| std::str::from_utf8(t).ok()?.parse().ok()).unwrap_or(0);
            let raw = field(fields, "data").map(Bytes::copy_from_slice).unwrap_or_default();
            out.push(Event { id: EventId { shard, sequence }, raw, shard_id: shard, insertion_ts });
            next_sequence = sequence + 1;
        }
        self.shared.raise(shard as usize, next_sequence);
        Ok(ReadOutcome { next_sequence, has_more })
    }

    fn tail(&self, shard: u16) -> u64 {
        self.shared.tail(shard)
    }

    fn producer_start(&self, _shard: u16) -> u64 {
        0
    }

    fn changed(&self) -> &Notify {
        self.shared.changed()
    }

    async fn close(&self) -> Result<()> {
        self.watcher.stop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_pack_in_order() {
        let a = pack_id(b"1700000000000-0").unwrap();
        let b = pack_id(b"1700000000000-1").unwrap();
        let c = pack_id(b"1700000000001-0").unwrap();
        assert!(a < b && b < c);
        assert_eq!(unpack_id(b), "1700000000000-1");
        assert_eq!(pack_id(b"0-1"), Some(1));
        assert_eq!(pack_id(b"1-1048576"), None);
        assert_eq!(pack_id(b"x-1"), None);
        assert_eq!(pack_id(b"17"), None);
    }

    #[test]
    fn dedup_ids_match_the_public_form_for_every_index() {
        let mut id = DedupId::new(0xabc, 3, 1000);
        for i in [0usize, 7, 10, 999, usize::MAX] {
            assert_eq!(id.of(i), crate::bus::nonce::dedup_id(0xabc, 3, 1000, i));
            assert!(id.of(i).len() <= id.max_len());
        }
    }

    #[test]
    fn config_debug_hides_the_password_and_validation_names_the_url() {
        let c = RedisAdapterConfig::new("redis://u:hunter2@127.0.0.1:1").maxlen(0);
        assert!(!format!("{c:?}").contains("hunter2"));
        let e = c.validate().unwrap_err();
        assert_eq!(e.kind(), "invalid_config");
        assert!(e.to_string().contains("redis://u:***@127.0.0.1:1") && !e.to_string().contains("hunter2"), "{e}");
    }
}
