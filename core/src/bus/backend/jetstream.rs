//! The NATS JetStream backend: one stream, one subject per shard.
//!
//! Shard `n` is the subject `<subject_prefix>.shard.<n>` of the stream
//! `<stream>` (created if missing, with a duplicate window). Every event is
//! published with the header `Nats-Msg-Id` set to its dedup id
//! `{producer_nonce:hex}:{shard}:{sequence_start}:{i}`, so the server itself
//! drops a retried publish (or a restarted producer's re-publish) that falls
//! inside the window; `Net-Ts` carries the emit timestamp and `Net-Seq` the
//! producer's sequence. A drained block is published pipelined (every
//! message sent, then every acknowledgement awaited) on one connection, so
//! the server stores it in order; a block with a missing or failed
//! acknowledgement fails whole, and the bus's drainer retries it with the
//! same ids.
//!
//! Reads go by stream sequence: the sequence in a polled
//! [`EventId`](crate::EventId) (and in poll cursors) is the message's
//! stream sequence, not the producer's. Each shard keeps one pull consumer
//! (filtered to its subject, no acks) positioned where the last read ended;
//! a read from elsewhere replaces it. A watcher checks the stream's last
//! sequence every [`WATCH_EVERY`] so subscribers also wake for messages
//! other processes publish.

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::context::Publish;
use async_nats::jetstream::stream::{Config as StreamConfig, Stream as JsStream};
use async_nats::{ConnectErrorKind, ServerAddr};
use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::Notify;

use super::shard_ends::ShardEnds;
use super::url::redact;
use super::watcher_task::WatcherTask;
use super::{Backend, ReadOutcome};
use crate::bus::nonce::dedup_prefix;
use crate::bus::block::EventBlock;
use crate::bus::event::{Event, EventId, StoredEvent};
use crate::error::{Result, SdkError};

/// How often the watcher looks for messages published by others.
pub const WATCH_EVERY: Duration = Duration::from_millis(50);
/// Header carrying the emit timestamp (Unix nanoseconds, decimal).
const TS_HEADER: &str = "Net-Ts";
/// Header carrying the producer's sequence (decimal).
const SEQ_HEADER: &str = "Net-Seq";

/// Where and how to reach JetStream: for [`NetBuilder::jetstream`](crate::NetBuilder::jetstream).
///
/// ```no_run
/// # async fn demo() -> net_sdk::Result<()> {
/// use net_sdk::{JetStreamAdapterConfig, Net};
/// let net = Net::builder()
///     .jetstream(JetStreamAdapterConfig::new("nats://localhost:4222").stream("ORDERS"))
///     .producer_nonce_path("/var/lib/myapp/producer.nonce")
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JetStreamAdapterConfig {
    pub(crate) url: String,
    pub(crate) stream: String,
    pub(crate) subject_prefix: String,
    pub(crate) max_messages: Option<i64>,
    pub(crate) duplicate_window: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) producer_nonce_path: Option<PathBuf>,
}

impl std::fmt::Debug for JetStreamAdapterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStreamAdapterConfig")
            .field("url", &redact(&self.url))
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("max_messages", &self.max_messages)
            .field("duplicate_window", &self.duplicate_window)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("producer_nonce_path", &self.producer_nonce_path)
            .finish()
    }
}

