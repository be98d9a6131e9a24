//! Answer types: what kind of answer a question asks for, and which words of
//! a text can serve as one.

use serde::{Deserialize, Serialize};

/// The kind of answer a question asks for.
///
/// ```
/// use briefing_retrieval::AnswerType;
/// assert_eq!(AnswerType::detect(&["how", "many", "camps"]).map(|d| d.kind), Some(AnswerType::Quantity));
/// assert_eq!(AnswerType::detect(&["what", "year", "was", "it"]).map(|d| d.kind), Some(AnswerType::Date));
/// assert_eq!(AnswerType::detect(&["who's", "the", "boss"]).map(|d| d.kind), Some(AnswerType::Person));
/// assert_eq!(AnswerType::detect(&["what", "does", "rats", "stand", "for"]).map(|d| d.kind), Some(AnswerType::Abbreviation));
/// assert_eq!(AnswerType::detect(&["why", "not"]), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnswerType {
    /// How many, how much, what number or share: a number.
    Quantity,
    /// When, what year: a year, date or month.
    Date,
    /// Who: a name of a person or a body.
    Person,
    /// Where, which city or country: a place name.
    Place,
    /// What an abbreviation stands for: its expansion, written beside it
    /// (`Regional Anti-Terrorist Structure (RATS)`).
    Abbreviation,
}

/// An answer type found in a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    /// The type.
    pub kind: AnswerType,
    /// Indices of the question words that only express the type (`how`,
    /// `many`, `year`, ...); they are not content.
    pub cue: Vec<usize>,
    /// For quantities, the indices of the words naming what is counted
    /// (`how many [terrorist camps] were ...`).
    pub head: Vec<usize>,
}

const CUE_NOUNS_DATE: &[&str] = &["year", "years", "date", "dates", "time", "month", "day"];
const CUE_NOUNS_PLACE: &[&str] = &[
    "city",
    "cities",
    "country",
    "countries",
    "place",
    "places",
    "town",
    "region",
    "location",
    "venue",
];
const CUE_NOUNS_QUANTITY: &[&str] = &[
    "number",
    "amount",
    "percentage",
    "percent",
    "share",
    "quantity",
    "total",
    "figure",
    "figures",
    "volume",
];
/// Place nouns that ask for a territory (`which country`), which the
/// name of a body (`the SCO Secretariat`) does not answer.
const TERRITORY_NOUNS: &[&str] =
    &["city", "cities", "country", "countries", "town", "region", "state", "states"];

/// Nouns of posts held by people: `who is the director` asks for a person.
/// (`chair` is not here: states chair bodies that rotate their chair.)
const POST_NOUNS: &[&str] = &[
    "director",
    "head",
    "chief",
    "leader",
    "boss",
    "president",
    "secretary-general",
    "secretary",
    "minister",
    "spokesman",
    "spokesperson",
    "ambassador",
];

/// Words that open a question.
const WH_WORDS: &[&str] = &[
    "how", "what", "which", "when", "who", "whom", "whose", "where", "why", "what's", "who's",
    "where's", "when's", "how's", "why's", "who're", "where're",
];

/// `number of`, `amount of`, `quantity of`.
fn is_count_phrase(word: &str, next: &str) -> bool {
    matches!(word, "number" | "amount" | "quantity") && next == "of"
}

/// Words that end the counted noun phrase after `how many`.
const HEAD_STOP: &[&str] = &[
    "were", "was", "did", "does", "do", "are", "is", "have", "has", "had", "will", "would", "can",
    "could", "been", "be", "got", "get", "in", "during", "by", "of", "for", "from", "at", "over",
    "since", "the", "a", "an", "there", "they", "it", "and", "or", "to", "under", "within",
    "between", "per", "each",
];

