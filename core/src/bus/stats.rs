//! Counters and health.

use std::sync::atomic::Ordering::{Relaxed, SeqCst};

use super::event_bus::EventBus;

/// Ingestion statistics, summed over shards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Events accepted into a ring (including ones later evicted by DropOldest).
    pub events_ingested: u64,
    /// Events discarded: by backpressure, or lost to a failing backend.
    pub events_dropped: u64,
    /// Batches appended to the backend.
    pub batches_dispatched: u64,
    /// Events waiting in each shard's ring right now.
    pub shard_depths: Vec<usize>,
    /// Failed backend appends (each retry that failed counts).
    pub backend_errors: u64,
    /// Times the backend recovered: an append succeeded after failures.
    pub reconnects: u64,
    /// Time since the latest successful append; `None` before the first.
    pub since_last_success: Option<std::time::Duration>,
    /// Mesh backend: events not delivered to a peer (it was gone when they
    /// were forwarded, or had not acknowledged them at shutdown).
    pub forward_failures: u64,
    /// Mesh backend: events received from peers and stored here.
    pub remote_events: u64,
}

/// A health snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Open, every batcher running, and the latest backend append
    /// succeeded (a backend that failed and recovered is healthy again).
    pub healthy: bool,
    /// Number of shards.
    pub shards: u16,
    /// `shutdown` has started or completed.
    pub shut_down: bool,
    /// Batcher tasks currently running.
    pub batchers_running: u16,
    /// Backend append failures seen so far (each failed retry counts).
    pub backend_errors: u64,
    /// Times the backend recovered: an append succeeded after failures.
    pub reconnects: u64,
    /// Time since the latest successful append; `None` before the first.
    pub since_last_success: Option<std::time::Duration>,
}

impl EventBus {
    /// Current counters.
    pub fn stats(&self) -> Stats {
        let mut s = Stats { shard_depths: Vec::with_capacity(self.shards.len()), ..Default::default() };
        for shard in self.shards.iter() {
            // Every accepted event claimed one ring position.
            s.events_ingested += shard.ring.tail() - shard.start;
            s.events_dropped += shard.dropped.load(Relaxed);
            s.batches_dispatched += shard.batches.load(Relaxed);
            s.shard_depths.push(shard.ring.len());
        }
        s.backend_errors = self.backend_errors();
        s.reconnects = self.reconnects();
        s.since_last_success = self.since_last_success();
        let peers = self.backend.peer_traffic();
        s.forward_failures = peers.forward_failures;
        s.remote_events = peers.remote_events;
        s
    }

    /// Current health.
    pub fn health(&self) -> Health {
        let running = self.shards.iter().filter(|s| !s.signals.stopped.load(SeqCst)).count() as u16;
        let shut_down = self.is_stopping();
        let backend_errors = self.backend_errors();
        Health {
            healthy: !shut_down && running == self.config.shards && !self.backend_failing(),
            shards: self.config.shards,
            shut_down,
            batchers_running: running,
            backend_errors,
            reconnects: self.reconnects(),
            since_last_success: self.since_last_success(),
        }
    }
}
