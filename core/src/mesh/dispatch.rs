//! The receive task: takes datagrams off the socket in batches, opens
//! them, and routes their frames to handshakes, streams and acks.
//!
//! Work that would otherwise repeat per packet is done once per batch:
//! readers are woken once per stream and each touched reliable stream that
//! owes an urgent ACK gets one, all ACKs to a peer coalesced into one
//! datagram. A lone in-order packet's ACK is delayed: the reply the
//! application is about to send carries it (request/response then costs
//! two datagrams, not four), else the timer task sends it within a tick. Decrypted
//! datagrams are copied once into a shared buffer that the messages slice.

use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use bytes::Bytes;

use super::frame::{frames, Frame, FLAG_RELIABLE};
use super::node::MeshInner;
use super::packet::{PacketHeader, PacketType, HEADER_LEN, TAG_LEN};
use super::session::Session;
use super::socket::RecvBatch;
use super::stream::StreamState;
use super::survive::TaskKind;

/// Datagrams handled between two rounds of acks within one receive
/// batch (see [`run`]).
const ACK_EVERY: u64 = 64;

/// What one batch touched.
#[derive(Default)]
struct Touched {
    /// (session, stream, woke readers)
    streams: Vec<(Arc<Session>, Arc<StreamState>, bool)>,
    /// Sessions that asked for a heartbeat.
    pings: Vec<Arc<Session>>,
    /// Sessions that received an ack: their held frames may leave.
    acked: Vec<Arc<Session>>,
}

impl Touched {
    fn stream(&mut self, session: &Arc<Session>, stream: Arc<StreamState>, woke: bool) {
        if let Some(e) = self.streams.iter_mut().find(|e| Arc::ptr_eq(&e.1, &stream)) {
            e.2 |= woke;
        } else {
            self.streams.push((session.clone(), stream, woke));
        }
    }

    fn clear(&mut self) {
        self.streams.clear();
        self.pings.clear();
        self.acked.clear();
    }
}

/// Add `session` to `list` once.
fn once(list: &mut Vec<Arc<Session>>, session: &Arc<Session>) {
    if !list.iter().any(|s| Arc::ptr_eq(s, session)) {
        list.push(session.clone());
    }
}

/// Run until the socket fails or the task is aborted.
pub(crate) async fn run(inner: Arc<MeshInner>) {
    let mut batch = RecvBatch::new(super::socket::RECV_BUF);
    let mut touched = Touched::default();
    loop {
        let n = match inner.socket.recv_batch(&mut batch).await {
            Ok(n) => n,
            Err(_) if inner.shutdown.load(Relaxed) => return,
            Err(_) => {
                // Transient (e.g. ENOMEM): back off briefly rather than spin.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                continue;
            }
        };
        let mut datagrams = 0;
        for i in 0..n {
            let from = batch.addrs[i];
            for datagram in batch.datagrams(i) {
                datagrams += 1;
                inner.panics.survive(TaskKind::Receive, || handle(&inner, from, datagram, &mut touched));
                if datagrams % ACK_EVERY == 0 {
                    // A GRO batch can hold thousands of datagrams: ack and
                    // wake readers along the way, so the sender refills its
                    // window while this batch is still being opened.
                    wake_readers(&touched);
                    if inner.panics.survive(TaskKind::Receive, || finish_batch(&inner, &mut touched)).is_none() {
                        touched.clear();
                    }
                }
            }
        }
        inner.counters.datagrams_received.fetch_add(datagrams, Relaxed);
        // A woken reader waits in this worker's LIFO slot (which other
        // workers cannot steal from) and runs as soon as this task waits
        // for the socket again. For a lone datagram (request/response) that
        // is next: no yield, which would queue this task behind the reader
        // and make tokio wake the other worker to steal one of them (a
        // cross-core hop per message). A batch of several datagrams means a
        // busy stream: yield, so the reader drains the inbox before the
        // acks go out and is not starved while the socket keeps us busy.
        if wake_readers(&touched) && datagrams > 1 {
            tokio::task::yield_now().await;
        }
        if inner.panics.survive(TaskKind::Receive, || finish_batch(&inner, &mut touched)).is_none() {
            // Start the next batch clean.
            touched.clear();
        }
    }
}

