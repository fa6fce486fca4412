//! `MeshNode`: one node of the encrypted UDP mesh, over the core's `Mesh`.
//!
//! Only translation happens here: Python arguments into core calls, core
//! results into Python values and typed exceptions. The waiting calls
//! (handshakes, the retrying sends, `recv`, `shutdown`) come in a sync
//! form that releases the GIL and an `_async` form returning an asyncio
//! future; both run the same future from `mesh_calls`.
//!
//! `send` never waits (the core admits the batch into the window or
//! refuses it, and writes to a non-blocking socket), so it has no async
//! form; it still releases the GIL around the socket write. A receive
//! first takes what is already there, and only waits when nothing is.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::FutureExt;
use net_sdk::mesh::Mesh;
use net_sdk::runtime::runtime;
use net_sdk::SdkError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyType};

use crate::aio;
use crate::blocking::{detached, wait_here};
use crate::errors::{net_error, raise};
use crate::mesh_calls as calls;
use crate::mesh_capabilities::{self as caps, CapabilityStats};
use crate::mesh_config::{self, Tunables};
use crate::mesh_messages::MeshMessages;
use crate::mesh_receive::MeshReceive;
use crate::mesh_records::{MeshStats, PeerInfo, StreamStats};
use crate::mesh_stream::{self, MeshStream};
use crate::payload;
use crate::records::py_bool;

/// Tells nodes apart, so a stream is only used with the node that opened it.
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// A node of the encrypted mesh. Use it as a context manager (sync or
/// async), or call `shutdown()`; afterwards calls raise `ClosedError`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct MeshNode {
    mesh: Mesh,
    serial: u64,
    closed: AtomicBool,
}

impl MeshNode {
    /// The core mesh, or `ClosedError` once `shutdown()` was called.
    pub(crate) fn live_mesh(&self) -> PyResult<&Mesh> {
        if self.closed.load(Ordering::Acquire) {
            return Err(raise(SdkError::Closed));
        }
        Ok(&self.mesh)
    }

    fn from_mesh(mesh: Mesh) -> Self {
        Self { mesh, serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed), closed: AtomicBool::new(false) }
    }

    /// `stream`, if this node opened it.
    fn own<'a>(&self, stream: &'a Bound<'_, MeshStream>) -> PyResult<&'a MeshStream> {
        let s = stream.get();
        if s.owner != self.serial {
            return Err(raise(SdkError::InvalidArgument("this stream was opened by another MeshNode".into())));
        }
        Ok(s)
    }

    /// Run a waiting call's future as an asyncio future resolving to None.
    fn unit_async<'py, F>(py: Python<'py>, work: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: std::future::Future<Output = net_sdk::Result<()>> + Send + 'static,
    {
        aio::spawn(py, work, |py, r| r.map(|()| py.None()).map_err(raise), drop)
    }
}

/// An `_async` method's outcome: its future, or a future that raises the
/// argument error found before any work started (so `await` raises it,
/// as it would from a coroutine).
fn deferred<'py>(py: Python<'py>, made: PyResult<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    made.or_else(|e| aio::failed(py, e))
}

