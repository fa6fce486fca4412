//! Frames: what travels inside an encrypted `Data` packet.
//!
//! A packet's plaintext is a sequence of frames, so many small messages
//! and acks share one datagram (one syscall, one AEAD tag). Every frame
//! starts with a type byte; lengths are checked before each read.
//!
//! ```text
//! STREAM    1 | flags u8 | stream u64 | seq u64 | len u16 | len bytes
//! ACK       2 | stream u64 | next expected seq u64 | selective bits u64
//! HEARTBEAT 3
//! CLOSE     4
//! PING      5            (asks for a HEARTBEAT back)
//! ```
//! `flags`: bit 0 = reliable stream, bit 1 = more fragments of this message
//! follow, bit 2 = this frame continues a message (is not its first). In an ACK, bit `i` of the selective bits says that sequence
//! `next + 1 + i` has arrived too.

/// Bytes a STREAM frame adds to its payload.
pub const STREAM_OVERHEAD: usize = 20;
/// Bytes of an ACK frame.
pub const ACK_LEN: usize = 25;

const T_STREAM: u8 = 1;
const T_ACK: u8 = 2;
const T_HEARTBEAT: u8 = 3;
const T_CLOSE: u8 = 4;
const T_PING: u8 = 5;

/// Flag: the frame belongs to a reliable stream.
pub const FLAG_RELIABLE: u8 = 1;
/// Flag: further fragments of the same message follow this one.
pub const FLAG_MORE: u8 = 2;
/// Flag: this frame continues a message begun by an earlier fragment.
pub const FLAG_CONT: u8 = 4;

/// One decoded frame, borrowing the packet's plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A message (or a fragment of one) on a stream.
    Stream { flags: u8, stream: u64, seq: u64, data: &'a [u8] },
    /// Cumulative + selective acknowledgement of a reliable stream.
    Ack { stream: u64, next: u64, selective: u64 },
    /// Keep-alive; also confirms a fresh session to its responder.
    Heartbeat,
    /// The sender is shutting down.
    Close,
    /// Asks for a heartbeat back (key confirmation of a fresh session).
    Ping,
}

/// A plaintext that is not a valid frame sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError;

impl Frame<'_> {
    /// Append this frame's bytes to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Frame::Stream { flags, stream, seq, data } => {
                encode_stream(out, flags, stream, seq, data);
            }
            Frame::Ack { stream, next, selective } => {
                out.push(T_ACK);
                out.extend_from_slice(&stream.to_le_bytes());
                out.extend_from_slice(&next.to_le_bytes());
                out.extend_from_slice(&selective.to_le_bytes());
            }
            Frame::Heartbeat => out.push(T_HEARTBEAT),
            Frame::Close => out.push(T_CLOSE),
            Frame::Ping => out.push(T_PING),
        }
    }

    /// Bytes [`encode`](Self::encode) appends.
    pub fn encoded_len(&self) -> usize {
        match self {
            Frame::Stream { data, .. } => STREAM_OVERHEAD + data.len(),
            Frame::Ack { .. } => ACK_LEN,
            Frame::Heartbeat | Frame::Close | Frame::Ping => 1,
        }
    }
}

/// Append a STREAM frame (the hot path: no intermediate `Frame`).
#[inline]
pub fn encode_stream(out: &mut Vec<u8>, flags: u8, stream: u64, seq: u64, data: &[u8]) {
    debug_assert!(data.len() <= u16::MAX as usize);
    out.push(T_STREAM);
    out.push(flags);
    out.extend_from_slice(&stream.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// Iterates the frames of a plaintext; yields `Err` once and stops at the
/// first malformed frame (the frames before it were authentic and stand).
pub struct Frames<'a> {
    rest: &'a [u8],
    failed: bool,
}

/// The frames of `plaintext`.
pub fn frames(plaintext: &[u8]) -> Frames<'_> {
    Frames { rest: plaintext, failed: false }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let b = self.rest;
        let (frame, used) = match b[0] {
            T_STREAM if b.len() >= STREAM_OVERHEAD => {
                let len = u16::from_le_bytes([b[18], b[19]]) as usize;
                if b.len() < STREAM_OVERHEAD + len {
                    self.failed = true;
                    return Some(Err(FrameError));
                }
                let data = &b[STREAM_OVERHEAD..STREAM_OVERHEAD + len];
                (Frame::Stream { flags: b[1], stream: u64_at(b, 2), seq: u64_at(b, 10), data }, STREAM_OVERHEAD + len)
            }
            T_ACK if b.len() >= ACK_LEN => {
                (Frame::Ack { stream: u64_at(b, 1), next: u64_at(b, 9), selective: u64_at(b, 17) }, ACK_LEN)
            }
            T_HEARTBEAT => (Frame::Heartbeat, 1),
            T_CLOSE => (Frame::Close, 1),
            T_PING => (Frame::Ping, 1),
            _ => {
                self.failed = true;
                return Some(Err(FrameError));
            }
        };
        self.rest = &b[used..];
        Some(Ok(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame() -> impl Strategy<Value = (u8, u8, u64, u64, Vec<u8>)> {
        (0u8..5, any::<u8>(), any::<u64>(), any::<u64>(), proptest::collection::vec(any::<u8>(), 0..200))
    }

    fn build<'a>(t: u8, flags: u8, a: u64, b: u64, data: &'a [u8]) -> Frame<'a> {
        match t {
            0 => Frame::Stream { flags, stream: a, seq: b, data },
            1 => Frame::Ack { stream: a, next: b, selective: a ^ b },
            2 => Frame::Heartbeat,
            3 => Frame::Ping,
            _ => Frame::Close,
        }
    }

    proptest! {
        #[test]
        fn frame_sequences_round_trip(specs in proptest::collection::vec(frame(), 0..8)) {
            let built: Vec<Frame> = specs.iter().map(|(t, f, a, b, d)| build(*t, *f, *a, *b, d)).collect();
            let mut wire = Vec::new();
            for f in &built {
                let before = wire.len();
                f.encode(&mut wire);
                prop_assert_eq!(wire.len() - before, f.encoded_len());
            }
            let back: Vec<Frame> = frames(&wire).map(|f| f.unwrap()).collect();
            prop_assert_eq!(back, built);
        }

        #[test]
        fn arbitrary_plaintext_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut errors = 0;
            for f in frames(&bytes) {
                if f.is_err() { errors += 1; }
            }
            prop_assert!(errors <= 1);
        }
    }

    #[test]
    fn truncated_stream_frame_is_an_error() {
        let mut wire = Vec::new();
        Frame::Heartbeat.encode(&mut wire);
        encode_stream(&mut wire, FLAG_RELIABLE, 1, 2, b"hello");
        wire.pop();
        let got: Vec<_> = frames(&wire).collect();
        assert_eq!(got, vec![Ok(Frame::Heartbeat), Err(FrameError)]);
        assert_eq!(frames(&[9]).next(), Some(Err(FrameError)));
    }
}
