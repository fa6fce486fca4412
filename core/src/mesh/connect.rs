//! Driving handshakes: `connect` (initiator), `accept` (responder side),
//! and the receive task's handling of handshake packets.
//!
//! connect and accept may be called in either order: the initiator
//! retransmits its hello (100 ms, doubling to 1 s) until the handshake
//! timeout, and the responder answers a hello only from a node it is
//! accepting or has had a session with, so an `accept` that starts late
//! answers the next retransmission. A node built with `refuse_unaccepted`
//! answers any other hello with a refusal instead.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::addr::ToMeshAddr;
use super::crypto::SessionCrypto;
use super::error::HandshakeError;
use super::frame::Frame;
use super::handshake::{read_hello, Initiator};
use super::node::{DialEvent, Mesh, MeshInner};
use super::packet::{PacketHeader, PacketType};
use super::session::Session;
use crate::error::{Result, SdkError};
use crate::identity::IdentityError;

const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(1);
/// Unconfirmed responder halves kept at once; hellos beyond it are ignored
/// until some confirm or expire (bounds the state a hello flood can cost).
const MAX_PENDING: usize = 256;

fn packet(kind: PacketType, receiver_index: u32, body: &[u8]) -> Vec<u8> {
    let mut p = PacketHeader::control(kind, receiver_index).encode().to_vec();
    p.extend_from_slice(body);
    p
}

impl MeshInner {
    fn send_raw(&self, to: SocketAddr, datagram: Vec<u8>) {
        let sent = self.socket.send_batch(to, &[datagram]);
        self.counters.datagrams_sent.fetch_add(sent as u64, Relaxed);
    }

    fn reject(&self, to: SocketAddr, receiver_index: u32, why: HandshakeError) {
        self.send_raw(to, packet(PacketType::Reject, receiver_index, &[why.reject_code()]));
    }

    /// A `HandshakeInit` arrived.
    pub(crate) fn on_hello(&self, from: SocketAddr, body: &[u8]) {
        if body.len() < 4 {
            self.counters.malformed.fetch_add(1, Relaxed);
            return;
        }
        let their_index = u32::from_le_bytes(body[..4].try_into().expect("4 bytes"));
        if let Some((_, reply)) = self.answered.lock().get(&(from, their_index)) {
            // A retransmitted hello: the same answer again.
            let reply = reply.clone();
            self.send_raw(from, reply);
            return;
        }
        let hello = match read_hello(&self.keys, &self.psk, body) {
            Ok(h) => h,
            Err(e) => {
                self.counters.handshakes_failed.fetch_add(1, Relaxed);
                self.reject(from, their_index, e);
                return;
            }
        };
        let node = hello.peer_entity.node_id();
        let wanted = self.accepting_any.load(Relaxed) > 0
            || self.accepting.lock().contains_key(&node)
            || self.known.read().contains(&node);
        if node == self.identity.node_id() {
            return;
        }
        if !wanted {
            if self.refuse_unaccepted.load(Relaxed) {
                self.counters.handshakes_failed.fetch_add(1, Relaxed);
                self.reject(from, their_index, HandshakeError::Refused);
            }
            // Otherwise stay silent: an accept may still come, and the
            // initiator retries.
            return;
        }
        let pending = self.by_index.read().values().filter(|s| !s.confirmed.load(Relaxed)).count();
        if pending >= MAX_PENDING {
            // A flood of (replayed) hellos: bound the state, let retries come back later.
            return;
        }
        let index = self.new_index();
        let (reply, keys) = hello.respond(&self.identity, &self.keys, index);
        let session = Arc::new(Session::new(
            keys.peer_entity,
            index,
            keys.peer_index,
            from,
            SessionCrypto::new(keys.send, keys.recv, self.config.rekey_after),
            self.config.datagram_for(from),
            self.now(),
        ));
        // Pending until the initiator's first packet proves its keys.
        self.by_index.write().insert(index, session);
        let reply = packet(PacketType::HandshakeResponse, their_index, &reply);
        self.answered.lock().insert((from, their_index), (index, reply.clone()));
        self.send_raw(from, reply);
    }

    /// A `HandshakeResponse` or `Reject` for one of our dials, or a
    /// `Reject` from an initiator that failed on our reply.
    pub(crate) fn on_handshake_reply(&self, header: &PacketHeader, from: SocketAddr, body: &[u8]) {
        let index = header.receiver_index;
        let event = match header.kind {
            PacketType::HandshakeResponse => DialEvent::Response(body.to_vec(), from),
            _ => DialEvent::Rejected(body.first().copied().unwrap_or(0)),
        };
        if let Some(tx) = self.dialing.lock().get(&index) {
            let _ = tx.send(event);
            return;
        }
        if header.kind == PacketType::Reject {
            // The initiator could not finish (its PSK differs): drop our
            // pending half now instead of at the timeout.
            let pending = self.by_index.read().get(&index).cloned();
            if let Some(s) = pending.filter(|s| !s.confirmed.load(Relaxed) && *s.addr.lock() == from) {
                self.counters.handshakes_failed.fetch_add(1, Relaxed);
                self.forget_pending(&s);
            }
        }
    }

