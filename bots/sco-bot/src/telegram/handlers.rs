//! The handlers: commands, questions, follow-ups and buttons, plus the
//! filters for group rules and floods. Each handled update is logged with
//! its chat id, latency and outcome.

use super::callback::Action;
use super::flood::{FloodGuard, Verdict};
use super::handler_tree::Command;
use super::send::{self, Delivery};
use super::state::{ChatDialogue, State};
use super::views::{self, View};
use super::{BotConfig, TgBot, text};
use crate::assistant::Assistant;
use std::sync::Arc;
use std::time::Instant;
use teloxide::prelude::*;
use teloxide::types::{Me, MessageEntityKind, MessageId};

/// Whether a message is for the bot: every message of a private chat; in a
/// group, commands (not addressed to another bot), messages that mention
/// the bot, and replies to the bot's messages. Messages from bots never are.
pub fn addressed_to_me(message: Message, me: Me) -> bool {
    if message.from.as_ref().is_some_and(|user| user.is_bot) {
        return false;
    }
    if message.chat.is_private() {
        return true;
    }
    if message.chat.is_channel() {
        return false;
    }
    let username = me.user.username.as_deref().unwrap_or_default();
    let text = message.text().unwrap_or_default();
    if let Some(command) = text.strip_prefix('/') {
        let word = command.split_whitespace().next().unwrap_or_default();
        return match word.split_once('@') {
            Some((_, bot)) => bot.eq_ignore_ascii_case(username),
            None => true,
        };
    }
    let replies_to_me = message
        .reply_to_message()
        .and_then(|m| m.from.as_ref())
        .is_some_and(|user| user.id == me.user.id);
    let text_mentions_me = message.entities().unwrap_or_default().iter().any(|entity| {
        matches!(&entity.kind, MessageEntityKind::TextMention { user } if user.id == me.user.id)
    });
    replies_to_me || text_mentions_me || mentions(text, username)
}

