//! Capabilities and predicates without a mesh: canonical capability JSON,
//! predicate evaluation (with traces and corpus reports), the `net-where`
//! header, validation, diff, scope resolution, subnet derivation and
//! signed announcements.
//!
//! Open shapes cross as the JSON wire forms every face shares
//! (`{"tags", "metadata"}`, `{"op": ...}`, `{"kind": ...}`, snake_case
//! keys); the TypeScript SDK converts its camelCase objects to and from
//! them in one place. Every check, canonical form and verdict is the
//! core's. Errors carry the core's kinds (`invalid_json`,
//! `invalid_predicate`, `invalid_header`, `invalid_tag`, `invalid_subnet`,
//! `malformed_announcement`, `invalid_signature`, `origin_mismatch`, ...).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use napi::bindgen_prelude::{BigInt, Buffer, Either};
use napi_derive::napi;
use net_sdk::capabilities::predicate::{self, ClauseTrace, EvalContext, Predicate, PredicateDebugReport, RPC_WHERE_HEADER};
use net_sdk::capabilities::{
    schema, CapabilityAnnouncement, CapabilityError, CapabilityScope, CapabilitySet, ScopeFilterSpec,
    SchemaError, Tag, TaxonomyAxis, MAX_CAPABILITY_HOPS, RESERVED_PREFIXES,
};
use net_sdk::subnets::SubnetPolicy;
use net_sdk::Identity;
use serde::Serialize;

use crate::error::{fail, Result};
use crate::identity::u64_of;

/// A capability set from JSON (the wire shape and/or typed sections).
pub(crate) fn caps_of(json: &str) -> Result<CapabilitySet> {
    CapabilitySet::from_json(json).map_err(fail)
}

fn predicate_of(json: &str) -> Result<Predicate> {
    Predicate::from_json(json).map_err(fail)
}

/// `value` as compact JSON (the core's types always serialize).
pub(crate) fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("a core value serializes")
}

/// A JSON argument of a fixed shape: `invalid_json` naming `what` when it
/// does not parse.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| fail(CapabilityError::Json(format!("{what}: {e}"))))
}

/// Tags and metadata as an evaluation context (its owned parts).
fn context_parts(tags: Vec<String>, metadata: Option<HashMap<String, String>>) -> (Vec<Tag>, BTreeMap<String, String>) {
    (tags.into_iter().map(Tag::parse).collect(), metadata.unwrap_or_default().into_iter().collect())
}

/// One context of a corpus: the tags and metadata a predicate is evaluated against.
#[napi(object)]
pub struct JsEvalContext {
    /// Tag strings (`"hardware.gpu"`, `"software.os=linux"`, `"prod"`).
    pub tags: Vec<String>,
    /// Metadata entries.
    pub metadata: Option<HashMap<String, String>>,
}

/// Constants of the capability layer.
#[napi(object)]
pub struct JsCapabilityConstants {
    /// The header carrying a predicate: `"net-where"`.
    pub rpc_where_header: String,
    /// Tag prefixes only typed builders and scope helpers write.
    pub reserved_prefixes: Vec<String>,
    /// How many links an announcement travels at most.
    pub max_capability_hops: u32,
}

/// `rpcWhereHeader`, `reservedPrefixes` and `maxCapabilityHops`, as the core defines them.
#[napi]
pub fn capability_constants() -> JsCapabilityConstants {
    JsCapabilityConstants {
        rpc_where_header: RPC_WHERE_HEADER.to_owned(),
        reserved_prefixes: RESERVED_PREFIXES.iter().map(|p| p.to_string()).collect(),
        max_capability_hops: u32::from(MAX_CAPABILITY_HOPS),
    }
}

/// The canonical wire JSON `{"tags", "metadata"}` of a capability set
/// given as JSON in any accepted shape (typed `hardware` / `software` /
/// `models` sections become tags). `invalid_json` on a bad shape.
#[napi]
pub fn normalize_capabilities(caps_json: String) -> Result<String> {
    Ok(caps_of(&caps_json)?.to_json())
}

