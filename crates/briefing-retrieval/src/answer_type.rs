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

const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "dozen",
    "dozens",
    "half",
    "percent",
];
const SCALE_WORDS: &[&str] = &["hundred", "thousand", "million", "billion"];
const DATE_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
    "yesterday",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "annually",
    "century",
    "decade",
];
const PLACE_PREPOSITIONS: &[&str] = &["in", "at", "from", "to", "near", "across", "throughout"];

/// Evidence flags of each word of one sentence, given the normalized words,
/// their surface forms (`surface[i]` is the original text of word `i`) and
/// which norms are proper names (never written in lowercase).
pub(crate) fn sentence_evidence(
    norms: &[&str],
    surface: &[&str],
    proper: &dyn Fn(&str) -> bool,
) -> Vec<Evidence> {
    let mut out = vec![Evidence::default(); norms.len()];
    for (idx, norm) in norms.iter().enumerate() {
        let mut flags = 0u8;
        let next = norms.get(idx + 1).copied().unwrap_or("");
        if is_year(norm) {
            flags |= Evidence::DATE;
        } else if is_number(norm)
            || NUMBER_WORDS.contains(norm)
            || (*norm == "one" && SCALE_WORDS.contains(&next))
        {
            flags |= Evidence::NUMBER;
        }
        if DATE_WORDS.contains(norm) && !(*norm == "may" && idx > 0) {
            flags |= Evidence::DATE;
        }
        let capitalized =
            surface.get(idx).and_then(|s| s.chars().next()).is_some_and(char::is_uppercase);
        if capitalized && proper(norm) && !DATE_WORDS.contains(norm) {
            flags |= Evidence::NAME;
            let preceded = (1..=3).any(|back| {
                idx.checked_sub(back)
                    .and_then(|p| norms.get(p))
                    .is_some_and(|w| PLACE_PREPOSITIONS.contains(w))
            });
            if preceded {
                flags |= Evidence::PLACE;
            }
        }
        if let Some(e) = out.get_mut(idx) {
            *e = Evidence(flags);
        }
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

/// Lowercase words that may stand between the capitalized words of an
/// expansion without giving a letter (`Commission for Asia and the Pacific`).
const EXPANSION_GLUE: &[&str] = &["of", "and", "for", "the", "on", "in", "to"];

/// When word `idx` is an abbreviation (two or more capital letters) right
/// after or before the words it abbreviates, their indices and its own;
/// else nothing. The capitalized words' initials (each part of a
/// hyphenated word counts) must spell the abbreviation.
fn expansion_of(surface: &[&str], idx: usize) -> Vec<usize> {
    let Some(abbreviation) = surface.get(idx) else { return Vec::new() };
    let letters: Vec<char> = abbreviation.chars().collect();
    if letters.len() < 2 || !letters.iter().all(char::is_ascii_uppercase) {
        return Vec::new();
    }
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
    // A year (1990) or a range of years (2013-2017, 2019/2020).
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

    #[test]
    fn marks_abbreviations_beside_their_expansions() {
        let flagged = |text: &str| -> Vec<String> {
            let surface: Vec<&str> = text.split(' ').collect();
            let lower = text.to_lowercase();
            let norms: Vec<&str> = lower.split(' ').collect();
            let ev = sentence_evidence(&norms, &surface, &|_: &str| false);
            surface
                .iter()
                .zip(&ev)
                .filter(|(_, e)| e.has(Evidence::EXPANSION))
                .map(|(s, _)| (*s).to_owned())
                .collect()
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
        let surface: Vec<&str> = text.split(' ').collect();
        let lower = text.to_lowercase();
        let norms: Vec<&str> = lower.split(' ').collect();
        let ev = sentence_evidence(&norms, &surface, &|n: &str| {
            !matches!(n, "in" | "over" | "and" | "were" | "by")
        });
        let flagged = |flag: u8| -> Vec<&str> {
            surface.iter().zip(&ev).filter(|(_, e)| e.has(flag)).map(|(s, _)| *s).collect()
        };
        assert_eq!(flagged(Evidence::DATE), ["2013-2017"]);
        assert_eq!(flagged(Evidence::NUMBER), ["600", "one", "million"]);
        assert_eq!(flagged(Evidence::NAME), ["Bishkek", "Vladimir", "Norov"]);
        assert_eq!(flagged(Evidence::PLACE), ["Bishkek", "Vladimir"]);
    }
}
