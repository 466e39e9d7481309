//! Spawning background tasks with less code to compile.
//!
//! `tokio::spawn` compiles the task machinery (allocation, polling, waking, the join handle,
//! for each scheduler flavour) again for every distinct future type it is given: several
//! thousand lines of LLVM IR per call site. Occasional tasks (timers, watchers, one per
//! connection) are boxed first, so all of them with the same output share one copy. Tasks
//! spawned per request keep their own type: there the box would be an allocation per call.

use std::future::Future;
use std::pin::Pin;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

/// A boxed, sendable future.
pub type BoxedTask<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// `tokio::spawn`, boxing the future (see the module docs).
pub fn spawn<T: Send + 'static>(task: impl Future<Output = T> + Send + 'static) -> JoinHandle<T> {
    tokio::spawn(Box::pin(task) as BoxedTask<T>)
}

/// [`Handle::spawn`], boxing the future (see the module docs).
pub fn spawn_on<T: Send + 'static>(
    handle: &Handle,
    task: impl Future<Output = T> + Send + 'static,
) -> JoinHandle<T> {
    handle.spawn(Box::pin(task) as BoxedTask<T>)
}
