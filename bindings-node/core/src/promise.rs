//! Core futures as Promises.
//!
//! The future runs on the core's process-global runtime (the one the
//! batchers live on), never on the JS thread; its result comes back
//! through a napi deferred, which settles the Promise on the JS thread.

use std::future::Future;

use napi::bindgen_prelude::ToNapiValue;
use napi::{Env, JsObject, NapiValue};

use crate::error::{check, into_rejection, napi_failure, Result};

/// Run `work` on the core runtime; resolve with `to_js(value)` or reject
/// with the kind-coded error.
pub fn spawn<T, D, F, C>(env: &Env, work: F, to_js: C) -> Result<JsObject>
where
    T: Send + 'static,
    D: ToNapiValue + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    C: FnOnce(Env, T) -> Result<D> + Send + 'static,
{
    let (deferred, promise) = env.create_deferred().map_err(napi_failure)?;
    net_sdk::runtime::runtime().spawn(async move {
        let outcome = work.await;
        deferred.resolve(move |env| match outcome.and_then(|v| to_js(env, v)) {
            Ok(value) => Ok(value),
            Err(e) => Err(into_rejection(env, e)),
        });
    });
    Ok(promise)
}

/// A Promise already resolved with `undefined`, made and settled on the JS
/// thread: for a call whose work finished synchronously, with none of the
/// runtime hop and thread-safe callback that [`spawn`] costs.
pub fn resolved(env: &Env) -> Result<JsObject> {
    let (mut deferred, mut promise) = (std::ptr::null_mut(), std::ptr::null_mut());
    // SAFETY: env is the live env of the calling JS callback; napi writes
    // the new deferred and promise through the two out-pointers; the
    // deferred is settled (and so freed) once, right here, with a value of
    // the same env.
    unsafe {
        check(napi::sys::napi_create_promise(env.raw(), &mut deferred, &mut promise))?;
        let mut undefined = std::ptr::null_mut();
        check(napi::sys::napi_get_undefined(env.raw(), &mut undefined))?;
        check(napi::sys::napi_resolve_deferred(env.raw(), deferred, undefined))?;
        Ok(JsObject::from_raw_unchecked(env.raw(), promise))
    }
}
