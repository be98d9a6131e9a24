//! Everything the tool tells the user on stderr: the `briefing:` prefix, and the error count
//! that decides the exit code.

use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};

static N_ERRORS: AtomicUsize = AtomicUsize::new(0);

/// Prints `briefing: MESSAGE` to stderr and counts it as an error.
pub fn error(message: impl Display) {
    N_ERRORS.fetch_add(1, Ordering::Relaxed);
    eprintln!("briefing: {message}");
}

/// Prints `briefing: MESSAGE` to stderr for a bad input that was skipped; unlike
/// [`error`], it does not make the run fail.
pub fn problem(message: impl Display) {
    eprintln!("briefing: {message}");
}

/// Prints a status line (a summary, a timing) to stderr, without the prefix.
pub fn status(message: impl Display) {
    eprintln!("{message}");
}

/// How many errors were reported so far.
pub fn n_errors() -> usize {
    N_ERRORS.load(Ordering::Relaxed)
}
