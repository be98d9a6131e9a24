//! Answer extraction: the best 1-3 consecutive sentences of the best
//! passage, with its context, signals and the answer-or-abstain decision.

use crate::abstain::Signals;
use crate::answer_type::AnswerType;
use crate::index::{Index, Source};
use crate::query::{Plan, Query};
use crate::rank::{Candidate, Hit, SlotPositions};
use std::ops::Range;

/// Why the index did not answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abstention {
    /// The question has no content words (empty, punctuation, stopwords).
    NoContent,
    /// None of the question's words is known to the index.
    NoKnownWords,
    /// No passage matches any word.
    NoMatch,
    /// A passage matched, but the confidence is below the threshold.
    LowConfidence,
}

/// The answer to a question, or the best guess when abstaining.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Whether the index is confident enough to answer.
    pub answered: bool,
    /// Why not, when `answered` is false.
    pub abstention: Option<Abstention>,
    /// The best 1-3 consecutive sentences (at most
    /// [`AnswerConfig::max_chars`](crate::AnswerConfig::max_chars)
    /// characters); empty when no passage matched.
    pub text: String,
    /// The passage the text comes from.
    pub passage_idx: Option<usize>,
    /// The sentences of the passage that make up `text`.
    pub sentences: Range<usize>,
    /// The final score of the passage.
    pub score: f32,
    /// The confidence in `[0, 1]`.
    pub confidence: f32,
    /// The signals the confidence is computed from.
    pub signals: Signals,
    /// The answer type asked for.
    pub answer_type: Option<AnswerType>,
    /// The ranked passages, best first (at most 10).
    pub hits: Vec<Hit>,
}

impl Answer {
    fn abstain(reason: Abstention, answer_type: Option<AnswerType>) -> Answer {
        Answer {
            answered: false,
            abstention: Some(reason),
            text: String::new(),
            passage_idx: None,
            sentences: 0..0,
            score: 0.0,
            confidence: 0.0,
            signals: Signals::default(),
            answer_type,
            hits: Vec::new(),
        }
    }
}

/// The chosen sentences of a passage.
#[derive(Clone, Debug, PartialEq)]
struct Window {
    range: Range<usize>,
    score: f32,
}

/// Per slot, the body positions of its matches with their credit.
type Credits = [Vec<(u32, f32)>];

/// How many ranked passages an [`Answer`] lists.
const N_HITS: usize = 10;

impl Index {
    /// Answers a question: ranks passages, extracts the best sentences of
    /// the best one, and decides whether to answer or abstain.
    ///
    /// ```
    /// use briefing_retrieval::{Config, IndexBuilder, Passage, Query, Source};
    /// let mut builder = IndexBuilder::new(Config::default());
    /// builder.document(Source::default(), vec![
    ///     Passage::new("p0", "The summit opens a new page. It will be held in Bishkek."),
    ///     Passage::new("p1", "Trade grew by ten percent."),
    /// ]);
    /// let index = builder.build().unwrap();
    /// let answer = index.answer(&Query::new("Where will the summit be held?"));
    /// assert!(answer.answered);
    /// assert!(answer.text.ends_with("It will be held in Bishkek."));
    /// assert!(!index.answer(&Query::new("   ")).answered);
    /// ```
    #[must_use]
    pub fn answer(&self, query: &Query) -> Answer {
        let plan = self.plan(&query.text);
        if plan.slots.is_empty() {
            return Answer::abstain(Abstention::NoContent, plan.answer_type);
        }
        if plan.slots.iter().all(|s| s.is_unknown()) {
            return Answer::abstain(Abstention::NoKnownWords, plan.answer_type);
        }
        let mut candidates = self.rank(&plan, query);
        if candidates.is_empty() {
            return Answer::abstain(Abstention::NoMatch, plan.answer_type);
        }
        // Weigh the best answer of each of the first few passages and keep
        // the most confident: a passage ranked second may hold the sentence
        // that answers.
        let model = &self.config.abstain;
        let field_tops = self.field_tops(&plan);
        let mut best: Option<(usize, Range<usize>, Signals, f32)> = None;
        for (rank, candidate) in
            candidates.iter().enumerate().take(self.config.answer.candidates.max(1))
        {
            let positions = self.slot_positions(&plan, candidate.passage, candidate.positioned);
            let credits = self.slot_credits(&plan, candidate.passage);
            let window = self.choose_window(&plan, candidate.passage, &positions, &credits);
            let mut signals = self.signals(
                &plan,
                query,
                &candidates,
                candidate,
                (&positions, &credits),
                &window.range,
            );
            signals.agreement = self.agreement(candidate.passage, &field_tops);
            let confidence = model.confidence(&signals);
            if best.as_ref().is_none_or(|b| confidence > b.3 + 1e-6) {
                best = Some((rank, window.range, signals, confidence));
            }
        }
        let Some((rank, range, signals, confidence)) = best else {
            return Answer::abstain(Abstention::NoMatch, plan.answer_type);
        };
        if rank > 0 {
            let chosen = candidates.remove(rank);
            candidates.insert(0, chosen);
        }
        let top = &candidates[0];
        let answered = confidence >= model.threshold;
        Answer {
            answered,
            abstention: (!answered).then_some(Abstention::LowConfidence),
            text: self.window_text(top.passage, &range),
            passage_idx: Some(top.passage),
            sentences: range,
            score: top.score,
            confidence,
            signals,
            answer_type: plan.answer_type,
            hits: candidates.iter().take(N_HITS).map(|c| self.hit(c)).collect(),
        }
    }

