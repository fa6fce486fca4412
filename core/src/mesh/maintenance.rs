//! The timer task started by [`Mesh::start`](super::Mesh::start):
//! retransmission, held frames, heartbeats, failure detection and expiry of
//! handshakes that were never confirmed.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use super::config::PeerState;
use super::frame::Frame;
use super::node::MeshInner;
use super::survive::TaskKind;

/// How often the task wakes. Retransmission timeouts are never shorter
/// than the configured minimum RTO, so this only bounds their precision.
pub(crate) const TICK: Duration = Duration::from_millis(5);

pub(crate) async fn run(inner: Arc<MeshInner>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        if inner.shutdown.load(Relaxed) {
            return;
        }
        // A panic loses this sweep only; the next tick tries again.
        inner.panics.survive(TaskKind::Maintenance, || sweep(&inner));
    }
}

fn sweep(inner: &MeshInner) {
    let now = inner.now();
    let cfg = &inner.config;
    let sessions: Vec<_> = inner.by_index.read().values().cloned().collect();
    for s in sessions {
        if !s.confirmed.load(Relaxed) {
            // A responder half never confirmed (or a dial that gave up).
            if Duration::from_nanos(now.saturating_sub(s.created)) >= cfg.handshake_timeout {
                inner.forget_pending(&s);
            }
            continue;
        }
        if inner.state_of(&s) == PeerState::Dead {
            inner.retire(&s);
            continue;
        }
        let streams: Vec<_> = s.streams.read().values().cloned().collect();
        let mut outbox = s.outbox.lock();
        for stream in streams {
            stream.retransmit_due(now, cfg.min_rto, cfg.max_rto, &mut outbox);
        }
        // Acks the receive task delayed for a reply to carry.
        s.piggyback_acks(&mut outbox);
        let idle = Duration::from_nanos(now.saturating_sub(s.last_tx.load(Relaxed)));
        if outbox.is_empty() && idle >= cfg.heartbeat_interval {
            outbox.frame(Frame::Heartbeat);
        }
        // Whatever corking still holds leaves too (a safety net: an ack
        // normally releases it long before the tick).
        s.flush(inner, outbox, false, now);
    }
}
