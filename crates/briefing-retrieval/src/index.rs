//! The index: passages, their fields, postings, and the vocabularies for
//! synonyms and typos; building, saving and loading.

use crate::answer_type::{Evidence, body_abbreviations, sentence_evidence};
use crate::bank::BankLookup;
use crate::bm25::prefix;
use crate::synonyms::{Compiled, PhraseMatch};
use crate::typo::TypoDictionary;
use crate::{Config, Error, Lexicon, Result, Synonyms};
use ahash::AHashMap;
use briefing_tokenize::{Analyzer, Span, Stemmer, Stopwords};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::sync::Arc;

/// The save format name and version written by [`Index::save`].
pub const FORMAT: &str = "briefing-retrieval-index/1";

/// Where the passages of a document come from: the metadata shown with an
/// answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Document id, unique in the index.
    pub doc_id: String,
    /// Title.
    pub title: String,
    /// Who speaks (the interviewee).
    pub speaker: String,
    /// The speaker's role.
    pub role: String,
    /// The event.
    pub event: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
}

/// A passage (paragraph) to index.
///
/// ```
/// use briefing_retrieval::Passage;
/// let p = Passage::new("p3", "Over 600 crimes were thwarted. Camps were closed.")
///     .with_context("What has been accomplished?");
/// assert_eq!(p.sentences.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Passage id, unique within its document (e.g. `p17`).
    pub id: String,
    /// The text.
    pub text: String,
    /// Sentence spans, relative to `text`.
    pub sentences: Vec<Span>,
    /// The interviewer's question this passage answers, if any: indexed as
    /// context at a lower weight.
    pub context: Option<String>,
    /// The turn (question and its answer passages) the passage belongs to.
    pub turn: Option<usize>,
}

impl Passage {
    /// A passage with sentences split by [`briefing_tokenize::sentences()`].
    #[must_use]
    pub fn new(id: &str, text: &str) -> Passage {
        Passage {
            id: id.to_owned(),
            text: text.to_owned(),
            sentences: briefing_tokenize::sentences(text),
            context: None,
            turn: None,
        }
    }

    /// Sets the interviewer's question.
    #[must_use]
    pub fn with_context(mut self, question: &str) -> Passage {
        self.context = Some(question.to_owned());
        self
    }

    /// Sets the turn.
    #[must_use]
    pub fn with_turn(mut self, turn: usize) -> Passage {
        self.turn = Some(turn);
        self
    }

    /// The text of sentences `range` (inclusive of both ends' text).
    #[must_use]
    pub fn sentence_text(&self, range: std::ops::Range<usize>) -> &str {
        let start = self.sentences.get(range.start).map(|s| s.start);
        let end = range.end.checked_sub(1).and_then(|i| self.sentences.get(i)).map(|s| s.end);
        match (start, end) {
            (Some(start), Some(end)) if start <= end => self.text.get(start..end).unwrap_or(""),
            _ => "",
        }
    }
}

/// The three fields of a passage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Body = 0,
    Context = 1,
    Bank = 2,
}

/// Occurrences of one term in one passage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Posting {
    pub(crate) passage: u32,
    /// Term frequency per field.
    pub(crate) tf: [f32; 3],
    /// Word positions in the body.
    pub(crate) pos: Vec<u32>,
}

/// Derived data of a passage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Derived {
    /// Indexed words per field.
    pub(crate) len: [f32; 3],
    /// Number of body words (positions).
    pub(crate) n_words: u32,
    /// First body position of each sentence.
    pub(crate) sentence_starts: Vec<u32>,
    /// Evidence flags per body position.
    pub(crate) evidence: Vec<Evidence>,
    /// Distinct terms (words and synonym concepts) of each bank question, sorted.
    pub(crate) bank_terms: Vec<Vec<u32>>,
    /// The content words of each bank question: per word, its term first,
    /// then the synonym concepts covering it (sorted).
    #[serde(default)]
    pub(crate) bank_units: Vec<Vec<BankUnit>>,
    /// Sum of the idf of the distinct words of each bank question.
    pub(crate) bank_idf: Vec<f32>,
    /// Sum of the idf of the content words ([`Derived::bank_units`]) of
    /// each bank question (rebuilt on load).
    #[serde(skip)]
    pub(crate) bank_unit_idf: Vec<f32>,
    /// The body positions with any evidence, ascending (rebuilt on load):
    /// the only positions that can serve an answer type.
    #[serde(skip)]
    pub(crate) evidence_at: Vec<u32>,
}

/// One content word of a bank question: the terms it matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct BankUnit {
    /// The word's own term.
    pub(crate) word: u32,
    /// Synonym concepts covering the word, sorted.
    pub(crate) concepts: Vec<u32>,
}

impl Derived {
    /// The sentence holding body position `pos`.
    pub(crate) fn sentence_of(&self, pos: u32) -> usize {
        self.sentence_starts.partition_point(|&start| start <= pos).saturating_sub(1)
    }