#[derive(Serialize)]
struct Views {
    hardware: net_sdk::capabilities::HardwareCapabilities,
    software: net_sdk::capabilities::SoftwareCapabilities,
    models: Vec<net_sdk::capabilities::ModelCapability>,
    scope: CapabilityScope,
}

/// The typed axes and resolved scope of a capability set, as JSON
/// `{"hardware", "software", "models", "scope"}`.
#[napi]
pub fn capability_views(caps_json: String) -> Result<String> {
    let caps = caps_of(&caps_json)?;
    let v = caps.views();
    Ok(to_json(&Views { hardware: v.hardware().clone(), software: v.software().clone(), models: v.models().to_vec(), scope: v.scope().clone() }))
}

/// A tag from untrusted text (trimmed): `invalid_tag` when empty, too
/// long, with control characters or a reserved prefix.
#[napi]
pub fn tag_from_user_string(text: String) -> Result<String> {
    Ok(Tag::from_user_string(&text).map_err(fail)?.to_string())
}

/// The canonical JSON of a predicate (checked: `invalid_predicate`).
#[napi]
pub fn predicate_to_json(predicate_json: String) -> Result<String> {
    predicate_of(&predicate_json)?.to_json().map_err(fail)
}

/// Whether the predicate holds for these tags and metadata.
#[napi]
pub fn evaluate_predicate(predicate_json: String, tags: Vec<String>, metadata: Option<HashMap<String, String>>) -> Result<bool> {
    let p = predicate_of(&predicate_json)?;
    let (tags, metadata) = context_parts(tags, metadata);
    Ok(p.evaluate(&EvalContext::new(&tags, &metadata)))
}

#[derive(Serialize)]
struct TraceJson {
    result: bool,
    trace: Vec<ClauseTrace>,
}

/// Evaluate recording every clause: JSON `{"result", "trace": [{"id",
/// "op", "subject"?, "expected"?, "verdict"}]}` (verdict `true` /
/// `false` / `skipped`).
#[napi]
pub fn evaluate_predicate_with_trace(
    predicate_json: String,
    tags: Vec<String>,
    metadata: Option<HashMap<String, String>>,
) -> Result<String> {
    let p = predicate_of(&predicate_json)?;
    let (tags, metadata) = context_parts(tags, metadata);
    let (result, trace) = p.evaluate_with_trace(&EvalContext::new(&tags, &metadata));
    Ok(to_json(&TraceJson { result, trace: trace.clauses }))
}

/// The `net-where` header value of a predicate: base64url (no padding)
/// of its canonical JSON.
#[napi]
pub fn predicate_to_rpc_header(predicate_json: String) -> Result<String> {
    let (_, value) = predicate::predicate_to_rpc_header(&predicate_of(&predicate_json)?).map_err(fail)?;
    Ok(String::from_utf8(value).expect("base64url is ASCII"))
}

/// Decode a `net-where` header value (text or bytes) to the predicate's
/// canonical JSON; `invalid_header` when malformed.
#[napi]
pub fn predicate_from_rpc_header(value: Either<String, Buffer>) -> Result<String> {
    let raw: &[u8] = match &value {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    };
    predicate::predicate_from_rpc_header(raw).map_err(fail)?.to_json().map_err(fail)
}

#[derive(Serialize)]
struct ReportJson<'a> {
    valid: bool,
    errors: &'a [SchemaError],
}

/// Validate a capability set: JSON `{"valid", "errors": [{"kind", ...}]}`.
#[napi]
pub fn validate_capabilities(caps_json: String) -> Result<String> {
    let report = schema::validate_capabilities(&caps_of(&caps_json)?);
    Ok(to_json(&ReportJson { valid: report.is_valid(), errors: &report.errors }))
}

