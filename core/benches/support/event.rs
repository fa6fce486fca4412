//! The event of the producer loops, `{"i":N}` (7–26 bytes),
//! written without the formatting machinery so a benchmark measures the
//! bus rather than `format!`.

/// Writes `{"i":n}` into `buf` and returns its length.
pub fn event(buf: &mut [u8; 32], mut n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut k = 0;
    loop {
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        k += 1;
        if n == 0 {
            break;
        }
    }
    buf[..5].copy_from_slice(b"{\"i\":");
    for j in 0..k {
        buf[5 + j] = digits[k - 1 - j];
    }
    buf[5 + k] = b'}';
    6 + k
}
