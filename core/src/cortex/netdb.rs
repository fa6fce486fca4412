//! [`NetDb`]: the facade over the CortEX models, built by [`NetDbBuilder`].

use super::memories::MemoriesState;
use super::snapshot::{restore_error, Base, ModelSnapshot};
use super::tasks::TasksState;
use super::{MemoriesAdapter, NetDbError, NetDbSnapshot, TasksAdapter};
use crate::redex::{Redex, RedexFileConfig};

/// Configures and opens a [`NetDb`] (see [`NetDb::builder`]).
#[derive(Debug, Clone)]
pub struct NetDbBuilder {
    redex: Redex,
    origin: u64,
    persistent: bool,
    file_config: RedexFileConfig,
    tasks: bool,
    memories: bool,
}

/// Tasks and memories, event-sourced on one [`Redex`].
pub struct NetDb {
    origin: u64,
    tasks: Option<TasksAdapter>,
    memories: Option<MemoriesAdapter>,
}

impl NetDb {
    /// Start configuring a `NetDb` on `redex`.
    pub fn builder(redex: Redex) -> NetDbBuilder {
        NetDbBuilder {
            redex,
            origin: 0,
            persistent: false,
            file_config: RedexFileConfig::default(),
            tasks: false,
            memories: false,
        }
    }

    /// The origin hash stamped on every event this `NetDb` writes.
    pub fn origin(&self) -> u64 {
        self.origin
    }

    /// The tasks model.
    ///
    /// # Panics
    /// If the builder did not call `with_tasks()` — a programming error;
    /// [`NetDb::try_tasks`] reports it as a value instead.
    pub fn tasks(&self) -> &TasksAdapter {
        self.tasks.as_ref().expect("NetDb was built without with_tasks()")
    }

    /// The tasks model, or [`NetDbError::MissingModel`].
    pub fn try_tasks(&self) -> Result<&TasksAdapter, NetDbError> {
        self.tasks.as_ref().ok_or(NetDbError::MissingModel("tasks"))
    }

    /// The memories model.
    ///
    /// # Panics
    /// If the builder did not call `with_memories()`; see
    /// [`NetDb::try_memories`].
    pub fn memories(&self) -> &MemoriesAdapter {
        self.memories.as_ref().expect("NetDb was built without with_memories()")
    }

    /// The memories model, or [`NetDbError::MissingModel`].
    pub fn try_memories(&self) -> Result<&MemoriesAdapter, NetDbError> {
        self.memories.as_ref().ok_or(NetDbError::MissingModel("memories"))
    }

    /// Every enabled model's snapshot ([`TasksAdapter::snapshot`],
    /// [`MemoriesAdapter::snapshot`]), bundled.
    pub fn snapshot(&self) -> NetDbSnapshot {
        NetDbSnapshot::new(
            self.tasks.as_ref().map(TasksAdapter::snapshot),
            self.memories.as_ref().map(MemoriesAdapter::snapshot),
        )
    }

    /// Close every model (their files are synced and closed). Closing
    /// again is a no-op.
    pub fn close(&self) -> Result<(), NetDbError> {
        let tasks = self.tasks.as_ref().map_or(Ok(()), TasksAdapter::close);
        let memories = self.memories.as_ref().map_or(Ok(()), MemoriesAdapter::close);
        tasks.and(memories).map_err(NetDbError::from)
    }
}

impl NetDbBuilder {
    /// The producer identity stamped on every event (an origin hash).
    pub fn origin(mut self, origin: u64) -> Self {
        self.origin = origin;
        self
    }

    /// Keep the models' files on disk (the `Redex` needs a persistent
    /// directory).
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// File configuration for the models' files (fsync policy, segment
    /// size...). `persistent` overrides its `persistent` field.
    pub fn file_config(mut self, config: RedexFileConfig) -> Self {
        self.file_config = config;
        self
    }

    pub fn with_tasks(mut self) -> Self {
        self.tasks = true;
        self
    }

    pub fn with_memories(mut self) -> Self {
        self.memories = true;
        self
    }

    fn config(&self) -> RedexFileConfig {
        self.file_config.clone().with_persistent(self.persistent)
    }

    /// Open the enabled models, folding their logs.
    ///
    /// # Errors
    /// [`NetDbError::Cortex`] when a file cannot be opened (bad config,
    /// corruption, lock) or its fold halts.
    pub fn build(self) -> Result<NetDb, NetDbError> {
        self.open(None, None)
    }

    /// Open the enabled models on top of `bundle`'s states, folding only
    /// the events after it. A log that ends before the bundle's seq (a
    /// fresh, e.g. in-memory, `Redex`) takes the bundle as its base.
    ///
    /// # Errors
    /// [`NetDbError::MissingModel`] if an enabled model is not in the
    /// bundle; [`NetDbError::Bundle`] for a bundle of an unknown format or
    /// one whose seq the log has already evicted past; those of `build`.
    pub fn build_from_snapshot(self, bundle: &NetDbSnapshot) -> Result<NetDb, NetDbError> {
        let tasks = base_of(self.tasks, bundle.tasks.as_ref())?;
        let memories = base_of(self.memories, bundle.memories.as_ref())?;
        self.open(tasks, memories).map_err(restore_error)
    }

    fn open(
        self,
        tasks_base: Option<(TasksState, u64)>,
        memories_base: Option<(MemoriesState, u64)>,
    ) -> Result<NetDb, NetDbError> {
        let config = self.config();
        let tasks = match self.tasks {
            true => Some(TasksAdapter::open_from(&self.redex, self.origin, config.clone(), tasks_base)?),
            false => None,
        };
        let memories = match self.memories {
            true => match MemoriesAdapter::open_from(&self.redex, self.origin, config, memories_base) {
                Ok(m) => Some(m),
                Err(e) => {
                    // Do not leave the tasks file open (and locked) behind.
                    if let Some(t) = &tasks {
                        let _ = t.close();
                    }
                    return Err(e.into());
                }
            },
            false => None,
        };
        Ok(NetDb { origin: self.origin, tasks, memories })
    }
}

/// The state an enabled model restores from its snapshot in a bundle
/// (`None` for a model the builder does not enable).
fn base_of<S: ModelSnapshot>(enabled: bool, snapshot: Option<&S>) -> Result<Option<Base<S::Record>>, NetDbError> {
    match (enabled, snapshot) {
        (false, _) => Ok(None),
        (true, Some(s)) => Ok(Some(s.base())),
        (true, None) => Err(NetDbError::MissingModel(S::MODEL)),
    }
}
