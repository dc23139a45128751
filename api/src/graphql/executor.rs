//! Where GraphQL requests and the open-data exports run: threads of their
//! own, beside the HTTP workers.
//!
//! An HTTP worker is one thread serving many connections, `/health` among
//! them. Parsing, validating, resolving and serialising a request is CPU
//! work between its awaits; on a worker, a heavy request would hold every
//! other connection of that worker until it yields. Here it holds one
//! executor thread, which the operating system schedules alongside the
//! workers, and the worker that received it only waits for its answer.
//!
//! Each thread drives a single-threaded runtime, as the HTTP workers do: a
//! request's batch loads are spawned on its own thread, so they start only
//! once the resolvers running beside them have queued their keys, which is
//! what lets a page of 100 facilities load its visits in one statement.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Stack of each executor thread: deep but bounded documents recurse in the
/// validator and the resolvers, and a stack is reserved, not used, memory.
const STACK_BYTES: usize = 8 * 1024 * 1024;

/// A task stopped when its waiter is dropped (a no-op once it has ended).
struct StopOnDrop<T>(JoinHandle<T>);

impl<T> Drop for StopOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Tells executors apart, for [`Executor::thread`]: a process may run
/// several servers (the tests do).
static EXECUTORS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// On an executor's thread: that executor, and the thread's number in it.
    static THREAD: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The threads GraphQL requests and exports run on.
pub struct Executor {
    id: usize,
    threads: Vec<Handle>,
    next: AtomicUsize,
    /// Dropped with the executor, which lets every thread go.
    _stop: Vec<oneshot::Sender<()>>,
}

impl Executor {
    /// `threads` threads (at least one), each driving a runtime of its own.
    ///
    /// # Errors
    /// The operating system refused a thread or a runtime.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let count = threads.max(1);
        let id = EXECUTORS.fetch_add(1, Ordering::Relaxed);
        let mut handles = Vec::with_capacity(count);
        let mut stops = Vec::with_capacity(count);
        for number in 0..count {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            handles.push(runtime.handle().clone());
            let (stop, stopped) = oneshot::channel::<()>();
            stops.push(stop);
            std::thread::Builder::new()
                .name(format!("wish-graphql-{number}"))
                .stack_size(STACK_BYTES)
                // Spawned tasks run while the thread is inside `block_on`;
                // it leaves when the executor is dropped, and the runtime
                // with its unfinished tasks is dropped on this thread.
                .spawn(move || {
                    THREAD.set(Some((id, number)));
                    let _ = runtime.block_on(stopped);
                })?;
        }
        Ok(Self {
            id,
            threads: handles,
            next: AtomicUsize::new(0),
            _stop: stops,
        })
    }

    /// How many threads it has.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// The number of the thread this is called on, when it is one of this
    /// executor's (`0..threads()`).
    #[must_use]
    pub fn thread(&self) -> Option<usize> {
        THREAD
            .get()
            .and_then(|(executor, number)| (executor == self.id).then_some(number))
    }

    /// Runs `future` on the next thread in turn and waits for its output;
    /// dropping the wait stops it, so work whose request went away does not
    /// go on holding a thread.
    ///
    /// # Errors
    /// The future panicked.
    pub async fn run<F>(&self, future: F) -> Result<F::Output, tokio::task::JoinError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let mut task = StopOnDrop(self.spawn(future));
        (&mut task.0).await
    }

    /// Starts `future` on the next thread in turn; its handle can be awaited
    /// from any runtime.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.threads.len();
        self.threads[turn].spawn(future)
    }
}