    /// Remove an unconfirmed session and its cached answer.
    pub(crate) fn forget_pending(&self, s: &Session) {
        self.retire(s);
        self.answered.lock().retain(|_, (i, _)| *i != s.local_index);
    }
}

/// Unregisters a dial however `connect` ends.
struct DialGuard<'a>(&'a MeshInner, u32);

impl Drop for DialGuard<'_> {
    fn drop(&mut self) {
        self.0.dialing.lock().remove(&self.1);
    }
}

impl Mesh {
    /// Handshake with the node `peer_node_id` listening at `addr` whose
    /// static key is `peer_public_key` (its [`public_key`](Self::public_key)).
    /// Returns once both sides hold the session. Fails with a typed
    /// [`HandshakeError`] (wrong PSK, wrong key, identity mismatch) or
    /// `Timeout` after the builder's handshake timeout. A new handshake
    /// with a peer replaces (and closes) the previous session.
    pub async fn connect(&self, addr: impl ToMeshAddr, peer_public_key: impl AsRef<[u8]>, peer_node_id: u64) -> Result<()> {
        let timeout = self.inner.config.handshake_timeout;
        self.connect_with_timeout(addr, peer_public_key, peer_node_id, timeout).await
    }

    /// [`connect`](Self::connect) with an explicit time limit.
    pub async fn connect_with_timeout(
        &self,
        addr: impl ToMeshAddr,
        peer_public_key: impl AsRef<[u8]>,
        peer_node_id: u64,
        timeout: Duration,
    ) -> Result<()> {
        if peer_node_id == self.node_id() {
            return Err(SdkError::InvalidArgument("a node cannot connect to itself".into()));
        }
        self.handshake(addr, peer_public_key.as_ref(), Some(peer_node_id), timeout).await.map(|_| ())
    }

    /// Handshake with whichever node holds the static key
    /// `peer_public_key` at `addr`, and return its node id. The key alone
    /// authenticates the peer (only its holder can answer); use
    /// [`connect`](Self::connect) to also pin the node id.
    pub async fn dial(&self, addr: impl ToMeshAddr, peer_public_key: impl AsRef<[u8]>) -> Result<u64> {
        let timeout = self.inner.config.handshake_timeout;
        self.dial_with_timeout(addr, peer_public_key, timeout).await
    }

    /// [`dial`](Self::dial) with an explicit time limit.
    pub async fn dial_with_timeout(
        &self,
        addr: impl ToMeshAddr,
        peer_public_key: impl AsRef<[u8]>,
        timeout: Duration,
    ) -> Result<u64> {
        if peer_public_key.as_ref() == self.public_key() {
            return Err(SdkError::InvalidArgument("a node cannot dial its own key".into()));
        }
        self.handshake(addr, peer_public_key.as_ref(), None, timeout).await
    }

