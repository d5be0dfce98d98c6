//! The Promise job queue of a context, run under the run's limits.
//!
//! boa's default executor runs every queued job to the end in one go, so an async handler that
//! never stops awaiting (`for (;;) await Promise.resolve(1)`) escaped the deadline: 4.3 s, and
//! then it was reported as a Promise that never settled. Here the limits (`crate::quota`) are
//! checked before each job. CloudFront Functions have no timers or I/O, so only Promise jobs
//! (and boa's generic jobs) exist; anything else is dropped.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use boa_engine::job::{GenericJob, Job, JobExecutor, PromiseJob};
use boa_engine::{Context, JsResult};

use crate::quota;

#[derive(Default)]
pub(super) struct RunJobs {
    promise: RefCell<VecDeque<PromiseJob>>,
    generic: RefCell<VecDeque<GenericJob>>,
}

impl RunJobs {
    fn clear(&self) {
        self.promise.borrow_mut().clear();
        self.generic.borrow_mut().clear();
    }
}

impl JobExecutor for RunJobs {
    fn enqueue_job(self: Rc<Self>, job: Job, _: &mut Context) {
        match job {
            Job::PromiseJob(p) => self.promise.borrow_mut().push_back(p),
            Job::GenericJob(g) => self.generic.borrow_mut().push_back(g),
            _ => {}
        }
    }

    fn run_jobs(self: Rc<Self>, ctx: &mut Context) -> JsResult<()> {
        loop {
            if let Err(why) = quota::check() {
                self.clear();
                return Err(quota::stopped_error(why));
            }
            let next = self.promise.borrow_mut().pop_front();
            let result = match next {
                Some(job) => job.call(ctx),
                None => match self.generic.borrow_mut().pop_front() {
                    Some(job) => job.call(ctx),
                    None => return Ok(()),
                },
            };
            if let Err(e) = result {
                self.clear();
                return Err(e);
            }
        }
    }
}