/// What changed from `prev` to `next`: JSON `{"added_tags",
/// "removed_tags", "metadata": [{"kind", "key", ...}]}`.
#[napi]
pub fn diff_capabilities(prev_json: String, next_json: String) -> Result<String> {
    let (prev, next) = (caps_of(&prev_json)?, caps_of(&next_json)?);
    Ok(to_json(&next.diff(&prev)))
}

/// Profile a predicate over a corpus: JSON `{"total", "matched",
/// "clauses": [{"id", "op", "subject"?, "expected"?, "evaluated",
/// "true_count", "false_count", "skipped"}]}`.
#[napi]
pub fn predicate_debug_report(predicate_json: String, contexts: Vec<JsEvalContext>) -> Result<String> {
    let p = predicate_of(&predicate_json)?;
    let parts: Vec<_> = contexts.into_iter().map(|c| context_parts(c.tags, c.metadata)).collect();
    let report = PredicateDebugReport::from_evaluations(&p, parts.iter().map(|(t, m)| EvalContext::new(t, m)));
    Ok(to_json(&report))
}

/// A report (JSON) with the expected values of `metadata_equals` clauses
/// on `keys` replaced by `"<redacted>"`.
#[napi]
pub fn redact_metadata_keys(report_json: String, keys: Vec<String>) -> Result<String> {
    let report: PredicateDebugReport = parse(&report_json, "debug report")?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    Ok(to_json(&predicate::redact_metadata_keys(&report, &keys)))
}

/// A report (JSON) as a plain-text table, one clause per line.
#[napi]
pub fn render_debug_report(report_json: String) -> Result<String> {
    Ok(parse::<PredicateDebugReport>(&report_json, "debug report")?.render())
}

/// `caps` (JSON) plus the presence tag `<axis>.<key>`, as canonical JSON.
#[napi]
pub fn require_tag(caps_json: String, axis: String, key: String) -> Result<String> {
    let axis = TaxonomyAxis::parse(&axis).map_err(fail)?;
    Ok(to_json(&caps_of(&caps_json)?.require_tag(axis, &key)))
}

/// `caps` (JSON) with `<axis>.<key>=<value>` replacing earlier values of
/// that path, as canonical JSON.
#[napi]
pub fn require_axis_value(caps_json: String, axis: String, key: String, value: String) -> Result<String> {
    let axis = TaxonomyAxis::parse(&axis).map_err(fail)?;
    Ok(to_json(&caps_of(&caps_json)?.require_axis_value(axis, &key, &value)))
}

/// Tags as a set with no metadata, for the scope builders.
fn tag_set(tags: Vec<String>) -> CapabilitySet {
    CapabilitySet::from_parts(tags.into_iter().map(Tag::parse), BTreeMap::new())
}

fn tag_strings(set: &CapabilitySet) -> Vec<String> {
    set.tags().iter().map(|t| t.as_str().to_owned()).collect()
}

/// `tags` plus `scope:tenant:<tenant>` (once).
#[napi]
pub fn with_tenant_scope(tags: Vec<String>, tenant: String) -> Vec<String> {
    tag_strings(&tag_set(tags).with_tenant_scope(&tenant))
}

/// `tags` plus `scope:region:<region>` (once).
#[napi]
pub fn with_region_scope(tags: Vec<String>, region: String) -> Vec<String> {
    tag_strings(&tag_set(tags).with_region_scope(&region))
}

/// `tags` plus `scope:subnet-local` (once).
#[napi]
pub fn with_subnet_local_scope(tags: Vec<String>) -> Vec<String> {
    tag_strings(&tag_set(tags).with_subnet_local_scope())
}

/// The scope these tags resolve to: JSON `{"kind": "global" |
/// "subnetLocal"}`, `{"kind": "tenants", "tenants"}`, `{"kind": "regions", "regions"}`.
#[napi]
pub fn capability_scope(tags: Vec<String>) -> String {
    let tags: Vec<Tag> = tags.into_iter().map(Tag::parse).collect();
    to_json(&CapabilityScope::resolve(&tags))
}

