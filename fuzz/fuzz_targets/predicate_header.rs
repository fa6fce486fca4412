//! `net-where` header values and predicate JSON from a peer: decoding must
//! never panic, and a decoded predicate survives its own round trip
//! (header → predicate → header gives the same predicate) and evaluates.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use net_sdk::capabilities::predicate::{predicate_from_rpc_header, predicate_to_rpc_header, EvalContext, Predicate};
use net_sdk::capabilities::Tag;

fn round_trip(p: &Predicate) {
    let tags = [Tag::parse("hardware.gpu"), Tag::parse("software.os=linux"), Tag::parse("prod")];
    let metadata = BTreeMap::from([("region".to_owned(), "eu".to_owned())]);
    let _ = p.evaluate(&EvalContext::new(&tags, &metadata));
    if let Ok((_, value)) = predicate_to_rpc_header(p) {
        let again = predicate_from_rpc_header(&value).expect("an encoded predicate decodes");
        assert_eq!(&again, p, "header round trip keeps the predicate");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = predicate_from_rpc_header(data) {
        round_trip(&p);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = Predicate::from_json(text) {
            round_trip(&p);
        }
    }
});
