//! The root package's test support: the workspace's harness
//! (`madoguchi-testkit`: fixtures, virtual card, pcscd + vpcd) and running the
//! `madoguchi` binary.

#![allow(dead_code, unused_imports)]

pub use madoguchi_testkit::*;

pub mod cli;
