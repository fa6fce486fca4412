//! Permission tokens: issue, delegate, parse, verify.
//!
//! Tokens cross the ABI only in their 161-byte wire form; scopes are the
//! `NET_SCOPE_*` bits. Verification failures return `NET_ERR_TOKEN` with
//! the token kind (`invalid_format`, `invalid_signature`, `expired`,
//! `not_yet_valid`, `delegation_exhausted`, `delegation_not_allowed`,
//! `not_authorized`, `zero_ttl`) in `net_last_error_kind()`.

use std::ffi::{c_char, c_int};
use std::time::Duration;

use net_sdk::{ChannelName, PermissionToken, TokenError, TokenScope};

use crate::identity::{entity_id, identity, NetIdentity};
use crate::status::FfiError;
use crate::{args, guard};

/// Size of a token's wire form.
pub const NET_TOKEN_LEN: usize = 161;
/// Scope bits.
pub const NET_SCOPE_PUBLISH: u32 = 1;
pub const NET_SCOPE_SUBSCRIBE: u32 = 2;
pub const NET_SCOPE_DELEGATE: u32 = 4;
pub const NET_SCOPE_ADMIN: u32 = 8;

/// The decoded fields of a token (see `net_token_parse`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct NetTokenInfo {
    pub issuer: [u8; 32],
    pub subject: [u8; 32],
    pub scope: u32,
    pub channel_hash: u32,
    /// Validity window, seconds since the Unix epoch: `[not_before, not_after)`.
    pub not_before: u64,
    pub not_after: u64,
    pub delegation_depth: u8,
    pub nonce: u64,
}

fn scope(bits: u32) -> Result<TokenScope, FfiError> {
    TokenScope::from_bits(bits)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FfiError::invalid_argument(format!("scope bits {bits:#x} are empty or unknown")))
}

fn token(ptr: *const u8, len: usize) -> Result<PermissionToken, FfiError> {
    Ok(PermissionToken::from_bytes(args::bytes(ptr, len, "token")?)?)
}

fn write_token(token: &PermissionToken, out: *mut u8, out_len: usize) -> Result<(), FfiError> {
    args::write_bytes(&token.to_bytes(), out, out_len, "out")
}

/// Issue a token from `issuer` to the 32-byte `subject` for `scope` on the
/// channel `(channel, channel_len)`, valid for `ttl_secs` (0 is refused
/// with kind `zero_ttl`) and re-delegable `delegation_depth` times. Writes
/// the 161-byte wire form to `out` (`out_len` >= 161).
#[no_mangle]
pub extern "C" fn net_identity_issue_token(
    issuer: *const NetIdentity,
    subject: *const u8,
    subject_len: usize,
    scope_bits: u32,
    channel: *const c_char,
    channel_len: usize,
    ttl_secs: u64,
    delegation_depth: u8,
    out: *mut u8,
    out_len: usize,
) -> c_int {
    guard::status(|| {
        let issuer = identity(issuer)?;
        let subject = entity_id(subject, subject_len, "subject")?;
        let channel = ChannelName::new(args::text(channel, channel_len, "channel")?)?;
        let token =
            issuer.try_issue_token(subject, scope(scope_bits)?, &channel, Duration::from_secs(ttl_secs), delegation_depth)?;
        write_token(&token, out, out_len)
    })
}

/// Issue a token with every field given: the validity window
/// `[not_before, not_after)` in Unix seconds, the channel as its 32-bit
/// hash (see `net_channel_hash`) and the nonce. Deterministic, so golden
/// vectors and replayable tests can check the bytes; `net_identity_issue_token`
/// is the everyday form. Writes 161 bytes to `out`.
#[no_mangle]
pub extern "C" fn net_identity_issue_token_at(
    issuer: *const NetIdentity,
    subject: *const u8,
    subject_len: usize,
    scope_bits: u32,
    channel_hash: u32,
    not_before: u64,
    not_after: u64,
    delegation_depth: u8,
    nonce: u64,
    out: *mut u8,
    out_len: usize,
) -> c_int {
    guard::status(|| {
        let issuer = identity(issuer)?;
        let subject = entity_id(subject, subject_len, "subject")?;
        // Unlike the everyday form, an empty scope is allowed: the fields are the caller's.
        let scope = TokenScope::from_bits(scope_bits)
            .ok_or_else(|| FfiError::invalid_argument(format!("scope bits {scope_bits:#x} are unknown")))?;
        let token = issuer.issue_token_at(subject, scope, channel_hash, not_before, not_after, delegation_depth, nonce);
        write_token(&token, out, out_len)
    })
}

/// Delegate: `holder` (the subject of `parent`) issues a child token to
/// `subject` with a subset of the parent's scope, one less delegation
/// depth, and at most the parent's expiry. Writes 161 bytes to `out`.
#[no_mangle]
pub extern "C" fn net_identity_delegate_token(
    holder: *const NetIdentity,
    parent: *const u8,
    parent_len: usize,
    subject: *const u8,
    subject_len: usize,
    scope_bits: u32,
    ttl_secs: u64,
    out: *mut u8,
    out_len: usize,
) -> c_int {
    guard::status(|| {
        let holder = identity(holder)?;
        let parent = token(parent, parent_len)?;
        let subject = entity_id(subject, subject_len, "subject")?;
        let child = holder.delegate(&parent, subject, scope(scope_bits)?, Duration::from_secs(ttl_secs))?;
        write_token(&child, out, out_len)
    })
}

/// Decode a token's fields into `*out` without checking its signature
/// (kind `invalid_format` for bytes that are not a token).
#[no_mangle]
pub extern "C" fn net_token_parse(token_bytes: *const u8, len: usize, out: *mut NetTokenInfo) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let t = token(token_bytes, len)?;
        *out = NetTokenInfo {
            issuer: *t.issuer.as_bytes(),
            subject: *t.subject.as_bytes(),
            scope: t.scope.bits(),
            channel_hash: t.channel_hash,
            not_before: t.not_before,
            not_after: t.not_after,
            delegation_depth: t.delegation_depth,
            nonce: t.nonce,
        };
        Ok(())
    })
}

/// Verify a token's signature and validity window against the current
/// time. 0 if valid, else `NET_ERR_TOKEN` with the reason as the kind.
#[no_mangle]
pub extern "C" fn net_token_verify(token_bytes: *const u8, len: usize) -> c_int {
    guard::status(|| Ok(token(token_bytes, len)?.verify()?))
}

/// As `net_token_verify`, at `now_secs` (seconds since the Unix epoch).
#[no_mangle]
pub extern "C" fn net_token_verify_at(token_bytes: *const u8, len: usize, now_secs: u64) -> c_int {
    guard::status(|| Ok(token(token_bytes, len)?.verify_at(now_secs)?))
}

/// Verify a delegation chain of `count` tokens laid out back to back
/// (`count * 161` bytes, root first) at `now_secs`.
#[no_mangle]
pub extern "C" fn net_token_verify_chain(tokens: *const u8, count: usize, now_secs: u64) -> c_int {
    guard::status(|| {
        let raw = args::bytes(tokens, count.saturating_mul(NET_TOKEN_LEN), "tokens")?;
        let chain = raw.chunks_exact(NET_TOKEN_LEN).map(PermissionToken::from_bytes).collect::<Result<Vec<_>, TokenError>>()?;
        Ok(PermissionToken::verify_chain(&chain, now_secs)?)
    })
}
