//! `NetNode`: a node of the local bus.
//!
//! Emits are synchronous and return plain values (no Promise and, on the
//! hot paths, no object per call); poll, flush and shutdown return
//! Promises whose work runs on the core's runtime. Under the default
//! `Block` policy an emit into a full ring waits on the JS thread for the
//! batcher to make room: microseconds while the drain keeps up, at most
//! `blockTimeoutMs` when the backend has stalled.

use bytes::Bytes;
use napi::bindgen_prelude::Env;
use napi::{JsObject, JsString, NapiRaw};
use napi_derive::napi;
use net_sdk::{Net, PollRequest, SdkError};

use crate::config::NodeConfig;
use crate::error::{fail, invalid, Result};
use crate::event::{JsReceipt, JsStats, PollPage};
use crate::subscription::{SubscribeOptions, Subscription};
use crate::{promise, receipt, text};

/// A node of the local bus.
#[napi]
pub struct NetNode {
    net: Net,
}

impl NetNode {
    /// The core node (for `prometheusText`).
    pub(crate) fn net(&self) -> &Net {
        &self.net
    }
}

#[napi]
impl NetNode {
    /// Start a node (in-memory backend) with `config`.
    #[napi(constructor)]
    pub fn new(config: Option<NodeConfig>) -> Result<Self> {
        let builder = config.unwrap_or_default().builder()?;
        let net = net_sdk::runtime::block_on(builder.build()).map_err(fail)?;
        Ok(NetNode { net })
    }

    /// Start a node whose transport is named by `transportJson` (the
    /// core's `TransportConfig` JSON: `{"type": "mesh", ...}` with byte
    /// strings in hex). Resolves once the transport is up — for a mesh
    /// link, once the handshake with the peer is done.
    #[napi(ts_return_type = "Promise<NetNode>")]
    pub fn with_transport(env: Env, config: Option<NodeConfig>, transport_json: String) -> Result<JsObject> {
        let transport = net_sdk::TransportConfig::from_json(&transport_json).map_err(fail)?;
        let builder = config.unwrap_or_default().builder()?.transport(transport);
        crate::promise::spawn(&env, async move { builder.build().await.map_err(fail) }, |_, net| Ok(NetNode { net }))
    }

    /// Emit the bytes of a Buffer or Uint8Array. `true` when stored,
    /// `false` when discarded by `DropNewest` on a full ring.
    #[napi]
    pub fn emit_buffer(&self, buf: &[u8]) -> Result<bool> {
        match self.net.emit_raw_copy(buf) {
            Ok(r) => Ok(!r.dropped),
            Err(e) => Err(fail(e)),
        }
    }

    /// Emit a string (UTF-8, not validated as JSON). The receipt is written
    /// to `receiptScratch()` (and readable as `lastReceipt()`); returns
    /// `false` when the event was discarded by `DropNewest`.
    #[napi]
    pub fn emit_raw(&self, env: Env, json: JsString) -> Result<bool> {
        // SAFETY: the raw handles of this callback's env and argument.
        let r = text::with_utf8(env.raw(), unsafe { json.raw() }, |b| self.net.emit_raw_copy(b))?.map_err(fail)?;
        receipt::store(&r);
        Ok(!r.dropped)
    }

    /// Fire and forget: like `emitRaw`, but a full ring under
    /// `FailProducer` (or one still full after `blockTimeoutMs` under
    /// `Block`) returns `false` instead of throwing.
    #[napi]
    pub fn fire(&self, env: Env, json: JsString) -> Result<bool> {
        // SAFETY: as in emit_raw.
        match text::with_utf8(env.raw(), unsafe { json.raw() }, |b| self.net.emit_raw_copy(b))? {
            Ok(r) => Ok(!r.dropped),
            Err(SdkError::Backpressure) => Ok(false),
            Err(e) => Err(fail(e)),
        }
    }

    /// Emit strings as one batch to one shard, in order; returns how many
    /// were stored.
    #[napi]
    pub fn emit_raw_batch(&self, env: Env, jsons: Vec<JsString>) -> Result<u32> {
        let events = read_strings(&env, &jsons)?;
        self.net.emit_raw_batch(events).map(count).map_err(fail)
    }

    /// `emitRawBatch` for fire and forget: 0 instead of a backpressure error.
    #[napi]
    pub fn fire_batch(&self, env: Env, jsons: Vec<JsString>) -> Result<u32> {
        let events = read_strings(&env, &jsons)?;
        match self.net.emit_raw_batch(events) {
            Ok(n) => Ok(count(n)),
            Err(SdkError::Backpressure) => Ok(0),
            Err(e) => Err(fail(e)),
        }
    }

    /// The fast batch path: the events concatenated into `joined`, with
    /// each one's length in UTF-16 code units (JS `.length`) in `lengths`.
    /// Reading one string instead of N is what makes large batches cheap.
    #[napi]
    pub fn emit_joined(&self, env: Env, joined: JsString, lengths: &[u32]) -> Result<u32> {
        // SAFETY: the raw handles of this callback's env and argument.
        let events = split_joined(&env, unsafe { joined.raw() }, lengths)?;
        self.net.emit_raw_batch(events).map(count).map_err(fail)
    }

    /// One-shot poll: up to `limit` events from `cursor` (a previous
    /// page's `nextId`; omitted = the oldest retained event).
    #[napi(ts_return_type = "Promise<PollPage>")]
    pub fn poll(&self, env: Env, limit: u32, cursor: Option<String>) -> Result<JsObject> {
        let net = self.net.clone();
        let req = PollRequest { limit: limit as usize, cursor };
        promise::spawn(&env, async move { net.poll(req).await.map_err(fail) }, |_, page| Ok(PollPage::from(page)))
    }

