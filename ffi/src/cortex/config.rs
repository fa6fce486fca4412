//! The JSON configurations `net_cortex.h` accepts: a RedEX file's
//! (`net_redex_open_file`) and a NetDb's (`net_netdb_open`). Unknown keys
//! are refused so a typo is an error, not a silently ignored setting.

use std::time::Duration;

use net_sdk::cortex::{FsyncPolicy, RedexFileConfig};
use serde::Deserialize;

use super::status::{CortexFfiError, NetCortexStatus};

/// `{"persistent": true, "fsync_every_n": 1 | "fsync_interval_ms": 100 |
/// "fsync": "never", "retention_max_events": n, "retention_max_bytes": n,
/// "retention_max_age_ms": n, "segment_max_bytes": n, "recover": false}`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfigJson {
    persistent: Option<bool>,
    fsync: Option<String>,
    fsync_every_n: Option<u64>,
    fsync_interval_ms: Option<u64>,
    retention_max_events: Option<u64>,
    retention_max_bytes: Option<u64>,
    retention_max_age_ms: Option<u64>,
    segment_max_bytes: Option<u64>,
    recover: Option<bool>,
}

fn config_error(message: String) -> CortexFfiError {
    CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_CONFIG, "redex:config", message)
}

impl FileConfigJson {
    pub(crate) fn into_config(self) -> Result<RedexFileConfig, CortexFfiError> {
        let mut c = RedexFileConfig::default();
        c.persistent = self.persistent.unwrap_or(false);
        c.fsync = match (self.fsync.as_deref(), self.fsync_every_n, self.fsync_interval_ms) {
            (None, None, None) => c.fsync,
            (Some("never"), None, None) => FsyncPolicy::Never,
            (None, Some(n), None) => FsyncPolicy::EveryN(n),
            (None, None, Some(ms)) => FsyncPolicy::Interval(Duration::from_millis(ms)),
            (Some(other), None, None) => {
                return Err(config_error(format!("fsync {other:?}: the only named policy is \"never\"")))
            }
            _ => return Err(config_error("give at most one of fsync, fsync_every_n, fsync_interval_ms".into())),
        };
        c.retention_max_events = self.retention_max_events;
        c.retention_max_bytes = self.retention_max_bytes;
        c.retention_max_age = self.retention_max_age_ms.map(Duration::from_millis);
        if let Some(b) = self.segment_max_bytes {
            c.segment_max_bytes = b;
        }
        c.recover = self.recover.unwrap_or(false);
        Ok(c)
    }
}

/// Parse an optional file configuration (NULL or "" for the defaults).
pub(crate) fn file_config(text: Option<&str>) -> Result<RedexFileConfig, CortexFfiError> {
    match text.filter(|t| !t.trim().is_empty()) {
        None => FileConfigJson::default().into_config(),
        Some(t) => serde_json::from_str::<FileConfigJson>(t)
            .map_err(|e| CortexFfiError::invalid_json("config_json", e))?
            .into_config(),
    }
}

/// `{"origin": n, "persistent": bool, "with_tasks": bool,
/// "with_memories": bool, "file": {file configuration}}`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NetDbConfigJson {
    #[serde(default)]
    pub origin: u64,
    #[serde(default)]
    pub persistent: bool,
    #[serde(default)]
    pub with_tasks: bool,
    #[serde(default)]
    pub with_memories: bool,
    #[serde(default)]
    pub file: Option<FileConfigJson>,
}

pub(crate) fn netdb_config(text: Option<&str>) -> Result<NetDbConfigJson, CortexFfiError> {
    match text.filter(|t| !t.trim().is_empty()) {
        None => Ok(NetDbConfigJson::default()),
        Some(t) => serde_json::from_str(t).map_err(|e| CortexFfiError::invalid_json("config_json", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_configs_parse_and_conflicts_are_refused() {
        let c = file_config(Some(r#"{"persistent":true,"fsync_every_n":1,"retention_max_age_ms":5,"recover":true}"#)).unwrap();
        assert!(c.persistent && c.recover);
        assert_eq!(c.fsync, FsyncPolicy::EveryN(1));
        assert_eq!(c.retention_max_age, Some(Duration::from_millis(5)));
        assert_eq!(file_config(Some(r#"{"fsync":"never"}"#)).unwrap().fsync, FsyncPolicy::Never);
        assert_eq!(file_config(None).unwrap(), RedexFileConfig::default());
        assert_eq!(file_config(Some(r#"{"fsync":"never","fsync_every_n":2}"#)).unwrap_err().kind, "redex:config");
        assert_eq!(file_config(Some(r#"{"fsync":"always"}"#)).unwrap_err().kind, "redex:config");
        assert_eq!(file_config(Some(r#"{"persistant":true}"#)).unwrap_err().kind, "invalid_json");
    }
}