/// Whether a query under `scopeFilterJson` admits a candidate whose scope
/// is `scopeJson`, `sameSubnet` saying whether it sits in the querier's subnet.
#[napi]
pub fn scope_admits(scope_filter_json: String, scope_json: String, same_subnet: bool) -> Result<bool> {
    let filter: ScopeFilterSpec = parse(&scope_filter_json, "scope filter")?;
    let scope: CapabilityScope = parse(&scope_json, "scope")?;
    Ok(filter.as_filter().admits(&scope, same_subnet))
}

/// The subnet a policy (JSON `{"rules": [{"tag_prefix", "level",
/// "values"}]}`) derives from these tags: JSON `{"levels": [...]}`.
#[napi]
pub fn derive_subnet(policy_json: String, tags: Vec<String>) -> Result<String> {
    let policy = SubnetPolicy::from_json(&policy_json).map_err(fail)?;
    let tags: Vec<Tag> = tags.into_iter().map(Tag::parse).collect();
    Ok(to_json(&policy.assign_tags(&tags)))
}

/// A signed capability announcement and its parts.
#[napi(object)]
pub struct JsCapabilityAnnouncement {
    /// The origin node id.
    pub origin: BigInt,
    /// The signer's 32-byte entity id.
    pub entity_id: Buffer,
    /// The announcement version.
    pub version: BigInt,
    /// Time to live at receivers, seconds.
    pub ttl_secs: u32,
    /// Links travelled (outside the signed part).
    pub hop_count: u32,
    /// The canonical wire JSON of the capabilities.
    pub capabilities: String,
    /// The signed body.
    pub signed_bytes: Buffer,
    /// What the signature covers (domain tag + body).
    pub signing_message: Buffer,
    /// The 64-byte ed25519 signature.
    pub signature: Buffer,
    /// The whole message as it travels.
    pub wire: Buffer,
}

impl From<&CapabilityAnnouncement> for JsCapabilityAnnouncement {
    fn from(a: &CapabilityAnnouncement) -> Self {
        JsCapabilityAnnouncement {
            origin: BigInt::from(a.origin()),
            entity_id: a.entity_id().as_bytes().to_vec().into(),
            version: BigInt::from(a.version()),
            ttl_secs: a.ttl_secs(),
            hop_count: u32::from(a.hop_count),
            capabilities: a.capabilities().to_json(),
            signed_bytes: a.signed_bytes().to_vec().into(),
            signing_message: a.signing_message().into(),
            signature: a.signature().to_vec().into(),
            wire: a.to_bytes().into(),
        }
    }
}

/// Sign an announcement of `capsJson` with the identity of the 32-byte
/// `seed` (byte-identical to every face's).
#[napi]
pub fn sign_capability_announcement(
    seed: Buffer,
    caps_json: String,
    version: BigInt,
    ttl_secs: u32,
    hop_count: u32,
) -> Result<JsCapabilityAnnouncement> {
    let identity = Identity::from_seed_slice(&seed).map_err(fail)?;
    let hops = u8::try_from(hop_count).map_err(|_| fail(CapabilityError::HopLimit(u8::MAX)))?;
    let a = CapabilityAnnouncement::sign(&identity, caps_of(&caps_json)?, u64_of(&version, "version")?, Duration::from_secs(ttl_secs.into()))
        .map_err(fail)?
        .with_hop_count(hops);
    Ok(JsCapabilityAnnouncement::from(&a))
}

/// Decode and verify announcement bytes as a receiver does: the
/// signature and that the signer derives the origin. Throws the
/// rejection's kind (`malformed_announcement`, `unsupported_version`,
/// `invalid_signature`, `origin_mismatch`, `announcement_too_large`).
#[napi]
pub fn verify_capability_announcement(wire: Buffer) -> Result<JsCapabilityAnnouncement> {
    let a = CapabilityAnnouncement::from_bytes(&wire).map_err(fail)?;
    a.verify().map_err(fail)?;
    Ok(JsCapabilityAnnouncement::from(&a))
}
