//! The per-user limit on incoming messages: over the limit, a user gets one
//! polite note and then nothing until the window has room again.
//!
//! ```
//! use sco_bot::telegram::flood::{FloodConfig, FloodGuard, Verdict};
//! use std::time::{Duration, Instant};
//! let guard = FloodGuard::new(FloodConfig { max_messages: 2, window: Duration::from_secs(60) });
//! let now = Instant::now();
//! assert_eq!(guard.check_at(7, now), Verdict::Allow);
//! assert_eq!(guard.check_at(7, now), Verdict::Allow);
//! assert_eq!(guard.check_at(7, now), Verdict::Warn);
//! assert_eq!(guard.check_at(7, now), Verdict::Drop);
//! assert_eq!(guard.check_at(8, now), Verdict::Allow);
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many messages a user may send in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloodConfig {
    /// Messages answered per window.
    pub max_messages: usize,
    /// The sliding window.
    pub window: Duration,
}

impl Default for FloodConfig {
    /// 20 messages a minute.
    fn default() -> FloodConfig {
        FloodConfig { max_messages: 20, window: Duration::from_secs(60) }
    }
}

/// What to do with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Allow,
    /// The first message over the limit: send the note instead.
    Warn,
    /// Over the limit and already warned: ignore it.
    Drop,
}

/// One user's recent messages.
#[derive(Debug, Default)]
struct Recent {
    /// Arrival times, oldest first (at most `max_messages + 1` kept).
    times: VecDeque<Instant>,
    /// Whether the note was sent since the user went over the limit.
    warned: bool,
}

/// Counts messages per user in a sliding window.
#[derive(Debug)]
pub struct FloodGuard {
    config: FloodConfig,
    users: Mutex<HashMap<u64, Recent>>,
}

/// Above this many tracked users, idle ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

impl FloodGuard {
    /// A guard with this limit.
    #[must_use]
    pub fn new(config: FloodConfig) -> FloodGuard {
        FloodGuard { config, users: Mutex::new(HashMap::new()) }
    }

    /// Counts a message from `user` now.
    pub fn check(&self, user: u64) -> Verdict {
        self.check_at(user, Instant::now())
    }

    /// Counts a message from `user` arriving at `now`.
    pub fn check_at(&self, user: u64, now: Instant) -> Verdict {
        let window = self.config.window;
        let max = self.config.max_messages;
        let mut users = self.users.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if users.len() > PRUNE_ABOVE {
            users.retain(|_, recent| {
                recent.times.back().is_some_and(|t| now.saturating_duration_since(*t) < window)
            });
        }
        let recent = users.entry(user).or_default();
        while recent.times.front().is_some_and(|t| now.saturating_duration_since(*t) >= window) {
            recent.times.pop_front();
        }
        recent.times.push_back(now);
        while recent.times.len() > max + 1 {
            recent.times.pop_front();
        }
        if recent.times.len() <= max {
            recent.warned = false;
            Verdict::Allow
        } else if recent.warned {
            Verdict::Drop
        } else {
            recent.warned = true;
            Verdict::Warn
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(max_messages: usize, secs: u64) -> FloodGuard {
        FloodGuard::new(FloodConfig { max_messages, window: Duration::from_secs(secs) })
    }

    #[test]
    fn twenty_one_messages_a_minute_get_twenty_answers_and_one_note() {
        let guard = guard(20, 60);
        let start = Instant::now();
        let verdicts: Vec<Verdict> =
            (0..30).map(|i| guard.check_at(1, start + Duration::from_millis(i * 100))).collect();
        assert_eq!(verdicts.iter().filter(|v| **v == Verdict::Allow).count(), 20);
        assert_eq!(verdicts.get(20), Some(&Verdict::Warn));
        assert!(verdicts.iter().skip(21).all(|v| *v == Verdict::Drop));
    }

    #[test]
    fn the_window_slides() {
        let guard = guard(2, 10);
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        assert_eq!(guard.check_at(1, at(0)), Verdict::Allow);
        assert_eq!(guard.check_at(1, at(1)), Verdict::Allow);
        assert_eq!(guard.check_at(1, at(2)), Verdict::Warn);
        // Ten seconds after the first messages, slots are free again.
        assert_eq!(guard.check_at(1, at(11)), Verdict::Allow);
        assert_eq!(guard.check_at(1, at(12)), Verdict::Allow);
        assert_eq!(guard.check_at(1, at(13)), Verdict::Warn);
        assert_eq!(guard.check_at(1, at(14)), Verdict::Drop);
        assert_eq!(guard.check_at(1, at(30)), Verdict::Allow);
    }

    #[test]
    fn users_are_counted_apart() {
        let guard = guard(1, 60);
        let now = Instant::now();
        assert_eq!(guard.check_at(1, now), Verdict::Allow);
        assert_eq!(guard.check_at(2, now), Verdict::Allow);
        assert_eq!(guard.check_at(1, now), Verdict::Warn);
        assert_eq!(guard.check_at(2, now), Verdict::Warn);
    }
}
