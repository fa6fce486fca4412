//! Helpers shared by the integration tests: the bus gates below, the
//! counting allocator, and the Redis/NATS test servers.
#![allow(dead_code)]

#[cfg(any(feature = "redis", feature = "jetstream"))]
pub mod backend_checks;
pub mod counting_alloc;
#[cfg(any(feature = "redis", feature = "jetstream"))]
pub mod servers;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use net_sdk::{Backend, Event, MemoryBackend, ReadOutcome, Result, StoredEvent};
use tokio::sync::{watch, Notify};

/// A memory backend whose `append` blocks until the gate opens, so a test
/// can fill a ring deterministically.
pub struct GateBackend {
    pub inner: MemoryBackend,
    open: watch::Sender<bool>,
    pub appends_started: AtomicUsize,
}

impl GateBackend {
    pub fn new(shards: u16) -> Arc<Self> {
        Arc::new(Self {
            inner: MemoryBackend::new(shards, 1 << 20),
            open: watch::channel(false).0,
            appends_started: AtomicUsize::new(0),
        })
    }

    pub fn open(&self) {
        self.open.send_replace(true);
    }

    /// Wait until `n` appends have started (and are therefore blocked).
    pub async fn wait_started(&self, n: usize) {
        while self.appends_started.load(Ordering::SeqCst) < n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

#[async_trait]
impl Backend for GateBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        self.appends_started.fetch_add(1, Ordering::SeqCst);
        let mut rx = self.open.subscribe();
        let _ = rx.wait_for(|open| *open).await;
        self.inner.append(shard, events).await
    }

    async fn read(&self, shard: u16, from: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        self.inner.read(shard, from, limit, out).await
    }

    fn tail(&self, shard: u16) -> u64 {
        self.inner.tail(shard)
    }

    fn changed(&self) -> &Notify {
        self.inner.changed()
    }
}

/// Poll everything from the beginning with a given page size.
pub async fn poll_all(net: &net_sdk::Net, page: usize) -> Vec<Event> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let r = net.poll(net_sdk::PollRequest { limit: page, cursor: cursor.take() }).await.unwrap();
        out.extend(r.events);
        cursor = Some(r.next_id);
        if !r.has_more {
            return out;
        }
    }
}

/// Two meshes on loopback sharing `psk`: handshaken (`a` dialled `b`) and
/// started.
#[cfg(feature = "net")]
pub async fn started_pair(psk: &[u8; 32]) -> (net_sdk::Mesh, net_sdk::Mesh) {
    use net_sdk::mesh::MeshBuilder;
    let a = MeshBuilder::new("127.0.0.1:0", psk).unwrap().build().await.unwrap();
    let b = MeshBuilder::new("127.0.0.1:0", psk).unwrap().build().await.unwrap();
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra.unwrap();
    rb.unwrap();
    a.start().unwrap();
    b.start().unwrap();
    (a, b)
}

/// A golden vector file, `tests/vectors/<file>` (a path below it too).
pub fn load_vectors(file: &str) -> serde_json::Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("vector file is JSON")
}

/// `v[key]` as a string, failing with the vector when it is not one.
pub fn vector_str<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is a string in {v}"))
}
