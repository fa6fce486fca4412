//! The local event bus.
#![allow(dead_code)]
mod ring;
