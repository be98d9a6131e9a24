//! What the bot shows: each reply as an HTML message with its inline
//! keyboard, composed from the assistant's public API (the reply, the
//! index's passages, sources, topic labels and bank questions).

use super::callback::Action;
use super::render::{HtmlMessage, Style, escape, truncate};
use super::state::State;
use super::text;
use crate::assistant::{Assistant, Reply};
use briefing_retrieval::{Index, Source};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// The longest button label, in characters.
const MAX_LABEL_CHARS: usize = 60;

/// How many related answers "Related" offers.
const MAX_RELATED: usize = 3;

/// How many questions a topic lists.
const MAX_TOPIC_QUESTIONS: usize = 8;

/// A reply: the message and its buttons.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// The message.
    pub message: HtmlMessage,
    /// Buttons under its last part.
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl View {
    /// A message without buttons.
    #[must_use]
    pub fn plain(message: HtmlMessage) -> View {
        View { message, keyboard: None }
    }

    /// A text (escaped) without buttons.
    #[must_use]
    pub fn text(text: &str) -> View {
        View::plain(HtmlMessage::new().line(text, Style::Plain))
    }

    /// A constant of [`text`] (HTML) without buttons.
    #[must_use]
    pub fn markup(html: &str) -> View {
        View::plain(HtmlMessage::new().markup(html))
    }

    /// Every `callback_data` of the buttons.
    #[must_use]
    pub fn callback_data(&self) -> Vec<String> {
        use teloxide::types::InlineKeyboardButtonKind;
        let Some(keyboard) = &self.keyboard else { return Vec::new() };
        keyboard
            .inline_keyboard
            .iter()
            .flatten()
            .filter_map(|b| match &b.kind {
                InlineKeyboardButtonKind::CallbackData(data) => Some(data.clone()),
                _ => None,
            })
            .collect()
    }
}

fn button(label: &str, action: &Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(truncate(label, MAX_LABEL_CHARS), action.encode())
}

fn keyboard(rows: Vec<Vec<InlineKeyboardButton>>) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<_> = rows.into_iter().filter(|r| !r.is_empty()).collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// `2019-04-22` as `22 April 2019` (other text as it is).
///
/// ```
/// use sco_bot::telegram::views::human_date;
/// assert_eq!(human_date("2019-04-22"), "22 April 2019");
/// assert_eq!(human_date("spring"), "spring");
/// ```
#[must_use]
pub fn human_date(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    if let [year, month, day] = parts.as_slice()
        && year.len() == 4
        && let (Ok(month), Ok(day)) = (month.parse::<usize>(), day.parse::<u32>())
        && let Some(name) = month.checked_sub(1).and_then(|m| text::MONTHS.get(m))
        && (1..=31).contains(&day)
    {
        return format!("{day} {name} {year}");
    }
    date.to_owned()
}

/// The source line: `— speaker, role, event, date` (plain text).
#[must_use]
pub fn source_line(source: &Source) -> String {
    let date = human_date(&source.date);
    let parts: Vec<&str> =
        [source.speaker.as_str(), source.role.as_str(), source.event.as_str(), &date]
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
    if parts.is_empty() { String::new() } else { format!("— {}", parts.join(", ")) }
}

/// The source of the corpus's first document.
fn main_source(assistant: &Assistant) -> Source {
    assistant.index().source(0).cloned().unwrap_or_default()
}

/// The display name and index of a topic id.
fn topic(id: &str) -> Option<(usize, &'static str)> {
    text::TOPIC_NAMES
        .iter()
        .position(|(t, _)| *t == id)
        .and_then(|idx| text::TOPIC_NAMES.get(idx).map(|(_, name)| (idx, *name)))
}

