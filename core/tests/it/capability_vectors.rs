//! Checks the library against `tests/vectors/capabilities/*.json`, byte
//! for byte: signed announcement bytes, capability JSON, predicate JSON and
//! `net-where` header values, scope resolution and visibility, subnet
//! derivation. The same files are loaded by the C, Node, Python and Go
//! suites. Regenerate with `cargo run -p net-mesh-sdk --example gen_capability_vectors`.

use std::collections::BTreeMap;
use std::time::Duration;

use net_sdk::capabilities::predicate::{predicate_from_rpc_header, predicate_to_rpc_header, EvalContext, Predicate};
use net_sdk::capabilities::{
    validate_capabilities, CapabilityAnnouncement, CapabilityScope, CapabilitySet, ScopeFilterSpec, Tag,
};
use net_sdk::subnets::{SubnetId, SubnetPolicy};
use net_sdk::Identity;
use serde_json::Value;

fn load(file: &str) -> Value {
    crate::common::load_vectors(&format!("capabilities/{file}"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    crate::common::vector_str(v, key)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("{key} is an array in {v}"))
}

fn tags_of(v: &Value) -> Vec<Tag> {
    arr(v, "tags").iter().map(|t| Tag::parse(t.as_str().unwrap())).collect()
}

#[test]
fn announcement_vectors() {
    let file = load("announcements.json");
    let valid = arr(&file, "valid");
    assert!(valid.len() >= 3);
    for case in valid {
        let seed: [u8; 32] = hex::decode(s(case, "seed")).unwrap().try_into().unwrap();
        let id = Identity::from_seed(seed);
        let caps: CapabilitySet = serde_json::from_value(case["capabilities"].clone()).unwrap();
        let version: u64 = s(case, "version").parse().unwrap();
        let ttl = case["ttl_secs"].as_u64().unwrap();
        let hops = case["hop_count"].as_u64().unwrap() as u8;
        let a = CapabilityAnnouncement::sign(&id, caps.clone(), version, Duration::from_secs(ttl)).unwrap().with_hop_count(hops);
        assert_eq!(hex::encode(a.signed_bytes()), s(case, "signed_bytes"), "{}", s(case, "name"));
        assert_eq!(hex::encode(a.signing_message()), s(case, "signing_message"));
        assert_eq!(hex::encode(a.signature()), s(case, "signature"));
        assert_eq!(hex::encode(a.to_bytes()), s(case, "wire"));
        assert_eq!(a.origin().to_string(), s(case, "origin"));
        assert_eq!(format!("{:016x}", a.origin()), s(case, "origin_hex"));
        assert_eq!(hex::encode(a.entity_id().as_bytes()), s(case, "entity_id"));
        let back = CapabilityAnnouncement::from_bytes(&hex::decode(s(case, "wire")).unwrap()).unwrap();
        back.verify().unwrap();
        assert_eq!((back.capabilities(), back.version(), back.hop_count), (&caps, version, hops));
        assert_eq!(u64::from(back.ttl_secs()), ttl);
    }
    for case in arr(&file, "invalid") {
        let wire = hex::decode(s(case, "wire")).unwrap();
        let got = CapabilityAnnouncement::from_bytes(&wire).and_then(|a| a.verify());
        assert_eq!(got.unwrap_err().kind(), s(case, "kind"), "{}", s(case, "name"));
    }
}

#[test]
fn capability_set_vectors() {
    let file = load("capability_sets.json");
    for case in arr(&file, "cases") {
        let name = s(case, "name");
        let set = CapabilitySet::from_json(&case["input"].to_string()).unwrap();
        assert_eq!(set.to_json(), s(case, "wire"), "{name}");
        assert_eq!(CapabilitySet::from_json(s(case, "wire")).unwrap(), set);
        assert_eq!(serde_json::to_value(set.hardware()).unwrap(), case["hardware"], "{name}");
        assert_eq!(serde_json::to_value(set.software()).unwrap(), case["software"], "{name}");
        assert_eq!(serde_json::to_value(set.models()).unwrap(), case["models"], "{name}");
        assert_eq!(serde_json::to_value(set.scope()).unwrap(), case["scope"], "{name}");
        assert_eq!(serde_json::to_value(validate_capabilities(&set).errors).unwrap(), case["errors"], "{name}");
    }
    for case in arr(&file, "invalid") {
        assert_eq!(CapabilitySet::from_json(s(case, "input")).unwrap_err().kind(), s(case, "kind"), "{}", s(case, "name"));
    }
}

#[test]
fn predicate_vectors() {
    let file = load("predicates.json");
    for case in arr(&file, "cases") {
        let name = s(case, "name");
        let p = Predicate::from_json(s(case, "json")).unwrap();
        assert_eq!(p.to_json().unwrap(), s(case, "json"), "{name}");
        let (hname, value) = predicate_to_rpc_header(&p).unwrap();
        assert_eq!((hname.as_str(), value.as_slice()), (s(case, "header_name"), s(case, "header_value").as_bytes()), "{name}");
        assert_eq!(predicate_from_rpc_header(s(case, "header_value").as_bytes()).unwrap(), p);
        for e in arr(case, "evaluations") {
            let tags = tags_of(e);
            let meta: BTreeMap<String, String> = serde_json::from_value(e["metadata"].clone()).unwrap();
            let ctx = EvalContext::new(&tags, &meta);
            let (result, trace) = p.evaluate_with_trace(&ctx);
            assert_eq!(Value::Bool(result), e["result"], "{name}");
            assert_eq!(p.evaluate(&ctx), result);
            let got: Vec<Value> = trace
                .clauses
                .iter()
                .map(|c| serde_json::json!({"id": c.clause.id, "op": c.clause.op, "verdict": c.verdict}))
                .collect();
            assert_eq!(Value::Array(got), e["trace"], "{name}");
        }
    }
    for case in arr(&file, "invalid") {
        let got = predicate_from_rpc_header(s(case, "header_value").as_bytes());
        assert_eq!(got.unwrap_err().kind(), s(case, "kind"), "{}", s(case, "name"));
    }
}

#[test]
fn scope_vectors() {
    let file = load("scopes.json");
    for case in arr(&file, "resolution") {
        let want: CapabilityScope = serde_json::from_value(case["scope"].clone()).unwrap();
        assert_eq!(CapabilityScope::resolve(&tags_of(case)), want, "{case}");
    }
    let cases = arr(&file, "visibility");
    assert_eq!(cases.len(), 8 * 4 * 2);
    for case in cases {
        let filter: ScopeFilterSpec = serde_json::from_value(case["filter"].clone()).unwrap();
        let scope: CapabilityScope = serde_json::from_value(case["scope"].clone()).unwrap();
        let same = case["same_subnet"].as_bool().unwrap();
        assert_eq!(Value::Bool(filter.as_filter().admits(&scope, same)), case["admits"], "{case}");
    }
}

#[test]
fn subnet_vectors() {
    let file = load("subnets.json");
    let policy = SubnetPolicy::from_json(&file["policy"].to_string()).unwrap();
    for case in arr(&file, "cases") {
        let id = policy.assign_tags(&tags_of(case));
        let want: SubnetId = serde_json::from_value(case["subnet"].clone()).unwrap();
        assert_eq!(id, want, "{case}");
        assert_eq!(serde_json::to_value(id).unwrap(), case["subnet"]);
        assert_eq!(Value::from(id.as_u32()), case["u32"]);
        assert_eq!(id.to_string(), s(case, "display"));
    }
}
