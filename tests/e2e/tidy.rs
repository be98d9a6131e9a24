//! Repository rules that can be checked are checked here, as rust-analyzer's tidy does.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources_under(subdirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for subdir in subdirs {
        rust_files(&workspace_root().join(subdir), &mut files);
    }
    files
}

#[test]
fn every_module_opens_with_a_doc_comment() {
    let files = sources_under(&["crates", "bots", "tests/src", "tests/e2e"]);
    assert!(files.len() > 3, "the tidy walk found too few files: {files:?}");
    let offenders: Vec<_> = files
        .iter()
        .filter(|path| {
            let is_source = path.components().any(|c| c.as_os_str() == "src")
                || path.components().any(|c| c.as_os_str() == "e2e");
            is_source
                && !fs::read_to_string(path).unwrap_or_default().trim_start().starts_with("//!")
        })
        .collect();
    assert!(offenders.is_empty(), "modules without a leading `//!` line: {offenders:?}");
}

#[test]
fn no_ignored_or_should_panic_tests() {
    let needles = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    let offenders: Vec<_> = sources_under(&["crates", "bots", "tests"])
        .into_iter()
        .filter(|path| {
            let text = fs::read_to_string(path).unwrap_or_default();
            needles.iter().any(|needle| text.contains(needle))
        })
        .collect();
    assert!(offenders.is_empty(), "ignored or should_panic tests in: {offenders:?}");
}

#[test]
fn every_library_crate_has_a_readme_and_denies_missing_docs() {
    let Ok(entries) = fs::read_dir(workspace_root().join("crates")) else {
        panic!("no crates/ directory");
    };
    let mut n_crates = 0;
    for entry in entries.filter_map(Result::ok) {
        let dir = entry.path();
        let lib = dir.join("src/lib.rs");
        if !lib.exists() {
            continue;
        }
        n_crates += 1;
        assert!(dir.join("README.md").exists(), "{} has no README.md", dir.display());
        let text = fs::read_to_string(&lib).unwrap_or_default();
        assert!(
            text.contains("#![deny(missing_docs)]"),
            "{} does not deny missing docs",
            lib.display()
        );
    }
    assert!(n_crates >= 2, "expected the library crates under crates/");
}

#[test]
fn the_sco_transcript_is_byte_for_byte_the_seed() {
    let corpus = workspace_root().join("corpora/sco/norov-press-conference-2019-04-22.txt");
    let bytes = fs::read(&corpus).unwrap_or_default();
    assert_eq!(bytes.len(), 12166, "the transcript must never be edited");
    let text = String::from_utf8(bytes).unwrap_or_default();
    assert_eq!(text.matches('\u{a0}').count(), 257);
}