    /// Body positions of sentences `range`.
    pub(crate) fn positions_of(&self, range: std::ops::Range<usize>) -> std::ops::Range<u32> {
        let start = self.sentence_starts.get(range.start).copied().unwrap_or(self.n_words);
        let end = self.sentence_starts.get(range.end).copied().unwrap_or(self.n_words);
        start..end
    }
}

/// A searchable index over passages.
///
/// Build it with [`IndexBuilder`], ask with [`Index::answer`], rank with
/// [`Index::search`], save with [`Index::save`].
///
/// ```
/// use briefing_retrieval::{Config, IndexBuilder, Passage, Query, Source};
/// let mut builder = IndexBuilder::new(Config::default());
/// builder.document(Source::default(), vec![
///     Passage::new("p0", "The authorities confiscated 50 tons of explosives."),
///     Passage::new("p1", "The summit will be held in Bishkek."),
/// ]);
/// let index = builder.build().unwrap();
/// let hits = index.search(&Query::new("where is the summit"), 1);
/// assert_eq!(hits[0].passage_id, "p1");
/// ```
#[derive(Clone, Debug)]
pub struct Index {
    pub(crate) config: Config,
    pub(crate) synonyms: Synonyms,
    pub(crate) sources: Vec<Source>,
    pub(crate) passages: Vec<Passage>,
    /// Document of each passage (index into `sources`).
    pub(crate) passage_doc: Vec<usize>,
    pub(crate) bank: Vec<Vec<String>>,
    pub(crate) labels: Vec<Option<String>>,
    pub(crate) terms: Vec<String>,
    pub(crate) postings: Vec<Vec<Posting>>,
    pub(crate) derived: Vec<Derived>,
    /// Keys of the words naming speakers and their roles.
    pub(crate) speaker_keys: Vec<String>,
    pub(crate) lexicon: Lexicon,
    // Rebuilt on load.
    pub(crate) analyzer: Analyzer,
    pub(crate) lookup: AHashMap<String, u32>,
    /// Word terms (not synonym concepts), their ids sorted by key, for
    /// prefix variants.
    pub(crate) sorted_terms: Vec<u32>,
    pub(crate) idf: Vec<f32>,
    pub(crate) avg_len: [f32; 3],
    /// Shared by indexes built from the same rules (see [`Synonyms::compiled`]).
    pub(crate) compiled: Arc<Compiled>,
    pub(crate) typos: TypoDictionary,
    /// The bank word units of each term (`None` when a bank question is
    /// too long for it).
    pub(crate) bank_lookup: Option<BankLookup>,
    /// The concept term of each synonym rule, where one was indexed.
    pub(crate) concept_terms: Vec<Option<u32>>,
    /// [`Config::query_stopwords`], sorted and deduplicated (kept in step
    /// with the configuration).
    pub(crate) query_stopwords: Vec<String>,
}

/// What [`Index::save`] writes.
#[derive(Serialize, Deserialize)]
pub(crate) struct Saved {
    pub(crate) format: String,
    pub(crate) config: Config,
    pub(crate) synonyms: Synonyms,
    pub(crate) sources: Vec<Source>,
    pub(crate) passages: Vec<Passage>,
    pub(crate) passage_doc: Vec<usize>,
    pub(crate) bank: Vec<Vec<String>>,
    pub(crate) labels: Vec<Option<String>>,
    pub(crate) terms: Vec<String>,
    pub(crate) postings: Vec<Vec<Posting>>,
    pub(crate) derived: Vec<Derived>,
    pub(crate) speaker_keys: Vec<String>,
    pub(crate) typo_words: Vec<(String, String, u32)>,
    pub(crate) lexicon: Lexicon,
}

/// Collects documents, bank questions, labels and synonyms, then builds an
/// [`Index`].
#[derive(Clone, Debug)]
pub struct IndexBuilder {
    config: Config,
    synonyms: Synonyms,
    lexicon: Lexicon,
    docs: Vec<(Source, Vec<Passage>)>,
    bank: Vec<(String, String, Vec<String>)>,
    labels: Vec<(String, String, String)>,
}

