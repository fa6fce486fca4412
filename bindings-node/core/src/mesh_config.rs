//! `MeshOptions`: the options of `MeshNode.create(...)`, mapped onto the
//! core's `MeshBuilder` (which validates every range).
//!
//! A bad `bindAddr` or `psk` is a configuration error (kind
//! `invalid_config`), as in the C ABI's `net_mesh_new`; a bad
//! `identitySeed` keeps the identity kind (`invalid_length`).

use std::time::Duration;

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use net_sdk::mesh::MeshBuilder;
use net_sdk::Identity;

use crate::error::{error, fail, invalid, Result};

/// Options of a mesh node.
#[napi(object)]
pub struct MeshOptions {
    /// The UDP address to bind, `"ip:port"` (port 0 picks a free one).
    pub bind_addr: String,
    /// The mesh's 32-byte pre-shared key: 64 hex digits or 32 bytes.
    #[napi(ts_type = "string | Uint8Array")]
    pub psk: Either<String, Buffer>,
    /// A 32-byte identity seed; the node's ids and static key derive from
    /// it (default: a fresh identity).
    pub identity_seed: Option<Buffer>,
    /// How long `connect` and `accept` wait by default (default 5000).
    pub handshake_timeout_ms: Option<f64>,
    /// Idle time before a heartbeat is sent (default 500).
    pub heartbeat_interval_ms: Option<f64>,
    /// Silence after which a peer is 'suspect' (default 2000).
    pub suspect_after_ms: Option<f64>,
    /// Silence after which a peer is 'dead' and its session closed (default 6000).
    pub dead_after_ms: Option<f64>,
    /// Largest datagram sent, 512..=65000 bytes (default 1400).
    pub max_datagram: Option<u32>,
    /// Refuse a hello nobody accepts at once (`handshake_refused` at the
    /// dialer) instead of staying silent until its timeout (default false).
    pub refuse_unaccepted: Option<bool>,
}

impl MeshOptions {
    /// The builder these options describe.
    pub fn builder(&self) -> Result<MeshBuilder> {
        let psk = match &self.psk {
            Either::A(text) => psk_hex(text)?,
            Either::B(bytes) => bytes.to_vec(),
        };
        let config = |e: net_sdk::SdkError| error("invalid_config", format!("mesh config: {e}"));
        let mut b = MeshBuilder::new(self.bind_addr.as_str(), &psk).map_err(config)?;
        if let Some(seed) = &self.identity_seed {
            b = b.identity(Identity::from_seed_slice(seed).map_err(fail)?);
        }
        if let Some(ms) = self.handshake_timeout_ms {
            b = b.handshake_timeout(millis(ms, "handshakeTimeoutMs")?);
        }
        if let Some(ms) = self.heartbeat_interval_ms {
            b = b.heartbeat_interval(millis(ms, "heartbeatIntervalMs")?);
        }
        if let Some(ms) = self.suspect_after_ms {
            b = b.suspect_after(millis(ms, "suspectAfterMs")?);
        }
        if let Some(ms) = self.dead_after_ms {
            b = b.dead_after(millis(ms, "deadAfterMs")?);
        }
        if let Some(n) = self.max_datagram {
            b = b.max_datagram(n as usize);
        }
        Ok(b.refuse_unaccepted(self.refuse_unaccepted.unwrap_or(false)))
    }
}

/// The key from its 64 hex digits.
fn psk_hex(text: &str) -> Result<Vec<u8>> {
    hex::decode(text).map_err(|e| error("invalid_config", format!("mesh config: psk must be 64 hex digits or 32 bytes: {e}")))
}

/// A duration from a whole, positive number of milliseconds.
pub fn millis(ms: f64, what: &str) -> Result<Duration> {
    if ms.is_finite() && ms > 0.0 && ms.fract() == 0.0 && ms <= u32::MAX as f64 {
        Ok(Duration::from_millis(ms as u64))
    } else {
        Err(invalid(format!("{what} must be a whole number of milliseconds > 0, got {ms}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_text_must_be_hex_and_durations_whole_positive_milliseconds() {
        assert_eq!(psk_hex(&"42".repeat(32)).unwrap(), vec![0x42; 32]);
        assert_eq!(psk_hex("zz").unwrap_err().status.0, "invalid_config");
        assert_eq!(psk_hex("abc").unwrap_err().status.0, "invalid_config");
        assert_eq!(millis(250.0, "t").unwrap(), Duration::from_millis(250));
        for bad in [0.0, -5.0, 1.5, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(millis(bad, "t").unwrap_err().status.0, "invalid_argument", "{bad}");
        }
    }
}
