//! Compute: stateful daemons hosted by a [`DaemonRuntime`].
//!
//! A [`MeshDaemon`] turns [`CausalEvent`]s into output payloads; the
//! runtime wraps each output in the next [`CausalLink`] of the daemon's
//! chain ([`verify_chain`] checks one), counts [`DaemonStats`], takes
//! [`StateSnapshot`]s and respawns daemons from them. Daemons declare the
//! capabilities they need; a node that lacks one refuses the spawn.
//!
//! [`bridge`] is the piece foreign daemons (TS, Python, Go, C) build on: a
//! call sent to the thread that serves it, waited for at most the daemon's
//! `callback_timeout_ms`, so a stalled or re-entrant callback becomes a
//! typed error instead of a deadlock.
//!
//! Migration between nodes comes later; its seams are here: snapshot
//! bytes, origin hashes, the chain head in each snapshot, and the replay
//! log kept since the last snapshot.

pub mod bridge;
mod config;
mod control;
mod daemon;
mod error;
mod event;
mod foreign;
mod host;
mod runtime;
mod snapshot;

pub use bridge::{foreign_channel, ForeignCall, ForeignCaller, ForeignServer, ServingThread};
pub use config::{DaemonHostConfig, DaemonStats};
pub use control::{DaemonControl, DaemonHealth};
pub use daemon::{DaemonFactory, MeshDaemon};
pub use error::{ChainError, ComputeDaemonError, ComputeDaemonError as DaemonError};
pub use event::{verify_chain, verify_chain_from, CausalEvent, CausalLink, ChainHead};
pub use foreign::{DaemonCall, DaemonReply, ForeignDaemon};
pub use host::{BatchDelivery, DaemonHandle};
pub use runtime::DaemonRuntime;
pub use snapshot::StateSnapshot;
