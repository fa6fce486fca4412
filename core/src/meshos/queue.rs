//! [`WaitQueue`]: a bounded queue that a consumer can wait on either from
//! async code (`pop`) or from a plain thread with a timeout
//! (`pop_timeout`, what the C ABI's blocking `next_control` needs). A push
//! to a full queue is refused, never blocks: control delivery is at most
//! once and the producer is the supervisor, which must not stall.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;

use super::spin::{spin_for, SPIN_WINDOW};

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// Why a push was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushError {
    /// The queue holds `capacity` items.
    Full,
    /// The queue was closed.
    Closed,
}

pub(crate) struct WaitQueue<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    thread_waiters: Condvar,
    task_waiters: Notify,
}

impl<T> WaitQueue<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        WaitQueue {
            state: Mutex::new(State { items: VecDeque::with_capacity(capacity.min(64)), closed: false }),
            capacity: capacity.max(1),
            thread_waiters: Condvar::new(),
            task_waiters: Notify::new(),
        }
    }

    pub(crate) fn push(&self, item: T) -> Result<(), PushError> {
        {
            let mut st = self.state.lock();
            if st.closed {
                return Err(PushError::Closed);
            }
            if st.items.len() >= self.capacity {
                return Err(PushError::Full);
            }
            st.items.push_back(item);
        }
        self.thread_waiters.notify_one();
        self.task_waiters.notify_one();
        Ok(())
    }

    /// The next item if one is queued.
    pub(crate) fn try_pop(&self) -> Option<T> {
        self.state.lock().items.pop_front()
    }

    /// `Some(Some(item))` for a queued item, `Some(None)` when the queue is
    /// closed and empty, `None` when a wait would be needed.
    fn try_pop_or_closed(&self) -> Option<Option<T>> {
        let mut st = self.state.lock();
        match st.items.pop_front() {
            Some(item) => Some(Some(item)),
            None if st.closed => Some(None),
            None => None,
        }
    }

    /// Every queued item, in order.
    pub(crate) fn drain(&self) -> Vec<T> {
        self.state.lock().items.drain(..).collect()
    }

    /// The next item, waiting at most `timeout` (`None`: no bound). `None`
    /// on timeout, or once the queue is closed and empty.
    pub(crate) fn pop_timeout(&self, timeout: Option<Duration>) -> Option<T> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let window = timeout.map_or(SPIN_WINDOW, |t| t.min(SPIN_WINDOW));
        if let Some(item) = spin_for(window, || self.try_pop_or_closed()) {
            return item;
        }
        let mut st = self.state.lock();
        loop {
            if let Some(item) = st.items.pop_front() {
                return Some(item);
            }
            if st.closed {
                return None;
            }
            match deadline {
                Some(d) => {
                    if self.thread_waiters.wait_until(&mut st, d).timed_out() {
                        return st.items.pop_front();
                    }
                }
                None => self.thread_waiters.wait(&mut st),
            }
        }
    }

    /// The next item, waiting for one; `None` once closed and empty.
    pub(crate) async fn pop(&self) -> Option<T> {
        loop {
            // Register interest before looking, so a push between the look
            // and the wait still wakes this task.
            let notified = self.task_waiters.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut st = self.state.lock();
                if let Some(item) = st.items.pop_front() {
                    return Some(item);
                }
                if st.closed {
                    return None;
                }
            }
            notified.await;
        }
    }

    /// Refuse further pushes and wake every waiter; queued items can still
    /// be taken.
    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.thread_waiters.notify_all();
        self.task_waiters.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_full_queue_refuses_and_a_closed_one_drains_then_ends() {
        let q = WaitQueue::new(2);
        q.push(1).unwrap();
        q.push(2).unwrap();
        assert_eq!(q.push(3), Err(PushError::Full));
        q.close();
        assert_eq!(q.push(4), Err(PushError::Closed));
        assert_eq!(q.pop_timeout(None), Some(1));
        assert_eq!(q.try_pop(), Some(2));
        assert_eq!(q.pop_timeout(None), None, "closed and empty ends the wait");
    }

    #[test]
    fn a_blocking_wait_times_out_or_wakes_on_a_push_from_another_thread() {
        let q = Arc::new(WaitQueue::new(4));
        assert_eq!(q.pop_timeout(Some(Duration::from_millis(20))), None::<u32>);
        let q2 = q.clone();
        let t = std::thread::spawn(move || q2.pop_timeout(Some(Duration::from_secs(10))));
        std::thread::sleep(Duration::from_millis(20));
        q.push(7).unwrap();
        assert_eq!(t.join().unwrap(), Some(7));
    }

    #[tokio::test]
    async fn an_async_wait_wakes_on_push_and_on_close() {
        let q = Arc::new(WaitQueue::new(4));
        let q2 = q.clone();
        let t = tokio::spawn(async move { (q2.pop().await, q2.pop().await) });
        tokio::task::yield_now().await;
        q.push(5u8).unwrap();
        q.close();
        assert_eq!(t.await.unwrap(), (Some(5), None));
    }
}