impl IndexBuilder {
    /// A builder with `config`.
    #[must_use]
    pub fn new(config: Config) -> IndexBuilder {
        IndexBuilder {
            config,
            synonyms: Synonyms::default(),
            lexicon: Lexicon::default(),
            docs: Vec::new(),
            bank: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Sets the synonym rules.
    pub fn synonyms(&mut self, synonyms: Synonyms) -> &mut IndexBuilder {
        self.synonyms = synonyms;
        self
    }

    /// Sets the lexicon of real words: unknown query words found there are
    /// not corrected as typos (they stay unknown, a sign that the corpus
    /// does not answer).
    pub fn lexicon(&mut self, lexicon: Lexicon) -> &mut IndexBuilder {
        self.lexicon = lexicon;
        self
    }

    /// Adds a document: its source and passages.
    pub fn document(&mut self, source: Source, passages: Vec<Passage>) -> &mut IndexBuilder {
        self.docs.push((source, passages));
        self
    }

    /// Adds bank questions: questions that passage `passage_id` of document
    /// `doc_id` answers (an FAQ's training examples).
    pub fn bank<S: AsRef<str>>(
        &mut self,
        doc_id: &str,
        passage_id: &str,
        questions: &[S],
    ) -> &mut IndexBuilder {
        let questions = questions.iter().map(|q| q.as_ref().to_owned()).collect();
        self.bank.push((doc_id.to_owned(), passage_id.to_owned(), questions));
        self
    }

    /// Labels a passage with a topic, for [`Query::topic`](crate::Query::topic) hints.
    pub fn label(&mut self, doc_id: &str, passage_id: &str, label: &str) -> &mut IndexBuilder {
        self.labels.push((doc_id.to_owned(), passage_id.to_owned(), label.to_owned()));
        self
    }

    /// Builds the index.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPassage`] when bank questions or a label name a
    /// passage that was not added; [`Error::Analyzer`] if the analyzer
    /// cannot be built.
    pub fn build(self) -> Result<Index> {
        let analyzer = analyzer_for(&self.config)?;
        let mut sources = Vec::new();
        let mut passages = Vec::new();
        let mut passage_doc = Vec::new();
        for (doc_idx, (source, doc_passages)) in self.docs.into_iter().enumerate() {
            sources.push(source);
            for passage in doc_passages {
                passages.push(passage);
                passage_doc.push(doc_idx);
            }
        }
        let find = |doc: &str, id: &str| -> Result<usize> {
            passages
                .iter()
                .zip(&passage_doc)
                .position(|(p, &d)| {
                    p.id == id && sources.get(d).is_some_and(|s: &Source| s.doc_id == doc)
                })
                .ok_or_else(|| Error::UnknownPassage {
                    doc: doc.to_owned(),
                    passage: id.to_owned(),
                })
        };
        let mut bank = vec![Vec::new(); passages.len()];
        for (doc, id, questions) in &self.bank {
            let idx = find(doc, id)?;
            if let Some(slot) = bank.get_mut(idx) {
                slot.extend(questions.iter().cloned());
            }
        }
        let mut labels = vec![None; passages.len()];
        for (doc, id, label) in &self.labels {
            let idx = find(doc, id)?;
            if let Some(slot) = labels.get_mut(idx) {
                *slot = Some(label.clone());
            }
        }
        let mut index = Indexer::new(self.config, self.synonyms, analyzer).run(
            sources,
            passages,
            passage_doc,
            bank,
            labels,
        );
        index.lexicon = self.lexicon;
        Ok(index)
    }
}

pub(crate) fn analyzer_for(config: &Config) -> Result<Analyzer> {
    let stemmer = config.features.stemming.then_some(Stemmer::English);
    Ok(Analyzer::builder().stemmer(stemmer).stopwords(Stopwords::English).build()?)
}

/// The query stopwords of `config`, sorted and deduplicated for binary search.
fn sorted_query_stopwords(config: &Config) -> Vec<String> {
    let mut words = config.query_stopwords.clone();
    words.sort_unstable();
    words.dedup();
    words
}

/// Concept terms (synonym rules) are named with a leading control character
/// that no analysed word can contain.
pub(crate) fn concept_name(rule_idx: usize) -> String {
    format!("{CONCEPT_MARK}{rule_idx}")
}

/// The first character of every concept term's name (see [`concept_name`]).
pub(crate) const CONCEPT_MARK: char = '\u{1}';

/// The synonym rule a concept term is named after; `None` for a word term.
fn concept_rule(term: &str) -> Option<usize> {
    term.strip_prefix(CONCEPT_MARK).and_then(|n| n.parse().ok())
}

struct Indexer {
    config: Config,
    synonyms: Synonyms,
    analyzer: Analyzer,
    compiled: Arc<Compiled>,
    terms: Vec<String>,
    lookup: AHashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    /// Every distinct normalized word seen, in order of first sight, with
    /// its key, count and term (for the typo vocabulary; a word seen before
    /// costs one lookup and is not analysed again).
    words: Vec<SeenWord>,
    /// The id (index in `words`) of each normalized word.
    word_ids: AHashMap<Box<str>, u32>,
    /// The term of each synonym rule's concept, once created.
    concept_terms: Vec<Option<u32>>,
    /// Scratch: the word ids of the text being indexed.
    text_words: Vec<u32>,
    /// Scratch: [`Indexed::unit_of_pos`] of the bank question being indexed.
    unit_of_pos: Vec<Option<usize>>,
}

/// A distinct normalized word met while indexing.
struct SeenWord {
    norm: String,
    key: String,
    /// Occurrences in the indexed texts.
    count: u32,
    /// The word's term; `None` for a stopword left out of the index.
    term: Option<u32>,
    /// Whether the word's key starts a synonym phrase of paragraphs.
    starts_phrase: bool,
}

/// A word of a passage's body: its span and its id (see [`Indexer::words`]).
#[derive(Clone, Copy)]
struct BodyWord {
    span: Span,
    word: u32,
}

/// What indexing one field's text gives.
#[derive(Default)]
struct Indexed {
    /// Number of indexed words.
    n_indexed: f32,
    /// Distinct terms (words and synonym concepts), sorted (bank only).
    distinct: Vec<u32>,
    /// The content-word units (bank only).
    units: Vec<BankUnit>,
    /// The unit of each word position (bank only; missing: none).
    unit_of_pos: Vec<Option<usize>>,
}

impl Indexer {
    fn new(config: Config, synonyms: Synonyms, analyzer: Analyzer) -> Indexer {
        let compiled = synonyms.compiled(&analyzer);
        Indexer {
            config,
            concept_terms: vec![None; synonyms.rules().len()],
            synonyms,
            analyzer,
            compiled,
            terms: Vec::new(),
            lookup: AHashMap::new(),
            postings: Vec::new(),
            words: Vec::new(),
            word_ids: AHashMap::new(),
            text_words: Vec::new(),
            unit_of_pos: Vec::new(),
        }
    }

    fn term(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.lookup.get(key) {
            return id;
        }
        let id = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        self.terms.push(key.to_owned());
        self.lookup.insert(key.to_owned(), id);
        self.postings.push(Vec::new());
        id
    }

    /// The id of the normalized word `norm`, counting one occurrence; a
    /// word seen for the first time gets its key (the same as
    /// [`Analyzer::words`] gives) and its term.
    fn word_id(&mut self, norm: &str) -> u32 {
        if let Some(&id) = self.word_ids.get(norm) {
            if let Some(seen) = self.words.get_mut(id as usize) {
                seen.count += 1;
            }
            return id;
        }
        let (key, is_stopword) = self.analyzer.key_and_stopword_of_norm(norm);
        // A stopword's key makes no term (when stopwords are left out).
        let skip = self.config.features.stopwords && is_stopword;
        let term = (!skip).then(|| self.term(&key));
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        let starts_phrase = self.compiled.starts_target(&key);
        self.words.push(SeenWord { norm: norm.to_owned(), key, count: 1, term, starts_phrase });
        self.word_ids.insert(norm.into(), id);
        id
    }

    /// The term of word `word`, if it has one.
    fn term_of(&self, word: u32) -> Option<u32> {
        self.words.get(word as usize).and_then(|seen| seen.term)
    }

    /// The key of word `word`.
    fn key_of(&self, word: u32) -> &str {
        self.words.get(word as usize).map_or("", |seen| seen.key.as_str())
    }

    /// The concept term of synonym rule `rule_idx`.
    fn concept_term(&mut self, rule_idx: usize) -> u32 {
        if let Some(&Some(term)) = self.concept_terms.get(rule_idx) {
            return term;
        }
        let term = self.term(&concept_name(rule_idx));
        if let Some(slot) = self.concept_terms.get_mut(rule_idx) {
            *slot = Some(term);
        }
        term
    }

    fn add(&mut self, term: u32, passage: u32, field: Field, pos: Option<u32>) {
        let Some(list) = self.postings.get_mut(term as usize) else { return };
        if list.last().is_none_or(|p| p.passage != passage) {
            list.push(Posting { passage, tf: [0.0; 3], pos: Vec::new() });
        }
        if let Some(posting) = list.last_mut() {
            if let Some(tf) = posting.tf.get_mut(field as usize) {
                *tf += 1.0;
            }
            if let Some(pos) = pos {
                posting.pos.push(pos);
            }
        }
    }

    /// Indexes the word at position `pos` of a field's text, whose term is
    /// `term` (`None`: a stopword left out).
    fn index_word(
        &mut self,
        pos: usize,
        term: Option<u32>,
        passage: u32,
        field: Field,
        out: &mut Indexed,
    ) {
        let Some(term) = term else { return };
        let body_pos = (field == Field::Body).then(|| u32::try_from(pos).unwrap_or(u32::MAX));
        self.add(term, passage, field, body_pos);
        out.n_indexed += 1.0;
        if field != Field::Bank {
            return;
        }
        out.distinct.push(term);
        let unit = match out.units.iter().position(|u| u.word == term) {
            Some(existing) => existing,
            None => {
                out.units.push(BankUnit { word: term, concepts: Vec::new() });
                out.units.len() - 1
            }
        };
        if out.unit_of_pos.len() <= pos {
            out.unit_of_pos.resize(pos + 1, None);
        }
        if let Some(slot) = out.unit_of_pos.get_mut(pos) {
            *slot = Some(unit);
        }
    }

    /// The synonym phrases (paragraph side) found in the words `ids`:
    /// only where a word starts one (most texts have few such words).
    fn find_concepts(&self, ids: impl Iterator<Item = u32> + Clone) -> Vec<PhraseMatch> {
        let starts: Vec<usize> = ids
            .clone()
            .enumerate()
            .filter(|(_, id)| self.words.get(*id as usize).is_some_and(|seen| seen.starts_phrase))
            .map(|(pos, _)| pos)
            .collect();
        if starts.is_empty() {
            return Vec::new();
        }
        let ids: Vec<u32> = ids.collect();
        let key = |pos: usize| ids.get(pos).map(|&id| self.key_of(id));
        self.compiled.find_targets(key, &starts)
    }

    /// Indexes the synonym concepts `found` in a field's text, after its
    /// words.
    fn index_concepts(
        &mut self,
        found: &[PhraseMatch],
        passage: u32,
        field: Field,
        out: &mut Indexed,
    ) {
        for found in found {
            let term = self.concept_term(found.rule_idx);
            let body_pos =
                (field == Field::Body).then(|| u32::try_from(found.start).unwrap_or(u32::MAX));
            self.add(term, passage, field, body_pos);
            if field != Field::Bank {
                continue;
            }
            out.distinct.push(term);
            for pos in found.start..found.start + found.len {
                if let Some(unit) =
                    out.unit_of_pos.get(pos).copied().flatten().and_then(|u| out.units.get_mut(u))
                {
                    unit.concepts.push(term);
                }
            }
        }
        for unit in &mut out.units {
            unit.concepts.sort_unstable();
            unit.concepts.dedup();
        }
        out.distinct.sort_unstable();
        out.distinct.dedup();
    }

    /// Indexes a passage's body; returns the number of indexed words and
    /// the words.
    fn index_body(&mut self, text: &str, passage: u32) -> (f32, Vec<BodyWord>) {
        let mut words = Vec::with_capacity(text.len() / 6);
        let mut out = Indexed::default();
        let analyzer = self.analyzer.clone();
        analyzer.for_each_norm(text, |span, norm| {
            let pos = words.len();
            let word = self.word_id(norm);
            words.push(BodyWord { span, word });
            self.index_word(pos, self.term_of(word), passage, Field::Body, &mut out);
        });
        let found = self.find_concepts(words.iter().map(|w| w.word));
        self.index_concepts(&found, passage, Field::Body, &mut out);
        (out.n_indexed, words)
    }

    /// Indexes a context or bank question.
    fn index_text(&mut self, text: &str, passage: u32, field: Field) -> Indexed {
        let mut ids = std::mem::take(&mut self.text_words);
        ids.clear();
        let analyzer = self.analyzer.clone();
        analyzer.for_each_norm(text, |_, norm| ids.push(self.word_id(norm)));
        let mut out = Indexed::default();
        if field == Field::Bank {
            // Sized once: a word or a concept per entry, a unit per word.
            out.distinct.reserve(ids.len() + 4);
            out.units.reserve(ids.len());
            out.unit_of_pos = std::mem::take(&mut self.unit_of_pos);
            out.unit_of_pos.clear();
            out.unit_of_pos.resize(ids.len(), None);
        }
        for (pos, &word) in ids.iter().enumerate() {
            self.index_word(pos, self.term_of(word), passage, field, &mut out);
        }
        let found = self.find_concepts(ids.iter().copied());
        self.text_words = ids;
        self.index_concepts(&found, passage, field, &mut out);
        self.unit_of_pos = std::mem::take(&mut out.unit_of_pos);
        out
    }

    fn run(
        mut self,
        sources: Vec<Source>,
        passages: Vec<Passage>,
        passage_doc: Vec<usize>,
        bank: Vec<Vec<String>>,
        labels: Vec<Option<String>>,
    ) -> Index {
        let mut derived = Vec::with_capacity(passages.len());
        let mut bank_terms_raw = Vec::with_capacity(passages.len());
        let mut body_words = Vec::with_capacity(passages.len());
        for (idx, passage) in passages.iter().enumerate() {
            let pid = u32::try_from(idx).unwrap_or(u32::MAX);
            let (body_len, words) = self.index_body(&passage.text, pid);
            let context_len = match &passage.context {
                Some(context) => self.index_text(context, pid, Field::Context).n_indexed,
                None => 0.0,
            };
            let mut bank_len = 0.0;
            let mut bank_terms = Vec::new();
            let mut bank_units = Vec::new();
            for question in bank.get(idx).into_iter().flatten() {
                let indexed = self.index_text(question, pid, Field::Bank);
                bank_len += indexed.n_indexed;
                bank_terms.push(indexed.distinct);
                bank_units.push(indexed.units);
            }
            bank_terms_raw.push((bank_terms, bank_units));
            derived.push(Derived { len: [body_len, context_len, bank_len], ..Derived::default() });
            body_words.push(words);
        }
        // Words ever written in lowercase are common nouns; the others
        // (Bishkek, SCO) are names.
        let mut lowercase = vec![false; self.words.len()];
        for (passage, words) in passages.iter().zip(&body_words) {
            for word in words {
                if word
                    .span
                    .slice(&passage.text)
                    .and_then(|s| s.chars().next())
                    .is_some_and(char::is_lowercase)
                    && let Some(slot) = lowercase.get_mut(word.word as usize)
                {
                    *slot = true;
                }
            }
        }
        let seen = &self.words;
        // Abbreviations some passage writes out as the name of a body (SCO).
        let mut bodies: ahash::AHashSet<String> = ahash::AHashSet::new();
        for (passage, words) in passages.iter().zip(&body_words) {
            let starts = sentence_starts(&passage.sentences, words);
            for_each_sentence(&passage.text, words, seen, &starts, |_, norms, surface| {
                for idx in body_abbreviations(norms, surface) {
                    bodies.extend(norms.get(idx).map(|n| (*n).to_owned()));
                }
            });
        }
        let proper = |norm: &str| {
            !self
                .word_ids
                .get(norm)
                .and_then(|&id| lowercase.get(id as usize))
                .is_some_and(|&lower| lower)
        };
        for ((passage, words), d) in passages.iter().zip(&body_words).zip(&mut derived) {
            let mut info = BodyInfo { sentences: passage.sentences.clone(), ..BodyInfo::default() };
            info.fill(&passage.text, words, seen, &proper, &|norm: &str| bodies.contains(norm));
            d.n_words = info.n_words;
            d.sentence_starts = info.sentence_starts;
            d.evidence = info.evidence;
        }
        for (derived, (terms, units)) in derived.iter_mut().zip(bank_terms_raw) {
            derived.bank_terms = terms;
            derived.bank_units = units;
        }
        for (norm, key) in &self.compiled.words {
            if !self.word_ids.contains_key(norm.as_str()) {
                let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
                self.word_ids.insert(norm.as_str().into(), id);
                self.words.push(SeenWord {
                    norm: norm.clone(),
                    key: key.clone(),
                    count: 1,
                    term: None,
                    starts_phrase: false,
                });
            }
        }
        let typo_words: Vec<(String, String, u32)> =
            self.words.into_iter().map(|seen| (seen.norm, seen.key, seen.count)).collect();
        // Norms are distinct: sorted by norm is sorted.
        let order =
            order_by_distinct_str(typo_words.len(), |idx| typo_words.get(idx).map_or("", |w| &w.0));
        let typo_words = permute(typo_words, &order);
        let mut speaker_keys: Vec<String> = sources
            .iter()
            .flat_map(|s| self.analyzer.words(&format!("{} {}", s.speaker, s.role)))
            .filter(|w| !w.is_stopword)
            .map(|w| w.key)
            .collect();
        speaker_keys.sort();
        speaker_keys.dedup();
        let saved = Saved {
            format: FORMAT.to_owned(),
            config: self.config,
            synonyms: self.synonyms,
            sources,
            passages,
            passage_doc,
            bank,
            labels,
            terms: self.terms,
            postings: self.postings,
            derived,
            speaker_keys,
            typo_words,
            lexicon: Lexicon::default(),
        };
        Index::from_saved(saved, self.analyzer, self.compiled, Some(self.lookup), None)
    }
}

/// Body words, sentences and evidence of a passage while indexing.
#[derive(Default)]
struct BodyInfo {
    sentences: Vec<Span>,
    n_words: u32,
    sentence_starts: Vec<u32>,
    evidence: Vec<Evidence>,
}

impl BodyInfo {
    fn fill(
        &mut self,
        text: &str,
        words: &[BodyWord],
        seen: &[SeenWord],
        proper: &dyn Fn(&str) -> bool,
        body: &dyn Fn(&str) -> bool,
    ) {
        self.n_words = u32::try_from(words.len()).unwrap_or(u32::MAX);
        self.sentence_starts = sentence_starts(&self.sentences, words);
        self.evidence = vec![Evidence::default(); words.len()];
        let evidence = &mut self.evidence;
        for_each_sentence(text, words, seen, &self.sentence_starts, |start, norms, surface| {
            for (offset, ev) in
                sentence_evidence(norms, surface, proper, body).into_iter().enumerate()
            {
                if let Some(slot) = evidence.get_mut(start + offset) {
                    *slot = ev;
                }
            }
        });
    }
}

/// The index of the first word of each sentence.
fn sentence_starts(sentences: &[Span], words: &[BodyWord]) -> Vec<u32> {
    sentences
        .iter()
        .map(|s| {
            u32::try_from(words.partition_point(|w| w.span.start < s.start)).unwrap_or(u32::MAX)
        })
        .collect()
}

/// Calls `f` with the index of the first word, the norms and the surface
/// forms of each sentence of `text` (`seen`: the distinct words the body
/// words refer to).
fn for_each_sentence(
    text: &str,
    words: &[BodyWord],
    seen: &[SeenWord],
    starts: &[u32],
    mut f: impl FnMut(usize, &[&str], &[&str]),
) {
    for (sentence_idx, &start) in starts.iter().enumerate() {
        let start = start as usize;
        let end = starts.get(sentence_idx + 1).map_or(words.len(), |&e| e as usize);
        let Some(sentence_words) = words.get(start..end) else { continue };
        let norms: Vec<&str> = sentence_words
            .iter()
            .map(|w| seen.get(w.word as usize).map_or("", |s| s.norm.as_str()))
            .collect();
        let surface: Vec<&str> =
            sentence_words.iter().map(|w| w.span.slice(text).unwrap_or("")).collect();
        f(start, &norms, &surface);
    }
}

/// The ids of the word terms (not synonym concepts), sorted by key.
fn sorted_word_terms(terms: &[String]) -> Vec<u32> {
    let term_key = |id: &u32| terms.get(*id as usize).map_or("", String::as_str);
    let sorted: Vec<u32> = (0..u32::try_from(terms.len()).unwrap_or(u32::MAX))
        .filter(|id| !term_key(id).starts_with(CONCEPT_MARK))
        .collect();
    // Terms are distinct, so the order is deterministic.
    let order = order_by_distinct_str(sorted.len(), |idx| sorted.get(idx).map_or("", term_key));
    permute(sorted, &order)
}

/// The order of `0..n` by the strings `key(i)`, all distinct: the order of
/// sorting by the strings, comparing their first 8 bytes as one integer
/// first (most pairs differ there), so that few strings are compared.
fn order_by_distinct_str<'s>(n: usize, key: impl Fn(usize) -> &'s str) -> Vec<usize> {
    let mut order: Vec<(u64, usize)> = (0..n).map(|idx| (prefix(key(idx)), idx)).collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(key(b.1))));
    order.into_iter().map(|(_, idx)| idx).collect()
}

