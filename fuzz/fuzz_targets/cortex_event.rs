//! CortEX events folded from RedEX files (written by any producer): the
//! decoders must never panic, and an event that decodes re-encodes byte for
//! byte (the encoding is canonical, so no two byte strings mean one event).
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::cortex::internals::{reencode_memory_event, reencode_task_event};

fuzz_target!(|data: &[u8]| {
    if let Some(again) = reencode_task_event(data) {
        assert_eq!(again, data);
    }
    if let Some(again) = reencode_memory_event(data) {
        assert_eq!(again, data);
    }
});
