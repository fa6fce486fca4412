//! `NetNode`: a node of the local event bus.
//!
//! Emits of one event hold the GIL: they are a lock-free ring push (tens
//! of nanoseconds), cheaper than releasing and taking back the GIL. Under
//! the default `block` policy an emit into a full ring waits for the
//! batcher to make room — microseconds on a healthy drain, which needs no
//! GIL — and at most `block_timeout_ms`. Everything that waits by nature
//! or does real work per call — batches, poll, flush, shutdown,
//! subscription waits — goes through `blocking`, which releases it.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::channel::envelope;
use net_sdk::{Backpressure, ChannelName, Net, PollRequest, SdkError, ShardStrategy, SubscribeOpts};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::blocking::{detached, wait};
use crate::errors::raise;
use crate::payload;
use crate::receipt::{Receipt, ReceiptSlot};
use crate::records::{Event, PollResponse, Stats};
use crate::subscription::Subscription;

/// A Net node on the in-memory bus. Use it as a context manager, or call
/// `shutdown()`; afterwards every call that would touch the bus raises
/// `ClosedError`.
#[pyclass(frozen, subclass, module = "net_sdk._native")]
pub struct NetNode {
    net: Net,
    /// Subscriptions whose native stream is still alive.
    streams: Arc<AtomicUsize>,
    /// The receipt `emit_raw` reuses when the caller dropped it.
    receipt: ReceiptSlot,
}

fn config_error(message: String) -> PyErr {
    raise(SdkError::InvalidConfig(message))
}

/// A Python int as a config value of type `T`, or `ConfigError`.
fn config_value<T: TryFrom<i64>>(name: &str, value: i64) -> PyResult<T> {
    T::try_from(value).map_err(|_| config_error(format!("{name} = {value} is out of range")))
}

impl NetNode {
    /// Gather the items, then hand them to the bus with the GIL released.
    fn copy_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Result<usize, SdkError>> {
        let gathered = payload::Gathered::from_items(items)?;
        let net = &self.net;
        Ok(detached(py, || net.emit_raw_copy_batch(&gathered.events())))
    }

    /// Emit `raw` without keeping the GIL through a wait: the first try
    /// never waits; only if the ring is full (the `block` policy would
    /// wait) is the GIL released for the waiting emit, so other Python
    /// threads run while a stalled backend holds this one up. `raw` is
    /// the contents of a `bytes` or `str`, immutable, and the caller's
    /// reference keeps it alive.
    #[inline]
    fn emit_one(&self, py: Python<'_>, raw: &[u8]) -> Result<net_sdk::Receipt, SdkError> {
        match self.net.try_emit_raw_copy(raw) {
            Err(SdkError::Backpressure) => {
                let net = &self.net;
                detached(py, || net.emit_raw_copy(raw))
            }
            done => done,
        }
    }

    /// The core node, or `ClosedError` once shutdown has started.
    pub(crate) fn live_net(&self) -> PyResult<&Net> {
        self.open()
    }

    fn open(&self) -> PyResult<&Net> {
        if self.net.bus().is_stopping() {
            return Err(raise(SdkError::Closed));
        }
        Ok(&self.net)
    }
}

#[pymethods]
impl NetNode {
    /// Start a node. `backpressure` is what an emit does when its shard's
    /// ring is full: `"block"` (the default) waits for room, up to
    /// `block_timeout_ms` (default 1000), then raises `BackpressureError`;
    /// `"drop_oldest"` evicts queued events (the receipt's `evicted`);
    /// `"drop_newest"` discards the new one (the receipt's `dropped`);
    /// `"fail_producer"` raises `BackpressureError` at once.
    /// `shard_strategy` is `"hash"` or `"round_robin"`.
    #[new]
    #[pyo3(signature = (shards=4, ring_capacity=8192, backpressure="block", shard_strategy="hash", retention=None, max_batch=None, max_delay_ms=None, block_timeout_ms=None, transport=None, producer_nonce_path=None))]
    #[allow(clippy::too_many_arguments)] // one keyword argument per builder knob
    fn new(
        py: Python<'_>,
        shards: i64,
        ring_capacity: i64,
        backpressure: &str,
        shard_strategy: &str,
        retention: Option<i64>,
        max_batch: Option<i64>,
        max_delay_ms: Option<i64>,
        block_timeout_ms: Option<i64>,
        transport: Option<&Bound<'_, PyAny>>,
        producer_nonce_path: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let transport = crate::transport::from_py(transport)?;
        let strategy = match shard_strategy {
            "hash" => ShardStrategy::Hash,
            "round_robin" => ShardStrategy::RoundRobin,
            other => return Err(config_error(format!("shard_strategy {other:?}: use \"hash\" or \"round_robin\""))),
        };
        let mut builder = Net::builder()
            .memory()
            .shards(config_value("shards", shards)?)
            .ring_capacity(config_value("ring_capacity", ring_capacity)?)
            .backpressure(Backpressure::from_str(backpressure).map_err(raise)?)
            .shard_strategy(strategy);
        if let Some(n) = retention {
            builder = builder.retention(config_value("retention", n)?);
        }
        if let Some(n) = max_batch {
            builder = builder.max_batch(config_value("max_batch", n)?);
        }
        if let Some(ms) = max_delay_ms {
            builder = builder.max_delay(Duration::from_millis(config_value("max_delay_ms", ms)?));
        }
        if let Some(ms) = block_timeout_ms {
            builder = builder.block_timeout(Duration::from_millis(config_value("block_timeout_ms", ms)?));
        }
        let mut builder = builder.transport(transport);
        if let Some(path) = producer_nonce_path {
            builder = builder.producer_nonce_path(path);
        }
        let net = wait(py, builder.build())?.map_err(raise)?;
        Ok(Self { net, streams: Arc::new(AtomicUsize::new(0)), receipt: ReceiptSlot::new() })
    }

