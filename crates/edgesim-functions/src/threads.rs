//! Supervised function threads: where `serve` runs CloudFront Functions.
//!
//! Why not inline on the server's workers (engines.md measured 48k vs 43k req/s for inline vs
//! dedicated threads): a run can get stuck where the engine cannot stop it. A regular expression
//! that backtracks exponentially (`/(a+)+$/`) runs inside one native call of boa's regex engine
//! for hours, and JavaScript called back from native code (`forEach`, `sort`) runs without the
//! deadline checks. On a server worker such a run took the worker with it; two of them froze
//! the whole server. Here:
//!
//! - `size` function threads take runs from one queue; each keeps its own engine contexts
//!   (boa's `Context` is `!Send`; `crate::engine`'s per-thread pool).
//! - A supervisor thread watches each run's CPU time (the thread's CPU clock, so a loaded
//!   machine does not trip it). A run past the hard time limit plus a grace period is answered
//!   with an execution error (CloudFront's 503) and its thread is abandoned: it is moved to the
//!   idle scheduling class (`SCHED_IDLE`, it only gets CPU time nobody else wants), asked to stop
//!   at the next check it reaches, and replaced by a fresh thread. When its run ends at last,
//!   it exits. At most [`MAX_ABANDONED`] abandoned threads live at once; past that they are not
//!   replaced, and with no thread left runs are answered 503 `FunctionThrottledError`.
//! - While a function has an abandoned run, its new runs are refused as throttled (CloudFront
//!   throttles a function that keeps exceeding its budget), so one bad function costs at most
//!   a thread or two, whatever the request rate.
//! - The supervisor sleeps on a condition variable while no run is going, so an idle server
//!   does not wake up.
//!
//! [`FunctionThreads::warm`] builds every function's context on every thread, so no request pays
//! for compiling the prelude (~1–2 ms a context).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::oneshot;

use crate::budget::thread_cpu_time;
use crate::engine::{CloudFrontFunction, Invocation, InvokeInput};
use crate::error::FunctionError;

/// Abandoned threads allowed to live at once (each may spin on a core at idle priority).
pub const MAX_ABANDONED: usize = 8;
/// CPU time past the hard limit before the supervisor steps in: the engine's own deadline
/// normally ends the run first; this is for runs it cannot reach.
const GRACE: Duration = Duration::from_millis(20);
/// How often the supervisor looks while runs are going.
const TICK: Duration = Duration::from_millis(10);

/// A pool of supervised function threads.
pub struct FunctionThreads {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
    size: usize,
    /// Threads taking runs (not abandoned).
    live: AtomicUsize,
    abandoned: AtomicUsize,
    workers: Mutex<Vec<Arc<Worker>>>,
    /// Runs going right now (the supervisor sleeps while there are none).
    running: AtomicUsize,
    supervisor: Mutex<bool>,
    wake_supervisor: Condvar,
    next_id: AtomicUsize,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
}

enum Job {
    Run {
        function: CloudFrontFunction,
        event: Arc<Value>,
        input: InvokeInput,
        reply: oneshot::Sender<Invocation>,
    },
    Warm {
        functions: Vec<CloudFrontFunction>,
        done: Arc<(Mutex<usize>, Condvar)>,
    },
}

struct Worker {
    id: usize,
    /// The thread's CPU clock, for the supervisor.
    clock: Mutex<Option<libc::clockid_t>>,
    tid: Mutex<Option<libc::pid_t>>,
    slot: Mutex<Option<Running>>,
    cancel: Arc<AtomicBool>,
    abandoned: AtomicBool,
}

struct Running {
    reply: oneshot::Sender<Invocation>,
    function: CloudFrontFunction,
    started: Instant,
    cpu_start: Duration,
    limit: Duration,
}

