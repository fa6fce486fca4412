//! The supervisor: one thread per SDK that routes queued control events to
//! daemons (their `on_control`, then their channel) and, every tick,
//! samples each daemon's health and saturation. Saturation has hysteresis:
//! `BackpressureOn { level }` when it reaches [`BACKPRESSURE_ON`],
//! `BackpressureOff` once it falls below [`BACKPRESSURE_OFF`].
//!
//! Routing runs here, not on the caller's thread, because `on_control` is
//! the daemon's code (C, JS, Python, Go callbacks included): a slow one
//! stalls this loop, never the operator that sent the event. After each
//! event the loop polls briefly before parking again (`spin`), so a burst
//! does not pay a thread wake-up per event.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Weak;
use std::time::Instant;

use super::sdk::SdkInner;
use super::spin::{spin_for, SPIN_WINDOW};
use crate::compute::DaemonControl;

/// Saturation at which backpressure turns on.
pub const BACKPRESSURE_ON: f32 = 0.8;
/// Saturation below which it turns off again.
pub const BACKPRESSURE_OFF: f32 = 0.5;

pub(crate) enum Action {
    /// Route this control event to this daemon.
    Route(u64, DaemonControl),
}

pub(crate) fn run(sdk: Weak<SdkInner>, actions: Receiver<Action>, tick: std::time::Duration) {
    let mut next_tick = Instant::now() + tick;
    loop {
        let wait = next_tick.saturating_duration_since(Instant::now());
        match actions.recv_timeout(wait) {
            Ok(action) => {
                let Some(sdk) = sdk.upgrade() else { return };
                // Routed, then the next of a burst taken without parking.
                let mut next = Some(action);
                while let Some(Action::Route(id, control)) = next {
                    sdk.deliver_control(id, control);
                    next = spin_for(SPIN_WINDOW, || actions.try_recv().ok());
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                match sdk.upgrade() {
                    Some(sdk) => tick_once(&sdk),
                    None => return,
                }
                next_tick = Instant::now() + tick;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn tick_once(sdk: &SdkInner) {
    for id in sdk.daemon_ids() {
        let Ok((health, saturation)) = sdk.runtime().with_daemon(id, |d| (d.health(), d.saturation())) else {
            continue;
        };
        let saturation = if saturation.is_finite() { saturation.clamp(0.0, 1.0) } else { 0.0 };
        if let Some(change) = sdk.record_sample(id, health, saturation) {
            sdk.deliver_control(id, change);
        }
    }
}

/// The backpressure change a new saturation sample calls for, if any.
pub(crate) fn backpressure_change(on: bool, saturation: f32) -> Option<DaemonControl> {
    if !on && saturation >= BACKPRESSURE_ON {
        Some(DaemonControl::BackpressureOn { level: saturation })
    } else if on && saturation < BACKPRESSURE_OFF {
        Some(DaemonControl::BackpressureOff)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backpressure_has_hysteresis() {
        assert_eq!(backpressure_change(false, 0.79), None);
        assert_eq!(backpressure_change(false, 0.9), Some(DaemonControl::BackpressureOn { level: 0.9 }));
        assert_eq!(backpressure_change(true, 0.6), None, "between the thresholds nothing changes");
        assert_eq!(backpressure_change(true, 0.49), Some(DaemonControl::BackpressureOff));
        assert_eq!(backpressure_change(false, 0.2), None);
    }
}
