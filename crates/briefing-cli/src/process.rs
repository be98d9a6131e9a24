//! `briefing process`: every paragraph of a corpus as a JSON record, in parallel, in a fixed order.

use crate::input::{self, Item, Limits, Unit, Units};
use crate::pipeline::{self, Window};
use crate::progress::Progress;
use crate::stats::{self, Event, Tally};
use crate::{json, messages, walk};
use ahash::AHashSet;
use anyhow::Context as _;
use briefing_corpus::Paragraph;
use briefing_retrieval::bm25::TermCache;
use briefing_topics::{Classifier, Label};
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

/// Split files into paragraphs and write one JSON record per paragraph.
///
/// INPUT is any mix of files and directories. Directories are walked
/// recursively in byte order of names (hidden entries and `*.meta.json`
/// sidecars skipped) for `.txt`, `.text`, `.md`, `.markdown` (one document
/// per file: transcript, marked transcript or plain text, detected per
/// file), `.jsonl` and `.ndjson` (one `{"id", "text", ...}` document per
/// line), each possibly gzip-compressed (`.gz`; files named directly are
/// decompressed whenever they start with the gzip magic bytes).
///
/// Each output line is `{"doc", "paragraph", "span", "text", "n_tokens",
/// "topic"}`: `doc` is the file path relative to its INPUT (the file name
/// for a file given directly) or a JSONL line's `"id"` (`FILE:LINE` without
/// one); `paragraph` the paragraph id (`p0`, `p1`, ... in document order);
/// `span` the `[start, end)` byte offsets of `text` in the document's
/// (decompressed) text, for JSONL in the decoded `"text"` value; `n_tokens`
/// the number of words as the `Analyzer::english` analyzer splits them
/// (stopwords included, the same words the search index is built from);
/// `topic` the label of the `--topics` model, or null without one. Records
/// come in input order and are byte-identical for any `--threads`.
///
/// Bad inputs (unreadable, binary, not UTF-8, empty, bad gzip, a line
/// longer than 16 MiB, bad JSONL lines) are reported on stderr as
/// `briefing: PATH: reason` and skipped. The output is written to a
/// temporary file renamed to FILE.jsonl at the end, so an interrupted run
/// never leaves a partial file under that name. Exits 1 only when no
/// document could be processed or the output cannot be written.
#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// Files and directories to read.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Where to write the records (JSON Lines).
    #[arg(long, value_name = "FILE.jsonl")]
    out: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
    /// Label each paragraph with this `briefing topics` model (the `topic`
    /// field; null without a model).
    #[arg(long, value_name = "MODEL_FILE")]
    topics: Option<PathBuf>,
}

/// Options shared by `process` and `index`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Worker threads (default: one per core). The output does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Also write the summary as JSON to this file.
    #[arg(long, value_name = "FILE.json")]
    pub stats: Option<PathBuf>,
    /// Target bytes per work unit (tests use it to cut small inputs into many units).
    #[arg(long, hide = true, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub unit_bytes: Option<u64>,
}

impl CommonArgs {
    /// The pool and its size.
    pub fn pool(&self) -> anyhow::Result<(rayon::ThreadPool, usize)> {
        let pool = pipeline::pool(self.threads.map(usize::from))?;
        let n = pool.current_num_threads();
        Ok((pool, n))
    }

    /// The input limits.
    pub fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(unit_bytes) = self.unit_bytes {
            limits.unit_bytes = unit_bytes;
        }
        limits
    }
}

/// The topic model, when asked for.
fn classifier(path: Option<&Path>) -> anyhow::Result<Option<Classifier>> {
    path.map(|path| {
        Classifier::load(path)
            .with_context(|| format!("cannot load topic model {}", path.display()))
    })
    .transpose()
}

/// Appends one output record, `{"doc", "paragraph", "span", "text",
/// "n_tokens", "topic"}` and a newline, exactly as `serde_json` would write it.
fn push_record(
    out: &mut Vec<u8>,
    doc: &str,
    paragraph: &Paragraph,
    text: &str,
    n_tokens: usize,
    topic: Option<&str>,
) {
    out.extend_from_slice(b"{\"doc\":");
    json::push_str(out, doc);
    out.extend_from_slice(b",\"paragraph\":");
    json::push_str(out, &paragraph.id);
    out.extend_from_slice(b",\"span\":[");
    json::push_uint(out, paragraph.span.start as u64);
    out.push(b',');
    json::push_uint(out, paragraph.span.end as u64);
    out.extend_from_slice(b"],\"text\":");
    json::push_str(out, text);
    out.extend_from_slice(b",\"n_tokens\":");
    json::push_uint(out, n_tokens as u64);
    out.extend_from_slice(b",\"topic\":");
    match topic {
        Some(topic) => json::push_str(out, topic),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"}\n");
}

