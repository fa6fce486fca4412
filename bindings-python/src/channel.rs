//! Channel names: validation and hashes.

use net_sdk::ChannelName;
use pyo3::prelude::*;

use crate::errors::raise;

/// The canonical 32-bit hash of a channel name; `ChannelError` for a bad name.
#[pyfunction]
pub(crate) fn channel_hash(name: &str) -> PyResult<u32> {
    Ok(ChannelName::new(name).map_err(raise)?.hash())
}

/// The 16-bit hash carried on the wire; `ChannelError` for a bad name.
#[pyfunction]
pub(crate) fn channel_wire_hash(name: &str) -> PyResult<u16> {
    Ok(ChannelName::new(name).map_err(raise)?.wire_hash())
}
