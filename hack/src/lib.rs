//! No code: see Cargo.toml. The core depends on this crate so that every
//! cargo command on the workspace resolves the same features.
#![no_std]