/// What a worker returns for one unit.
struct UnitOut {
    records: Vec<u8>,
    events: Vec<Event>,
    n_bytes: u64,
    n_paragraphs: u64,
    n_sentences: u64,
    n_tokens: u64,
    topics: BTreeMap<String, u64>,
}

/// Term caches, one per busy worker, reused across units.
#[derive(Debug, Default)]
pub struct Caches(Mutex<Vec<TermCache>>);

impl Caches {
    /// Runs `f` with a cache of its own.
    pub fn with<T>(&self, f: impl FnOnce(&mut TermCache) -> T) -> T {
        let taken = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let mut cache = taken.unwrap_or_default();
        let result = f(&mut cache);
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(cache);
        result
    }
}

/// What one busy worker of `process` keeps across units: its term cache and
/// the ids of that cache already added to the [`Vocabulary`], so that each
/// term is hashed and added once per cache rather than once per unit.
#[derive(Default)]
struct Worker {
    cache: TermCache,
    published: TermSet,
}

/// [`Worker`]s, one per busy worker thread, reused across units.
#[derive(Default)]
struct Workers(Mutex<Vec<Worker>>);

impl Workers {
    /// Runs `f` with a worker state of its own.
    fn with<T>(&self, f: impl FnOnce(&mut Worker) -> T) -> T {
        let taken = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let mut worker = taken.unwrap_or_default();
        let result = f(&mut worker);
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(worker);
        result
    }
}

/// Number of shards of [`Vocabulary`].
const VOCABULARY_SHARDS: usize = 16;

/// The distinct non-stopword terms seen so far, sharded by hash so that the
/// workers add to it in parallel (only its size is reported, which does not
/// depend on the order of insertion).
struct Vocabulary {
    shards: Vec<Mutex<AHashSet<Box<str>>>>,
    hasher: ahash::RandomState,
}

impl Vocabulary {
    fn new() -> Vocabulary {
        Vocabulary {
            shards: (0..VOCABULARY_SHARDS).map(|_| Mutex::default()).collect(),
            hasher: ahash::RandomState::with_seeds(1, 2, 3, 4),
        }
    }

    /// Adds the terms of `ids` (ids of `cache`), locking each shard once.
    fn add(&self, cache: &TermCache, ids: &[u32]) {
        // Grouped by shard with a counting sort (the order within a shard does not matter).
        let shards: Vec<u8> = ids
            .iter()
            .map(|&id| {
                let hash = self.hasher.hash_one(cache.key(id));
                ((hash >> 32) as usize % VOCABULARY_SHARDS) as u8
            })
            .collect();
        let mut starts = [0usize; VOCABULARY_SHARDS + 1];
        for &shard in &shards {
            if let Some(n) = starts.get_mut(usize::from(shard) + 1) {
                *n += 1;
            }
        }
        for idx in 1..starts.len() {
            starts[idx] += starts[idx - 1];
        }
        let mut next = starts;
        let mut grouped = vec![0u32; ids.len()];
        for (&id, &shard) in ids.iter().zip(&shards) {
            if let Some(at) = next.get_mut(usize::from(shard)) {
                if let Some(slot) = grouped.get_mut(*at) {
                    *slot = id;
                }
                *at += 1;
            }
        }
        for (shard, set) in self.shards.iter().enumerate() {
            let group = grouped.get(starts[shard]..starts[shard + 1]).unwrap_or_default();
            if group.is_empty() {
                continue;
            }
            let mut set = set.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for &id in group {
                let term = cache.key(id);
                if !set.contains(term) {
                    set.insert(term.into());
                }
            }
        }
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|set| set.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len())
            .sum()
    }
}

