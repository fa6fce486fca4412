//! [`SubnetPolicy`] and [`SubnetRule`]: deriving a node's subnet from its tags.
//!
//! Assignment ([`SubnetPolicy::assign`]): start from all levels
//! unassigned; for each rule in policy order whose level is still
//! unassigned, take the first tag (in the set's order) that starts with
//! the rule's prefix and whose remainder the rule maps, and set the
//! level to the mapped byte. Tags no rule maps change nothing.
//!
//! JSON: `{"rules": [{"tag_prefix": "region:", "level": 0, "values": {"us": 3, "eu": 4}}]}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::id::{SubnetId, MAX_SUBNET_LEVELS};
use crate::capabilities::{CapabilityError, CapabilitySet, Tag};

/// Maps tags `<prefix><value>` to one level of the subnet id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetRule {
    /// The tag prefix (`region:`).
    pub tag_prefix: String,
    /// The level it sets, 0..=3.
    pub level: u8,
    /// Remainder of the tag → level byte (1..=255).
    #[serde(default)]
    pub values: BTreeMap<String, u8>,
}

impl SubnetRule {
    /// A rule for tags starting with `tag_prefix`, setting `level`.
    ///
    /// # Panics
    /// When `level` is not 0..=3.
    pub fn new(tag_prefix: impl Into<String>, level: u8) -> Self {
        assert!((level as usize) < MAX_SUBNET_LEVELS, "subnet levels are 0..=3");
        Self { tag_prefix: tag_prefix.into(), level, values: BTreeMap::new() }
    }

    /// Map the tag `<prefix><value>` to `byte`.
    ///
    /// # Panics
    /// When `byte` is 0 (which means "unassigned").
    pub fn map(mut self, value: impl Into<String>, byte: u8) -> Self {
        assert!(byte != 0, "0 means unassigned; map values to 1..=255");
        self.values.insert(value.into(), byte);
        self
    }

    fn check(&self) -> Result<(), CapabilityError> {
        if self.level as usize >= MAX_SUBNET_LEVELS {
            return Err(CapabilityError::Subnet(format!("rule {:?}: level {} is not 0..=3", self.tag_prefix, self.level)));
        }
        if self.tag_prefix.is_empty() {
            return Err(CapabilityError::Subnet("a rule needs a non-empty tag_prefix".into()));
        }
        if let Some((k, _)) = self.values.iter().find(|(_, b)| **b == 0) {
            return Err(CapabilityError::Subnet(format!("rule {:?}: value {k:?} maps to 0", self.tag_prefix)));
        }
        Ok(())
    }
}

/// The mesh-wide rules deriving a node's subnet from its tags. Every node
/// must hold the same policy, or their views of each other differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetPolicy {
    /// The rules, applied in order.
    #[serde(default)]
    pub rules: Vec<SubnetRule>,
}

impl SubnetPolicy {
    /// No rules: every node is in [`SubnetId::ROOT`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a rule.
    pub fn add_rule(mut self, rule: SubnetRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The subnet of a node announcing `caps`.
    pub fn assign(&self, caps: &CapabilitySet) -> SubnetId {
        self.assign_tags(caps.tags())
    }

    /// The subnet of a node with these tags.
    pub fn assign_tags(&self, tags: &[Tag]) -> SubnetId {
        let mut id = SubnetId::ROOT;
        for rule in &self.rules {
            let level = rule.level as usize;
            if level >= MAX_SUBNET_LEVELS || id.levels()[level] != 0 {
                continue;
            }
            let hit = tags.iter().find_map(|t| t.as_str().strip_prefix(rule.tag_prefix.as_str()).and_then(|rest| rule.values.get(rest)));
            if let Some(&b) = hit {
                id = id.with_level(level, b);
            }
        }
        id
    }

    /// Parse and check the JSON form.
    pub fn from_json(text: &str) -> Result<Self, CapabilityError> {
        let p: Self = serde_json::from_str(text).map_err(|e| CapabilityError::Json(e.to_string()))?;
        p.rules.iter().try_for_each(SubnetRule::check)?;
        Ok(p)
    }

    /// Check every rule (levels in range, non-empty prefixes, no 0 values).
    pub fn check(&self) -> Result<(), CapabilityError> {
        self.rules.iter().try_for_each(SubnetRule::check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SubnetPolicy {
        SubnetPolicy::new()
            .add_rule(SubnetRule::new("region:", 0).map("us", 3).map("eu", 4))
            .add_rule(SubnetRule::new("fleet:", 1).map("blue", 7).map("green", 8))
    }

    #[test]
    fn policies_assign_levels_from_tags() {
        let p = policy();
        let caps = CapabilitySet::new().add_tag("fleet:blue").add_tag("region:us").add_tag("region:eu");
        assert_eq!(p.assign(&caps), SubnetId::new(&[3, 7]));
        assert_eq!(p.assign(&CapabilitySet::new().add_tag("fleet:green")), SubnetId::new(&[0, 8]));
        assert_eq!(p.assign(&CapabilitySet::new().add_tag("region:mars")), SubnetId::ROOT);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(SubnetPolicy::from_json(&json).unwrap(), p);
        assert_eq!(SubnetPolicy::from_json(r#"{"rules":[{"tag_prefix":"x:","level":4}]}"#).unwrap_err().kind(), "invalid_subnet");
        assert_eq!(SubnetPolicy::from_json(r#"{"rules":[{"tag_prefix":"x:","level":0,"values":{"a":0}}]}"#).unwrap_err().kind(), "invalid_subnet");
        assert_eq!(SubnetPolicy::from_json(r#"{"rulez":[]}"#).unwrap_err().kind(), "invalid_json");
    }
}
