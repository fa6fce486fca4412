//! The C ABI of RedEX and CortEX/NetDb, described by `include/net_cortex.h`
//! (generated from this module alone by `ffi/cbindgen_cortex.toml`; `net.h`
//! skips it). Same library, its own status codes (`NET_CORTEX_*`) and its
//! own thread-local last error (`net_cortex_last_error_*`).
//!
//! - `status`, `last_error`, `guard`: codes, the error pair, the boundary.
//! - `config`: the JSON configurations of files and NetDbs.
//! - `memory`: event arrays and strings handed to C.
//! - `manager`, `file`, `tail`: `net_redex_*`.
//! - `netdb`, `models`, `watch`: `net_netdb_*`.

mod config;
mod file;
mod guard;
mod last_error;
mod manager;
mod memory;
mod models;
mod netdb;
mod status;
mod tail;
mod watch;

pub use file::*;
pub use last_error::*;
pub use manager::*;
pub use memory::*;
pub use models::*;
pub use netdb::*;
pub use status::NetCortexStatus;
pub use tail::*;
pub use watch::*;
