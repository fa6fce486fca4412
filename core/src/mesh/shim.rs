//! A deterministic lossy link under the socket, for testing.
//!
//! Every datagram a mesh sends passes through its [`LossyLink`] (if one is
//! configured) before the system call: it may be dropped, sent twice, or
//! held back and sent after the next one (reordered). Decisions come from
//! a seeded generator, one draw per datagram, so a run is reproducible.

/// Drop / duplicate / reorder rates in percent, with a seed.
#[derive(Debug, Clone)]
pub struct LossyLink {
    state: u64,
    drop_pct: u8,
    duplicate_pct: u8,
    reorder_pct: u8,
    held: Option<Vec<u8>>,
    /// Datagrams dropped so far.
    pub dropped: u64,
    /// Datagrams duplicated so far.
    pub duplicated: u64,
    /// Datagrams reordered so far.
    pub reordered: u64,
}

impl LossyLink {
    /// A link that passes everything, seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed | 1,
            drop_pct: 0,
            duplicate_pct: 0,
            reorder_pct: 0,
            held: None,
            dropped: 0,
            duplicated: 0,
            reordered: 0,
        }
    }

    /// Drop `pct` percent of datagrams.
    pub fn drop_percent(mut self, pct: u8) -> Self {
        self.drop_pct = pct.min(100);
        self
    }

    /// Send `pct` percent of datagrams twice.
    pub fn duplicate_percent(mut self, pct: u8) -> Self {
        self.duplicate_pct = pct.min(100);
        self
    }

    /// Hold back `pct` percent of datagrams until after the next one.
    pub fn reorder_percent(mut self, pct: u8) -> Self {
        self.reorder_pct = pct.min(100);
        self
    }

    fn draw(&mut self) -> u8 {
        // xorshift64*: small, fast, deterministic.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u8 % 100
    }

    /// Decide the fate of `datagram`: push what is to be sent now onto `out`.
    pub(crate) fn pass(&mut self, datagram: &[u8], out: &mut Vec<Vec<u8>>) {
        let roll = self.draw();
        let (d, u, r) = (self.drop_pct, self.duplicate_pct, self.reorder_pct);
        if roll < d {
            self.dropped += 1;
        } else if roll < d.saturating_add(u) {
            self.duplicated += 1;
            out.push(datagram.to_vec());
            out.push(datagram.to_vec());
        } else if roll < d.saturating_add(u).saturating_add(r) && self.held.is_none() {
            self.reordered += 1;
            self.held = Some(datagram.to_vec());
            return;
        } else {
            out.push(datagram.to_vec());
        }
        if let Some(h) = self.held.take() {
            out.push(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(link: &mut LossyLink, n: u8) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            link.pass(&[i], &mut out);
        }
        out.into_iter().map(|d| d[0]).collect()
    }

    #[test]
    fn deterministic_and_does_what_it_says() {
        let make = || LossyLink::new(42).drop_percent(10).duplicate_percent(10).reorder_percent(10);
        let (mut a, mut b) = (make(), make());
        let (ra, rb) = (run(&mut a, 200), run(&mut b, 200));
        assert_eq!(ra, rb, "same seed, same fate");
        assert!(a.dropped > 0 && a.duplicated > 0 && a.reordered > 0);
        assert_eq!(ra.len() as u64, 200 - a.dropped + a.duplicated - u64::from(a.held.is_some()));
        assert!(ra.windows(2).any(|w| w[0] > w[1]), "something was reordered");
        let mut clean = LossyLink::new(1);
        assert_eq!(run(&mut clean, 50), (0..50).collect::<Vec<_>>());
    }
}
