//! Synonym, abbreviation and spelling-variant rules, parsed from a text file.

use crate::{Error, Result};
use ahash::{AHashMap, AHashSet};
use briefing_tokenize::Analyzer;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Synonym rules: equivalence groups and one-directional expansions.
///
/// The text format has one rule per line; blank lines and lines starting
/// with `#` are ignored.
///
/// - `a | b | c`: an equivalence group; each term matches every other.
/// - `a => b | c`: a query containing `a` also matches `b` and `c`, but not
///   the other way round.
///
/// Terms may have several words; they match the same sequence of analysed
/// words (so stemming and case do not matter).
///
/// ```
/// use briefing_retrieval::Synonyms;
/// let synonyms = Synonyms::parse("drugs | narcotics\nbombs => explosives\n").unwrap();
/// assert_eq!(synonyms.rules().len(), 2);
/// assert_eq!(synonyms.rules()[1].sources, ["bombs"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Synonyms {
    /// Shared: an index keeps the rules its caller also keeps, and
    /// thousands of derived rules cost more to copy than to share.
    rules: Arc<Vec<Rule>>,
    /// The rules compiled for an index, kept for the next index built from
    /// them (or a clone); any change to the rules starts a new one.
    compiled: Arc<CompiledMemo>,
}

impl PartialEq for Synonyms {
    fn eq(&self, other: &Synonyms) -> bool {
        self.rules == other.rules
    }
}

/// The last compiled form of some rules, with the analyzer settings it was
/// compiled with (see [`Synonyms::compiled`]).
#[derive(Default)]
struct CompiledMemo(Mutex<Option<(AnalyzerSettings, Arc<Compiled>)>>);

impl std::fmt::Debug for CompiledMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledMemo")
    }
}

/// The saved form of [`Synonyms`] (written from a borrow).
#[derive(Serialize)]
struct SynonymsRef<'a> {
    rules: &'a [Rule],
}

/// The saved form of [`Synonyms`] (read).
#[derive(Deserialize)]
struct SynonymsOwned {
    rules: Vec<Rule>,
}

/// The saved form of [`Synonyms`] in binary formats: every term in one
/// string, and the shape of the rules in one byte block, so that reading
/// thousands of rules checks one string and decodes no value per term.
///
/// The shape holds, per rule: its weight (`f32` bits, little-endian), the
/// number of sources and of targets, then the byte length of each term
/// (sources first), as LEB128 varints. `text` is the terms, concatenated.
#[derive(Serialize, Deserialize)]
struct PackedRules<'a> {
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
    #[serde(with = "bytes_cow", borrow)]
    shape: std::borrow::Cow<'a, [u8]>,
}

/// A `Cow<[u8]>` written as serde bytes, borrowed when the input allows.
mod bytes_cow {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};
    use std::borrow::Cow;
    use std::fmt;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Cow<'de, [u8]>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes")
        }

        fn visit_borrowed_bytes<E: Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_vec()))
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, [u8]>, D::Error> {
        d.deserialize_bytes(BytesVisitor)
    }
}

fn push_varint(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads the shape of [`PackedRules`].
struct ShapeReader<'a> {
    bytes: &'a [u8],
}

impl ShapeReader<'_> {
    fn varint(&mut self) -> Option<usize> {
        let mut value = 0usize;
        for shift in (0..usize::BITS).step_by(7) {
            let (&byte, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            value |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn weight(&mut self) -> Option<f32> {
        let (bits, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(f32::from_le_bytes(*bits))
    }
}

impl PackedRules<'_> {
    fn pack(rules: &[Rule]) -> PackedRules<'static> {
        let mut text = String::new();
        let mut shape = Vec::with_capacity(rules.len() * 10);
        for rule in rules {
            shape.extend_from_slice(&rule.weight.to_le_bytes());
            push_varint(&mut shape, rule.sources.len());
            push_varint(&mut shape, rule.targets.len());
            for term in rule.sources.iter().chain(&rule.targets) {
                push_varint(&mut shape, term.len());
                text.push_str(term);
            }
        }
        PackedRules { text: text.into(), shape: shape.into() }
    }

    /// The rules, or `None` when the shape does not fit the text.
    fn unpack(&self) -> Option<Vec<Rule>> {
        let mut shape = ShapeReader { bytes: &self.shape };
        let mut text: &str = &self.text;
        let mut rules = Vec::new();
        let mut terms = |n: usize, shape: &mut ShapeReader<'_>| -> Option<Vec<String>> {
            // A term takes at least one shape byte: a bound for a corrupt count.
            let mut out = Vec::with_capacity(n.min(shape.bytes.len()));
            for _ in 0..n {
                let len = shape.varint()?;
                let term = text.get(..len)?;
                text = text.get(len..)?;
                out.push(term.to_owned());
            }
            Some(out)
        };
        while !shape.bytes.is_empty() {
            let weight = shape.weight()?;
            let n_sources = shape.varint()?;
            let n_targets = shape.varint()?;
            let sources = terms(n_sources, &mut shape)?;
            let targets = terms(n_targets, &mut shape)?;
            rules.push(Rule { sources, targets, weight });
        }
        text.is_empty().then_some(rules)
    }
}

