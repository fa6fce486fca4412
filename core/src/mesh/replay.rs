//! A sliding replay window over packet counters.
//!
//! Counters of one key epoch are unique; the window remembers which of the
//! newest [`WINDOW`] counters have been seen. A counter below the window is
//! too old to judge and is refused, as is one seen before. Only counters
//! of packets that *authenticated* are recorded (the caller checks first,
//! commits after), so forged packets cannot poison the window.

/// How many counters behind the highest one seen are still accepted.
pub const WINDOW: u64 = 2048;
const WORDS: usize = (WINDOW / 64) as usize;

/// Seen-counter bitmap; bit `c % WINDOW` stands for counter `c`.
#[derive(Clone)]
pub struct ReplayWindow {
    /// One past the highest counter committed (0: none yet).
    top: u64,
    bits: [u64; WORDS],
}

impl Default for ReplayWindow {
    fn default() -> Self {
        Self { top: 0, bits: [0; WORDS] }
    }
}

impl ReplayWindow {
    fn bit(counter: u64) -> (usize, u64) {
        let i = counter % WINDOW;
        ((i / 64) as usize, 1u64 << (i % 64))
    }

    /// Whether `counter` is new and recent enough to accept.
    pub fn check(&self, counter: u64) -> bool {
        if counter >= self.top {
            return true;
        }
        if self.top - counter > WINDOW {
            return false;
        }
        let (w, m) = Self::bit(counter);
        self.bits[w] & m == 0
    }

    /// Record `counter` as seen (after it authenticated). Returns false if
    /// it was not acceptable after all.
    pub fn commit(&mut self, counter: u64) -> bool {
        if !self.check(counter) {
            return false;
        }
        if counter >= self.top {
            // Clear the slots the window slides over (at most all of them).
            let advance = counter + 1 - self.top;
            if advance >= WINDOW {
                self.bits = [0; WORDS];
            } else {
                for c in self.top..=counter {
                    let (w, m) = Self::bit(c);
                    self.bits[w] &= !m;
                }
            }
            self.top = counter + 1;
        }
        let (w, m) = Self::bit(counter);
        self.bits[w] |= m;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn duplicates_and_too_old_are_refused() {
        let mut w = ReplayWindow::default();
        assert!(w.commit(0));
        assert!(!w.commit(0), "duplicate");
        assert!(w.commit(5));
        assert!(w.commit(3), "out of order but inside the window");
        assert!(!w.check(3));
        assert!(w.commit(WINDOW + 10));
        assert!(!w.check(5), "fell out of the window");
        assert!(w.check(11) && w.commit(11), "oldest still inside");
        assert!(!w.check(9));
        assert!(w.commit(u64::MAX - 1));
        assert!(!w.check(WINDOW + 10));
    }

    proptest! {
        /// Against a model: a counter is accepted iff unseen and within WINDOW of the max.
        #[test]
        fn matches_a_set_model(counters in proptest::collection::vec(0u64..6000, 1..400)) {
            let mut w = ReplayWindow::default();
            let mut seen = std::collections::HashSet::new();
            let mut top: Option<u64> = None;
            for c in counters {
                let fresh = !seen.contains(&c) && top.is_none_or(|t| c + WINDOW > t);
                prop_assert_eq!(w.commit(c), fresh, "counter {}", c);
                if fresh {
                    seen.insert(c);
                    top = Some(top.map_or(c, |t| t.max(c)));
                }
            }
        }
    }
}
