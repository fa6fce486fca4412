//! Writes the capability golden vectors in `tests/vectors/capabilities/`
//! (announcements, capability sets, predicates, scopes, subnets).
//!
//! Run: `cargo run -p net-mesh-sdk --example gen_capability_vectors`.
//! Deterministic (fixed seeds and versions, ed25519's deterministic
//! signatures): re-running must leave the files unchanged.
//! `core/tests/it/capability_vectors.rs` checks them against the library.

use std::path::PathBuf;
use std::time::Duration;

use net_sdk::capabilities::predicate::{predicate_to_rpc_header, EvalContext, Predicate};
use net_sdk::capabilities::{
    pred, validate_capabilities, CapabilityAnnouncement, CapabilityScope, CapabilitySet, GpuInfo, GpuVendor,
    HardwareCapabilities, ModelCapability, ScopeFilterSpec, SoftwareCapabilities, Tag,
};
use net_sdk::subnets::{SubnetPolicy, SubnetRule};
use net_sdk::Identity;
use serde_json::{json, Value};

fn write(name: &str, value: Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/capabilities");
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = serde_json::to_string_pretty(&value).unwrap();
    text.push('\n');
    std::fs::write(dir.join(name), text).unwrap();
}

fn full_set() -> CapabilitySet {
    CapabilitySet::new()
        .with_hardware(HardwareCapabilities::new().with_cpu(16, 32).with_memory(64).with_gpu(GpuInfo::new(GpuVendor::Nvidia, "RTX 4090", 24)))
        .with_software(SoftwareCapabilities::new().with_os("linux").with_arch("x86_64").with_runtime("cuda", "12.4"))
        .with_model(ModelCapability::new("llama-3.1-70b").with_family("llama").with_context_length(128_000))
        .add_tag("gpu")
        .add_tag("model:llama3-70b")
        .with_tenant_scope("oem-123")
        .with_metadata("intent", "ml-training")
        .with_metadata("owner", "ops")
}

fn announcements() -> Value {
    let mut valid = Vec::new();
    /// (name, seed, set, version, ttl secs, hop count)
    type Spec = (&'static str, [u8; 32], CapabilitySet, u64, u32, u8);
    let specs: [Spec; 3] = [
        ("empty", [0x42; 32], CapabilitySet::new(), 1, 300, 0),
        ("full", [0x42; 32], full_set(), 1_700_000_000_000_000, 300, 0),
        ("forwarded", core::array::from_fn(|i| i as u8), CapabilitySet::new().add_tag("region:us").add_tag("fleet:blue"), 7, 60, 3),
    ];
    for (name, seed, caps, version, ttl, hops) in specs {
        let id = Identity::from_seed(seed);
        let a = CapabilityAnnouncement::sign(&id, caps.clone(), version, Duration::from_secs(u64::from(ttl))).unwrap().with_hop_count(hops);
        valid.push(json!({
            "name": name,
            "seed": hex::encode(seed),
            "capabilities": serde_json::to_value(&caps).unwrap(),
            "version": version.to_string(),
            "ttl_secs": ttl,
            "hop_count": hops,
            "origin": id.node_id().to_string(),
            "origin_hex": format!("{:016x}", id.node_id()),
            "entity_id": hex::encode(id.entity_id().as_bytes()),
            "signed_bytes": hex::encode(a.signed_bytes()),
            "signing_message": hex::encode(a.signing_message()),
            "signature": hex::encode(a.signature()),
            "wire": hex::encode(a.to_bytes()),
        }));
    }
    let base = CapabilityAnnouncement::sign(&Identity::from_seed([0x42; 32]), CapabilitySet::new().add_tag("gpu"), 5, Duration::from_secs(300))
        .unwrap()
        .to_bytes();
    let edit = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut w = base.clone();
        f(&mut w);
        hex::encode(w)
    };
    let other = Identity::from_seed([0xff; 32]);
    let invalid = vec![
        json!({"name": "empty", "wire": "", "kind": "malformed_announcement"}),
        json!({"name": "unknown_message_type", "wire": edit(&|w| w[0] = 2), "kind": "malformed_announcement"}),
        json!({"name": "truncated", "wire": edit(&|w| { w.pop(); }), "kind": "malformed_announcement"}),
        json!({"name": "trailing_byte", "wire": edit(&|w| w.push(0)), "kind": "malformed_announcement"}),
        json!({"name": "format_version_2", "wire": edit(&|w| w[6] = 2), "kind": "unsupported_version"}),
        json!({"name": "tampered_tag", "wire": edit(&|w| { let n = w.len(); w[n - 64 - 3] = b'x'; }), "kind": "invalid_signature"}),
        json!({"name": "tampered_version", "wire": edit(&|w| w[47] ^= 1), "kind": "invalid_signature"}),
        json!({"name": "bad_signature", "wire": edit(&|w| { let n = w.len(); w[n - 1] ^= 0x80; }), "kind": "invalid_signature"}),
        json!({"name": "origin_not_signer", "wire": edit(&|w| w[7] ^= 1), "kind": "origin_mismatch"}),
        json!({"name": "entity_swapped", "wire": edit(&|w| {
            w[7..15].copy_from_slice(&other.node_id().to_le_bytes());
            w[15..47].copy_from_slice(other.entity_id().as_bytes());
        }), "kind": "invalid_signature"}),
        json!({"name": "zero_ttl", "wire": edit(&|w| w[55..59].copy_from_slice(&[0; 4])), "kind": "malformed_announcement"}),
    ];
    json!({ "valid": valid, "invalid": invalid })
}

