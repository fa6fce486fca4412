//! Automatic corking: which of a session's packed datagrams leave now.
//!
//! Every send packs its frames into the session's outbox (see
//! [`Session::outbox`](super::session::Session)). What happens next
//! depends on whether an acknowledgement is already on its way back:
//!
//! - **Idle path** — a fire-and-forget stream, or a reliable stream with
//!   fewer than two packets unacknowledged: everything in the outbox
//!   leaves at once. A lone message (request/response, a sporadic
//!   publisher) never waits.
//! - **Busy path** — a reliable stream with two or more packets out: the
//!   last, still open datagram stays in the outbox for the next sends to
//!   fill, and closed datagrams gather until [`CORK_DATAGRAMS`] of them
//!   leave together (one GSO write). The receive task flushes the whole
//!   outbox as soon as any ack from the peer arrives, and the timer task
//!   flushes it every tick as a safety net.
//!
//! Why two: the receiver acknowledges at once when two or more packets
//! are unacknowledged, and may delay the ack of a lone in-order packet
//! (for a reply to carry). With two out, either both reach it unacked and
//! its ack is immediate, or it acknowledged the first already and that ack
//! is in flight: either way an ack is coming, and its arrival releases what
//! was held. So a held frame waits at most about one round trip, never a
//! timer — the same bargain as TCP's Nagle algorithm, without Nagle's
//! stall against delayed acks.
//!
//! The effect: a producer sending one message per call fills datagrams
//! while earlier ones are in flight, so its messages share encryption
//! passes, system calls and receive wake-ups instead of paying one each.

use super::config::Reliability;

/// Closed datagrams a busy outbox gathers before they leave without
/// waiting for an ack: about 22 KB at the default datagram size, one
/// `sendmmsg` carrying one GSO message.
pub(crate) const CORK_DATAGRAMS: usize = 16;

/// Packets a reliable stream must have unacknowledged before its sends
/// may be held (see the module docs for why two).
pub(crate) const HOLD_AFTER_IN_FLIGHT: u64 = 2;

/// What a send flushes after packing its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Release {
    /// Everything in the outbox.
    All,
    /// The closed datagrams; the last stays open for later frames.
    Closed,
    /// Nothing yet: an ack on its way will release it.
    Hold,
}

/// The decision for a send on a stream with `reliability` that had
/// `in_flight_before` packets unacknowledged when it packed its frames,
/// leaving `closed` closed datagrams in the outbox.
pub(crate) fn release(reliability: Reliability, in_flight_before: u64, closed: usize) -> Release {
    if reliability == Reliability::FireAndForget || in_flight_before < HOLD_AFTER_IN_FLIGHT {
        Release::All
    } else if closed >= CORK_DATAGRAMS {
        Release::Closed
    } else {
        Release::Hold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_path_sends_at_once_a_busy_one_gathers() {
        use Reliability::*;
        assert_eq!(release(FireAndForget, 1000, 0), Release::All, "nothing will ack a fire-and-forget stream");
        assert_eq!(release(Reliable, 0, 0), Release::All);
        assert_eq!(release(Reliable, 1, 0), Release::All, "a lone packet's ack may be delayed");
        assert_eq!(release(Reliable, 2, 0), Release::Hold);
        assert_eq!(release(Reliable, 2, CORK_DATAGRAMS - 1), Release::Hold);
        assert_eq!(release(Reliable, 500, CORK_DATAGRAMS), Release::Closed);
    }
}
