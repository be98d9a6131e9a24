//! The JSON records of `sco-bot ask --json`, converted by hand from replies.

use crate::assistant::Reply;
use serde::Serialize;

/// One output line of `sco-bot ask --json`.
#[derive(Debug, Serialize)]
pub struct AskRecord<'a> {
    /// The question as received.
    pub question: &'a str,
    /// False when the bot abstains (or the input is not a question).
    pub answered: bool,
    /// The answer, or the message shown instead.
    pub answer: &'a str,
    /// The full paragraph of the answer (empty when abstaining).
    pub passage: &'a str,
    /// The journalist's question the answer replies to.
    pub turn_question: Option<&'a str>,
    /// The topic id.
    pub topic: &'a str,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
    /// Where the answer comes from.
    pub source: SourceRecord<'a>,
    /// The paragraph id of the answer (`p17`), when answered.
    pub paragraph: Option<&'a str>,
}

/// The source of an answer.
#[derive(Debug, Serialize)]
pub struct SourceRecord<'a> {
    /// Who said it.
    pub speaker: &'a str,
    /// Their role.
    pub role: &'a str,
    /// The event.
    pub event: &'a str,
    /// The date, `YYYY-MM-DD`.
    pub date: &'a str,
}

impl<'a> AskRecord<'a> {
    /// The record of a reply.
    pub fn new(reply: &'a Reply) -> AskRecord<'a> {
        let answered = reply.answered;
        AskRecord {
            question: &reply.question,
            answered,
            answer: &reply.text,
            passage: if answered { &reply.passage } else { "" },
            turn_question: if answered { reply.turn_question.as_deref() } else { None },
            topic: &reply.topic,
            confidence: (f64::from(reply.confidence) * 10_000.0).round() / 10_000.0,
            source: SourceRecord {
                speaker: &reply.source.speaker,
                role: &reply.source.role,
                event: &reply.source.event,
                date: &reply.source.date,
            },
            paragraph: if answered { reply.passage_id.as_deref() } else { None },
        }
    }
}
