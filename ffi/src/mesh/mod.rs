//! The encrypted mesh through the C ABI: `net_mesh_*`.
//!
//! A mesh handle (`net_mesh_t*`) is one node of the core's `Mesh`; a
//! stream handle (`net_mesh_stream_t*`) is one stream with one peer and
//! keeps its node alive, so freeing the node first only makes the
//! stream's calls fail with `shutting_down` — never a use-after-free.
//!
//! - `config`: the JSON accepted by `net_mesh_new`.
//! - `capabilities`: announcing, finding nodes, capability counters.
//! - `node`: lifecycle, keys and ids, counters, shutdown.
//! - `handshake`: connect / accept, with cancellable forms.
//! - `peers`: the peer list and liveness.
//! - `stream`: opening, statistics, closing and releasing streams.
//! - `send`: every send policy (now, retry, blocking), by pointer array
//!   or by one buffer.
//! - `recv`: one message into library memory, or a batch into the
//!   caller's buffer.

mod capabilities;
mod config;
mod handshake;
pub(crate) mod node;
mod peers;
mod recv;
mod send;
mod stream;

pub use capabilities::*;
pub use handshake::*;
pub use node::*;
pub use peers::*;
pub use recv::*;
pub use send::*;
pub use stream::*;
