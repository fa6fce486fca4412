//! [`TokenScope`]: the rights a permission token grants.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

use super::IdentityError;

/// A set of rights on one channel, stored as a `u32` bit set.
///
/// The bit values are part of the 161-byte token wire form, so they never
/// change: `PUBLISH = 1`, `SUBSCRIBE = 2`, `DELEGATE = 4`, `ADMIN = 8`.
/// Bits outside [`TokenScope::ALL`] are refused on parsing
/// ([`TokenScope::from_bits`] returns `None`): a peer running a newer
/// version may mean something by them that we cannot honour.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TokenScope(u32);

/// Name and bit of every scope, in bit order: the single table behind
/// `from_name`, `names`, `Display` and `Debug`.
const NAMED: [(&str, TokenScope); 4] = [
    ("publish", TokenScope::PUBLISH),
    ("subscribe", TokenScope::SUBSCRIBE),
    ("delegate", TokenScope::DELEGATE),
    ("admin", TokenScope::ADMIN),
];

impl TokenScope {
    /// May emit events on the channel.
    pub const PUBLISH: TokenScope = TokenScope(1);
    /// May receive events from the channel.
    pub const SUBSCRIBE: TokenScope = TokenScope(2);
    /// May issue child tokens (within its own scope and depth).
    pub const DELEGATE: TokenScope = TokenScope(4);
    /// May administer the channel (configuration, membership).
    pub const ADMIN: TokenScope = TokenScope(8);
    /// Every known scope.
    pub const ALL: TokenScope = TokenScope(1 | 2 | 4 | 8);

    /// The empty scope (grants nothing).
    pub const fn empty() -> TokenScope {
        TokenScope(0)
    }

    /// The raw bits, as they appear on the wire.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Builds a scope from raw bits; `None` if any unknown bit is set.
    pub const fn from_bits(bits: u32) -> Option<TokenScope> {
        if bits & !Self::ALL.0 == 0 {
            Some(TokenScope(bits))
        } else {
            None
        }
    }

    /// True when every right in `other` is also in `self`
    /// (so the empty scope is contained in everything).
    pub const fn contains(self, other: TokenScope) -> bool {
        self.0 & other.0 == other.0
    }

    /// The rights of both.
    pub const fn union(self, other: TokenScope) -> TokenScope {
        TokenScope(self.0 | other.0)
    }

    /// The rights common to both.
    pub const fn intersection(self, other: TokenScope) -> TokenScope {
        TokenScope(self.0 & other.0)
    }

    /// True when no right is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Parses one scope name: `"publish"`, `"subscribe"`, `"delegate"` or
    /// `"admin"` (lowercase, exact — the spelling every binding uses).
    ///
    /// # Errors
    /// [`IdentityError::UnknownScope`] carrying the refused name.
    pub fn from_name(name: &str) -> Result<TokenScope, IdentityError> {
        NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| IdentityError::UnknownScope(name.to_owned()))
    }

    /// The union of several scope names (the bindings' `scope: ['publish', ...]`).
    /// An empty list gives the empty scope; duplicates are harmless.
    ///
    /// # Errors
    /// [`IdentityError::UnknownScope`] for the first unknown name.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<TokenScope, IdentityError> {
        names.iter().try_fold(TokenScope::empty(), |acc, n| Ok(acc | TokenScope::from_name(n.as_ref())?))
    }

    /// The names of the set rights, in bit order (publish, subscribe, delegate, admin).
    pub fn names(self) -> Vec<&'static str> {
        NAMED.iter().filter(|(_, s)| self.contains(*s)).map(|(n, _)| *n).collect()
    }
}

impl BitOr for TokenScope {
    type Output = TokenScope;

    fn bitor(self, rhs: TokenScope) -> TokenScope {
        self.union(rhs)
    }
}

impl BitOrAssign for TokenScope {
    fn bitor_assign(&mut self, rhs: TokenScope) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for TokenScope {
    type Output = TokenScope;

    fn bitand(self, rhs: TokenScope) -> TokenScope {
        self.intersection(rhs)
    }
}

/// `publish|subscribe`; the empty scope prints as `(none)`.
impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("(none)");
        }
        f.write_str(&self.names().join("|"))
    }
}

impl fmt::Debug for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenScope({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_the_wire_values() {
        assert_eq!(TokenScope::PUBLISH.bits(), 1);
        assert_eq!(TokenScope::SUBSCRIBE.bits(), 2);
        assert_eq!(TokenScope::DELEGATE.bits(), 4);
        assert_eq!(TokenScope::ADMIN.bits(), 8);
        assert_eq!(TokenScope::ALL.bits(), 15);
    }

    #[test]
    fn from_bits_refuses_unknown_bits() {
        for bits in 0..16 {
            assert_eq!(TokenScope::from_bits(bits).map(TokenScope::bits), Some(bits));
        }
        assert_eq!(TokenScope::from_bits(16), None);
        assert_eq!(TokenScope::from_bits(0x8000_0001), None);
    }

    #[test]
    fn set_operations() {
        let ps = TokenScope::PUBLISH | TokenScope::SUBSCRIBE;
        assert!(ps.contains(TokenScope::PUBLISH));
        assert!(ps.contains(TokenScope::empty()));
        assert!(!ps.contains(TokenScope::DELEGATE));
        assert!(!TokenScope::PUBLISH.contains(ps));
        assert_eq!(ps & TokenScope::SUBSCRIBE, TokenScope::SUBSCRIBE);
        let mut s = TokenScope::empty();
        assert!(s.is_empty());
        s |= TokenScope::ADMIN;
        assert_eq!(s, TokenScope::ADMIN);
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(TokenScope::from_name("delegate").unwrap(), TokenScope::DELEGATE);
        let s = TokenScope::from_names(&["subscribe", "publish", "publish"]).unwrap();
        assert_eq!(s.bits(), 3);
        assert_eq!(s.names(), vec!["publish", "subscribe"]);
        assert_eq!(TokenScope::from_names(&TokenScope::ALL.names()).unwrap(), TokenScope::ALL);
        assert_eq!(TokenScope::from_names::<&str>(&[]).unwrap(), TokenScope::empty());
        assert_eq!(s.to_string(), "publish|subscribe");
        assert_eq!(TokenScope::empty().to_string(), "(none)");
    }

    #[test]
    fn unknown_names_are_refused_with_their_kind() {
        let err = TokenScope::from_name("Publish").unwrap_err();
        assert_eq!(err, IdentityError::UnknownScope("Publish".into()));
        assert_eq!(err.kind(), "unknown_scope");
        let err = TokenScope::from_names(&["publish", "root"]).unwrap_err();
        assert_eq!(err, IdentityError::UnknownScope("root".into()));
    }
}
