//! Queries: the question and its options, and its analysis into weighted
//! slots (one per content word) with their alternative index terms.

use crate::answer_type::{AnswerType, Detected};
use crate::index::Index;

/// English prefixes that derive a related word without changing its topic
/// (`interconnectivity`, `multilateral`, `counteract`); negating prefixes
/// (`un-`, `non-`, `anti-`) are left out, as they turn a word around.
const DERIVATIONAL_PREFIXES: &[&str] =
    &["inter", "multi", "counter", "trans", "cross", "co", "re", "sub", "super", "pre", "post"];

/// A question with its options.
///
/// ```
/// use briefing_retrieval::Query;
/// let q = Query::new("how many camps?").topic("security", 0.9).off_topic(0.05);
/// assert_eq!(q.topic.as_ref().map(|t| t.label.as_str()), Some("security"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The question as typed.
    pub text: String,
    /// A topic hint (from a classifier): passages labelled with it are
    /// preferred.
    pub topic: Option<TopicHint>,
    /// The probability that the question is not about the corpus at all
    /// (from a classifier), used by abstention.
    pub off_topic: Option<f32>,
}

/// A topic and its probability.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicHint {
    /// The label, as given to [`IndexBuilder::label`](crate::IndexBuilder::label).
    pub label: String,
    /// Its probability in `[0, 1]`.
    pub probability: f32,
}

impl Query {
    /// A query without hints.
    #[must_use]
    pub fn new(text: &str) -> Query {
        Query { text: text.to_owned(), topic: None, off_topic: None }
    }

    /// Adds a topic hint.
    #[must_use]
    pub fn topic(mut self, label: &str, probability: f32) -> Query {
        self.topic =
            Some(TopicHint { label: label.to_owned(), probability: probability.clamp(0.0, 1.0) });
        self
    }

    /// Adds the off-topic probability.
    #[must_use]
    pub fn off_topic(mut self, probability: f32) -> Query {
        self.off_topic = Some(probability.clamp(0.0, 1.0));
        self
    }
}

/// How a slot alternative relates to the query word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    /// The word itself (after stemming).
    Exact,
    /// A synonym, abbreviation or spelling variant.
    Synonym,
    /// A correction of a misspelled word.
    Typo,
    /// A related word form (`prioritizes` for `priority`).
    Variant,
}

/// One index term a slot can match.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Alt {
    pub(crate) term: u32,
    pub(crate) weight: f32,
    pub(crate) kind: MatchKind,
}

/// One content word of the query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slot {
    /// The word as normalized.
    pub(crate) norm: String,
    /// Its key (stem), after typo correction.
    pub(crate) key: String,
    /// The correction applied, if any.
    pub(crate) corrected: Option<String>,
    /// Importance: 1, or lower for words naming the speaker.
    pub(crate) weight: f32,
    /// Reference idf: of the exact term, or the best alternative, or the
    /// unknown-word idf.
    pub(crate) idf: f32,
    pub(crate) alts: Vec<Alt>,
}

impl Slot {
    /// `weight * idf`: the slot's share of the question.
    pub(crate) fn mass(&self) -> f32 {
        self.weight * self.idf
    }

    pub(crate) fn is_unknown(&self) -> bool {
        self.alts.is_empty()
    }
}

/// A query analysed against an index.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    pub(crate) slots: Vec<Slot>,
    pub(crate) answer_type: Option<AnswerType>,
    /// Slots naming what a quantity question counts.
    pub(crate) head: Vec<usize>,
    /// A place question asks for a territory, which a body's name does not
    /// answer (see [`Detected::asks_territory`]).
    pub(crate) territory: bool,
    /// A `who` question asks for the holder of a post: a person's name.
    pub(crate) post_holder: bool,
    /// Per index term, the slots (bit per slot, first 64 slots) it is an
    /// alternative of; empty when no slot has alternatives.
    pub(crate) term_slots: Vec<u64>,
}

impl Plan {
    pub(crate) fn total_mass(&self) -> f32 {
        self.slots.iter().map(Slot::mass).sum()
    }

    /// The slots (bit per slot) that `term` is an alternative of.
    pub(crate) fn slots_of(&self, term: u32) -> u64 {
        self.term_slots.get(term as usize).copied().unwrap_or(0)
    }

    /// Fills [`Plan::term_slots`] from the slots, for an index of `n_terms`
    /// terms.
    fn index_terms(&mut self, n_terms: usize) {
        if self.slots.iter().all(|s| s.alts.is_empty()) {
            return;
        }
        let mut masks = vec![0u64; n_terms];
        for (i, slot) in self.slots.iter().enumerate().take(64) {
            for alt in &slot.alts {
                if let Some(mask) = masks.get_mut(alt.term as usize) {
                    *mask |= 1u64 << i;
                }
            }
        }
        self.term_slots = masks;
    }
}

