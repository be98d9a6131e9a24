//! Which bank questions a query touches, found from the query's terms.
//!
//! Ranking compares the query with every bank question of each candidate
//! passage (see `Index::bank_similarity`). Most bank questions share no term
//! with the query, so instead of testing each of their words against the
//! query, the query's terms are looked up in an inverted list of bank words
//! (word terms and the synonym concepts covering them), once per query.

use crate::index::Derived;
use crate::query::Plan;

/// Bank word units per term: for each term, the `(question, unit)` pairs
/// whose unit is the term or is covered by it (a synonym concept). Question
/// ids are global: each passage's questions follow the previous passage's.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BankLookup {
    /// Global id of each passage's first bank question; one more entry than passages.
    question_start: Vec<u32>,
    /// Where each term's pairs start in `pairs`; one more entry than terms.
    term_start: Vec<u32>,
    /// `(global question, unit index)`, grouped by term.
    pairs: Vec<(u32, u8)>,
}

/// Units of one question representable in a [`BankMatches`] bit mask.
const MAX_UNITS: usize = 64;

impl BankLookup {
    /// The lookup over the bank units of `derived` for an index of `n_terms`
    /// terms; `None` when a bank question has more than 64 content words
    /// (its units would not fit a mask), or ids do not fit.
    pub(crate) fn new(derived: &[Derived], n_terms: usize) -> Option<BankLookup> {
        let mut question_start = Vec::with_capacity(derived.len() + 1);
        let mut counts = vec![0u32; n_terms + 1];
        let mut n_questions = 0u32;
        for d in derived {
            question_start.push(n_questions);
            for units in &d.bank_units {
                if units.len() > MAX_UNITS {
                    return None;
                }
                for unit in units {
                    for term in std::iter::once(&unit.word).chain(&unit.concepts) {
                        *counts.get_mut(*term as usize + 1)? += 1;
                    }
                }
                n_questions = n_questions.checked_add(1)?;
            }
        }
        question_start.push(n_questions);
        for idx in 1..counts.len() {
            counts[idx] = counts[idx].checked_add(counts[idx - 1])?;
        }
        let term_start = counts;
        let mut next = term_start.clone();
        let mut pairs = vec![(0u32, 0u8); term_start.last().copied().unwrap_or(0) as usize];
        let mut question = 0u32;
        for d in derived {
            for units in &d.bank_units {
                for (unit_idx, unit) in (0u8..).zip(units) {
                    for term in std::iter::once(&unit.word).chain(&unit.concepts) {
                        let at = next.get_mut(*term as usize)?;
                        *pairs.get_mut(*at as usize)? = (question, unit_idx);
                        *at += 1;
                    }
                }
                question += 1;
            }
        }
        Some(BankLookup { question_start, term_start, pairs })
    }

    /// The global ids of passage `passage`'s bank questions.
    pub(crate) fn questions_of(&self, passage: usize) -> std::ops::Range<usize> {
        let start = self.question_start.get(passage).copied().unwrap_or(0) as usize;
        let end = self.question_start.get(passage + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// For every bank question, the query slots its units match and which
    /// of its units match (a unit matches when its word or a concept
    /// covering it is an alternative of a slot among the first 64).
    pub(crate) fn matches(&self, plan: &Plan) -> BankMatches {
        let n_questions = self.question_start.last().copied().unwrap_or(0) as usize;
        let mut matches = BankMatches { slots: vec![0; n_questions], units: vec![0; n_questions] };
        for (slot_idx, slot) in plan.slots.iter().enumerate().take(64) {
            let bit = 1u64 << slot_idx;
            for alt in &slot.alts {
                let term = alt.term as usize;
                let (Some(&start), Some(&end)) =
                    (self.term_start.get(term), self.term_start.get(term + 1))
                else {
                    continue;
                };
                for &(question, unit) in
                    self.pairs.get(start as usize..end as usize).unwrap_or_default()
                {
                    let question = question as usize;
                    if let (Some(slots), Some(units)) =
                        (matches.slots.get_mut(question), matches.units.get_mut(question))
                    {
                        *slots |= bit;
                        *units |= 1u64 << unit;
                    }
                }
            }
        }
        matches
    }
}

/// Per bank question (global id), the slots its units match and the units
/// that match (bit per unit).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BankMatches {
    pub(crate) slots: Vec<u64>,
    pub(crate) units: Vec<u64>,
}
