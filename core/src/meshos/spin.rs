//! A short spin before parking a thread. On a virtual machine a parked
//! thread's wake-up costs tens of microseconds (the idle vCPU has to be
//! woken and scheduled), longer than a control event's whole trip through
//! the supervisor. Both ends of that trip poll briefly before they park:
//! an event that follows within the window (the reply to one just sent,
//! the next of a burst) is taken without any wake-up. The window is a
//! few tens of microseconds, so an idle SDK still sleeps.

use std::time::{Duration, Instant};

/// How long a consumer polls before it parks.
pub(crate) const SPIN_WINDOW: Duration = Duration::from_micros(50);

/// Poll `poll` until it yields something or `window` has passed.
pub(crate) fn spin_for<T>(window: Duration, mut poll: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        // Reading the clock costs more than a poll: check it every few.
        for _ in 0..16 {
            if let Some(item) = poll() {
                return Some(item);
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= window {
            return None;
        }
        // The thread that will answer may have been woken onto this CPU:
        // give it the CPU instead of spinning it out of its turn.
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_what_the_poll_yields() {
        let mut n = 0;
        assert_eq!(
            spin_for(Duration::from_secs(10), || {
                n += 1;
                (n == 40).then_some(n)
            }),
            Some(40)
        );
    }

    #[test]
    fn gives_up_after_the_window() {
        let start = Instant::now();
        assert_eq!(spin_for(Duration::from_millis(2), || None::<()>), None);
        assert!(start.elapsed() >= Duration::from_millis(2));
    }
}
