//! Tasks (protocol revision 2025-11-25, experimental): tool calls that run in the background
//! and are polled for their result.
//!
//! A tool opts in with `#[task]` (the same as `#[tool(task = "optional")]`),
//! `#[tool(task = "required")]`, or [`ToolBuilder::task_support`](crate::tool::ToolBuilder::task_support).
//! The server then advertises the `tasks` capability (`list`, `cancel`,
//! `requests.tools.call`) and each tool's `execution.taskSupport`.
//!
//! A `tools/call` carrying `params.task` answers at once with a `CreateTaskResult`; the tool runs
//! on its own, not tied to that request's cancellation. The client polls `tasks/get`, waits with
//! `tasks/result` (which returns exactly what `tools/call` would have, plus the
//! `io.modelcontextprotocol/related-task` `_meta`), lists its tasks with `tasks/list` and stops
//! one with `tasks/cancel` (the task is `cancelled` before the answer is sent, and the tool's
//! future is dropped). Inside the tool, [`Context::report_status`](crate::Context::report_status)
//! updates the task's `statusMessage` and sends `notifications/tasks/status`.
//!
//! Tasks are kept in a [`TaskStore`] ([`InMemoryTaskStore`] by default, set another with
//! [`Server::task_store`](crate::Server::task_store)). A task's `ttl` is the one the client
//! asked for, capped by [`ServerConfig::task_max_ttl`](crate::ServerConfig::task_max_ttl)
//! (one hour by default); after it, the task and its result are gone and its id gets -32602.
//!
//! Tasks are scoped to the session that created them: another session (another HTTP
//! `Mcp-Session-Id`) neither sees nor reaches them. Task ids are 128 random bits.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mcp_core::McpError;
use mcp_core::jsonrpc::RequestId;
use mcp_core::model::{Task, TaskStatus};
use mcp_core::peer::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What a [`TaskStore`] call returns.
pub type TaskStoreFuture<'a, T> = BoxFuture<'a, Result<T, McpError>>;

/// How a task ended: the JSON result of the underlying request, or its JSON-RPC error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum TaskOutcome {
    /// The result object (for a tool, the `CallToolResult`).
    Result(Value),
    /// The JSON-RPC error.
    Error(McpError),
}

/// A change to a task, applied atomically by [`TaskStore::update`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskUpdate {
    /// The new status, if it changes.
    pub status: Option<TaskStatus>,
    /// The new `statusMessage`, if it changes.
    pub status_message: Option<String>,
    /// The outcome, stored with a terminal status.
    pub outcome: Option<TaskOutcome>,
    /// The new `lastUpdatedAt` (ISO 8601).
    pub at: String,
}

impl TaskUpdate {
    /// An update stamped now, changing nothing yet.
    pub fn now() -> Self {
        Self {
            at: now_iso8601(),
            ..Self::default()
        }
    }
}

/// What [`TaskStore::update`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UpdateResult {
    /// The task was changed; here it is.
    Updated(Task),
    /// The task is terminal and was left as it is (terminal states are final).
    Final(Task),
    /// No such task in this scope (never created, or expired).
    Unknown,
}

/// Where tasks and their results live.
///
/// Every method names the *scope* (the session that owns the task) and works only on that
/// scope's tasks. The API holds only strings and serde values, so an implementation can keep
/// tasks in a shared database and serve several server replicas; it must apply each
/// [`update`](TaskStore::update) atomically (terminal states never change) and forget a task
/// once its `ttl` (milliseconds from `createdAt`) has passed.
pub trait TaskStore: Send + Sync + fmt::Debug + 'static {
    /// Stores a new task (status `working`).
    fn create<'a>(&'a self, scope: &'a str, task: Task) -> TaskStoreFuture<'a, ()>;

    /// The task `task_id`, or `None` when unknown or expired.
    fn get<'a>(&'a self, scope: &'a str, task_id: &'a str) -> TaskStoreFuture<'a, Option<Task>>;

    /// Applies `update` unless the task is terminal. A status change must be allowed by
    /// [`TaskStatus::can_transition_to`]; an update that only restates the status is allowed.
    fn update<'a>(
        &'a self,
        scope: &'a str,
        task_id: &'a str,
        update: TaskUpdate,
    ) -> TaskStoreFuture<'a, UpdateResult>;

    /// The stored outcome of a terminal task (`None` while it runs, or when unknown).
    fn outcome<'a>(
        &'a self,
        scope: &'a str,
        task_id: &'a str,
    ) -> TaskStoreFuture<'a, Option<TaskOutcome>>;

    /// One page of the scope's tasks, oldest first, at most `limit` long, and the cursor of
    /// the next page. An unknown cursor is an error (-32602).
    fn list<'a>(
        &'a self,
        scope: &'a str,
        cursor: Option<&'a str>,
        limit: usize,
    ) -> TaskStoreFuture<'a, (Vec<Task>, Option<String>)>;
}