impl AnswerType {
    /// Detects the answer type of a question from its normalized words
    /// (lowercase).
    #[must_use]
    pub fn detect<S: AsRef<str>>(words: &[S]) -> Option<Detected> {
        let word = |idx: usize| words.get(idx).map_or("", AsRef::as_ref);
        if let Some(found) = detect_abbreviation(&word, words.len()) {
            return Some(found);
        }
        // Only the first question word decides: a later `when` or `where`
        // usually opens a subordinate clause ("... when you add it up").
        let first_wh = (0..words.len())
            .find(|&i| WH_WORDS.contains(&word(i)) || is_count_phrase(word(i), word(i + 1)));
        if let Some(idx) = first_wh {
            let w = word(idx);
            let next = word(idx + 1);
            let found = match w {
                "how" => match next {
                    "many" | "much" => Some((AnswerType::Quantity, 2)),
                    "long" | "big" | "large" | "far" | "often" => Some((AnswerType::Quantity, 2)),
                    _ => None,
                },
                "when" | "when's" => Some((AnswerType::Date, 1)),
                "since" if next == "when" => Some((AnswerType::Date, 2)),
                "who" | "who's" | "whom" | "whose" | "who're" => Some((AnswerType::Person, 1)),
                "where" | "where's" | "where're" => Some((AnswerType::Place, 1)),
                "what" | "which" | "what's" => {
                    // "what year", "what is the date", "what's the number of".
                    let mut n = 1;
                    while n < 4
                        && matches!(word(idx + n), "is" | "was" | "are" | "were" | "the" | "s")
                    {
                        n += 1;
                    }
                    let noun = word(idx + n);
                    let n_cue = n + 1 + usize::from(word(idx + n + 1) == "of");
                    if CUE_NOUNS_DATE.contains(&noun) {
                        Some((AnswerType::Date, n_cue))
                    } else if CUE_NOUNS_PLACE.contains(&noun) {
                        Some((AnswerType::Place, n_cue))
                    } else if CUE_NOUNS_QUANTITY.contains(&noun) {
                        Some((AnswerType::Quantity, n_cue))
                    } else {
                        None
                    }
                }
                _ if is_count_phrase(w, next) => Some((AnswerType::Quantity, 2)),
                _ => None,
            };
            if let Some((kind, n_cue)) = found {
                let cue: Vec<usize> = (idx..idx + n_cue).collect();
                let mut head = Vec::new();
                if kind == AnswerType::Quantity {
                    let mut h = idx + n_cue;
                    while h < words.len() && head.len() < 3 {
                        let hw = word(h);
                        if HEAD_STOP.contains(&hw) || hw.is_empty() {
                            break;
                        }
                        head.push(h);
                        h += 1;
                    }
                }
                return Some(Detected { kind, cue, head });
            }
        }
        None
    }

    /// The lowercase name: `quantity`, `date`, `person` or `place`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            AnswerType::Quantity => "quantity",
            AnswerType::Date => "date",
            AnswerType::Person => "person",
            AnswerType::Place => "place",
            AnswerType::Abbreviation => "abbreviation",
        }
    }
}

/// Words naming an abbreviation in a question.
const ABBREVIATION_NOUNS: &[&str] = &["abbreviation", "acronym", "abbreviated"];

/// `what does X stand for`, `X is short for`, `the acronym X`: the cue words are the phrase and the question words before
/// it.
fn detect_abbreviation<'a>(word: &dyn Fn(usize) -> &'a str, n: usize) -> Option<Detected> {
    let mut cue = Vec::new();
    for idx in 0..n {
        let w = word(idx);
        let next = word(idx + 1);
        let phrase = if matches!(w, "stand" | "stands" | "short") && next == "for" {
            2
        } else if ABBREVIATION_NOUNS.contains(&w) {
            1 + usize::from(next == "of")
        } else {
            0
        };
        cue.extend(idx..idx + phrase);
    }
    if cue.is_empty() {
        return None;
    }
    // The question words in front ("what does", "what is the") only
    // express the type too.
    for idx in 0..n {
        if matches!(word(idx), "what" | "what's" | "whats" | "does" | "do" | "is" | "the" | "s") {
            cue.push(idx);
        } else {
            break;
        }
    }
    cue.sort_unstable();
    cue.dedup();
    Some(Detected { kind: AnswerType::Abbreviation, cue, head: Vec::new() })
}