fn capability_sets() -> Value {
    let inputs = [
        ("wire_shape", r#"{"tags":["gpu","prod"],"metadata":{"zone":"a"}}"#),
        (
            "typed_sections",
            r#"{"hardware":{"cpu_cores":16,"cpu_threads":32,"memory_gb":64,"gpu":{"vendor":"nvidia","model":"h100","vram_gb":80}},
                "software":{"os":"linux","runtimes":{"cuda":"12.4"}},
                "models":[{"model_id":"llama-3.1-70b","family":"llama","context_length":128000}],
                "tags":["gpu","prod"],"metadata":{"intent":"ml-training"}}"#,
        ),
        ("duplicate_tags", r#"{"tags":["a","b","a"]}"#),
        ("schema_errors", r#"{"tags":["hardwre.gpu","hardware.memroy_gb=64","hardware.cpu_cores=many","scope:tenant:","hardware.gpu=yes"]}"#),
    ];
    let mut cases = Vec::new();
    for (name, input) in inputs {
        let set = CapabilitySet::from_json(input).unwrap();
        let report = validate_capabilities(&set);
        cases.push(json!({
            "name": name,
            "input": serde_json::from_str::<Value>(input).unwrap(),
            "wire": set.to_json(),
            "hardware": serde_json::to_value(set.hardware()).unwrap(),
            "software": serde_json::to_value(set.software()).unwrap(),
            "models": serde_json::to_value(set.models()).unwrap(),
            "scope": serde_json::to_value(set.scope()).unwrap(),
            "errors": serde_json::to_value(&report.errors).unwrap(),
        }));
    }
    let invalid = vec![
        json!({"name": "unknown_key", "input": r#"{"tagz":[]}"#, "kind": "invalid_json"}),
        json!({"name": "not_json", "input": "{", "kind": "invalid_json"}),
        json!({"name": "bad_vendor", "input": r#"{"hardware":{"gpu":{"vendor":"acme"}}}"#, "kind": "invalid_json"}),
    ];
    json!({ "cases": cases, "invalid": invalid })
}

fn predicates() -> Value {
    let preds = vec![
        ("seed_example", pred!(and [
            pred!(exists "hardware.gpu"),
            pred!(num_at_least "hardware.memory_gb", 64.0),
            pred!(metadata_equals "intent", "ml-training"),
        ])),
        ("or_not", pred!(or [pred!(not pred!(equals "software.os", "linux")), pred!(tag_prefix "model:")])),
        ("numbers", pred!(and [pred!(num_between "hardware.gpu_vram_mb", 16384.0, 81920.5), pred!(num_at_most "hardware.cpu_cores", 64.0)])),
        ("empty_and", Predicate::and(vec![])),
        ("five_clause_and", pred!(and [
            pred!(exists "hardware.gpu"),
            pred!(equals "software.os", "linux"),
            pred!(num_at_least "hardware.memory_gb", 32.0),
            pred!(tag_prefix "model:"),
            pred!(metadata_equals "intent", "ml-training"),
        ])),
    ];
    let contexts: Vec<(Vec<Tag>, std::collections::BTreeMap<String, String>)> = vec![
        (full_set().tags().to_vec(), full_set().metadata().clone()),
        (vec![Tag::parse("hardware.gpu"), Tag::parse("hardware.memory_gb=32"), Tag::parse("software.os=windows")], Default::default()),
        (vec![], [("intent".to_owned(), "ml-training".to_owned())].into()),
    ];
    let mut cases = Vec::new();
    for (name, p) in preds {
        let (_, header) = predicate_to_rpc_header(&p).unwrap();
        let evals: Vec<Value> = contexts
            .iter()
            .map(|(tags, meta)| {
                let (result, trace) = p.evaluate_with_trace(&EvalContext::new(tags, meta));
                json!({
                    "tags": tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                    "metadata": meta,
                    "result": result,
                    "trace": trace.clauses.iter().map(|c| json!({"id": c.clause.id, "op": c.clause.op, "verdict": c.verdict})).collect::<Vec<_>>(),
                })
            })
            .collect();
        cases.push(json!({
            "name": name,
            "json": p.to_json().unwrap(),
            "header_name": "net-where",
            "header_value": String::from_utf8(header).unwrap(),
            "evaluations": evals,
        }));
    }
    let invalid = vec![
        json!({"name": "not_base64url", "header_value": "e30=", "kind": "invalid_header"}),
        json!({"name": "bad_character", "header_value": "a+b/", "kind": "invalid_header"}),
        json!({"name": "empty_object", "header_value": "e30", "kind": "invalid_header"}),
        json!({"name": "unknown_op", "header_value": "eyJvcCI6Im5vcGUifQ", "kind": "invalid_header"}),
        json!({"name": "missing_path", "header_value": "eyJvcCI6ImV4aXN0cyJ9", "kind": "invalid_header"}),
        json!({"name": "between_min_over_max", "header_value": base64url(r#"{"op":"num_between","path":"x","min":2,"max":1}"#), "kind": "invalid_header"}),
    ];
    json!({ "cases": cases, "invalid": invalid })
}

fn base64url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn scopes() -> Value {
    let tag_lists: Vec<Vec<&str>> = vec![
        vec![],
        vec!["gpu"],
        vec!["scope:tenant:oem-123"],
        vec!["scope:tenant:a", "scope:tenant:b", "scope:tenant:a"],
        vec!["scope:region:eu", "scope:region:us"],
        vec!["scope:region:eu", "scope:tenant:a"],
        vec!["scope:tenant:a", "scope:subnet-local", "scope:region:eu"],
        vec!["scope:tenant:", "scope:region:", "scope:other"],
    ];
    let resolution: Vec<Value> = tag_lists
        .iter()
        .map(|tags| {
            let tags: Vec<Tag> = tags.iter().map(|t| Tag::parse(*t)).collect();
            json!({"tags": tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(), "scope": CapabilityScope::resolve(&tags)})
        })
        .collect();
    let scopes = [
        CapabilityScope::Global,
        CapabilityScope::SubnetLocal,
        CapabilityScope::Tenants { tenants: vec!["a".into(), "b".into()] },
        CapabilityScope::Regions { regions: vec!["eu".into()] },
    ];
    let filters = [
        ScopeFilterSpec::Any,
        ScopeFilterSpec::GlobalOnly,
        ScopeFilterSpec::SameSubnet,
        ScopeFilterSpec::Tenant { tenant: "a".into() },
        ScopeFilterSpec::Tenant { tenant: "z".into() },
        ScopeFilterSpec::Tenants { tenants: vec!["z".into(), "b".into()] },
        ScopeFilterSpec::Region { region: "eu".into() },
        ScopeFilterSpec::Regions { regions: vec!["us".into()] },
    ];
    let mut visibility = Vec::new();
    for f in &filters {
        for s in &scopes {
            for same in [true, false] {
                visibility.push(json!({"filter": f, "scope": s, "same_subnet": same, "admits": f.as_filter().admits(s, same)}));
            }
        }
    }
    json!({ "resolution": resolution, "visibility": visibility })
}

fn subnets() -> Value {
    let policy = SubnetPolicy::new()
        .add_rule(SubnetRule::new("region:", 0).map("us", 3).map("eu", 4))
        .add_rule(SubnetRule::new("fleet:", 1).map("blue", 7).map("green", 8))
        .add_rule(SubnetRule::new("rack:", 3).map("r1", 1).map("r2", 200));
    let tag_lists: Vec<Vec<&str>> = vec![
        vec!["region:us", "fleet:blue"],
        vec!["fleet:green", "region:eu"],
        vec!["region:mars"],
        vec!["rack:r2"],
        vec!["region:eu", "region:us", "fleet:blue", "rack:r1"],
        vec!["gpu"],
    ];
    let cases: Vec<Value> = tag_lists
        .iter()
        .map(|tags| {
            let tags: Vec<Tag> = tags.iter().map(|t| Tag::parse(*t)).collect();
            let id = policy.assign_tags(&tags);
            json!({
                "tags": tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "subnet": id,
                "u32": id.as_u32(),
                "display": id.to_string(),
            })
        })
        .collect();
    json!({ "policy": policy, "cases": cases })
}

fn main() {
    write("announcements.json", announcements());
    write("capability_sets.json", capability_sets());
    write("predicates.json", predicates());
    write("scopes.json", scopes());
    write("subnets.json", subnets());
    println!("wrote tests/vectors/capabilities/*.json");
}
