//! `sco-bot`: answers questions about the SCO from SCO Secretary-General
//! Vladimir Norov's news conference of 22 April 2019, with the source, or
//! says plainly that the transcript does not say.

use clap::{Parser, Subcommand};
use sco_bot::assistant::{Assistant, TopicModel};
use sco_bot::corpus::{self, Corpus};
use sco_bot::{calibrate, chat, eval, record, text};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: start-up (corpus load and index
/// build) allocates tens of thousands of small strings, where glibc malloc
/// spent about a fifth of the instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Answers questions about the Shanghai Cooperation Organisation from a
/// transcript. Without a command it starts a terminal chat.
#[derive(Debug, Parser)]
#[command(name = "sco-bot", version)]
struct Cli {
    /// Answer from the corpus in DIR (transcripts `*.txt` with
    /// `NAME.meta.json`, `question-bank.jsonl`, `synonyms.txt`,
    /// `retrieval.json`, `topics.jsonl`) instead of the embedded SCO corpus.
    #[arg(long, global = true, value_name = "DIR")]
    corpus: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer one question, or with --json every line of stdin.
    Ask {
        /// The question.
        question: Option<String>,
        /// Read questions from stdin, one per line; write one JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// The terminal chat (the default).
    Chat,
    /// Evaluate on a question set (default: the embedded dev set).
    Eval {
        /// A JSONL file of questions with gold answers.
        file: Option<PathBuf>,
        /// Skip the ablation.
        #[arg(long)]
        no_ablation: bool,
        /// Print at most this many failures.
        #[arg(long, default_value_t = 100)]
        failures: usize,
        /// Let the topic model steer retrieval (a ranking hint and the
        /// off-topic signal); calibrate with --topic-hint first.
        #[arg(long)]
        topic_hint: bool,
    },
    /// Show how a question is scored: the signals, the confidence and the
    /// score breakdown of the top paragraphs.
    Explain {
        /// The question.
        question: String,
    },
    /// Fit the abstention model (not on the dev set) and print or write the configuration.
    Calibrate {
        /// Write the configuration to FILE (e.g. corpora/sco/retrieval.json).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Fit with the topic model's off-topic probability as a signal
        /// (for `eval --topic-hint`).
        #[arg(long)]
        topic_hint: bool,
    },
    /// Run the Telegram bot (token from TELOXIDE_TOKEN; Ctrl-C or SIGTERM stops it).
    Telegram(sco_bot::telegram::Args),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCO_BOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("sco-bot: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let corpus = Corpus::load(cli.corpus.as_deref())?;
    tracing::info!(elapsed_us = started.elapsed().as_micros(), "corpus loaded");
    match cli.command.unwrap_or(Command::Chat) {
        Command::Ask { question, json } => {
            let assistant = Assistant::new(&corpus)?;
            tracing::info!(elapsed_us = started.elapsed().as_micros(), "ready");
            let code = ask(&assistant, question.as_deref(), json);
            // The process ends here: let the OS reclaim the index and the
            // corpus at once instead of freeing them piece by piece.
            std::mem::forget(assistant);
            std::mem::forget(corpus);
            code
        }
        Command::Chat => {
            let assistant = Assistant::new(&corpus)?;
            chat::run(&assistant, std::io::stdin().is_terminal())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { file, no_ablation, failures, topic_hint } => {
            let text = match &file {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => corpus::DEV_QUESTIONS.to_owned(),
            };
            let questions = eval::parse_questions(&text)?;
            let options =
                eval::EvalOptions { ablation: !no_ablation, max_failures: failures, topic_hint };
            let report = eval::evaluate(&corpus, &questions, options)?;
            std::io::stdout().lock().write_all(report.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { question } => {
            let assistant = Assistant::new(&corpus)?;
            std::io::stdout().lock().write_all(assistant.explain(&question).as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Telegram(args) => {
            let assistant = Assistant::new(&corpus)?;
            let environment = sco_bot::telegram::Environment {
                token: std::env::var("TELOXIDE_TOKEN").ok(),
                api_url: std::env::var("TELOXIDE_API_URL").ok(),
            };
            sco_bot::telegram::run(assistant, &args, environment)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate { out, topic_hint } => {
            let topics = corpus
                .topic_model
                .as_deref()
                .filter(|_| topic_hint)
                .map(|model| model as &dyn TopicModel);
            let (config, report) = calibrate::calibrate(&corpus, calibrate::fit_options(), topics)?;
            eprint!("{report}");
            let json = serde_json::to_string_pretty(&config)? + "\n";
            match out {
                Some(path) => std::fs::write(&path, json)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => std::io::stdout().lock().write_all(json.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn ask(assistant: &Assistant, question: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match (question, json) {
        (Some(question), false) => {
            writeln!(out, "{}", chat::render(&assistant.answer(question)))?;
        }
        (Some(question), true) => {
            let reply = assistant.answer(question);
            writeln!(out, "{}", serde_json::to_string(&record::AskRecord::new(&reply))?)?;
        }
        (None, true) => {
            for line in std::io::stdin().lock().split(b'\n') {
                let line = line?;
                let line = String::from_utf8_lossy(&line);
                let reply = assistant.answer(line.strip_suffix('\r').unwrap_or(&line));
                writeln!(out, "{}", serde_json::to_string(&record::AskRecord::new(&reply))?)?;
            }
        }
        (None, false) => {
            drop(out);
            eprintln!("{}", text::ASK_USAGE);
            return Ok(ExitCode::from(2));
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
