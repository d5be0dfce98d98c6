//! One engine context per function and thread, reused across invocations.

use std::cell::RefCell;
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::Arc;

use super::context::Instance;
use super::spec::Spec;
use crate::error::FunctionError;

static CONTEXTS_BUILT: AtomicU64 = AtomicU64::new(0);

/// How many engine contexts this process has built (each costs a prelude parse, ~1 ms); a
/// number that keeps growing under steady load means contexts are not being reused.
pub fn contexts_built() -> u64 {
    CONTEXTS_BUILT.load(Ordering::Relaxed)
}

thread_local! {
    /// Never dropped at thread exit: boa's garbage collector is itself thread-local, and if its
    /// storage is torn down first, dropping a context afterwards corrupts the heap (observed as
    /// `tcache_thread_shutdown(): unaligned tcache chunk detected`). Threads that run functions
    /// (tokio workers, the CLI's main thread) live as long as the process anyway.
    static POOL: RefCell<ManuallyDrop<HashMap<u64, Instance>>> = RefCell::new(ManuallyDrop::new(HashMap::new()));
}

/// Takes this thread's context for function `id` out of the pool (the caller puts it back).
pub(super) fn take(id: u64) -> Option<Instance> {
    POOL.with(|p| p.borrow_mut().remove(&id))
}

/// Whether this thread has a context for function `id`.
pub(super) fn has(id: u64) -> bool {
    POOL.with(|p| p.borrow().contains_key(&id))
}

/// Drops all of this thread's contexts, then collects their garbage.
pub(super) fn clear() {
    let drained: Vec<Instance> = POOL.with(|p| p.borrow_mut().drain().map(|(_, i)| i).collect());
    drop(drained);
    boa_gc::force_collect();
}

/// Returns a context to this thread's pool.
pub(super) fn put(id: u64, instance: Instance) {
    POOL.with(|p| p.borrow_mut().insert(id, instance));
}

/// Frees this thread's context for function `id` (the function is being dropped).
pub(super) fn forget(id: u64) {
    // `try_with`: the pool may already be gone if this runs during thread teardown.
    let _ = POOL.try_with(|p| {
        if let Ok(mut pool) = p.try_borrow_mut() {
            pool.remove(&id);
        }
    });
}

/// Drops contexts whose function has been dropped (e.g. after a config reload).
fn sweep() {
    let _ = POOL.try_with(|p| {
        if let Ok(mut pool) = p.try_borrow_mut() {
            pool.retain(|_, instance| instance.spec.strong_count() > 0);
        }
    });
}

/// Builds a context for `spec` on this thread (after dropping contexts of dropped functions).
pub(super) fn build(spec: &Arc<Spec>) -> Result<Instance, FunctionError> {
    sweep();
    CONTEXTS_BUILT.fetch_add(1, Ordering::Relaxed);
    Instance::new(spec)
}
