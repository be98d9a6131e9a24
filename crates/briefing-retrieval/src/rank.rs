//! Ranking: BM25F over the passage fields with per-word alternatives
//! (exact, synonym, typo), then proximity, answer-type, topic and bank
//! rescoring of the best candidates.

use crate::answer_type::{AnswerType, Evidence};
use crate::bank::BankMatches;
use crate::index::{CONCEPT_MARK, Field, Index, Posting};
use crate::query::{MatchKind, Plan, Query};
use std::fmt;

/// A ranked passage.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index of the passage in [`Index::passages`].
    pub passage_idx: usize,
    /// Its document id.
    pub doc_id: String,
    /// Its passage id.
    pub passage_id: String,
    /// The final score.
    pub score: f32,
}

/// Scores of one candidate passage.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) passage: usize,
    /// BM25F sum over slots.
    pub(crate) base: f32,
    pub(crate) proximity: f32,
    /// Answer-type evidence in `[0, 1]` (1 when no type is asked).
    pub(crate) type_evidence: f32,
    pub(crate) topic: f32,
    pub(crate) bank_sim: f32,
    /// The largest share of the query found in one bank question.
    pub(crate) bank_cover: f32,
    pub(crate) score: f32,
    /// Slots matched in any field / in the body (bit per slot).
    pub(crate) matched: u64,
    pub(crate) body_matched: u64,
    /// Slots with body positions in the passage (bit per slot, first 64),
    /// whatever their score: the slots [`Index::slot_positions`] must look up.
    pub(crate) positioned: u64,
}

/// A breakdown of one passage's score for one query.
///
/// ```
/// use briefing_retrieval::{Config, IndexBuilder, Passage, Query, Source};
/// let mut builder = IndexBuilder::new(Config::default());
/// builder.document(Source::default(), vec![Passage::new("p0", "Trade grew fast.")]);
/// let index = builder.build().unwrap();
/// let explained = index.explain(&Query::new("trade growth"), 0);
/// assert_eq!(explained.words[0].word, "trade");
/// assert!(explained.score > 0.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The passage.
    pub passage_id: String,
    /// One entry per content word of the query.
    pub words: Vec<WordScore>,
    /// Sum of the word scores.
    pub base: f32,
    /// Proximity bonus.
    pub proximity: f32,
    /// The answer type asked for.
    pub answer_type: Option<AnswerType>,
    /// Answer-type evidence in `[0, 1]`.
    pub type_evidence: f32,
    /// Topic factor input (probability of a matching hint, else 0).
    pub topic: f32,
    /// Similarity of the query to the passage's closest bank question.
    pub bank_similarity: f32,
    /// The final score.
    pub score: f32,
}

/// How one query word scored in one passage.
#[derive(Clone, Debug, PartialEq)]
pub struct WordScore {
    /// The query word (normalized).
    pub word: String,
    /// The correction applied, if any.
    pub corrected: Option<String>,
    /// The word's importance weight.
    pub weight: f32,
    /// The matching term (stem, or `synonym:N` for synonym rule N), if any.
    pub matched: Option<String>,
    /// How it matched.
    pub kind: Option<MatchKind>,
    /// The matched term's idf.
    pub idf: f32,
    /// Term frequency per field: body, context, bank.
    pub tf: [f32; 3],
    /// Length-normalized, weighted, saturated term frequency.
    pub tf_part: f32,
    /// The word's contribution: weight × alternative weight × idf × tf part.
    pub score: f32,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: score {:.3}", self.passage_id, self.score)?;
        for w in &self.words {
            let corrected = w.corrected.as_deref().map(|c| format!(" (→ {c})")).unwrap_or_default();
            let matched = w.matched.as_deref().unwrap_or("-");
            writeln!(
                f,
                "  {}{corrected}: {matched} {:?} idf {:.2} tf {:?} tf-part {:.2} weight {:.2} = {:.3}",
                w.word, w.kind, w.idf, w.tf, w.tf_part, w.weight, w.score
            )?;
        }
        write!(
            f,
            "  base {:.3} + proximity {:.3}; type {:?} evidence {:.2}; topic {:.2}; bank {:.2}",
            self.base,
            self.proximity,
            self.answer_type,
            self.type_evidence,
            self.topic,
            self.bank_similarity
        )
    }
}

