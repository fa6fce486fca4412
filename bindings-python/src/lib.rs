//! `net_sdk._native`: the PyO3 extension module behind the `net_sdk`
//! Python package.
//!
//! It binds the Rust core directly (not the C ABI) and only translates:
//! Python values in, core calls, Python values and typed exceptions out.
//! One file per concept: `errors` (core errors -> `net_sdk.errors`),
//! `blocking` (the one helper that releases the GIL around waits),
//! `payload` (borrowing `str | bytes` without copying), `node`
//! (`NetNode`), `receipt` (Receipt, reused when dropped), `records`
//! (Event, PollResponse, Stats),
//! `subscription` (iterator and async iterator), `exit_guard` (no native
//! thread enters Python once the interpreter exits), `identity`, `token`,
//! `channel`.

use pyo3::prelude::*;

mod blocking;
mod channel;
mod errors;
mod exit_guard;
mod identity;
mod node;
mod payload;
mod receipt;
mod records;
mod subscription;
mod token;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<node::NetNode>()?;
    m.add_class::<receipt::Receipt>()?;
    m.add_class::<records::Event>()?;
    m.add_class::<records::PollResponse>()?;
    m.add_class::<records::Stats>()?;
    m.add_class::<subscription::Subscription>()?;
    m.add_class::<identity::Identity>()?;
    m.add_class::<token::Token>()?;
    m.add_function(wrap_pyfunction!(channel::channel_hash, m)?)?;
    m.add_function(wrap_pyfunction!(channel::channel_wire_hash, m)?)?;
    m.add("TOKEN_WIRE_SIZE", net_sdk::PermissionToken::WIRE_SIZE)?;
    exit_guard::register(m)?;
    Ok(())
}
