//! `MeshNode`: one node of the encrypted UDP mesh.
//!
//! Creating, handshaking, the retrying sends, receiving and shutting down
//! return Promises whose work runs on the core's runtime. `sendOnStream`
//! is synchronous: the core's send never waits (it admits the batch into
//! the window or refuses it, and writes to a non-blocking socket), so no
//! Promise or thread hop is paid per send.

use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use napi::bindgen_prelude::{BigInt, Buffer, Env};
use napi::JsObject;
use napi_derive::napi;
use net_sdk::mesh::Mesh;
use net_sdk::SdkError;

use crate::error::{error, fail, Result};
use crate::identity::u64_of;
use crate::mesh_config::{millis, MeshOptions};
use crate::mesh_stats::{JsMeshStats, JsPeer, JsStreamStats};
use crate::mesh_stream::{MeshStream, StreamOptions};
use crate::promise;

/// A node of the encrypted mesh; from `MeshNode.create`.
#[napi]
pub struct MeshNode {
    mesh: Mesh,
}

impl MeshNode {
    /// The core mesh node (for `prometheusText`).
    pub(crate) fn mesh(&self) -> &Mesh {
        &self.mesh
    }
}

#[napi]
impl MeshNode {
    /// Bind the socket and start receiving (handshakes work from then on).
    /// Bad `bindAddr` / `psk` throw kind `invalid_config`; a seed that is
    /// not 32 bytes `invalid_length`; a bind failure rejects with `io`.
    #[napi(ts_return_type = "Promise<MeshNode>")]
    pub fn create(env: Env, options: MeshOptions) -> Result<JsObject> {
        let builder = options.builder()?;
        promise::spawn(&env, async move { builder.build().await.map_err(fail) }, |_, mesh| Ok(MeshNode { mesh }))
    }

    /// This node's 64-bit id (derived from its identity).
    #[napi]
    pub fn node_id(&self) -> BigInt {
        BigInt::from(self.mesh.node_id())
    }

    /// This node's identity: its 32-byte ed25519 public key.
    #[napi]
    pub fn entity_id(&self) -> Buffer {
        self.mesh.entity_id().as_bytes().to_vec().into()
    }

    /// The 32-byte static key a peer passes to `connect` to dial this node.
    #[napi]
    pub fn public_key(&self) -> Buffer {
        self.mesh.public_key().to_vec().into()
    }

    /// The bound address, `"ip:port"` (the real port after binding port 0).
    #[napi]
    pub fn local_addr(&self) -> String {
        self.mesh.local_addr().to_string()
    }

