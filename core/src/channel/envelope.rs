//! Channel envelopes: how a message published to a named channel travels
//! on the local bus.
//!
//! A channel message is an ordinary bus event whose JSON is
//! `{"channel":"<name>","payload":<payload>}`. Keeping it plain JSON means
//! `poll` and untyped subscribers still see readable events, while a
//! channel subscriber keeps only the events of its channel and gets the
//! payload back byte for byte. Every face builds and opens envelopes here,
//! so a message published from Python is read by a Node or Go subscriber.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::ChannelName;
use crate::error::{Result, SdkError};

#[derive(Deserialize)]
struct Envelope<'a> {
    // `Cow` because another producer may escape characters (`\/`).
    #[serde(borrow)]
    channel: Cow<'a, str>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// Wrap the JSON text `payload` for `channel`. Fails with `Serialization`
/// when `payload` is not one JSON value (the envelope would not parse).
pub fn wrap(channel: &ChannelName, payload: &[u8]) -> Result<Vec<u8>> {
    serde_json::from_slice::<&RawValue>(payload)
        .map_err(|e| SdkError::Serialization(format!("channel {channel}: payload is not JSON: {e}")))?;
    const HEAD: &[u8] = b"{\"channel\":\"";
    const MID: &[u8] = b"\",\"payload\":";
    let name = channel.as_str().as_bytes();
    let mut out = Vec::with_capacity(HEAD.len() + name.len() + MID.len() + payload.len() + 1);
    // Channel names are ASCII letters, digits and `-_.:/`: nothing to escape.
    out.extend_from_slice(HEAD);
    out.extend_from_slice(name);
    out.extend_from_slice(MID);
    out.extend_from_slice(payload);
    out.push(b'}');
    Ok(out)
}

/// The payload of `raw` when it is an envelope for `channel`; `None` for
/// any other event (another channel, or not an envelope at all).
pub fn open<'a>(raw: &'a [u8], channel: &ChannelName) -> Option<&'a [u8]> {
    // Cheap rejection of the common non-envelope event before parsing.
    if raw.first() != Some(&b'{') {
        return None;
    }
    let envelope: Envelope<'a> = serde_json::from_slice(raw).ok()?;
    (envelope.channel == channel.as_str()).then(|| envelope.payload.get().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> ChannelName {
        ChannelName::new(s).unwrap()
    }

    #[test]
    fn wrap_then_open_returns_the_payload_bytes() {
        let temp = name("sensors/temp");
        for payload in [&br#"{"celsius": 22.5}"#[..], b"[1,2]", b"\"text\"", b"null", b" 7 "] {
            let raw = wrap(&temp, payload).unwrap();
            serde_json::from_slice::<serde_json::Value>(&raw).unwrap();
            assert_eq!(open(&raw, &temp), Some(std::str::from_utf8(payload).unwrap().trim().as_bytes()));
        }
        let raw = wrap(&temp, b"{}").unwrap();
        assert_eq!(raw, br#"{"channel":"sensors/temp","payload":{}}"#);
    }

    #[test]
    fn other_channels_and_plain_events_are_skipped() {
        let raw = wrap(&name("a"), b"1").unwrap();
        assert_eq!(open(&raw, &name("b")), None);
        for other in [&b""[..], b"1", b"{\"channel\":\"a\"}", b"{\"payload\":1}", b"{not json", b"\xff"] {
            assert_eq!(open(other, &name("a")), None, "{other:?}");
        }
        // Escaped names written by another JSON encoder still match.
        assert_eq!(open(br#"{"payload":5,"channel":"a\/b"}"#, &name("a/b")), Some(&b"5"[..]));
    }

    #[test]
    fn payload_must_be_json() {
        for bad in [&b""[..], b"{", b"1 2", b"\xff"] {
            assert_eq!(wrap(&name("a"), bad).unwrap_err().kind(), "serialization", "{bad:?}");
        }
    }
}
