//! [`CortexError`] (a model's fold and mutations) and [`NetDbError`] (the
//! `NetDb` facade: bundles, missing models).

use crate::redex::RedexError;

/// Why a CortEX adapter call failed. Kinds: `cortex:fold_halted`,
/// `cortex:io`, `cortex:decode`, `cortex:not_found`, `cortex:exists`,
/// `cortex:closed`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CortexError {
    /// An event in the model's log could not be applied; the fold stopped
    /// there and the model refuses mutations (its state stays readable as
    /// of the event before).
    #[error("{model} fold halted at seq {seq}: {reason}")]
    FoldHalted { model: &'static str, seq: u64, reason: String },
    /// The model's RedEX file failed (I/O, corruption, lock, closed...).
    #[error("{model} log: {source}")]
    Redex {
        model: &'static str,
        #[source]
        source: RedexError,
    },
    /// Bytes that are not an event of this model (e.g. a bad bundle entry).
    #[error("{model}: cannot decode event at seq {seq}: {reason}")]
    Decode { model: &'static str, seq: u64, reason: String },
    /// The mutation names an id the model does not hold.
    #[error("{model}: no item with id {id}")]
    NotFound { model: &'static str, id: u64 },
    /// `create` / `store` with an id already in use.
    #[error("{model}: id {id} already exists")]
    AlreadyExists { model: &'static str, id: u64 },
    /// The adapter (or its NetDb) was closed.
    #[error("{model} adapter is closed")]
    Closed { model: &'static str },
}

impl CortexError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::FoldHalted { .. } => "cortex:fold_halted",
            Self::Redex { .. } => "cortex:io",
            Self::Decode { .. } => "cortex:decode",
            Self::NotFound { .. } => "cortex:not_found",
            Self::AlreadyExists { .. } => "cortex:exists",
            Self::Closed { .. } => "cortex:closed",
        }
    }
}

/// Why a `NetDb` call failed. Kinds: `netdb:bundle`, `netdb:missing_model`,
/// and the wrapped [`CortexError`]'s kind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetDbError {
    /// A snapshot (a bundle, or one model's) that does not parse, is of
    /// another model, has an unknown format, or does not fit the log it is
    /// restored onto.
    #[error("NetDb snapshot: {0}")]
    Bundle(String),
    /// The model was not enabled on the builder (`with_tasks()` /
    /// `with_memories()`), or the bundle lacks it.
    #[error("NetDb has no {0} model (enable it on the builder)")]
    MissingModel(&'static str),
    /// Opening or folding a model failed.
    #[error(transparent)]
    Cortex(#[from] CortexError),
}

impl NetDbError {
    /// The stable, cross-language kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Bundle(_) => "netdb:bundle",
            Self::MissingModel(_) => "netdb:missing_model",
            Self::Cortex(e) => e.kind(),
        }
    }
}