impl Detected {
    /// Whether a place question asks for a territory (`which country`,
    /// `what city`) rather than any place (`where`), given the question's
    /// words as passed to [`AnswerType::detect`]. A territory is not
    /// answered by the name of a body, such as `the SCO Secretariat`.
    ///
    /// ```
    /// use briefing_retrieval::AnswerType;
    /// let words = ["which", "country", "is", "he", "from"];
    /// assert!(AnswerType::detect(&words).unwrap().asks_territory(&words));
    /// let words = ["where", "was", "it", "held"];
    /// assert!(!AnswerType::detect(&words).unwrap().asks_territory(&words));
    /// ```
    #[must_use]
    pub fn asks_territory<S: AsRef<str>>(&self, words: &[S]) -> bool {
        self.kind == AnswerType::Place
            && self
                .cue
                .iter()
                .any(|&i| words.get(i).is_some_and(|w| TERRITORY_NOUNS.contains(&w.as_ref())))
    }

    /// Whether a `who` question asks for the holder of a post (`who is the
    /// director`, `who's the boss`) rather than any actor (`who fights
    /// terrorism`, which a body or a state answers), given the question's
    /// words as passed to [`AnswerType::detect`]. Its answer is a person's
    /// name: a name of two or more words that names no body or place.
    ///
    /// ```
    /// use briefing_retrieval::AnswerType;
    /// let words = ["who", "is", "the", "director", "of", "rats"];
    /// assert!(AnswerType::detect(&words).unwrap().asks_post_holder(&words));
    /// let words = ["who", "fights", "terrorism"];
    /// assert!(!AnswerType::detect(&words).unwrap().asks_post_holder(&words));
    /// ```
    #[must_use]
    pub fn asks_post_holder<S: AsRef<str>>(&self, words: &[S]) -> bool {
        let word = |i: usize| words.get(i).map_or("", AsRef::as_ref);
        let Some(&wh) = self.cue.first() else { return false };
        // The first word after `who` and its verb: `who is the [director]`.
        let noun = (wh + 1..words.len())
            .take(4)
            .map(word)
            .find(|w| !matches!(*w, "is" | "was" | "are" | "were" | "s" | "the" | "current"));
        self.kind == AnswerType::Person && noun.is_some_and(|w| POST_NOUNS.contains(&w))
    }
}

/// What a word of a text can serve as: bit flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Evidence(pub(crate) u8);

impl Evidence {
    pub(crate) const NUMBER: u8 = 1;
    pub(crate) const DATE: u8 = 2;
    pub(crate) const NAME: u8 = 4;
    pub(crate) const PLACE: u8 = 8;
    /// An abbreviation or a word of its expansion, written side by side.
    pub(crate) const EXPANSION: u8 = 16;
    /// A word of the name of a body or an event (`the SCO Secretariat`).
    pub(crate) const BODY: u8 = 32;
    /// A word of a name of two or more words that names no body or place
    /// (`Vladimir Norov`): a person's name.
    pub(crate) const FULL_NAME: u8 = 64;

    pub(crate) fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    pub(crate) fn serves(self, kind: AnswerType) -> bool {
        match kind {
            AnswerType::Quantity => self.has(Evidence::NUMBER),
            AnswerType::Date => self.has(Evidence::DATE),
            AnswerType::Person => self.has(Evidence::NAME),
            AnswerType::Place => self.has(Evidence::PLACE),
            AnswerType::Abbreviation => self.has(Evidence::EXPANSION),
        }
    }
}

const SCALE_WORDS: &[&str] = &["hundred", "thousand", "million", "billion"];
/// Whether `norm` is a number word (`two`, `hundreds`, `half`, `percent`; a
/// `match`: this runs for every word of a corpus).
fn is_number_word(norm: &str) -> bool {
    matches!(
        norm,
        "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "eleven"
            | "twelve"
            | "fifteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "seventy"
            | "eighty"
            | "ninety"
            | "hundred"
            | "hundreds"
            | "thousand"
            | "thousands"
            | "million"
            | "millions"
            | "billion"
            | "billions"
            | "dozen"
            | "dozens"
            | "half"
            | "percent"
    )
}