    /// The passage text of an answer.
    #[must_use]
    pub fn passage_text(&self, answer: &Answer) -> &str {
        answer.passage_idx.and_then(|i| self.passages.get(i)).map_or("", |p| p.text.as_str())
    }

    /// The interviewer's question of an answer's passage.
    #[must_use]
    pub fn context(&self, answer: &Answer) -> Option<&str> {
        answer.passage_idx.and_then(|i| self.passages.get(i)).and_then(|p| p.context.as_deref())
    }

    /// The source of an answer's passage.
    #[must_use]
    pub fn answer_source(&self, answer: &Answer) -> Option<&Source> {
        answer.passage_idx.and_then(|i| self.source(i))
    }

    /// Picks the consecutive sentences that best cover the query.
    fn choose_window(
        &self,
        plan: &Plan,
        passage: usize,
        positions: &SlotPositions,
        credits: &Credits,
    ) -> Window {
        let config = &self.config;
        let Some(p) = self.passages.get(passage) else { return Window { range: 0..0, score: 0.0 } };
        let Some(d) = self.derived.get(passage) else { return Window { range: 0..0, score: 0.0 } };
        let n = p.sentences.len();
        if n == 0 {
            return Window { range: 0..0, score: 0.0 };
        }
        let mean_mass = plan.total_mass() / plan.slots.len().max(1) as f32;
        let pid = u32::try_from(passage).unwrap_or(u32::MAX);
        let in_context: Vec<bool> = plan
            .slots
            .iter()
            .map(|slot| {
                slot.alts.iter().any(|a| {
                    self.posting(a.term, pid).is_some_and(|p| p.tf.get(1).is_some_and(|&t| t > 0.0))
                })
            })
            .collect();
        let context_weight =
            if config.features.context { config.answer.context_word_weight } else { 1.0 };
        let mut best: Option<Window> = None;
        for start in 0..n {
            for end in start + 1..=(start + config.answer.max_sentences.max(1)).min(n) {
                let n_chars = p.sentence_text(start..end).chars().count();
                if end > start + 1 && n_chars > config.answer.max_chars {
                    break;
                }
                let span = d.positions_of(start..end);
                let covered: f32 = plan
                    .slots
                    .iter()
                    .zip(credits)
                    .zip(&in_context)
                    .map(|((slot, credit), &ctx)| {
                        let best = credit
                            .iter()
                            .filter(|(x, _)| span.contains(x))
                            .map(|(_, c)| *c)
                            .fold(0.0, f32::max);
                        slot.mass() * best * if ctx { context_weight } else { 1.0 }
                    })
                    .sum();
                let lead = if start == 0 { config.answer.lead_bonus * mean_mass } else { 0.0 };
                let evidence = match plan.answer_type {
                    Some(kind) => self.type_evidence(plan, kind, passage, positions, start..end),
                    None => 0.0,
                };
                let score =
                    covered + lead + config.answer_type.sentence_bonus * mean_mass * evidence
                        - config.answer.extra_sentence_cost * mean_mass * (end - start - 1) as f32;
                if best.as_ref().is_none_or(|b| score > b.score + 1e-6) {
                    best = Some(Window { range: start..end, score });
                }
            }
        }
        let mut window = best.unwrap_or(Window { range: 0..1, score: 0.0 });
        // Take in what the answer needs to stand on its own: the next
        // sentence when the answer is very short, or when the next one
        // continues it with a pronoun.
        while window.range.end < n && window.range.len() < config.answer.max_sentences {
            let next_text = p.sentence_text(window.range.end..window.range.end + 1);
            let short =
                p.sentence_text(window.range.clone()).chars().count() < config.answer.min_chars;
            let longer = p.sentence_text(window.range.start..window.range.end + 1).chars().count();
            if longer > config.answer.max_chars || !(short || continues(next_text)) {
                break;
            }
            window.range.end += 1;
        }
        window
    }

