//! Capability sets, predicates and announcements without a mesh:
//! property tests (predicate JSON and header round trips, announcement
//! decoding of arbitrary bytes) and typed errors for bad input.

use std::collections::BTreeMap;
use std::time::Duration;

use net_sdk::capabilities::predicate::{predicate_from_rpc_header, predicate_to_rpc_header, EvalContext, Predicate};
use net_sdk::capabilities::{pred, validate_capabilities, CapabilityAnnouncement, CapabilityIndex, CapabilitySet, Tag};
use net_sdk::Identity;
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = Predicate> {
    let path = "[a-z]{1,6}(\\.[a-z_]{1,8})?";
    let num = prop_oneof![(-1_000_000i64..1_000_000).prop_map(|n| n as f64), (-1e6f64..1e6f64)];
    prop_oneof![
        path.prop_map(Predicate::exists),
        (path, "[ -~]{0,12}").prop_map(|(p, v)| Predicate::equals(p, v)),
        (path, num.clone()).prop_map(|(p, v)| Predicate::at_least(p, v)),
        (path, num.clone()).prop_map(|(p, v)| Predicate::at_most(p, v)),
        (path, num.clone(), num).prop_map(|(p, a, b)| Predicate::between(p, a.min(b), a.max(b))),
        ("[a-z]{1,8}", "\\PC{0,8}").prop_map(|(k, v)| Predicate::metadata_equals(k, v)),
        "[a-z:]{0,8}".prop_map(Predicate::tag_prefix),
    ]
}

fn predicate() -> impl Strategy<Value = Predicate> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Predicate::and),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Predicate::or),
            inner.prop_map(Predicate::not),
        ]
    })
}

fn context() -> impl Strategy<Value = (Vec<Tag>, BTreeMap<String, String>)> {
    (
        proptest::collection::vec("[a-z]{1,6}(\\.[a-z_]{1,8})?(=[0-9a-z.-]{0,6})?".prop_map(Tag::parse), 0..8),
        proptest::collection::btree_map("[a-z]{1,8}", "[a-z]{0,4}", 0..4),
    )
}

proptest! {
    #[test]
    fn predicate_json_and_header_round_trip(p in predicate(), (tags, meta) in context()) {
        let json = p.to_json().unwrap();
        let back = Predicate::from_json(&json).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_json().unwrap(), json);
        let (_, header) = predicate_to_rpc_header(&p).unwrap();
        let decoded = predicate_from_rpc_header(&header).unwrap();
        let ctx = EvalContext::new(&tags, &meta);
        prop_assert_eq!(decoded.evaluate(&ctx), p.evaluate(&ctx));
        let (traced, _) = p.evaluate_with_trace(&ctx);
        prop_assert_eq!(traced, p.evaluate(&ctx));
    }

    #[test]
    fn announcement_decoding_of_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let index = CapabilityIndex::default();
        let _ = index.ingest_bytes(&bytes, 0);
        let s = index.stats();
        prop_assert_eq!(s.received, 1);
    }

    #[test]
    fn mutated_announcements_never_verify_or_panic(at in 0usize..4096, bit in 0u8..8) {
        let id = Identity::from_seed([9; 32]);
        let caps = CapabilitySet::new().add_tag("gpu").add_tag("hardware.memory_gb=64").with_metadata("k", "v");
        let wire = CapabilityAnnouncement::sign(&id, caps, 3, Duration::from_secs(30)).unwrap().to_bytes();
        let at = 6 + at % (wire.len() - 6);
        let mut bad = wire.clone();
        bad[at] ^= 1 << bit;
        let outcome = CapabilityAnnouncement::from_bytes(&bad).and_then(|a| a.verify());
        prop_assert!(outcome.is_err());
    }

    #[test]
    fn header_decoding_of_arbitrary_text_never_panics(text in "[A-Za-z0-9_-]{0,64}") {
        let _ = predicate_from_rpc_header(text.as_bytes());
    }
}

#[test]
fn bad_input_gets_typed_errors() {
    assert_eq!(CapabilitySet::from_json("{").unwrap_err().kind(), "invalid_json");
    assert_eq!(CapabilitySet::from_json(r#"{"hardware":{"cpu_cores":"many"}}"#).unwrap_err().kind(), "invalid_json");
    assert_eq!(Predicate::from_json(r#"{"op":"and","clauses":[{"op":"exists"}]}"#).unwrap_err().kind(), "invalid_predicate");
    assert_eq!(predicate_from_rpc_header(b"not*base64").unwrap_err().kind(), "invalid_header");
    assert_eq!(predicate_from_rpc_header(&vec![b'A'; 10_000]).unwrap_err().kind(), "invalid_header");
    let report = validate_capabilities(&CapabilitySet::new().add_tag("sofware.os=linux").with_metadata("", "x"));
    let kinds: Vec<_> = report.errors.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["unknown_axis", "oversize_metadata"]);
    assert_eq!(CapabilityAnnouncement::from_bytes(&[1, 0, 0, 0, 0, 0]).unwrap_err().kind(), "malformed_announcement");
}

#[test]
fn the_seed_macro_form_evaluates() {
    let caps = CapabilitySet::new().add_tag("hardware.gpu").add_tag("hardware.memory_gb=96").with_metadata("intent", "ml-training");
    let p = pred!(and [
        pred!(exists "hardware.gpu"),
        pred!(num_at_least "hardware.memory_gb", 64.0),
        pred!(metadata_equals "intent", "ml-training"),
    ]);
    assert!(p.evaluate(&EvalContext::from_set(&caps)));
    assert!(!p.evaluate(&EvalContext::from_set(&CapabilitySet::new())));
}
