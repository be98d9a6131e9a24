//! End-to-end tests.
mod ask;
mod corpus;
mod process;
mod search;
mod telegram;
mod tidy;
mod topics;