/// Whether `text` contains `@username` as a word.
fn mentions(text: &str, username: &str) -> bool {
    if username.is_empty() {
        return false;
    }
    // Usernames are ASCII; ASCII lowercasing keeps byte offsets.
    let lower = text.to_ascii_lowercase();
    let needle = format!("@{}", username.to_ascii_lowercase());
    lower.match_indices(&needle).any(|(idx, _)| {
        let end = idx + needle.len();
        !lower
            .get(end..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// `text` without `@username` mentions.
fn strip_mention(text: &str, username: &str) -> String {
    if username.is_empty() {
        return text.trim().to_owned();
    }
    let needle = format!("@{}", username.to_ascii_lowercase());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(idx) = rest.to_ascii_lowercase().find(&needle) {
        let (Some(before), Some(after)) = (rest.get(..idx), rest.get(idx + needle.len()..)) else {
            break;
        };
        out.push_str(before);
        out.push(' ');
        rest = after;
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The flood filter: counts the sender's messages and button presses; the
/// first one over the limit gets [`text::FLOOD`], later ones are dropped.
pub async fn not_flooded(
    bot: TgBot,
    update: Update,
    flood: Arc<FloodGuard>,
    config: BotConfig,
) -> bool {
    let Some(user) = update.from() else { return true };
    let chat = update.chat().map(|c| c.id);
    match flood.check(user.id.0) {
        Verdict::Allow => true,
        Verdict::Warn => {
            tracing::info!(
                chat_id = chat.map(|c| c.0),
                user_id = user.id.0,
                outcome = "flood_note",
                "too many messages"
            );
            let result = match (&update.kind, chat) {
                (teloxide::types::UpdateKind::CallbackQuery(query), _) => {
                    send::answer_callback(&bot, &config, query, Some(text::FLOOD)).await
                }
                (_, Some(chat)) => {
                    send::send_view(&bot, &config, chat, &View::markup(text::FLOOD), None)
                        .await
                        .map(drop)
                }
                _ => Ok(()),
            };
            if let Err(error) = result {
                tracing::warn!(chat_id = chat.map(|c| c.0), error = %error, "cannot send the flood note");
            }
            false
        }
        Verdict::Drop => {
            tracing::debug!(
                chat_id = chat.map(|c| c.0),
                user_id = user.id.0,
                outcome = "flood_dropped",
                "dropped"
            );
            false
        }
    }
}

/// Logs a handled update.
fn log_outcome(chat: ChatId, started: Instant, kind: &str, outcome: &str) {
    tracing::info!(
        chat_id = chat.0,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        kind,
        outcome,
        "handled"
    );
}

/// The outcome name of a delivery.
fn delivered(delivery: Delivery, outcome: &'static str) -> &'static str {
    match delivery {
        Delivery::Sent(_) => outcome,
        Delivery::ChatGone => "chat_gone",
        Delivery::Nothing => "nothing_sent",
    }
}

/// Saves the chat's state.
async fn save(dialogue: &ChatDialogue, state: State) -> anyhow::Result<()> {
    dialogue.update(state).await.map_err(|e| anyhow::anyhow!("cannot save the dialogue state: {e}"))
}

/// Answers a question: the assistant (on the blocking pool), the view,
/// sending, and the new state.
async fn ask(
    bot: &TgBot,
    config: &BotConfig,
    assistant: &Arc<Assistant>,
    dialogue: &ChatDialogue,
    question: String,
    reply_to: Option<MessageId>,
) -> anyhow::Result<&'static str> {
    let worker = Arc::clone(assistant);
    let (view, state, answered) = tokio::task::spawn_blocking(move || {
        let reply = worker.answer(&question);
        let (view, state) = views::answer(&worker, &reply);
        (view, state, reply.answered)
    })
    .await?;
    let delivery = send::send_view(bot, config, dialogue.chat_id(), &view, reply_to).await?;
    if delivery == Delivery::ChatGone {
        return Ok("chat_gone");
    }
    save(dialogue, state).await?;
    Ok(delivered(delivery, if answered { "answered" } else { "not_known" }))
}

/// Handles a command.
pub async fn command(
    bot: TgBot,
    message: Message,
    command: Command,
    assistant: Arc<Assistant>,
    config: BotConfig,
    dialogue: ChatDialogue,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let chat = message.chat.id;
    let reply_to = (!message.chat.is_private()).then_some(message.id);
    let (kind, view) = match command {
        Command::Start(_) => ("start", views::start(&assistant)),
        Command::Help => ("help", views::help(&Command::menu())),
        Command::Topics => ("topics", views::topics()),
        Command::About => ("about", views::about(&assistant)),
        Command::Ask(question) if question.trim().is_empty() => {
            ("ask", View::markup(text::ASK_USAGE))
        }
        Command::Ask(question) => {
            let outcome = ask(&bot, &config, &assistant, &dialogue, question, reply_to).await?;
            log_outcome(chat, started, "ask", outcome);
            return Ok(());
        }
    };
    let delivery = send::send_view(&bot, &config, chat, &view, reply_to).await?;
    log_outcome(chat, started, kind, delivered(delivery, "sent"));
    Ok(())
}

/// Handles a message that is not a command: a follow-up ("more") or a
/// question.
pub async fn message(
    bot: TgBot,
    message: Message,
    me: Me,
    assistant: Arc<Assistant>,
    config: BotConfig,
    dialogue: ChatDialogue,
    state: State,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let chat = message.chat.id;
    let private = message.chat.is_private();
    let reply_to = (!private).then_some(message.id);
    let Some(text) = message.text() else {
        if private {
            let delivery =
                send::send_view(&bot, &config, chat, &View::text(text::TEXT_ONLY), None).await?;
            log_outcome(chat, started, "not_text", delivered(delivery, "sent"));
        }
        return Ok(());
    };
    let question = strip_mention(text, me.user.username.as_deref().unwrap_or_default());
    if views::is_follow_up(&question) {
        let (view, next) = views::follow_up(&state);
        let delivery = send::send_view(&bot, &config, chat, &view, reply_to).await?;
        if next != state && delivery != Delivery::ChatGone {
            save(&dialogue, next).await?;
        }
        log_outcome(chat, started, "follow_up", delivered(delivery, "sent"));
        return Ok(());
    }
    if question.starts_with('/') {
        // Another bot's command in a group; an unknown one in private.
        if private {
            let delivery =
                send::send_view(&bot, &config, chat, &View::text(text::UNKNOWN_COMMAND), None)
                    .await?;
            log_outcome(chat, started, "unknown_command", delivered(delivery, "sent"));
        }
        return Ok(());
    }
    let outcome = ask(&bot, &config, &assistant, &dialogue, question, reply_to).await?;
    log_outcome(chat, started, "question", outcome);
    Ok(())
}

/// What a button press leads to.
enum Step {
    /// Send this view (and save the state, if any).
    Send(View, Option<State>),
    /// Replace the button's message with this view.
    Edit(View),
    /// Ask this question.
    Ask(String),
}

/// Resolves a button against the corpus; `None` for a stale or forged one.
fn resolve(assistant: &Assistant, action: Action) -> Option<Step> {
    let index = assistant.index();
    Some(match action {
        Action::Full(idx) => Step::Send(views::full_answer(assistant, idx)?, None),
        Action::Related(passages) => Step::Send(views::related(assistant, &passages), None),
        Action::Passage(idx) => {
            let (view, state) = views::passage(assistant, idx)?;
            Step::Send(view, Some(state))
        }
        Action::Topic(topic) => Step::Send(views::topic_questions(assistant, topic)?, None),
        Action::TopicHere(topic) => Step::Edit(views::topic_questions(assistant, topic)?),
        Action::Topics => Step::Send(views::topics(), None),
        Action::TopicsHere => Step::Edit(views::topics()),
        Action::Question(idx, n) => Step::Ask(index.bank_questions(idx).get(n)?.clone()),
        Action::TopicExample(topic) => {
            let (id, _) = text::TOPIC_NAMES.get(topic)?;
            let (_, example) = crate::text::TOPICS.iter().find(|(t, _)| t == id)?;
            Step::Ask((*example).to_owned())
        }
        Action::Example(n) => Step::Ask((*text::EXAMPLE_QUESTIONS.get(n)?).to_owned()),
    })
}

/// Handles a button press.
pub async fn callback(
    bot: TgBot,
    query: CallbackQuery,
    assistant: Arc<Assistant>,
    config: BotConfig,
    dialogue: ChatDialogue,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let chat = dialogue.chat_id();
    let step = query.data.as_deref().and_then(Action::decode).and_then(|a| resolve(&assistant, a));
    let Some(step) = step else {
        send::answer_callback(&bot, &config, &query, Some(text::BUTTON_EXPIRED)).await?;
        log_outcome(chat, started, "button", "expired");
        return Ok(());
    };
    send::answer_callback(&bot, &config, &query, None).await?;
    let outcome = match step {
        Step::Send(view, state) => {
            let delivery = send::send_view(&bot, &config, chat, &view, None).await?;
            if let Some(state) = state.filter(|_| delivery != Delivery::ChatGone) {
                save(&dialogue, state).await?;
            }
            delivered(delivery, "sent")
        }
        Step::Edit(view) => {
            let delivery = match &query.message {
                Some(message) => send::edit_view(&bot, &config, chat, message.id(), &view).await?,
                None => send::send_view(&bot, &config, chat, &view, None).await?,
            };
            delivered(delivery, "edited")
        }
        Step::Ask(question) => ask(&bot, &config, &assistant, &dialogue, question, None).await?,
    };
    log_outcome(chat, started, "button", outcome);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_as_words() {
        assert!(mentions("@sco_test_bot what?", "sco_test_bot"));
        assert!(mentions("hey @SCO_Test_Bot, what?", "sco_test_bot"));
        assert!(!mentions("@sco_test_bot2 what?", "sco_test_bot"));
        assert!(!mentions("no mention", "sco_test_bot"));
        assert!(!mentions("@x", ""));
    }

    #[test]
    fn strips_mentions() {
        assert_eq!(strip_mention("@sco_test_bot  What is it?", "sco_test_bot"), "What is it?");
        assert_eq!(strip_mention("What is it, @SCO_test_bot?", "sco_test_bot"), "What is it, ?");
        assert_eq!(strip_mention("İİİ @sco_test_bot x", "sco_test_bot"), "İİİ x");
        assert_eq!(strip_mention("plain", ""), "plain");
    }
}