/// Whether `norm` is a month, a day or another word of dates (`today`,
/// `century`; see [`is_number_word`]).
fn is_date_word(norm: &str) -> bool {
    matches!(
        norm,
        "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "today"
            | "yesterday"
            | "tomorrow"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "annually"
            | "century"
            | "decade"
    )
}

const PLACE_PREPOSITIONS: &[&str] = &["in", "at", "from", "to", "near", "across", "throughout"];

/// Last words of the names of bodies and events (`SCO Secretariat`, `Peace
/// Mission`): a name ending so is no territory. Names of states (`Russian
/// Federation`, `United Kingdom`) are, so their last words are not here.
const BODY_HEADS: &[&str] = &[
    "organisation",
    "organization",
    "organisations",
    "organizations",
    "structure",
    "secretariat",
    "council",
    "committee",
    "commission",
    "union",
    "association",
    "bank",
    "fund",
    "ministry",
    "agency",
    "forum",
    "alliance",
    "club",
    "group",
    "corporation",
    "company",
    "institute",
    "university",
    "office",
    "bureau",
    "service",
    "parliament",
    "assembly",
    "conference",
    "summit",
    "mission",
    "centre",
    "center",
    "department",
    "court",
    "party",
    "board",
    "foundation",
];

/// Evidence flags of each word of one sentence, given the normalized words,
/// their surface forms (`surface[i]` is the original text of word `i`),
/// which norms are proper names (never written in lowercase) and which are
/// abbreviations of bodies (see [`body_abbreviations`]).
pub(crate) fn sentence_evidence(
    norms: &[&str],
    surface: &[&str],
    proper: &dyn Fn(&str) -> bool,
    body: &dyn Fn(&str) -> bool,
) -> Vec<Evidence> {
    let mut out = vec![Evidence::default(); norms.len()];
    let capitalized = |idx: usize| {
        surface.get(idx).and_then(|s| s.chars().next()).is_some_and(char::is_uppercase)
    };
    let mut names = vec![false; norms.len()];
    for (idx, norm) in norms.iter().enumerate() {
        let mut flags = 0u8;
        let next = norms.get(idx + 1).copied().unwrap_or("");
        if is_year(norm) {
            flags |= Evidence::DATE;
        } else if is_number(norm)
            || is_number_word(norm)
            || (*norm == "one" && SCALE_WORDS.contains(&next))
        {
            flags |= Evidence::NUMBER;
        }
        let date_word = is_date_word(norm);
        if date_word && !(*norm == "may" && idx > 0) {
            flags |= Evidence::DATE;
        }
        if capitalized(idx) && proper(norm) && !date_word {
            flags |= Evidence::NAME;
            if let Some(name) = names.get_mut(idx) {
                *name = true;
            }
        }
        if let Some(e) = out.get_mut(idx) {
            *e = Evidence(flags);
        }
    }
    // A run of names is a place when a place preposition comes shortly
    // before it, with no other name between: `in Bishkek`, `at the SCO
    // Secretariat`, but not `in Bishkek by Vladimir Norov`. Names of bodies
    // (`the SCO Secretariat`, `the SCO`) are marked as such: they answer
    // `where` (a venue) but not `which country`.
    let mut start = 0;
    while start < names.len() {
        if !names.get(start).copied().unwrap_or(false) {
            start += 1;
            continue;
        }
        let end = (start..names.len()).find(|&i| !names.get(i).copied().unwrap_or(false));
        let end = end.unwrap_or(names.len());
        let last = norms.get(end - 1).copied().unwrap_or("");
        let preceded = (1..=3)
            .map_while(|back| start.checked_sub(back).filter(|&p| !capitalized(p)))
            .any(|p| norms.get(p).is_some_and(|w| PLACE_PREPOSITIONS.contains(w)));
        let names_body = BODY_HEADS.contains(&last) || (end - start == 1 && body(last));
        for e in out.get_mut(start..end).into_iter().flatten() {
            if preceded {
                e.0 |= Evidence::PLACE;
            }
            if names_body {
                e.0 |= Evidence::BODY;
            }
            if end - start >= 2 && !names_body && !preceded {
                e.0 |= Evidence::FULL_NAME;
            }
        }
        start = end;
    }
    for idx in 0..surface.len() {
        for expansion in expansion_of(surface, idx) {
            if let Some(e) = out.get_mut(expansion) {
                e.0 |= Evidence::EXPANSION;
            }
        }
    }
    out
}

