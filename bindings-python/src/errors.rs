//! Core errors become the typed exceptions of `net_sdk.errors`.
//!
//! The exception classes are plain Python (so users can subclass, pickle
//! and read them like any other exception); this module only hands each
//! failure's stable kind string and message to `net_sdk.errors._from_kind`,
//! which picks the class. The kind is therefore spelled once, in the core.

use std::fmt::Display;

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;

/// A core error with a stable, cross-language kind string, and the family
/// it belongs to (`token`, `identity`, `channel`, `capability`, `bus`, ...):
/// one kind (`invalid_signature`) exists in several families.
pub(crate) trait Kinded: Display {
    fn kind(&self) -> &'static str;
    fn family(&self) -> &'static str;
}

macro_rules! kinded {
    ($($t:ty => $family:literal),*) => {$(
        impl Kinded for $t {
            fn kind(&self) -> &'static str {
                <$t>::kind(self)
            }
            fn family(&self) -> &'static str {
                $family
            }
        }
    )*};
}
kinded!(
    net_sdk::TokenError => "token",
    net_sdk::IdentityError => "identity",
    net_sdk::ChannelNameError => "channel",
    net_sdk::cortex::RedexError => "redex",
    net_sdk::cortex::CortexError => "cortex",
    net_sdk::cortex::NetDbError => "netdb",
    net_sdk::capabilities::CapabilityError => "capability",
    net_sdk::compute::ComputeDaemonError => "daemon"
);

impl Kinded for net_sdk::SdkError {
    fn kind(&self) -> &'static str {
        net_sdk::SdkError::kind(self)
    }
    fn family(&self) -> &'static str {
        match self {
            net_sdk::SdkError::Token(_) => "token",
            net_sdk::SdkError::Identity(_) => "identity",
            net_sdk::SdkError::Channel(_) => "channel",
            net_sdk::SdkError::Capability(_) => "capability",
            _ => "bus",
        }
    }
}

static FROM_KIND: GILOnceCell<PyObject> = GILOnceCell::new();

/// The exception for `kind` of `family` with `message`, as
/// `net_sdk.errors` classifies it.
pub(crate) fn net_error(py: Python<'_>, family: &str, kind: &str, message: String) -> PyErr {
    let made = FROM_KIND
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("net_sdk.errors")?.getattr("_from_kind")?.unbind()))
        .and_then(|from_kind| from_kind.call1(py, (family, kind, message)));
    match made {
        Ok(exc) => PyErr::from_value(exc.into_bound(py)),
        // Only when the package is broken (e.g. the module was imported
        // without its Python half): say so rather than lose the error.
        Err(e) => e,
    }
}

/// `map_err` adapter: any kinded core error as its typed exception.
pub(crate) fn raise<E: Kinded>(e: E) -> PyErr {
    Python::with_gil(|py| net_error(py, e.family(), e.kind(), e.to_string()))
}

/// A MeshOS error as `net_sdk.errors.MeshOsError`: its message without the
/// core's `<<meshos-sdk-kind:KIND>>` envelope (the kind travels apart).
pub(crate) fn meshos_error(e: net_sdk::meshos::MeshOsError) -> PyErr {
    Python::with_gil(|py| net_error(py, "meshos", e.kind().as_str(), e.message().to_owned()))
}