impl Index {
    /// The length-normalized, weighted, saturated term frequency (BM25F).
    pub(crate) fn tf_part(&self, posting: &Posting) -> f32 {
        let c = &self.config;
        let weights = [
            c.fields.body,
            if c.features.context { c.fields.context } else { 0.0 },
            if c.features.bank { c.fields.bank } else { 0.0 },
        ];
        let bs = [c.bm25.b_body, c.bm25.b_context, c.bm25.b_bank];
        let len = self.derived.get(posting.passage as usize).map_or([0.0; 3], |d| d.len);
        let mut tf = 0.0;
        for field in [Field::Body, Field::Context, Field::Bank] {
            let f = field as usize;
            let (Some(w), Some(b), Some(l), Some(avg), Some(t)) =
                (weights.get(f), bs.get(f), len.get(f), self.avg_len.get(f), posting.tf.get(f))
            else {
                continue;
            };
            if *t > 0.0 && *w > 0.0 {
                tf += w * t / (1.0 - b + b * l / avg);
            }
        }
        if tf <= 0.0 { 0.0 } else { tf * (c.bm25.k1 + 1.0) / (c.bm25.k1 + tf) }
    }

    /// Ranks every passage with at least one matched word, best first.
    pub(crate) fn rank(&self, plan: &Plan, query: &Query) -> Vec<Candidate> {
        let n = self.passages.len();
        let mut base = vec![0.0f32; n];
        let mut matched = vec![0u64; n];
        let mut body_matched = vec![0u64; n];
        let mut positioned = vec![0u64; n];
        let mut best = vec![0.0f32; n];
        let mut touched: Vec<usize> = Vec::new();
        for (slot_idx, slot) in plan.slots.iter().enumerate().take(64) {
            let bit = 1u64 << slot_idx;
            for alt in &slot.alts {
                let idf = self.idf_of(alt.term);
                let Some(list) = self.postings.get(alt.term as usize) else { continue };
                for posting in list {
                    let p = posting.passage as usize;
                    if !posting.pos.is_empty()
                        && let Some(m) = positioned.get_mut(p)
                    {
                        *m |= bit;
                    }
                    let value = slot.weight * alt.weight * idf * self.tf_part(posting);
                    if value <= 0.0 {
                        continue;
                    }
                    let Some(b) = best.get_mut(p) else { continue };
                    if *b == 0.0 {
                        touched.push(p);
                    }
                    *b = b.max(value);
                    if let Some(m) = matched.get_mut(p) {
                        *m |= bit;
                    }
                    if posting.tf.first().is_some_and(|&t| t > 0.0)
                        && let Some(m) = body_matched.get_mut(p)
                    {
                        *m |= bit;
                    }
                }
            }
            for &p in &touched {
                if let (Some(acc), Some(b)) = (base.get_mut(p), best.get_mut(p)) {
                    *acc += *b;
                    *b = 0.0;
                }
            }
            touched.clear();
        }
        let mut candidates: Vec<Candidate> = (0..n)
            .filter(|&p| base.get(p).is_some_and(|&b| b > 0.0))
            .map(|p| Candidate {
                passage: p,
                base: base.get(p).copied().unwrap_or(0.0),
                type_evidence: 1.0,
                score: base.get(p).copied().unwrap_or(0.0),
                matched: matched.get(p).copied().unwrap_or(0),
                body_matched: body_matched.get(p).copied().unwrap_or(0),
                positioned: positioned.get(p).copied().unwrap_or(0),
                ..Candidate::default()
            })
            .collect();
        sort(&mut candidates);
        candidates.truncate(self.config.rerank_depth.max(1));
        let bank = self.bank_matches(plan);
        for candidate in &mut candidates {
            self.rescore(plan, query, bank.as_ref(), candidate);
        }
        sort(&mut candidates);
        candidates
    }

