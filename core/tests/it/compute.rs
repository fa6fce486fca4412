//! The compute runtime: daemons spawned, fed, snapshotted, stopped and
//! respawned from snapshots; causal chains; errors, stalls, re-entrant
//! calls, capability checks and the lifecycle gate.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::capabilities::{CapabilityFilter, CapabilitySet};
use net_sdk::compute::{
    foreign_channel, verify_chain, verify_chain_from, CausalEvent, ChainError, ComputeDaemonError as DaemonError,
    DaemonCall, DaemonControl, DaemonFactory, DaemonHealth, DaemonHostConfig, DaemonReply, DaemonRuntime, ForeignDaemon, MeshDaemon, StateSnapshot,
};
use net_sdk::Identity;

/// Adds each payload's first byte to a total; emits the total.
#[derive(Default)]
struct Counter {
    total: u64,
}

impl MeshDaemon for Counter {
    fn name(&self) -> &str {
        "counter"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        match event.payload.first() {
            None => Err(DaemonError::process("empty payload")),
            Some(&0xff) => panic!("counter asked to panic"),
            Some(&n) => {
                self.total += u64::from(n);
                Ok(vec![Bytes::copy_from_slice(&self.total.to_le_bytes())])
            }
        }
    }
    fn snapshot(&self) -> Option<Bytes> {
        Some(Bytes::copy_from_slice(&self.total.to_le_bytes()))
    }
    fn restore(&mut self, state: Bytes) -> Result<(), DaemonError> {
        let b: [u8; 8] = state.as_ref().try_into().map_err(|_| DaemonError::Restore("want 8 bytes".into()))?;
        self.total = u64::from_le_bytes(b);
        Ok(())
    }
}

fn ev(n: u8) -> CausalEvent {
    CausalEvent::new(1, 1, Bytes::copy_from_slice(&[n]))
}

fn total_of(out: &[CausalEvent]) -> u64 {
    u64::from_le_bytes(out[0].payload.as_ref().try_into().unwrap())
}

async fn ready_runtime() -> DaemonRuntime {
    let rt = DaemonRuntime::local(CapabilitySet::new().add_tag("region:eu"));
    rt.register_factory("counter", || Box::new(Counter::default())).unwrap();
    rt.start().await.unwrap();
    rt
}

