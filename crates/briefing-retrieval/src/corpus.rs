//! Passages from documents parsed by `briefing-corpus`.

use crate::{IndexBuilder, Passage, Source};
use briefing_corpus::{Document, Role};
use briefing_tokenize::Span;

/// The source and the passages of a parsed document: its lead, answer and
/// body paragraphs (titles, date lines and questions are left out), each
/// answer with its turn's question as context. Passage ids are the
/// paragraph ids (`p{idx}`).
///
/// ```
/// use briefing_corpus::{Document, ParseOptions};
/// let text = "Title line\n\nWhy now?\nBecause it is time. We waited.\n";
/// let doc = Document::parse("talk", text, &ParseOptions::default()).unwrap();
/// let (source, passages) = briefing_retrieval::passages_of(&doc);
/// assert_eq!(source.doc_id, "talk");
/// assert_eq!(passages.len(), 1);
/// assert_eq!(passages[0].context.as_deref(), Some("Why now?"));
/// assert_eq!(passages[0].sentences.len(), 2);
/// ```
#[must_use]
pub fn passages_of(doc: &Document) -> (Source, Vec<Passage>) {
    let meta = &doc.meta;
    let source = Source {
        doc_id: doc.id.clone(),
        title: doc.title().unwrap_or_default().to_owned(),
        speaker: meta.speaker.clone().unwrap_or_default(),
        role: meta.role.clone().unwrap_or_default(),
        event: meta.event.clone().unwrap_or_default(),
        date: meta.date.clone().unwrap_or_default(),
    };
    let passages = doc
        .paragraphs
        .iter()
        .filter(|p| matches!(p.role, Role::Lead | Role::Answer | Role::Body))
        .map(|p| Passage {
            id: p.id.clone(),
            text: p.text.clone(),
            sentences: p
                .sentences
                .iter()
                .filter_map(|s| {
                    Some(Span::new(
                        s.start.checked_sub(p.span.start)?,
                        s.end.checked_sub(p.span.start)?,
                    ))
                })
                .collect(),
            context: p.turn.and_then(|t| doc.question_text(t)).filter(|_| p.role == Role::Answer),
            turn: p.turn,
        })
        .collect();
    (source, passages)
}

impl IndexBuilder {
    /// Adds a document parsed by `briefing-corpus` (see [`passages_of`]).
    pub fn parsed_document(&mut self, doc: &Document) -> &mut IndexBuilder {
        let (source, passages) = passages_of(doc);
        self.document(source, passages)
    }
}
