//! The mesh through the kernel's own lossy path: both nodes bind inside a
//! fresh network namespace whose loopback runs `tc netem` (delay, loss,
//! duplication, reordering). Needs root and iproute2; when the machine
//! cannot create a namespace the test says so and passes without running
//! (the deterministic in-process shim in `mesh.rs` always runs).

#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{MeshBuilder, StreamConfig};

struct Namespace(String);

impl Namespace {
    fn create() -> Option<Namespace> {
        let name = format!("net-mesh-test-{}", std::process::id());
        let ok = |args: &[&str]| Command::new("ip").args(args).status().map(|s| s.success()).unwrap_or(false);
        if !ok(&["netns", "add", &name]) {
            return None;
        }
        let ns = Namespace(name);
        let setup = ok(&["-n", &ns.0, "link", "set", "lo", "up"])
            && ok(&[
                "netns", "exec", &ns.0, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms", "loss",
                "10%", "duplicate", "5%", "reorder", "25%", "50%",
            ]);
        setup.then_some(ns)
    }

    /// Move the calling thread into the namespace.
    fn enter(&self) {
        let f = std::fs::File::open(format!("/var/run/netns/{}", self.0)).expect("namespace file");
        // SAFETY: a valid namespace fd; affects only the calling thread.
        let rc = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&f), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns failed");
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

#[test]
fn reliable_stream_through_netem_loss_duplication_and_reordering() {
    let Some(ns) = Namespace::create() else {
        eprintln!("SKIPPED: cannot create a network namespace with tc netem here (needs root + iproute2)");
        return;
    };
    // A thread of its own: sockets bound from it live in the namespace.
    let handle = std::thread::spawn(move || {
        ns.enter();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let mk = || async {
                MeshBuilder::new("127.0.0.1:0", &[3; 32])
                    .unwrap()
                    .handshake_timeout(Duration::from_secs(20))
                    .build()
                    .await
                    .unwrap()
            };
            let (a, b) = (mk().await, mk().await);
            let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
            ra.unwrap();
            rb.unwrap();
            a.start().unwrap();
            b.start().unwrap();
            let cfg = StreamConfig::new().with_window_bytes(64);
            let rx = b.open_stream(a.node_id(), 1, cfg).unwrap();
            let tx = a.open_stream(b.node_id(), 1, cfg).unwrap();
            let all: Vec<Bytes> = (0..1500u32).map(|i| Bytes::from(format!("netem message {i}"))).collect();
            let reader = {
                let b = b.clone();
                tokio::spawn(async move {
                    let mut got = Vec::new();
                    while got.len() < 1500 {
                        got.push(tokio::time::timeout(Duration::from_secs(60), b.recv(&rx)).await.unwrap().unwrap());
                    }
                    got
                })
            };
            for chunk in all.chunks(20) {
                a.send_blocking(&tx, chunk).await.unwrap();
            }
            assert_eq!(reader.await.unwrap(), all, "exactly once, in order, through netem");
            assert!(a.stream_stats(b.node_id(), 1).unwrap().retransmits > 0, "netem did drop packets");
        });
        drop(ns);
    });
    handle.join().unwrap();
}