#[pymethods]
impl MeshNode {
    /// Bind `bind_addr` (`"ip:port"`, port 0 picks a free one) and start
    /// receiving; peers must hold the same 32-byte `psk` (bytes, or 64 hex
    /// digits). `identity_seed` (32 bytes, e.g. `Identity.to_bytes()`)
    /// fixes the node's ids and keys; without it the node is a fresh
    /// identity.
    #[new]
    #[pyo3(signature = (bind_addr, psk, identity_seed=None, *, handshake_timeout_ms=None, heartbeat_interval_ms=None, suspect_after_ms=None, dead_after_ms=None, max_datagram=None, refuse_unaccepted=false, subnet=None, subnet_policy=None, capability_gc_interval_ms=None, min_announce_interval_ms=None, capability_ttl_secs=None))]
    #[allow(clippy::too_many_arguments)] // one keyword argument per builder knob
    fn new(
        py: Python<'_>,
        bind_addr: &str,
        psk: &Bound<'_, PyAny>,
        identity_seed: Option<&[u8]>,
        handshake_timeout_ms: Option<u64>,
        heartbeat_interval_ms: Option<u64>,
        suspect_after_ms: Option<u64>,
        dead_after_ms: Option<u64>,
        max_datagram: Option<usize>,
        refuse_unaccepted: bool,
        subnet: Option<&Bound<'_, PyAny>>,
        subnet_policy: Option<&Bound<'_, PyAny>>,
        capability_gc_interval_ms: Option<u64>,
        min_announce_interval_ms: Option<u64>,
        capability_ttl_secs: Option<u64>,
    ) -> PyResult<Self> {
        let tunables = Tunables::parse(
            handshake_timeout_ms,
            heartbeat_interval_ms,
            suspect_after_ms,
            dead_after_ms,
            max_datagram,
            refuse_unaccepted,
            subnet,
            subnet_policy,
            capability_gc_interval_ms,
            min_announce_interval_ms,
            capability_ttl_secs,
        )?;
        let builder = mesh_config::builder(bind_addr, psk, identity_seed, tunables)?;
        let mesh = wait_here(py, builder.build())?.map_err(raise)?;
        Ok(Self::from_mesh(mesh))
    }

