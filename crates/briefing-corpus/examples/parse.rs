//! Prints the structure of a document file: metadata, header, turns and paragraphs.
//!
//! ```text
//! cargo run -p briefing-corpus --example parse -- PATH [auto|transcript|marked|plain|jsonl]
//! ```
//!
//! The file's `NAME.meta.json` sidecar is read when present. For JSONL every
//! line's document is printed, then the lines that failed.

use std::io::{self, Write};
use std::process::ExitCode;

use briefing_corpus::{Document, Format, ParseOptions, load};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse PATH [auto|transcript|marked|plain|jsonl]");
        return ExitCode::from(2);
    };
    let format = match args.next().as_deref() {
        None | Some("auto") => Format::Auto,
        Some("transcript") => Format::Transcript,
        Some("marked") => Format::Marked,
        Some("plain") => Format::Plain,
        Some("jsonl") => Format::Jsonl,
        Some(other) => {
            eprintln!("parse: unknown format {other:?}");
            return ExitCode::from(2);
        }
    };
    // Loading never panics on bad input: it returns an error naming the path.
    let loaded = match load(&path, &ParseOptions::default().with_format(format)) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("parse: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Bad JSONL lines do not stop the file; they are listed after the documents.
    let mut out = io::stdout().lock();
    let printed = loaded.documents.iter().try_for_each(|doc| print_document(&mut out, doc));
    for problem in &loaded.problems {
        eprintln!("parse: {problem}");
    }
    match printed.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("parse: {err}");
            ExitCode::FAILURE
        }
    }
}

fn print_document(out: &mut impl Write, doc: &Document) -> io::Result<()> {
    writeln!(out, "document {} ({}), {} bytes", doc.id, doc.format, doc.text.len())?;
    if let Some(line) = doc.line {
        writeln!(out, "  line {line}")?;
    }
    let meta = serde_json::to_string(&doc.meta).unwrap_or_default();
    writeln!(out, "  meta {meta}")?;
    writeln!(
        out,
        "  {} paragraphs, {} sentences, {} turns",
        doc.paragraphs.len(),
        doc.n_sentences(),
        doc.turns.len()
    )?;
    for turn in &doc.turns {
        writeln!(
            out,
            "  {}: question {:?}, answer {:?}, asked by {}, answered by {}",
            turn.id(),
            turn.question,
            turn.answer,
            turn.questioner.as_deref().unwrap_or("-"),
            turn.answerer.as_deref().unwrap_or("-"),
        )?;
    }
    for p in &doc.paragraphs {
        let turn = p.turn.map_or_else(|| "-".to_owned(), |t| format!("t{t}"));
        let speaker = p.speaker.as_deref().unwrap_or("-");
        let preview: String = p.text.chars().take(60).collect();
        let more = if p.text.chars().count() > 60 { "..." } else { "" };
        writeln!(
            out,
            "  {:>4} {:<9} {:>3} {:<10} {:>6}..{:<6} {:>2} sent.  {preview}{more}",
            p.id,
            format!("{:?}", p.role),
            turn,
            speaker,
            p.span.start,
            p.span.end,
            p.sentences.len(),
        )?;
    }
    Ok(())
}
