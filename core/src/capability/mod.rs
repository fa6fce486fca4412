//! Capabilities: what nodes can do, announced signed across the mesh and
//! found by filter, predicate and scope.
//!
//! One concept per file:
//! - [`tag`]: [`Tag`], [`TagKey`], [`TaxonomyAxis`], [`RESERVED_PREFIXES`];
//! - [`set`]: [`CapabilitySet`], the `{tags, metadata}` wire shape, and the
//!   typed axes [`hardware`] ([`HardwareCapabilities`], [`GpuInfo`],
//!   [`GpuVendor`]), [`software`] ([`SoftwareCapabilities`]) and [`model`]
//!   ([`ModelCapability`]); [`views`] ([`CapabilityViews`], lazy per axis);
//! - [`scope`]: the `scope:*` tags, [`CapabilityScope`], [`ScopeFilter`];
//! - [`filter`] — [`CapabilityFilter`];
//! - [`predicate`]: the predicate AST, evaluation, traces, reports, the
//!   `net-where` header ([`pred!`](crate::pred));
//! - [`schema`] — [`validate_capabilities`](schema::validate_capabilities);
//! - [`diff`]: [`CapabilitySetDiff`], [`MetadataChange`];
//! - [`announcement`]: [`CapabilityAnnouncement`] — the signed canonical
//!   bytes (documented there) and the wire message;
//! - [`index`]: [`CapabilityIndex`] — verification, dedup, TTL, queries.
//!
//! The mesh side (`Mesh::announce_capabilities`, `find_nodes`, ...) is in
//! `mesh::capabilities`.

pub mod announcement;
pub mod diff;
mod error;
pub mod filter;
pub mod hardware;
pub mod index;
pub mod model;
pub mod predicate;
pub mod schema;
pub mod scope;
pub mod set;
pub mod software;
pub mod tag;
pub mod views;

pub use crate::pred;
pub use announcement::{CapabilityAnnouncement, CAPABILITY_SIGNING_TAG, MAX_ANNOUNCEMENT_SIZE};
pub use diff::{CapabilitySetDiff, MetadataChange};
pub use error::CapabilityError;
pub use filter::CapabilityFilter;
pub use hardware::{GpuInfo, GpuVendor, HardwareCapabilities};
pub use index::{CapabilityIndex, CapabilityStats, IndexedNode, IngestOutcome, MAX_CAPABILITY_HOPS};
pub use model::ModelCapability;
pub use schema::{validate_capabilities, SchemaError, ValidationReport};
pub use scope::{CapabilityScope, ScopeFilter, ScopeFilterSpec};
pub use set::CapabilitySet;
pub use software::SoftwareCapabilities;
pub use tag::{Tag, TagKey, TaxonomyAxis, RESERVED_PREFIXES};
pub use views::CapabilityViews;
