//! Proves the mesh's send path — admission, corking, sealing in place and
//! the `sendmmsg` — allocates nothing per message on the sending thread
//! once its buffers have grown (issue 18). Payloads are `Bytes` that are
//! already shared, as a retransmission queue needs them.
//! Only this thread's allocations are counted (`common/counting_alloc.rs`);
//! the receive tasks on the runtime's workers are not.

use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::StreamConfig;

use crate::common::counting_alloc;

const PSK: [u8; 32] = [0x33; 32];

#[test]
fn sending_one_message_per_call_does_not_allocate() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (a, b) = rt.block_on(crate::common::started_pair(&PSK));
    let cfg = StreamConfig::new().with_window_bytes(4096).with_receive_capacity(1 << 16);
    let rx = b.open_stream(a.node_id(), 1, cfg).unwrap();
    let tx = a.open_stream(b.node_id(), 1, cfg).unwrap();
    let messages: Vec<Bytes> = (0..64u8).map(|i| Bytes::from_static(&[0u8; 64]).slice(i as usize % 8..)).collect();
    // The reader keeps the window open from a worker thread.
    let total = 3 * 20_000;
    let reader = {
        let (b, rx) = (b.clone(), rx.clone());
        rt.spawn(async move {
            for _ in 0..total {
                tokio::time::timeout(Duration::from_secs(30), b.recv(&rx)).await.expect("delivered").unwrap();
            }
        })
    };
    let send_all = || {
        for i in 0..20_000usize {
            rt.block_on(a.send_blocking(&tx, std::slice::from_ref(&messages[i % 64]))).unwrap();
        }
    };
    // Warm-up: buffers, queues and thread-local scratch reach their size.
    send_all();
    send_all();
    let (allocs, ()) = counting_alloc::allocations_in(send_all);
    rt.block_on(reader).unwrap();
    // What remains is buffers reaching a new high-water mark (the retransmit
    // queue, the datagram pool, the sendmmsg arrays) when more is in flight
    // than during the warm-up: a handful, never one per message or per
    // datagram (the socket's per-send arrays made 350 here).
    assert!(allocs <= 40, "20000 one-message sends allocated {allocs} times");
    rt.block_on(async {
        a.shutdown().await.unwrap();
        b.shutdown().await.unwrap();
    });
}