impl FunctionThreads {
    /// Starts `size` function threads and their supervisor.
    pub fn start(size: usize) -> FunctionThreads {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            size: size.max(1),
            live: AtomicUsize::new(0),
            abandoned: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
            running: AtomicUsize::new(0),
            supervisor: Mutex::new(false),
            wake_supervisor: Condvar::new(),
            next_id: AtomicUsize::new(0),
        });
        for _ in 0..shared.size {
            spawn_worker(&shared);
        }
        let s = shared.clone();
        let started = std::thread::Builder::new()
            .name("edgesim-cff-supervisor".into())
            .spawn(move || supervise(&s));
        if let Err(e) = started {
            tracing::error!("cannot start the function supervisor thread: {e}");
        }
        FunctionThreads { shared }
    }

    /// The process's pool: one thread per core (at least 2), started on first use.
    pub fn global() -> &'static FunctionThreads {
        static POOL: OnceLock<FunctionThreads> = OnceLock::new();
        POOL.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            FunctionThreads::start(cores.clamp(2, 8))
        })
    }

    /// Runs `function` on a function thread. Answers when the run ends, or when the supervisor
    /// gives up on it.
    pub async fn invoke(
        &self,
        function: &CloudFrontFunction,
        event: Arc<Value>,
        input: InvokeInput,
    ) -> Invocation {
        if let Some(refused) = function.refuse_if_stuck() {
            return refused;
        }
        if self.shared.live.load(Ordering::Relaxed) == 0 {
            return Invocation::failed(FunctionError::Throttled { running_for_ms: 0 });
        }
        let (reply, answer) = oneshot::channel();
        self.shared.push(Job::Run {
            function: function.clone(),
            event,
            input,
            reply,
        });
        match answer.await {
            Ok(invocation) => invocation,
            // The thread went away without answering (it cannot, short of a bug).
            Err(_) => Invocation::failed(FunctionError::Internal(
                "the function thread ended without an answer".into(),
            )),
        }
    }

    /// Builds the contexts of `functions` on every function thread and returns when they are
    /// ready (or after 5 s): call before accepting requests, and after loading new functions.
    pub fn warm(&self, functions: &[CloudFrontFunction]) {
        let live = self.shared.live.load(Ordering::Relaxed);
        if functions.is_empty() || live == 0 {
            return;
        }
        let done = Arc::new((Mutex::new(0usize), Condvar::new()));
        for _ in 0..live {
            self.shared.push(Job::Warm {
                functions: functions.to_vec(),
                done: done.clone(),
            });
        }
        let (count, cv) = &*done;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
        while *n < live {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            n = cv
                .wait_timeout(n, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Threads taking runs right now, and abandoned threads still alive.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.shared.live.load(Ordering::Relaxed),
            self.shared.abandoned.load(Ordering::Relaxed),
        )
    }
}

impl Shared {
    fn push(&self, job: Job) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.jobs.push_back(job);
        // Waking a thread costs a system call; skip it when every thread is busy anyway.
        let wake = q.idle > 0;
        drop(q);
        if wake {
            self.work.notify_one();
        }
    }

    fn pop(&self, me: &Worker) -> Option<Job> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if me.abandoned.load(Ordering::Relaxed) {
                return None;
            }
            // A warm job is for each thread once: wait for the others to take theirs.
            if let Some(job) = q.jobs.pop_front() {
                return Some(job);
            }
            q.idle += 1;
            q = self.work.wait(q).unwrap_or_else(|e| e.into_inner());
            q.idle -= 1;
        }
    }
}

fn spawn_worker(shared: &Arc<Shared>) {
    let worker = Arc::new(Worker {
        id: shared.next_id.fetch_add(1, Ordering::Relaxed),
        clock: Mutex::new(None),
        tid: Mutex::new(None),
        slot: Mutex::new(None),
        cancel: Arc::new(AtomicBool::new(false)),
        abandoned: AtomicBool::new(false),
    });
    shared.live.fetch_add(1, Ordering::Relaxed);
    shared
        .workers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(worker.clone());
    let s = shared.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("edgesim-cff-{}", worker.id))
        .spawn(move || work(&s, &worker));
    if let Err(e) = spawned {
        shared.live.fetch_sub(1, Ordering::Relaxed);
        tracing::error!("cannot start a function thread: {e}");
    }
}

