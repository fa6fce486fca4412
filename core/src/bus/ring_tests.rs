//! Tests of the lock-free ring: semantics, a model check, and a stress run.

use super::Ring;
use proptest::prelude::*;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn fifo_positions_and_full_empty() {
    let ring = Ring::with_start(4, 0);
    assert_eq!(ring.pop(), None);
    for i in 0..4u32 {
        assert_eq!(ring.push(i), Ok(i as u64));
    }
    assert_eq!(ring.push(99), Err(99));
    assert_eq!(ring.len(), 4);
    assert_eq!(ring.pop(), Some((0, 0)));
    assert_eq!(ring.push(4), Ok(4));
    let mut seen = Vec::new();
    assert_eq!(ring.pop_batch(10, |p, v| seen.push((p, v))), 4);
    assert_eq!(seen, vec![(1, 1), (2, 2), (3, 3), (4, 4)]);
    assert_eq!(ring.pop(), None);
    assert_eq!(ring.tail(), 5);
    assert_eq!(ring.head(), 5);
}

#[test]
fn push_init_writes_in_place_and_hands_back_the_initialiser_when_full() {
    let ring: Ring<(u64, String)> = Ring::with_start(2, 0);
    for i in 0..2u64 {
        // SAFETY: the initialiser writes the whole value.
        let pushed = unsafe {
            ring.push_init(|slot| {
                slot.write((i, format!("event {i}")));
            })
        };
        assert_eq!(pushed.ok(), Some(i));
    }
    let refused = "refused".to_string();
    // SAFETY: as above (and it is not called: the ring is full).
    let back = unsafe {
        ring.push_init(move |slot| {
            slot.write((9, refused));
        })
    };
    let Err(init) = back else { panic!("a full ring must refuse") };
    assert_eq!(ring.pop(), Some((0, (0, "event 0".to_string()))));
    // The initialiser handed back still works once there is room.
    // SAFETY: as above.
    assert_eq!(unsafe { ring.push_init(init) }.ok(), Some(2));
    assert_eq!(ring.pop(), Some((1, (1, "event 1".to_string()))));
    assert_eq!(ring.pop(), Some((2, (9, "refused".to_string()))));
}

#[test]
fn start_offset_continues_sequences() {
    let ring = Ring::with_start(8, 1_000_003);
    for i in 0..20u64 {
        assert_eq!(ring.push(i), Ok(1_000_003 + i));
        assert_eq!(ring.pop(), Some((1_000_003 + i, i)));
    }
}

#[test]
fn push_batch_claims_what_fits() {
    let ring = Ring::with_start(8, 0);
    ring.push(100u32).unwrap();
    let mut src = (0..10u32).collect::<Vec<_>>().into_iter();
    assert_eq!(ring.push_batch(&mut src, |v| v), (1, 7));
    assert_eq!(src.len(), 3);
    assert_eq!(ring.push_batch(&mut src, |v| v).1, 0);
    ring.pop().unwrap();
    assert_eq!(ring.push_batch(&mut src, |v| v * 10), (8, 1));
    let mut all = Vec::new();
    ring.pop_batch(100, |p, v| all.push((p, v)));
    assert_eq!(all.last(), Some(&(8, 70)));
    assert_eq!(all.len(), 8);
}

#[test]
fn drop_frees_remaining_items() {
    let counter = Arc::new(());
    {
        let ring = Ring::with_start(16, 0);
        for _ in 0..10 {
            ring.push(counter.clone()).unwrap();
        }
        ring.pop().unwrap();
        assert_eq!(Arc::strong_count(&counter), 10);
    }
    assert_eq!(Arc::strong_count(&counter), 1);
}

#[derive(Debug, Clone)]
enum Op {
    Push(u8),
    PushBatch(Vec<u8>),
    Pop,
    PopBatch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Push),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(Op::PushBatch),
        Just(Op::Pop),
        (0usize..12).prop_map(Op::PopBatch),
    ]
}