/// The indices of the abbreviations of one sentence written beside their
/// expansion when that names a body (ends with a word such as
/// `Organisation` or `Structure`): `SCO` in `the Shanghai Cooperation
/// Organisation (SCO)`. An index collects them over its corpus, so that
/// `from the SCO` elsewhere is not taken for a place.
pub(crate) fn body_abbreviations(norms: &[&str], surface: &[&str]) -> Vec<usize> {
    (0..surface.len())
        .filter(|&idx| {
            let expansion = expansion_of(surface, idx);
            let last_word = expansion.iter().copied().filter(|&i| i != idx).max();
            last_word.and_then(|i| norms.get(i)).is_some_and(|w| BODY_HEADS.contains(w))
        })
        .collect()
}

/// Lowercase words that may stand between the capitalized words of an
/// expansion without giving a letter (`Commission for Asia and the Pacific`).
const EXPANSION_GLUE: &[&str] = &["of", "and", "for", "the", "on", "in", "to"];

/// When word `idx` is an abbreviation (two or more capital letters) right
/// after or before the words it abbreviates, their indices and its own;
/// else nothing. The capitalized words' initials (each part of a
/// hyphenated word counts) must spell the abbreviation.
fn expansion_of(surface: &[&str], idx: usize) -> Vec<usize> {
    let Some(abbreviation) = surface.get(idx) else { return Vec::new() };
    // Checked on bytes first: most words are no abbreviation, and this
    // runs for every word of a corpus.
    if abbreviation.len() < 2 || !abbreviation.bytes().all(|b| b.is_ascii_uppercase()) {
        return Vec::new();
    }
    let letters: Vec<char> = abbreviation.chars().collect();
    let initials = |word: &str| -> Option<Vec<char>> {
        let parts: Vec<char> = word
            .split('-')
            .filter_map(|part| part.chars().next())
            .filter(|c| c.is_uppercase())
            .collect();
        (!parts.is_empty() && word.chars().next().is_some_and(char::is_uppercase)).then_some(parts)
    };
    let spell = |order: &mut dyn Iterator<Item = usize>, backwards: bool| -> Vec<usize> {
        let mut spelled: Vec<char> = Vec::new();
        let mut used = Vec::new();
        for i in order {
            let Some(word) = surface.get(i) else { break };
            match initials(word) {
                Some(mut parts) if i != idx => {
                    if backwards {
                        parts.extend(spelled);
                        spelled = parts;
                    } else {
                        spelled.extend(parts);
                    }
                    used.push(i);
                }
                _ if EXPANSION_GLUE.contains(&word.to_lowercase().as_str()) => continue,
                _ => break,
            }
            if spelled.len() >= letters.len() {
                break;
            }
        }
        if spelled == letters {
            used.push(idx);
            used
        } else {
            Vec::new()
        }
    };
    let before = spell(&mut (0..idx).rev(), true);
    if !before.is_empty() {
        return before;
    }
    spell(&mut (idx + 1..surface.len()), false)
}

fn is_number(norm: &str) -> bool {
    norm.chars().next().is_some_and(|c| c.is_ascii_digit())
        && norm.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '%'))
}