impl Index {
    /// Analyses a query into slots.
    pub(crate) fn plan(&self, text: &str) -> Plan {
        let config = &self.config;
        let features = config.features;
        let mut words = self.analyzer.words(text);
        words.truncate(config.max_query_words);
        let norms: Vec<&str> = words.iter().map(|w| w.norm.as_str()).collect();
        let detected = AnswerType::detect(&norms).filter(|_| features.answer_type);
        let Detected { cue, head, .. } = detected.clone().unwrap_or(Detected {
            kind: AnswerType::Quantity,
            cue: Vec::new(),
            head: Vec::new(),
        });
        let is_content = |idx: usize, norm: &str, is_stop: bool| -> bool {
            if cue.contains(&idx) {
                return false;
            }
            !(features.stopwords
                && (is_stop
                    || self.query_stopwords.binary_search_by(|s| s.as_str().cmp(norm)).is_ok()))
        };
        // Typo correction of unknown content words.
        let mut keys: Vec<String> = Vec::with_capacity(words.len());
        let mut corrections: Vec<Option<String>> = vec![None; words.len()];
        let mut content: Vec<bool> = Vec::with_capacity(words.len());
        for (idx, word) in words.iter().enumerate() {
            let mut key = word.key.clone();
            let mut is_content_word = is_content(idx, &word.norm, word.is_stopword);
            if is_content_word && features.typos && !self.is_known(&word.norm, &word.key) {
                let n_chars = word.norm.chars().count();
                let max = if n_chars >= config.typo.min_len_distance_2 {
                    2
                } else if n_chars >= config.typo.min_len {
                    1
                } else {
                    0
                };
                let has_digit = word.norm.chars().any(|c| c.is_ascii_digit());
                let real_word = self.lexicon.contains(&word.norm);
                if !has_digit
                    && !real_word
                    && let Some(fix) = self.typos.correct(&word.norm, max)
                {
                    if self.analyzer.is_stopword(&fix.norm) {
                        is_content_word = false;
                    }
                    key = fix.key;
                    if let Some(slot) = corrections.get_mut(idx) {
                        *slot = Some(fix.norm);
                    }
                }
            }
            keys.push(key);
            content.push(is_content_word);
        }
        // Synonym phrases over the (corrected) keys.
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let phrases = if features.synonyms {
            self.compiled.find_sources(&key_refs, self.synonyms.rules())
        } else {
            Vec::new()
        };
        let unknown_idf = self.unknown_idf();
        let n_speaker_only = words
            .iter()
            .zip(&content)
            .filter(|(w, c)| **c && !self.speaker_keys.contains(&w.key))
            .count();
        let mut slots: Vec<Slot> = Vec::new();
        let mut slot_of_word: Vec<Option<usize>> = vec![None; words.len()];
        for (idx, word) in words.iter().enumerate() {
            if !content.get(idx).copied().unwrap_or(false) {
                continue;
            }
            let Some(key) = keys.get(idx) else { continue };
            if let Some(existing) = slots.iter().position(|s| &s.key == key) {
                if let Some(slot) = slot_of_word.get_mut(idx) {
                    *slot = Some(existing);
                }
                continue;
            }
            let corrected = corrections.get(idx).cloned().flatten();
            let exact_weight = if corrected.is_some() { config.typo.weight } else { 1.0 };
            let exact_kind = if corrected.is_some() { MatchKind::Typo } else { MatchKind::Exact };
            let mut alts = Vec::new();
            if let Some(term) = self.term_id(key) {
                alts.push(Alt { term, weight: exact_weight, kind: exact_kind });
            }
            if features.variants {
                let v = &config.variants;
                let prefixed = self.prefix_variants(key, v.min_len, v.max_extra);
                for term in prefixed.into_iter().chain(self.derivational_variants(key, v.min_len)) {
                    if !alts.iter().any(|a| a.term == term) {
                        alts.push(Alt {
                            term,
                            weight: exact_weight * v.weight,
                            kind: MatchKind::Variant,
                        });
                    }
                }
            }
            for found in phrases.iter().filter(|m| (m.start..m.start + m.len).contains(&idx)) {
                let n_content = (found.start..found.start + found.len)
                    .filter(|&i| content.get(i).copied().unwrap_or(false))
                    .count()
                    .max(1);
                let rule_weight =
                    self.synonyms.rules().get(found.rule_idx).map_or(1.0, |r| r.weight);
                let weight = exact_weight * config.synonym_weight * rule_weight / n_content as f32;
                let concept = self.concept_terms.get(found.rule_idx).copied().flatten();
                let singles = self
                    .compiled
                    .single_targets(found.rule_idx, self.synonyms.rules())
                    .iter()
                    .filter_map(|k| self.term_id(k));
                for term in concept.into_iter().chain(singles) {
                    match alts.iter_mut().find(|a| a.term == term) {
                        Some(alt) => alt.weight = alt.weight.max(weight),
                        None => alts.push(Alt { term, weight, kind: MatchKind::Synonym }),
                    }
                }
            }
            let idf = match alts.first() {
                None => unknown_idf,
                Some(first) if matches!(first.kind, MatchKind::Exact | MatchKind::Typo) => {
                    self.idf_of(first.term)
                }
                Some(_) => alts.iter().map(|a| self.idf_of(a.term)).fold(0.0, f32::max),
            };
            let speaker_word = features.speaker_words
                && self.speaker_keys.contains(&word.key)
                && n_speaker_only > 0;
            let weight = if speaker_word { config.speaker_word_weight } else { 1.0 };
            if let Some(slot) = slot_of_word.get_mut(idx) {
                *slot = Some(slots.len());
            }
            slots.push(Slot {
                norm: word.norm.clone(),
                key: key.clone(),
                corrected,
                weight,
                idf,
                alts,
            });
        }
        let mut head_slots: Vec<usize> =
            head.iter().filter_map(|&i| slot_of_word.get(i).copied().flatten()).collect();
        head_slots.dedup();
        // "What does X stand for" asks for an expansion only when the
        // corpus writes X beside one; else it asks what X stands for (its
        // aims), which has no answer type.
        let answer_type = detected.as_ref().map(|d| d.kind).filter(|&kind| {
            kind != AnswerType::Abbreviation || slots.iter().any(|s| self.written_out(s))
        });
        let territory = detected.as_ref().is_some_and(|d| d.asks_territory(&norms));
        let post_holder = detected.as_ref().is_some_and(|d| d.asks_post_holder(&norms));
        let mut plan = Plan {
            slots,
            answer_type,
            head: head_slots,
            territory,
            post_holder,
            term_slots: Vec::new(),
        };
        plan.index_terms(self.terms.len());
        plan
    }

