//! The encrypted mesh through the C ABI: `net_mesh_*`.
//!
//! A mesh handle (`net_mesh_t*`) is one node of the core's `Mesh`; a
//! stream handle (`net_mesh_stream_t*`) is one stream with one peer and
//! keeps its node alive, so freeing the node first only makes the
//! stream's calls fail with `shutting_down` — never a use-after-free.
//!
//! - `config`: the JSON accepted by `net_mesh_new`.
//! - `node`: lifecycle, keys, handshakes, liveness and counters.
//! - `stream`: opening streams, sending, receiving into library-owned
//!   memory, and per-stream statistics.

mod config;
mod node;
mod stream;

pub use node::*;
pub use stream::*;