fn handle(inner: &MeshInner, from: SocketAddr, packet: &mut [u8], touched: &mut Touched) {
    #[cfg(test)]
    if inner.inject_receive_panic.swap(false, Relaxed) {
        panic!("injected receive panic");
    }
    let Ok((header, body)) = PacketHeader::decode(packet) else {
        inner.counters.malformed.fetch_add(1, Relaxed);
        return;
    };
    match header.kind {
        PacketType::HandshakeInit => inner.on_hello(from, body),
        PacketType::HandshakeResponse | PacketType::Reject => inner.on_handshake_reply(&header, from, body),
        PacketType::Data => on_data(inner, &header, from, packet, touched),
    }
}

fn on_data(inner: &MeshInner, header: &PacketHeader, from: SocketAddr, packet: &mut [u8], touched: &mut Touched) {
    let Some(session) = inner.by_index.read().get(&header.receiver_index).cloned() else {
        inner.counters.malformed.fetch_add(1, Relaxed);
        return;
    };
    if session.is_closed() {
        return;
    }
    if let Err(e) = session.crypto.open(header, packet) {
        match e {
            super::crypto::OpenError::Tampered => inner.counters.tampered.fetch_add(1, Relaxed),
            super::crypto::OpenError::Replayed => inner.counters.replayed.fetch_add(1, Relaxed),
        };
        return;
    }
    let now = inner.now();
    session.last_rx.store(now, Relaxed);
    {
        // The peer may move (NAT rebinding): follow its authentic packets.
        let mut addr = session.addr.lock();
        if *addr != from {
            *addr = from;
        }
    }
    if !session.confirmed.load(Relaxed) {
        // First authentic packet: both sides hold the keys. Publish the
        // session as the peer's before waking `connect`, so a caller that
        // returns from it finds the peer. (Only this task confirms.)
        inner.promote(&session);
        inner.answered.lock().retain(|_, (i, _)| *i != session.local_index);
        session.confirm();
    }
    // One allocation per datagram: messages are slices of it.
    let plaintext = Bytes::copy_from_slice(&packet[HEADER_LEN..packet.len() - TAG_LEN]);
    for frame in frames(&plaintext) {
        let Ok(frame) = frame else {
            inner.counters.malformed.fetch_add(1, Relaxed);
            break;
        };
        match frame {
            Frame::Stream { flags, stream, seq, data } => {
                let s = session.inbound_stream(stream, flags & FLAG_RELIABLE != 0);
                let woke = s.on_frame(flags, seq, plaintext.slice_ref(data));
                if stream >= super::SYSTEM_STREAM_BASE {
                    // The mesh's own subprotocols: whole messages go to
                    // their handler (which never blocks this task), not to
                    // an application reader.
                    if woke {
                        while let Some((message, _)) = s.pop_and_ack_urgent() {
                            inner.on_system_message(session.peer_node, stream, message);
                        }
                    }
                    if flags & FLAG_RELIABLE != 0 {
                        session.acks_pending.store(true, Relaxed);
                        touched.stream(&session, s, false);
                    }
                    continue;
                }
                if flags & FLAG_RELIABLE != 0 {
                    session.acks_pending.store(true, Relaxed);
                }
                if woke || flags & FLAG_RELIABLE != 0 {
                    touched.stream(&session, s, woke);
                }
            }
            Frame::Ack { stream, next, selective } => {
                let s = session.streams.read().get(&stream).cloned();
                if let Some(s) = s {
                    if s.on_ack(next, selective, now) {
                        // Recovering from a loss: resend what is due with
                        // this batch's flush (clocked by acks, not the timer).
                        let cfg = &inner.config;
                        s.retransmit_due(now, cfg.min_rto, cfg.max_rto, &mut session.outbox.lock());
                    }
                }
                once(&mut touched.acked, &session);
            }
            Frame::Heartbeat => {}
            Frame::Ping => once(&mut touched.pings, &session),
            Frame::Close => {
                inner.retire(&session);
                return;
            }
        }
    }
}