    /// Emit one event (`bytes`, or `str` sent as UTF-8) as it is.
    #[inline]
    fn emit_raw(&self, py: Python<'_>, raw: &Bound<'_, PyAny>) -> PyResult<Py<Receipt>> {
        let receipt = self.emit_one(py, &payload::borrow(raw)?).map_err(raise)?;
        self.receipt.issue(py, receipt)
    }

    /// Emit a batch of `bytes | str` events to one shard, in order; returns
    /// how many were stored.
    fn emit_raw_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<usize> {
        self.copy_batch(py, items)?.map_err(raise)
    }

    /// Fire and forget: True if the event was stored, False if the
    /// backpressure policy refused or dropped it (a `block` wait that timed
    /// out included). An event stored under `drop_oldest` counts as stored
    /// even when it evicted older ones.
    fn fire(&self, py: Python<'_>, raw: &Bound<'_, PyAny>) -> PyResult<bool> {
        match self.emit_one(py, &payload::borrow(raw)?) {
            Ok(receipt) => Ok(!receipt.dropped),
            Err(SdkError::Backpressure) => Ok(false),
            Err(e) => Err(raise(e)),
        }
    }

    /// Fire and forget a batch: how many were stored (0 when refused).
    fn fire_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<usize> {
        match self.copy_batch(py, items)? {
            Err(SdkError::Backpressure) => Ok(0),
            other => other.map_err(raise),
        }
    }

    /// Publish the JSON text `payload` to `channel` (see `channel()`).
    fn publish(&self, channel: &str, payload: &Bound<'_, PyAny>) -> PyResult<Receipt> {
        let channel = ChannelName::new(channel).map_err(raise)?;
        let wrapped = envelope::wrap(&channel, &payload::borrow(payload)?).map_err(raise)?;
        self.open()?.emit_raw(Bytes::from(wrapped)).map(Receipt::from).map_err(raise)
    }

    /// Read up to `limit` events from `cursor` (a previous `next_id`; None
    /// starts at the oldest retained event).
    #[pyo3(signature = (limit=100, cursor=None))]
    fn poll(&self, py: Python<'_>, limit: usize, cursor: Option<String>) -> PyResult<PollResponse> {
        let net = self.net.clone();
        let page = wait(py, async move { net.poll(PollRequest { limit, cursor }).await })?.map_err(raise)?;
        PollResponse::from_core(py, page)
    }

    /// The first event at `cursor` (None: the oldest retained), or None.
    #[pyo3(signature = (cursor=None))]
    fn poll_one(&self, py: Python<'_>, cursor: Option<String>) -> PyResult<Option<Event>> {
        let net = self.net.clone();
        let page = wait(py, async move { net.poll(PollRequest { limit: 1, cursor }).await })?.map_err(raise)?;
        Ok(page.events.first().map(|e| Event::new(e, e.raw.clone())))
    }

    /// A live stream of events: an iterator and an async iterator. `limit`
    /// is how many events are read from the bus per round. `cursor` resumes
    /// from a poll's `next_id`; `from_beginning` starts at the oldest
    /// retained event instead of now. With `channel`, only that channel's
    /// messages are yielded, as their payloads.
    #[pyo3(signature = (limit=256, cursor=None, from_beginning=false, channel=None))]
    fn subscribe(&self, limit: usize, cursor: Option<String>, from_beginning: bool, channel: Option<&str>) -> PyResult<Subscription> {
        let channel = channel.map(ChannelName::new).transpose().map_err(raise)?;
        let stream = self.open()?.subscribe(SubscribeOpts { cursor, from_beginning, batch: limit, ..Default::default() });
        Ok(Subscription::new(stream, channel, self.streams.clone()))
    }

    /// Wait until every event emitted before the call can be polled.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        let net = self.open()?.clone();
        wait(py, async move { net.flush().await })?.map_err(raise)
    }

    /// Drain and stop. Idempotent.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        let net = self.net.clone();
        wait(py, async move { net.shutdown().await })?.map_err(raise)
    }

    /// Ingestion counters.
    fn stats(&self) -> Stats {
        self.net.stats().into()
    }

    /// The bus counters as Prometheus text (see `net_sdk.prometheus_text`).
    fn prometheus_text(&self, py: Python<'_>) -> PyResult<String> {
        let net = self.open()?.clone();
        Ok(crate::blocking::detached(py, || net_sdk::metrics::prometheus_text(Some(&net), None)))
    }

    /// Number of shards.
    #[getter]
    fn shards(&self) -> u16 {
        self.net.shards()
    }

    /// Whether `shutdown` has started.
    #[getter]
    fn closed(&self) -> bool {
        self.net.bus().is_stopping()
    }

    /// Subscriptions whose native stream is still open (released by
    /// `close()`, by leaving a `with` block, or when garbage collected).
    #[getter]
    fn open_subscriptions(&self) -> usize {
        self.streams.load(Ordering::Acquire)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _tb=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyType>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.shutdown(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("NetNode(shards={}, closed={})", self.net.shards(), self.closed())
    }
}