proptest! {
    /// The ring behaves exactly like a bounded VecDeque of (position, value).
    #[test]
    fn matches_vecdeque_model(cap_log in 1u32..5, ops in proptest::collection::vec(op(), 0..200)) {
        let cap = 1usize << cap_log;
        let ring = Ring::with_start(cap, 0);
        let mut model: VecDeque<(u64, u8)> = VecDeque::new();
        let mut next = 0u64;
        for op in ops {
            match op {
                Op::Push(v) => {
                    let got = ring.push(v);
                    if model.len() < cap {
                        prop_assert_eq!(got, Ok(next));
                        model.push_back((next, v));
                        next += 1;
                    } else {
                        prop_assert_eq!(got, Err(v));
                    }
                }
                Op::PushBatch(vs) => {
                    let fit = (cap - model.len()).min(vs.len());
                    let mut src = vs.clone().into_iter();
                    let (first, n) = ring.push_batch(&mut src, |v| v);
                    prop_assert_eq!(n, fit);
                    if n > 0 { prop_assert_eq!(first, next); }
                    for v in &vs[..fit] { model.push_back((next, *v)); next += 1; }
                    prop_assert_eq!(src.len(), vs.len() - fit);
                }
                Op::Pop => prop_assert_eq!(ring.pop(), model.pop_front()),
                Op::PopBatch(n) => {
                    let mut got = Vec::new();
                    let k = ring.pop_batch(n, |p, v| got.push((p, v)));
                    let want: Vec<_> = (0..n.min(model.len())).map(|_| model.pop_front().unwrap()).collect();
                    prop_assert_eq!(k, want.len());
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(ring.len(), model.len());
        }
    }
}

/// Several producers (single and batch pushes) and one consumer: every
/// position is seen exactly once, in order, carrying the value that was
/// pushed at it.
#[test]
fn stress_producers_one_consumer() {
    const PRODUCERS: usize = 3;
    // Miri interprets every atomic step: keep its run short but threaded.
    const PER: usize = if cfg!(miri) { 300 } else { 100_000 };
    let ring = Arc::new(Ring::with_start(64, 0));
    let pushed = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for p in 0..PRODUCERS {
        let ring = ring.clone();
        let pushed = pushed.clone();
        handles.push(std::thread::spawn(move || {
            // Each value encodes (producer, index); remember where it went.
            let mut placed = Vec::with_capacity(PER);
            let mut i = 0usize;
            while i < PER {
                if i % 7 == 0 && i + 5 <= PER {
                    let vals: Vec<u64> = (i..i + 5).map(|k| ((p as u64) << 32) | k as u64).collect();
                    let mut src = vals.into_iter();
                    let (first, n) = ring.push_batch(&mut src, |v| v);
                    for k in 0..n {
                        placed.push((first + k as u64, ((p as u64) << 32) | (i + k) as u64));
                    }
                    i += n;
                    if n == 0 {
                        std::thread::yield_now();
                    }
                } else {
                    match ring.push(((p as u64) << 32) | i as u64) {
                        Ok(pos) => {
                            placed.push((pos, ((p as u64) << 32) | i as u64));
                            i += 1;
                        }
                        Err(_) => std::thread::yield_now(),
                    }
                }
            }
            pushed.fetch_add(PER, Ordering::SeqCst);
            placed
        }));
    }
    let total = PRODUCERS * PER;
    let mut seen: Vec<(u64, u64)> = Vec::with_capacity(total);
    while seen.len() < total {
        let n = ring.pop_batch(16, |pos, v| seen.push((pos, v)));
        if n == 0 {
            if let Some(x) = ring.pop() {
                seen.push(x);
            } else {
                std::thread::yield_now();
            }
        }
    }
    let mut placed: Vec<(u64, u64)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(ring.pop(), None);
    for (i, (pos, _)) in seen.iter().enumerate() {
        assert_eq!(*pos, i as u64, "positions popped out of order or lost");
    }
    placed.sort_unstable();
    assert_eq!(placed, seen, "a value was lost, duplicated or misplaced");
    // Per producer, values appear in the order they were pushed.
    let mut last = [None::<u64>; PRODUCERS];
    for (_, v) in &seen {
        let p = (v >> 32) as usize;
        let k = v & 0xffff_ffff;
        assert!(last[p].is_none_or(|l| l < k));
        last[p] = Some(k);
    }
}

/// Producers and a DropOldest-style competing consumer: no value is ever
/// delivered twice.
#[test]
fn stress_two_consumers_no_duplicates() {
    const STRESS_ITEMS: u64 = if cfg!(miri) { 500 } else { 200_000 };
    let ring = Arc::new(Ring::with_start(8, 0));
    let producer = {
        let ring = ring.clone();
        std::thread::spawn(move || {
            for i in 0..STRESS_ITEMS {
                let mut v = i;
                loop {
                    match ring.push(v) {
                        Ok(_) => break,
                        Err(back) => {
                            v = back;
                            // Drop the oldest, as DropOldest does.
                            let _ = ring.pop();
                        }
                    }
                }
            }
        })
    };
    let mut last = None;
    let mut count = 0u64;
    while !producer.is_finished() || ring.len() > 0 {
        ring.pop_batch(4, |pos, v| {
            assert_eq!(pos, v);
            assert!(last.is_none_or(|l| l < pos));
            last = Some(pos);
            count += 1;
        });
    }
    producer.join().unwrap();
    assert!(count > 0);
}

#[test]
fn a_closed_ring_refuses_pushes_but_keeps_what_it_holds() {
    let ring: Ring<u32> = Ring::with_start(4, 10);
    assert_eq!(ring.push(1), Ok(10));
    assert_eq!(ring.push(2), Ok(11));
    assert!(!ring.is_closed());
    assert_eq!(ring.close(), 12);
    assert!(ring.is_closed());
    assert_eq!(ring.tail(), 12);
    assert_eq!(ring.push(3), Err(3));
    let mut src = vec![4u32, 5].into_iter();
    assert_eq!(ring.push_batch(&mut src, |v| v).1, 0);
    assert_eq!(src.len(), 2, "nothing taken from the batch");
    assert_eq!(ring.len(), 2);
    assert_eq!(ring.pop(), Some((10, 1)));
    assert_eq!(ring.pop(), Some((11, 2)));
    assert_eq!(ring.pop(), None);
    assert_eq!(ring.close(), 12, "closing twice is harmless");
}