/// The default [`TaskStore`]: tasks in memory, forgotten when their `ttl` runs out.
#[derive(Debug, Default)]
pub struct InMemoryTaskStore {
    inner: Mutex<MemInner>,
}

#[derive(Debug, Default)]
struct MemInner {
    seq: u64,
    tasks: HashMap<(String, String), MemEntry>,
}

#[derive(Debug)]
struct MemEntry {
    seq: u64,
    task: Task,
    outcome: Option<TaskOutcome>,
    expires: Option<Instant>,
}

impl InMemoryTaskStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut MemInner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        inner.tasks.retain(|_, e| e.expires.is_none_or(|t| t > now));
        f(&mut inner)
    }
}

fn key(scope: &str, id: &str) -> (String, String) {
    (scope.to_owned(), id.to_owned())
}

impl TaskStore for InMemoryTaskStore {
    fn create<'a>(&'a self, scope: &'a str, task: Task) -> TaskStoreFuture<'a, ()> {
        let expires = task
            .ttl
            .map(|ms| Instant::now() + Duration::from_millis(ms));
        self.with(|inner| {
            inner.seq += 1;
            let seq = inner.seq;
            inner.tasks.insert(
                key(scope, &task.task_id),
                MemEntry {
                    seq,
                    task,
                    outcome: None,
                    expires,
                },
            );
        });
        Box::pin(async { Ok(()) })
    }

    fn get<'a>(&'a self, scope: &'a str, task_id: &'a str) -> TaskStoreFuture<'a, Option<Task>> {
        let task = self.with(|inner| {
            inner
                .tasks
                .get(&key(scope, task_id))
                .map(|e| e.task.clone())
        });
        Box::pin(async { Ok(task) })
    }

    fn update<'a>(
        &'a self,
        scope: &'a str,
        task_id: &'a str,
        update: TaskUpdate,
    ) -> TaskStoreFuture<'a, UpdateResult> {
        let result = self.with(|inner| {
            let Some(entry) = inner.tasks.get_mut(&key(scope, task_id)) else {
                return Ok(UpdateResult::Unknown);
            };
            let current = entry.task.status;
            if current.is_terminal() {
                return Ok(UpdateResult::Final(entry.task.clone()));
            }
            if let Some(next) = update.status {
                if next != current && !current.can_transition_to(next) {
                    return Err(McpError::internal(format!(
                        "Task {task_id} cannot move from {current} to {next}"
                    )));
                }
                entry.task.status = next;
            }
            if let Some(message) = update.status_message {
                entry.task.status_message = Some(message);
            }
            if let Some(outcome) = update.outcome {
                entry.outcome = Some(outcome);
            }
            entry.task.last_updated_at = update.at;
            Ok(UpdateResult::Updated(entry.task.clone()))
        });
        Box::pin(async { result })
    }

    fn outcome<'a>(
        &'a self,
        scope: &'a str,
        task_id: &'a str,
    ) -> TaskStoreFuture<'a, Option<TaskOutcome>> {
        let outcome = self.with(|inner| {
            inner
                .tasks
                .get(&key(scope, task_id))
                .and_then(|e| e.outcome.clone())
        });
        Box::pin(async { Ok(outcome) })
    }

    fn list<'a>(
        &'a self,
        scope: &'a str,
        cursor: Option<&'a str>,
        limit: usize,
    ) -> TaskStoreFuture<'a, (Vec<Task>, Option<String>)> {
        let result = (|| {
            let after = match cursor {
                None => 0,
                Some(c) => c
                    .strip_prefix("seq:")
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or_else(|| McpError::invalid_params(format!("Invalid cursor `{c}`")))?,
            };
            Ok(self.with(|inner| {
                let mut mine: Vec<&MemEntry> = inner
                    .tasks
                    .iter()
                    .filter(|((s, _), e)| s == scope && e.seq > after)
                    .map(|(_, e)| e)
                    .collect();
                mine.sort_by_key(|e| e.seq);
                let limit = limit.max(1);
                let next = (mine.len() > limit).then(|| format!("seq:{}", mine[limit - 1].seq));
                let tasks = mine
                    .into_iter()
                    .take(limit)
                    .map(|e| e.task.clone())
                    .collect();
                (tasks, next)
            }))
        })();
        Box::pin(async { result })
    }
}