impl JetStreamAdapterConfig {
    /// A server at `url` (`nats://[user:password@|token@]host:port`),
    /// stream `NET` with subjects `net.shard.<n>`, a two-minute duplicate
    /// window, no message limit, 5 s connect and request timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            stream: "NET".into(),
            subject_prefix: "net".into(),
            max_messages: None,
            duplicate_window: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            producer_nonce_path: None,
        }
    }

    /// The stream's name (default `NET`; no spaces, `.`, `*` or `>`).
    pub fn stream(mut self, name: impl Into<String>) -> Self {
        self.stream = name.into();
        self
    }

    /// Subject prefix (default `net`): shard `n` is `<prefix>.shard.<n>`.
    pub fn subject_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.subject_prefix = prefix.into();
        self
    }

    /// Keep at most `n` messages in the stream (oldest discarded), when the
    /// backend creates it.
    pub fn max_messages(mut self, n: u64) -> Self {
        self.max_messages = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// How long the server remembers message ids to drop duplicates
    /// (default two minutes), when the backend creates the stream.
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// How long connecting may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a publish acknowledgement or a JetStream API request may
    /// take; a block whose acknowledgements time out is retried.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Load (or create) the producer nonce at `path`; see
    /// [`NetBuilder::producer_nonce_path`](crate::NetBuilder::producer_nonce_path).
    pub fn producer_nonce_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.producer_nonce_path = Some(path.into());
        self
    }

    /// The server URL with its password or token hidden.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    /// The subject of `shard`.
    pub fn subject(&self, shard: u16) -> String {
        format!("{}.shard.{shard}", self.subject_prefix)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(SdkError::InvalidConfig(format!("jetstream {}: {m}", self.redacted_url())));
        if self.stream.is_empty() || self.stream.contains(|c: char| c.is_whitespace() || ".*>".contains(c)) {
            return bad(format!("stream name {:?} must be non-empty without spaces, '.', '*' or '>'", self.stream));
        }
        if self.subject_prefix.is_empty() || self.subject_prefix.contains(|c: char| c.is_whitespace() || "*>".contains(c)) {
            return bad(format!("subject prefix {:?} must be non-empty without spaces, '*' or '>'", self.subject_prefix));
        }
        if self.duplicate_window.is_zero() || self.connect_timeout.is_zero() || self.request_timeout.is_zero() {
            return bad("the duplicate window and the timeouts must be greater than zero".into());
        }
        if self.max_messages == Some(0) {
            return bad("max_messages must be at least 1".into());
        }
        Ok(())
    }
}

/// A failed JetStream operation as an SDK error naming the server.
fn failure(url: &str, what: &str, e: impl std::fmt::Display) -> SdkError {
    SdkError::Backend(format!("jetstream {url}: {what}: {e}"))
}

/// Each shard's pull consumer and the stream sequence it delivers next.
struct ShardReader {
    consumer: PullConsumer,
    next: u64,
}

/// A [`Backend`] storing each shard on a subject of a JetStream stream;
/// install it with [`NetBuilder::jetstream`](crate::NetBuilder::jetstream).
pub struct JetStreamBackend {
    js: async_nats::jetstream::Context,
    stream: JsStream,
    /// Shard names are the subjects; ends are stream sequences.
    shared: Arc<ShardEnds>,
    nonce: u64,
    readers: Box<[tokio::sync::Mutex<Option<ShardReader>>]>,
    watcher: WatcherTask,
}

impl JetStreamBackend {
    /// Connect to the server of `config`, create the stream if it is
    /// missing, for a bus of `shards` shards whose message ids start with
    /// `nonce`. Spawns the watcher on the current tokio runtime.
    ///
    /// A malformed URL fails with `InvalidConfig`, refused credentials with
    /// `AuthFailed`, an unreachable server with `Backend` or `Timeout`;
    /// each message names the URL without its password or token.
    pub async fn connect(config: &JetStreamAdapterConfig, shards: u16, nonce: u64) -> Result<Self> {
        config.validate()?;
        let url = config.redacted_url();
        let addr: ServerAddr = config
            .url
            .parse()
            .map_err(|e| SdkError::InvalidConfig(format!("jetstream {url}: not a usable NATS URL ({e})")))?;
        let mut options = async_nats::ConnectOptions::new()
            .connection_timeout(config.connect_timeout)
            .request_timeout(Some(config.request_timeout))
            .ignore_discovered_servers();
        match (addr.username(), addr.password()) {
            (Some(user), Some(pass)) => options = options.user_and_password(user.to_string(), pass.to_string()),
            (Some(token), None) => options = options.token(token.to_string()),
            _ => {}
        }
        let client = options.connect(addr).await.map_err(|e| match e.kind() {
            ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => {
                SdkError::AuthFailed(format!("jetstream {url}: the server refused the credentials ({e})"))
            }
            ConnectErrorKind::TimedOut => SdkError::Timeout(format!("jetstream {url}: connecting: {e}")),
            ConnectErrorKind::ServerParse => SdkError::InvalidConfig(format!("jetstream {url}: {e}")),
            _ => failure(&url, "connecting", e),
        })?;
        let mut js = async_nats::jetstream::new(client);
        js.set_timeout(config.request_timeout);
        let subjects: Box<[String]> = (0..shards).map(|s| config.subject(s)).collect();
        let stream = js
            .get_or_create_stream(StreamConfig {
                name: config.stream.clone(),
                subjects: vec![format!("{}.shard.*", config.subject_prefix)],
                duplicate_window: config.duplicate_window,
                max_messages: config.max_messages.unwrap_or(-1),
                ..Default::default()
            })
            .await
            .map_err(|e| failure(&url, &format!("stream {}", config.stream), e))?;
        let mut tails = Vec::with_capacity(subjects.len());
        for subject in subjects.iter() {
            tails.push(last_on(&stream, subject, &url).await?);
        }
        let shared = ShardEnds::new(url, subjects, tails);
        let watcher = tokio::spawn(watch(Arc::downgrade(&shared), stream.clone()));
        Ok(Self {
            js,
            stream,
            shared,
            nonce,
            readers: (0..shards).map(|_| tokio::sync::Mutex::new(None)).collect(),
            watcher: WatcherTask::new(watcher),
        })
    }