    /// The text of sentences `range`, cut to the configured length.
    fn window_text(&self, passage: usize, range: &Range<usize>) -> String {
        let Some(p) = self.passages.get(passage) else { return String::new() };
        let text =
            if p.sentences.is_empty() { p.text.trim() } else { p.sentence_text(range.clone()) };
        truncate(text, self.config.answer.max_chars)
    }

    /// Share of the fields whose own top passage agrees with `passage`.
    fn agreement(&self, passage: usize, tops: &[Option<usize>; 3]) -> f32 {
        let turn_of = |p: usize| self.passages.get(p).and_then(|x| x.turn);
        let mut n = 0;
        let mut agree = 0;
        for (field, top) in tops.iter().enumerate() {
            let Some(top) = *top else { continue };
            n += 1;
            let same = if field == 1 {
                top == passage || (turn_of(top).is_some() && turn_of(top) == turn_of(passage))
            } else {
                top == passage
            };
            agree += usize::from(same);
        }
        if n == 0 { 0.0 } else { agree as f32 / n as f32 }
    }

    fn signals(
        &self,
        plan: &Plan,
        query: &Query,
        candidates: &[Candidate],
        top: &Candidate,
        (positions, credits): (&SlotPositions, &Credits),
        range: &Range<usize>,
    ) -> Signals {
        let total = plan.total_mass().max(f32::EPSILON);
        let share = |mask: u64| -> f32 {
            plan.slots
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
                .map(|(_, s)| s.mass())
                .sum::<f32>()
                / total
        };
        let span = self.derived.get(top.passage).map_or(0..0, |d| d.positions_of(range.clone()));
        let answer_mass: f32 = plan
            .slots
            .iter()
            .zip(credits)
            .map(|(s, credit)| {
                s.mass()
                    * credit
                        .iter()
                        .filter(|(x, _)| span.contains(x))
                        .map(|(_, c)| *c)
                        .fold(0.0, f32::max)
            })
            .sum();
        let unknown: f32 = plan.slots.iter().filter(|s| s.is_unknown()).map(|s| s.mass()).sum();
        let n_corrected = plan.slots.iter().filter(|s| s.corrected.is_some()).count();
        let max_score: f32 =
            plan.slots.iter().map(|s| s.mass() * (self.config.bm25.k1 + 1.0)).sum();
        let runner_up = candidates
            .iter()
            .filter(|c| c.passage != top.passage)
            .map(|c| c.score)
            .fold(0.0, f32::max);
        let type_missing = match plan.answer_type {
            Some(kind) => {
                1.0 - self.type_evidence(plan, kind, top.passage, positions, range.clone())
            }
            None => 0.0,
        };
        Signals {
            coverage: share(top.matched),
            body_coverage: share(top.body_matched),
            answer_coverage: answer_mass / total,
            unknown: unknown / total,
            corrected: n_corrected as f32 / plan.slots.len().max(1) as f32,
            score: (top.score / max_score.max(f32::EPSILON)).min(2.0),
            margin: if top.score > 0.0 { (top.score - runner_up) / top.score } else { 0.0 },
            type_missing,
            bank: top.bank_sim,
            bank_cover: top.bank_cover,
            missing_max: plan
                .slots
                .iter()
                .enumerate()
                .filter(|(i, _)| *i >= 64 || top.matched & (1u64 << i) == 0)
                .map(|(_, s)| s.mass() / total)
                .fold(0.0, f32::max),
            number_missing: f32::from(u8::from(plan.slots.iter().enumerate().any(|(i, s)| {
                s.norm.chars().any(|c| c.is_ascii_digit())
                    && (i >= 64 || top.matched & (1u64 << i) == 0)
            }))),
            off_topic: query.off_topic.unwrap_or(0.0),
            short: 1.0 / plan.slots.len().max(1) as f32,
            agreement: 0.0,
        }
    }
}

/// Whether a sentence continues the one before it: it opens with a pronoun
/// or connective that refers back.
fn continues(sentence: &str) -> bool {
    const OPENERS: &[&str] = &[
        "it", "its", "this", "these", "those", "they", "their", "such", "he", "she", "his", "her",
        "that",
    ];
    let first = sentence.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase();
    OPENERS.contains(&first.as_str())
}

/// Cuts `text` to at most `max_chars` characters at a word boundary, with an
/// ellipsis when cut.
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let keep = max_chars.saturating_sub(1);
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = text.get(..cut).unwrap_or("");
    let head = head
        .rfind(char::is_whitespace)
        .and_then(|i| head.get(..i))
        .filter(|h| !h.is_empty())
        .unwrap_or(head);
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn truncates_at_word_boundaries() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four", 10), "one two…");
        assert!(truncate(&"é".repeat(700), 600).chars().count() <= 600);
    }
}
