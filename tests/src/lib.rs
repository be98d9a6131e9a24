//! Shared helpers for the end-to-end tests.
//!
//! [`binary`] finds a workspace executable next to the running test binary, building it first.
//! `CARGO_BIN_EXE_*` only exists for binaries of the test's own package, and a dev-dependency
//! on a binary-only package is ignored by Cargo, so the e2e tests ask Cargo to build the
//! binary (a no-op when it is up to date) into the same target directory and profile.

pub mod fake_telegram;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// The path of workspace binary `name` of package `package`, built on first use.
///
/// # Panics
///
/// If the test binary's location is unexpected or Cargo cannot build the binary.
#[must_use]
pub fn binary(package: &str, name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Mutex::default);
    let mut built = built.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let path = build(package, name);
    built.insert(name.to_owned(), path.clone());
    path
}

fn build(package: &str, name: &str) -> PathBuf {
    // target/<profile>/deps/e2e-<hash>
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no current exe: {e}"));
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test binary location {}", exe.display()));
    let target_dir = profile_dir.parent().unwrap_or(profile_dir);
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "--locked", "--package", package, "--bin", name, "--target-dir"])
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    match profile {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    let status = command.status().unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(status.success(), "cargo could not build {package}/{name}");
    profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The `briefing` binary, ready to take arguments.
#[must_use]
pub fn briefing() -> Command {
    Command::new(binary("briefing-cli", "briefing"))
}

/// Runs `command` with `stdin` as its standard input and returns its output.
///
/// # Panics
///
/// If the command cannot be started or waited for.
pub fn run_with_stdin(command: &mut Command, stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        // The child may exit before reading everything; that is its business.
        let _ = pipe.write_all(stdin.as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("cannot wait for {command:?}: {e}"))
}
