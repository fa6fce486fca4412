//! The core's integration tests, as one test binary.
//!
//! Each module was once a binary of its own. Linking a release test binary
//! (thin LTO over every dependency) costs about a minute on the CI machine,
//! so thirty of them were most of `make test`; one binary links once.
//! Modules needing a feature are compiled only with it. A test that runs a
//! second copy of itself as a child process names itself by its full path
//! in this binary (`module::test`).

mod common;

mod bus_backend_retry;
mod bus_backpressure;
mod bus_basic;
mod bus_lifecycle;
mod bus_lossless;
mod bus_no_alloc;
mod bus_subscribe;
mod capability_vectors;
mod compute;
mod cortex_models;
mod cortex_netdb;
mod cortex_snapshots;
mod cortex_watch;
mod identity;
mod redex_crash;
mod redex_disk;
mod redex_memory;
mod redex_tail;
mod token_props;
mod vectors;

#[cfg(feature = "net")]
mod capabilities;
#[cfg(feature = "net")]
mod capabilities_mesh;
#[cfg(feature = "net")]
mod mesh;
#[cfg(feature = "net")]
mod meshos;
mod meshos_lifecycle;
#[cfg(feature = "net")]
mod mesh_bus;
#[cfg(feature = "net")]
mod mesh_cork;
#[cfg(feature = "net")]
mod mesh_link;
#[cfg(feature = "net")]
mod mesh_netem;
#[cfg(feature = "net")]
mod mesh_no_alloc;
#[cfg(feature = "net")]
mod mesh_two_processes;

#[cfg(feature = "jetstream")]
mod jetstream_backend;
#[cfg(feature = "redis")]
mod redis_backend;
