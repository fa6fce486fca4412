//! Core futures as Promises.
//!
//! The future runs on the core's process-global runtime (the one the
//! batchers live on), never on the JS thread; its result comes back
//! through a napi deferred, which settles the Promise on the JS thread.

use std::future::Future;

use napi::bindgen_prelude::ToNapiValue;
use napi::{Env, JsObject};

use crate::error::{into_rejection, napi_failure, Result};

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