/// Runs `briefing process`.
pub fn run(args: &ProcessArgs) -> anyhow::Result<ExitCode> {
    let walked = walk::walk(&args.inputs);
    let classifier = classifier(args.topics.as_deref())?;
    let (pool, n_threads) = args.common.pool()?;
    let limits = args.common.limits();
    let total: u64 = walked.sources.iter().map(|s| s.size).sum();
    let progress = Progress::new(total, "process");
    let mut tally = Tally::new("process", n_threads, &walked.sources, walked.n_skipped);
    tally.summary.sentences = Some(0);
    for problem in &walked.problems {
        tally.walk_problem(problem, &progress);
    }

    let mut out = AtomicFile::create(&args.out)?;
    let workers = Workers::default();
    let vocabulary = Vocabulary::new();
    // Output buffers written out and handed back for the next units: reusing them spares
    // allocating (and faulting in) a megabyte or more of fresh memory per unit.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::default();
    let sources = &walked.sources;
    let work = |unit: Unit| {
        let (items, n_bytes) = input::load(&unit, sources, limits);
        let events = stats::events(&unit, &items);
        let buffer = spare.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        workers.with(|worker| {
            let context =
                Context { worker, vocabulary: &vocabulary, classifier: classifier.as_ref() };
            records(&items, events, n_bytes, buffer.unwrap_or_default(), context)
        })
    };
    let result = pipeline::run(
        &pool,
        Window::for_threads(n_threads),
        Units::new(sources, limits),
        work,
        |unit: UnitOut, cost| {
            out.write_all(&unit.records)?;
            if unit.records.capacity() <= MAX_SPARE_BYTES {
                let mut spare = spare.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                spare.push(unit.records);
            }
            tally.apply(unit.events, &progress);
            let summary = &mut tally.summary;
            summary.bytes += unit.n_bytes;
            summary.paragraphs += unit.n_paragraphs;
            if let Some(sentences) = &mut summary.sentences {
                *sentences += unit.n_sentences;
            }
            summary.tokens += unit.n_tokens;
            for (topic, n) in unit.topics {
                *summary.topics.entry(topic).or_default() += n;
            }
            progress.inc(cost);
            Ok(())
        },
    );
    progress.finish();
    result?;
    tally.summary.vocabulary = vocabulary.len() as u64;
    drop(vocabulary);
    let nothing = tally.summary.documents == 0;
    if !nothing {
        out.commit()?;
    }
    let summary = tally.finish();
    messages::status(summary.render());
    if let Some(path) = &args.common.stats {
        summary.write_json(path)?;
    }
    if nothing {
        messages::error(format!(
            "nothing could be processed; {} was not written",
            args.out.display()
        ));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Largest output buffer kept for reuse (a unit of big files makes a big one: it is freed).
const MAX_SPARE_BYTES: usize = 4 << 20;

/// What [`records`] works with besides its unit.
struct Context<'a> {
    worker: &'a mut Worker,
    vocabulary: &'a Vocabulary,
    classifier: Option<&'a Classifier>,
}

/// The records of a unit's documents, written to `buffer` (emptied first).
fn records(
    items: &[Item],
    events: Vec<Event>,
    n_bytes: u64,
    mut buffer: Vec<u8>,
    context: Context<'_>,
) -> UnitOut {
    let Context { worker, vocabulary, classifier } = context;
    let Worker { cache, published } = worker;
    buffer.clear();
    let estimate = records_size(items, classifier.is_some());
    if buffer.capacity() < estimate {
        // A new buffer rather than `reserve`, which would copy the old one's capacity.
        buffer = Vec::with_capacity(estimate + estimate / 8);
    }
    let mut out = UnitOut {
        records: buffer,
        events,
        n_bytes,
        n_paragraphs: 0,
        n_sentences: 0,
        n_tokens: 0,
        topics: BTreeMap::new(),
    };
    let n_terms = cache.n_terms();
    cache.trim();
    if cache.n_terms() < n_terms {
        // The cache started afresh: its old ids mean nothing now.
        *published = TermSet::default();
    }
    published.ids.clear();
    for item in items {
        let Item::Doc(_, doc) = item else { continue };
        for paragraph in &doc.paragraphs {
            let text = doc.paragraph_text(paragraph);
            let mut n_tokens = 0usize;
            cache.for_each_term(text, |id, is_stopword| {
                n_tokens += 1;
                if !is_stopword {
                    published.insert(id);
                }
            });
            let topic = classifier.map(|classifier| match classifier.predict(text).label {
                Label::Known(label) => label,
                Label::Unknown => "unknown",
            });
            if let Some(topic) = topic {
                *out.topics.entry(topic.to_owned()).or_default() += 1;
            }
            push_record(&mut out.records, &doc.id, paragraph, text, n_tokens, topic);
            out.n_paragraphs += 1;
            out.n_sentences += input::sentence_count(text) as u64;
            out.n_tokens += n_tokens as u64;
        }
    }
    // Only the terms this cache never added before (the vocabulary only grows).
    vocabulary.add(cache, &published.ids);
    out
}

/// About the size of the records of `items`, a little more in most cases: the text with a
/// sixteenth more for escapes, the ids and about 100 bytes of keys and numbers per record.
/// Reserving it up front spares growing the buffer (copying it into fresh memory) mid-unit.
fn records_size(items: &[Item], with_topics: bool) -> usize {
    let per_record = 100 + if with_topics { 32 } else { 0 };
    items
        .iter()
        .map(|item| match item {
            Item::Doc(_, doc) => doc
                .paragraphs
                .iter()
                .map(|p| {
                    let len = p.span.len();
                    len + len / 16 + doc.id.len() + p.id.len() + per_record
                })
                .sum(),
            Item::Problem(..) => 0,
        })
        .sum()
}

/// A set of term ids of one cache, with the ids inserted since `ids` was last cleared.
#[derive(Default)]
struct TermSet {
    bits: Vec<u64>,
    ids: Vec<u32>,
}

impl TermSet {
    #[inline]
    fn insert(&mut self, id: u32) {
        let (word, bit) = (id as usize / 64, id % 64);
        match self.bits.get_mut(word) {
            Some(slot) if *slot & (1 << bit) != 0 => {}
            Some(slot) => {
                *slot |= 1 << bit;
                self.ids.push(id);
            }
            None => self.insert_new_word(id),
        }
    }

    /// [`TermSet::insert`] of an id past the end of `bits`.
    #[cold]
    #[inline(never)]
    fn insert_new_word(&mut self, id: u32) {
        let word = id as usize / 64;
        // Room for the next ids too (a cache issues ids in order).
        self.bits.resize((word + 1).max(self.bits.len() * 2), 0);
        if let Some(slot) = self.bits.get_mut(word) {
            *slot |= 1 << (id % 64);
            self.ids.push(id);
        }
    }
}

/// An output file written under a temporary name in the same directory and
/// renamed on [`AtomicFile::commit`]; dropped uncommitted, it leaves nothing.
pub struct AtomicFile {
    out: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> anyhow::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp =
            builder.tempfile_in(dir).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(AtomicFile {
            out: std::io::BufWriter::with_capacity(1 << 20, tmp),
            path: path.to_path_buf(),
        })
    }

    /// Appends bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.out.write_all(bytes).with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Flushes and renames the file to its final name.
    pub fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        let tmp = self
            .out
            .into_inner()
            .map_err(|err| err.into_error())
            .with_context(|| format!("cannot write {}", path.display()))?;
        tmp.persist(&path)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use briefing_corpus::{Document, ParseOptions};
    use briefing_tokenize::Analyzer;
    use std::collections::BTreeSet;

    fn unit(texts: &[&str]) -> Vec<Item> {
        let options = ParseOptions::default();
        texts
            .iter()
            .enumerate()
            .map(|(idx, text)| {
                let doc = Document::parse(&format!("d{idx}"), text, &options).unwrap();
                Item::Doc(idx, Box::new(doc))
            })
            .collect()
    }

    #[test]
    fn the_vocabulary_counts_each_term_once_across_units_and_workers() {
        let units: [&[&str]; 4] = [
            &["Members met the members.\n\nMeetings of the members.\n"],
            &["The meeting of ministers.\n", "Members and ministers met.\n"],
            &["Ministers met members again.\n"],
            &["A new word: parliament.\n"],
        ];
        let analyzer = Analyzer::english();
        let expected: BTreeSet<String> = units
            .iter()
            .flat_map(|texts| texts.iter())
            .flat_map(|text| analyzer.words(text))
            .filter(|word| !word.is_stopword)
            .map(|word| word.key)
            .collect();
        // Two workers, each seeing several units, some twice: every term is counted once.
        let vocabulary = Vocabulary::new();
        let mut workers = [Worker::default(), Worker::default()];
        let mut n_tokens = 0;
        for (idx, texts) in units.iter().chain(&units).enumerate() {
            let worker = &mut workers[idx % 3 % 2];
            let context = Context { worker, vocabulary: &vocabulary, classifier: None };
            let out = records(&unit(texts), Vec::new(), 0, Vec::new(), context);
            n_tokens += out.n_tokens;
        }
        assert_eq!(vocabulary.len(), expected.len());
        assert_eq!(expected.len(), 7, "{expected:?}");
        let words: usize =
            units.iter().flat_map(|t| t.iter()).map(|t| analyzer.words(t).len()).sum();
        assert_eq!(n_tokens as usize, 2 * words);
    }
}
