//! Per-chat dialogue state (what "more" continues) and where it is kept:
//! teloxide's in-memory storage, or an SQLite file that survives restarts.
//!
//! ```
//! use sco_bot::telegram::state::StateStore;
//! assert_eq!("memory".parse::<StateStore>(), Ok(StateStore::Memory));
//! assert_eq!(
//!     "sqlite:/var/lib/sco-bot/state.db".parse::<StateStore>(),
//!     Ok(StateStore::Sqlite("/var/lib/sco-bot/state.db".into()))
//! );
//! assert!("redis://x".parse::<StateStore>().is_err());
//! ```

use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use teloxide::dispatching::dialogue::{Dialogue, ErasedStorage, InMemStorage, Storage};
use teloxide::types::ChatId;

/// A chat's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Nothing answered yet (or the last question was not answered).
    #[default]
    Start,
    /// The last answer: its passage and what "more" shows next.
    Answered {
        /// The passage of the answer (index into the retrieval index).
        passage_idx: usize,
        /// The rest of the answer, in the order "more" shows it.
        more: Vec<String>,
    },
}

/// The storage the handler tree gets.
pub type ChatStorage = ErasedStorage<State>;

/// A chat's dialogue.
pub type ChatDialogue = Dialogue<State, ChatStorage>;

/// Where dialogue state is kept (`--state`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StateStore {
    /// In memory: lost on restart (`memory`, the default).
    #[default]
    Memory,
    /// An SQLite file (`sqlite:PATH`).
    Sqlite(PathBuf),
}

impl std::str::FromStr for StateStore {
    type Err = String;

    fn from_str(text: &str) -> Result<StateStore, String> {
        if text == "memory" {
            return Ok(StateStore::Memory);
        }
        match text.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => Ok(StateStore::Sqlite(PathBuf::from(path))),
            _ => Err(format!("unknown state store {text:?}: use memory or sqlite:PATH")),
        }
    }
}

impl StateStore {
    /// Opens the storage (creating the SQLite file and table if needed).
    pub fn open(&self) -> anyhow::Result<Arc<ChatStorage>> {
        Ok(match self {
            StateStore::Memory => InMemStorage::<State>::new().erase(),
            StateStore::Sqlite(path) => SqliteStorage::open(path)?.erase(),
        })
    }
}

/// An error of the SQLite storage.
#[derive(Debug)]
pub enum StorageError {
    /// SQLite failed.
    Sqlite(rusqlite::Error),
    /// A stored state could not be read or written as JSON.
    Json(serde_json::Error),
    /// The blocking task was cancelled.
    Task(String),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Sqlite(e) => write!(f, "dialogue storage: {e}"),
            StorageError::Json(e) => write!(f, "dialogue storage: bad state: {e}"),
            StorageError::Task(e) => write!(f, "dialogue storage: {e}"),
        }
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StorageError::Sqlite(e) => Some(e),
            StorageError::Json(e) => Some(e),
            StorageError::Task(_) => None,
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Dialogue states in an SQLite table `dialogues(chat_id, state)`, the
/// state as JSON. Calls run on tokio's blocking pool.
#[derive(Debug)]
pub struct SqliteStorage {
    connection: Mutex<rusqlite::Connection>,
}

impl SqliteStorage {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &std::path::Path) -> anyhow::Result<Arc<SqliteStorage>> {
        let connection = rusqlite::Connection::open(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot open state database: {e}", path.display()))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS dialogues (
                     chat_id INTEGER PRIMARY KEY,
                     state TEXT NOT NULL
                 );",
            )
            .map_err(|e| {
                anyhow::anyhow!("{}: cannot set up state database: {e}", path.display())
            })?;
        Ok(Arc::new(SqliteStorage { connection: Mutex::new(connection) }))
    }

    /// Runs `f` with the connection on the blocking pool.
    fn run<T, F>(self: Arc<Self>, f: F) -> BoxFuture<Result<T, StorageError>>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StorageError> + Send + 'static,
    {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let connection =
                    self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                f(&connection)
            })
            .await
            .map_err(|e| StorageError::Task(e.to_string()))?
        })
    }
}

impl Storage<State> for SqliteStorage {
    type Error = StorageError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<(), StorageError>> {
        self.run(move |connection| {
            connection
                .execute("DELETE FROM dialogues WHERE chat_id = ?1", [chat_id.0])
                .map(drop)
                .map_err(StorageError::Sqlite)
        })
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
        dialogue: State,
    ) -> BoxFuture<Result<(), StorageError>> {
        self.run(move |connection| {
            let json = serde_json::to_string(&dialogue).map_err(StorageError::Json)?;
            connection
                .execute(
                    "INSERT INTO dialogues (chat_id, state) VALUES (?1, ?2)
                     ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state",
                    rusqlite::params![chat_id.0, json],
                )
                .map(drop)
                .map_err(StorageError::Sqlite)
        })
    }

    fn get_dialogue(
        self: Arc<Self>,
        chat_id: ChatId,
    ) -> BoxFuture<Result<Option<State>, StorageError>> {
        self.run(move |connection| {
            let json: Option<String> = connection
                .query_row("SELECT state FROM dialogues WHERE chat_id = ?1", [chat_id.0], |row| {
                    row.get(0)
                })
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(StorageError::Sqlite(e)),
                })?;
            match json {
                // A state this version cannot read (an older format) starts afresh.
                Some(json) => Ok(serde_json::from_str(&json).ok()),
                None => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[tokio::test]
    async fn sqlite_state_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("sco-bot-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let _ = std::fs::remove_file(&path);
        let answered = State::Answered { passage_idx: 7, more: vec!["Then <b>this</b>.".into()] };
        {
            let storage = StateStore::Sqlite(path.clone()).open().unwrap();
            assert_eq!(storage.clone().get_dialogue(ChatId(-100)).await.unwrap(), None);
            storage.clone().update_dialogue(ChatId(-100), answered.clone()).await.unwrap();
            storage.clone().update_dialogue(ChatId(5), State::Start).await.unwrap();
            storage.clone().update_dialogue(ChatId(5), answered.clone()).await.unwrap();
            storage.clone().remove_dialogue(ChatId(5)).await.unwrap();
        }
        let storage = StateStore::Sqlite(path.clone()).open().unwrap();
        assert_eq!(storage.clone().get_dialogue(ChatId(-100)).await.unwrap(), Some(answered));
        assert_eq!(storage.clone().get_dialogue(ChatId(5)).await.unwrap(), None);
        drop(storage);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn memory_state_round_trips() {
        let storage = StateStore::Memory.open().unwrap();
        let state = State::Answered { passage_idx: 1, more: Vec::new() };
        storage.clone().update_dialogue(ChatId(1), state.clone()).await.unwrap();
        assert_eq!(storage.clone().get_dialogue(ChatId(1)).await.unwrap(), Some(state));
    }

    #[test]
    fn parses_state_stores() {
        assert_eq!("sqlite:".parse::<StateStore>().map_err(|_| ()), Err(()));
        assert_eq!("sqlite:a.db".parse::<StateStore>(), Ok(StateStore::Sqlite("a.db".into())));
    }
}