    /// Handshake with node `peerNodeId` listening at `addr` with static key
    /// `peerPublicKey`. Rejects with a handshake kind (`wrong_psk`,
    /// `unknown_static_key`, `identity_mismatch`, `handshake_refused`,
    /// `handshake_malformed`) or `timeout` (default: the handshake timeout).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn connect(
        &self,
        env: Env,
        addr: String,
        peer_public_key: &[u8],
        peer_node_id: BigInt,
        timeout_ms: Option<f64>,
    ) -> Result<JsObject> {
        let (mesh, key, peer) = (self.mesh.clone(), peer_public_key.to_vec(), u64_of(&peer_node_id, "peerNodeId")?);
        let timeout = timeout_ms.map(|ms| millis(ms, "timeoutMs")).transpose()?;
        let work = async move {
            match timeout {
                Some(t) => mesh.connect_with_timeout(addr, key, peer, t).await,
                None => mesh.connect(addr, key, peer).await,
            }
            .map_err(fail)
        };
        promise::spawn(&env, work, |_, ()| Ok(()))
    }

    /// Wait until `peerNodeId` completes a handshake with this node;
    /// resolves to its address. Rejects with `timeout`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn accept(&self, env: Env, peer_node_id: BigInt, timeout_ms: Option<f64>) -> Result<JsObject> {
        let (mesh, peer) = (self.mesh.clone(), u64_of(&peer_node_id, "peerNodeId")?);
        let timeout = timeout_ms.map(|ms| millis(ms, "timeoutMs")).transpose()?;
        let work = async move {
            match timeout {
                Some(t) => mesh.accept_with_timeout(peer, t).await,
                None => mesh.accept(peer).await,
            }
            .map_err(fail)
        };
        promise::spawn(&env, work, |_, addr| Ok(addr.to_string()))
    }

    /// Start heartbeats, failure detection and retransmission; calling
    /// again does nothing.
    #[napi]
    pub fn start(&self) -> Result<()> {
        // The timers are tasks of the core's runtime.
        let _runtime = net_sdk::runtime::runtime().enter();
        self.mesh.start().map_err(fail)
    }

    /// Open (or re-open with new options) stream `streamId` to
    /// `peerNodeId`; throws `not_connected` without a live session.
    #[napi]
    pub fn open_stream(&self, peer_node_id: BigInt, stream_id: BigInt, options: Option<StreamOptions>) -> Result<MeshStream> {
        let config = options.unwrap_or_default().config()?;
        let (peer, id) = (u64_of(&peer_node_id, "peerNodeId")?, u64_of(&stream_id, "streamId")?);
        self.mesh.open_stream(peer, id, config).map(MeshStream::new).map_err(fail)
    }

    /// Close `stream` on this side: sends fail with `not_connected` and a
    /// waiting `recv` ends (after the queued messages).
    #[napi]
    pub fn close_stream(&self, stream: &MeshStream) {
        self.mesh.close_stream(stream.inner());
    }

    /// Send `payloads` as messages on `stream`, now or not at all: throws
    /// `backpressure` when the window has no room for the whole batch,
    /// `not_connected` when the peer is gone or the stream closed,
    /// `message_too_large` over 64 KiB, `closed` after `shutdown`.
    #[napi]
    pub fn send_on_stream(&self, stream: &MeshStream, payloads: Vec<Buffer>) -> Result<()> {
        let payloads = copy(&payloads);
        match self.mesh.send_on_stream(stream.inner(), &payloads).now_or_never() {
            Some(sent) => sent.map_err(fail),
            None => Err(error("internal", "the core's send_on_stream waited; it is documented never to")),
        }
    }

    /// `sendOnStream`, retrying on `backpressure` up to `maxRetries` times
    /// (back-off 5 ms doubling to 200 ms).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn send_with_retry(&self, env: Env, stream: &MeshStream, payloads: Vec<Buffer>, max_retries: u32) -> Result<JsObject> {
        let (mesh, stream, payloads) = (self.mesh.clone(), stream.inner().clone(), copy(&payloads));
        let work = async move { mesh.send_with_retry(&stream, &payloads, max_retries).await.map_err(fail) };
        promise::spawn(&env, work, |_, ()| Ok(()))
    }

    /// Send, waiting for window room as long as it takes (an ack wakes
    /// the wait; no polling). A batch that fits now is sent on this thread
    /// and gets an already-resolved Promise: only a send that must wait
    /// pays for a task on the core's runtime.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn send_blocking(&self, env: Env, stream: &MeshStream, payloads: Vec<Buffer>) -> Result<JsObject> {
        let payloads = copy(&payloads);
        match self.mesh.send_on_stream(stream.inner(), &payloads).now_or_never() {
            Some(Ok(())) => promise::resolved(&env),
            Some(Err(SdkError::Backpressure)) | None => {
                let (mesh, stream) = (self.mesh.clone(), stream.inner().clone());
                let work = async move { mesh.send_blocking(&stream, &payloads).await.map_err(fail) };
                promise::spawn(&env, work, |_, ()| Ok(()))
            }
            Some(Err(e)) => Err(fail(e)),
        }
    }

    /// The next message on `stream`, waiting at most `timeoutMs` (kind
    /// `timeout`) or, without it, until one comes. Once the stream or its
    /// peer closes, queued messages are still returned, then
    /// `not_connected`.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn recv(&self, env: Env, stream: &MeshStream, timeout_ms: Option<f64>) -> Result<JsObject> {
        let (mesh, stream) = (self.mesh.clone(), stream.inner().clone());
        let timeout: Option<Duration> = timeout_ms.map(|ms| millis(ms, "timeoutMs")).transpose()?;
        let work = async move {
            match timeout {
                Some(t) => mesh.recv_timeout(&stream, t).await,
                None => mesh.recv(&stream).await,
            }
            .map_err(fail)
        };
        promise::spawn(&env, work, |_, m| Ok(Buffer::from(m.to_vec())))
    }

    /// A message already received on `stream`, or null (never waits).
    #[napi]
    pub fn try_recv(&self, stream: &MeshStream) -> Result<Option<Buffer>> {
        Ok(self.mesh.try_recv(stream.inner()).map_err(fail)?.map(|m| Buffer::from(m.to_vec())))
    }

    /// Live counters of stream `streamId` with `peerNodeId`, or null when
    /// it is closed or was never opened.
    #[napi]
    pub fn stream_stats(&self, peer_node_id: BigInt, stream_id: BigInt) -> Result<Option<JsStreamStats>> {
        let (peer, id) = (u64_of(&peer_node_id, "peerNodeId")?, u64_of(&stream_id, "streamId")?);
        Ok(self.mesh.stream_stats(peer, id).map(JsStreamStats::from))
    }

    /// `'alive'`, `'suspect'` or `'dead'`; null if `peerNodeId` never
    /// completed a handshake with this node.
    #[napi(ts_return_type = "'alive' | 'suspect' | 'dead' | null")]
    pub fn peer_state(&self, peer_node_id: BigInt) -> Result<Option<&'static str>> {
        Ok(self.mesh.peer_state(u64_of(&peer_node_id, "peerNodeId")?).map(|s| s.as_str()))
    }

    /// Every peer with a session (live or dead), by node id.
    #[napi]
    pub fn peers(&self) -> Vec<JsPeer> {
        self.mesh.peers().into_iter().map(JsPeer::from).collect()
    }

    /// Node-wide counters.
    #[napi]
    pub fn stats(&self) -> JsMeshStats {
        JsMeshStats::from(self.mesh.stats())
    }

    /// The mesh's and its streams' counters as Prometheus text (see
    /// `prometheusText`).
    #[napi]
    pub fn prometheus_text(&self) -> String {
        net_sdk::metrics::prometheus_text(None, Some(&self.mesh))
    }

    /// Tell the peers, close every session and stop; idempotent. Later
    /// calls fail with `closed`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn shutdown(&self, env: Env) -> Result<JsObject> {
        let mesh = self.mesh.clone();
        promise::spawn(&env, async move { mesh.shutdown().await.map_err(fail) }, |_, ()| Ok(()))
    }
}

/// The payloads as core messages (copied: the JS buffers stay the caller's).
fn copy(payloads: &[Buffer]) -> Vec<Bytes> {
    payloads.iter().map(|b| Bytes::copy_from_slice(b)).collect()
}