impl Serialize for Synonyms {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            SynonymsRef { rules: &self.rules }.serialize(serializer)
        } else {
            PackedRules::pack(&self.rules).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Synonyms {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Synonyms, D::Error> {
        if deserializer.is_human_readable() {
            let owned = SynonymsOwned::deserialize(deserializer)?;
            return Ok(Synonyms::from_rules(owned.rules));
        }
        let packed = PackedRules::deserialize(deserializer)?;
        let rules = packed
            .unpack()
            .ok_or_else(|| serde::de::Error::custom("synonym rules do not match their terms"))?;
        Ok(Synonyms::from_rules(rules))
    }
}

/// One synonym rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Terms that, in a query, trigger the rule.
    pub sources: Vec<String>,
    /// Terms that, in a paragraph, the rule matches. For an equivalence
    /// group this equals `sources`.
    pub targets: Vec<String>,
    /// Weight relative to [`Config::synonym_weight`](crate::Config::synonym_weight)
    /// (1 for hand-written rules).
    #[serde(default = "one")]
    pub weight: f32,
}

fn one() -> f32 {
    1.0
}

impl Synonyms {
    /// Parses the text format described on [`Synonyms`].
    ///
    /// # Errors
    ///
    /// [`Error::Synonyms`] with the line number when a rule has an empty term
    /// or fewer than two terms.
    pub fn parse(text: &str) -> Result<Synonyms> {
        let mut rules = Vec::new();
        for (line_idx, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad =
                |reason: &str| Error::Synonyms { line: line_idx + 1, reason: reason.to_owned() };
            let split = |s: &str| -> Vec<String> { s.split('|').map(lowercase).collect() };
            let rule = if let Some((left, right)) = line.split_once("=>") {
                let sources = split(left);
                let targets = split(right);
                if sources.len() != 1 || targets.is_empty() {
                    return Err(bad("a one-directional rule needs one term before `=>`"));
                }
                Rule { sources, targets, weight: 1.0 }
            } else {
                let terms = split(line);
                if terms.len() < 2 {
                    return Err(bad("a group needs at least two terms separated by ` | `"));
                }
                Rule { sources: terms.clone(), targets: terms, weight: 1.0 }
            };
            if rule.sources.iter().chain(&rule.targets).any(String::is_empty) {
                return Err(bad("empty term"));
            }
            rules.push(rule);
        }
        Ok(Synonyms::from_rules(rules))
    }

    fn from_rules(rules: Vec<Rule>) -> Synonyms {
        Synonyms { rules: Arc::new(rules), compiled: Arc::default() }
    }

    /// The rules, in file order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules compiled for `analyzer`: the same as [`Compiled::new`], compiled once for
    /// these rules (and their clones) as long as the analyzer's settings that norms and keys
    /// depend on stay the same, so that indexes built one after another from the same rules
    /// (a calibration's folds, an evaluation's ablations) do not compile them again.
    pub(crate) fn compiled(&self, analyzer: &Analyzer) -> Arc<Compiled> {
        let settings = analyzer_settings(analyzer);
        let mut memo = self.compiled.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((memo_settings, compiled)) = memo.as_ref()
            && *memo_settings == settings
        {
            return Arc::clone(compiled);
        }
        let compiled = Arc::new(Compiled::new(self, analyzer));
        *memo = Some((settings, Arc::clone(&compiled)));
        compiled
    }

