//! The arguments of `MeshNode(...)` mapped onto the core's `MeshBuilder`
//! (which validates every range), and the `timeout=` seconds of the
//! waiting calls.
//!
//! A bad `bind_addr` or `psk` is a configuration error (kind
//! `invalid_config`, `ConfigError`), as in the C ABI's `net_mesh_new` and
//! the TypeScript `MeshNode.create`; a bad `identity_seed` keeps the
//! identity kind (`invalid_length`, `IdentityError`). Capability options:
//! a `subnet` that is not `{"levels": [<= 4 bytes]}` is a configuration
//! error too, a `subnet_policy` the core refuses keeps its kind
//! (`invalid_subnet`, `CapabilityError`), as in `net_mesh_new`.

use std::time::Duration;

use net_sdk::mesh::MeshBuilder;
use net_sdk::subnets::{SubnetId, SubnetPolicy};
use net_sdk::{Identity, SdkError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::capability_json::{policy_arg, subnet_arg};
use crate::errors::raise;

/// The builder options besides address, key and identity, in the units
/// Python callers pass them.
pub(crate) struct Tunables {
    handshake_timeout_ms: Option<u64>,
    heartbeat_interval_ms: Option<u64>,
    suspect_after_ms: Option<u64>,
    dead_after_ms: Option<u64>,
    max_datagram: Option<usize>,
    refuse_unaccepted: bool,
    capabilities: CapabilityOptions,
}

impl Tunables {
    /// The keyword arguments of `MeshNode(...)` and `MeshNode.create(...)`,
    /// parsed (the core's builder checks the ranges).
    #[allow(clippy::too_many_arguments)] // one keyword argument per builder knob
    pub(crate) fn parse(
        handshake_timeout_ms: Option<u64>,
        heartbeat_interval_ms: Option<u64>,
        suspect_after_ms: Option<u64>,
        dead_after_ms: Option<u64>,
        max_datagram: Option<usize>,
        refuse_unaccepted: bool,
        subnet: Option<&Bound<'_, PyAny>>,
        subnet_policy: Option<&Bound<'_, PyAny>>,
        capability_gc_interval_ms: Option<u64>,
        min_announce_interval_ms: Option<u64>,
        capability_ttl_secs: Option<u64>,
    ) -> PyResult<Self> {
        let subnet = subnet
            .map(|s| subnet_arg(s).map_err(|e| config_error(Python::with_gil(|py| e.value(py).to_string()))))
            .transpose()?;
        let subnet_policy = subnet_policy.map(policy_arg).transpose()?;
        let capabilities =
            CapabilityOptions { subnet, subnet_policy, capability_gc_interval_ms, min_announce_interval_ms, capability_ttl_secs };
        Ok(Self {
            handshake_timeout_ms,
            heartbeat_interval_ms,
            suspect_after_ms,
            dead_after_ms,
            max_datagram,
            refuse_unaccepted,
            capabilities,
        })
    }
}

/// The capability options: this node's subnet, the policy deriving its
/// peers', and the announcement timers.
struct CapabilityOptions {
    subnet: Option<SubnetId>,
    subnet_policy: Option<SubnetPolicy>,
    capability_gc_interval_ms: Option<u64>,
    min_announce_interval_ms: Option<u64>,
    capability_ttl_secs: Option<u64>,
}

impl CapabilityOptions {
    fn apply(self, mut b: MeshBuilder) -> MeshBuilder {
        if let Some(id) = self.subnet {
            b = b.subnet(id);
        }
        if let Some(policy) = self.subnet_policy {
            b = b.subnet_policy(std::sync::Arc::new(policy));
        }
        if let Some(ms) = self.capability_gc_interval_ms {
            b = b.capability_gc_interval(Duration::from_millis(ms));
        }
        if let Some(ms) = self.min_announce_interval_ms {
            b = b.min_announce_interval(Duration::from_millis(ms));
        }
        if let Some(secs) = self.capability_ttl_secs {
            b = b.capability_ttl(Duration::from_secs(secs));
        }
        b
    }
}

fn config_error(message: String) -> PyErr {
    raise(SdkError::InvalidConfig(format!("mesh config: {message}")))
}

/// The 32-byte pre-shared key from `bytes` or 64 hex digits.
fn psk_bytes(psk: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = psk.downcast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(text) = psk.downcast::<PyString>() {
        return hex::decode(&*text.to_cow()?).map_err(|e| config_error(format!("psk must be 64 hex digits or 32 bytes: {e}")));
    }
    Err(PyTypeError::new_err("psk must be bytes (32) or str (64 hex digits)"))
}

/// A builder for a node at `bind_addr` admitting peers that hold `psk`.
pub(crate) fn builder(bind_addr: &str, psk: &Bound<'_, PyAny>, identity_seed: Option<&[u8]>, t: Tunables) -> PyResult<MeshBuilder> {
    let psk = psk_bytes(psk)?;
    let mut b = MeshBuilder::new(bind_addr, &psk).map_err(|e| config_error(e.to_string()))?;
    if let Some(seed) = identity_seed {
        b = b.identity(Identity::from_seed_slice(seed).map_err(raise)?);
    }
    if let Some(ms) = t.handshake_timeout_ms {
        b = b.handshake_timeout(millis(ms, "handshake_timeout_ms")?);
    }
    if let Some(ms) = t.heartbeat_interval_ms {
        b = b.heartbeat_interval(millis(ms, "heartbeat_interval_ms")?);
    }
    if let Some(ms) = t.suspect_after_ms {
        b = b.suspect_after(millis(ms, "suspect_after_ms")?);
    }
    if let Some(ms) = t.dead_after_ms {
        b = b.dead_after(millis(ms, "dead_after_ms")?);
    }
    if let Some(n) = t.max_datagram {
        b = b.max_datagram(n);
    }
    Ok(t.capabilities.apply(b.refuse_unaccepted(t.refuse_unaccepted)))
}

/// A duration of `ms` milliseconds, which must be positive.
fn millis(ms: u64, what: &str) -> PyResult<Duration> {
    if ms == 0 {
        return Err(config_error(format!("{what} must be > 0")));
    }
    Ok(Duration::from_millis(ms))
}

/// A `timeout=` argument: seconds as a float, finite and > 0 (None: the
/// call's default). Python's convention for a parameter named `timeout`.
pub(crate) fn timeout(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    let Some(s) = seconds else { return Ok(None) };
    match Duration::try_from_secs_f64(s) {
        Ok(d) if s > 0.0 => Ok(Some(d)),
        _ => Err(raise(SdkError::InvalidArgument(format!("timeout must be a number of seconds > 0, got {s}")))),
    }
}
