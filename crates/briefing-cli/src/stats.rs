//! Counting what a run did, reporting bad inputs in order, and the summary (stderr and `--stats` JSON).

use crate::messages;
use crate::progress::Progress;
use crate::walk::Source;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Most problems printed per file; the rest are counted.
const MAX_PROBLEMS_SHOWN: u64 = 10;

/// The summary of a `process` or `index` run, as written by `--stats`.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// `process` or `index`.
    pub command: &'static str,
    /// Worker threads.
    pub threads: usize,
    /// Input files found.
    pub files: usize,
    /// Files that gave at least one document.
    pub files_ok: usize,
    /// Files skipped as unreadable or malformed.
    pub files_failed: usize,
    /// Files in walked directories skipped for their extension.
    pub files_skipped: usize,
    /// Bytes of input read (after decompression).
    pub bytes: u64,
    /// Documents (a JSONL line is one).
    pub documents: u64,
    /// Paragraphs.
    pub paragraphs: u64,
    /// Sentences (`process` only: `index` has no use for sentence
    /// boundaries, and finding them would cost it about a tenth of its time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentences: Option<u64>,
    /// Words (`Analyzer::english`, stopwords included).
    pub tokens: u64,
    /// Distinct terms (stemmed keys of the words that are not stopwords).
    pub vocabulary: u64,
    /// Paragraphs per topic (empty without `--topics`).
    pub topics: BTreeMap<String, u64>,
    /// Problems reported (bad files and bad JSONL lines).
    pub errors: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Index counts (`index` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexSummary>,
}

/// What `briefing index` built.
#[derive(Debug, Default, Serialize)]
pub struct IndexSummary {
    /// Distinct terms.
    pub terms: usize,
    /// (term, paragraph) postings.
    pub postings: usize,
    /// Size of `index.bin`.
    pub index_bytes: u64,
    /// Size of `texts.bin`.
    pub texts_bytes: u64,
    /// Seconds spent merging shards, sorting and saving after the last unit.
    pub finish_seconds: f64,
}

impl Summary {
    /// The human summary, one line per topic of interest.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{}: {} files ({} ok, {} failed, {} skipped), {:.1} MB, {} documents, {} paragraphs, \
             {}{} tokens, vocabulary {}, {} errors; {:.2} s, {:.1} MB/s on {} thread{}",
            self.command,
            self.files,
            self.files_ok,
            self.files_failed,
            self.files_skipped,
            self.bytes as f64 / 1e6,
            self.documents,
            self.paragraphs,
            self.sentences.map(|n| format!("{n} sentences, ")).unwrap_or_default(),
            self.tokens,
            self.vocabulary,
            self.errors,
            self.seconds,
            self.mb_per_s,
            self.threads,
            if self.threads == 1 { "" } else { "s" },
        );
        if !self.topics.is_empty() {
            let topics: Vec<String> =
                self.topics.iter().map(|(topic, n)| format!("{topic} {n}")).collect();
            out.push_str(&format!("\ntopics: {}", topics.join(", ")));
        }
        if let Some(index) = &self.index {
            out.push_str(&format!(
                "\nindex: {} terms, {} postings, index.bin {:.1} MB, texts.bin {:.1} MB",
                index.terms,
                index.postings,
                index.index_bytes as f64 / 1e6,
                index.texts_bytes as f64 / 1e6
            ));
        }
        out
    }

    /// Writes the summary as pretty JSON to `path`.
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let mut json = serde_json::to_string_pretty(self)?;
        json.push('\n');
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// What happened to the sources, in input order, as a worker saw it.
#[derive(Debug)]
pub enum Event {
    /// A document of a source was loaded.
    Doc(usize),
    /// A problem with a source: the full `PATH: reason` message.
    Problem(usize, String),
    /// A source ended.
    End(usize, SourceEnd),
}

/// The events of a unit, from its loaded items: items in order, with an
/// [`Event::End`] after each source that ends in the unit.
pub fn events(unit: &crate::input::Unit, items: &[crate::input::Item]) -> Vec<Event> {
    use crate::input::{Item, Unit};
    let mut events = Vec::with_capacity(items.len() + 2);
    let mut items = items.iter().peekable();
    let source_of = |item: &Item| match item {
        Item::Doc(source, _) | Item::Problem(source, _) => *source,
    };
    let push = |item: &Item, events: &mut Vec<Event>| match item {
        Item::Doc(source, _) => events.push(Event::Doc(*source)),
        Item::Problem(source, message) => events.push(Event::Problem(*source, message.clone())),
    };
    match unit {
        Unit::Files(files) => {
            for &file in files {
                while let Some(item) = items.next_if(|item| source_of(item) == file) {
                    push(item, &mut events);
                }
                events.push(Event::End(file, SourceEnd::Text));
            }
        }
        Unit::Jsonl(chunk) => {
            for item in items {
                push(item, &mut events);
            }
            if chunk.last {
                let end =
                    SourceEnd::Jsonl { empty: chunk.empty_file, file_error: chunk.file_error };
                events.push(Event::End(chunk.source, end));
            }
        }
    }
    events
}

