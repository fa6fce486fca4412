//! `net_daemon_register`: `net_meshos_register_daemon_with_vtable` with
//! options the seed's function has no room for — the capability tags the
//! daemon requires and prefers, and its host configuration. It reports
//! like the seed's registration (net_meshos.h's codes and last-error
//! pair), since it is one.

use std::ffi::{c_char, c_int, c_void};

use net_sdk::capabilities::CapabilitySet;
use net_sdk::compute::DaemonHostConfig;
use serde::Deserialize;

use crate::meshos::{
    meshos_status, meshos_text, register, vtable_daemon, MeshOsFfiError, NetMeshOsDaemonVtable, NetMeshOsHandle,
    NetMeshOsSdk,
};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default)]
    required_capabilities: Vec<String>,
    #[serde(default)]
    optional_capabilities: Vec<String>,
    callback_timeout_ms: Option<u64>,
    auto_snapshot_interval: Option<u64>,
    max_log_entries: Option<usize>,
}

fn tags(list: Vec<String>) -> CapabilitySet {
    list.into_iter().fold(CapabilitySet::new(), |set, t| set.add_tag(t))
}

/// Register a vtable daemon (as `net_meshos_register_daemon_with_vtable`;
/// `vtable_ptr` is a `const NetMeshOsDaemonVtable*`) with `options_json`
/// (NULL / 0 for none): `{"required_capabilities": [tags],
/// "optional_capabilities": [tags], "callback_timeout_ms": N,
/// "auto_snapshot_interval": N, "max_log_entries": N}`, every key
/// optional. A required tag the node does not announce refuses the
/// registration (`NET_MESHOS_ERR_CALL_FAILED`, kind `register_failed`, the
/// message names the tag). `callback_timeout_ms` bounds how long a
/// delivery waits for the daemon while another call is inside it (a
/// stalled callback): it then fails with kind `callback-timeout`. Returns
/// net_meshos.h's codes; bad JSON is `NET_MESHOS_ERR_INVALID_ARG`, kind
/// `invalid_json`.
#[no_mangle]
pub extern "C" fn net_daemon_register(
    sdk: *mut NetMeshOsSdk,
    name_ptr: *const c_char,
    name_len: usize,
    seed_ptr: *const u8,
    vtable_ptr: *const c_void,
    user_ctx: *mut c_void,
    options_json: *const c_char,
    options_len: usize,
    out: *mut *mut NetMeshOsHandle,
) -> c_int {
    meshos_status(|| {
        NetMeshOsSdk::live(sdk)?;
        let name = meshos_text(name_ptr, name_len, "name")?;
        let options: Options = if options_json.is_null() || options_len == 0 {
            Options::default()
        } else {
            let json = meshos_text(options_json, options_len, "options_json")?;
            serde_json::from_str(json)
                .map_err(|e| MeshOsFfiError::invalid("invalid_json", format!("options_json: {e}")))?
        };
        let daemon = vtable_daemon(name, vtable_ptr.cast::<NetMeshOsDaemonVtable>(), user_ctx)?
            .with_capabilities(tags(options.required_capabilities), tags(options.optional_capabilities));
        let defaults = DaemonHostConfig::default();
        let config = DaemonHostConfig {
            callback_timeout_ms: options.callback_timeout_ms.unwrap_or(defaults.callback_timeout_ms),
            auto_snapshot_interval: options.auto_snapshot_interval.unwrap_or(defaults.auto_snapshot_interval),
            max_log_entries: options.max_log_entries.unwrap_or(defaults.max_log_entries),
        };
        register(sdk, name, seed_ptr, Box::new(daemon), config, out)
    })
}