/// `items` in the order `order` (a permutation of their indices).
fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&idx| slots.get_mut(idx).and_then(Option::take)).collect()
}

impl Index {
    /// The index from its saved parts; `lookup` (term to id) and
    /// `sorted_terms` (see [`Index::sorted_terms`]) are rebuilt from the
    /// terms when not given.
    pub(crate) fn from_saved(
        saved: Saved,
        analyzer: Analyzer,
        compiled: Arc<Compiled>,
        lookup: Option<AHashMap<String, u32>>,
        sorted_terms: Option<Vec<u32>>,
    ) -> Index {
        let lookup = lookup.unwrap_or_else(|| {
            saved
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
                .collect()
        });
        let n = saved.passages.len().max(1) as f32;
        let idf: Vec<f32> = saved
            .postings
            .iter()
            .map(|list| {
                let df = list.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let mut avg_len = [0.0f32; 3];
        for d in &saved.derived {
            for (sum, len) in avg_len.iter_mut().zip(d.len) {
                *sum += len;
            }
        }
        for sum in &mut avg_len {
            *sum = (*sum / n).max(1.0);
        }
        let mut derived = saved.derived;
        for d in &mut derived {
            d.bank_idf = d
                .bank_terms
                .iter()
                .map(|terms| {
                    terms
                        .iter()
                        .filter(|&&t| {
                            saved
                                .terms
                                .get(t as usize)
                                .is_some_and(|k| !k.starts_with(CONCEPT_MARK))
                        })
                        .filter_map(|&t| idf.get(t as usize))
                        .sum()
                })
                .collect();
            d.bank_unit_idf = d
                .bank_units
                .iter()
                .map(|units| units.iter().filter_map(|u| idf.get(u.word as usize)).sum())
                .collect();
            d.evidence_at = (0u32..)
                .zip(&d.evidence)
                .filter(|(_, evidence)| evidence.0 != 0)
                .map(|(pos, _)| pos)
                .collect();
        }
        let sorted_terms = sorted_terms.unwrap_or_else(|| sorted_word_terms(&saved.terms));
        let mut concept_terms = vec![None; saved.synonyms.rules().len()];
        for (id, term) in (0u32..).zip(&saved.terms) {
            if let Some(slot) = concept_rule(term).and_then(|rule| concept_terms.get_mut(rule)) {
                *slot = Some(id);
            }
        }
        let query_stopwords = sorted_query_stopwords(&saved.config);
        let bank_lookup = BankLookup::new(&derived, saved.terms.len());
        Index {
            bank_lookup,
            concept_terms,
            query_stopwords,
            sorted_terms,
            config: saved.config,
            synonyms: saved.synonyms,
            sources: saved.sources,
            passages: saved.passages,
            passage_doc: saved.passage_doc,
            bank: saved.bank,
            labels: saved.labels,
            terms: saved.terms,
            postings: saved.postings,
            derived,
            speaker_keys: saved.speaker_keys,
            lexicon: saved.lexicon,
            analyzer,
            lookup,
            idf,
            avg_len,
            compiled,
            typos: TypoDictionary::new(saved.typo_words),
        }
    }

    /// The configuration the index was built with.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the configuration used at query time. Switches that change
    /// how text is analysed ([`Features::stemming`](crate::Features::stemming),
    /// [`Features::stopwords`](crate::Features::stopwords)) only take effect
    /// on a rebuild.
    pub fn set_config(&mut self, config: Config) {
        self.query_stopwords = sorted_query_stopwords(&config);
        self.config = config;
    }

    /// All passages, in index order.
    #[must_use]
    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// The source of passage `passage_idx`.
    #[must_use]
    pub fn source(&self, passage_idx: usize) -> Option<&Source> {
        self.passage_doc.get(passage_idx).and_then(|&d| self.sources.get(d))
    }

    /// The bank questions of passage `passage_idx`.
    #[must_use]
    pub fn bank_questions(&self, passage_idx: usize) -> &[String] {
        self.bank.get(passage_idx).map_or(&[], Vec::as_slice)
    }

    /// The topic label of passage `passage_idx`, if any.
    #[must_use]
    pub fn label(&self, passage_idx: usize) -> Option<&str> {
        self.labels.get(passage_idx).and_then(Option::as_deref)
    }

    /// The index of the passage `passage_id` of document `doc_id`.
    #[must_use]
    pub fn find_passage(&self, doc_id: &str, passage_id: &str) -> Option<usize> {
        (0..self.passages.len()).find(|&i| {
            self.passages.get(i).is_some_and(|p| p.id == passage_id)
                && self.source(i).is_some_and(|s| s.doc_id == doc_id)
        })
    }

    /// Number of distinct terms (words and synonym concepts).
    #[must_use]
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }

    /// Number of known words for typo correction.
    #[must_use]
    pub fn n_known_words(&self) -> usize {
        self.typos.len()
    }

    /// Writes the index as JSON (format [`FORMAT`]).
    ///
    /// # Errors
    ///
    /// [`Error::Json`] or [`Error::Io`] when writing fails.
    pub fn save<W: Write>(&self, writer: W) -> Result<()> {
        let saved = Saved {
            format: FORMAT.to_owned(),
            config: self.config.clone(),
            synonyms: self.synonyms.clone(),
            sources: self.sources.clone(),
            passages: self.passages.clone(),
            passage_doc: self.passage_doc.clone(),
            bank: self.bank.clone(),
            labels: self.labels.clone(),
            terms: self.terms.clone(),
            postings: self.postings.clone(),
            derived: self.derived.clone(),
            speaker_keys: self.speaker_keys.clone(),
            typo_words: self.typos.entries(),
            lexicon: self.lexicon.clone(),
        };
        serde_json::to_writer(writer, &saved)?;
        Ok(())
    }

    /// Reads an index written by [`Index::save`].
    ///
    /// ```
    /// use briefing_retrieval::{Config, Index, IndexBuilder, Passage, Source};
    /// let mut builder = IndexBuilder::new(Config::default());
    /// builder.document(Source::default(), vec![Passage::new("p0", "Trade grew.")]);
    /// let index = builder.build().unwrap();
    /// let mut bytes = Vec::new();
    /// index.save(&mut bytes).unwrap();
    /// let loaded = Index::load(bytes.as_slice()).unwrap();
    /// assert_eq!(loaded.passages(), index.passages());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when the input is not a saved index, [`Error::Format`]
    /// when it has another format version.
    pub fn load<R: Read>(reader: R) -> Result<Index> {
        let saved: Saved = serde_json::from_reader(reader)?;
        if saved.format != FORMAT {
            return Err(Error::Format { found: saved.format, expected: FORMAT.to_owned() });
        }
        let analyzer = analyzer_for(&saved.config)?;
        let compiled = saved.synonyms.compiled(&analyzer);
        Ok(Index::from_saved(saved, analyzer, compiled, None, None))
    }

    /// The term id of `key`, if indexed.
    pub(crate) fn term_id(&self, key: &str) -> Option<u32> {
        self.lookup.get(key).copied()
    }

    /// Word terms whose key is a close prefix variant of `key` (one is a
    /// prefix of the other, at most `max_extra` characters longer, both at
    /// least `min_len` long): `priorit` for `prioriti`.
    pub(crate) fn prefix_variants(&self, key: &str, min_len: usize, max_extra: usize) -> Vec<u32> {
        let n = key.chars().count();
        let mut found = Vec::new();
        if n < min_len || !key.is_ascii() {
            return found;
        }
        // Longer keys starting with `key`.
        let term_key = |id: u32| self.terms.get(id as usize).map_or("", String::as_str);
        let start = self.sorted_terms.partition_point(|&id| term_key(id) < key);
        for &id in self.sorted_terms.iter().skip(start) {
            let term = term_key(id);
            if !term.starts_with(key) {
                break;
            }
            if term.len() > key.len() && term.len() <= key.len() + max_extra {
                found.push(id);
            }
        }
        // Shorter keys that are prefixes of `key`.
        for cut in 1..=max_extra {
            let Some(prefix) = key.get(..key.len().saturating_sub(cut)) else { continue };
            if prefix.len() < min_len {
                break;
            }
            if let Some(id) = self.term_id(prefix) {
                found.push(id);
            }
        }
        found
    }

    /// The idf of a term.
    pub(crate) fn idf_of(&self, term: u32) -> f32 {
        self.idf.get(term as usize).copied().unwrap_or(0.0)
    }

    /// The idf given to a word the index does not know.
    pub(crate) fn unknown_idf(&self) -> f32 {
        let n = self.passages.len() as f32;
        (1.0 + (n + 0.5) / 0.5).ln()
    }

    /// The posting of `term` in passage `passage`.
    pub(crate) fn posting(&self, term: u32, passage: u32) -> Option<&Posting> {
        let list = self.postings.get(term as usize)?;
        list.binary_search_by_key(&passage, |p| p.passage).ok().and_then(|i| list.get(i))
    }
}

#[cfg(test)]
mod sort_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn order_by_distinct_str_is_the_string_order() {
        let words = [
            "cooperation",
            "cooperate",
            "co",
            "c",
            "",
            "coop\u{0}x",
            "coop",
            "négociation",
            "zebra",
            "cooperationz",
            "ab\u{ff}",
        ];
        let order = order_by_distinct_str(words.len(), |idx| words[idx]);
        let got: Vec<&str> = order.iter().map(|&idx| words[idx]).collect();
        let mut expected = words.to_vec();
        expected.sort_unstable();
        assert_eq!(got, expected);
        assert_eq!(permute(words.to_vec(), &order), expected);
    }
}