    /// `MeshNode(...)` as an awaitable: `node = await MeshNode.create(...)`.
    #[staticmethod]
    #[pyo3(signature = (bind_addr, psk, identity_seed=None, *, handshake_timeout_ms=None, heartbeat_interval_ms=None, suspect_after_ms=None, dead_after_ms=None, max_datagram=None, refuse_unaccepted=false, subnet=None, subnet_policy=None, capability_gc_interval_ms=None, min_announce_interval_ms=None, capability_ttl_secs=None))]
    #[allow(clippy::too_many_arguments)]
    fn create<'py>(
        py: Python<'py>,
        bind_addr: &str,
        psk: &Bound<'py, PyAny>,
        identity_seed: Option<&[u8]>,
        handshake_timeout_ms: Option<u64>,
        heartbeat_interval_ms: Option<u64>,
        suspect_after_ms: Option<u64>,
        dead_after_ms: Option<u64>,
        max_datagram: Option<usize>,
        refuse_unaccepted: bool,
        subnet: Option<&Bound<'_, PyAny>>,
        subnet_policy: Option<&Bound<'_, PyAny>>,
        capability_gc_interval_ms: Option<u64>,
        min_announce_interval_ms: Option<u64>,
        capability_ttl_secs: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Argument errors are raised by `await`, as from a coroutine.
        let tunables = Tunables::parse(
            handshake_timeout_ms,
            heartbeat_interval_ms,
            suspect_after_ms,
            dead_after_ms,
            max_datagram,
            refuse_unaccepted,
            subnet,
            subnet_policy,
            capability_gc_interval_ms,
            min_announce_interval_ms,
            capability_ttl_secs,
        );
        let made = tunables.and_then(|t| mesh_config::builder(bind_addr, psk, identity_seed, t)).and_then(|builder| {
            let convert = |py: Python<'_>, built: net_sdk::Result<Mesh>| {
                let node = Py::new(py, Self::from_mesh(built.map_err(raise)?))?;
                Ok(node.into_any())
            };
            aio::spawn(py, builder.build(), convert, drop)
        });
        deferred(py, made)
    }

    /// This node's 64-bit id (derived from its identity).
    #[getter]
    fn node_id(&self) -> u64 {
        self.mesh.node_id()
    }

    /// This node's identity: its 32-byte ed25519 public key (equal to
    /// `Identity.from_seed(identity_seed).entity_id`).
    #[getter]
    fn entity_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.mesh.entity_id().as_bytes())
    }

    /// The 32-byte static key a peer passes to `connect` to dial this node.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.mesh.public_key())
    }

    /// The bound address, `"ip:port"` (the real port after binding port 0).
    #[getter]
    fn local_addr(&self) -> String {
        self.mesh.local_addr().to_string()
    }

    /// Whether `shutdown()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Handshake with node `node_id` listening at `addr` with static key
    /// `public_key`; returns once both sides hold the session. Raises
    /// `HandshakeError` (kind `wrong_psk`, `unknown_static_key`,
    /// `identity_mismatch`, `handshake_refused`) or `TimeoutError` after
    /// `timeout` seconds (default: the node's handshake timeout).
    #[pyo3(signature = (addr, public_key, node_id, timeout=None))]
    fn connect(&self, py: Python<'_>, addr: String, public_key: &[u8], node_id: u64, timeout: Option<f64>) -> PyResult<()> {
        let work = calls::connect(&self.mesh, addr, public_key.to_vec(), node_id, mesh_config::timeout(timeout)?);
        wait_here(py, work)?.map_err(raise)
    }

    /// `connect` as an awaitable.
    #[pyo3(signature = (addr, public_key, node_id, timeout=None))]
    fn connect_async<'py>(
        &self,
        py: Python<'py>,
        addr: String,
        public_key: &[u8],
        node_id: u64,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = mesh_config::timeout(timeout)
            .and_then(|t| Self::unit_async(py, calls::connect(&self.mesh, addr, public_key.to_vec(), node_id, t)));
        deferred(py, made)
    }

    /// Wait until node `node_id` completes a handshake with this node (at
    /// most `timeout` seconds, default the handshake timeout); returns its
    /// address. Hellos from nodes nobody accepts are ignored.
    #[pyo3(signature = (node_id, timeout=None))]
    fn accept(&self, py: Python<'_>, node_id: u64, timeout: Option<f64>) -> PyResult<String> {
        let work = calls::accept(&self.mesh, node_id, mesh_config::timeout(timeout)?);
        wait_here(py, work)?.map_err(raise)
    }

    /// `accept` as an awaitable.
    #[pyo3(signature = (node_id, timeout=None))]
    fn accept_async<'py>(&self, py: Python<'py>, node_id: u64, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let made = mesh_config::timeout(timeout).and_then(|t| {
            let convert = |py: Python<'_>, r: net_sdk::Result<String>| -> PyResult<PyObject> {
                Ok(r.map_err(raise)?.into_pyobject(py)?.into_any().unbind())
            };
            aio::spawn(py, calls::accept(&self.mesh, node_id, t), convert, drop)
        });
        deferred(py, made)
    }

    /// Start heartbeats, failure detection and retransmission (call once
    /// the first handshake is done); calling again does nothing.
    fn start(&self) -> PyResult<()> {
        // The timers are tasks of the core's runtime.
        let _runtime = runtime().enter();
        self.mesh.start().map_err(raise)
    }

    /// Open (or re-open with a new window) stream `stream_id` to `peer`.
    /// `reliability` is `"reliable"` (exactly once, in order, at most
    /// `window` unacknowledged packets in flight, default 256) or
    /// `"fire_and_forget"` (sent once, may be lost); `receive_capacity` is
    /// how many received messages queue before this side stops
    /// acknowledging (default 8192). Raises `NotConnectedError` without a
    /// live session with `peer`.
    #[pyo3(signature = (peer, stream_id, reliability="reliable", window=None, receive_capacity=None))]
    fn open_stream(
        &self,
        peer: u64,
        stream_id: u64,
        reliability: &str,
        window: Option<u32>,
        receive_capacity: Option<usize>,
    ) -> PyResult<MeshStream> {
        let config = mesh_stream::config(reliability, window, receive_capacity)?;
        let inner = self.mesh.open_stream(peer, stream_id, config).map_err(raise)?;
        Ok(MeshStream::new(inner, self.serial, config.reliability))
    }

    /// Close `stream` on this side: sends raise `NotConnectedError`, a
    /// waiting `recv` and `messages()` end after the queued messages.
    fn close_stream(&self, stream: &Bound<'_, MeshStream>) -> PyResult<()> {
        self.mesh.close_stream(&self.own(stream)?.inner);
        Ok(())
    }

    /// Send `payloads` (a list of bytes-like messages) on `stream`, now or
    /// not at all: `BackpressureError` when the window has no room for the
    /// whole batch (nothing was sent), `NotConnectedError` when the peer is
    /// gone or the stream closed, `MessageTooLargeError` over 64 KiB.
    fn send(&self, py: Python<'_>, stream: &Bound<'_, MeshStream>, payloads: &Bound<'_, PyAny>) -> PyResult<()> {
        let stream = self.own(stream)?;
        let messages = payload::mesh_messages(payloads)?;
        let (mesh, inner) = (&self.mesh, &stream.inner);
        match detached(py, || mesh.send_on_stream(inner, &messages).now_or_never()) {
            Some(sent) => sent.map_err(raise),
            None => Err(net_error(py, "bus", "internal", "the core's send_on_stream waited; it is documented never to".into())),
        }
    }

    /// `send`, retrying on back-pressure up to `max_retries` times (back-off
    /// 5 ms doubling to 200 ms); the last `BackpressureError` when they run out.
    fn send_with_retry(
        &self,
        py: Python<'_>,
        stream: &Bound<'_, MeshStream>,
        payloads: &Bound<'_, PyAny>,
        max_retries: u32,
    ) -> PyResult<()> {
        let work = calls::send_retrying(&self.mesh, &self.own(stream)?.inner, payload::mesh_messages(payloads)?, Some(max_retries));
        wait_here(py, work)?.map_err(raise)
    }

    /// `send_with_retry` as an awaitable.
    fn send_with_retry_async<'py>(
        &self,
        py: Python<'py>,
        stream: &Bound<'py, MeshStream>,
        payloads: &Bound<'py, PyAny>,
        max_retries: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = self.own(stream).and_then(|s| {
            let work = calls::send_retrying(&self.mesh, &s.inner, payload::mesh_messages(payloads)?, Some(max_retries));
            Self::unit_async(py, work)
        });
        deferred(py, made)
    }

    /// Retry until the window lets the batch through (bounded: about 13.7
    /// minutes at worst, then `BackpressureError`).
    fn send_blocking(&self, py: Python<'_>, stream: &Bound<'_, MeshStream>, payloads: &Bound<'_, PyAny>) -> PyResult<()> {
        let work = calls::send_retrying(&self.mesh, &self.own(stream)?.inner, payload::mesh_messages(payloads)?, None);
        wait_here(py, work)?.map_err(raise)
    }

    /// `send_blocking` as an awaitable.
    fn send_blocking_async<'py>(
        &self,
        py: Python<'py>,
        stream: &Bound<'py, MeshStream>,
        payloads: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let made = self.own(stream).and_then(|s| {
            let work = calls::send_retrying(&self.mesh, &s.inner, payload::mesh_messages(payloads)?, None);
            Self::unit_async(py, work)
        });
        deferred(py, made)
    }

    /// The next message on `stream` (bytes), waiting at most `timeout`
    /// seconds (`TimeoutError`) or, without it, until one comes. Once the
    /// stream or its peer closed, queued messages are still returned, then
    /// `NotConnectedError`.
    #[pyo3(signature = (stream, timeout=None))]
    fn recv<'py>(&self, py: Python<'py>, stream: &Bound<'py, MeshStream>, timeout: Option<f64>) -> PyResult<Bound<'py, PyBytes>> {
        let stream = self.own(stream)?;
        let timeout = mesh_config::timeout(timeout)?;
        if let Some(m) = stream.receiver.try_take(py, &self.mesh, &stream.inner)? {
            return Ok(PyBytes::new(py, &m));
        }
        let (got, _gate) = wait_here(py, stream.receiver.next(&self.mesh, &stream.inner, timeout))?;
        Ok(PyBytes::new(py, &got.map_err(raise)?))
    }

    /// `recv` as an awaitable. Cancelling it (e.g. `asyncio.wait_for`
    /// timing out) loses no message and changes no order: the message is
    /// taken only once the awaiting task runs again (see `MeshReceive`).
    #[pyo3(signature = (stream, timeout=None))]
    fn recv_async<'py>(&self, py: Python<'py>, stream: &Bound<'py, MeshStream>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let made = (|| {
            self.own(stream)?;
            let timeout = mesh_config::timeout(timeout)?;
            let receive = MeshReceive::with_timeout(self.mesh.clone(), stream.clone().unbind(), timeout);
            Ok(Bound::new(py, receive)?.into_any())
        })();
        deferred(py, made)
    }

    /// A message already received on `stream`, or None (never waits; also
    /// None while another receive on the stream is in progress).
    fn try_recv<'py>(&self, py: Python<'py>, stream: &Bound<'py, MeshStream>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let stream = self.own(stream)?;
        Ok(stream.receiver.try_take(py, &self.mesh, &stream.inner)?.map(|m| PyBytes::new(py, &m)))
    }

    /// The messages of `stream`, as an iterator (`for`) and an async
    /// iterator (`async for`); it ends when the stream or its peer closes,
    /// after the queued messages.
    fn messages(&self, stream: &Bound<'_, MeshStream>) -> PyResult<MeshMessages> {
        self.own(stream)?;
        Ok(MeshMessages::new(self.mesh.clone(), stream.clone().unbind()))
    }

    /// Live counters of stream `stream_id` with `peer`, or None when it is
    /// closed or was never opened.
    fn stream_stats(&self, peer: u64, stream_id: u64) -> Option<StreamStats> {
        self.mesh.stream_stats(peer, stream_id).map(StreamStats::from)
    }

    /// `"alive"`, `"suspect"` or `"dead"`; None if `peer` never completed a
    /// handshake with this node.
    fn peer_state(&self, peer: u64) -> Option<&'static str> {
        self.mesh.peer_state(peer).map(|s| s.as_str())
    }

    /// Every peer with a session (live or dead), by node id.
    fn peers(&self) -> Vec<PeerInfo> {
        self.mesh.peers().into_iter().map(PeerInfo::from).collect()
    }

    /// Node-wide counters.
    fn stats(&self) -> MeshStats {
        self.mesh.stats().into()
    }

    /// Announce this node's capabilities (a `CapabilitySet` dict: `tags`,
    /// `metadata` and/or the typed `hardware`, `software`, `models`
    /// sections): validated, indexed locally at once, and broadcast signed
    /// to every connected peer (coalesced within `min_announce_interval_ms`),
    /// which forward it up to 16 hops. Never waits. `CapabilityError`:
    /// kind `invalid_capabilities` (`.errors` lists the schema errors),
    /// `announcement_too_large`, `invalid_json`.
    fn announce_capabilities(&self, py: Python<'_>, caps: &Bound<'_, PyAny>) -> PyResult<()> {
        caps::announce(py, self.live_mesh()?, caps)
    }

    /// The ids of the nodes whose capabilities match `filter` (a
    /// `CapabilityFilter` dict; None matches every node that announced),
    /// this node included on a self-match, sorted. No scope filtering.
    #[pyo3(signature = (filter=None))]
    fn find_nodes(&self, filter: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u64>> {
        caps::find(self.live_mesh()?, filter, None)
    }

    /// `find_nodes` restricted to the nodes `scope` admits (`{"kind":
    /// "any" | "globalOnly" | "sameSubnet"}`, `{"kind": "tenant", "tenant":
    /// ...}`, `{"kind": "tenants", "tenants": [...]}`, `{"kind": "region",
    /// "region": ...}`, `{"kind": "regions", "regions": [...]}`; None: any).
    #[pyo3(signature = (filter=None, scope=None))]
    fn find_nodes_scoped(&self, filter: Option<&Bound<'_, PyAny>>, scope: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u64>> {
        caps::find(self.live_mesh()?, filter, Some(scope))
    }

    /// The best match under `scope` (most GPU memory, then memory, then
    /// CPU threads, then fewest hops, then lowest id), or None.
    #[pyo3(signature = (filter=None, scope=None))]
    fn find_best_node_scoped(&self, filter: Option<&Bound<'_, PyAny>>, scope: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
        caps::find_best(self.live_mesh()?, filter, scope)
    }

    /// What this node knows of `node_id` (itself included): `{"node_id",
    /// "entity_id" (bytes), "version", "hops", "capabilities", "subnet",
    /// "scope"}`, or None when nothing is known.
    fn capabilities_of(&self, py: Python<'_>, node_id: u64) -> PyResult<Option<PyObject>> {
        caps::capabilities_of(py, self.live_mesh()?, node_id)
    }

    /// The announcement counters: received, accepted, duplicates,
    /// rejections by kind, evictions, broadcasts, forwards, entries.
    fn capability_stats(&self) -> PyResult<CapabilityStats> {
        Ok(self.live_mesh()?.capability_stats().into())
    }

    /// This node's configured subnet, `{"levels": [...]}`.
    #[getter]
    fn subnet(&self, py: Python<'_>) -> PyResult<PyObject> {
        crate::capability_json::to_py(py, &self.mesh.subnet())
    }

    /// The subnet of `node_id` as this node derives it from its announced
    /// tags and the `subnet_policy` (its own for itself), or None when
    /// nothing is known of it.
    fn peer_subnet(&self, py: Python<'_>, node_id: u64) -> PyResult<Option<PyObject>> {
        caps::peer_subnet(py, self.live_mesh()?, node_id)
    }

    /// TEST HOOK, not for applications: send raw bytes on the capability
    /// stream to `peer`, as a malicious forwarder would, to watch the
    /// peer refuse and count forged, tampered and replayed announcements.
    fn _send_capability_bytes(&self, peer: u64, data: &[u8]) -> PyResult<()> {
        caps::send_bytes(self.live_mesh()?, peer, data)
    }

    /// The mesh's and its streams' counters as Prometheus text (see
    /// `net_sdk.prometheus_text`).
    fn prometheus_text(&self, py: Python<'_>) -> PyResult<String> {
        let mesh = self.live_mesh()?.clone();
        Ok(detached(py, || net_sdk::metrics::prometheus_text(None, Some(&mesh))))
    }

    /// Tell the peers, close every session and stop; idempotent. Later
    /// calls raise `ClosedError`.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        self.closed.store(true, Ordering::Release);
        wait_here(py, calls::shutdown(&self.mesh))?.map_err(raise)
    }

    /// `shutdown` as an awaitable.
    fn shutdown_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let fut = Self::unit_async(py, calls::shutdown(&self.mesh))?;
        self.closed.store(true, Ordering::Release);
        Ok(fut)
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

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        aio::ready(py, slf.into_any().unbind())
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _tb=None))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc_type: Option<&Bound<'py, PyType>>,
        _exc: Option<&Bound<'py, PyAny>>,
        _tb: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Resolves to False: an exception from the block propagates.
        let convert = |py: Python<'_>, r: net_sdk::Result<()>| -> PyResult<PyObject> {
            r.map_err(raise)?;
            Ok(PyBool::new(py, false).to_owned().into_any().unbind())
        };
        let fut = aio::spawn(py, calls::shutdown(&self.mesh), convert, drop)?;
        self.closed.store(true, Ordering::Release);
        Ok(fut)
    }

    fn __repr__(&self) -> String {
        format!("MeshNode(node_id={:#x}, local_addr='{}', closed={})", self.mesh.node_id(), self.mesh.local_addr(), py_bool(self.closed()))
    }
}
