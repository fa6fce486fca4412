//! A paced producer against `FailProducer` rings: how many emits a full
//! ring refused at a steady 200 k events/s per shard.
//!
//! The stall this watches for: a producer far below the drain's speed (as
//! a Python loop is) still overflowed 8,192-slot rings when some shard went
//! undrained for tens of milliseconds. Whether a ring fills at a given pace
//! depends on how much CPU the drainers get, so it is measured here, on a
//! quiet machine, not asserted in a test (`tests/it/bus_lossless.rs` holds the
//! deterministic part: no shard is left undrained while another is busy).
//!
//! Prints one line per round, counting the events polled back from the
//! log; a round that lost any says so.

use std::time::{Duration, Instant};

use net_sdk::{Backpressure, Net, PollRequest};

const PER_SHARD_RATE: u64 = 200_000;
const SHARDS: u64 = 4;
const BURST: u64 = 64;
const ROUNDS: usize = 3;

/// Events a poll from the start finds: what reached the log.
async fn stored(net: &Net) -> u64 {
    let (mut n, mut cursor) = (0u64, None);
    loop {
        let page = net.poll(PollRequest { limit: 100_000, cursor }).await.unwrap();
        n += page.events.len() as u64;
        if !page.has_more {
            return n;
        }
        cursor = Some(page.next_id);
    }
}

/// One second of emits at the pace; returns (emitted, refused, stored).
fn round(rt: &tokio::runtime::Runtime) -> (u64, u64, u64) {
    let net = rt.block_on(Net::builder().shards(SHARDS as u16).backpressure(Backpressure::FailProducer).build()).unwrap();
    let producer = net.clone();
    let interval = Duration::from_nanos(1_000_000_000 * BURST / (PER_SHARD_RATE * SHARDS));
    let (emitted, refused) = std::thread::spawn(move || {
        let start = Instant::now();
        let (mut i, mut refused) = (0u64, 0u64);
        for burst in 0..(PER_SHARD_RATE * SHARDS / BURST) {
            while start.elapsed() < interval * burst as u32 {
                std::hint::spin_loop();
            }
            for _ in 0..BURST {
                if producer.emit_raw_copy(format!("{{\"i\":{i}}}").as_bytes()).is_err() {
                    refused += 1;
                }
                i += 1;
            }
        }
        (i, refused)
    })
    .join()
    .unwrap();
    rt.block_on(net.flush()).unwrap();
    let stored = rt.block_on(stored(&net));
    rt.block_on(net.shutdown()).unwrap();
    (emitted, refused, stored)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another bench skips this one.
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"bus_paced".contains(a.as_str())) {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("bus_paced: {SHARDS} shards, {PER_SHARD_RATE} events/s per shard for 1 s, FailProducer, 2 runtime workers");
    for r in 1..=ROUNDS {
        let (emitted, refused, stored) = round(&rt);
        let verdict = if stored == emitted { "nothing lost".to_string() } else { format!("LOST {} ({refused} refused by a full ring)", emitted - stored) };
        println!("  round {r}: {emitted} emitted, {stored} stored (polled back): {verdict}");
    }
}
