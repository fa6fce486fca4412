//! `Token`: a permission token and its 161-byte wire form.

use net_sdk::{ChannelName, PermissionToken};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::blocking::detached;
use crate::errors::raise;
use crate::identity::scope;

/// A signed grant of scopes on one channel, from an issuer to a subject.
#[pyclass(frozen, eq, hash, module = "net_sdk._native")]
#[derive(PartialEq, Eq, Hash)]
pub struct Token {
    inner: PermissionToken,
}

impl From<PermissionToken> for Token {
    fn from(inner: PermissionToken) -> Self {
        Self { inner }
    }
}

impl Token {
    pub(crate) fn inner(&self) -> &PermissionToken {
        &self.inner
    }
}

#[pymethods]
impl Token {
    /// Parse the wire form (no signature check); `TokenError` kind
    /// `invalid_format` for anything that is not a token.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self { inner: PermissionToken::from_bytes(data).map_err(raise)? })
    }

    /// The 161-byte wire form.
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.bytes(py)
    }

    #[getter]
    fn issuer<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.issuer.as_bytes())
    }

    #[getter]
    fn subject<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.subject.as_bytes())
    }

    /// Scope names, in bit order.
    #[getter]
    fn scope(&self) -> Vec<&'static str> {
        self.inner.scope.names()
    }

    #[getter]
    fn scope_bits(&self) -> u32 {
        self.inner.scope.bits()
    }

    #[getter]
    fn channel_hash(&self) -> u32 {
        self.inner.channel_hash
    }

    /// Valid from this Unix second (inclusive).
    #[getter]
    fn not_before(&self) -> u64 {
        self.inner.not_before
    }

    /// Valid until this Unix second (exclusive).
    #[getter]
    fn not_after(&self) -> u64 {
        self.inner.not_after
    }

    #[getter]
    fn delegation_depth(&self) -> u8 {
        self.inner.delegation_depth
    }

    #[getter]
    fn nonce(&self) -> u64 {
        self.inner.nonce
    }

    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.signature)
    }

    /// The exact bytes the issuer signed.
    fn signing_message<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.signing_message())
    }

    /// Check the signature and that it is valid now; `TokenError` with
    /// kind `invalid_signature`, `not_yet_valid` or `expired`.
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        let inner = &self.inner;
        detached(py, || inner.verify()).map_err(raise)
    }

    /// As `verify()`, at `now` (Unix seconds).
    fn verify_at(&self, py: Python<'_>, now: u64) -> PyResult<()> {
        let inner = &self.inner;
        detached(py, || inner.verify_at(now)).map_err(raise)
    }

    /// Verify a delegation chain, root first, at `now` (Unix seconds).
    #[staticmethod]
    fn verify_chain(py: Python<'_>, chain: Vec<PyRef<'_, Token>>, now: u64) -> PyResult<()> {
        let chain: Vec<PermissionToken> = chain.iter().map(|t| t.inner.clone()).collect();
        detached(py, || PermissionToken::verify_chain(&chain, now)).map_err(raise)
    }

    /// Whether it has expired at `now` (Unix seconds).
    fn is_expired_at(&self, now: u64) -> bool {
        self.inner.is_expired_at(now)
    }

    /// Whether it grants every scope in `scope` on `channel` (validity
    /// window and signature are not checked: see `verify`).
    fn grants(&self, scope: Vec<String>, channel: &str) -> PyResult<bool> {
        let channel = ChannelName::new(channel).map_err(raise)?;
        Ok(self.inner.grants(self::scope(scope)?, channel.hash()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Token(scope={}, channel_hash={:#010x}, not_before={}, not_after={}, delegation_depth={})",
            self.inner.scope, self.inner.channel_hash, self.inner.not_before, self.inner.not_after, self.inner.delegation_depth
        )
    }
}
