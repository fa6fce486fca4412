//! Scoped discovery: the reserved `scope:*` tags, the [`CapabilityScope`]
//! they resolve to, and the [`ScopeFilter`] a query applies.
//!
//! Tags: `scope:subnet-local`, `scope:tenant:<id>`, `scope:region:<name>`.
//! Resolution, strictest first: any `scope:subnet-local` → `SubnetLocal`;
//! else any tenant tags → `Tenants` (all of them); else any region tags →
//! `Regions`; else `Global`. Region tags beside tenant tags do not widen
//! or narrow the tenant scope. Other `scope:` spellings are ignored here
//! (validation reports them).
//!
//! Visibility of a candidate under a filter:
//!
//! | filter | admits |
//! |---|---|
//! | `Any` | every scope except `SubnetLocal` |
//! | `GlobalOnly` | `Global` |
//! | `SameSubnet` | candidates in the querier's subnet, whatever their scope |
//! | `Tenant(t)` / `Tenants(ts)` | `Global`, and `Tenants` naming `t` / one of `ts` |
//! | `Region(r)` / `Regions(rs)` | `Global`, and `Regions` naming `r` / one of `rs` |
//!
//! Enforcement is query-side only: announcements travel unchanged.

use serde::{Deserialize, Serialize};

use super::set::CapabilitySet;
use super::tag::Tag;

/// The subnet-local scope tag.
pub const SCOPE_SUBNET_LOCAL: &str = "scope:subnet-local";
/// Prefix of tenant scope tags.
pub const SCOPE_TENANT_PREFIX: &str = "scope:tenant:";
/// Prefix of region scope tags.
pub const SCOPE_REGION_PREFIX: &str = "scope:region:";

/// Who a node's capabilities are visible to, resolved from its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CapabilityScope {
    /// No scope tags: every permissive query.
    Global,
    /// Only `SameSubnet` queries from the node's subnet.
    SubnetLocal,
    /// Queries for one of these tenants (in order of first tag).
    Tenants {
        /// Tenant ids.
        tenants: Vec<String>,
    },
    /// Queries for one of these regions (in order of first tag).
    Regions {
        /// Region names.
        regions: Vec<String>,
    },
}

impl CapabilityScope {
    /// Resolve the scope of a tag list (strictest wins; see the module doc).
    pub fn resolve(tags: &[Tag]) -> Self {
        let (mut local, mut tenants, mut regions) = (false, Vec::<String>::new(), Vec::<String>::new());
        for t in tags {
            let s = t.as_str();
            if !s.starts_with("scope:") {
                continue;
            }
            if s == SCOPE_SUBNET_LOCAL {
                local = true;
            } else if let Some(id) = s.strip_prefix(SCOPE_TENANT_PREFIX).filter(|x| !x.is_empty()) {
                if !tenants.iter().any(|x| x == id) {
                    tenants.push(id.to_owned());
                }
            } else if let Some(r) = s.strip_prefix(SCOPE_REGION_PREFIX).filter(|x| !x.is_empty()) {
                if !regions.iter().any(|x| x == r) {
                    regions.push(r.to_owned());
                }
            }
        }
        if local {
            Self::SubnetLocal
        } else if !tenants.is_empty() {
            Self::Tenants { tenants }
        } else if !regions.is_empty() {
            Self::Regions { regions }
        } else {
            Self::Global
        }
    }
}

