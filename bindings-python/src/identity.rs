//! `Identity`: an ed25519 keypair from a 32-byte seed, and the tokens it issues.

use std::time::Duration;

use net_sdk::{ChannelName, EntityId, TokenScope};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::blocking::detached;
use crate::errors::raise;
use crate::token::Token;

/// An identity. The seed (`to_bytes()`) is the secret: store it like a key.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Identity {
    inner: net_sdk::Identity,
}

impl Identity {
    /// The core identity (compute spawns daemons under one).
    pub(crate) fn core(&self) -> &net_sdk::Identity {
        &self.inner
    }
}

pub(crate) fn entity_id(bytes: &[u8]) -> PyResult<EntityId> {
    EntityId::from_bytes(bytes).map_err(raise)
}

pub(crate) fn scope(names: Vec<String>) -> PyResult<TokenScope> {
    TokenScope::from_names(&names).map_err(raise)
}

#[pymethods]
impl Identity {
    /// A new identity from the operating system's randomness.
    #[staticmethod]
    fn generate() -> Self {
        Self { inner: net_sdk::Identity::generate() }
    }

    /// The identity of a 32-byte seed; `IdentityError` (kind
    /// `invalid_length`) for any other length.
    #[staticmethod]
    fn from_seed(seed: &[u8]) -> PyResult<Self> {
        Ok(Self { inner: net_sdk::Identity::from_seed_slice(seed).map_err(raise)? })
    }

    /// The 32-byte seed.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The 32-byte public key.
    #[getter]
    fn entity_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.entity_id().as_bytes())
    }

    /// 64-bit node id derived from the entity id.
    #[getter]
    fn node_id(&self) -> u64 {
        self.inner.node_id()
    }

    /// The 32-byte static key a mesh node with this identity listens
    /// under: what a peer dials (`peer_public_key`), known from the seed
    /// before the node starts.
    #[getter]
    fn mesh_public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.mesh_public_key())
    }

    /// 64-bit origin hash derived from the entity id.
    #[getter]
    fn origin_hash(&self) -> u64 {
        self.inner.origin_hash()
    }

    /// Sign `message` (64-byte signature).
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> Bound<'py, PyBytes> {
        let inner = &self.inner;
        let sig = detached(py, || inner.sign(message));
        PyBytes::new(py, &sig)
    }

    /// Check a signature made by this identity; `IdentityError` if it does not verify.
    fn verify(&self, py: Python<'_>, message: &[u8], signature: &[u8]) -> PyResult<()> {
        let inner = &self.inner;
        detached(py, || inner.verify(message, signature)).map_err(raise)
    }

    /// Grant `scope` (names: publish, subscribe, delegate, admin) on
    /// `channel` to the entity id `subject` for `ttl_seconds` (0 raises
    /// `TokenError` kind `zero_ttl`), re-delegable `delegation_depth` times.
    #[pyo3(signature = (*, subject, scope, channel, ttl_seconds, delegation_depth=0))]
    fn issue_token(&self, py: Python<'_>, subject: &[u8], scope: Vec<String>, channel: &str, ttl_seconds: u64, delegation_depth: u8) -> PyResult<Token> {
        let subject = entity_id(subject)?;
        let scope = self::scope(scope)?;
        let channel = ChannelName::new(channel).map_err(raise)?;
        let inner = &self.inner;
        let token = detached(py, || inner.try_issue_token(subject, scope, &channel, Duration::from_secs(ttl_seconds), delegation_depth));
        Ok(Token::from(token.map_err(raise)?))
    }

    /// Issue with every field given (deterministic: for tests and vectors).
    #[pyo3(signature = (*, subject, scope, channel_hash, not_before, not_after, delegation_depth, nonce))]
    #[allow(clippy::too_many_arguments)] // one keyword per wire field
    fn issue_token_at(
        &self,
        py: Python<'_>,
        subject: &[u8],
        scope: Vec<String>,
        channel_hash: u32,
        not_before: u64,
        not_after: u64,
        delegation_depth: u8,
        nonce: u64,
    ) -> PyResult<Token> {
        let subject = entity_id(subject)?;
        let scope = self::scope(scope)?;
        let inner = &self.inner;
        Ok(Token::from(detached(py, || {
            inner.issue_token_at(subject, scope, channel_hash, not_before, not_after, delegation_depth, nonce)
        })))
    }

    /// Re-grant part of `parent` (whose subject is this identity) to
    /// `subject`: a subset of its scope, one less delegation level, at most
    /// its expiry. `TokenError` kinds `delegation_not_allowed`,
    /// `delegation_exhausted`, or the parent's own verification failure.
    #[pyo3(signature = (parent, *, subject, scope, ttl_seconds))]
    fn delegate(&self, py: Python<'_>, parent: &Token, subject: &[u8], scope: Vec<String>, ttl_seconds: u64) -> PyResult<Token> {
        let subject = entity_id(subject)?;
        let scope = self::scope(scope)?;
        let (inner, parent) = (&self.inner, parent.inner());
        let child = detached(py, || inner.delegate(parent, subject, scope, Duration::from_secs(ttl_seconds)));
        Ok(Token::from(child.map_err(raise)?))
    }

    fn __repr__(&self) -> String {
        format!("Identity(entity_id={}, node_id={:#018x})", self.inner.entity_id(), self.inner.node_id())
    }
}