/// How a source ended, for [`Tally::end_source`].
#[derive(Clone, Copy, Debug)]
pub enum SourceEnd {
    /// A text file (its failure, if any, was reported as a problem).
    Text,
    /// The last chunk of a JSONL file.
    Jsonl {
        /// The file had no byte at all.
        empty: bool,
        /// A problem about the whole file (unreadable, binary) was reported.
        file_error: bool,
    },
}

/// Per-file bookkeeping, and the problems printed in input order.
#[derive(Debug)]
pub struct Tally<'a> {
    sources: &'a [Source],
    docs: Vec<u64>,
    problems: Vec<u64>,
    started: Instant,
    /// The summary being filled in.
    pub summary: Summary,
}

impl<'a> Tally<'a> {
    /// A tally over `sources`.
    pub fn new(
        command: &'static str,
        threads: usize,
        sources: &'a [Source],
        n_skipped: usize,
    ) -> Tally<'a> {
        Tally {
            sources,
            docs: vec![0; sources.len()],
            problems: vec![0; sources.len()],
            started: Instant::now(),
            summary: Summary {
                command,
                threads,
                files: sources.len(),
                files_skipped: n_skipped,
                ..Summary::default()
            },
        }
    }

    /// Reports a problem not tied to a file (walking errors).
    pub fn walk_problem(&mut self, message: &str, progress: &Progress) {
        self.summary.errors += 1;
        progress.suspend(|| messages::problem(message));
    }

    /// Reports a problem of source `source`.
    pub fn problem(&mut self, source: usize, message: &str, progress: &Progress) {
        self.summary.errors += 1;
        let Some(count) = self.problems.get_mut(source) else { return };
        *count += 1;
        if *count <= MAX_PROBLEMS_SHOWN {
            progress.suspend(|| messages::problem(message));
        }
    }

    /// Counts a document of source `source`.
    pub fn document(&mut self, source: usize) {
        self.summary.documents += 1;
        if let Some(count) = self.docs.get_mut(source) {
            *count += 1;
        }
    }

    /// Closes source `source`: counts it as ok or failed, and says why a
    /// file without documents gave none when that was not reported yet.
    pub fn end_source(&mut self, source: usize, end: SourceEnd, progress: &Progress) {
        let docs = self.docs.get(source).copied().unwrap_or(0);
        let problems = self.problems.get(source).copied().unwrap_or(0);
        let path =
            self.sources.get(source).map(|s| s.path.display().to_string()).unwrap_or_default();
        if problems > MAX_PROBLEMS_SHOWN {
            let hidden = problems - MAX_PROBLEMS_SHOWN;
            progress
                .suspend(|| messages::problem(format!("{path}: {hidden} more problems not shown")));
        }
        if docs > 0 {
            self.summary.files_ok += 1;
            return;
        }
        self.summary.files_failed += 1;
        let reason = match end {
            SourceEnd::Text if problems > 0 => return,
            SourceEnd::Jsonl { file_error: true, .. } => return,
            SourceEnd::Jsonl { empty: true, .. } => "file is empty".to_owned(),
            _ if problems == 0 => "file contains only whitespace".to_owned(),
            _ => format!("no line holds a document ({problems} bad lines)"),
        };
        self.summary.errors += 1;
        progress.suspend(|| messages::problem(format!("{path}: {reason}")));
    }

    /// Applies a unit's events, in order.
    pub fn apply(&mut self, events: Vec<Event>, progress: &Progress) {
        for event in events {
            match event {
                Event::Doc(source) => self.document(source),
                Event::Problem(source, message) => self.problem(source, &message, progress),
                Event::End(source, end) => self.end_source(source, end, progress),
            }
        }
    }

    /// Stops the clock and fills in the rates.
    pub fn finish(&mut self) -> &Summary {
        self.summary.seconds = self.started.elapsed().as_secs_f64();
        self.summary.mb_per_s = if self.summary.seconds > 0.0 {
            self.summary.bytes as f64 / 1e6 / self.summary.seconds
        } else {
            0.0
        };
        &self.summary
    }
}