#[tokio::test]
async fn spawn_deliver_snapshot_stop_and_respawn_keeps_state_and_chain() {
    let rt = ready_runtime().await;
    let id = Identity::from_seed([7; 32]);
    let h = rt.spawn("counter", id.clone(), DaemonHostConfig::default()).await.unwrap();
    assert_eq!(h.origin_hash, id.origin_hash());
    assert_eq!(h.entity_id, *id.entity_id());
    assert_eq!(rt.daemon_count(), 1);

    let mut outputs = Vec::new();
    for n in [1u8, 2, 3] {
        outputs.extend(rt.deliver(h.origin_hash, &ev(n)).unwrap());
    }
    assert_eq!(total_of(&outputs[2..]), 6);
    let head = verify_chain(h.origin_hash, &outputs).unwrap();
    assert_eq!(outputs.iter().map(|e| e.sequence()).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(outputs.iter().all(|e| e.origin_hash() == h.origin_hash));

    let snap = rt.snapshot(h.origin_hash).unwrap().expect("a stateful daemon snapshots");
    assert_eq!(snap.head, head);
    assert_eq!(snap.state.as_ref(), &6u64.to_le_bytes());
    let s = h.stats().unwrap();
    assert_eq!((s.events_processed, s.events_emitted, s.errors, s.snapshots_taken), (3, 3, 0, 1));

    rt.stop(h.origin_hash).unwrap();
    assert_eq!(rt.daemon_count(), 0);
    assert_eq!(rt.deliver(h.origin_hash, &ev(1)), Err(DaemonError::DaemonNotFound(h.origin_hash)));
    assert!(matches!(h.stats(), Err(DaemonError::DaemonNotFound(_))));
    assert_eq!(rt.stop(h.origin_hash), Err(DaemonError::DaemonNotFound(h.origin_hash)));

    let bytes = snap.to_bytes();
    let h2 = rt.spawn_from_snapshot_bytes("counter", id.clone(), &bytes, DaemonHostConfig::default()).await.unwrap();
    assert_eq!(h2.origin_hash, h.origin_hash);
    assert_eq!(rt.snapshot(h2.origin_hash).unwrap().unwrap().state, snap.state, "restored state equals the snapshot");
    assert_eq!(h2.stats().unwrap().events_processed, 0, "counters start again");
    let more = rt.deliver(h2.origin_hash, &ev(4)).unwrap();
    assert_eq!(total_of(&more), 10);
    assert_eq!(more[0].sequence(), 4, "the chain continues from the snapshot");
    verify_chain_from(snap.head, &more).unwrap();
    let mut whole = outputs.clone();
    whole.extend(more);
    verify_chain(h.origin_hash, &whole).unwrap();
}

#[tokio::test]
async fn a_tampered_output_breaks_the_chain() {
    let rt = ready_runtime().await;
    let h = rt.spawn("counter", Identity::from_seed([8; 32]), DaemonHostConfig::default()).await.unwrap();
    let outs: Vec<CausalEvent> = (1..=4).flat_map(|n| rt.deliver(h.origin_hash, &ev(n)).unwrap()).collect();
    verify_chain(h.origin_hash, &outs).unwrap();

    let mut payload = outs.clone();
    payload[1].payload = Bytes::from_static(b"forged!!");
    assert_eq!(verify_chain(h.origin_hash, &payload), Err(ChainError::ParentMismatch { index: 2 }));
    let mut parent = outs.clone();
    parent[2].link.parent_hash[0] ^= 1;
    assert_eq!(verify_chain(h.origin_hash, &parent), Err(ChainError::ParentMismatch { index: 2 }));
    let mut dropped = outs.clone();
    dropped.remove(0);
    assert!(matches!(verify_chain(h.origin_hash, &dropped), Err(ChainError::SequenceGap { index: 0, .. })));
    let mut reordered = outs;
    reordered.swap(1, 2);
    assert!(verify_chain(h.origin_hash, &reordered).is_err());
}

#[tokio::test]
async fn a_process_error_or_panic_is_counted_and_the_daemon_stays_usable() {
    let rt = ready_runtime().await;
    let h = rt.spawn("counter", Identity::from_seed([9; 32]), DaemonHostConfig::default()).await.unwrap();
    rt.deliver(h.origin_hash, &ev(5)).unwrap();
    let empty = CausalEvent::new(1, 2, Bytes::new());
    assert_eq!(rt.deliver(h.origin_hash, &empty), Err(DaemonError::Process("empty payload".into())));
    let err = rt.deliver(h.origin_hash, &ev(0xff)).unwrap_err();
    assert!(matches!(&err, DaemonError::Panicked(m) if m.contains("asked to panic")), "{err:?}");
    assert_eq!(err.kind(), "daemon-panicked");
    let out = rt.deliver(h.origin_hash, &ev(1)).unwrap();
    assert_eq!(total_of(&out), 6);
    assert_eq!(out[0].sequence(), 2, "failed events emit no link");
    let s = h.stats().unwrap();
    assert_eq!((s.events_processed, s.events_emitted, s.errors), (4, 2, 2));
}

#[tokio::test]
async fn a_stalled_foreign_callback_times_out_and_the_daemon_recovers() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let (caller, server) = foreign_channel::<DaemonCall, DaemonReply>(Duration::from_secs(600));
    rt.register_factory("foreign", move || Box::new(ForeignDaemon::new("foreign", caller.clone())))
        .unwrap();
    rt.start().await.unwrap();
    let (stalled_tx, stalled_rx) = mpsc::channel();
    // The serving thread holds the first call without answering, then
    // answers the rest (echo); the late answer to the first is dropped.
    let serving = thread::spawn(move || {
        let first = server.recv().unwrap();
        stalled_tx.send(()).unwrap();
        while let Some(call) = server.recv() {
            let reply = match &call.request {
                DaemonCall::Process(e) => DaemonReply::Processed(Ok(vec![e.payload.clone()])),
                DaemonCall::Snapshot => DaemonReply::Snapshot(Ok(None)),
                DaemonCall::Restore(_) => DaemonReply::Restored(Ok(())),
                DaemonCall::Control(_) => DaemonReply::Controlled(Ok(())),
                DaemonCall::Health => DaemonReply::Health(Ok(DaemonHealth::Degraded)),
                DaemonCall::Saturation => DaemonReply::Saturation(Ok(0.25)),
                DaemonCall::ProcessBatch(es) => DaemonReply::ProcessedBatch(es.iter().map(|e| vec![e.payload.clone()]).collect(), None),
            };
            call.reply(reply);
        }
        first.reply(DaemonReply::Processed(Ok(vec![])))
    });
    let cfg = DaemonHostConfig { callback_timeout_ms: 150, ..DaemonHostConfig::default() };
    let h = rt.spawn("foreign", Identity::from_seed([10; 32]), cfg).await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(rt.deliver(h.origin_hash, &ev(1)), Err(DaemonError::CallbackTimeout { timeout_ms: 150 }));
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(started.elapsed() < Duration::from_secs(60), "the spawn's bound, not the channel's, applies");
    stalled_rx.recv().unwrap();
    assert_eq!(rt.deliver_payloads(h.origin_hash, &ev(2)).unwrap(), vec![Bytes::from_static(&[2])]);
    let s = h.stats().unwrap();
    assert_eq!((s.events_processed, s.errors), (2, 1));
    rt.shutdown().await.unwrap();
    drop(rt);
    drop(h);
    assert!(!serving.join().unwrap(), "nobody waits for the late answer");
}