    /// The nonce this backend's message ids start with.
    pub fn producer_nonce(&self) -> u64 {
        self.nonce
    }

    fn subject(&self, shard: u16) -> Result<&str> {
        self.shared.name("jetstream", shard)
    }

    async fn publish(&self, shard: u16, events: &[StoredEvent]) -> Result<()> {
        let Some(first) = events.first().map(|e| e.sequence) else { return Ok(()) };
        let subject = self.subject(shard)?;
        let url = &self.shared.url;
        let prefix = dedup_prefix(self.nonce, shard, first);
        let mut acks = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            let publish = Publish::build()
                .payload(e.raw.clone())
                .message_id(format!("{prefix}{i}"))
                .header(TS_HEADER, e.timestamp.to_string().as_str())
                .header(SEQ_HEADER, e.sequence.to_string().as_str());
            let ack = self.js.send_publish(subject.to_string(), publish).await.map_err(|e| failure(url, "publish", e))?;
            acks.push(ack);
        }
        let mut newest = 0;
        for ack in acks {
            let ack = ack.await.map_err(|e| failure(url, "publish acknowledgement", e))?;
            newest = newest.max(ack.sequence);
        }
        self.shared.raise(shard as usize, newest + 1);
        self.shared.changed().notify_waiters();
        Ok(())
    }

    async fn new_reader(&self, shard: u16, start: u64) -> Result<ShardReader> {
        let deliver_policy =
            if start <= 1 { DeliverPolicy::All } else { DeliverPolicy::ByStartSequence { start_sequence: start } };
        let consumer = self
            .stream
            .create_consumer(pull::Config {
                deliver_policy,
                ack_policy: AckPolicy::None,
                filter_subject: self.subject(shard)?.to_string(),
                inactive_threshold: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .map_err(|e| failure(&self.shared.url, "creating a reader", e))?;
        Ok(ShardReader { consumer, next: start.max(1) })
    }
}

/// One past the newest stream sequence on `subject` (0 if it has none).
async fn last_on(stream: &JsStream, subject: &str, url: &str) -> Result<u64> {
    use async_nats::jetstream::stream::LastRawMessageErrorKind;
    match stream.get_last_raw_message_by_subject(subject).await {
        Ok(m) => Ok(m.sequence + 1),
        Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(0),
        Err(e) => Err(failure(url, &format!("last message of {subject}"), e)),
    }
}

/// Look at the stream's last sequence every [`WATCH_EVERY`]; when it moved,
/// learn each shard's new end and wake the subscribers.
async fn watch(shared: Weak<ShardEnds>, mut stream: JsStream) {
    let mut seen = 0u64;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let Some(s) = shared.upgrade() else { return };
        let last = match stream.info().await {
            Ok(info) => info.state.last_sequence,
            Err(_) => continue,
        };
        if last <= seen {
            continue;
        }
        let mut complete = true;
        for (shard, subject) in s.names.iter().enumerate() {
            match last_on(&stream, subject, &s.url).await {
                Ok(next) => s.raise(shard, next),
                Err(_) => complete = false,
            }
        }
        if complete {
            seen = last;
        }
        s.changed().notify_waiters();
    }
}

/// How long a read waits for messages the stream holds but a consumer's
/// pending count has not caught up with yet (a publish acknowledged a
/// moment ago): the server answers a no-wait fetch from that count.
const CATCH_UP_WAIT: Duration = Duration::from_millis(200);

