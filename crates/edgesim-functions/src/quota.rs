//! Per-run limits that hold wherever a run spends memory or time: the 2 MB memory quota
//! (docs/cloudfront/functions-limits.md), the CPU-time deadline, and cancellation by the
//! supervisor of the function threads (`crate::threads`).
//!
//! Memory is counted as CloudFront's runtime counts it: bytes allocated during the run, freed or
//! not (njs gives each run an arena and frees it only at the end). The count comes from
//! [`CountingAlloc`], a global-allocator wrapper the binary installs; it only counts, because an
//! allocator may neither unwind nor fail without aborting the process. The limit is enforced
//!
//! - at every deadline check while the run is polled, between Promise jobs, and when it ends;
//! - before the built-ins that can allocate a lot in one call (`repeat`, `padStart`, `fill`,
//!   `join`, `concat`…, see `crate::guards`), which refuse up front rather than allocate.
//!
//! Without the allocator installed (a library user's binary), only the up-front refusals apply.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use boa_engine::{JsNativeError, JsResult};

use crate::budget::thread_cpu_time;

/// A global allocator that counts, per thread, the bytes it hands out. Install it in the binary:
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: edgesim_functions::CountingAlloc<std::alloc::System> =
///     edgesim_functions::CountingAlloc(std::alloc::System);
/// ```
pub struct CountingAlloc<A>(pub A);

thread_local! {
    /// Bytes this thread has allocated since it started (never decreases). `const` and
    /// drop-free, so reading it from inside the allocator never allocates or fails.
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
    /// The limits of the run on this thread, if one is going.
    static RUN: Cell<Option<Limits>> = const { Cell::new(None) };
    /// How the current run was stopped, once it was (kept apart from `RUN` so `Limits` is `Copy`).
    static STOPPED: Cell<Option<Stop>> = const { Cell::new(None) };
    /// Set by the supervisor when it gives up on this thread's run.
    static CANCEL: std::cell::RefCell<Option<Arc<AtomicBool>>> = const { std::cell::RefCell::new(None) };
}

#[inline]
fn count(bytes: usize) {
    let _ = ALLOCATED.try_with(|c| c.set(c.get().wrapping_add(bytes as u64)));
}

// SAFETY: every method forwards to the wrapped allocator unchanged; counting touches only a
// const-initialised thread-local `Cell`.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size.saturating_sub(layout.size()));
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// Bytes allocated by the calling thread so far (0 forever without [`CountingAlloc`]).
pub fn thread_allocated() -> u64 {
    ALLOCATED.with(Cell::get)
}

/// Whether the process counts allocations (the binary installed [`CountingAlloc`]).
pub fn counting() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        let before = thread_allocated();
        drop(std::hint::black_box(vec![0u8; 64]));
        thread_allocated() != before
    })
}

/// Why a run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Allocated more than the quota (bytes allocated when noticed).
    Memory(u64),
    /// Past the CPU-time deadline.
    Time,
    /// The supervisor gave up on the run (it is answered already).
    Cancelled,
}

#[derive(Debug, Clone, Copy)]
struct Limits {
    cpu_deadline: Duration,
    alloc_start: u64,
    quota: u64,
    checks: u32,
}

/// Starts the limits of a run on this thread.
pub fn begin(cpu_deadline: Duration, quota: u64) {
    STOPPED.with(|s| s.set(None));
    RUN.with(|r| {
        r.set(Some(Limits {
            cpu_deadline,
            alloc_start: thread_allocated(),
            quota,
            checks: 0,
        }))
    });
}

/// Ends the run's limits; returns how it was stopped, if it was (a last memory check included).
pub fn end() -> Option<Stop> {
    let _ = check_memory();
    RUN.with(|r| r.set(None));
    STOPPED.with(Cell::take)
}

/// Bytes the current run has allocated so far.
pub fn run_allocated() -> u64 {
    RUN.with(Cell::get)
        .map_or(0, |l| thread_allocated().wrapping_sub(l.alloc_start))
}

/// Takes back `bytes` the engine allocated for a temporary copy (not the function's memory).
pub fn credit(bytes: u64) {
    RUN.with(|r| {
        if let Some(mut l) = r.get() {
            l.alloc_start = l.alloc_start.saturating_add(bytes).min(thread_allocated());
            r.set(Some(l));
        }
    });
}

fn stop(why: Stop) -> Stop {
    STOPPED.with(|s| {
        if s.get().is_none() {
            s.set(Some(why));
        }
        s.get().unwrap_or(why)
    })
}

fn check_memory() -> Result<(), Stop> {
    if let Some(why) = STOPPED.with(Cell::get) {
        return Err(why);
    }
    let Some(l) = RUN.with(Cell::get) else {
        return Ok(());
    };
    let used = thread_allocated().wrapping_sub(l.alloc_start);
    if used > l.quota {
        return Err(stop(Stop::Memory(used)));
    }
    if CANCEL.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }) {
        return Err(stop(Stop::Cancelled));
    }
    Ok(())
}

/// Checks the run's limits: memory and cancellation every time (a thread-local read), CPU time
/// every 16th call (a system call).
pub fn check() -> Result<(), Stop> {
    check_memory()?;
    let due = RUN.with(|r| {
        let mut l = r.get()?;
        l.checks = l.checks.wrapping_add(1);
        r.set(Some(l));
        (l.checks % 16 == 0).then_some(l.cpu_deadline)
    });
    if let Some(deadline) = due {
        if thread_cpu_time() >= deadline {
            return Err(stop(Stop::Time));
        }
    }
    Ok(())
}

/// For built-ins about to allocate about `bytes` at once: refuses (and stops the run, so a
/// `catch` cannot carry on) when that would take the run past its quota.
pub fn ensure_room(bytes: u64) -> JsResult<()> {
    if let Err(why) = check_memory() {
        return Err(stopped_error(why));
    }
    let Some(l) = RUN.with(Cell::get) else {
        return Ok(());
    };
    let used = thread_allocated().wrapping_sub(l.alloc_start);
    if used.saturating_add(bytes) > l.quota {
        return Err(stopped_error(stop(Stop::Memory(
            used.saturating_add(bytes),
        ))));
    }
    Ok(())
}

/// The error a guarded built-in throws once the run is stopped.
pub fn stopped_error(why: Stop) -> boa_engine::JsError {
    JsNativeError::range()
        .with_message(match why {
            Stop::Memory(_) => "MemoryError: memory quota exceeded",
            Stop::Time => "the function ran past its time limit",
            Stop::Cancelled => "the function was stopped",
        })
        .into()
}

/// Registers the flag the supervisor sets to cancel this thread's runs.
pub fn set_cancel_flag(flag: Arc<AtomicBool>) {
    CANCEL.with(|c| *c.borrow_mut() = Some(flag));
}
