//! The SDK's dispatcher seam and the one-call daemon lifecycle
//! (`supervise`, what `daemon_main!` runs): a dispatcher's router stops a
//! daemon, a missing capability refuses it, the local dispatcher keeps
//! what daemons announce and withdraws it when they go.

use std::sync::Arc;
use std::time::{Duration, Instant};

use net_sdk::meshos::*;

use crate::meshos::Counter;

/// Wait until the SDK started on `dispatcher` has a daemon registered.
fn registered_daemon(dispatcher: &LocalDispatcher) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(id) = dispatcher.router().and_then(|r| r.daemon_ids().first().copied()) {
            return id;
        }
        assert!(Instant::now() < deadline, "the daemon never registered");
        std::thread::sleep(Duration::from_millis(2));
    }
}

type Seen = Arc<parking_lot::Mutex<Vec<DaemonControl>>>;

/// Run `supervise` for a counter on its own thread; returns what the
/// counter's `on_control` saw, and the thread.
fn supervised(dispatcher: Arc<LocalDispatcher>) -> (Seen, std::thread::JoinHandle<Result<(), MeshOsError>>) {
    let counter = Counter::new();
    let seen = counter.controls.clone();
    let thread = std::thread::spawn(move || {
        let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), dispatcher);
        supervise(&sdk, Box::new(counter), EntityKeypair::generate())
    });
    (seen, thread)
}

#[test]
fn drain_finish_from_the_dispatcher_ends_the_lifecycle_with_a_graceful_shutdown() {
    let dispatcher = Arc::new(LocalDispatcher::new());
    let (seen, thread) = supervised(dispatcher.clone());
    let id = registered_daemon(&dispatcher);
    let router = dispatcher.router().unwrap();
    router.route(id, DaemonControl::BackpressureOn { level: 0.9 }).unwrap();
    router.broadcast(DaemonControl::DrainFinish).unwrap();
    thread.join().unwrap().unwrap();
    let kinds: Vec<&str> = seen.lock().iter().map(|c| c.variant()).collect();
    assert_eq!(kinds, ["BackpressureOn", "DrainFinish", "Shutdown"], "graceful shutdown tells the daemon");
    let gone = router.broadcast(DaemonControl::DrainFinish).unwrap_err();
    assert_eq!(gone.kind(), MeshOsErrorKind::LoopClosed, "the SDK shut down: {gone}");
    assert!(router.daemon_ids().is_empty());
}

#[test]
fn shutdown_from_the_dispatcher_honours_its_grace() {
    let dispatcher = Arc::new(LocalDispatcher::new());
    let (seen, thread) = supervised(dispatcher.clone());
    let id = registered_daemon(&dispatcher);
    let grace = Duration::from_millis(150);
    let sent = Instant::now();
    dispatcher.router().unwrap().route(id, DaemonControl::Shutdown { grace_period: grace }).unwrap();
    thread.join().unwrap().unwrap();
    assert!(sent.elapsed() >= grace, "the daemon had its grace period");
    assert_eq!(seen.lock()[0], DaemonControl::Shutdown { grace_period: grace });
}

#[test]
fn a_missing_required_capability_refuses_the_lifecycle_and_a_node_that_has_it_accepts() {
    let mut needy = Counter::new();
    needy.required = CapabilitySet::new().add_tag("hardware.gpu");
    let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), Arc::new(LocalDispatcher::new()));
    let err = supervise(&sdk, Box::new(needy), EntityKeypair::generate()).unwrap_err();
    assert_eq!(err.kind(), MeshOsErrorKind::RegisterFailed, "{err}");
    assert!(err.message().contains("hardware.gpu"), "the message names the tag: {err}");

    let gpu_node = Arc::new(LocalDispatcher::with_node(5, CapabilitySet::new().add_tag("hardware.gpu")));
    let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), gpu_node.clone());
    assert_eq!(sdk.config().this_node, 5, "this_node 0 takes the dispatcher's node id");
    let mut needy = Counter::new();
    needy.required = CapabilitySet::new().add_tag("hardware.gpu");
    let handle = sdk.register_daemon(Box::new(needy), EntityKeypair::generate()).unwrap();
    assert_eq!(handle.metadata().unwrap().node_id, 5);
}

#[test]
fn the_local_dispatcher_keeps_published_tags_until_their_daemon_goes() {
    let node = Arc::new(LocalDispatcher::with_node(9, CapabilitySet::new().add_tag("base")));
    let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), node.clone());
    let handle = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap();
    handle.publish_capabilities(CapabilitySet::new().add_tag("model:llama3")).unwrap();
    assert!(node.capabilities().has_tag("model:llama3"));
    assert!(node.capabilities().has_tag("base"));

    // A daemon requiring the published tag now registers on this node.
    let mut needy = Counter::new();
    needy.required = CapabilitySet::new().add_tag("model:llama3");
    drop(sdk.register_daemon(Box::new(needy), EntityKeypair::generate()).unwrap());

    handle.graceful_shutdown_blocking(Duration::from_millis(1)).unwrap();
    assert!(!node.capabilities().has_tag("model:llama3"), "withdrawn with its daemon");
    assert!(node.capabilities().has_tag("base"));
    sdk.shutdown_now().unwrap();
}