/// Which scoped candidates a query admits (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ScopeFilter<'a> {
    /// Everything but subnet-local candidates (the default).
    #[default]
    Any,
    /// Only untagged (`Global`) candidates.
    GlobalOnly,
    /// Candidates in the querier's own subnet, whatever their scope.
    SameSubnet,
    /// Global candidates and those scoped to this tenant.
    Tenant(&'a str),
    /// Global candidates and those scoped to any of these tenants.
    Tenants(Vec<&'a str>),
    /// Global candidates and those scoped to this region.
    Region(&'a str),
    /// Global candidates and those scoped to any of these regions.
    Regions(Vec<&'a str>),
}

impl ScopeFilter<'_> {
    /// Whether a candidate of `scope` is visible; `same_subnet` says
    /// whether it sits in the querier's subnet.
    pub fn admits(&self, scope: &CapabilityScope, same_subnet: bool) -> bool {
        use CapabilityScope as S;
        match (self, scope) {
            (Self::SameSubnet, _) => same_subnet,
            (_, S::SubnetLocal) => false,
            (Self::Any, _) => true,
            (_, S::Global) => true,
            (Self::GlobalOnly, _) => false,
            (Self::Tenant(t), S::Tenants { tenants }) => tenants.iter().any(|x| x == t),
            (Self::Tenants(ts), S::Tenants { tenants }) => tenants.iter().any(|x| ts.contains(&x.as_str())),
            (Self::Region(r), S::Regions { regions }) => regions.iter().any(|x| x == r),
            (Self::Regions(rs), S::Regions { regions }) => regions.iter().any(|x| rs.contains(&x.as_str())),
            _ => false,
        }
    }

    /// The owned JSON form of this filter.
    pub fn to_spec(&self) -> ScopeFilterSpec {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        match self {
            Self::Any => ScopeFilterSpec::Any,
            Self::GlobalOnly => ScopeFilterSpec::GlobalOnly,
            Self::SameSubnet => ScopeFilterSpec::SameSubnet,
            Self::Tenant(t) => ScopeFilterSpec::Tenant { tenant: t.to_string() },
            Self::Tenants(ts) => ScopeFilterSpec::Tenants { tenants: own(ts) },
            Self::Region(r) => ScopeFilterSpec::Region { region: r.to_string() },
            Self::Regions(rs) => ScopeFilterSpec::Regions { regions: own(rs) },
        }
    }
}

/// [`ScopeFilter`] as owned data, in the JSON shape every face uses:
/// `{"kind": "any"}`, `{"kind": "globalOnly"}`, `{"kind": "sameSubnet"}`,
/// `{"kind": "tenant", "tenant": "oem-123"}`, `{"kind": "tenants", "tenants": [...]}`,
/// `{"kind": "region", "region": "eu"}`, `{"kind": "regions", "regions": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum ScopeFilterSpec {
    /// See [`ScopeFilter::Any`].
    #[default]
    Any,
    /// See [`ScopeFilter::GlobalOnly`].
    GlobalOnly,
    /// See [`ScopeFilter::SameSubnet`].
    SameSubnet,
    /// See [`ScopeFilter::Tenant`].
    Tenant {
        /// The tenant id.
        tenant: String,
    },
    /// See [`ScopeFilter::Tenants`].
    Tenants {
        /// Tenant ids.
        tenants: Vec<String>,
    },
    /// See [`ScopeFilter::Region`].
    Region {
        /// The region name.
        region: String,
    },
    /// See [`ScopeFilter::Regions`].
    Regions {
        /// Region names.
        regions: Vec<String>,
    },
}

impl ScopeFilterSpec {
    /// Borrow as a [`ScopeFilter`].
    pub fn as_filter(&self) -> ScopeFilter<'_> {
        match self {
            Self::Any => ScopeFilter::Any,
            Self::GlobalOnly => ScopeFilter::GlobalOnly,
            Self::SameSubnet => ScopeFilter::SameSubnet,
            Self::Tenant { tenant } => ScopeFilter::Tenant(tenant),
            Self::Tenants { tenants } => ScopeFilter::Tenants(tenants.iter().map(String::as_str).collect()),
            Self::Region { region } => ScopeFilter::Region(region),
            Self::Regions { regions } => ScopeFilter::Regions(regions.iter().map(String::as_str).collect()),
        }
    }
}

impl CapabilitySet {
    /// Builder: scope the set to tenant `tenant` (adds
    /// `scope:tenant:<tenant>` once; calling it again changes nothing).
    pub fn with_tenant_scope(self, tenant: &str) -> Self {
        self.add_tag(format!("{SCOPE_TENANT_PREFIX}{tenant}"))
    }

    /// Builder: scope the set to region `region` (idempotent).
    pub fn with_region_scope(self, region: &str) -> Self {
        self.add_tag(format!("{SCOPE_REGION_PREFIX}{region}"))
    }

    /// Builder: make the set visible only to same-subnet queries (idempotent).
    pub fn with_subnet_local_scope(self) -> Self {
        self.add_tag(SCOPE_SUBNET_LOCAL)
    }

    /// The resolved scope of this set.
    pub fn scope(&self) -> CapabilityScope {
        CapabilityScope::resolve(self.tags())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictest_scope_wins_and_helpers_are_idempotent() {
        let caps = CapabilitySet::new().with_tenant_scope("a").with_tenant_scope("a").with_region_scope("eu");
        assert_eq!(caps.tags().len(), 2);
        assert_eq!(caps.scope(), CapabilityScope::Tenants { tenants: vec!["a".into()] });
        let local = caps.clone().with_subnet_local_scope().with_subnet_local_scope();
        assert_eq!(local.tags().len(), 3);
        assert_eq!(local.scope(), CapabilityScope::SubnetLocal);
        assert_eq!(CapabilitySet::new().add_tag("scope:tenant:").scope(), CapabilityScope::Global);
    }

    #[test]
    fn filters_admit_per_the_table() {
        let g = CapabilityScope::Global;
        let t = CapabilityScope::Tenants { tenants: vec!["a".into()] };
        let r = CapabilityScope::Regions { regions: vec!["eu".into()] };
        let l = CapabilityScope::SubnetLocal;
        let all = [&g, &t, &r, &l];
        let row = |f: ScopeFilter, same: bool| all.iter().map(|s| f.admits(s, same)).collect::<Vec<_>>();
        assert_eq!(row(ScopeFilter::Any, true), [true, true, true, false]);
        assert_eq!(row(ScopeFilter::GlobalOnly, true), [true, false, false, false]);
        assert_eq!(row(ScopeFilter::SameSubnet, true), [true, true, true, true]);
        assert_eq!(row(ScopeFilter::SameSubnet, false), [false; 4]);
        assert_eq!(row(ScopeFilter::Tenant("a"), true), [true, true, false, false]);
        assert_eq!(row(ScopeFilter::Tenant("b"), true), [true, false, false, false]);
        assert_eq!(row(ScopeFilter::Tenants(vec!["b", "a"]), true), [true, true, false, false]);
        assert_eq!(row(ScopeFilter::Region("eu"), true), [true, false, true, false]);
        assert_eq!(row(ScopeFilter::Regions(vec!["us"]), true), [true, false, false, false]);
        let spec: ScopeFilterSpec = serde_json::from_str(r#"{"kind":"tenants","tenants":["a"]}"#).unwrap();
        assert_eq!(spec.as_filter(), ScopeFilter::Tenants(vec!["a"]));
        assert_eq!(spec.as_filter().to_spec(), spec);
    }
}
