//! The JSON configuration accepted by `net_mesh_new`.
//!
//! Keys: `bind_addr` (required, `"ip:port"`, port 0 for any), `psk`
//! (required, the 32-byte pre-shared key as 64 hex digits), and the
//! optional tunables `handshake_timeout_ms`, `heartbeat_interval_ms`,
//! `suspect_after_ms`, `dead_after_ms`, `max_datagram`, `refuse_unaccepted`
//! (bool: refuse a hello nobody accepts at once), and for capabilities
//! `subnet` (`{"levels": [3, 7]}`), `subnet_policy` (`{"rules": [{"tag_prefix":
//! "region:", "level": 0, "values": {"us": 3}}]}`), `capability_gc_interval_ms`,
//! `min_announce_interval_ms`, `capability_ttl_secs`. Unknown keys are
//! refused so a typo is reported instead of silently ignored.

use std::time::Duration;

use net_sdk::mesh::MeshBuilder;
use net_sdk::Identity;
use serde::Deserialize;

use crate::status::{FfiError, NetStatus};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeshConfigJson {
    bind_addr: String,
    psk: String,
    handshake_timeout_ms: Option<u64>,
    heartbeat_interval_ms: Option<u64>,
    suspect_after_ms: Option<u64>,
    dead_after_ms: Option<u64>,
    max_datagram: Option<usize>,
    refuse_unaccepted: Option<bool>,
    subnet: Option<net_sdk::subnets::SubnetId>,
    subnet_policy: Option<net_sdk::subnets::SubnetPolicy>,
    capability_gc_interval_ms: Option<u64>,
    min_announce_interval_ms: Option<u64>,
    capability_ttl_secs: Option<u64>,
}

fn invalid_config(message: String) -> FfiError {
    FfiError::new(NetStatus::NET_ERR_INIT_FAILED, "invalid_config", message)
}

/// Parse `text` into a mesh builder using `identity` (a fresh one if None).
pub(crate) fn builder_from_json(text: &str, identity: Option<Identity>) -> Result<MeshBuilder, FfiError> {
    let config: MeshConfigJson = serde_json::from_str(text).map_err(|e| {
        if e.is_data() || e.is_eof() && text.trim().is_empty() {
            invalid_config(format!("mesh config: {e}"))
        } else {
            FfiError::new(NetStatus::NET_ERR_INVALID_JSON, "invalid_json", format!("mesh config: {e}"))
        }
    })?;
    let psk = hex::decode(&config.psk).map_err(|e| invalid_config(format!("psk must be 64 hex digits: {e}")))?;
    let mut builder = MeshBuilder::new(config.bind_addr.as_str(), &psk)
        .map_err(|e| invalid_config(format!("mesh config: {e}")))?;
    if let Some(identity) = identity {
        builder = builder.identity(identity);
    }
    let ms = Duration::from_millis;
    if let Some(v) = config.handshake_timeout_ms {
        builder = builder.handshake_timeout(ms(v));
    }
    if let Some(v) = config.heartbeat_interval_ms {
        builder = builder.heartbeat_interval(ms(v));
    }
    if let Some(v) = config.suspect_after_ms {
        builder = builder.suspect_after(ms(v));
    }
    if let Some(v) = config.dead_after_ms {
        builder = builder.dead_after(ms(v));
    }
    if let Some(v) = config.max_datagram {
        builder = builder.max_datagram(v);
    }
    if let Some(on) = config.refuse_unaccepted {
        builder = builder.refuse_unaccepted(on);
    }
    if let Some(id) = config.subnet {
        builder = builder.subnet(id);
    }
    if let Some(policy) = config.subnet_policy {
        policy.check().map_err(|e| FfiError::new(NetStatus::NET_ERR_INIT_FAILED, e.kind(), format!("subnet_policy: {e}")))?;
        builder = builder.subnet_policy(std::sync::Arc::new(policy));
    }
    if let Some(v) = config.capability_gc_interval_ms {
        builder = builder.capability_gc_interval(ms(v));
    }
    if let Some(v) = config.min_announce_interval_ms {
        builder = builder.min_announce_interval(ms(v));
    }
    if let Some(v) = config.capability_ttl_secs {
        builder = builder.capability_ttl(Duration::from_secs(v));
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PSK: &str = "4242424242424242424242424242424242424242424242424242424242424242";

    fn error_kind(text: &str) -> &'static str {
        match builder_from_json(text, None) {
            Ok(_) => panic!("{text} was accepted"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn a_complete_config_is_accepted() {
        let text = format!(
            r#"{{"bind_addr":"127.0.0.1:0","psk":"{PSK}","handshake_timeout_ms":500,
                "heartbeat_interval_ms":100,"suspect_after_ms":300,"dead_after_ms":900,"max_datagram":1400}}"#
        );
        assert!(builder_from_json(&text, Some(Identity::generate())).is_ok());
        let caps = format!(
            r#"{{"bind_addr":"127.0.0.1:0","psk":"{PSK}","subnet":{{"levels":[3,7]}},
                "subnet_policy":{{"rules":[{{"tag_prefix":"region:","level":0,"values":{{"us":3}}}}]}},
                "capability_gc_interval_ms":100,"min_announce_interval_ms":0,"capability_ttl_secs":30}}"#
        );
        assert!(builder_from_json(&caps, None).is_ok());
        let bad_level = format!(r#"{{"bind_addr":"127.0.0.1:0","psk":"{PSK}","subnet":{{"levels":[1,2,3,4,5]}}}}"#);
        assert_eq!(error_kind(&bad_level), "invalid_config");
        let bad_rule = format!(r#"{{"bind_addr":"127.0.0.1:0","psk":"{PSK}","subnet_policy":{{"rules":[{{"tag_prefix":"x","level":9}}]}}}}"#);
        assert_eq!(error_kind(&bad_rule), "invalid_subnet");
    }

    #[test]
    fn bad_configs_get_distinct_kinds() {
        assert_eq!(error_kind("{"), "invalid_json");
        assert_eq!(error_kind(""), "invalid_config");
        assert_eq!(error_kind(r#"{"psk":"00"}"#), "invalid_config");
        assert_eq!(error_kind(&format!(r#"{{"bind_addr":"127.0.0.1:0","psk":"{PSK}","typo":1}}"#)), "invalid_config");
        assert_eq!(error_kind(r#"{"bind_addr":"127.0.0.1:0","psk":"zz"}"#), "invalid_config");
        assert_eq!(error_kind(r#"{"bind_addr":"127.0.0.1:0","psk":"4242"}"#), "invalid_config");
        assert_eq!(error_kind(&format!(r#"{{"bind_addr":"localhost","psk":"{PSK}"}}"#)), "invalid_config");
    }
}