/// Up to `limit` messages of `consumer` from `start`: the events, the
/// sequence after the last, and whether the server reported more pending.
/// `tail` is one past the newest message known on the shard's subject.
async fn fetch(
    consumer: PullConsumer,
    shard: u16,
    start: u64,
    limit: usize,
    tail: u64,
) -> std::result::Result<(Vec<Event>, u64, bool), async_nats::Error> {
    let mut events = Vec::new();
    let mut next = start;
    let mut pending = false;
    let batch = consumer.fetch().max_messages(limit).messages().await?;
    drain(batch, shard, &mut events, &mut next, &mut pending).await?;
    if events.len() < limit && next < tail {
        let batch = consumer.batch().max_messages(limit - events.len()).expires(CATCH_UP_WAIT).messages().await?;
        drain(batch, shard, &mut events, &mut next, &mut pending).await?;
    }
    Ok((events, next, pending))
}

/// Append a batch's messages to `events` as the shard's events.
async fn drain(
    mut batch: pull::Batch,
    shard: u16,
    events: &mut Vec<Event>,
    next: &mut u64,
    pending: &mut bool,
) -> std::result::Result<(), async_nats::Error> {
    while let Some(m) = batch.next().await {
        let m = m?;
        let Ok(info) = m.info() else { continue };
        let (sequence, left) = (info.stream_sequence, info.pending);
        let insertion_ts =
            m.headers.as_ref().and_then(|h| h.get(TS_HEADER)).and_then(|v| v.as_str().parse().ok()).unwrap_or(0);
        events.push(Event { id: EventId { shard, sequence }, raw: m.payload.clone(), shard_id: shard, insertion_ts });
        *next = sequence + 1;
        *pending = left > 0;
    }
    Ok(())
}

#[async_trait]
impl Backend for JetStreamBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        self.publish(shard, events).await?;
        events.clear();
        Ok(())
    }

    async fn append_block(&self, shard: u16, block: &EventBlock) -> Result<()> {
        self.publish(shard, &block.to_stored()).await
    }

    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        let slot = self.readers.get(shard as usize).ok_or_else(|| self.subject(shard).unwrap_err())?;
        let start = from_sequence.max(1);
        if limit == 0 {
            return Ok(ReadOutcome { next_sequence: from_sequence, has_more: start < self.tail(shard) });
        }
        let mut guard = slot.lock().await;
        // Taken out while in use: if this read is abandoned half-way, the
        // consumer's position is unknown and the next read starts afresh.
        let reader = match guard.take() {
            Some(r) if r.next == start => r,
            old => {
                if let Some(old) = old {
                    // Best effort: an unused reader also expires on its own.
                    let name = old.consumer.cached_info().name.clone();
                    let _ = self.stream.delete_consumer(&name).await;
                }
                self.new_reader(shard, start).await?
            }
        };
        // Fetched by a task of the runtime, so the client's subscription is
        // dropped there even when the caller drops this read (a binding
        // closing a stream on its own thread, outside any runtime).
        let task = tokio::spawn(fetch(reader.consumer.clone(), shard, start, limit, self.tail(shard)));
        let fetched = task.await.map_err(|e| failure(&self.shared.url, "reading", e))?;
        let (events, next_sequence, pending) = fetched.map_err(|e| failure(&self.shared.url, "reading", e))?;
        out.extend(events);
        *guard = Some(ShardReader { consumer: reader.consumer, next: next_sequence.max(reader.next) });
        self.shared.raise(shard as usize, next_sequence);
        let has_more = pending || next_sequence < self.tail(shard);
        Ok(ReadOutcome { next_sequence: next_sequence.max(from_sequence), has_more })
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
        for slot in self.readers.iter() {
            if let Some(r) = slot.lock().await.take() {
                let _ = self.stream.delete_consumer(&r.consumer.cached_info().name).await;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_checks_names_and_hides_secrets() {
        let c = JetStreamAdapterConfig::new("nats://u:hunter2@127.0.0.1:1").stream("a.b");
        assert!(!format!("{c:?}").contains("hunter2"));
        let e = c.validate().unwrap_err();
        assert_eq!(e.kind(), "invalid_config");
        assert!(e.to_string().contains("nats://u:***@127.0.0.1:1"), "{e}");
        assert!(JetStreamAdapterConfig::new("nats://h:1").validate().is_ok());
        assert_eq!(JetStreamAdapterConfig::new("nats://h:1").subject(3), "net.shard.3");
        assert!(JetStreamAdapterConfig::new("nats://h:1").max_messages(0).validate().is_err());
    }
}
