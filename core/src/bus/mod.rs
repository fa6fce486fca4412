//! The local event bus.