fn work(shared: &Arc<Shared>, me: &Arc<Worker>) {
    // SAFETY: plain queries about the calling thread.
    unsafe {
        let mut clock: libc::clockid_t = 0;
        if libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) == 0 {
            *me.clock.lock().unwrap_or_else(|e| e.into_inner()) = Some(clock);
        }
        *me.tid.lock().unwrap_or_else(|e| e.into_inner()) = Some(libc::gettid());
    }
    crate::quota::set_cancel_flag(me.cancel.clone());
    while let Some(job) = shared.pop(me) {
        match job {
            Job::Warm { functions, done } => {
                for f in &functions {
                    f.warm_this_thread();
                }
                let (count, cv) = &*done;
                *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                cv.notify_all();
                // Hold this thread until the others took theirs, so each warms once.
                let n = count.lock().unwrap_or_else(|e| e.into_inner());
                let _ = cv.wait_timeout_while(n, Duration::from_millis(500), |n| {
                    *n < shared.live.load(Ordering::Relaxed)
                });
            }
            Job::Run {
                function,
                event,
                input,
                reply,
            } => {
                let limit = function.options().hard_timeout;
                *me.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Running {
                    reply,
                    function: function.clone(),
                    started: Instant::now(),
                    cpu_start: thread_cpu_time(),
                    limit,
                });
                if shared.running.fetch_add(1, Ordering::Relaxed) == 0 {
                    let mut awake = shared.supervisor.lock().unwrap_or_else(|e| e.into_inner());
                    if !*awake {
                        *awake = true;
                        shared.wake_supervisor.notify_one();
                    }
                }
                let invocation = function.invoke(&event, &input);
                let running = me.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                shared.running.fetch_sub(1, Ordering::Relaxed);
                match running {
                    Some(r) => {
                        let _ = r.reply.send(invocation);
                    }
                    None => {
                        // Abandoned: answered already, and replaced.
                        function.abandoned_run_ended();
                        tracing::warn!(
                            target: "edgesim::function",
                            function = function.name(),
                            "an abandoned run ended after all; its thread exits"
                        );
                        break;
                    }
                }
            }
        }
    }
    if me.abandoned.load(Ordering::Relaxed) {
        shared.abandoned.fetch_sub(1, Ordering::Relaxed);
    }
    shared
        .workers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|w| w.id != me.id);
    crate::engine::drop_thread_contexts();
}

fn cpu_clock(clock: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is valid and writable; a stale clock id only makes the call fail.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

fn supervise(shared: &Arc<Shared>) {
    loop {
        {
            let mut awake = shared.supervisor.lock().unwrap_or_else(|e| e.into_inner());
            while shared.running.load(Ordering::Relaxed) == 0 {
                *awake = false;
                awake = shared
                    .wake_supervisor
                    .wait(awake)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
        std::thread::sleep(TICK);
        let workers: Vec<Arc<Worker>> = shared
            .workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for w in workers {
            if w.abandoned.load(Ordering::Relaxed) {
                continue;
            }
            let Some(clock) = *w.clock.lock().unwrap_or_else(|e| e.into_inner()) else {
                continue;
            };
            let mut slot = w.slot.lock().unwrap_or_else(|e| e.into_inner());
            let Some(run) = slot.as_ref() else {
                continue;
            };
            let used = cpu_clock(clock).map_or(Duration::ZERO, |t| t.saturating_sub(run.cpu_start));
            // The wall-clock backstop covers a thread that somehow stops using CPU mid-run.
            let wall = run.started.elapsed();
            if used < run.limit + GRACE && wall < (run.limit + GRACE) * 50 {
                continue;
            }
            let Some(run) = slot.take() else {
                continue;
            };
            drop(slot);
            abandon(shared, &w, run, used);
        }
    }
}

fn abandon(shared: &Arc<Shared>, w: &Arc<Worker>, run: Running, used: Duration) {
    w.abandoned.store(true, Ordering::Relaxed);
    w.cancel.store(true, Ordering::Relaxed);
    shared.live.fetch_sub(1, Ordering::Relaxed);
    let abandoned = shared.abandoned.fetch_add(1, Ordering::Relaxed) + 1;
    run.function.run_abandoned();
    if let Some(tid) = *w.tid.lock().unwrap_or_else(|e| e.into_inner()) {
        lower_priority(tid);
    }
    let message = format!(
        "InternalError: the function was stopped after running for {} ms (edgesim's hard time limit; it is stuck where the engine cannot interrupt it, for example a regular expression that backtracks without end)",
        run.limit.as_millis()
    );
    let _ = run
        .reply
        .send(Invocation::failed(FunctionError::Execution(message)));
    let replace = abandoned <= MAX_ABANDONED;
    tracing::warn!(
        target: "edgesim::function",
        function = run.function.name(),
        "run abandoned after {} ms of CPU time; its thread is left at idle priority ({abandoned} abandoned now){}",
        used.as_millis(),
        if replace { ", and replaced" } else { "; too many stuck threads, not replaced: restart edgesim or fix the function" }
    );
    if replace {
        spawn_worker(shared);
    }
}

/// Moves a thread to the idle scheduling class (nice 19 where that is refused).
fn lower_priority(tid: libc::pid_t) {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: plain system calls on a thread id of this process.
    unsafe {
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
        }
    }
}