fn is_year(norm: &str) -> bool {
    // A year (1990) or a range of years (2013-2017, 2019/2020), so it
    // starts with a digit (checked first: most words do not).
    if !norm.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let parts: Vec<&str> = norm.split(['-', '/', '–']).collect();
    !parts.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|p| {
            p.len() == 4
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|y| (1800..=2199).contains(&y))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn number_and_date_words_are_told_apart() {
        for word in ["two", "fifteen", "ninety", "hundreds", "million", "dozen", "half", "percent"]
        {
            assert!(is_number_word(word) && !is_date_word(word), "{word}");
        }
        for word in ["january", "may", "december", "today", "sunday", "annually", "decade"] {
            assert!(is_date_word(word) && !is_number_word(word), "{word}");
        }
        for word in ["one", "tens", "Two", "mays", "", "dozens of"] {
            assert!(!is_number_word(word) && !is_date_word(word), "{word}");
        }
    }

    fn check(question: &str, kind: Option<AnswerType>, head: &[&str]) {
        let words: Vec<&str> = question.split(' ').collect();
        let got = AnswerType::detect(&words);
        assert_eq!(got.as_ref().map(|d| d.kind), kind, "{question}");
        let got_head: Vec<&str> =
            got.map(|d| d.head.iter().map(|&i| words[i]).collect()).unwrap_or_default();
        assert_eq!(got_head, head, "{question}");
    }

    #[test]
    fn detects_question_types_and_heads() {
        check(
            "how many terrorist camps were destroyed",
            Some(AnswerType::Quantity),
            &["terrorist", "camps"],
        );
        check(
            "how much explosive material was seized",
            Some(AnswerType::Quantity),
            &["explosive", "material"],
        );
        check("number of ieds confiscated", Some(AnswerType::Quantity), &["ieds", "confiscated"]);
        check("when did they join", Some(AnswerType::Date), &[]);
        check("in what year was it founded", Some(AnswerType::Date), &[]);
        check("where is the office", Some(AnswerType::Place), &[]);
        check("which city hosts the summit", Some(AnswerType::Place), &[]);
        check("who leads it", Some(AnswerType::Person), &[]);
        check("what is the plan", None, &[]);
        check("what is the number of camps", Some(AnswerType::Quantity), &["camps"]);
        check("how does it rank when you add it up", None, &[]);
        check("tell me when it started", Some(AnswerType::Date), &[]);
    }

    #[test]
    fn detects_questions_about_abbreviations() {
        let detected = AnswerType::detect(&["what", "does", "rats", "stand", "for"]).unwrap();
        assert_eq!(detected.kind, AnswerType::Abbreviation);
        assert_eq!(detected.cue, [0, 1, 3, 4]);
        let detected = AnswerType::detect(&["the", "acronym", "escap"]).unwrap();
        assert_eq!((detected.kind, detected.cue), (AnswerType::Abbreviation, vec![0, 1]));
        assert_eq!(
            AnswerType::detect(&["who", "is", "rfa", "short", "for"]).map(|d| d.kind),
            Some(AnswerType::Abbreviation)
        );
    }

    /// The words of `text` (split at spaces) whose evidence passes `keep`.
    fn words_where(
        text: &str,
        proper: &dyn Fn(&str) -> bool,
        body: &dyn Fn(&str) -> bool,
        keep: &dyn Fn(Evidence) -> bool,
    ) -> Vec<String> {
        let surface: Vec<&str> = text.split(' ').collect();
        let lower = text.to_lowercase();
        let norms: Vec<&str> = lower.split(' ').collect();
        let evidence = sentence_evidence(&norms, &surface, proper, body);
        surface
            .iter()
            .zip(evidence)
            .filter(|(_, e)| keep(*e))
            .map(|(s, _)| (*s).to_owned())
            .collect()
    }

    /// The indices of the body abbreviations of `text` (split at spaces).
    fn bodies(text: &str) -> Vec<usize> {
        let surface: Vec<&str> = text.split(' ').collect();
        let lower = text.to_lowercase();
        let norms: Vec<&str> = lower.split(' ').collect();
        body_abbreviations(&norms, &surface)
    }

    #[test]
    fn marks_abbreviations_beside_their_expansions() {
        let flagged = |text: &str| -> Vec<String> {
            words_where(text, &|_| false, &|_| false, &|e| e.has(Evidence::EXPANSION))
        };
        assert_eq!(
            flagged("the SCO's Regional Anti-Terrorist Structure RATS works"),
            ["Regional", "Anti-Terrorist", "Structure", "RATS"]
        );
        assert_eq!(
            flagged("ESCAP Economic and Social Commission for Asia and the Pacific"),
            ["ESCAP", "Economic", "Social", "Commission", "Asia", "Pacific"]
        );
        // Letters that do not spell it, or a lone capital, are no expansion.
        assert!(flagged("the Regional Anti-Drug Structure RATS works").is_empty());
        assert!(flagged("RATS met in Tashkent").is_empty());
    }

    #[test]
    fn marks_numbers_years_names_and_places() {
        let text = "In 2013-2017 over 600 camps and one million rounds were seized in Bishkek by Vladimir Norov";
        let proper = |n: &str| !matches!(n, "in" | "over" | "and" | "were" | "by");
        let flagged =
            |flag: u8| -> Vec<String> { words_where(text, &proper, &|_| false, &|e| e.has(flag)) };
        assert_eq!(flagged(Evidence::DATE), ["2013-2017"]);
        assert_eq!(flagged(Evidence::NUMBER), ["600", "one", "million"]);
        assert_eq!(flagged(Evidence::NAME), ["Bishkek", "Vladimir", "Norov"]);
        // A name after another name is not placed by the first one's `in`.
        assert_eq!(flagged(Evidence::PLACE), ["Bishkek"]);
    }

    #[test]
    fn names_of_bodies_are_no_territories() {
        let proper = |n: &str| !matches!(n, "at" | "the" | "in" | "from" | "met" | "came");
        let territories = |text: &str, body: &dyn Fn(&str) -> bool| -> Vec<String> {
            words_where(text, &proper, body, &|e| e.has(Evidence::PLACE) && !e.has(Evidence::BODY))
        };
        let no_body = |_: &str| false;
        assert!(territories("met at the SCO Secretariat", &no_body).is_empty());
        assert!(
            territories("came from the Regional Anti-Terrorist Structure", &no_body).is_empty()
        );
        assert_eq!(territories("met in Tashkent", &no_body), ["Tashkent"]);
        assert_eq!(
            territories("came from the Russian Federation", &no_body),
            ["Russian", "Federation"]
        );
        // An abbreviation the corpus writes out as a body.
        assert_eq!(territories("came from the SCO", &no_body), ["SCO"]);
        assert!(territories("came from the SCO", &|n: &str| n == "sco").is_empty());
        // A venue still answers `where`.
        let venue = words_where("met at SCO Secretariat", &proper, &no_body, &|e| {
            e.serves(AnswerType::Place)
        });
        assert_eq!(venue, ["SCO", "Secretariat"]);
    }

    #[test]
    fn full_names_are_names_of_two_words_or_more_that_name_no_body_or_place() {
        let proper = |n: &str| !matches!(n, "by" | "the" | "in" | "met" | "and");
        let full_names = words_where(
            "met by SCO Secretary-General Vladimir Norov and the SCO Secretariat in Central Asia and Qingdao",
            &proper,
            &|_| false,
            &|e| e.has(Evidence::FULL_NAME),
        );
        assert_eq!(full_names, ["SCO", "Secretary-General", "Vladimir", "Norov"]);
    }

    #[test]
    fn finds_abbreviations_of_bodies() {
        assert_eq!(bodies("the Shanghai Cooperation Organisation SCO met"), [4]);
        assert_eq!(bodies("RATS Regional Anti-Terrorist Structure"), [0]);
        // Written out as a place, or not written out at all.
        assert!(bodies("the United Kingdom UK voted").is_empty());
        assert!(bodies("the SCO met").is_empty());
    }
}
