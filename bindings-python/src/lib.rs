//! `net_sdk._native`: the PyO3 extension module behind the `net_sdk`
//! Python package.
//!
//! It binds the Rust core directly (not the C ABI) and only translates:
//! Python values in, core calls, Python values and typed exceptions out.
//! One file per concept: `errors` (core errors -> `net_sdk.errors`),
//! `blocking` (the one helper that releases the GIL around waits),
//! `payload` (borrowing `str | bytes` without copying), `node`
//! (`NetNode`), `receipt` (Receipt, reused when dropped), `records`
//! (Event, PollResponse, Stats), `dedup` (RedisStreamDedup), `transport`
//! (the `transport=` dict),
//! `subscription` (iterator and async iterator), `exit_guard` (no native
//! thread enters Python once the interpreter exits), `identity`, `token`,
//! `channel`, `metrics` (Prometheus text). The mesh: `mesh_node` (`MeshNode`), `mesh_calls` (the core
//! futures its sync and async methods share), `mesh_config` (builder
//! arguments, timeouts), `mesh_stream` (`MeshStream`), `mesh_receiver`
//! (receiving without loss when asyncio cancels), `mesh_messages` (the
//! iterator), `mesh_records` (stats, peers), and `aio` (native work
//! as an asyncio future). Capabilities: `capabilities` (the functions
//! without a mesh), `capability_json` (Python values <-> the core's JSON
//! shapes, `CapabilityError`), `mesh_capabilities` (announce and find on a
//! `MeshNode`, `CapabilityStats`). RedEX and NetDb: `redex` (`Redex`, `RedexFile`,
//! `RedexTail`) and `netdb` (`NetDb`, `Tasks`, `Memories`, `Watch`).
//! Compute: `compute_runtime` (`DaemonRuntime`), `compute_daemon` (a
//! Python daemon served on its own thread through the core's bridge),
//! `compute_handle` (`DaemonHandle`), `compute_records` (`CausalEvent`,
//! `DaemonHostConfig`, `DaemonStats`), `compute_payload` (binary payloads),
//! `compute_control` (`DaemonControl`). MeshOS: `meshos_sdk`
//! (`MeshOsDaemonSdk`), `meshos_handle` (`MeshOsDaemonHandle`),
//! `meshos_log` (`LogRecord`, log levels).

use pyo3::prelude::*;

mod aio;
mod blocking;
mod capabilities;
mod capability_json;
mod channel;
mod compute_control;
mod compute_daemon;
mod compute_handle;
mod compute_payload;
mod compute_records;
mod compute_runtime;
mod dedup;
mod errors;
mod exit_guard;
mod identity;
mod mesh_calls;
mod mesh_capabilities;
mod mesh_config;
mod mesh_messages;
mod mesh_node;
mod mesh_receive;
mod mesh_receiver;
mod mesh_records;
mod mesh_stream;
mod meshos_handle;
mod meshos_log;
mod meshos_sdk;
mod netdb;
mod metrics;
mod node;
mod payload;
mod receipt;
mod records;
mod redex;
mod stream_cursor;
mod subscription;
mod token;
mod transport;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<node::NetNode>()?;
    m.add_class::<receipt::Receipt>()?;
    m.add_class::<records::Event>()?;
    m.add_class::<records::PollResponse>()?;
    m.add_class::<records::Stats>()?;
    m.add_class::<dedup::RedisStreamDedup>()?;
    m.add_class::<subscription::Subscription>()?;
    m.add_class::<identity::Identity>()?;
    m.add_class::<token::Token>()?;
    m.add_class::<mesh_node::MeshNode>()?;
    m.add_class::<mesh_stream::MeshStream>()?;
    m.add_class::<mesh_messages::MeshMessages>()?;
    m.add_class::<mesh_records::MeshStats>()?;
    m.add_class::<mesh_records::StreamStats>()?;
    m.add_class::<mesh_records::PeerInfo>()?;
    m.add_class::<mesh_capabilities::CapabilityStats>()?;
    m.add_class::<redex::Redex>()?;
    m.add_class::<redex::RedexFile>()?;
    m.add_class::<redex::RedexEvent>()?;
    m.add_class::<redex::RedexTail>()?;
    m.add_class::<netdb::NetDb>()?;
    m.add_class::<netdb::Tasks>()?;
    m.add_class::<netdb::Memories>()?;
    m.add_class::<netdb::Task>()?;
    m.add_class::<netdb::Memory>()?;
    m.add_class::<netdb::Watch>()?;
    m.add_class::<compute_runtime::DaemonRuntime>()?;
    m.add_class::<compute_handle::DaemonHandle>()?;
    m.add_class::<compute_records::CausalEvent>()?;
    m.add_class::<compute_records::DaemonHostConfig>()?;
    m.add_class::<compute_records::DaemonStats>()?;
    m.add_class::<compute_control::DaemonControl>()?;
    m.add_class::<meshos_sdk::MeshOsDaemonSdk>()?;
    m.add_class::<meshos_handle::MeshOsDaemonHandle>()?;
    m.add_class::<meshos_log::LogRecord>()?;
    m.add("MAX_MESSAGE_SIZE", net_sdk::mesh::MAX_MESSAGE_SIZE)?;
    m.add_function(wrap_pyfunction!(channel::channel_hash, m)?)?;
    m.add_function(wrap_pyfunction!(channel::channel_wire_hash, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::prometheus_text, m)?)?;
    m.add("TOKEN_WIRE_SIZE", net_sdk::PermissionToken::WIRE_SIZE)?;
    capabilities::register(m)?;
    exit_guard::register(m)?;
    Ok(())
}
