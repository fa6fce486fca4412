//! Subnets: a 4-level [`SubnetId`] per node, and a [`SubnetPolicy`] of
//! tag-prefix [`SubnetRule`]s from which every node derives each peer's
//! subnet out of the tags the peer announces — no directory needed, as
//! long as every node holds the same policy.

mod id;
mod policy;

pub use id::{SubnetId, MAX_SUBNET_LEVELS};
pub use policy::{SubnetPolicy, SubnetRule};
