//! The core calls behind `MeshNode`'s waiting methods, as owned futures
//! (receiving is `mesh_receiver`'s).
//!
//! Each waiting method has a sync form (run by `blocking::wait_here`, GIL
//! released) and an `_async` form (run by `aio::spawn`, an asyncio
//! future); both run the same future, built here, so the two forms cannot
//! drift apart. The futures own clones of the node and stream handles
//! (two `Arc`s each), as a task on the runtime must.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{Mesh, MeshStream};
use net_sdk::Result;

/// Handshake with `node_id` at `addr` whose static key is `key`.
pub(crate) fn connect(
    mesh: &Mesh,
    addr: String,
    key: Vec<u8>,
    node_id: u64,
    timeout: Option<Duration>,
) -> impl Future<Output = Result<()>> + Send + 'static + use<> {
    let mesh = mesh.clone();
    async move {
        match timeout {
            Some(t) => mesh.connect_with_timeout(addr, key, node_id, t).await,
            None => mesh.connect(addr, key, node_id).await,
        }
    }
}

/// Wait for `node_id` to complete a handshake; its address, `"ip:port"`.
pub(crate) fn accept(mesh: &Mesh, node_id: u64, timeout: Option<Duration>) -> impl Future<Output = Result<String>> + Send + 'static + use<> {
    let mesh = mesh.clone();
    async move {
        let addr = match timeout {
            Some(t) => mesh.accept_with_timeout(node_id, t).await,
            None => mesh.accept(node_id).await,
        }?;
        Ok(addr.to_string())
    }
}

/// Send `messages`, retrying on back-pressure up to `max_retries` times
/// (`None`: the core's bounded `send_blocking`).
pub(crate) fn send_retrying(
    mesh: &Mesh,
    stream: &MeshStream,
    messages: Vec<Bytes>,
    max_retries: Option<u32>,
) -> impl Future<Output = Result<()>> + Send + 'static + use<> {
    let (mesh, stream) = (mesh.clone(), stream.clone());
    async move {
        match max_retries {
            Some(n) => mesh.send_with_retry(&stream, &messages, n).await,
            None => mesh.send_blocking(&stream, &messages).await,
        }
    }
}

/// Tell the peers, close every session and stop the node's tasks.
pub(crate) fn shutdown(mesh: &Mesh) -> impl Future<Output = Result<()>> + Send + 'static + use<> {
    let mesh = mesh.clone();
    async move { mesh.shutdown().await }
}
