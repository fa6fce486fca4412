//! [`ComputeDaemonError`]: every failure of the compute runtime, and
//! [`ChainError`]: why a causal chain does not verify.

/// A failure of the compute runtime or of a daemon.
///
/// Every message starts with `daemon:` (the faces peel that prefix) and
/// [`kind`](Self::kind) gives a stable string for each variant, the same
/// in every language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComputeDaemonError {
    /// The runtime has not been started (`start` not called yet).
    #[error("daemon: runtime not ready (call start first)")]
    NotReady,
    /// The runtime is shutting down or has shut down.
    #[error("daemon: runtime shutting down")]
    ShuttingDown,
    /// No factory is registered under this kind.
    #[error("daemon: no factory registered for kind {0:?}")]
    FactoryNotFound(String),
    /// A factory is already registered under this kind.
    #[error("daemon: a factory is already registered for kind {0:?}")]
    FactoryAlreadyRegistered(String),
    /// No live daemon has this origin hash.
    #[error("daemon: no daemon with origin {0:#018x}")]
    DaemonNotFound(u64),
    /// A daemon with this origin hash is already running.
    #[error("daemon: a daemon with origin {0:#018x} is already running")]
    AlreadyRunning(u64),
    /// The local node lacks capability tags the daemon requires.
    #[error("daemon: kind {kind:?} requires capabilities this node lacks: {}", missing.join(", "))]
    MissingCapabilities {
        /// The daemon kind refused.
        kind: String,
        /// The required tags the local node does not announce.
        missing: Vec<String>,
    },
    /// The local node does not satisfy the daemon's `requirements()` filter.
    #[error("daemon: kind {kind:?} requirements not met by this node: {requirements}")]
    RequirementsUnmet {
        /// The daemon kind refused.
        kind: String,
        /// The filter, as JSON.
        requirements: String,
    },
    /// The daemon's `process` failed; the daemon stays usable.
    #[error("daemon: process failed: {0}")]
    Process(String),
    /// The daemon's `restore` refused the state.
    #[error("daemon: restore failed: {0}")]
    Restore(String),
    /// Snapshot bytes could not be decoded.
    #[error("daemon: snapshot decode failed: {0}")]
    SnapshotDecode(String),
    /// A snapshot belongs to another identity or kind than the spawn names.
    #[error("daemon: snapshot mismatch: {0}")]
    SnapshotMismatch(String),
    /// A foreign callback did not answer within the callback timeout.
    #[error("daemon: callback timed out after {timeout_ms} ms")]
    CallbackTimeout {
        /// The bound that was exceeded, milliseconds.
        timeout_ms: u64,
    },
    /// A call would wait on the thread that must answer it (or on a daemon
    /// this thread is already inside): refused instead of deadlocking.
    #[error("daemon: re-entrant call refused: {0}")]
    Reentrant(String),
    /// The serving side of a foreign callback went away without answering.
    #[error("daemon: callback dropped without an answer")]
    CallbackDropped,
    /// A foreign callback raised an error (a JS exception, a Python
    /// exception, a C status).
    #[error("daemon: callback failed: {0}")]
    Callback(String),
    /// A daemon callback panicked; the panic was caught and the daemon's
    /// call failed (the daemon stays registered: stop it if its state may be
    /// inconsistent).
    #[error("daemon: callback panicked: {0}")]
    Panicked(String),
    /// Any other failure of the layers below.
    #[error("daemon: {0}")]
    Core(String),
}

impl ComputeDaemonError {
    /// A `process` failure with this message: what a daemon returns.
    pub fn process(msg: impl Into<String>) -> Self {
        ComputeDaemonError::Process(msg.into())
    }

    /// The stable kind string (the same in every face).
    pub fn kind(&self) -> &'static str {
        match self {
            ComputeDaemonError::NotReady => "not-ready",
            ComputeDaemonError::ShuttingDown => "shutting-down",
            ComputeDaemonError::FactoryNotFound(_) => "factory-not-found",
            ComputeDaemonError::FactoryAlreadyRegistered(_) => "factory-already-registered",
            ComputeDaemonError::DaemonNotFound(_) => "daemon-not-found",
            ComputeDaemonError::AlreadyRunning(_) => "already-running",
            ComputeDaemonError::MissingCapabilities { .. } => "missing-capabilities",
            ComputeDaemonError::RequirementsUnmet { .. } => "requirements-unmet",
            ComputeDaemonError::Process(_) => "process-failed",
            ComputeDaemonError::Restore(_) => "state-failed",
            ComputeDaemonError::SnapshotDecode(_) => "snapshot-decode",
            ComputeDaemonError::SnapshotMismatch(_) => "snapshot-mismatch",
            ComputeDaemonError::CallbackTimeout { .. } => "callback-timeout",
            ComputeDaemonError::Reentrant(_) => "reentrant-call",
            ComputeDaemonError::CallbackDropped => "callback-dropped",
            ComputeDaemonError::Callback(_) => "callback-failed",
            ComputeDaemonError::Panicked(_) => "daemon-panicked",
            ComputeDaemonError::Core(_) => "core",
        }
    }
}

/// Why a sequence of [`CausalEvent`](super::CausalEvent)s is not a valid chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An event names another origin than the chain's.
    #[error("event {index}: origin {found:#018x}, chain origin {expected:#018x}")]
    OriginMismatch {
        /// Position in the checked slice.
        index: usize,
        /// The chain's origin.
        expected: u64,
        /// The event's origin.
        found: u64,
    },
    /// A sequence number is not the previous one plus one.
    #[error("event {index}: sequence {found}, expected {expected}")]
    SequenceGap {
        /// Position in the checked slice.
        index: usize,
        /// The sequence that should follow.
        expected: u64,
        /// The event's sequence.
        found: u64,
    },
    /// The parent hash is not the hash of the previous link (a link or a
    /// payload was altered, or an event is missing).
    #[error("event {index}: parent hash does not match the previous link")]
    ParentMismatch {
        /// Position in the checked slice.
        index: usize,
    },
}
