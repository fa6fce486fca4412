//! `Lane`: one daemon's calls, run in the order JS made them.
//!
//! Calls that wait on a JS callback cannot run on the JS thread, and
//! handing each to the blocking pool on its own would let two deliveries
//! to one daemon overtake each other. A lane queues them and one drainer
//! on the blocking pool runs them in turn; a drainer starts when a call
//! finds the lane idle and stops when the queue is empty, so a burst of
//! calls costs one trip to the pool.

use std::collections::VecDeque;
use std::sync::Arc;

use napi::bindgen_prelude::ToNapiValue;
use napi::{Env, JsObject};
use parking_lot::Mutex;

use crate::error::{into_rejection, napi_failure, Result};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    draining: bool,
}

/// The ordered calls of one daemon.
#[derive(Default)]
pub struct Lane {
    queue: Mutex<Queue>,
}

impl Lane {
    fn push(self: &Arc<Self>, job: Job) {
        let mut q = self.queue.lock();
        q.jobs.push_back(job);
        if !q.draining {
            q.draining = true;
            drop(q);
            let lane = self.clone();
            net_sdk::runtime::runtime().spawn_blocking(move || lane.drain());
        }
    }

    fn drain(&self) {
        loop {
            let job = {
                let mut q = self.queue.lock();
                match q.jobs.pop_front() {
                    Some(job) => job,
                    None => {
                        q.draining = false;
                        return;
                    }
                }
            };
            job();
        }
    }

    /// Queue `work`; the returned Promise settles with `to_js` of its
    /// value, or rejects with its kind-coded error.
    pub fn run<T, D, F, C>(self: &Arc<Self>, env: &Env, work: F, to_js: C) -> Result<JsObject>
    where
        T: Send + 'static,
        D: ToNapiValue + 'static,
        F: FnOnce() -> Result<T> + Send + 'static,
        C: FnOnce(Env, T) -> Result<D> + Send + 'static,
    {
        let (deferred, promise) = env.create_deferred().map_err(napi_failure)?;
        self.push(Box::new(move || {
            let outcome = work();
            deferred.resolve(move |env| match outcome.and_then(|v| to_js(env, v)) {
                Ok(value) => Ok(value),
                Err(e) => Err(into_rejection(env, e)),
            });
        }));
        Ok(promise)
    }
}
