//! Emit-to-stored throughput from one producer under the default
//! configuration, the way a new user would write it: `N` distinct events
//! (`{"i":N}`, 7–16 bytes) emitted in a tight loop, then `flush`, then the
//! stored count checked against what was emitted. Prints the rate, the
//! drops (a run with any is reported as such, never as throughput) and
//! the process's RSS per million retained events.
//!
//! `cargo run --release --example sustained -- [events] [workers]`

use std::time::Instant;

use net_sdk::Net;

#[path = "../benches/support/event.rs"]
mod support;
use support::event;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = status.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map(|s| s.parse().expect("an event count")).unwrap_or(10_000_000);
    let workers: usize = args.next().map(|s| s.parse().expect("a worker count")).unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build().unwrap();
    let net = rt.block_on(Net::builder().build()).unwrap();
    let rss_before = rss_bytes();
    let mut buf = [0u8; 32];
    let start = Instant::now();
    for i in 0..n {
        let len = event(&mut buf, i);
        net.emit_raw_copy(&buf[..len]).unwrap();
    }
    let emitted = start.elapsed();
    rt.block_on(net.flush()).unwrap();
    let stored_at = start.elapsed();
    let stats = net.stats();
    let stored: u64 = (0..net.shards()).map(|s| net.bus().backend().tail(s)).sum();
    let retained: u64 = stored.min(4 << 20);
    let rss = rss_bytes().saturating_sub(rss_before);
    if stats.events_dropped > 0 || stored != n {
        println!("DROPPED: {} of {n} events lost ({} stored)", stats.events_dropped, stored);
    } else {
        println!(
            "{n} events stored: {:.2} M/s emit-to-stored ({:.2} M/s accepted), RSS {:.1} MiB per million retained",
            n as f64 / stored_at.as_secs_f64() / 1e6,
            n as f64 / emitted.as_secs_f64() / 1e6,
            rss as f64 / (retained as f64 / 1e6) / (1 << 20) as f64
        );
    }
    rt.block_on(net.shutdown()).unwrap();
}
