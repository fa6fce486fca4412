//! The event of the producer loops, `{"i":N}` (7–26 bytes),
//! written without the formatting machinery so a benchmark measures the
//! bus rather than `format!`.

/// Writes `{"i":n}` into `buf` and returns its length. The digits go
/// straight to their places, last first: building them in a scratch array
/// and copying it over made the CPU stall on reading back bytes it had
/// just stored one by one (a third of the producer's time in a profile).
pub fn event(buf: &mut [u8; 32], n: u64) -> usize {
    let mut digits = 1;
    let mut rest = n / 10;
    while rest > 0 {
        digits += 1;
        rest /= 10;
    }
    buf[..5].copy_from_slice(b"{\"i\":");
    let mut rest = n;
    for place in buf[5..5 + digits].iter_mut().rev() {
        *place = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    buf[5 + digits] = b'}';
    6 + digits
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_like_format() {
        let mut buf = [0u8; 32];
        for n in [0, 7, 10, 99, 12_345, u64::MAX] {
            let len = super::event(&mut buf, n);
            assert_eq!(&buf[..len], format!("{{\"i\":{n}}}").as_bytes());
        }
    }
}
