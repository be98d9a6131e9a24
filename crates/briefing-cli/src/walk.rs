//! Finding the input files: walking directories in a fixed order and naming each document.

use std::path::{Path, PathBuf};

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One document per file (transcript, plain text, Markdown), read whole.
    Text,
    /// JSON Lines, one document per line, streamed in chunks.
    Jsonl,
}

/// One input file.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as found (input path joined with the walked relative path).
    pub path: PathBuf,
    /// The document id: the path relative to the input root, `/`-separated
    /// (the file name for a file given directly). For JSONL it is the prefix
    /// of the ids of lines without an `"id"`.
    pub doc_id: String,
    /// Size on disk (compressed size for gzip files).
    pub size: u64,
    /// How to read it.
    pub kind: Kind,
}

/// The files found, in processing order, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Walked {
    /// Input files, each input's files sorted by path.
    pub sources: Vec<Source>,
    /// `PATH: reason` for inputs and directory entries that could not be read.
    pub problems: Vec<String>,
    /// Files in walked directories skipped for their extension.
    pub n_skipped: usize,
}

/// File extensions (before an optional `.gz`) read from walked directories.
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown"];
const JSONL_EXTENSIONS: &[&str] = &["jsonl", "ndjson"];

/// Walks `inputs` in order. Files named directly are always read;
/// directories are walked recursively (following symlinks, in byte order of
/// names) for `.txt`, `.text`, `.md`, `.markdown`, `.jsonl` and `.ndjson`
/// files, each possibly gzip-compressed (`.gz`).
pub fn walk(inputs: &[PathBuf]) -> Walked {
    let mut walked = Walked::default();
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(meta) => meta,
            Err(err) => {
                walked.problems.push(format!("{}: {}", input.display(), io_reason(&err)));
                continue;
            }
        };
        if !meta.is_dir() {
            let name = input.file_name().map(|n| n.to_string_lossy().into_owned());
            let doc_id = name.unwrap_or_else(|| input.display().to_string());
            walked.sources.push(Source {
                path: input.clone(),
                kind: kind_of(input).unwrap_or(Kind::Text),
                doc_id,
                size: meta.len(),
            });
            continue;
        }
        let entries = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().unwrap_or(input).display().to_string();
                    let reason = err.io_error().map_or_else(|| err.to_string(), io_reason);
                    walked.problems.push(format!("{path}: {reason}"));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let path = entry.path();
            let Some(kind) = kind_of(path) else {
                walked.n_skipped += 1;
                continue;
            };
            if is_hidden(path, input) || briefing_corpus::is_sidecar(path) {
                walked.n_skipped += 1;
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            walked.sources.push(Source {
                path: path.to_path_buf(),
                doc_id: relative_id(path, input),
                size,
                kind,
            });
        }
    }
    walked
}

/// The kind of a walked file by its extension, `None` when it is not read.
fn kind_of(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = Path::new(name).extension()?.to_str()?;
    if JSONL_EXTENSIONS.contains(&ext) {
        Some(Kind::Jsonl)
    } else if TEXT_EXTENSIONS.contains(&ext) {
        Some(Kind::Text)
    } else {
        None
    }
}

/// Whether a component of `path` below `root` starts with a dot.
fn is_hidden(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .map(|rel| rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')))
        .unwrap_or(false)
}

/// `path` relative to `root`, with `/` separators.
fn relative_id(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// A short, lowercase reason for an I/O error (without the `(os error N)` suffix).
pub fn io_reason(err: &std::io::Error) -> String {
    let message = err.to_string();
    let message = match message.find(" (os error") {
        Some(idx) => message.get(..idx).unwrap_or(&message).to_owned(),
        None => message,
    };
    lowercase_first(&message)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(kind_of(Path::new("a/b.txt")), Some(Kind::Text));
        assert_eq!(kind_of(Path::new("a/b.MD")), Some(Kind::Text));
        assert_eq!(kind_of(Path::new("a/b.txt.gz")), Some(Kind::Text));
        assert_eq!(kind_of(Path::new("a/b.jsonl.gz")), Some(Kind::Jsonl));
        assert_eq!(kind_of(Path::new("a/b.ndjson")), Some(Kind::Jsonl));
        assert_eq!(kind_of(Path::new("a/b.meta.json")), None);
        assert_eq!(kind_of(Path::new("a/b.gz")), None);
        assert_eq!(kind_of(Path::new("a/README")), None);
    }

    #[test]
    fn walks_sorted_with_relative_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for name in ["b/c/z.txt", "b/a.md", "a.jsonl", "b/skip.html", ".git/x.txt", "b/t.meta.json"]
        {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let walked = walk(&[root.to_path_buf(), root.join("b/a.md")]);
        let ids: Vec<&str> = walked.sources.iter().map(|s| s.doc_id.as_str()).collect();
        assert_eq!(ids, ["a.jsonl", "b/a.md", "b/c/z.txt", "a.md"]);
        assert_eq!(walked.n_skipped, 3);
        assert!(walked.problems.is_empty());
        let missing = walk(&[root.join("nope")]);
        assert_eq!(missing.problems.len(), 1);
        assert!(
            missing.problems[0].ends_with("nope: no such file or directory"),
            "{:?}",
            missing.problems
        );
    }
}