/// What the nested delivery returned.
type NestedResult = Arc<parking_lot::Mutex<Option<Result<Vec<CausalEvent>, DaemonError>>>>;

/// Delivers to itself from inside `process`.
struct Recursive {
    rt: DaemonRuntime,
    me: u64,
    nested: NestedResult,
}

impl MeshDaemon for Recursive {
    fn name(&self) -> &str {
        "recursive"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, event: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        *self.nested.lock() = Some(self.rt.deliver(self.me, event));
        Ok(vec![])
    }
}

#[tokio::test]
async fn a_re_entrant_delivery_is_refused_at_once() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let id = Identity::from_seed([11; 32]);
    let nested: NestedResult = Arc::new(parking_lot::Mutex::new(None));
    let (rt2, me, seen) = (rt.clone(), id.origin_hash(), nested.clone());
    rt.register_factory("recursive", move || {
        Box::new(Recursive { rt: rt2.clone(), me, nested: seen.clone() })
    })
    .unwrap();
    rt.start().await.unwrap();
    let h = rt.spawn("recursive", id, DaemonHostConfig::default()).await.unwrap();
    let started = std::time::Instant::now();
    rt.deliver(h.origin_hash, &ev(1)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "no wait for the default 60 s bound");
    assert!(matches!(nested.lock().take(), Some(Err(DaemonError::Reentrant(_)))));
    rt.shutdown().await.unwrap(); // drops the daemon, which holds the runtime
}

