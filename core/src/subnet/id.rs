//! [`SubnetId`]: four levels of one byte each (2³² ids).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::capabilities::CapabilityError;

/// Levels of a subnet id.
pub const MAX_SUBNET_LEVELS: usize = 4;

/// A subnet: four levels, level 0 the widest (e.g. region), each a byte
/// where 0 means "not assigned at this level". The all-zero id is
/// [`SubnetId::ROOT`], where a node without subnet configuration sits.
///
/// JSON: `{"levels": [3, 7]}` (trailing unassigned levels left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SubnetId([u8; MAX_SUBNET_LEVELS]);

impl SubnetId {
    /// The root subnet (nothing assigned).
    pub const ROOT: SubnetId = SubnetId([0; MAX_SUBNET_LEVELS]);

    /// The subnet with these leading levels (the rest unassigned).
    ///
    /// # Panics
    /// With more than four levels; see [`try_new`](Self::try_new).
    pub fn new(levels: &[u8]) -> Self {
        Self::try_new(levels).expect("a subnet id has at most 4 levels")
    }

    /// [`new`](Self::new), refusing more than four levels with `invalid_subnet`.
    pub fn try_new(levels: &[u8]) -> Result<Self, CapabilityError> {
        if levels.len() > MAX_SUBNET_LEVELS {
            return Err(CapabilityError::Subnet(format!("{} levels, at most {MAX_SUBNET_LEVELS}", levels.len())));
        }
        let mut out = [0; MAX_SUBNET_LEVELS];
        out[..levels.len()].copy_from_slice(levels);
        Ok(Self(out))
    }

    /// From the 32-bit form (level 0 in the most significant byte).
    pub fn from_u32(v: u32) -> Self {
        Self(v.to_be_bytes())
    }

    /// The 32-bit form (level 0 in the most significant byte).
    pub fn as_u32(&self) -> u32 {
        u32::from_be_bytes(self.0)
    }

    /// All four levels.
    pub fn levels(&self) -> [u8; MAX_SUBNET_LEVELS] {
        self.0
    }

    /// Levels up to and including the last assigned one.
    pub fn depth(&self) -> usize {
        self.0.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
    }

    /// The same id with `level` set to `value`.
    pub(crate) fn with_level(mut self, level: usize, value: u8) -> Self {
        self.0[level] = value;
        self
    }

    /// Whether `self` strictly contains `other` (its levels are a proper
    /// prefix of `other`'s).
    pub fn is_ancestor_of(&self, other: &SubnetId) -> bool {
        let d = self.depth();
        d < other.depth() && self.0[..d] == other.0[..d]
    }
}

impl fmt::Display for SubnetId {
    /// Dotted levels up to the depth (`3.7`); the root is `root`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.depth();
        if d == 0 {
            return f.write_str("root");
        }
        for (i, b) in self.0[..d].iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubnetJson {
    levels: Vec<u8>,
}

impl Serialize for SubnetId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SubnetJson { levels: self.0[..self.depth()].to_vec() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SubnetId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = SubnetJson::deserialize(d)?;
        SubnetId::try_new(&j.levels).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_depth_order_and_forms() {
        let a = SubnetId::new(&[3, 7]);
        assert_eq!((a.depth(), a.as_u32(), a.to_string()), (2, 0x0307_0000, "3.7".to_owned()));
        assert_eq!(SubnetId::from_u32(0x0307_0000), a);
        assert!(SubnetId::new(&[3]).is_ancestor_of(&a));
        assert!(SubnetId::ROOT.is_ancestor_of(&a));
        assert!(!a.is_ancestor_of(&a));
        assert!(!SubnetId::new(&[4]).is_ancestor_of(&a));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"levels":[3,7]}"#);
        assert_eq!(serde_json::from_str::<SubnetId>(r#"{"levels":[3,7,0]}"#).unwrap(), a);
        assert!(serde_json::from_str::<SubnetId>(r#"{"levels":[1,2,3,4,5]}"#).is_err());
        assert_eq!(SubnetId::try_new(&[1, 2, 3, 4, 5]).unwrap_err().kind(), "invalid_subnet");
        assert_eq!(SubnetId::ROOT.to_string(), "root");
    }
}
