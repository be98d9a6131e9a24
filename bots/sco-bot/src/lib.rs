//! The SCO assistant's parts, shared by the `sco-bot` binary, its tests and
//! its benchmarks: the corpus, the one [`assistant::Assistant::answer`], the
//! terminal chat, `ask`'s JSON records, evaluation, calibration and the
//! topic model.

pub mod assistant;
pub mod calibrate;
pub mod chat;
pub mod corpus;
pub mod eval;
pub mod record;
pub mod smalltalk;
pub mod telegram;
pub mod text;
pub mod topics;