    /// Indexed word terms that are `key` with an English derivational prefix
    /// added or taken away (`connect` for `interconnect`, and back), the
    /// shorter key at least `min_len` long.
    fn derivational_variants(&self, key: &str, min_len: usize) -> Vec<u32> {
        let mut found = Vec::new();
        let mut prefixed = String::with_capacity(key.len() + 8);
        for prefix in DERIVATIONAL_PREFIXES {
            if key.len() >= min_len {
                prefixed.clear();
                prefixed.push_str(prefix);
                prefixed.push_str(key);
                if let Some(id) = self.term_id(&prefixed) {
                    found.push(id);
                }
            }
            if let Some(rest) = key.strip_prefix(prefix)
                && rest.len() >= min_len
                && let Some(id) = self.term_id(rest)
            {
                found.push(id);
            }
        }
        found
    }

    /// Whether some passage writes one of the slot's terms beside its
    /// expansion (or an expansion beside its abbreviation).
    fn written_out(&self, slot: &Slot) -> bool {
        slot.alts.iter().any(|alt| {
            self.postings.get(alt.term as usize).is_some_and(|list| {
                list.iter().any(|posting| {
                    self.derived.get(posting.passage as usize).is_some_and(|d| {
                        posting.pos.iter().any(|&p| {
                            d.evidence
                                .get(p as usize)
                                .is_some_and(|e| e.serves(AnswerType::Abbreviation))
                        })
                    })
                })
            })
        })
    }

    /// Whether a word is known: indexed, in the typo vocabulary, or part of
    /// a synonym rule.
    fn is_known(&self, norm: &str, key: &str) -> bool {
        self.term_id(key).is_some()
            || self.typos.contains(norm)
            || self.compiled.has_word(norm, key, self.synonyms.rules())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{AnswerType, Config, IndexBuilder, MatchKind, Passage, Query, Source};

    fn index_of(texts: &[&str]) -> crate::Index {
        let mut b = IndexBuilder::new(Config::default());
        let passages =
            texts.iter().enumerate().map(|(i, t)| Passage::new(&format!("p{i}"), t)).collect();
        b.document(Source::default(), passages);
        b.build().unwrap()
    }

    #[test]
    fn words_match_their_derivational_relatives() {
        let index = index_of(&["New roads promote greater interconnectivity.", "Rivers flood."]);
        let explained = index.explain(&Query::new("connectivity"), 0);
        assert_eq!(explained.words[0].kind, Some(MatchKind::Variant), "{explained}");
        let explained =
            index_of(&["Roads improve connectivity."]).explain(&Query::new("interconnectivity"), 0);
        assert_eq!(explained.words[0].kind, Some(MatchKind::Variant), "{explained}");
        // A negating prefix turns the word around: no match.
        let explained = index_of(&["Rivers flood."]).explain(&Query::new("antiflood"), 0);
        assert_eq!(explained.words[0].kind, None, "{explained}");
    }

    #[test]
    fn an_abbreviation_is_answered_where_it_is_written_out() {
        let index = index_of(&[
            "RFA inspectors visit the dikes every spring and report to the council.",
            "The work of the Regional Flood Authority (RFA) covers rivers and dikes.",
        ]);
        let answer = index.answer(&Query::new("What does RFA stand for?"));
        assert_eq!(answer.answer_type, Some(AnswerType::Abbreviation));
        assert_eq!(answer.passage_idx, Some(1), "{answer:#?}");
        // A word the corpus never writes out asks for aims, not letters.
        let answer = index.answer(&Query::new("What does the council stand for?"));
        assert_eq!(answer.answer_type, None);
    }
}
