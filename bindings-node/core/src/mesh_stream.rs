//! `MeshStream`: the JS handle of one stream with one peer, and the
//! options `openStream` takes.

use napi::bindgen_prelude::BigInt;
use napi_derive::napi;
use net_sdk::mesh::{Reliability, StreamConfig};

use crate::error::{invalid, Result};

/// How `openStream` configures a stream; every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct StreamOptions {
    /// `'reliable'` (default: exactly once, in order, windowed) or
    /// `'fire_and_forget'` (sent once, may be lost).
    #[napi(ts_type = "'reliable' | 'fire_and_forget'")]
    pub reliability: Option<String>,
    /// Unacknowledged packets a reliable stream may have in flight before
    /// a send fails with `backpressure` (default 256; the seed's name, the
    /// unit is packets).
    pub window_bytes: Option<u32>,
    /// Received messages queued for the application before this side
    /// stops acknowledging (default 8192).
    pub receive_capacity: Option<u32>,
}

impl StreamOptions {
    /// The core configuration these options describe.
    pub fn config(&self) -> Result<StreamConfig> {
        let mut c = StreamConfig::new();
        if let Some(r) = &self.reliability {
            c = c.with_reliability(match r.as_str() {
                "reliable" => Reliability::Reliable,
                "fire_and_forget" => Reliability::FireAndForget,
                other => return Err(invalid(format!("unknown reliability {other:?} (expected 'reliable' or 'fire_and_forget')"))),
            });
        }
        if let Some(w) = self.window_bytes {
            c = c.with_window_bytes(w);
        }
        if let Some(n) = self.receive_capacity {
            c = c.with_receive_capacity(n as usize);
        }
        Ok(c)
    }
}

/// A stream with one peer; from `MeshNode.openStream`. It belongs to the
/// session it was opened on: after the peer dies, reconnects or the
/// stream is closed, sends fail with `not_connected`.
#[napi]
pub struct MeshStream {
    inner: net_sdk::mesh::MeshStream,
}

impl MeshStream {
    pub fn new(inner: net_sdk::mesh::MeshStream) -> Self {
        MeshStream { inner }
    }

    /// The core handle (cheap to clone: two `Arc`s).
    pub fn inner(&self) -> &net_sdk::mesh::MeshStream {
        &self.inner
    }
}

#[napi]
impl MeshStream {
    /// The peer's node id.
    #[napi(getter)]
    pub fn peer_node_id(&self) -> BigInt {
        BigInt::from(self.inner.peer())
    }

    /// The stream id.
    #[napi(getter)]
    pub fn stream_id(&self) -> BigInt {
        BigInt::from(self.inner.id())
    }

    /// Whether sends on this handle can still succeed.
    #[napi(getter)]
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_onto_the_stream_config_and_bad_ones_are_refused() {
        let c = StreamOptions { reliability: Some("fire_and_forget".into()), window_bytes: Some(4), receive_capacity: Some(9) };
        let c = c.config().unwrap();
        assert_eq!((c.reliability, c.window, c.receive_capacity), (Reliability::FireAndForget, 4, 9));
        assert_eq!(StreamOptions::default().config().unwrap(), StreamConfig::new());
        let bad = |o: StreamOptions| o.config().unwrap_err().status.0;
        assert_eq!(bad(StreamOptions { reliability: Some("unreliable".into()), ..Default::default() }), "invalid_argument");
    }
}