#[tokio::test]
async fn a_foreign_callback_delivering_to_its_own_daemon_is_refused_at_once() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let (caller, server) = foreign_channel::<DaemonCall, DaemonReply>(Duration::from_secs(30));
    rt.register_factory("foreign", move || Box::new(ForeignDaemon::new("foreign", caller.clone())))
        .unwrap();
    rt.start().await.unwrap();
    let id = Identity::from_seed([12; 32]);
    let (inner, me) = (rt.clone(), id.origin_hash());
    // The serving thread, inside a `process` call, delivers to the daemon
    // it serves: the outer delivery holds the daemon's lock, so waiting
    // for it would last the whole 30 s bound.
    let serving = thread::spawn(move || {
        let call = server.recv().unwrap();
        let started = std::time::Instant::now();
        let nested = inner.deliver(me, &ev(2));
        let took = started.elapsed();
        call.reply(DaemonReply::Processed(Ok(vec![])));
        (nested, took)
    });
    let h = rt.spawn("foreign", id, DaemonHostConfig::default()).await.unwrap();
    assert_eq!(rt.deliver(h.origin_hash, &ev(1)).unwrap(), vec![]);
    let (nested, took) = serving.join().unwrap();
    assert!(matches!(nested, Err(DaemonError::Reentrant(_))), "{nested:?}");
    assert!(took < Duration::from_secs(5), "refused at once, not after the bound");
    rt.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_foreign_daemon_answers_the_supervision_calls_and_a_stalled_one_reads_unhealthy() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let (caller, server) = foreign_channel::<DaemonCall, DaemonReply>(Duration::from_secs(600));
    rt.register_factory("foreign", move || Box::new(ForeignDaemon::new("foreign", caller.clone())))
        .unwrap();
    rt.start().await.unwrap();
    let (seen_tx, seen_rx) = mpsc::channel();
    // Answers health and saturation, reports each control event; the
    // second health call is never answered (a stalled callback).
    let serving = thread::spawn(move || {
        let mut healths = 0;
        while let Some(call) = server.recv() {
            let reply = match call.request {
                DaemonCall::Health if healths == 1 => {
                    seen_tx.send(None).unwrap();
                    thread::sleep(Duration::from_millis(300));
                    continue;
                }
                DaemonCall::Health => {
                    healths += 1;
                    DaemonReply::Health(Ok(DaemonHealth::Degraded))
                }
                DaemonCall::Saturation => DaemonReply::Saturation(Ok(0.25)),
                DaemonCall::Control(c) => {
                    seen_tx.send(Some(c)).unwrap();
                    DaemonReply::Controlled(Ok(()))
                }
                _ => DaemonReply::Processed(Err("unexpected".into())),
            };
            call.reply(reply);
        }
    });
    let cfg = DaemonHostConfig { callback_timeout_ms: 100, ..DaemonHostConfig::default() };
    let h = rt.spawn("foreign", Identity::from_seed([13; 32]), cfg).await.unwrap();
    let sample = rt.with_daemon(h.origin_hash, |d| (d.health(), d.saturation())).unwrap();
    assert_eq!(sample, (DaemonHealth::Degraded, 0.25));
    rt.with_daemon(h.origin_hash, |d| d.on_control(&DaemonControl::DrainFinish)).unwrap();
    assert_eq!(seen_rx.recv().unwrap(), Some(DaemonControl::DrainFinish));
    assert_eq!(rt.with_daemon(h.origin_hash, |d| d.health()).unwrap(), DaemonHealth::Unhealthy);
    assert_eq!(seen_rx.recv().unwrap(), None);
    rt.shutdown().await.unwrap();
    drop(rt);
    drop(h);
    serving.join().unwrap();
}

/// Meets its partner inside `process`: only possible if both run at once.
struct Rendezvous {
    arrive: mpsc::SyncSender<()>,
    partner: parking_lot::Mutex<mpsc::Receiver<()>>,
}

impl MeshDaemon for Rendezvous {
    fn name(&self) -> &str {
        "rendezvous"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, _: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        self.arrive.send(()).map_err(|e| DaemonError::process(e.to_string()))?;
        self.partner.lock().recv_timeout(Duration::from_secs(10)).map_err(|e| DaemonError::process(e.to_string()))?;
        Ok(vec![])
    }
}

#[tokio::test]
async fn different_daemons_process_in_parallel() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let (a_tx, a_rx) = mpsc::sync_channel(1);
    let (b_tx, b_rx) = mpsc::sync_channel(1);
    let slots = Arc::new(parking_lot::Mutex::new(vec![(a_tx, b_rx), (b_tx, a_rx)]));
    rt.register_factory("rendezvous", move || {
        let (arrive, partner) = slots.lock().pop().expect("two daemons");
        Box::new(Rendezvous { arrive, partner: parking_lot::Mutex::new(partner) })
    })
    .unwrap();
    rt.start().await.unwrap();
    let a = rt.spawn("rendezvous", Identity::from_seed([12; 32]), DaemonHostConfig::default()).await.unwrap();
    let b = rt.spawn("rendezvous", Identity::from_seed([13; 32]), DaemonHostConfig::default()).await.unwrap();
    let threads: Vec<_> = [a.origin_hash, b.origin_hash]
        .into_iter()
        .map(|o| {
            let rt = rt.clone();
            thread::spawn(move || rt.deliver(o, &ev(1)))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
}

/// Fails if two calls overlap.
#[derive(Default)]
struct Exclusive {
    busy: AtomicBool,
}

impl MeshDaemon for Exclusive {
    fn name(&self) -> &str {
        "exclusive"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, _: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(DaemonError::process("overlapping calls"));
        }
        thread::sleep(Duration::from_micros(50));
        self.busy.store(false, Ordering::SeqCst);
        Ok(vec![Bytes::new()])
    }
}

