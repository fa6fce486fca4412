//! The `net-where` RPC header: a predicate travelling with a request.
//!
//! Value: the predicate's canonical compact JSON ([`Predicate::to_json`])
//! encoded as **base64url without padding** (RFC 4648 §5), so the value
//! is plain ASCII that any header transport carries. At most
//! [`MAX_WHERE_HEADER_LEN`] bytes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::ast::Predicate;
use crate::capabilities::CapabilityError;

/// The header name.
pub const RPC_WHERE_HEADER: &str = "net-where";
/// Longest header value accepted or produced, in bytes.
pub const MAX_WHERE_HEADER_LEN: usize = 8192;

/// The `(name, value)` header pair carrying `predicate`.
pub fn predicate_to_rpc_header(predicate: &Predicate) -> Result<(String, Vec<u8>), CapabilityError> {
    let json = predicate.to_json()?;
    let value = URL_SAFE_NO_PAD.encode(json.as_bytes()).into_bytes();
    if value.len() > MAX_WHERE_HEADER_LEN {
        return Err(CapabilityError::Header(format!(
            "encoded predicate is {} bytes, the limit is {MAX_WHERE_HEADER_LEN}",
            value.len()
        )));
    }
    Ok((RPC_WHERE_HEADER.to_owned(), value))
}

/// Decode one `net-where` header value.
pub fn predicate_from_rpc_header(value: &[u8]) -> Result<Predicate, CapabilityError> {
    if value.len() > MAX_WHERE_HEADER_LEN {
        return Err(CapabilityError::Header(format!("{} bytes exceed {MAX_WHERE_HEADER_LEN}", value.len())));
    }
    let json = URL_SAFE_NO_PAD.decode(value).map_err(|e| CapabilityError::Header(format!("not base64url: {e}")))?;
    let text = std::str::from_utf8(&json).map_err(|_| CapabilityError::Header("not UTF-8 JSON".into()))?;
    Predicate::from_json(text).map_err(|e| match e {
        CapabilityError::Predicate(m) => CapabilityError::Header(format!("bad predicate: {m}")),
        other => other,
    })
}

/// Find the `net-where` header (name compared case-insensitively; the
/// first one wins) and decode it: `None` when absent, `Some(Err)` when
/// malformed.
pub fn predicate_from_rpc_headers<K: AsRef<str>, V: AsRef<[u8]>>(
    headers: &[(K, V)],
) -> Option<Result<Predicate, CapabilityError>> {
    let (_, value) = headers.iter().find(|(k, _)| k.as_ref().eq_ignore_ascii_case(RPC_WHERE_HEADER))?;
    Some(predicate_from_rpc_header(value.as_ref()))
}
