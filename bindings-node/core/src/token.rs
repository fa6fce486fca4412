//! `Token`: a permission token and its 161-byte wire form.

use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;
use net_sdk::{PermissionToken, TokenError};

use crate::error::{fail, Result};
use crate::identity::u64_of;

/// A signed grant of rights on one channel. Parsing checks the shape
/// only; call `verify()` before trusting it.
#[napi]
pub struct Token {
    inner: PermissionToken,
}

impl From<PermissionToken> for Token {
    fn from(inner: PermissionToken) -> Self {
        Token { inner }
    }
}

impl Token {
    pub fn inner(&self) -> &PermissionToken {
        &self.inner
    }
}

#[napi]
impl Token {
    /// Parse the 161-byte wire form (kind `invalid_format` otherwise).
    #[napi(factory)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(Token { inner: PermissionToken::from_bytes(bytes).map_err(fail)? })
    }

    /// The 161-byte wire form.
    #[napi(getter)]
    pub fn bytes(&self) -> Buffer {
        self.inner.to_bytes().to_vec().into()
    }

    /// The issuer's 32-byte entity id.
    #[napi(getter)]
    pub fn issuer(&self) -> Buffer {
        self.inner.issuer.as_bytes().to_vec().into()
    }

    /// The subject's 32-byte entity id.
    #[napi(getter)]
    pub fn subject(&self) -> Buffer {
        self.inner.subject.as_bytes().to_vec().into()
    }

    /// Scope names in bit order (`publish`, `subscribe`, `delegate`, `admin`).
    #[napi(getter)]
    pub fn scope(&self) -> Vec<&'static str> {
        self.inner.scope.names()
    }

    /// Scope bits as on the wire.
    #[napi(getter)]
    pub fn scope_bits(&self) -> u32 {
        self.inner.scope.bits()
    }

    /// The 32-bit hash of the channel the rights apply to.
    #[napi(getter)]
    pub fn channel_hash(&self) -> u32 {
        self.inner.channel_hash
    }

    /// First valid second (Unix time, inclusive).
    #[napi(getter)]
    pub fn not_before(&self) -> BigInt {
        BigInt::from(self.inner.not_before)
    }

    /// First invalid second (Unix time, exclusive).
    #[napi(getter)]
    pub fn not_after(&self) -> BigInt {
        BigInt::from(self.inner.not_after)
    }

    /// Remaining re-delegation hops.
    #[napi(getter)]
    pub fn delegation_depth(&self) -> u32 {
        u32::from(self.inner.delegation_depth)
    }

    #[napi(getter)]
    pub fn nonce(&self) -> BigInt {
        BigInt::from(self.inner.nonce)
    }

    /// The 64-byte ed25519 signature.
    #[napi(getter)]
    pub fn signature(&self) -> Buffer {
        self.inner.signature.to_vec().into()
    }

    /// The exact bytes the issuer signed.
    #[napi]
    pub fn signing_message(&self) -> Buffer {
        self.inner.signing_message().into()
    }

    /// Check the signature and the validity window at `nowSecs` (Unix
    /// seconds; default now). Throws with the token kind.
    #[napi]
    pub fn verify(&self, now_secs: Option<BigInt>) -> Result<()> {
        match now_secs {
            Some(now) => self.inner.verify_at(u64_of(&now, "nowSecs")?),
            None => self.inner.verify(),
        }
        .map_err(fail)
    }

    /// Verify a delegation chain of wire-form tokens, root first, at
    /// `nowSecs` (default now).
    #[napi]
    pub fn verify_chain(chain: Vec<&[u8]>, now_secs: Option<BigInt>) -> Result<()> {
        let now = match now_secs {
            Some(n) => u64_of(&n, "nowSecs")?,
            None => net_sdk::Clock::system().now_secs(),
        };
        let links = chain
            .into_iter()
            .map(PermissionToken::from_bytes)
            .collect::<std::result::Result<Vec<_>, TokenError>>()
            .map_err(fail)?;
        PermissionToken::verify_chain(&links, now).map_err(fail)
    }
}