    /// The passage each field alone ranks first (body, context, bank), by
    /// single-field BM25 with the same word alternatives; `None` for a field
    /// that is switched off or matches nothing.
    pub(crate) fn field_tops(&self, plan: &Plan) -> [Option<usize>; 3] {
        let c = &self.config;
        let on = [true, c.features.context, c.features.bank];
        let bs = [c.bm25.b_body, c.bm25.b_context, c.bm25.b_bank];
        let n = self.passages.len();
        let mut tops = [None; 3];
        for field in 0..3 {
            let (Some(true), Some(&b), Some(&avg)) =
                (on.get(field), bs.get(field), self.avg_len.get(field))
            else {
                continue;
            };
            let mut acc = vec![0.0f32; n];
            for slot in &plan.slots {
                let mut best = vec![0.0f32; n];
                for alt in &slot.alts {
                    let idf = self.idf_of(alt.term);
                    for posting in self.postings.get(alt.term as usize).into_iter().flatten() {
                        let tf = posting.tf.get(field).copied().unwrap_or(0.0);
                        if tf <= 0.0 {
                            continue;
                        }
                        let p = posting.passage as usize;
                        let len = self
                            .derived
                            .get(p)
                            .and_then(|d| d.len.get(field))
                            .copied()
                            .unwrap_or(0.0);
                        let norm = tf / (1.0 - b + b * len / avg);
                        let value = slot.weight * alt.weight * idf * norm * (c.bm25.k1 + 1.0)
                            / (c.bm25.k1 + norm);
                        if let Some(x) = best.get_mut(p) {
                            *x = x.max(value);
                        }
                    }
                }
                for (a, x) in acc.iter_mut().zip(best) {
                    *a += x;
                }
            }
            let top = acc
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i);
            if let Some(t) = tops.get_mut(field) {
                *t = top;
            }
        }
        tops
    }

    /// Adds proximity, answer type, topic and bank similarity to a candidate.
    pub(crate) fn rescore(
        &self,
        plan: &Plan,
        query: &Query,
        bank: Option<&BankMatches>,
        c: &mut Candidate,
    ) {
        let config = &self.config;
        let positions = self.slot_positions(plan, c.passage, c.positioned);
        if config.features.proximity {
            c.proximity = self.proximity(plan, &positions);
        }
        c.type_evidence = match plan.answer_type {
            Some(kind) => {
                let n_sentences = self.passages.get(c.passage).map_or(0, |p| p.sentences.len());
                self.type_evidence(plan, kind, c.passage, &positions, 0..n_sentences)
            }
            None => 1.0,
        };
        if config.features.topic
            && let Some(hint) = &query.topic
            && self.label(c.passage) == Some(hint.label.as_str())
        {
            c.topic = hint.probability;
        }
        if config.features.bank {
            (c.bank_sim, c.bank_cover) = self.bank_similarity(plan, c.passage, bank);
        }
        let type_factor = if plan.answer_type.is_some() {
            1.0 + config.answer_type.bonus * c.type_evidence
        } else {
            1.0
        };
        c.score = (c.base + c.proximity)
            * type_factor
            * (1.0 + config.topic_boost * c.topic)
            * (1.0 + config.bank_similarity_boost * c.bank_sim);
    }

    /// The bank questions `plan` touches, when bank similarity is on and
    /// the index has a bank lookup.
    fn bank_matches(&self, plan: &Plan) -> Option<BankMatches> {
        let lookup = self.bank_lookup.as_ref().filter(|_| self.config.features.bank)?;
        Some(lookup.matches(plan))
    }

    /// Sorted body positions of each slot's matched terms in a passage.
    /// Of the first 64 slots, only those in `positioned` (bit per slot) can
    /// have any: the others are not looked up.
    pub(crate) fn slot_positions(
        &self,
        plan: &Plan,
        passage: usize,
        positioned: u64,
    ) -> SlotPositions {
        let pid = u32::try_from(passage).unwrap_or(u32::MAX);
        let mut positions =
            SlotPositions { all: Vec::new(), ends: Vec::with_capacity(plan.slots.len()) };
        for (idx, slot) in plan.slots.iter().enumerate() {
            let start = positions.all.len();
            if idx < 64 && positioned & (1u64 << idx) == 0 {
                positions.ends.push(start);
                continue;
            }
            for posting in slot.alts.iter().filter_map(|alt| self.posting(alt.term, pid)) {
                positions.all.extend_from_slice(&posting.pos);
            }
            sort_dedup_from(&mut positions.all, start);
            positions.ends.push(positions.all.len());
        }
        positions
    }

    /// Body positions of each slot's matched terms in a passage, each with
    /// its credit in `[0, 1]`: the matched alternative's weight × idf over
    /// the slot's reference idf (an exact match of the word counts 1, a
    /// weak synonym less).
    pub(crate) fn slot_credits(&self, plan: &Plan, passage: usize) -> Vec<Vec<(u32, f32)>> {
        let pid = u32::try_from(passage).unwrap_or(u32::MAX);
        plan.slots
            .iter()
            .map(|slot| {
                let mut credits: Vec<(u32, f32)> = Vec::new();
                for alt in &slot.alts {
                    let Some(posting) = self.posting(alt.term, pid) else { continue };
                    let credit =
                        (alt.weight * self.idf_of(alt.term) / slot.idf.max(f32::EPSILON)).min(1.0);
                    credits.extend(posting.pos.iter().map(|&p| (p, credit)));
                }
                credits
            })
            .collect()
    }

    fn proximity(&self, plan: &Plan, positions: &SlotPositions) -> f32 {
        let window = u32::try_from(self.config.proximity.window).unwrap_or(u32::MAX);
        let mut bonus = 0.0;
        for i in 0..positions.len().saturating_sub(1) {
            let (Some(a), Some(b)) = (positions.get(i), positions.get(i + 1)) else { continue };
            let close = a.iter().any(|&x| b.iter().any(|&y| x != y && x.abs_diff(y) <= window));
            if close {
                let (Some(sa), Some(sb)) = (plan.slots.get(i), plan.slots.get(i + 1)) else {
                    continue;
                };
                bonus += self.config.proximity.weight * sa.mass().min(sb.mass());
            }
        }
        bonus
    }

    /// Evidence in `[0, 1]` that sentences `range` of a passage hold an
    /// answer of type `kind`: 1 for evidence in a sentence with a matched
    /// query word (for quantities: a number right before the counted noun
    /// when the question names one), 0.5 for weaker evidence, 0 for none.
    pub(crate) fn type_evidence(
        &self,
        plan: &Plan,
        kind: AnswerType,
        passage: usize,
        positions: &SlotPositions,
        range: std::ops::Range<usize>,
    ) -> f32 {
        let Some(d) = self.derived.get(passage) else { return 0.0 };
        let span = d.positions_of(range);
        let evidence_at = |pos: u32| d.evidence.get(pos as usize).copied().unwrap_or_default();
        let matched_in_span: Vec<u32> =
            positions.all().iter().copied().filter(|p| span.contains(p)).collect();
        // An abbreviation is answered where the asked one (or its
        // expansion, matched as a synonym) is written beside its expansion.
        if kind == AnswerType::Abbreviation {
            let written_out = matched_in_span.iter().any(|&p| evidence_at(p).serves(kind));
            return if written_out { 1.0 } else { 0.0 };
        }
        // Evidence must add to the question: a name or number the question
        // itself contains is no answer.
        let serves = |p: u32| {
            let evidence = evidence_at(p);
            // A territory is no body's name; a post's holder is a person.
            let territory_ok = !plan.territory || !evidence.has(Evidence::BODY);
            let person_ok = !plan.post_holder || evidence.has(Evidence::FULL_NAME);
            evidence.serves(kind) && territory_ok && person_ok
        };
        let first = d.evidence_at.partition_point(|&p| p < span.start);
        let serving: Vec<u32> = d
            .evidence_at
            .get(first..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(|&p| p < span.end)
            .filter(|&p| serves(p) && !matched_in_span.contains(&p))
            .collect();
        if serving.is_empty() {
            return 0.0;
        }
        if kind == AnswerType::Quantity && !plan.head.is_empty() {
            let attached = plan.head.iter().any(|&h| {
                positions.get(h).is_some_and(|hp| {
                    hp.iter().any(|&h| {
                        serving
                            .iter()
                            .any(|&n| n < h && h - n <= 5 && d.sentence_of(n) == d.sentence_of(h))
                    })
                })
            });
            return if attached { 1.0 } else { 0.5 };
        }
        let same_sentence = serving.iter().any(|&e| {
            matched_in_span.iter().any(|&m| d.sentence_of(m) == d.sentence_of(e) && m != e)
        });
        if same_sentence { 1.0 } else { 0.5 }
    }

    /// Similarity of the query to the passage's closest bank question, and
    /// the largest share of the query found in one bank question.
    ///
    /// The similarity is the harmonic mean of two shares: of the query's
    /// mass found in the bank question, and of the bank question's words
    /// (by idf) matched by the query. A query word matches a bank word when
    /// one of its alternatives is the word or a synonym concept covering it.
    ///
    /// `matches` are the bank questions the query touches
    /// ([`BankLookup::matches`](crate::bank::BankLookup::matches)); without
    /// them each question's words are tested against the query.
    pub(crate) fn bank_similarity(
        &self,
        plan: &Plan,
        passage: usize,
        matches: Option<&BankMatches>,
    ) -> (f32, f32) {
        let Some(d) = self.derived.get(passage) else { return (0.0, 0.0) };
        let total = plan.total_mass();
        if total <= 0.0 {
            return (0.0, 0.0);
        }
        if d.bank_units.is_empty() {
            return (self.bank_dice(plan, d, total), 0.0);
        }
        let mut best = 0.0f32;
        let mut cover = 0.0f32;
        let matched = matches.zip(self.bank_lookup.as_ref().map(|l| l.questions_of(passage)));
        for (idx, (units, bank_total)) in d.bank_units.iter().zip(&d.bank_unit_idf).enumerate() {
            let (slots, bank_shared) = match &matched {
                Some((matches, questions)) => {
                    let question = questions.start + idx;
                    let slots = matches.slots.get(question).copied().unwrap_or(0);
                    let mut bank_shared = 0.0;
                    if slots != 0 {
                        let mut unit_bits = matches.units.get(question).copied().unwrap_or(0);
                        while unit_bits != 0 {
                            let unit = unit_bits.trailing_zeros() as usize;
                            unit_bits &= unit_bits - 1;
                            if let Some(unit) = units.get(unit) {
                                bank_shared += self.idf_of(unit.word);
                            }
                        }
                    }
                    (slots, bank_shared)
                }
                None => {
                    let mut slots = 0u64;
                    let mut bank_shared = 0.0;
                    for unit in units {
                        let mask = unit
                            .concepts
                            .iter()
                            .fold(plan.slots_of(unit.word), |m, &c| m | plan.slots_of(c));
                        if mask != 0 {
                            slots |= mask;
                            bank_shared += self.idf_of(unit.word);
                        }
                    }
                    (slots, bank_shared)
                }
            };
            if slots == 0 {
                continue;
            }
            let query_shared: f32 = plan
                .slots
                .iter()
                .enumerate()
                .take(64)
                .filter(|(i, _)| slots & (1u64 << i) != 0)
                .map(|(_, s)| s.mass())
                .sum();
            let q = (query_shared / total).min(1.0);
            let b = if *bank_total > 0.0 { (bank_shared / bank_total).min(1.0) } else { 0.0 };
            if q + b > 0.0 {
                best = best.max(2.0 * q * b / (q + b));
            }
            cover = cover.max(q);
        }
        (best, cover)
    }

    /// Weighted Dice similarity over distinct terms (indexes saved without
    /// bank word units).
    fn bank_dice(&self, plan: &Plan, d: &crate::index::Derived, total: f32) -> f32 {
        let mut best = 0.0f32;
        for (terms, bank_idf) in d.bank_terms.iter().zip(&d.bank_idf) {
            let shared: f32 = plan
                .slots
                .iter()
                .filter(|s| s.alts.iter().any(|a| terms.binary_search(&a.term).is_ok()))
                .map(|s| s.mass())
                .sum();
            let sim = 2.0 * shared / (total + bank_idf);
            best = best.max(sim);
        }
        best.min(1.0)
    }

    /// Ranks passages for `query`, best first, at most `k`.
    #[must_use]
    pub fn search(&self, query: &Query, k: usize) -> Vec<Hit> {
        let plan = self.plan(&query.text);
        self.rank(&plan, query).into_iter().take(k).map(|c| self.hit(&c)).collect()
    }

    pub(crate) fn hit(&self, c: &Candidate) -> Hit {
        Hit {
            passage_idx: c.passage,
            doc_id: self.source(c.passage).map(|s| s.doc_id.clone()).unwrap_or_default(),
            passage_id: self.passages.get(c.passage).map(|p| p.id.clone()).unwrap_or_default(),
            score: c.score,
        }
    }

    /// Explains the score of passage `passage_idx` for `query`.
    #[must_use]
    pub fn explain(&self, query: &Query, passage_idx: usize) -> Explanation {
        let plan = self.plan(&query.text);
        let pid = u32::try_from(passage_idx).unwrap_or(u32::MAX);
        let mut words = Vec::new();
        let mut base = 0.0;
        for slot in &plan.slots {
            let mut entry = WordScore {
                word: slot.norm.clone(),
                corrected: slot.corrected.clone(),
                weight: slot.weight,
                matched: None,
                kind: None,
                idf: 0.0,
                tf: [0.0; 3],
                tf_part: 0.0,
                score: 0.0,
            };
            for alt in &slot.alts {
                let Some(posting) = self.posting(alt.term, pid) else { continue };
                let idf = self.idf_of(alt.term);
                let tf_part = self.tf_part(posting);
                let score = slot.weight * alt.weight * idf * tf_part;
                if score > entry.score {
                    let term = self.terms.get(alt.term as usize).cloned().unwrap_or_default();
                    entry.matched = Some(match term.strip_prefix(CONCEPT_MARK) {
                        Some(rule) => format!("synonym:{rule}"),
                        None => term,
                    });
                    entry.kind = Some(alt.kind);
                    entry.idf = idf;
                    entry.tf = posting.tf;
                    entry.tf_part = tf_part;
                    entry.score = score;
                }
            }
            base += entry.score;
            words.push(entry);
        }
        let mut candidate = Candidate {
            passage: passage_idx,
            base,
            type_evidence: 1.0,
            positioned: u64::MAX,
            ..Candidate::default()
        };
        self.rescore(&plan, query, self.bank_matches(&plan).as_ref(), &mut candidate);
        Explanation {
            passage_id: self.passages.get(passage_idx).map(|p| p.id.clone()).unwrap_or_default(),
            words,
            base,
            proximity: candidate.proximity,
            answer_type: plan.answer_type,
            type_evidence: candidate.type_evidence,
            topic: candidate.topic,
            bank_similarity: candidate.bank_sim,
            score: candidate.score,
        }
    }
}

fn sort(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.passage.cmp(&b.passage)));
}

/// Sorts `values[start..]` and removes its repeated values.
fn sort_dedup_from(values: &mut Vec<u32>, start: usize) {
    let Some(tail) = values.get_mut(start..) else { return };
    tail.sort_unstable();
    let mut kept = 0;
    for idx in 0..tail.len() {
        let value = tail[idx];
        if kept == 0 || tail[kept - 1] != value {
            tail[kept] = value;
            kept += 1;
        }
    }
    values.truncate(start + kept);
}

/// The sorted body positions of each slot's matches in one passage (see
/// [`Index::slot_positions`]), in one buffer.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SlotPositions {
    /// The positions of every slot, slot after slot.
    all: Vec<u32>,
    /// Where each slot's positions end in `all`.
    ends: Vec<usize>,
}

impl SlotPositions {
    /// Number of slots.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The positions of slot `slot`.
    pub(crate) fn get(&self, slot: usize) -> Option<&[u32]> {
        let end = *self.ends.get(slot)?;
        let start = match slot.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.all.get(start..end)
    }

    /// The positions of all slots, slot after slot.
    pub(crate) fn all(&self) -> &[u32] {
        &self.all
    }
}
