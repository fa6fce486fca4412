//! The encrypted mesh: peers talking over UDP.
//!
//! ```text
//! MeshBuilder::new(bind, psk).identity(id).build()   bind + receive task
//!   connect(addr, peer_key, peer_node) / accept(peer_node)   Noise IKpsk2 handshake
//!   start()                                            heartbeats, liveness, retransmission
//!   open_stream(peer, id, StreamConfig) -> MeshStream
//!   send_on_stream / send_with_retry / send_blocking   recv / messages
//! ```
//!
//! One concept per file: `packet` (the versioned header), `frame` (what
//! travels inside a packet), `packer` (coalescing frames into datagrams),
//! `cork` (which packed datagrams leave now and which wait for an ack),
//! `crypto` (ChaCha20-Poly1305 sessions, rekeying) and `replay` (the replay
//! window), `handshake` (Noise + identity binding) and `connect` (driving
//! it), `session`, `stream` (windows, acks, retransmission, reassembly),
//! `socket` (batched `sendmmsg`/`recvmmsg`), `segment` (GSO runs and
//! GRO splitting), `shim` (a deterministic lossy
//! link for tests), `dispatch` (the receive task), `maintenance` (timers),
//! `capabilities` (signed capability announcements on the reserved
//! [`CAPABILITY_STREAM`], the index and its queries),
//! `node` ([`Mesh`]) and `builder` ([`MeshBuilder`]).
//!
//! # Guarantees
//! - **Who**: a session exists only with a peer that holds the mesh PSK,
//!   the static key we dialed (or accepted), and the ed25519 identity it
//!   claims (it signs its static key inside the handshake). Wrong PSK,
//!   wrong key and mismatched node ids fail with [`HandshakeError`]; a
//!   failed handshake leaves no session on either side.
//! - **Packets**: every datagram after the handshake is authenticated and
//!   encrypted with a per-direction key and a counter nonce; tampered
//!   packets are dropped and counted ([`MeshStats::tampered`]), duplicates
//!   and packets older than the 2048-packet replay window likewise
//!   ([`MeshStats::replayed`]). Keys rotate every `rekey_after` packets.
//! - **Reliable streams** deliver every message exactly once and in order
//!   while the session lives, through loss, duplication and reordering.
//!   Messages up to [`MAX_MESSAGE_SIZE`] (64 KiB) are accepted; larger than
//!   one datagram they are fragmented and reassembled.
//! - **Fire-and-forget streams** send once: a message may be lost, never
//!   duplicated (the replay window), and is delivered whole or not at all.
//! - **Back-pressure**: a reliable stream holds at most `window`
//!   unacknowledged packets. A send that would exceed it fails at once with
//!   [`SdkError::Backpressure`](crate::SdkError::Backpressure) and nothing
//!   of the batch is sent; the transport never queues or retries on the
//!   caller's behalf. `send_with_retry` and `send_blocking` are the opt-in
//!   retry policies. The receiver stops acknowledging when its inbox holds
//!   `receive_capacity` messages, so a slow reader pushes back to the sender.
//! - **Acks** cover every reliable packet; a lone in-order packet's ack
//!   is delayed until a send to the peer carries it or the next timer
//!   tick (5 ms), as TCP's delayed ack; two or more packets, duplicates,
//!   gaps and flow-control releases are acknowledged at once.
//! - **Liveness**: a peer silent for `suspect_after` is `Suspect`, for
//!   `dead_after` `Dead`: its session and streams close and sends fail with
//!   `NotConnected`. A new `connect` (either side) restores a session;
//!   streams are then opened again.

mod addr;
mod builder;
mod capabilities;
mod config;
mod connect;
mod cork;
mod crypto;
mod dispatch;
mod error;
mod frame;
mod handshake;
mod maintenance;
mod node;
mod packer;
pub mod packet;
mod replay;
mod segment;
mod session;
mod shim;
mod socket;
mod stream;
mod survive;

/// Stream ids from here up are reserved for the mesh's own subprotocols
/// (`open_stream` refuses them; their messages never reach applications).
pub const SYSTEM_STREAM_BASE: u64 = 0xFFFF_FFFF_FFFF_FF00;
/// The reliable stream that carries capability announcements.
pub const CAPABILITY_STREAM: u64 = SYSTEM_STREAM_BASE + 1;

pub use addr::ToMeshAddr;
pub use builder::MeshBuilder;
pub use config::{PeerState, Reliability, StreamConfig, MAX_MESSAGE_SIZE};
pub use error::HandshakeError;
pub use handshake::NOISE_PARAMS;
pub use node::{Mesh, MeshStats, MeshStream, PeerInfo, RETRY_BACKOFF_MAX, RETRY_BACKOFF_MIN};
pub use shim::LossyLink;
pub use stream::StreamStats;
pub use survive::TaskKind;

/// Internals exposed for the benchmarks and the fuzz targets; not a
/// stable API.
#[doc(hidden)]
pub mod internals {
    pub use super::crypto::SessionCrypto;
    pub use super::frame::{frames, Frame};
    pub use super::packer::Packer;
    pub use super::packet::{PacketHeader, HEADER_LEN, TAG_LEN};
}