    /// A live subscription; see `SubscribeOptions`.
    #[napi]
    pub fn subscribe(&self, options: Option<SubscribeOptions>) -> Subscription {
        Subscription::new(&self.net, options.unwrap_or_default())
    }

    /// Resolves once every event emitted before the call can be polled.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn flush(&self, env: Env) -> Result<JsObject> {
        let net = self.net.clone();
        promise::spawn(&env, async move { net.flush().await.map_err(fail) }, |_, ()| Ok(()))
    }

    /// Drain and stop; idempotent. Afterwards emits and polls fail with
    /// kind `closed` and subscriptions end.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn shutdown(&self, env: Env) -> Result<JsObject> {
        let net = self.net.clone();
        promise::spawn(&env, async move { net.shutdown().await.map_err(fail) }, |_, ()| Ok(()))
    }

    /// Ingestion statistics.
    #[napi]
    pub fn stats(&self) -> JsStats {
        JsStats::from(self.net.stats())
    }

    /// The bus counters as Prometheus text (see `prometheusText`).
    #[napi]
    pub fn prometheus_text(&self) -> String {
        net_sdk::metrics::prometheus_text(Some(&self.net), None)
    }

    /// Number of shards.
    #[napi]
    pub fn shards(&self) -> u32 {
        u32::from(self.net.shards())
    }

    /// `{ emitBuffer, emitRaw, fire }` bound to this node: the same calls
    /// as the methods, without the per-call lookup of `this`.
    #[napi(ts_return_type = "BoundEmitters")]
    pub fn bind_emitters(&self, env: Env) -> Result<JsObject> {
        let raw = crate::fast::bind(env.raw(), &self.net)?;
        // SAFETY: a value just created in this env.
        Ok(unsafe { napi::NapiValue::from_raw_unchecked(env.raw(), raw) })
    }

    /// Whether `shutdown` has started.
    #[napi(getter)]
    pub fn is_shut_down(&self) -> bool {
        self.net.bus().is_stopping()
    }
}

/// The receipt of the last `emitRaw` on this thread, as an object.
#[napi]
pub fn last_receipt() -> JsReceipt {
    JsReceipt::from(receipt::load())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Copies every string into one block that the events share.
fn read_strings(env: &Env, jsons: &[JsString]) -> Result<Vec<Bytes>> {
    let mut block = Vec::with_capacity(jsons.len() * 16);
    let mut ends = Vec::with_capacity(jsons.len());
    for s in jsons {
        // SAFETY: the raw handles of this callback's env and argument.
        text::with_utf8(env.raw(), unsafe { s.raw() }, |b| block.extend_from_slice(b))?;
        ends.push(block.len());
    }
    Ok(slices(Bytes::from(block), &ends))
}

/// Cuts `block` at `ends`.
fn slices(block: Bytes, ends: &[usize]) -> Vec<Bytes> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let s = block.slice(start..end);
            start = end;
            s
        })
        .collect()
}

/// Splits the joined string of `emitJoined` into events.
fn split_joined(env: &Env, joined: napi::sys::napi_value, lengths: &[u32]) -> Result<Vec<Bytes>> {
    let units: usize = lengths.iter().map(|&l| l as usize).sum();
    if utf16_len(env, joined)? != units {
        return Err(invalid("emitJoined: the lengths do not add up to the joined string's length"));
    }
    let utf8 = text::utf8_len(env.raw(), joined)?;
    let mut block = Vec::new();
    let mut ends = Vec::with_capacity(lengths.len());
    if utf8 == units {
        // As many UTF-8 bytes as UTF-16 units: every character is ASCII,
        // so the UTF-16 lengths are byte lengths.
        text::read_into(env.raw(), joined, utf8, &mut block)?;
        let mut end = 0;
        ends.extend(lengths.iter().map(|&l| {
            end += l as usize;
            end
        }));
    } else {
        // Non-ASCII text: convert each event's UTF-16 slice on its own.
        let wide = utf16(env, joined, units)?;
        block.reserve(utf8);
        let mut start = 0;
        for &l in lengths {
            let end = start + l as usize;
            block.extend_from_slice(String::from_utf16_lossy(&wide[start..end]).as_bytes());
            ends.push(block.len());
            start = end;
        }
    }
    Ok(slices(Bytes::from(block), &ends))
}

fn utf16_len(env: &Env, value: napi::sys::napi_value) -> Result<usize> {
    let mut len = 0usize;
    // SAFETY: a NULL buffer asks for the length in code units only.
    let status = unsafe { napi::sys::napi_get_value_string_utf16(env.raw(), value, std::ptr::null_mut(), 0, &mut len) };
    if status != napi::sys::Status::napi_ok {
        return Err(invalid("expected a string"));
    }
    Ok(len)
}

fn utf16(env: &Env, value: napi::sys::napi_value, len: usize) -> Result<Vec<u16>> {
    let mut buf = vec![0u16; len + 1];
    let mut written = 0usize;
    // SAFETY: room for `len` units plus the terminating NUL.
    let status = unsafe { napi::sys::napi_get_value_string_utf16(env.raw(), value, buf.as_mut_ptr(), len + 1, &mut written) };
    if status != napi::sys::Status::napi_ok {
        return Err(invalid("expected a string"));
    }
    buf.truncate(written);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cut_one_block_at_the_ends() {
        let block = Bytes::from_static(b"abcdef");
        let parts = slices(block, &[1, 1, 4, 6]);
        assert_eq!(parts, vec![Bytes::from_static(b"a"), Bytes::new(), Bytes::from_static(b"bcd"), Bytes::from_static(b"ef")]);
        assert!(slices(Bytes::new(), &[]).is_empty());
    }
}
