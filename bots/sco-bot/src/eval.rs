//! `sco-bot eval`: answer, passage and abstention accuracy on a question
//! set, MRR and Recall@3, a threshold sweep, a per-style breakdown, the
//! failures, and an ablation of each part of the ranking.

use crate::assistant::{Assistant, Reply};
use crate::corpus::Corpus;
use briefing_retrieval::{Config, Features};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The longest correct answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 600;

/// One evaluation question.
#[derive(Clone, Debug, Deserialize)]
pub struct Question {
    /// Its id.
    pub id: String,
    /// The question.
    pub question: String,
    /// Its style (paraphrase, casual, typo, ...).
    #[serde(default)]
    pub style: String,
    /// Whether the transcript answers it.
    pub answerable: bool,
    /// Substrings of a correct answer (normalized).
    #[serde(default)]
    pub gold: Vec<String>,
    /// Ids of the paragraphs that answer it.
    #[serde(default)]
    pub paragraphs: Vec<String>,
}

/// Parses a question set (JSON lines).
pub fn parse_questions(text: &str) -> anyhow::Result<Vec<Question>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1)))
        .collect()
}

/// Normalizes text for gold matching: no-break spaces to spaces, curly
/// quotes to straight ones, whitespace runs to one space.
pub fn normalize(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{a0}' => ' ',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            other => other,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the assistant did on one question.
#[derive(Clone, Debug)]
struct Outcome {
    /// The answer text (even when abstaining) contains a gold substring and
    /// is short enough.
    text_ok: bool,
    /// The top paragraph is a gold paragraph.
    passage_ok: bool,
    /// Reciprocal rank of the first gold paragraph.
    rr: f32,
    /// A gold paragraph is in the top 3.
    in_top3: bool,
    answered: bool,
    confidence: f32,
    reply: Reply,
}

impl Outcome {
    fn correct(&self, q: &Question) -> bool {
        if q.answerable { self.answered && self.text_ok } else { !self.answered }
    }

    fn correct_at(&self, q: &Question, threshold: f32) -> bool {
        let answered = self.reply.problem.is_none()
            && !self.reply.best_guess.is_empty()
            && self.confidence >= threshold;
        if q.answerable { answered && self.text_ok } else { !answered }
    }
}

fn run(assistant: &Assistant, questions: &[Question]) -> Vec<Outcome> {
    questions
        .iter()
        .map(|q| {
            let reply = assistant.answer(&q.question);
            let text = normalize(&reply.best_guess);
            let text_ok = reply.best_guess.chars().count() <= MAX_ANSWER_CHARS
                && q.gold.iter().any(|g| !g.is_empty() && text.contains(&normalize(g)));
            let rank = reply.ranked.iter().position(|id| q.paragraphs.contains(id));
            Outcome {
                text_ok,
                passage_ok: rank == Some(0),
                rr: rank.map_or(0.0, |r| 1.0 / (r + 1) as f32),
                in_top3: rank.is_some_and(|r| r < 3),
                answered: reply.answered,
                confidence: reply.confidence,
                reply,
            }
        })
        .collect()
}

/// Summary metrics of one run.
#[derive(Clone, Copy, Debug, Default)]
struct Metrics {
    answer: f32,
    passage: f32,
    abstention: f32,
    overall: f32,
    mrr: f32,
    recall3: f32,
    /// Answer text right, ignoring abstention.
    text: f32,
    best_overall: f32,
    best_threshold: f32,
}

fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

fn metrics(questions: &[Question], outcomes: &[Outcome]) -> Metrics {
    let pairs: Vec<(&Question, &Outcome)> = questions.iter().zip(outcomes).collect();
    let answerable: Vec<&(&Question, &Outcome)> =
        pairs.iter().filter(|(q, _)| q.answerable).collect();
    let n_ans = answerable.len();
    let n_unans = pairs.len() - n_ans;
    let answer = ratio(answerable.iter().filter(|(q, o)| o.correct(q)).count(), n_ans);
    let abstention =
        ratio(pairs.iter().filter(|(q, o)| !q.answerable && o.correct(q)).count(), n_unans);
    let overall = ratio(pairs.iter().filter(|(q, o)| o.correct(q)).count(), pairs.len());
    let (best_threshold, best_overall) = sweep(questions, outcomes)
        .into_iter()
        .map(|(t, _, _, overall)| (t, overall))
        .fold((0.5, f32::MIN), |best, cur| if cur.1 > best.1 + 1e-6 { cur } else { best });
    Metrics {
        answer,
        passage: ratio(answerable.iter().filter(|(_, o)| o.passage_ok).count(), n_ans),
        abstention,
        overall,
        mrr: answerable.iter().map(|(_, o)| o.rr).sum::<f32>() / n_ans.max(1) as f32,
        recall3: ratio(answerable.iter().filter(|(_, o)| o.in_top3).count(), n_ans),
        text: ratio(answerable.iter().filter(|(_, o)| o.text_ok).count(), n_ans),
        best_overall,
        best_threshold,
    }
}

/// `(threshold, answer accuracy, abstention accuracy, overall)` for
/// thresholds 0.05 to 0.95.
fn sweep(questions: &[Question], outcomes: &[Outcome]) -> Vec<(f32, f32, f32, f32)> {
    let n_ans = questions.iter().filter(|q| q.answerable).count();
    let n_unans = questions.len() - n_ans;
    (1..20)
        .map(|step| {
            let t = step as f32 * 0.05;
            let right: Vec<bool> =
                questions.iter().zip(outcomes).map(|(q, o)| o.correct_at(q, t)).collect();
            let ans = questions.iter().zip(&right).filter(|(q, r)| q.answerable && **r).count();
            let unans = questions.iter().zip(&right).filter(|(q, r)| !q.answerable && **r).count();
            (t, ratio(ans, n_ans), ratio(unans, n_unans), ratio(ans + unans, questions.len()))
        })
        .collect()
}

/// Options of the evaluation.
#[derive(Clone, Copy, Debug)]
pub struct EvalOptions {
    /// Run the ablation.
    pub ablation: bool,
    /// Print at most this many failures.
    pub max_failures: usize,
    /// Let the topic model steer retrieval ([`Assistant::set_topic_hint`]).
    pub topic_hint: bool,
}

/// Runs the evaluation and renders the report.
pub fn evaluate(
    corpus: &Corpus,
    questions: &[Question],
    options: EvalOptions,
) -> anyhow::Result<String> {
    let mut assistant = Assistant::new(corpus)?;
    assistant.set_topic_hint(options.topic_hint);
    let outcomes = run(&assistant, questions);
    if let Ok(path) = std::env::var("SCO_BOT_EVAL_DUMP") {
        let mut dump = String::new();
        for (q, o) in questions.iter().zip(&outcomes) {
            let signals: serde_json::Map<String, serde_json::Value> =
                briefing_retrieval::Signals::NAMES
                    .iter()
                    .zip(o.reply.signals.to_array())
                    .map(|(n, v)| ((*n).to_owned(), serde_json::json!(v)))
                    .collect();
            let line = serde_json::json!({"id": q.id, "style": q.style, "answerable": q.answerable,
                "text_ok": o.text_ok, "passage_ok": o.passage_ok, "confidence": o.confidence, "signals": signals});
            dump.push_str(&format!("{line}\n"));
        }
        std::fs::write(path, dump)?;
    }
    let m = metrics(questions, &outcomes);
    let n_ans = questions.iter().filter(|q| q.answerable).count();
    let mut out = String::new();
    let threshold = corpus.config.abstain.threshold;
    writeln!(
        out,
        "questions: {} ({} answerable, {} unanswerable); abstention threshold {threshold:.2}",
        questions.len(),
        n_ans,
        questions.len() - n_ans
    )?;
    writeln!(
        out,
        "answer accuracy      {:.3}  (answered, contains a gold substring, <= {MAX_ANSWER_CHARS} chars)",
        m.answer
    )?;
    writeln!(out, "passage accuracy     {:.3}  (top paragraph is a gold paragraph)", m.passage)?;
    writeln!(
        out,
        "abstention accuracy  {:.3}  (unanswerable questions not answered)",
        m.abstention
    )?;
    writeln!(out, "overall              {:.3}", m.overall)?;
    writeln!(out, "MRR                  {:.3}", m.mrr)?;
    writeln!(out, "Recall@3             {:.3}", m.recall3)?;
    writeln!(out, "answer text right    {:.3}  (ignoring abstention)", m.text)?;

    writeln!(out, "\nthreshold sweep (confidence >= threshold answers)")?;
    writeln!(out, "  threshold  answer  abstain  overall")?;
    for (t, a, b, o) in sweep(questions, &outcomes) {
        let mark = if (t - threshold).abs() < 0.026 { "  <- configured" } else { "" };
        writeln!(out, "  {t:>9.2}  {a:>6.3}  {b:>7.3}  {o:>7.3}{mark}")?;
    }

    writeln!(out, "\nper style")?;
    let mut styles: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (q, o) in questions.iter().zip(&outcomes) {
        let entry = styles.entry(q.style.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(o.correct(q));
    }
    for (style, (n, right)) in &styles {
        writeln!(out, "  {style:<16} {right:>3}/{n:<3} {:.3}", ratio(*right, *n))?;
    }

    let failures: Vec<(&Question, &Outcome)> =
        questions.iter().zip(&outcomes).filter(|(q, o)| !o.correct(q)).collect();
    writeln!(out, "\nfailures: {}", failures.len())?;
    for (q, o) in failures.iter().take(options.max_failures) {
        let what = if q.answerable && !o.answered {
            "abstained"
        } else if q.answerable {
            "wrong answer"
        } else {
            "answered an unanswerable"
        };
        writeln!(
            out,
            "  {} [{}] {what} (conf {:.2}, got {}, want {}): {}",
            q.id,
            q.style,
            o.confidence,
            o.reply.passage_id.as_deref().unwrap_or("-"),
            if q.paragraphs.is_empty() { "-".to_owned() } else { q.paragraphs.join(",") },
            q.question
        )?;
        if q.answerable {
            writeln!(out, "      answer: {}", shorten(&o.reply.best_guess, 160))?;
        }
    }

    if options.ablation {
        writeln!(out, "\nablation (overall* = at the best threshold for that row)")?;
        writeln!(
            out,
            "  {:<24} {:>6} {:>6} {:>6} {:>6} {:>7} {:>8} {:>5}",
            "configuration", "P@1", "MRR", "R@3", "text", "overall", "overall*", "thr*"
        )?;
        let hint_possible = corpus.topic_model.is_some();
        for (name, config, hint) in ablation_configs(&corpus.config, options.topic_hint) {
            if hint && !hint_possible {
                continue;
            }
            let mut assistant = Assistant::with_config(corpus, config)?;
            assistant.set_topic_hint(hint);
            let m = metrics(questions, &run(&assistant, questions));
            writeln!(
                out,
                "  {name:<24} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>7.3} {:>8.3} {:>5.2}",
                m.passage, m.mrr, m.recall3, m.text, m.overall, m.best_overall, m.best_threshold
            )?;
        }
    }
    Ok(out)
}

/// The ablation rows: plain BM25, plain BM25 plus each part, everything,
/// and everything minus each part; each with whether the topic model's
/// hint is given (`hint`, the run's setting, except in the topic-hint rows).
fn ablation_configs(base: &Config, hint: bool) -> Vec<(String, Config, bool)> {
    type Toggle = fn(&mut Features, bool);
    let parts: [(&str, Toggle); 8] = [
        ("synonyms", |f, on| f.synonyms = on),
        ("typos", |f, on| f.typos = on),
        ("context", |f, on| f.context = on),
        ("bank", |f, on| f.bank = on),
        ("word variants", |f, on| f.variants = on),
        ("answer type", |f, on| f.answer_type = on),
        ("proximity", |f, on| f.proximity = on),
        ("speaker words", |f, on| f.speaker_words = on),
    ];
    let mut rows = Vec::new();
    let with = |features: Features| Config { features, ..base.clone() };
    rows.push(("plain BM25".to_owned(), with(Features::none()), hint));
    for (name, toggle) in parts {
        let mut f = Features::none();
        toggle(&mut f, true);
        rows.push((format!("BM25 + {name}"), with(f), hint));
    }
    if !hint {
        let topic_only = Features { topic: true, ..Features::none() };
        rows.push(("BM25 + topic hint".to_owned(), with(topic_only), true));
    }
    rows.push(("all".to_owned(), with(base.features), hint));
    for (name, toggle) in parts {
        let mut f = base.features;
        toggle(&mut f, false);
        rows.push((format!("all - {name}"), with(f), hint));
    }
    let mut no_stem = base.features;
    no_stem.stemming = false;
    rows.push(("all - stemming".to_owned(), with(no_stem), hint));
    if hint {
        rows.push(("all - topic hint".to_owned(), with(base.features), false));
    } else {
        rows.push(("all + topic hint".to_owned(), with(base.features), true));
    }
    rows
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ablation_switches_one_part_per_row_and_measures_the_topic_hint() {
        let base = Config::default();
        for hint in [false, true] {
            let rows = ablation_configs(&base, hint);
            let find = |name: &str| rows.iter().find(|(n, _, _)| n == name);
            let Some((_, plain, plain_hint)) = find("plain BM25") else {
                panic!("no plain BM25 row")
            };
            assert_eq!(plain.features, Features::none());
            assert_eq!(*plain_hint, hint);
            let Some((_, all, all_hint)) = find("all") else { panic!("no all row") };
            assert_eq!((all.features, *all_hint), (base.features, hint));
            let Some((_, without_typos, _)) = find("all - typos") else { panic!("no typos row") };
            assert!(!without_typos.features.typos && without_typos.features.synonyms);
            let toggled = if hint { "all - topic hint" } else { "all + topic hint" };
            let Some((_, config, row_hint)) = find(toggled) else { panic!("no {toggled} row") };
            assert_eq!((config.features, *row_hint), (base.features, !hint));
            let topic_row = find("BM25 + topic hint");
            assert_eq!(topic_row.is_some(), !hint);
            if let Some((_, config, row_hint)) = topic_row {
                assert!(config.features.topic && !config.features.synonyms && *row_hint);
            }
        }
    }
}
