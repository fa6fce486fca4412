//! `net_meshos.h`: the MeshOS daemon SDK through the C ABI, declared by the
//! seed header exactly (held by `tests/c/meshos_seed_test.c`, which
//! includes the seed file itself, and by `make check-headers`, which
//! compares the seed's declarations with `include/net_meshos.h`). Its own
//! status codes and thread-local last-error pair (`net_meshos_last_error_*`).
//!
//! Events reach a registered daemon's `process` through `net.h`'s
//! `net_daemon_*` functions (`crate::daemon`), which take this header's SDK
//! handle.

mod daemon_ops;
mod guard;
mod handle;
mod last_error;
mod sdk;
mod status;
mod vtable;
mod wire;

pub use daemon_ops::*;
pub use handle::{
    net_meshos_handle_daemon_id, net_meshos_handle_daemon_name, net_meshos_handle_free, net_meshos_register_daemon,
    net_meshos_register_daemon_with_vtable, NetMeshOsHandle,
};
pub use last_error::*;
pub use status::*;
pub use sdk::{
    net_meshos_sdk_dropped_control_events, net_meshos_sdk_free, net_meshos_sdk_shutdown, net_meshos_sdk_start,
    NetMeshOsSdk,
};
pub use vtable::{
    net_meshos_process_emit, NET_MESHOS_HEALTH_DEGRADED, NET_MESHOS_HEALTH_HEALTHY, NET_MESHOS_HEALTH_UNHEALTHY, net_meshos_snapshot_emit, NetMeshOsDaemonVtable, NetMeshOsProcessEmitCtx,
    NetMeshOsSnapshotEmitCtx,
};
pub use wire::*;

pub(crate) use handle::{register, text as meshos_text, vtable_daemon};
pub(crate) use sdk::{config_of, into_handle};
pub(crate) use guard::MeshOsFfiError;
pub(crate) use guard::status as meshos_status;