    async fn handshake(
        &self,
        addr: impl ToMeshAddr,
        peer_public_key: &[u8],
        expected_node: Option<u64>,
        timeout: Duration,
    ) -> Result<u64> {
        let inner = &self.inner;
        inner.check_open()?;
        let addr = addr.to_mesh_addr()?;
        let key: [u8; 32] = peer_public_key.try_into().map_err(|_| IdentityError::InvalidLength {
            what: "peer public key",
            expected: 32,
            actual: peer_public_key.len(),
        })?;
        let index = inner.new_index();
        let (tx, mut rx) = mpsc::unbounded_channel();
        inner.dialing.lock().insert(index, tx);
        let _guard = DialGuard(inner, index);
        let init = Initiator::start(&inner.identity, &inner.keys, &inner.psk, &key, expected_node, index);
        let hello = packet(PacketType::HandshakeInit, 0, &init.hello);
        let deadline = tokio::time::Instant::now() + timeout;
        let mut retry = FIRST_RETRY;
        let (body, from) = loop {
            inner.send_raw(addr, hello.clone());
            let wake = (tokio::time::Instant::now() + retry).min(deadline);
            match tokio::time::timeout_at(wake, rx.recv()).await {
                Ok(Some(DialEvent::Response(body, from))) => break (body, from),
                Ok(Some(DialEvent::Rejected(code))) => {
                    inner.counters.handshakes_failed.fetch_add(1, Relaxed);
                    return Err(HandshakeError::from_reject_code(code).into());
                }
                Ok(None) => return Err(SdkError::Closed),
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(SdkError::Timeout(format!("no handshake reply from {addr}")));
                }
                Err(_) => retry = (retry * 2).min(MAX_RETRY),
            }
        };
        let their_index = u32::from_le_bytes(body.get(..4).and_then(|b| b.try_into().ok()).unwrap_or([0; 4]));
        let keys = match init.finish(&body) {
            Ok(k) => k,
            Err(e) => {
                inner.counters.handshakes_failed.fetch_add(1, Relaxed);
                if e == HandshakeError::WrongPsk || e == HandshakeError::IdentityMismatch {
                    // Let the responder drop its pending half right away.
                    inner.reject(from, their_index, e);
                }
                return Err(e.into());
            }
        };
        let session = Arc::new(Session::new(
            keys.peer_entity,
            index,
            keys.peer_index,
            from,
            SessionCrypto::new(keys.send, keys.recv, inner.config.rekey_after),
            inner.config.datagram_for(from),
            inner.now(),
        ));
        inner.by_index.write().insert(index, session.clone());
        // Key confirmation: ping until the responder answers on the new keys.
        let mut retry = Duration::from_millis(20);
        loop {
            let confirmed = session.confirmed_signal.notified();
            tokio::pin!(confirmed);
            confirmed.as_mut().enable();
            if session.confirmed.load(std::sync::atomic::Ordering::Acquire) {
                return Ok(session.peer_node);
            }
            if session.is_closed() || inner.shutdown.load(Relaxed) {
                return Err(SdkError::NotConnected);
            }
            session.send_frame(inner, Frame::Ping, inner.now());
            let wake = (tokio::time::Instant::now() + retry).min(deadline);
            if tokio::time::timeout_at(wake, confirmed).await.is_err() && tokio::time::Instant::now() >= deadline {
                inner.retire(&session);
                return Err(SdkError::Timeout(format!("peer at {from} did not confirm the session")));
            }
            retry = (retry * 2).min(MAX_RETRY);
        }
    }

    /// Wait until `peer_node_id` completes a handshake with this node (or
    /// already has a live session), up to the builder's handshake timeout.
    /// Hellos from nodes nobody accepts are ignored, so an impostor or an
    /// unexpected node never gets a session. Returns the peer's address.
    pub async fn accept(&self, peer_node_id: u64) -> Result<SocketAddr> {
        let timeout = self.inner.config.handshake_timeout;
        self.accept_with_timeout(peer_node_id, timeout).await
    }

    /// [`accept`](Self::accept) with an explicit time limit.
    pub async fn accept_with_timeout(&self, peer_node_id: u64, timeout: Duration) -> Result<SocketAddr> {
        let inner = &self.inner;
        inner.check_open()?;
        *inner.accepting.lock().entry(peer_node_id).or_insert(0) += 1;
        struct Unaccept<'a>(&'a MeshInner, u64);
        impl Drop for Unaccept<'_> {
            fn drop(&mut self) {
                let mut a = self.0.accepting.lock();
                if let Some(n) = a.get_mut(&self.1) {
                    *n -= 1;
                    if *n == 0 {
                        a.remove(&self.1);
                    }
                }
            }
        }
        let _guard = Unaccept(inner, peer_node_id);
        let wait = async {
            loop {
                let changed = inner.peer_change.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if let Ok(s) = inner.live_session(peer_node_id) {
                    return Ok(*s.addr.lock());
                }
                inner.check_open()?;
                changed.await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| SdkError::Timeout(format!("node {peer_node_id:#x} did not complete a handshake")))?
    }

    /// Turn [`MeshBuilder::refuse_unaccepted`](super::MeshBuilder::refuse_unaccepted)
    /// on or off while the node runs: e.g. on once the `accept` calls this
    /// node expects are registered, so no early hello is refused.
    pub fn set_refuse_unaccepted(&self, on: bool) {
        self.inner.refuse_unaccepted.store(on, Relaxed);
    }

    /// Wait for any node holding the mesh's PSK to complete a handshake
    /// with this node, up to `timeout`, and return its node id and address.
    /// While it waits, hellos from every node are answered (the PSK is the
    /// only credential checked); afterwards only accepted and known nodes
    /// are, as with [`accept`](Self::accept). A node that already had a
    /// live session when the call began does not count.
    pub async fn accept_any_with_timeout(&self, timeout: Duration) -> Result<(u64, SocketAddr)> {
        let inner = &self.inner;
        inner.check_open()?;
        let before: HashSet<u64> = self.live_peers().collect();
        inner.accepting_any.fetch_add(1, Relaxed);
        struct Unaccept<'a>(&'a MeshInner);
        impl Drop for Unaccept<'_> {
            fn drop(&mut self) {
                self.0.accepting_any.fetch_sub(1, Relaxed);
            }
        }
        let _guard = Unaccept(inner);
        let wait = async {
            loop {
                let changed = inner.peer_change.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if let Some(node) = self.live_peers().find(|n| !before.contains(n)) {
                    let s = inner.live_session(node)?;
                    return Ok((node, *s.addr.lock()));
                }
                inner.check_open()?;
                changed.await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| SdkError::Timeout("no node completed a handshake".into()))?
    }

    fn live_peers(&self) -> impl Iterator<Item = u64> + '_ {
        let peers: Vec<u64> = self.inner.peers.read().keys().copied().collect();
        peers.into_iter().filter(|n| self.inner.live_session(*n).is_ok())
    }
}
