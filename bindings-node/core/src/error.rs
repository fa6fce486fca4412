//! Errors crossing into JavaScript.
//!
//! Every failure becomes a JS `Error` whose `code` is the core's stable
//! kind string (`backpressure`, `closed`, `invalid_signature`, …), so the
//! TypeScript SDK can build its typed classes from the code alone and the
//! spelling is the one the C ABI and the other faces report.

use napi::{Env, JsUnknown, NapiRaw, NapiValue};
use net_sdk::SdkError;

/// The `code` of a JS error: a stable kind string.
#[derive(Debug, Clone, Copy)]
pub struct Kind(pub &'static str);

impl AsRef<str> for Kind {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// A failure on its way to JavaScript.
pub type Error = napi::Error<Kind>;

/// What every binding function returns; napi-derive throws the error with
/// `code` = its kind.
pub type Result<T> = std::result::Result<T, Error>;

/// An error of the given kind.
pub fn error(kind: &'static str, message: impl Into<String>) -> Error {
    napi::Error::new(Kind(kind), message.into())
}

/// `invalid_argument`: a value from JavaScript the core cannot take.
pub fn invalid(message: impl Into<String>) -> Error {
    error("invalid_argument", message)
}

/// Any core error (bus, token, identity, channel) with its own kind.
pub fn fail(e: impl Into<SdkError>) -> Error {
    let e = e.into();
    error(e.kind(), e.to_string())
}

/// `Ok` for `napi_ok`; any other status of a raw napi call is an
/// `internal` error (the env refused something it should not).
pub fn check(status: napi::sys::napi_status) -> Result<()> {
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(error("internal", format!("napi call failed with status {status}")))
    }
}

/// A failure of napi itself (a value of the wrong JS type, mostly).
pub fn napi_failure(e: napi::Error) -> Error {
    error("invalid_argument", e.reason)
}

/// The JS error object for `e`, wrapped so a promise rejects with it as is
/// (napi-rs rejects with the referenced object instead of building one
/// from a status).
pub fn into_rejection(env: Env, e: Error) -> napi::Error {
    let built = (|| -> napi::Result<JsUnknown> {
        let code = env.create_string(e.status.0)?;
        let message = env.create_string(&e.reason)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: env is the live env of this callback; both strings are
        // values of it; `raw` receives the new error object.
        let status = unsafe { napi::sys::napi_create_error(env.raw(), code.raw(), message.raw(), &mut raw) };
        if status != napi::sys::Status::napi_ok {
            return Err(napi::Error::from_reason("napi_create_error failed"));
        }
        // SAFETY: `raw` is a value napi just created in this env.
        Ok(unsafe { JsUnknown::from_raw_unchecked(env.raw(), raw) })
    })();
    match built {
        Ok(js) => napi::Error::from(js),
        Err(_) => napi::Error::from_reason(format!("{}: {}", e.status.0, e.reason)),
    }
}
