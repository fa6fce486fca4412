//! The MeshOS C ABI as a C daemon pays it.
//!
//! `meshos/deliver_c_vtable_32B`: `net_daemon_deliver` into a daemon whose
//! `process` is a C-ABI function (written here in Rust with `extern "C"`,
//! the same call a C callback gets) that emits its payload back; each
//! iteration checks the one output came back before freeing it, so only
//! answered deliveries count.
//!
//! `meshos/control_round_trip`: `net_daemon_send_control` then
//! `net_meshos_next_control` on the same thread: the event crosses the
//! SDK's supervisor thread (which runs `on_control`) and back. The p50 and
//! p99 printed come from individually timed round trips, back to back and
//! after 1 ms idle (when both ends have parked and the trip pays their
//! wake-ups); the table's figure is criterion's mean.
//!
//! Run: `cargo bench -p net-ffi --bench meshos`.

use std::ffi::{c_int, c_void};
use std::ptr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use net::{
    net_daemon_deliver, net_daemon_outputs_count, net_daemon_outputs_free, net_daemon_send_control,
    net_meshos_handle_daemon_id, net_meshos_handle_free, net_meshos_next_control, net_meshos_process_emit,
    net_meshos_register_daemon_with_vtable, net_meshos_sdk_free, net_meshos_sdk_start, NetMeshOsDaemonControl,
    NetMeshOsDaemonVtable, NetMeshOsProcessEmitCtx, NET_MESHOS_CONTROL_DRAIN_FINISH,
};

unsafe extern "C" fn echo(
    _ctx: *mut c_void,
    emit: *mut NetMeshOsProcessEmitCtx,
    _origin: u64,
    _seq: u64,
    payload: *const u8,
    len: usize,
) -> c_int {
    net_meshos_process_emit(emit, payload, len);
    0
}

fn bench_meshos(c: &mut Criterion) {
    let mut sdk = ptr::null_mut();
    assert_eq!(net_meshos_sdk_start(1, 0, 0, 0, 0, &mut sdk), 0);
    let vtable = NetMeshOsDaemonVtable {
        process: Some(echo),
        snapshot: None,
        restore: None,
        on_control: None,
        health: None,
        saturation: None,
    };
    let mut handle = ptr::null_mut();
    let name = b"echo";
    let seed = [9u8; 32];
    let rc = net_meshos_register_daemon_with_vtable(
        sdk,
        name.as_ptr().cast(),
        name.len(),
        seed.as_ptr(),
        &vtable,
        ptr::null_mut(),
        &mut handle,
    );
    assert_eq!(rc, 0);
    let id = net_meshos_handle_daemon_id(handle);
    let payload = [7u8; 32];

    let mut group = c.benchmark_group("meshos");
    group.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(1));
    group.bench_function("deliver_c_vtable_32B", |b| {
        b.iter(|| {
            let mut out = ptr::null_mut();
            assert_eq!(net_daemon_deliver(sdk, id, 1, 1, payload.as_ptr(), payload.len(), &mut out), 0);
            assert_eq!(net_daemon_outputs_count(out), 1, "the echo answers every event");
            net_daemon_outputs_free(out);
        })
    });
    let round_trip = || {
        assert_eq!(net_daemon_send_control(sdk, id, NET_MESHOS_CONTROL_DRAIN_FINISH, 0, 0.0), 0);
        let mut ctl = NetMeshOsDaemonControl { kind: 0, grace_period_ms: 0, level: 0.0 };
        assert_eq!(net_meshos_next_control(handle, 5_000, &mut ctl), 0);
        assert_eq!(ctl.kind, NET_MESHOS_CONTROL_DRAIN_FINISH, "the event came back");
    };
    group.bench_function("control_round_trip", |b| b.iter(round_trip));
    group.finish();

    // Back to back (a burst: both ends are still polling), then each
    // after a pause (both ends parked: the trip pays the wake-ups).
    let rounds_of = [("back to back", 20_000, Duration::ZERO), ("after 1 ms idle", 2_000, Duration::from_millis(1))];
    for (label, rounds, pause) in rounds_of {
        let mut samples: Vec<Duration> = (0..rounds)
            .map(|_| {
                std::thread::sleep(pause);
                let t = Instant::now();
                round_trip();
                t.elapsed()
            })
            .collect();
        samples.sort();
        let pct = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1e6;
        println!(
            "meshos/control_round_trip, {label}: p50 {:.1} µs, p99 {:.1} µs over {} round trips",
            pct(0.50),
            pct(0.99),
            samples.len()
        );
    }
    // The machine's floor for the same shape: a message to a parked
    // thread and its reply back to this (parked) one, over std channels.
    let (to_peer, peer_rx) = std::sync::mpsc::channel::<()>();
    let (to_me, my_rx) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        while peer_rx.recv().is_ok() {
            to_me.send(()).unwrap();
        }
    });
    for (label, rounds, pause) in rounds_of {
        let mut samples: Vec<Duration> = (0..rounds)
            .map(|_| {
                std::thread::sleep(pause);
                let t = Instant::now();
                to_peer.send(()).unwrap();
                my_rx.recv().unwrap();
                t.elapsed()
            })
            .collect();
        samples.sort();
        println!(
            "floor: thread ping-pong over std channels, {label}: p50 {:.1} µs over {} round trips",
            samples[samples.len() / 2].as_secs_f64() * 1e6,
            samples.len()
        );
    }
    drop(to_peer);
    peer.join().unwrap();
    net_meshos_handle_free(handle);
    net_meshos_sdk_free(sdk);
}

criterion_group!(benches, bench_meshos);
criterion_main!(benches);