/// The server's side of tasks: the store, and the tasks running in this process.
pub(crate) struct TaskEngine {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) max_ttl: Duration,
    pub(crate) poll_interval: Duration,
    running: Mutex<HashMap<(String, String), Running>>,
}

#[derive(Clone)]
struct Running {
    token: CancellationToken,
    done: Arc<Notify>,
    /// The `tasks/result` requests waiting for this task, oldest first: requests the task
    /// sends to the client travel with the newest (over HTTP, on its response stream).
    waiters: Arc<Waiters>,
}

/// The `tasks/result` requests waiting for a task, and a signal when one arrives.
#[derive(Default)]
struct Waiters {
    ids: Mutex<Vec<RequestId>>,
    arrived: Notify,
}

impl Waiters {
    fn newest(&self) -> Option<RequestId> {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last()
            .cloned()
    }
}

/// Registration of a `tasks/result` request as a waiter; removed when dropped.
pub(crate) struct WaiterGuard {
    waiters: Arc<Waiters>,
    id: RequestId,
}

impl Drop for WaiterGuard {
    fn drop(&mut self) {
        let mut waiters = self.waiters.ids.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = waiters.iter().rposition(|w| *w == self.id) {
            waiters.remove(i);
        }
    }
}

impl fmt::Debug for TaskEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskEngine")
            .field("store", &self.store)
            .field("max_ttl", &self.max_ttl)
            .finish_non_exhaustive()
    }
}