#[tokio::test]
async fn one_daemon_processes_one_event_at_a_time_and_its_chain_stays_whole() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    rt.register_factory("exclusive", || Box::new(Exclusive::default())).unwrap();
    rt.start().await.unwrap();
    let h = rt.spawn("exclusive", Identity::from_seed([14; 32]), DaemonHostConfig::default()).await.unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let rt = rt.clone();
            let o = h.origin_hash;
            thread::spawn(move || (0..50).flat_map(|_| rt.deliver(o, &ev(1)).unwrap()).collect::<Vec<_>>())
        })
        .collect();
    let mut all: Vec<CausalEvent> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    all.sort_by_key(|e| e.sequence());
    verify_chain(h.origin_hash, &all).unwrap();
    let s = h.stats().unwrap();
    assert_eq!((s.events_processed, s.events_emitted, s.errors), (200, 200, 0));
}

/// Requires `region:us`, prefers `hardware.gpu`.
struct NeedsUs;

impl MeshDaemon for NeedsUs {
    fn name(&self) -> &str {
        "needs-us"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, _: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        Ok(vec![])
    }
    fn required_capabilities(&self) -> CapabilitySet {
        CapabilitySet::new().add_tag("region:us").add_tag("tier:gold")
    }
    fn optional_capabilities(&self) -> CapabilitySet {
        CapabilitySet::new().add_tag("hardware.gpu")
    }
}

/// Its filter asks for a GPU.
struct NeedsGpu;

impl MeshDaemon for NeedsGpu {
    fn name(&self) -> &str {
        "needs-gpu"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::new().require_gpu()
    }
    fn process(&mut self, _: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        Ok(vec![])
    }
}

async fn runtime_with(caps: CapabilitySet) -> DaemonRuntime {
    let rt = DaemonRuntime::local(caps);
    rt.register_factory("needs-us", || Box::new(NeedsUs)).unwrap();
    rt.register_factory("needs-gpu", || Box::new(NeedsGpu)).unwrap();
    rt.start().await.unwrap();
    rt
}

#[tokio::test]
async fn a_missing_required_capability_refuses_the_spawn_and_names_it() {
    let id = || Identity::from_seed([15; 32]);
    let rt = runtime_with(CapabilitySet::new().add_tag("tier:gold")).await;
    let err = rt.spawn("needs-us", id(), DaemonHostConfig::default()).await.unwrap_err();
    assert_eq!(err, DaemonError::MissingCapabilities { kind: "needs-us".into(), missing: vec!["region:us".into()] });
    assert_eq!(err.kind(), "missing-capabilities");
    assert!(err.to_string().contains("region:us"));
    let err = rt.spawn("needs-gpu", id(), DaemonHostConfig::default()).await.unwrap_err();
    assert!(matches!(&err, DaemonError::RequirementsUnmet { requirements, .. } if requirements.contains("require_gpu")));
    assert_eq!(rt.daemon_count(), 0);

    // Optional tags (no GPU here) never refuse.
    let rt = runtime_with(CapabilitySet::new().add_tag("region:us").add_tag("tier:gold")).await;
    rt.spawn("needs-us", id(), DaemonHostConfig::default()).await.unwrap();
    assert_eq!(rt.daemon_count(), 1);
}

/// A factory whose constructor fails (as a foreign one that throws).
struct Refusing;

impl DaemonFactory for Refusing {
    fn create(&self) -> Result<Box<dyn MeshDaemon>, DaemonError> {
        Err(DaemonError::Callback("constructor threw".into()))
    }
}

