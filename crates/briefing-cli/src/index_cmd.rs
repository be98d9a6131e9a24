//! `briefing index`: a BM25 index over every paragraph of a corpus, built in parallel shards.

use crate::input::{self, Item, Unit, Units};
use crate::pipeline::{self, Window};
use crate::process::{Caches, CommonArgs};
use crate::progress::Progress;
use crate::stats::{self, Event, IndexSummary, Tally};
use crate::{messages, walk};
use anyhow::Context as _;
use briefing_retrieval::bm25::{
    INDEX_FILE, IndexBuilder, Params, Shard, ShardBuilder, TEXTS_FILE, TermCache, TextStoreWriter,
};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Build a BM25 search index over every paragraph of the inputs.
///
/// Inputs are read exactly as by `briefing process` (same files, same
/// documents and paragraphs, same order, same reports of bad files).
/// Paragraphs are indexed by the stemmed keys of their words that are not
/// stopwords (`Analyzer::english`), in parallel shards merged in input
/// order, so the index is byte-identical for any `--threads`.
///
/// DIR receives `index.bin` (terms, postings, paragraph names; versioned
/// binary with a checksum) and `texts.bin` (the paragraph texts, for
/// display), each written under a temporary name and renamed when complete.
/// Search it with `briefing search DIR "QUERY"`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files and directories to read.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// The index directory (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// BM25 term-frequency saturation.
    #[arg(long, default_value_t = Params::default().k1, value_name = "K1")]
    k1: f32,
    /// BM25 length normalization (0 to 1).
    #[arg(long, default_value_t = Params::default().b, value_name = "B")]
    b: f32,
    #[command(flatten)]
    common: CommonArgs,
}

/// What a worker returns for one unit.
struct UnitOut {
    shard: Shard,
    events: Vec<Event>,
    n_bytes: u64,
}

/// Runs `briefing index`.
pub fn run(args: &IndexArgs) -> anyhow::Result<ExitCode> {
    if !(args.k1 >= 0.0 && (0.0..=1.0).contains(&args.b)) {
        anyhow::bail!("--k1 must be at least 0 and --b between 0 and 1");
    }
    let walked = walk::walk(&args.inputs);
    let (pool, n_threads) = args.common.pool()?;
    let limits = args.common.limits();
    let total: u64 = walked.sources.iter().map(|s| s.size).sum();
    let progress = Progress::new(total, "index");
    let mut tally = Tally::new("index", n_threads, &walked.sources, walked.n_skipped);
    for problem in &walked.problems {
        tally.walk_problem(problem, &progress);
    }

    let mut texts = TextStoreWriter::create(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let mut builder = IndexBuilder::new(Params { k1: args.k1, b: args.b });
    let caches = Caches::default();
    let sources = &walked.sources;
    let work = |unit: Unit| {
        let (items, n_bytes) = input::load(&unit, sources, limits);
        let events = stats::events(&unit, &items);
        caches.with(|cache| shard(&items, events, n_bytes, cache))
    };
    let result = pipeline::run(
        &pool,
        Window::for_threads(n_threads),
        Units::new(sources, limits),
        work,
        |unit: UnitOut, cost| {
            for text in unit.shard.texts() {
                texts
                    .append(text)
                    .with_context(|| format!("cannot write {}", args.out.display()))?;
            }
            tally.apply(unit.events, &progress);
            let summary = &mut tally.summary;
            summary.bytes += unit.n_bytes;
            summary.paragraphs += unit.shard.n_paragraphs() as u64;
            summary.tokens += unit.shard.n_tokens();
            builder.push(unit.shard)?;
            progress.inc(cost);
            Ok(())
        },
    );
    progress.finish();
    result?;
    if tally.summary.documents == 0 {
        drop(texts);
        tally.finish();
        messages::status(tally.summary.render());
        messages::error(format!(
            "nothing could be indexed; {} was not written",
            args.out.display()
        ));
        return Ok(ExitCode::FAILURE);
    }
    // The workers' term caches (interned terms, memoized norms) are not needed to build the
    // index: free them before its peak.
    drop(caches);
    let finishing = Instant::now();
    // The texts file's offsets table is written while the index is merged and saved on
    // `--threads` threads.
    let (texts_done, saved) = std::thread::scope(|scope| {
        let texts_done = scope.spawn(move || texts.finish());
        let saved = builder.save(&args.out, n_threads);
        (texts_done.join(), saved)
    });
    let cannot_write = || format!("cannot write {}", args.out.display());
    match texts_done {
        Ok(done) => done.with_context(cannot_write)?,
        Err(_) => anyhow::bail!("internal error: writing {TEXTS_FILE} panicked"),
    }
    let index_stats = saved.with_context(cannot_write)?;
    let size = |name: &str| std::fs::metadata(args.out.join(name)).map(|m| m.len()).unwrap_or(0);
    tally.summary.vocabulary = index_stats.n_terms as u64;
    tally.summary.index = Some(IndexSummary {
        terms: index_stats.n_terms,
        postings: index_stats.n_postings,
        index_bytes: size(INDEX_FILE),
        texts_bytes: size(TEXTS_FILE),
        finish_seconds: finishing.elapsed().as_secs_f64(),
    });
    let summary = tally.finish();
    messages::status(summary.render());
    if let Some(path) = &args.common.stats {
        summary.write_json(path)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn shard(items: &[Item], events: Vec<Event>, n_bytes: u64, cache: &mut TermCache) -> UnitOut {
    let mut builder = ShardBuilder::new(cache).with_texts();
    builder.reserve(usize::try_from(n_bytes).unwrap_or(0));
    for item in items {
        let Item::Doc(_, doc) = item else { continue };
        for paragraph in &doc.paragraphs {
            builder.add(&doc.id, &paragraph.id, doc.paragraph_text(paragraph));
        }
    }
    UnitOut { shard: builder.finish(), events, n_bytes }
}