    /// Adds an equivalence group.
    pub fn add_group(&mut self, terms: &[&str]) {
        let terms: Vec<String> = terms.iter().map(|t| lowercase(t)).collect();
        self.compiled = Arc::default();
        Arc::make_mut(&mut self.rules).push(Rule {
            sources: terms.clone(),
            targets: terms,
            weight: 1.0,
        });
    }

    /// Sets the weight of every rule (see [`Rule::weight`]); for rules
    /// derived automatically, which deserve less trust than hand-written ones.
    ///
    /// ```
    /// use briefing_retrieval::Synonyms;
    /// let mut rules = Synonyms::parse("drugs | narcotics").unwrap();
    /// rules.extend(Synonyms::parse("lately => recently").unwrap().with_weight(0.5));
    /// assert_eq!(rules.rules()[1].weight, 0.5);
    /// ```
    #[must_use]
    pub fn with_weight(mut self, weight: f32) -> Synonyms {
        self.compiled = Arc::default();
        for rule in Arc::make_mut(&mut self.rules) {
            rule.weight = weight;
        }
        self
    }

    /// Appends the rules of `other`.
    pub fn extend(&mut self, other: Synonyms) {
        self.compiled = Arc::default();
        match Arc::try_unwrap(other.rules) {
            Ok(rules) => Arc::make_mut(&mut self.rules).extend(rules),
            Err(shared) => Arc::make_mut(&mut self.rules).extend(shared.iter().cloned()),
        }
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// A term trimmed and lowercased (copied as is when already lowercase ASCII,
/// the usual case, which is cheaper than `to_lowercase`).
fn lowercase(term: &str) -> String {
    let term = term.trim();
    if term.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        term.to_owned()
    } else {
        term.to_lowercase()
    }
}

/// One analysed term of a rule: its word keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Phrase {
    pub(crate) keys: Vec<String>,
    pub(crate) rule_idx: usize,
}

/// A phrase found in a word sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PhraseMatch {
    pub(crate) start: usize,
    pub(crate) len: usize,
    pub(crate) rule_idx: usize,
}

/// Phrases by first key.
type PhraseMap = AHashMap<String, Vec<Phrase>>;

/// The query-side phrases of derived rules whose term starts with one
/// ASCII letter, compiled on first use.
#[derive(Clone, Debug, Default)]
struct Bucket {
    /// `(rule, source)` indices of the terms.
    terms: Vec<(u32, u32)>,
    phrases: OnceLock<PhraseMap>,
}

/// Rules compiled for matching over analysed word keys (rebuilt on load,
/// never saved).
///
/// Derived rules (weight below 1) are many (thousands of WordNet rules) and
/// a query needs few of them, so their query side is compiled lazily: a
/// term starting with an ASCII letter goes to that letter's [`Bucket`],
/// analysed when a query word with a key starting with that letter first
/// looks it up (the key of a word starts with the word's first letter:
/// normalizing an ASCII word and stemming it keep its first letter). The
/// keys of their one-word targets are likewise analysed per rule on first
/// use.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    /// Phrases a query may contain, by first key (all but the bucketed ones).
    sources: PhraseMap,
    /// Query-side phrases of derived rules, by the first letter of the term.
    buckets: Vec<Bucket>,
    /// Phrases of several words a paragraph may contain, by first key
    /// (they are indexed as a synonym concept term).
    targets: PhraseMap,
    /// Per rule, the keys of its one-word targets (derived rules only).
    single_targets: Vec<OnceLock<Vec<String>>>,
    /// Every normalized word of every term, with its key (typo vocabulary).
    pub(crate) words: Vec<(String, String)>,
    /// The analyzer, for the lazy parts (which take the rules as an
    /// argument: the index keeps them, and copying them would cost more
    /// than compiling).
    analyzer: Analyzer,
}

/// The eagerly compiled parts of [`Compiled`], as a binary saved index
/// keeps them (so loading does not analyse the rules again). Maps are
/// written as `(key, phrases)` lists sorted by key, for a deterministic file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CompiledParts {
    sources: Vec<(String, Vec<Phrase>)>,
    bucket_terms: Vec<Vec<(u32, u32)>>,
    targets: Vec<(String, Vec<Phrase>)>,
    words: Vec<(String, String)>,
}