#[tokio::test]
async fn the_lifecycle_gate() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let counter = || Box::new(Counter::default());
    rt.register_factory("counter", counter).unwrap();
    assert_eq!(rt.register_factory("counter", counter), Err(DaemonError::FactoryAlreadyRegistered("counter".into())));
    assert!(!rt.is_ready());
    let id = Identity::from_seed([16; 32]);
    assert_eq!(rt.spawn("counter", id.clone(), DaemonHostConfig::default()).await.unwrap_err(), DaemonError::NotReady);
    assert_eq!(rt.deliver(id.origin_hash(), &ev(1)), Err(DaemonError::NotReady));
    assert_eq!(rt.stop(id.origin_hash()), Err(DaemonError::NotReady));

    rt.start().await.unwrap();
    rt.start().await.unwrap();
    assert!(rt.is_ready());
    let err = rt.spawn("nope", id.clone(), DaemonHostConfig::default()).await.unwrap_err();
    assert_eq!(err, DaemonError::FactoryNotFound("nope".into()));
    assert_eq!(err.kind(), "factory-not-found");
    rt.register_factory_arc("refusing", Arc::new(Refusing)).unwrap();
    assert_eq!(
        rt.spawn("refusing", id.clone(), DaemonHostConfig::default()).await.unwrap_err(),
        DaemonError::Callback("constructor threw".into())
    );
    let h = rt.spawn("counter", id.clone(), DaemonHostConfig::default()).await.unwrap();
    assert_eq!(
        rt.spawn("counter", id.clone(), DaemonHostConfig::default()).await.unwrap_err(),
        DaemonError::AlreadyRunning(h.origin_hash)
    );
    let snap = h.snapshot().unwrap().unwrap();
    let other = Identity::from_seed([17; 32]);
    assert!(matches!(
        rt.spawn_from_snapshot("counter", other, snap.clone(), DaemonHostConfig::default()).await,
        Err(DaemonError::SnapshotMismatch(_))
    ));
    assert!(matches!(
        rt.spawn_from_snapshot_bytes("counter", id.clone(), &snap.to_bytes()[..10], DaemonHostConfig::default()).await,
        Err(DaemonError::SnapshotDecode(_))
    ));

    rt.shutdown().await.unwrap();
    rt.shutdown().await.unwrap();
    assert!(!rt.is_ready());
    assert_eq!(rt.daemon_count(), 0);
    assert!(!h.is_running());
    assert_eq!(rt.register_factory("late", counter), Err(DaemonError::ShuttingDown));
    assert!(!rt.has_factory("counter"), "shutdown drops the factories");
    assert_eq!(rt.start().await, Err(DaemonError::ShuttingDown));
    assert_eq!(rt.spawn("counter", id.clone(), DaemonHostConfig::default()).await.unwrap_err(), DaemonError::ShuttingDown);
    assert_eq!(rt.deliver(h.origin_hash, &ev(1)), Err(DaemonError::ShuttingDown));
    assert_eq!(rt.snapshot(h.origin_hash), Err(DaemonError::ShuttingDown));
    assert_eq!(rt.stop(h.origin_hash), Ok(()), "stop is a no-op while shutting down");
    assert_eq!(h.snapshot(), Err(DaemonError::DaemonNotFound(h.origin_hash)));
}

#[tokio::test]
async fn automatic_snapshots_and_the_replay_log() {
    let rt = ready_runtime().await;
    let cfg = DaemonHostConfig { auto_snapshot_interval: 3, max_log_entries: 100, ..DaemonHostConfig::default() };
    let h = rt.spawn("counter", Identity::from_seed([18; 32]), cfg).await.unwrap();
    for _ in 0..7 {
        rt.deliver(h.origin_hash, &ev(1)).unwrap();
    }
    assert_eq!(h.stats().unwrap().snapshots_taken, 2);
    let latest: StateSnapshot = h.latest_snapshot().unwrap();
    assert_eq!((latest.head.sequence, latest.state.as_ref()), (6, &6u64.to_le_bytes()[..]));
    assert_eq!(h.log_len(), 1, "one event since the last snapshot");

    let cfg = DaemonHostConfig { max_log_entries: 2, ..DaemonHostConfig::default() };
    let h = rt.spawn("counter", Identity::from_seed([19; 32]), cfg).await.unwrap();
    for _ in 0..5 {
        rt.deliver(h.origin_hash, &ev(2)).unwrap();
    }
    assert_eq!(h.stats().unwrap().snapshots_taken, 2, "a full log forces a snapshot");
    assert_eq!(h.log_len(), 1);
    assert_eq!(h.latest_snapshot().unwrap().head.sequence, 4);
}

