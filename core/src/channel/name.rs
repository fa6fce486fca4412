//! [`ChannelName`]: validated channel names and their hashes.

use std::fmt;
use std::str::FromStr;

use super::{ChannelHash, ChannelNameError};

/// Longest accepted channel name, in bytes.
pub const MAX_CHANNEL_NAME_LEN: usize = 255;

/// A validated channel name, such as `sensors/temp` or `tenant-7:jobs/gpu.v2`.
///
/// The rules, checked in this order (the first broken one is reported):
/// 1. not empty ([`ChannelNameError::Empty`]);
/// 2. at most 255 bytes ([`ChannelNameError::TooLong`]);
/// 3. only ASCII letters, digits and `-` `_` `.` `:` `/`
///    ([`ChannelNameError::InvalidCharacter`], first offending character);
/// 4. `/` separates segments and no segment is empty, so no leading,
///    trailing or doubled `/` ([`ChannelNameError::EmptySegment`]).
///
/// Names are case-sensitive and never normalised: the hash is computed over
/// the exact bytes, and every language must arrive at the same hash. The
/// restricted alphabet keeps names printable, unambiguous in logs and
/// identical across UTF-8/UTF-16 runtimes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelName(String);

impl ChannelName {
    /// Validates `name` (see the type's rules) and wraps it.
    ///
    /// # Errors
    /// A [`ChannelNameError`] (kind `invalid_channel`) naming the broken rule.
    pub fn new(name: &str) -> Result<ChannelName, ChannelNameError> {
        validate(name)?;
        Ok(ChannelName(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical 32-bit channel hash carried in permission tokens:
    /// the first 4 bytes, little-endian, of `blake3::hash(name)`.
    pub fn hash(&self) -> ChannelHash {
        let digest = blake3::hash(self.0.as_bytes());
        let b = digest.as_bytes();
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The compact 16-bit hash used in packet headers: the first 2 bytes,
    /// little-endian, of the same blake3 digest. It can collide; receivers
    /// resolve collisions with the full name or [`ChannelName::hash`].
    pub fn wire_hash(&self) -> u16 {
        let digest = blake3::hash(self.0.as_bytes());
        let b = digest.as_bytes();
        u16::from_le_bytes([b[0], b[1]])
    }

    /// Consumes the name, returning the inner string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Validates `name` and returns its [`ChannelName::hash`] without keeping
/// the name (what the C ABI and bindings need for a one-off lookup).
///
/// # Errors
/// The same [`ChannelNameError`]s as [`ChannelName::new`].
pub fn channel_hash(name: &str) -> Result<ChannelHash, ChannelNameError> {
    Ok(ChannelName::new(name)?.hash())
}

fn validate(name: &str) -> Result<(), ChannelNameError> {
    if name.is_empty() {
        return Err(ChannelNameError::Empty);
    }
    if name.len() > MAX_CHANNEL_NAME_LEN {
        return Err(ChannelNameError::TooLong(name.len()));
    }
    if let Some(bad) = name.chars().find(|c| !is_allowed(*c)) {
        return Err(ChannelNameError::InvalidCharacter(bad));
    }
    // split('/') yields an empty piece for a leading, trailing or doubled '/'.
    if name.split('/').any(str::is_empty) {
        return Err(ChannelNameError::EmptySegment);
    }
    Ok(())
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/')
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ChannelName {
    type Err = ChannelNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChannelName::new(s)
    }
}

impl TryFrom<&str> for ChannelName {
    type Error = ChannelNameError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        ChannelName::new(s)
    }
}

impl TryFrom<String> for ChannelName {
    type Error = ChannelNameError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        validate(&s)?;
        Ok(ChannelName(s))
    }
}

impl AsRef<str> for ChannelName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_alphabet() {
        for ok in ["a", "sensors/temp", "A-b_c.d:e/f", "0/1/2", "x".repeat(255).as_str()] {
            let n = ChannelName::new(ok).unwrap();
            assert_eq!(n.as_str(), ok);
            assert_eq!(n.to_string(), ok);
            assert_eq!(ok.parse::<ChannelName>().unwrap(), n);
            assert_eq!(ChannelName::try_from(ok.to_string()).unwrap(), n);
        }
    }

    #[test]
    fn each_rule_reports_its_own_error() {
        assert_eq!(ChannelName::new(""), Err(ChannelNameError::Empty));
        assert_eq!(ChannelName::new(&"a".repeat(256)), Err(ChannelNameError::TooLong(256)));
        assert_eq!(ChannelName::new("a b"), Err(ChannelNameError::InvalidCharacter(' ')));
        assert_eq!(ChannelName::new("é"), Err(ChannelNameError::InvalidCharacter('é')));
        assert_eq!(ChannelName::new("a\0"), Err(ChannelNameError::InvalidCharacter('\0')));
        for bad in ["/", "/a", "a/", "a//b", "a/b/"] {
            assert_eq!(ChannelName::new(bad), Err(ChannelNameError::EmptySegment), "{bad:?}");
        }
        assert_eq!(ChannelName::try_from("a//b").unwrap_err().kind(), "invalid_channel");
    }

    #[test]
    fn length_is_counted_in_bytes() {
        // 128 two-byte characters: over the limit in bytes, so TooLong wins
        // over the character check (rule order is part of the contract).
        let wide = "é".repeat(128);
        assert_eq!(ChannelName::new(&wide), Err(ChannelNameError::TooLong(256)));
    }

    #[test]
    fn hashes_are_blake3_prefixes() {
        let n = ChannelName::new("sensors/temp").unwrap();
        let d = blake3::hash(b"sensors/temp");
        let d = d.as_bytes();
        assert_eq!(n.hash(), u32::from_le_bytes([d[0], d[1], d[2], d[3]]));
        assert_eq!(n.wire_hash(), u16::from_le_bytes([d[0], d[1]]));
        assert_eq!(n.wire_hash() as u32, n.hash() & 0xffff);
        assert_eq!(channel_hash("sensors/temp").unwrap(), n.hash());
        assert_eq!(channel_hash("a//b"), Err(ChannelNameError::EmptySegment));
        assert_ne!(n.hash(), ChannelName::new("sensors/Temp").unwrap().hash());
    }
}
