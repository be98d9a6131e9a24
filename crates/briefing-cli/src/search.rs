//! `briefing search`: load a BM25 index and answer one query or a file of queries.

use crate::{messages, pipeline};
use anyhow::Context as _;
use briefing_retrieval::bm25::{Explanation, Hit, Index, TextStore};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Search an index built by `briefing index`.
///
/// Prints the top K paragraphs for QUERY by BM25 (score, document,
/// paragraph id, text). With `--json`, prints one line
/// `{"query": str, "hits": [{"doc": str, "paragraph": str, "score": float}]}`.
/// With `--queries FILE`, runs every line of FILE as a query, prints one
/// result per line in order, and reports queries per second on stderr.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The index directory written by `briefing index`.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The query.
    #[arg(value_name = "QUERY", required_unless_present = "queries", conflicts_with = "queries")]
    query: Option<String>,
    /// Run every line of this file as a query.
    #[arg(long, value_name = "FILE")]
    queries: Option<PathBuf>,
    /// How many paragraphs to return per query.
    #[arg(long, default_value_t = 10, value_name = "K")]
    top: usize,
    /// Print JSON lines.
    #[arg(long)]
    json: bool,
    /// Also print each hit's BM25 breakdown (idf, tf, length normalization).
    #[arg(long)]
    explain: bool,
    /// Worker threads for `--queries` (default 1). The output does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    query: &'a str,
    hits: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    doc: &'a str,
    paragraph: &'a str,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation>,
}

/// Runs `briefing search`.
pub fn run(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let loading = Instant::now();
    let index = Index::load(&args.dir)
        .with_context(|| format!("cannot load index {}", args.dir.display()))?;
    index.warm_up();
    let load_seconds = loading.elapsed().as_secs_f64();
    let texts = if args.json { None } else { Some(open_texts(args, &index)?) };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(query) = &args.query {
        let hits = index.search(query, args.top);
        out.write_all(render(args, &index, texts.as_ref(), query, &hits)?.as_bytes())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &args.queries else { return Ok(ExitCode::SUCCESS) };
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let queries: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", path.display()))?;
    let n_threads = usize::from(args.threads.unwrap_or(1));
    let started = Instant::now();
    let answer = |query: &String| {
        render(args, &index, texts.as_ref(), query, &index.search(query, args.top))
    };
    let rendered: Vec<anyhow::Result<String>> = if n_threads == 1 {
        queries.iter().map(answer).collect()
    } else {
        pipeline::pool(Some(n_threads))?.install(|| queries.par_iter().map(answer).collect())
    };
    let seconds = started.elapsed().as_secs_f64();
    for text in rendered {
        out.write_all(text?.as_bytes())?;
    }
    out.flush()?;
    messages::status(format!(
        "{} queries in {:.3} s: {:.0} queries/s on {} thread{} (index loaded in {:.3} s)",
        queries.len(),
        seconds,
        queries.len() as f64 / seconds.max(1e-9),
        n_threads,
        if n_threads == 1 { "" } else { "s" },
        load_seconds,
    ));
    Ok(ExitCode::SUCCESS)
}

fn open_texts(args: &SearchArgs, index: &Index) -> anyhow::Result<TextStore> {
    let store = TextStore::open(&args.dir)
        .with_context(|| format!("cannot read the texts of index {}", args.dir.display()))?;
    if store.len() != index.stats().n_paragraphs {
        anyhow::bail!(
            "index {} is inconsistent: {} texts for {} paragraphs (rebuild it)",
            args.dir.display(),
            store.len(),
            index.stats().n_paragraphs
        );
    }
    Ok(store)
}

/// One query's result: a JSON line, or the human listing.
fn render(
    args: &SearchArgs,
    index: &Index,
    texts: Option<&TextStore>,
    query: &str,
    hits: &[Hit],
) -> anyhow::Result<String> {
    let explain = |hit: &Hit| if args.explain { index.explain(query, hit.paragraph) } else { None };
    if args.json {
        let hits = hits
            .iter()
            .map(|hit| JsonHit {
                doc: index.doc_id(hit.paragraph).unwrap_or(""),
                paragraph: index.paragraph_id(hit.paragraph).unwrap_or(""),
                score: hit.score,
                explanation: explain(hit),
            })
            .collect();
        let mut line = serde_json::to_string(&JsonResult { query, hits })?;
        line.push('\n');
        return Ok(line);
    }
    let mut out = String::new();
    if args.queries.is_some() {
        out.push_str(&format!("# {query}\n"));
    }
    if hits.is_empty() {
        out.push_str("no paragraph matches\n");
    }
    for (rank, hit) in hits.iter().enumerate() {
        out.push_str(&format!(
            "{}. {:.4}  {}  {}\n",
            rank + 1,
            hit.score,
            index.doc_id(hit.paragraph).unwrap_or(""),
            index.paragraph_id(hit.paragraph).unwrap_or("")
        ));
        if let Some(texts) = texts {
            let text = texts.get(hit.paragraph as usize)?;
            out.push_str(&format!("   {}\n", snippet(&text, 300)));
        }
        if let Some(explanation) = explain(hit) {
            out.push_str(&format!(
                "   = sum over terms of idf · tf · (k1 + 1) / (tf + k1 · (1 - b + b · dl / avgdl)), \
                 k1 {}, b {}, dl {}, avgdl {:.2}\n",
                explanation.k1, explanation.b, explanation.len, explanation.avg_len
            ));
            for term in &explanation.terms {
                out.push_str(&format!(
                    "     {:<20} idf {:.4} (df {}), tf {} -> {:.4}\n",
                    term.term, term.idf, term.df, term.tf, term.score
                ));
            }
        }
    }
    Ok(out)
}

/// The first `max` chars of `text` on one line, with `…` when cut.
fn snippet(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((idx, _)) => format!("{}…", flat.get(..idx).unwrap_or(&flat)),
        None => flat,
    }
}