#[cfg(feature = "net")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_mesh_the_announced_capabilities_decide() {
    let mesh = net_sdk::MeshBuilder::new("127.0.0.1:0", &[0x42; 32]).unwrap().build().await.unwrap();
    let mesh = Arc::new(mesh);
    let rt = DaemonRuntime::new(mesh.clone());
    assert!(rt.mesh().is_some());
    rt.register_factory("needs-us", || Box::new(NeedsUs)).unwrap();
    rt.start().await.unwrap();
    let id = Identity::from_seed([20; 32]);
    let err = rt.spawn("needs-us", id.clone(), DaemonHostConfig::default()).await.unwrap_err();
    assert!(matches!(&err, DaemonError::MissingCapabilities { missing, .. } if missing.len() == 2), "{err:?}");
    mesh.announce_capabilities(CapabilitySet::new().add_tag("region:us").add_tag("tier:gold")).await.unwrap();
    rt.spawn("needs-us", id, DaemonHostConfig::default()).await.unwrap();
    rt.shutdown().await.unwrap();
    mesh.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_batch_runs_in_order_under_one_lock_and_stops_at_the_first_failure() {
    let rt = ready_runtime().await;
    let h = rt.spawn("counter", Identity::from_seed([20; 32]), DaemonHostConfig::default()).await.unwrap();
    let events: Vec<CausalEvent> = [1u8, 2, 3].iter().map(|&n| ev(n)).collect();
    let done = rt.deliver_batch(h.origin_hash, &events).unwrap();
    assert!(done.error.is_none());
    let totals: Vec<u64> = done.outputs.iter().map(|o| total_of(o)).collect();
    assert_eq!(totals, vec![1, 3, 6]);
    let chain: Vec<CausalEvent> = done.outputs.into_iter().flatten().collect();
    verify_chain(h.origin_hash, &chain).expect("one chain across the batch");
    // An empty payload fails: the batch stops there, the rest untouched.
    let events = vec![ev(4), CausalEvent::new(1, 1, Bytes::new()), ev(100)];
    let stopped = rt.deliver_batch(h.origin_hash, &events).unwrap();
    assert_eq!(stopped.outputs.len(), 1);
    assert_eq!(total_of(&stopped.outputs[0]), 10);
    assert_eq!(stopped.error.unwrap().kind(), "process-failed");
    let s = h.stats().unwrap();
    assert_eq!((s.events_processed, s.errors, s.events_emitted), (5, 1, 4));
    assert_eq!(h.log_len(), 4, "only handled events join the replay log");
    assert_eq!(rt.deliver_batch(12345, &events).unwrap_err(), DaemonError::DaemonNotFound(12345));
    assert!(rt.deliver_batch(h.origin_hash, &[]).unwrap().outputs.is_empty());
    rt.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_foreign_batch_crosses_once_and_a_short_answer_is_refused() {
    let rt = DaemonRuntime::local(CapabilitySet::new());
    let (caller, server) = foreign_channel::<DaemonCall, DaemonReply>(Duration::from_secs(10));
    rt.register_factory("foreign", move || Box::new(ForeignDaemon::new("foreign", caller.clone()))).unwrap();
    rt.start().await.unwrap();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = calls.clone();
    let serving = thread::spawn(move || {
        while let Some(call) = server.recv() {
            counted.fetch_add(1, Ordering::SeqCst);
            let reply = match &call.request {
                // Echo; an event "x" fails the batch; "short" answers one output too few.
                DaemonCall::ProcessBatch(es) if es.iter().any(|e| e.payload.as_ref() == b"short") => {
                    DaemonReply::ProcessedBatch(vec![], None)
                }
                DaemonCall::ProcessBatch(es) => {
                    let ok: Vec<Vec<Bytes>> =
                        es.iter().take_while(|e| e.payload.as_ref() != b"x").map(|e| vec![e.payload.clone()]).collect();
                    let failure = (ok.len() < es.len()).then(|| "x is refused".to_string());
                    DaemonReply::ProcessedBatch(ok, failure)
                }
                _ => DaemonReply::Processed(Err("unexpected".into())),
            };
            call.reply(reply);
        }
    });
    let h = rt.spawn("foreign", Identity::from_seed([21; 32]), DaemonHostConfig::default()).await.unwrap();
    let events: Vec<CausalEvent> = (0..100u8).map(ev).collect();
    let done = rt.deliver_batch(h.origin_hash, &events).unwrap();
    assert_eq!(done.outputs.len(), 100);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one crossing for the batch");
    let with_x = vec![ev(1), CausalEvent::new(1, 1, Bytes::from_static(b"x")), ev(2)];
    let stopped = rt.deliver_batch(h.origin_hash, &with_x).unwrap();
    assert_eq!(stopped.outputs.len(), 1);
    assert_eq!(stopped.error.unwrap(), DaemonError::Callback("x is refused".into()));
    let short = vec![CausalEvent::new(1, 1, Bytes::from_static(b"short"))];
    let refused = rt.deliver_batch(h.origin_hash, &short).unwrap();
    assert!(refused.outputs.is_empty());
    assert_eq!(refused.error.unwrap().kind(), "callback-failed");
    rt.shutdown().await.unwrap();
    drop(rt);
    drop(h);
    serving.join().unwrap();
}
