//! End-to-end tests.
mod corpus;
mod tidy;
mod topics;