fn sorted_entries(map: &PhraseMap) -> Vec<(String, Vec<Phrase>)> {
    let mut entries: Vec<(String, Vec<Phrase>)> =
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// The words of a term, as `(norm, key)`.
fn analyse(term: &str, analyzer: &Analyzer) -> Vec<(String, String)> {
    if term.bytes().all(|b| b.is_ascii_lowercase()) {
        // One plain word: skip the splitting.
        vec![(term.to_owned(), analyzer.key(term))]
    } else {
        analyzer.words(term).into_iter().map(|w| (w.norm, w.key)).collect()
    }
}

/// The bucket of a derived rule's term or of a key: its first byte when an
/// ASCII lowercase letter.
fn bucket_of(text: &str) -> Option<usize> {
    text.bytes().next().filter(u8::is_ascii_lowercase).map(|b| usize::from(b - b'a'))
}

/// Adds the phrase of the word keys `keys` for `rule_idx` to `map`.
fn add_phrase(map: &mut PhraseMap, keys: Vec<String>, rule_idx: usize) {
    let Some(first) = keys.first() else { return };
    match map.get_mut(first.as_str()) {
        Some(phrases) => phrases.push(Phrase { keys, rule_idx }),
        None => {
            let first = first.clone();
            map.insert(first, vec![Phrase { keys, rule_idx }]);
        }
    }
}

/// Pushes the `phrases` that occur at `start` of the keys `key(0)`, `key(1)`, ... (`None` past
/// the end).
fn push_matches<'p, 'k>(
    key: impl Fn(usize) -> Option<&'k str>,
    start: usize,
    phrases: impl Iterator<Item = &'p Phrase>,
    found: &mut Vec<PhraseMatch>,
) {
    for phrase in phrases {
        if (0..).zip(&phrase.keys).all(|(i, k)| key(start + i) == Some(k.as_str())) {
            found.push(PhraseMatch { start, len: phrase.keys.len(), rule_idx: phrase.rule_idx });
        }
    }
}

/// Orders phrase matches by start, then rule, keeping one per start and rule.
fn sort_matches(found: &mut Vec<PhraseMatch>) {
    found.sort_by_key(|m| (m.start, m.rule_idx, m.len));
    found.dedup_by_key(|m| (m.start, m.rule_idx));
}

/// The analysed words of distinct terms, norms and keys in one arena.
struct TermWords<'a> {
    /// The range of `words` of each distinct term.
    terms: AHashMap<&'a str, (usize, usize)>,
    /// Each word: the byte ranges of its norm and key in `arena`.
    words: Vec<[usize; 4]>,
    arena: String,
}