/// `/start`: what the bot knows and three example questions.
#[must_use]
pub fn start(assistant: &Assistant) -> View {
    let source = main_source(assistant);
    let mut message = HtmlMessage::new().markup(text::START);
    if !source.title.is_empty() {
        message = message.paragraph(&source.title, Style::Bold);
    }
    let message =
        message.line(&source_line(&source), Style::Italic).markup_paragraph(text::START_HOW);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = text::EXAMPLE_QUESTIONS
        .iter()
        .enumerate()
        .take(3)
        .map(|(i, q)| vec![button(q, &Action::Example(i))])
        .collect();
    rows.push(vec![button(text::BUTTON_TOPICS, &Action::Topics)]);
    View { message, keyboard: keyboard(rows) }
}

/// `/help`: how the bot works and its commands (`(command, description)`).
#[must_use]
pub fn help(commands: &[(String, String)]) -> View {
    let mut message = HtmlMessage::new().markup(text::HELP).markup_paragraph(text::HELP_COMMANDS);
    for (command, description) in commands {
        message = message.line(&format!("/{command} — {description}"), Style::Plain);
    }
    View::plain(message)
}

/// `/about`: the source and how to cite it.
#[must_use]
pub fn about(assistant: &Assistant) -> View {
    let source = main_source(assistant);
    let mut message = HtmlMessage::new().markup(text::ABOUT);
    if !source.title.is_empty() {
        message = message.paragraph(&source.title, Style::Bold);
    }
    message = message.line(&source_line(&source), Style::Italic);
    let who = match (source.speaker.is_empty(), source.role.is_empty()) {
        (false, false) => format!("{} ({})", source.speaker, source.role),
        (false, true) => source.speaker.clone(),
        _ => String::new(),
    };
    let citation: Vec<String> = [who, source.event.clone(), human_date(&source.date)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let mut citation = citation.join(", ");
    if !source.title.is_empty() {
        citation.push_str(&format!(": “{}”", source.title));
    }
    citation.push('.');
    message = message
        .markup_paragraph(text::ABOUT_CITE)
        .line(&citation, Style::Plain)
        .markup_paragraph(text::ABOUT_LIMITS);
    View::plain(message)
}

/// The topic list; its buttons replace the message with a topic's questions.
#[must_use]
pub fn topics() -> View {
    let buttons: Vec<InlineKeyboardButton> = text::TOPIC_NAMES
        .iter()
        .enumerate()
        .map(|(i, (_, name))| button(name, &Action::TopicHere(i)))
        .collect();
    let rows = buttons.chunks(2).map(<[InlineKeyboardButton]>::to_vec).collect();
    View { message: HtmlMessage::new().markup(text::TOPICS), keyboard: keyboard(rows) }
}

/// The questions of topic `topic_idx`: its example, then a question of each
/// passage labelled with it. `None` for an unknown topic.
#[must_use]
pub fn topic_questions(assistant: &Assistant, topic_idx: usize) -> Option<View> {
    let (id, name) = text::TOPIC_NAMES.get(topic_idx)?;
    let index = assistant.index();
    let heading = text::TOPIC_QUESTIONS.replace("{topic}", &escape(name));
    let example = crate::text::TOPICS.iter().find(|(t, _)| t == id).map(|(_, e)| *e);
    let mut rows = Vec::new();
    if let Some(example) = example {
        rows.push(vec![button(example, &Action::TopicExample(topic_idx))]);
    }
    let mut seen: Vec<&str> = example.into_iter().collect();
    for idx in 0..index.passages().len() {
        if rows.len() >= MAX_TOPIC_QUESTIONS {
            break;
        }
        if index.label(idx) != Some(*id) {
            continue;
        }
        if let Some(question) = index.bank_questions(idx).first()
            && !seen.contains(&question.as_str())
        {
            seen.push(question);
            rows.push(vec![button(question, &Action::Question(idx, 0))]);
        }
    }
    let mut message = HtmlMessage::new().markup(&heading);
    if rows.is_empty() {
        message = message.line(text::TOPIC_EMPTY, Style::Plain);
    }
    rows.push(vec![button(text::BUTTON_BACK, &Action::TopicsHere)]);
    Some(View { message, keyboard: keyboard(rows) })
}

/// The index of a passage by id, in `doc_id` first.
fn passage_by_id(index: &Index, doc_id: &str, passage_id: &str) -> Option<usize> {
    index
        .find_passage(doc_id, passage_id)
        .or_else(|| index.passages().iter().position(|p| p.id == passage_id))
}

/// The passages of the answer turn of passage `idx`, in order.
#[must_use]
pub fn turn_passages(index: &Index, idx: usize) -> Vec<usize> {
    let Some(passage) = index.passages().get(idx) else { return Vec::new() };
    let Some(turn) = passage.turn else { return vec![idx] };
    let doc = index.source(idx).map(|s| s.doc_id.as_str());
    (0..index.passages().len())
        .filter(|&i| {
            index.passages().get(i).is_some_and(|p| p.turn == Some(turn))
                && index.source(i).map(|s| s.doc_id.as_str()) == doc
        })
        .collect()
}

/// The next best answers after passage `answer_idx`: other turns, best first.
fn related_passages(index: &Index, reply: &Reply, answer_idx: usize) -> Vec<usize> {
    let mut turns = vec![index.passages().get(answer_idx).and_then(|p| p.turn)];
    let mut out = Vec::new();
    for id in &reply.ranked {
        let Some(idx) = passage_by_id(index, &reply.source.doc_id, id) else { continue };
        let turn = index.passages().get(idx).and_then(|p| p.turn);
        if idx == answer_idx || (turn.is_some() && turns.contains(&turn)) {
            continue;
        }
        turns.push(turn);
        out.push(idx);
        if out.len() == MAX_RELATED {
            break;
        }
    }
    out
}

/// A question that passage `idx` answers: its first bank question, the
/// journalist's question, or its first sentence.
fn passage_label(index: &Index, idx: usize) -> String {
    if let Some(question) = index.bank_questions(idx).first() {
        return question.clone();
    }
    let Some(passage) = index.passages().get(idx) else { return String::new() };
    if let Some(context) = &passage.context {
        return context.clone();
    }
    passage.sentence_text(0..1).to_owned()
}

/// The rows under an answer from passage `idx`.
fn answer_buttons(index: &Index, idx: usize, related: &[usize]) -> Vec<Vec<InlineKeyboardButton>> {
    let mut first = vec![button(text::BUTTON_FULL, &Action::Full(idx))];
    if !related.is_empty() {
        first.push(button(text::BUTTON_RELATED, &Action::Related(related.to_vec())));
    }
    let mut rows = vec![first];
    if let Some((topic_idx, name)) = index.label(idx).and_then(topic) {
        rows.push(vec![button(
            &text::BUTTON_TOPIC.replace("{topic}", name),
            &Action::Topic(topic_idx),
        )]);
    }
    rows
}

/// Adds the source line and the journalist's question.
fn with_source(message: HtmlMessage, source: &Source, turn_question: Option<&str>) -> HtmlMessage {
    let mut message = message.paragraph(&source_line(source), Style::Italic);
    if let Some(question) = turn_question.filter(|q| !q.trim().is_empty()) {
        let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
        message = message.line(&format!("{} “{question}”", text::IN_REPLY_TO), Style::Italic);
    }
    message
}

/// The reply to a question, and the chat's next state.
#[must_use]
pub fn answer(assistant: &Assistant, reply: &Reply) -> (View, State) {
    let index = assistant.index();
    let answer_idx =
        reply.passage_id.as_deref().and_then(|id| passage_by_id(index, &reply.source.doc_id, id));
    match answer_idx {
        Some(idx) if reply.answered => {
            let mut message = HtmlMessage::new().line(&reply.text, Style::Plain);
            if !reply.more.is_empty() {
                message = message.markup_paragraph(text::MORE_HINT);
            }
            let message = with_source(message, &reply.source, reply.turn_question.as_deref());
            let related = related_passages(index, reply, idx);
            let view = View { message, keyboard: keyboard(answer_buttons(index, idx, &related)) };
            (view, State::Answered { passage_idx: idx, more: reply.more.clone() })
        }
        _ => (not_known(assistant, reply), State::Start),
    }
}

/// The reply when the transcript does not answer (or the message is not a
/// question): the assistant's explanation, examples and the topics.
fn not_known(assistant: &Assistant, reply: &Reply) -> View {
    let index = assistant.index();
    let message =
        HtmlMessage::new().line(&reply.text, Style::Plain).markup_paragraph(text::TRY_EXAMPLES);
    let mut rows = Vec::new();
    // The related question the assistant mentions, as a button.
    if reply.problem.is_none()
        && let Some(idx) =
            reply.ranked.first().and_then(|id| passage_by_id(index, &reply.source.doc_id, id))
        && let Some(question) = index.bank_questions(idx).first()
        && reply.text.contains(question.as_str())
    {
        rows.push(vec![button(question, &Action::Question(idx, 0))]);
    }
    for (i, example) in text::EXAMPLE_QUESTIONS.iter().enumerate() {
        rows.push(vec![button(example, &Action::Example(i))]);
    }
    rows.push(vec![button(text::BUTTON_TOPICS, &Action::Topics)]);
    View { message, keyboard: keyboard(rows) }
}

/// Passage `idx` shown as an answer (from "Related"), and the next state.
#[must_use]
pub fn passage(assistant: &Assistant, idx: usize) -> Option<(View, State)> {
    let index = assistant.index();
    let passage = index.passages().get(idx)?;
    let source = index.source(idx).cloned().unwrap_or_default();
    let turn = turn_passages(index, idx);
    let more: Vec<String> = turn
        .iter()
        .filter(|&&i| i > idx)
        .filter_map(|&i| index.passages().get(i).map(|p| p.text.clone()))
        .collect();
    let mut message = HtmlMessage::new().line(&passage.text, Style::Plain);
    if !more.is_empty() {
        message = message.markup_paragraph(text::MORE_HINT);
    }
    let message = with_source(message, &source, passage.context.as_deref());
    let view = View { message, keyboard: keyboard(answer_buttons(index, idx, &[])) };
    Some((view, State::Answered { passage_idx: idx, more }))
}

/// The whole answer turn of passage `idx`: the journalist's question and
/// every paragraph of the answer. `None` for an unknown passage.
#[must_use]
pub fn full_answer(assistant: &Assistant, idx: usize) -> Option<View> {
    let index = assistant.index();
    let passage = index.passages().get(idx)?;
    let source = index.source(idx).cloned().unwrap_or_default();
    let mut message = HtmlMessage::new().markup(text::FULL_ANSWER);
    if let Some(question) = &passage.context {
        message = message.line(question, Style::Italic);
    }
    for i in turn_passages(index, idx) {
        if let Some(p) = index.passages().get(i) {
            message = message.paragraph(&p.text, Style::Plain);
        }
    }
    message = message.paragraph(&source_line(&source), Style::Italic);
    let mut rows = Vec::new();
    if let Some((topic_idx, name)) = index.label(idx).and_then(topic) {
        rows.push(vec![button(
            &text::BUTTON_TOPIC.replace("{topic}", name),
            &Action::Topic(topic_idx),
        )]);
    }
    Some(View { message, keyboard: keyboard(rows) })
}

/// The related answers: a question each, as buttons.
#[must_use]
pub fn related(assistant: &Assistant, passages: &[usize]) -> View {
    let index = assistant.index();
    let passages: Vec<usize> = passages
        .iter()
        .copied()
        .filter(|&i| i < index.passages().len())
        .take(MAX_RELATED)
        .collect();
    if passages.is_empty() {
        return View::text(text::NO_RELATED);
    }
    let mut message = HtmlMessage::new().markup(text::RELATED);
    let mut rows = Vec::new();
    for (n, &idx) in passages.iter().enumerate() {
        let label = format!("{}. {}", n + 1, passage_label(index, idx));
        message = message.line(&label, Style::Plain);
        rows.push(vec![button(&label, &Action::Passage(idx))]);
    }
    View { message, keyboard: keyboard(rows) }
}

/// The reply to "more" and the next state.
#[must_use]
pub fn follow_up(state: &State) -> (View, State) {
    match state {
        State::Start => (View::text(text::NOTHING_YET), State::Start),
        State::Answered { passage_idx, more } => {
            let full = keyboard(vec![vec![button(text::BUTTON_FULL, &Action::Full(*passage_idx))]]);
            let Some((next, rest)) = more.split_first() else {
                let view = View {
                    message: HtmlMessage::new().line(text::NO_MORE, Style::Plain),
                    keyboard: full,
                };
                return (view, state.clone());
            };
            let mut message = HtmlMessage::new().line(next, Style::Plain);
            if !rest.is_empty() {
                message = message.markup_paragraph(text::MORE_HINT);
            }
            let state = State::Answered { passage_idx: *passage_idx, more: rest.to_vec() };
            (View { message, keyboard: full }, state)
        }
    }
}

/// Whether `message` asks to continue the last answer ("more", "tell me
/// more", "why?").
///
/// ```
/// use sco_bot::telegram::views::is_follow_up;
/// assert!(is_follow_up("More!"));
/// assert!(is_follow_up("  tell me more... "));
/// assert!(is_follow_up("Why?"));
/// assert!(!is_follow_up("Why does the SCO exist?"));
/// ```
#[must_use]
pub fn is_follow_up(message: &str) -> bool {
    let words: Vec<String> = message
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let normal = words.join(" ");
    text::FOLLOW_UPS.contains(&normal.as_str())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn formats_the_source_line() {
        let source = Source {
            speaker: "Vladimir Norov".into(),
            role: "SCO Secretary-General".into(),
            event: "news conference".into(),
            date: "2019-04-22".into(),
            ..Source::default()
        };
        assert_eq!(
            source_line(&source),
            "— Vladimir Norov, SCO Secretary-General, news conference, 22 April 2019"
        );
        assert_eq!(source_line(&Source::default()), "");
        assert_eq!(human_date("2019-13-01"), "2019-13-01");
        assert_eq!(human_date("2019-02-00"), "2019-02-00");
    }

    #[test]
    fn follow_ups_continue_then_stop() {
        let state = State::Answered { passage_idx: 3, more: vec!["Two.".into(), "Three.".into()] };
        let (view, state) = follow_up(&state);
        assert!(view.message.to_html().starts_with("Two."));
        assert!(view.message.to_html().contains(text::MORE_HINT));
        assert_eq!(view.callback_data(), ["f:3"]);
        let (view, state) = follow_up(&state);
        assert_eq!(view.message.to_html(), "Three.");
        let (view, _) = follow_up(&state);
        assert_eq!(view.message.to_html(), escape(text::NO_MORE));
        let (view, state) = follow_up(&State::Start);
        assert_eq!(view.message.to_html(), escape(text::NOTHING_YET));
        assert_eq!(state, State::Start);
    }

    #[test]
    fn recognises_follow_ups() {
        for yes in [
            "more",
            "MORE",
            "more.",
            "more please",
            "Tell me more",
            "why?",
            "Why",
            "go on",
            "/more",
        ] {
            assert!(is_follow_up(yes), "{yes}");
        }
        for no in ["", "more about drugs", "why is the SCO important?", "moreover"] {
            assert!(!is_follow_up(no), "{no}");
        }
    }

    #[test]
    fn topics_fit_callback_data() {
        let view = topics();
        let data = view.callback_data();
        assert_eq!(data.len(), text::TOPIC_NAMES.len());
        assert!(data.iter().all(|d| d.len() <= super::super::callback::MAX_CALLBACK_BYTES));
    }
}
