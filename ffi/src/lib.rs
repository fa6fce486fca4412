//! The C ABI of Net: `libnet.so` / `libnet.a`, described by `include/net.h`
//! (generated from this crate by cbindgen — see `cbindgen.toml`).
//!
//! This crate only translates: C arguments into Rust values (`args`),
//! results and errors into status codes plus the thread-local message/kind
//! pair (`status`, `last_error`), with every entry point behind the panic
//! guard (`guard`). All behaviour lives in the `net_sdk` core.
//!
//! `cortex` is the RedEX / NetDb part, described by its own header
//! `include/net_cortex.h`; `meshos` is the MeshOS daemon SDK, declared by
//! `include/net_meshos.h` (the seed header, exactly).

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // each function documents its contract in net.h
#![allow(clippy::not_unsafe_ptr_arg_deref)] // C entry points take raw pointers by design

mod args;
mod boundary;
mod cancel;
mod capabilities;
mod channel;
mod config;
/// cbindgen:ignore
mod cortex;
mod daemon;
mod daemon_batch;
mod daemon_register;
mod dedup;
mod guard;
mod identity;
mod ingest;
mod last_error;
mod last_error_slot;
mod mesh;
/// cbindgen:ignore
mod meshos;
mod metrics;
mod node;
mod poll;
mod registry;
mod stats;
mod status;
mod subscribe;
mod token;

pub use cancel::*;
pub use capabilities::*;
pub use cortex::*;
pub use channel::*;
pub use daemon::*;
pub use daemon_batch::*;
pub use daemon_register::*;
pub use dedup::*;
pub use identity::*;
pub use ingest::*;
pub use last_error::*;
pub use mesh::*;
pub use meshos::*;
pub use metrics::*;
pub use node::*;
pub use poll::*;
pub use stats::*;
pub use status::NetStatus;
pub use subscribe::*;
pub use token::*;