impl TaskEngine {
    pub(crate) fn new(
        store: Arc<dyn TaskStore>,
        max_ttl: Duration,
        poll_interval: Duration,
    ) -> Self {
        Self {
            store,
            max_ttl,
            poll_interval,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Creates a task record and registers it as running here; returns the task and the token
    /// that stops its work.
    pub(crate) async fn create(
        &self,
        scope: &str,
        requested_ttl: Option<u64>,
        parent: &CancellationToken,
    ) -> Result<(Task, CancellationToken), McpError> {
        let max = u64::try_from(self.max_ttl.as_millis()).unwrap_or(u64::MAX);
        let ttl = requested_ttl.map_or(max, |t| t.min(max));
        let poll = u64::try_from(self.poll_interval.as_millis()).unwrap_or(u64::MAX);
        let task = Task::new(new_task_id(), TaskStatus::Working, now_iso8601(), Some(ttl))
            .with_poll_interval(poll);
        self.store.create(scope, task.clone()).await?;
        let token = parent.child_token();
        self.lock().insert(
            key(scope, &task.task_id),
            Running {
                token: token.clone(),
                done: Arc::new(Notify::new()),
                waiters: Arc::default(),
            },
        );
        Ok((task, token))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Running>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the end of a task's work (unless it is already terminal) and wakes the waiters.
    pub(crate) async fn finish(
        &self,
        scope: &str,
        task_id: &str,
        status: TaskStatus,
        message: Option<String>,
        outcome: TaskOutcome,
    ) -> Result<UpdateResult, McpError> {
        let mut update = TaskUpdate::now();
        update.status = Some(status);
        update.status_message = message;
        update.outcome = Some(outcome);
        let result = self.store.update(scope, task_id, update).await;
        if let Some(running) = self.lock().remove(&key(scope, task_id)) {
            running.done.notify_waiters();
        }
        result
    }

    /// Marks a task cancelled (before anyone is answered) and stops its work if it runs here.
    pub(crate) async fn cancel(&self, scope: &str, task_id: &str) -> Result<Task, McpError> {
        let mut update = TaskUpdate::now();
        update.status = Some(TaskStatus::Cancelled);
        update.status_message = Some("Cancelled by the client".to_owned());
        update.outcome = Some(TaskOutcome::Error(McpError::new(
            mcp_core::ErrorCode::INTERNAL_ERROR,
            "The task was cancelled",
        )));
        match self.store.update(scope, task_id, update).await? {
            UpdateResult::Updated(task) => {
                if let Some(running) = self.lock().remove(&key(scope, task_id)) {
                    running.token.cancel();
                    running.done.notify_waiters();
                }
                Ok(task)
            }
            UpdateResult::Final(task) => Err(McpError::invalid_params(format!(
                "Task {task_id} is already {} and cannot be cancelled",
                task.status
            ))),
            UpdateResult::Unknown => Err(unknown_task(task_id)),
        }
    }

    /// Registers the `tasks/result` request `id` as waiting for the task, while the guard
    /// lives. `None` when the task does not run in this process.
    pub(crate) fn wait_as(&self, scope: &str, task_id: &str, id: RequestId) -> Option<WaiterGuard> {
        let waiters = self.lock().get(&key(scope, task_id))?.waiters.clone();
        waiters
            .ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(id.clone());
        waiters.arrived.notify_waiters();
        Some(WaiterGuard { waiters, id })
    }

    /// The newest `tasks/result` request waiting for the task, if any; with `wait`, waits for
    /// one to arrive (`None` only when the task does not run in this process).
    pub(crate) async fn result_stream(
        &self,
        scope: &str,
        task_id: &str,
        wait: bool,
    ) -> Option<RequestId> {
        let waiters = self.lock().get(&key(scope, task_id))?.waiters.clone();
        loop {
            let arrived = waiters.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(id) = waiters.newest() {
                return Some(id);
            }
            if !wait {
                return None;
            }
            arrived.await;
        }
    }

    /// Waits until the task is terminal, then returns its outcome.
    pub(crate) async fn wait_outcome(
        &self,
        scope: &str,
        task_id: &str,
    ) -> Result<TaskOutcome, McpError> {
        loop {
            let done = self
                .lock()
                .get(&key(scope, task_id))
                .map(|r| r.done.clone());
            let notified = done.as_ref().map(|d| d.notified());
            let mut notified = notified.map(Box::pin);
            if let Some(n) = notified.as_mut() {
                n.as_mut().enable();
            }
            let Some(task) = self.store.get(scope, task_id).await? else {
                return Err(unknown_task(task_id));
            };
            if task.status.is_terminal() {
                return self
                    .store
                    .outcome(scope, task_id)
                    .await?
                    .ok_or_else(|| McpError::internal(format!("Task {task_id} has no result")));
            }
            match notified {
                Some(n) => {
                    let _ = tokio::time::timeout(self.poll_interval, n).await;
                }
                None => tokio::time::sleep(self.poll_interval).await,
            }
        }
    }
}

/// The -32602 error for an id this session does not know (never created, or expired).
pub(crate) fn unknown_task(task_id: &str) -> McpError {
    McpError::invalid_params(format!("Unknown or expired task id `{task_id}`"))
}

/// A fresh task scope for a session.
pub(crate) fn new_scope() -> String {
    new_task_id()
}

/// 128 random bits, in hex.
fn new_task_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to a hash of the time and a counter (still unique).
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(32);
    for b in bytes {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    id
}

/// The current UTC time as ISO 8601 with milliseconds (`2025-11-25T12:00:00.000Z`).
pub fn now_iso8601() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamp_shape() {
        let t = now_iso8601();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
        assert!(t.starts_with("20"), "{t}");
    }

    #[tokio::test]
    async fn memory_store_scopes_pages_and_finality() {
        let store = InMemoryTaskStore::new();
        for i in 0..3 {
            let t = Task::new(
                format!("t{i}"),
                TaskStatus::Working,
                now_iso8601(),
                Some(60_000),
            );
            store.create("a", t).await.unwrap();
        }
        store
            .create(
                "b",
                Task::new("x", TaskStatus::Working, now_iso8601(), None),
            )
            .await
            .unwrap();
        assert!(store.get("b", "t0").await.unwrap().is_none());
        let (page, next) = store.list("a", None, 2).await.unwrap();
        assert_eq!(page.len(), 2);
        let (rest, end) = store.list("a", next.as_deref(), 2).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].task_id, "t2");
        assert!(end.is_none());
        assert!(store.list("a", Some("bogus"), 2).await.is_err());
        let mut up = TaskUpdate::now();
        up.status = Some(TaskStatus::Completed);
        up.outcome = Some(TaskOutcome::Result(serde_json::json!({"content": []})));
        assert!(matches!(
            store.update("a", "t0", up.clone()).await.unwrap(),
            UpdateResult::Updated(_)
        ));
        up.status = Some(TaskStatus::Cancelled);
        assert!(matches!(
            store.update("a", "t0", up).await.unwrap(),
            UpdateResult::Final(t) if t.status == TaskStatus::Completed
        ));
    }

    #[tokio::test]
    async fn memory_store_expires_by_ttl() {
        let store = InMemoryTaskStore::new();
        let t = Task::new("short", TaskStatus::Working, now_iso8601(), Some(20));
        store.create("s", t).await.unwrap();
        assert!(store.get("s", "short").await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(store.get("s", "short").await.unwrap().is_none());
    }
}