/// Wake the readers of streams that received messages; true if any.
fn wake_readers(touched: &Touched) -> bool {
    let mut any = false;
    for (_, stream, woke) in &touched.streams {
        if *woke {
            stream.inbox_ready.notify_waiters();
            any = true;
        }
    }
    any
}

/// Send the batch's acks and heartbeats, one flush per peer, with the
/// frames its sends left in the outbox (an ack from the peer releases
/// them; see [`super::cork`]).
fn finish_batch(inner: &MeshInner, touched: &mut Touched) {
    let now = inner.now();
    // Without the timer task nothing would send a delayed ack.
    let delay_ok = inner.maintenance_started.load(Relaxed);
    let mut sessions = std::mem::take(&mut touched.acked);
    for (session, _, _) in &touched.streams {
        once(&mut sessions, session);
    }
    for p in &touched.pings {
        once(&mut sessions, p);
    }
    for session in &sessions {
        if session.is_closed() {
            continue;
        }
        let mut outbox = session.outbox.lock();
        if touched.pings.iter().any(|p| Arc::ptr_eq(p, session)) {
            outbox.frame(Frame::Heartbeat);
        }
        for (s, stream, _) in &touched.streams {
            if !Arc::ptr_eq(s, session) || (delay_ok && !stream.ack_urgent()) {
                continue;
            }
            if let Some((next, selective)) = stream.take_ack() {
                outbox.frame(Frame::Ack { stream: stream.id, next, selective });
            }
        }
        session.flush(inner, outbox, false, now);
    }
    // Keep the list's capacity for the next batch.
    sessions.clear();
    touched.acked = sessions;
    touched.streams.clear();
    touched.pings.clear();
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering::Relaxed;
    use std::time::Duration;

    use bytes::Bytes;

    use crate::mesh::{MeshBuilder, StreamConfig, TaskKind};

    /// A panic while handling a datagram loses that datagram, not the
    /// node: the receive task keeps serving, the reliable stream
    /// retransmits what was lost, and the panic shows in the stats.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_receive_task_survives_a_panic() {
        let psk = [7u8; 32];
        let build = || async { MeshBuilder::new("127.0.0.1:0", &psk).unwrap().build().await.unwrap() };
        let (a, b) = (build().await, build().await);
        let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
        ra.unwrap();
        rb.unwrap();
        a.start().unwrap();
        b.start().unwrap();
        let tx = a.open_stream(b.node_id(), 9, StreamConfig::new()).unwrap();
        let rx = b.open_stream(a.node_id(), 9, StreamConfig::new()).unwrap();
        b.inner.inject_receive_panic.store(true, Relaxed);
        for i in 0..20u8 {
            a.send_blocking(&tx, &[Bytes::from(vec![i; 16])]).await.unwrap();
        }
        for i in 0..20u8 {
            let got = tokio::time::timeout(Duration::from_secs(30), b.recv(&rx)).await.expect("the node stopped receiving");
            assert_eq!(got.unwrap(), Bytes::from(vec![i; 16]));
        }
        assert_eq!((b.stats().receive_panics, b.stats().maintenance_panics), (1, 0));
        assert_eq!(b.last_panic(), Some((TaskKind::Receive, "injected receive panic".to_owned())));
        assert_eq!(a.stats().receive_panics, 0);
        assert!(a.last_panic().is_none());
        a.shutdown().await.unwrap();
        b.shutdown().await.unwrap();
    }
}
