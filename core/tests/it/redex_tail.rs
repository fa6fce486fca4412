//! RedEX tails: backfill then live, the seam under a concurrent writer,
//! ends on close, lag behind retention.

use futures::StreamExt;
use net_sdk::redex::{Redex, RedexError, RedexFileConfig};

#[tokio::test]
async fn tail_backfills_then_streams_live_appends() {
    let file = Redex::new().open_file("t/live", RedexFileConfig::default()).unwrap();
    for i in 0..5u8 {
        file.append(&[i]).unwrap();
    }
    let mut tail = file.tail(2);
    for want in 2..5u64 {
        assert_eq!(tail.next().await.unwrap().unwrap().seq, want);
    }
    let writer = file.clone();
    let task = tokio::spawn(async move {
        for i in 5..8u8 {
            tokio::task::yield_now().await;
            writer.append(&[i]).unwrap();
        }
    });
    for want in 5..8u64 {
        let e = tail.next().await.unwrap().unwrap();
        assert_eq!((e.seq, e.payload.as_ref()), (want, &[want as u8][..]));
    }
    task.await.unwrap();
    assert_eq!(tail.position(), 8);
}

#[tokio::test]
async fn a_tail_from_the_future_waits_for_that_seq() {
    let file = Redex::new().open_file("t/future", RedexFileConfig::default()).unwrap();
    let mut tail = file.tail(3);
    file.append_batch([b"0", b"1", b"2", b"3", b"4"]).unwrap();
    assert_eq!(tail.next().await.unwrap().unwrap().seq, 3);
    assert_eq!(tail.next().await.unwrap().unwrap().seq, 4);
}

#[tokio::test]
async fn tails_end_after_close_once_everything_is_delivered() {
    let file = Redex::new().open_file("t/close", RedexFileConfig::default()).unwrap();
    let mut waiting = file.tail(0);
    let reader = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(e) = waiting.next().await {
            seen.push(e.unwrap().seq);
        }
        seen
    });
    file.append_batch([b"a", b"b"]).unwrap();
    file.close().unwrap();
    assert_eq!(reader.await.unwrap(), vec![0, 1]);
    // A tail opened after close drains the retained records and ends.
    let late: Vec<u64> = file.tail(0).map(|e| e.unwrap().seq).collect().await;
    assert_eq!(late, vec![0, 1]);
}

#[tokio::test]
async fn a_tail_behind_retention_reports_the_gap_and_continues() {
    let file = Redex::new().open_file("t/lag", RedexFileConfig::default().with_retention_max_events(3)).unwrap();
    for i in 0..10u8 {
        file.append(&[i]).unwrap();
    }
    let mut tail = file.tail(0);
    match tail.next().await.unwrap() {
        Err(RedexError::TailLagged { requested: 0, oldest: 7 }) => {}
        other => panic!("expected TailLagged, got {other:?}"),
    }
    assert_eq!(tail.next().await.unwrap().unwrap().seq, 7);
}

/// The seam: a writer appends while tails are created at arbitrary moments;
/// every tail must see every record from its start, exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_to_live_seam_neither_loses_nor_repeats() {
    const TOTAL: u64 = 20_000;
    for round in 0..20 {
        let file = Redex::new().open_file("t/seam", RedexFileConfig::default()).unwrap();
        let writer = {
            let file = file.clone();
            std::thread::spawn(move || {
                for i in 0..TOTAL {
                    file.append(&i.to_le_bytes()).unwrap();
                    if i % 1000 == 0 {
                        std::thread::yield_now();
                    }
                }
            })
        };
        let mut readers = Vec::new();
        for k in 0..4u64 {
            let file = file.clone();
            readers.push(tokio::spawn(async move {
                // Start each tail at wherever the writer happens to be.
                for _ in 0..k * 50 {
                    tokio::task::yield_now().await;
                }
                let from = file.next_seq().saturating_sub(k * 10);
                let mut tail = file.tail(from);
                let mut want = from;
                while want < TOTAL {
                    let e = tail.next().await.expect("stream ended early").expect("no lag without retention");
                    assert_eq!(e.seq, want, "round {round}: tail from {from} skipped or repeated");
                    assert_eq!(e.payload.as_ref(), &want.to_le_bytes()[..]);
                    want += 1;
                }
            }));
        }
        for r in readers {
            r.await.unwrap();
        }
        writer.join().unwrap();
        file.close().unwrap();
        drop(file);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_from_several_writers_reach_every_tail_in_seq_order() {
    let file = Redex::new().open_file("t/batches", RedexFileConfig::default()).unwrap();
    let mut tail = file.tail(0);
    let writers: Vec<_> = (0..3u8)
        .map(|w| {
            let file = file.clone();
            std::thread::spawn(move || {
                for i in 0..500u32 {
                    let a = [w, (i % 256) as u8];
                    file.append_batch([a, a]).unwrap();
                }
            })
        })
        .collect();
    let total = 3 * 500 * 2;
    let mut got = Vec::new();
    for want in 0..total {
        let e = tail.next().await.unwrap().unwrap();
        assert_eq!(e.seq, want);
        got.push(e.payload.to_vec());
    }
    for w in writers {
        w.join().unwrap();
    }
    // A batch's records are adjacent: every even seq equals the next one.
    assert!(got.chunks(2).all(|pair| pair[0] == pair[1]));
}