impl<'a> TermWords<'a> {
    /// Analyses the distinct `terms` in one pass of `analyzer` over them,
    /// one term a line: words never hold whitespace and only look at
    /// their own characters, so each term gets the words
    /// [`Analyzer::words`] gives it alone.
    fn new(terms: &[&'a str], analyzer: &Analyzer) -> TermWords<'a> {
        let mut distinct: AHashMap<&'a str, (usize, usize)> = AHashMap::new();
        let mut text = String::new();
        // Per distinct term, where it ends in `text`.
        let mut ends: Vec<(&'a str, usize)> = Vec::new();
        for &term in terms {
            if let std::collections::hash_map::Entry::Vacant(slot) = distinct.entry(term) {
                slot.insert((0, 0));
                text.push_str(term);
                ends.push((term, text.len()));
                text.push('\n');
            }
        }
        let mut words: Vec<[usize; 4]> = Vec::new();
        let mut arena = String::with_capacity(text.len() * 2);
        let mut next = 0;
        let mut first_word = 0;
        let mut close = |upto: usize, next: &mut usize, first_word: &mut usize, n_words: usize| {
            while let Some(&(term, end)) = ends.get(*next) {
                if end > upto {
                    break;
                }
                if let Some(range) = distinct.get_mut(term) {
                    *range = (*first_word, n_words);
                }
                *first_word = n_words;
                *next += 1;
            }
        };
        analyzer.for_each_token(&text, |token| {
            // Terms ending before this word are complete.
            close(token.span.start, &mut next, &mut first_word, words.len());
            let norm_start = arena.len();
            arena.push_str(token.norm);
            let key_start = arena.len();
            arena.push_str(token.key);
            words.push([norm_start, key_start, key_start, arena.len()]);
        });
        close(usize::MAX, &mut next, &mut first_word, words.len());
        TermWords { terms: distinct, words, arena }
    }

    /// The word indices of `term` (none for a term not analysed).
    fn words(&self, term: &str) -> std::ops::Range<usize> {
        self.terms.get(term).map_or(0..0, |&(start, end)| start..end)
    }

    /// The norm and key of word `idx`.
    fn word(&self, idx: usize) -> (&str, &str) {
        let [norm_start, norm_end, key_start, key_end] =
            self.words.get(idx).copied().unwrap_or_default();
        (
            self.arena.get(norm_start..norm_end).unwrap_or(""),
            self.arena.get(key_start..key_end).unwrap_or(""),
        )
    }

    /// The word keys of `term`.
    fn keys(&self, term: &str) -> Vec<String> {
        self.words(term).map(|idx| self.word(idx).1.to_owned()).collect()
    }
}

/// The analyzer settings that word norms and keys depend on.
type AnalyzerSettings = (Option<briefing_tokenize::Stemmer>, bool, bool);

fn analyzer_settings(analyzer: &Analyzer) -> AnalyzerSettings {
    (analyzer.stemmer(), analyzer.lowercases(), analyzer.strips_accents())
}

impl Compiled {
    pub(crate) fn new(synonyms: &Synonyms, analyzer: &Analyzer) -> Compiled {
        let mut compiled = Compiled {
            sources: PhraseMap::default(),
            buckets: vec![Bucket::default(); 26],
            targets: PhraseMap::default(),
            single_targets: (0..synonyms.rules.len()).map(|_| OnceLock::new()).collect(),
            words: Vec::new(),
            analyzer: analyzer.clone(),
        };
        // The terms to analyse now; the others are bucketed (see `Bucket`)
        // or matched through their own index term (see `single_targets`).
        let mut eager: Vec<&str> = Vec::new();
        for rule in synonyms.rules.iter() {
            let derived = rule.weight < 1.0;
            for term in &rule.sources {
                if !(derived && bucket_of(term).is_some()) {
                    eager.push(term);
                }
            }
            for term in &rule.targets {
                if !(derived && term.bytes().all(|b| b.is_ascii_lowercase())) {
                    eager.push(term);
                }
            }
        }
        // Terms repeat across rules: each distinct term is analysed once.
        let analysed = TermWords::new(&eager, analyzer);
        for (rule_idx, rule) in synonyms.rules.iter().enumerate() {
            let derived = rule.weight < 1.0;
            for (source_idx, term) in rule.sources.iter().enumerate() {
                if derived
                    && let Some(bucket) = bucket_of(term).and_then(|b| compiled.buckets.get_mut(b))
                {
                    let idx = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
                    bucket.terms.push((idx(rule_idx), idx(source_idx)));
                    continue;
                }
                add_phrase(&mut compiled.sources, analysed.keys(term), rule_idx);
            }
            for term in &rule.targets {
                // A one-word target of a derived rule is matched through
                // its own index term (see `single_targets`); hand-written
                // rules get a concept term.
                if derived && term.bytes().all(|b| b.is_ascii_lowercase()) {
                    continue;
                }
                match analysed.words(term).len() {
                    1 if derived => {}
                    0 => {}
                    _ => add_phrase(&mut compiled.targets, analysed.keys(term), rule_idx),
                }
            }
        }
        // Words of the fully trusted (hand-written) rules join the typo
        // vocabulary; derived rules are too many and too loose for that.
        // Deduplicated as references (words repeat across terms; a norm
        // has one key), then sorted and copied once.
        let mut distinct: AHashSet<&str> = AHashSet::new();
        let mut words: Vec<(&str, &str)> = synonyms
            .rules
            .iter()
            .filter(|rule| rule.weight >= 1.0)
            .flat_map(|rule| rule.sources.iter().chain(&rule.targets))
            .flat_map(|term| analysed.words(term))
            .map(|word| analysed.word(word))
            .filter(|(norm, _)| distinct.insert(norm))
            .collect();
        // Norms are distinct, so the unstable sort by norm is the sort of
        // the pairs.
        words.sort_unstable_by(|a, b| a.0.cmp(b.0));
        compiled.words =
            words.into_iter().map(|(norm, key)| (norm.to_owned(), key.to_owned())).collect();
        compiled
    }

    /// The eagerly compiled parts, for saving.
    pub(crate) fn parts(&self) -> CompiledParts {
        CompiledParts {
            sources: sorted_entries(&self.sources),
            bucket_terms: self.buckets.iter().map(|b| b.terms.clone()).collect(),
            targets: sorted_entries(&self.targets),
            words: self.words.clone(),
        }
    }

    /// The compiled rules from saved parts (for `n_rules` rules analysed by
    /// `analyzer`), without analysing anything: the lazy parts start empty.
    pub(crate) fn from_parts(
        parts: CompiledParts,
        n_rules: usize,
        analyzer: &Analyzer,
    ) -> Compiled {
        let mut buckets: Vec<Bucket> = parts
            .bucket_terms
            .into_iter()
            .map(|terms| Bucket { terms, phrases: OnceLock::new() })
            .collect();
        buckets.resize_with(26, Bucket::default);
        Compiled {
            sources: parts.sources.into_iter().collect(),
            buckets,
            targets: parts.targets.into_iter().collect(),
            single_targets: (0..n_rules).map(|_| OnceLock::new()).collect(),
            words: parts.words,
            analyzer: analyzer.clone(),
        }
    }

    /// The query-side phrases of derived rules starting like `key`.
    fn bucket(&self, key: &str, rules: &[Rule]) -> Option<&PhraseMap> {
        let bucket = self.buckets.get(bucket_of(key)?)?;
        if bucket.terms.is_empty() {
            return None;
        }
        Some(bucket.phrases.get_or_init(|| {
            let mut map = PhraseMap::default();
            for &(rule_idx, source_idx) in &bucket.terms {
                let term = rules
                    .get(rule_idx as usize)
                    .and_then(|rule| rule.sources.get(source_idx as usize));
                if let Some(term) = term {
                    let keys =
                        analyse(term, &self.analyzer).into_iter().map(|(_, key)| key).collect();
                    add_phrase(&mut map, keys, rule_idx as usize);
                }
            }
            map
        }))
    }

    /// The keys of the one-word targets of rule `rule_idx` (a derived rule).
    pub(crate) fn single_targets(&self, rule_idx: usize, rules: &[Rule]) -> &[String] {
        let (Some(cell), Some(rule)) = (self.single_targets.get(rule_idx), rules.get(rule_idx))
        else {
            return &[];
        };
        cell.get_or_init(|| {
            let mut single: Vec<String> = Vec::new();
            if rule.weight >= 1.0 {
                return single;
            }
            for term in &rule.targets {
                if let [(_, key)] = analyse(term, &self.analyzer).as_slice()
                    && !single.contains(key)
                {
                    single.push(key.clone());
                }
            }
            single
        })
    }

    /// Every query (`sources`) phrase occurrence in `keys`, ordered by
    /// start, then rule (paragraph phrases: [`Compiled::find_targets`]).
    pub(crate) fn find_sources(&self, keys: &[&str], rules: &[Rule]) -> Vec<PhraseMatch> {
        let mut found = Vec::new();
        for start in 0..keys.len() {
            let Some(first) = keys.get(start) else { break };
            let (eager, lazy) =
                (self.sources.get(*first), self.bucket(first, rules).and_then(|m| m.get(*first)));
            let phrases = eager.into_iter().chain(lazy).flatten();
            push_matches(|i| keys.get(i).copied(), start, phrases, &mut found);
        }
        sort_matches(&mut found);
        found
    }

    /// Whether `key` starts a paragraph (`targets`) phrase.
    pub(crate) fn starts_target(&self, key: &str) -> bool {
        self.targets.contains_key(key)
    }

    /// The paragraph (`targets`) phrases in the keys `key(0)`, `key(1)`,
    /// ... (`None` past the end), ordered by start, then rule, looking only
    /// at the positions `starts` (ascending): they must hold every position
    /// whose key starts a paragraph phrase ([`Compiled::starts_target`]).
    pub(crate) fn find_targets<'k>(
        &self,
        key: impl Fn(usize) -> Option<&'k str>,
        starts: &[usize],
    ) -> Vec<PhraseMatch> {
        let mut found = Vec::new();
        for &start in starts {
            let Some(first) = key(start) else { break };
            push_matches(&key, start, self.targets.get(first).into_iter().flatten(), &mut found);
        }
        sort_matches(&mut found);
        found
    }

    /// Whether a normalized word occurs in a hand-written rule, or an
    /// analysed word key starts a query-side phrase of any rule.
    pub(crate) fn has_word(&self, norm: &str, key: &str, rules: &[Rule]) -> bool {
        self.sources.contains_key(key)
            || self.bucket(key, rules).is_some_and(|m| m.contains_key(key))
            || self.words.binary_search_by(|(n, _)| n.as_str().cmp(norm)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_groups_rules_and_comments() {
        let s = Synonyms::parse(
            "# c\n\nSCO | Shanghai Cooperation Organisation\n  # x\nbombs => explosives | ieds\n",
        )
        .unwrap();
        assert_eq!(s.rules().len(), 2);
        assert_eq!(s.rules()[0].sources, ["sco", "shanghai cooperation organisation"]);
        assert_eq!(s.rules()[1].targets, ["explosives", "ieds"]);
    }

    #[test]
    fn reports_the_line_of_a_bad_rule() {
        let err = Synonyms::parse("a | b\nlonely\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "synonyms line 2: a group needs at least two terms separated by ` | `"
        );
        assert!(Synonyms::parse("a | | b").is_err());
        assert!(Synonyms::parse("a | b => c").is_err());
    }

    #[test]
    fn binary_form_round_trips_and_refuses_a_bad_shape() {
        let mut s =
            Synonyms::parse("SCO | Shanghai Cooperation Organisation\nbombs => ieds").unwrap();
        s.extend(Synonyms::parse("élan => verve | dash").unwrap().with_weight(0.6));
        let bytes = postcard::to_allocvec(&s).unwrap();
        assert_eq!(postcard::from_bytes::<Synonyms>(&bytes).unwrap(), s);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.starts_with("{\"rules\":[{\"sources\":[\"sco\""), "{json}");
        assert_eq!(serde_json::from_str::<Synonyms>(&json).unwrap(), s);
        assert!(
            postcard::from_bytes::<Synonyms>(&postcard::to_allocvec(&Synonyms::default()).unwrap())
                .unwrap()
                .is_empty()
        );
        // Shapes that ask for more text than there is, or leave text over.
        for shape in [&[0, 0, 128, 63, 1, 1, 3, 9][..], &[0, 0, 128, 63, 1, 1, 1, 1], &[0, 0, 128]]
        {
            let packed = PackedRules { text: "abc".into(), shape: shape.into() };
            let bytes = postcard::to_allocvec(&packed).unwrap();
            let error = postcard::from_bytes::<Synonyms>(&bytes).unwrap_err();
            assert_eq!(error, postcard::Error::SerdeDeCustom);
        }
    }

    /// The paragraph phrases of `keys`, looked for at every position.
    fn targets(c: &Compiled, keys: &[&str]) -> Vec<PhraseMatch> {
        let all: Vec<usize> = (0..keys.len()).collect();
        c.find_targets(|i| keys.get(i).copied(), &all)
    }

    #[test]
    fn finds_multiword_phrases_by_stem() {
        let analyzer = Analyzer::english();
        let s = Synonyms::parse("rats | regional anti-terrorist structure\nbombs => explosives")
            .unwrap();
        let c = Compiled::new(&s, &analyzer);
        let words = analyzer.words("The Regional Anti-Terrorist Structures and explosives");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(
            targets(&c, &keys),
            [
                PhraseMatch { start: 1, len: 4, rule_idx: 0 },
                PhraseMatch { start: 6, len: 1, rule_idx: 1 }
            ]
        );
        // `bombs` is a query-side source only.
        let words = analyzer.words("bombs");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert!(targets(&c, &keys).is_empty());
        assert_eq!(c.find_sources(&keys, s.rules()).len(), 1);
        assert!(c.has_word("anti", "anti", s.rules()) && c.has_word("bombs", "bomb", s.rules()));
        assert!(!c.has_word("the", "the", s.rules()));
        // Derived rules match one-word targets through their own terms.
        let sd = s.with_weight(0.5);
        let derived = Compiled::new(&sd, &analyzer);
        let words = analyzer.words("The Regional Anti-Terrorist Structures and explosives");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(targets(&derived, &keys), [PhraseMatch { start: 1, len: 4, rule_idx: 0 }]);
        assert_eq!(derived.single_targets(0, sd.rules()), ["rat"]);
        assert_eq!(derived.single_targets(1, sd.rules()), ["explos"]);
        assert!(!derived.has_word("anti", "anti", sd.rules()));
    }

    #[test]
    fn paragraph_phrases_found_from_their_starts_only_are_all_found() {
        let analyzer = Analyzer::english();
        let s = Synonyms::parse(
            "rats | regional anti-terrorist structure\nanti-terrorist | counter-terrorist\nrats | structure",
        )
        .unwrap();
        let c = Compiled::new(&s, &analyzer);
        let words = analyzer.words("The RATS: the Regional Anti-Terrorist Structure, rats");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        let starts: Vec<usize> = (0..keys.len()).filter(|&i| c.starts_target(keys[i])).collect();
        assert_eq!(starts, [1, 3, 4, 6, 7]);
        let all = targets(&c, &keys);
        assert_eq!(all.len(), 7, "{all:?}");
        assert_eq!(c.find_targets(|i| keys.get(i).copied(), &starts), all);
    }

    #[test]
    fn compiled_rules_are_shared_until_the_rules_or_the_analyzer_change() {
        let analyzer = Analyzer::english();
        let s = Synonyms::parse("drugs | narcotics\nseized | confiscated").unwrap();
        let first = s.compiled(&analyzer);
        assert!(Arc::ptr_eq(&first, &s.compiled(&analyzer)));
        assert!(Arc::ptr_eq(&first, &s.clone().compiled(&Analyzer::english())));
        // Changed rules (a changed clone): compiled again, the original's kept.
        let mut changed = s.clone();
        changed.add_group(&["bombs", "explosives"]);
        let recompiled = changed.compiled(&analyzer);
        assert!(recompiled.starts_target("bomb") && !first.starts_target("bomb"));
        assert!(Arc::ptr_eq(&first, &s.compiled(&analyzer)));
        // Another analyzer: compiled again, with other keys.
        let plain = Analyzer::builder().stemmer(None).build().unwrap();
        let unstemmed = s.compiled(&plain);
        assert!(!Arc::ptr_eq(&first, &unstemmed));
        assert!(unstemmed.starts_target("seized") && !unstemmed.starts_target("seiz"));
        assert!(first.starts_target("seiz"));
    }

    #[test]
    fn derived_rules_compile_lazily_and_match_like_hand_rules() {
        let analyzer = Analyzer::english();
        // Stemmer exceptions and y/i changes keep the first letter, so a
        // derived rule's term is found in its letter's bucket.
        for word in ["dying", "lying", "skies", "yelling", "idly", "ugly", "news", "abide"] {
            assert_eq!(analyzer.key(word).bytes().next(), word.bytes().next(), "{word}");
        }
        let text = "dying => die\nabide by => respect\n'tis => it is\nskies | heavens\n";
        let (sh, sd) =
            (Synonyms::parse(text).unwrap(), Synonyms::parse(text).unwrap().with_weight(0.5));
        let (hand, derived) = (Compiled::new(&sh, &analyzer), Compiled::new(&sd, &analyzer));
        assert!(derived.buckets.iter().all(|b| b.phrases.get().is_none()));
        let words = analyzer.words("Dying skies; we abided by it, 'tis true");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        let found = derived.find_sources(&keys, sd.rules());
        assert_eq!(found, hand.find_sources(&keys, sh.rules()));
        assert_eq!(found.iter().map(|m| m.rule_idx).collect::<Vec<_>>(), [0, 3, 1, 2]);
        assert_eq!(derived.single_targets(0, sd.rules()), ["die"]);
        assert!(
            derived.single_targets(2, sd.rules()).is_empty()
                && hand.single_targets(0, sh.rules()).is_empty()
        );
        assert!(
            derived.has_word("dying", "die", sd.rules())
                && !derived.has_word("dye", "dye", sd.rules())
        );
    }
}
