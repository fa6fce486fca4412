//! The Node binding of Net: the native half of the `@net-mesh/core` npm
//! package, built with napi-rs. The core is linked in statically.
//!
//! This layer only translates: JS values to core types and back, core
//! errors to JS errors whose `code` is the core's stable kind string, and
//! core futures to Promises. One file per concept:
//!
//! - `error`: kinds, JS errors, rejections.
//! - `promise`: running a core future on the shared runtime as a Promise.
//! - `text`: reading JS strings as UTF-8 without allocating per call.
//! - `receipt`: the shared scratch `emitRaw` writes its receipt into.
//! - `config`: `NodeConfig` → `NetBuilder`.
//! - `node`: `NetNode` (emit, poll, flush, shutdown, stats).
//! - `fast`: emitters bound to one node (the hot paths, raw napi).
//! - `event`: events and poll pages as JS objects.
//! - `subscription`: live subscriptions, released by `close()`.
//! - `identity`, `token`, `channel`: identities, permission tokens, channel hashes.
//! - `mesh_config`, `mesh`, `mesh_stream`, `mesh_stats`: `MeshNode` (the
//!   encrypted mesh), its options, stream handles and counters.
//! - `redex`, `netdb`: RedEX files and tails; NetDb, its tasks and
//!   memories models and their watches.
//! - `capabilities`, `mesh_capabilities`: capability sets, predicates,
//!   validation, diff, scopes, subnets and signed announcements; announce
//!   and find on a `MeshNode`.
//! - `metrics`: `prometheusText`, the counters as Prometheus text.
//! - `compute_runtime`, `compute_port`, `compute_config`, `compute_error`:
//!   `DaemonRuntime` and `DaemonHandle`, the `DaemonPort` through which the
//!   core calls a JS daemon, their plain objects and errors; `compute_lane`
//!   runs one daemon's calls in order.
//! - `meshos_sdk`, `meshos_types`: `MeshOsDaemonSdk` and
//!   `MeshOsDaemonHandle` (the MeshOS daemon SDK), control events, log
//!   lines, metadata.

// napi-derive registers exports only outside `cfg(test)`, so in the test
// build every exported item looks unused.
#![cfg_attr(test, allow(dead_code))]

mod capabilities;
mod channel;
mod compute_config;
mod compute_error;
mod compute_lane;
mod compute_packed;
mod compute_port;
mod compute_runtime;
mod config;
mod dedup;
mod error;
mod event;
mod fast;
mod identity;
mod mesh;
mod mesh_capabilities;
mod mesh_config;
mod mesh_stats;
mod mesh_stream;
mod meshos_sdk;
mod meshos_types;
mod netdb;
mod metrics;
mod node;
mod promise;
mod receipt;
mod redex;
mod subscription;
mod text;
mod token;
