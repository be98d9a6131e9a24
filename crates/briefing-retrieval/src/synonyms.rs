//! Synonym, abbreviation and spelling-variant rules, parsed from a text file.

use crate::{Error, Result};
use ahash::AHashMap;
use briefing_tokenize::Analyzer;
use serde::{Deserialize, Serialize};

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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Synonyms {
    rules: Vec<Rule>,
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
            let split = |s: &str| -> Vec<String> {
                s.split('|').map(|t| t.trim().to_lowercase()).collect()
            };
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
        Ok(Synonyms { rules })
    }

    /// The rules, in file order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Adds an equivalence group.
    pub fn add_group(&mut self, terms: &[&str]) {
        let terms: Vec<String> = terms.iter().map(|t| t.trim().to_lowercase()).collect();
        self.rules.push(Rule { sources: terms.clone(), targets: terms, weight: 1.0 });
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
        for rule in &mut self.rules {
            rule.weight = weight;
        }
        self
    }

    /// Appends the rules of `other`.
    pub fn extend(&mut self, other: Synonyms) {
        self.rules.extend(other.rules);
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// One analysed term of a rule: its word keys.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// Rules compiled for matching over analysed word keys (rebuilt on load,
/// never saved).
#[derive(Clone, Debug, Default)]
pub(crate) struct Compiled {
    /// Phrases a query may contain, by first key.
    sources: AHashMap<String, Vec<Phrase>>,
    /// Phrases of several words a paragraph may contain, by first key
    /// (they are indexed as a synonym concept term).
    targets: AHashMap<String, Vec<Phrase>>,
    /// Per rule, the keys of its one-word targets.
    single_targets: Vec<Vec<String>>,
    /// Every normalized word of every term, with its key (typo vocabulary).
    pub(crate) words: Vec<(String, String)>,
}

impl Compiled {
    pub(crate) fn new(synonyms: &Synonyms, analyzer: &Analyzer) -> Compiled {
        let mut compiled = Compiled {
            single_targets: vec![Vec::new(); synonyms.rules.len()],
            ..Compiled::default()
        };
        // Terms repeat across rules (one transcript word is the target of
        // many derived rules): analyse each distinct term once.
        let mut analysed: AHashMap<&str, Vec<(String, String)>> = AHashMap::new();
        for rule in &synonyms.rules {
            for term in rule.sources.iter().chain(&rule.targets) {
                analysed.entry(term.as_str()).or_insert_with(|| {
                    if term.bytes().all(|b| b.is_ascii_lowercase()) {
                        // One plain word: skip the splitting.
                        vec![(term.clone(), analyzer.key(term))]
                    } else {
                        analyzer.words(term).into_iter().map(|w| (w.norm, w.key)).collect()
                    }
                });
            }
        }
        for (rule_idx, rule) in synonyms.rules.iter().enumerate() {
            for term in &rule.sources {
                let Some(words) = analysed.get(term.as_str()) else { continue };
                let keys: Vec<String> = words.iter().map(|(_, k)| k.clone()).collect();
                let Some(first) = keys.first().cloned() else { continue };
                compiled.sources.entry(first).or_default().push(Phrase { keys, rule_idx });
            }
            for term in &rule.targets {
                let Some(words) = analysed.get(term.as_str()) else { continue };
                match words.as_slice() {
                    // A one-word target of a derived rule is matched through
                    // its own index term (cheap to build for thousands of
                    // rules); hand-written rules get a concept term.
                    [(_, key)] if rule.weight < 1.0 => {
                        if let Some(single) = compiled.single_targets.get_mut(rule_idx)
                            && !single.contains(key)
                        {
                            single.push(key.clone());
                        }
                    }
                    [] => {}
                    _ => {
                        let keys: Vec<String> = words.iter().map(|(_, k)| k.clone()).collect();
                        if let Some(first) = keys.first().cloned() {
                            compiled
                                .targets
                                .entry(first)
                                .or_default()
                                .push(Phrase { keys, rule_idx });
                        }
                    }
                }
            }
        }
        // Words of the fully trusted (hand-written) rules join the typo
        // vocabulary; derived rules are too many and too loose for that.
        let mut words: Vec<(String, String)> = synonyms
            .rules
            .iter()
            .filter(|rule| rule.weight >= 1.0)
            .flat_map(|rule| rule.sources.iter().chain(&rule.targets))
            .filter_map(|term| analysed.get(term.as_str()))
            .flatten()
            .cloned()
            .collect();
        words.sort_unstable();
        words.dedup();
        compiled.words = words;
        compiled
    }

    /// The keys of the one-word targets of rule `rule_idx`.
    pub(crate) fn single_targets(&self, rule_idx: usize) -> &[String] {
        self.single_targets.get(rule_idx).map_or(&[], Vec::as_slice)
    }

    /// Every phrase occurrence in `keys`: as query (`sources`) or as
    /// paragraph (`targets`) phrases. Ordered by start, then rule.
    pub(crate) fn find(&self, keys: &[&str], query_side: bool) -> Vec<PhraseMatch> {
        let map = if query_side { &self.sources } else { &self.targets };
        let mut found = Vec::new();
        if map.is_empty() {
            return found;
        }
        for start in 0..keys.len() {
            let Some(first) = keys.get(start) else { break };
            let Some(phrases) = map.get(*first) else { continue };
            for phrase in phrases {
                let len = phrase.keys.len();
                let matches = keys
                    .get(start..start + len)
                    .is_some_and(|window| window.iter().zip(&phrase.keys).all(|(a, b)| *a == b));
                if matches {
                    found.push(PhraseMatch { start, len, rule_idx: phrase.rule_idx });
                }
            }
        }
        found.sort_by_key(|m| (m.start, m.rule_idx, m.len));
        found.dedup_by_key(|m| (m.start, m.rule_idx));
        found
    }

    /// Whether a normalized word occurs in a hand-written rule, or an
    /// analysed word key starts a query-side phrase of any rule.
    pub(crate) fn has_word(&self, norm: &str, key: &str) -> bool {
        self.sources.contains_key(key)
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
    fn finds_multiword_phrases_by_stem() {
        let analyzer = Analyzer::english();
        let s = Synonyms::parse("rats | regional anti-terrorist structure\nbombs => explosives")
            .unwrap();
        let c = Compiled::new(&s, &analyzer);
        let words = analyzer.words("The Regional Anti-Terrorist Structures and explosives");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(
            c.find(&keys, false),
            [
                PhraseMatch { start: 1, len: 4, rule_idx: 0 },
                PhraseMatch { start: 6, len: 1, rule_idx: 1 }
            ]
        );
        // `bombs` is a query-side source only.
        let words = analyzer.words("bombs");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert!(c.find(&keys, false).is_empty());
        assert_eq!(c.find(&keys, true).len(), 1);
        assert!(c.has_word("anti", "anti") && c.has_word("bombs", "bomb"));
        assert!(!c.has_word("the", "the"));
        // Derived rules match one-word targets through their own terms.
        let derived = Compiled::new(&s.with_weight(0.5), &analyzer);
        let words = analyzer.words("The Regional Anti-Terrorist Structures and explosives");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(derived.find(&keys, false), [PhraseMatch { start: 1, len: 4, rule_idx: 0 }]);
        assert_eq!(derived.single_targets(0), ["rat"]);
        assert_eq!(derived.single_targets(1), ["explos"]);
        assert!(!derived.has_word("anti", "anti"));
    }
}
