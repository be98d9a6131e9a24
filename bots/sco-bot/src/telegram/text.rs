//! Every string the Telegram bot sends, as a `const` (HTML where noted).
//!
//! Strings marked *HTML* are sent as they are in HTML parse mode, so they
//! must stay valid Telegram HTML; every other piece of text (transcript,
//! user input) is escaped by [`super::render`] before it is sent.

/// `/start` greeting, before the source line (*HTML*).
pub const START: &str = "<b>Hello!</b> I answer questions about the Shanghai Cooperation \
Organisation (SCO) from one source, and I quote it:";

/// `/start`: how to ask, after the source line (*HTML*).
pub const START_HOW: &str = "Ask in your own words, or tap an example below. \
/topics shows what I can answer, /help how I work.";

/// `/help` opening, before the command list (*HTML*).
pub const HELP: &str = "I answer from one news conference, with the sentences that answer \
your question and where they come from. In a private chat, just type your question. \
In a group, mention me, reply to my message, or use /ask.\n\n\
After an answer, say <i>more</i> (or <i>tell me more</i>, <i>why?</i>) for the rest of it.";

/// `/help`: heading of the command list (*HTML*).
pub const HELP_COMMANDS: &str = "<b>Commands</b>";

/// The description of the commands menu (setMyCommands) and of `/help`.
pub const COMMANDS_HEADING: &str = "These commands are supported:";

/// `/about` heading (*HTML*).
pub const ABOUT: &str = "<b>About my source</b>";

/// `/about`: how to cite, before the citation (*HTML*).
pub const ABOUT_CITE: &str = "Cite it as:";

/// `/about`: what the bot does not do (*HTML*).
pub const ABOUT_LIMITS: &str = "I only quote this transcript: I do not search the web, \
and I say so when the transcript does not answer.";

/// `/topics` heading (*HTML*).
pub const TOPICS: &str = "<b>Topics.</b> Tap one to see the questions I can answer on it.";

/// Heading of a topic's question list; `{topic}` is replaced by the
/// (escaped) topic name (*HTML*).
pub const TOPIC_QUESTIONS: &str = "<b>{topic}.</b> Tap a question for the answer.";

/// Said when a topic has no questions.
pub const TOPIC_EMPTY: &str = "I have no questions on this topic yet. Try another one.";

/// Heading of the related answers (*HTML*).
pub const RELATED: &str = "<b>Related answers.</b> Tap one to read it.";

/// Said when there are no related answers.
pub const NO_RELATED: &str = "I found nothing else related in the transcript.";

/// Heading of a full answer; the journalist's question follows (*HTML*).
pub const FULL_ANSWER: &str = "<b>The full answer</b> to:";

/// Introduces the journalist's question an answer replies to (*HTML*).
pub const IN_REPLY_TO: &str = "In reply to:";

/// Said when an answer continues: how to get the rest (*HTML*).
pub const MORE_HINT: &str = "<i>Say “more” for the rest, or tap “Full answer”.</i>";

/// Answer to a follow-up when the last answer has nothing more.
pub const NO_MORE: &str =
    "That is all the transcript says on it. Ask another question, or see /topics.";

/// Answer to a follow-up before any answer.
pub const NOTHING_YET: &str = "Ask me a question first; then “more” continues the answer.";

/// Answer to `/ask` without a question (*HTML*).
pub const ASK_USAGE: &str = "Put your question after the command, for example:\n\
<code>/ask What is the Shanghai spirit?</code>";

/// Answer to a message without text (a sticker, a photo) in a private chat.
pub const TEXT_ONLY: &str = "I can only read text. Please type your question.";

/// Answer to an unknown command in a private chat.
pub const UNKNOWN_COMMAND: &str = "I do not know that command. See /help.";

/// The one note a user gets when sending too many messages (*HTML*).
pub const FLOOD: &str = "You are sending messages faster than I can answer. \
I will skip some for a minute; please ask one question at a time.";

/// Answer to a button whose data is not understood (an old or forged button).
pub const BUTTON_EXPIRED: &str = "This button no longer works. Please ask again.";

/// Heading of the example questions offered when the bot does not know (*HTML*).
pub const TRY_EXAMPLES: &str = "<i>Try one of these, or browse the topics:</i>";

/// Label of the "Full answer" button.
pub const BUTTON_FULL: &str = "Full answer";

/// Label of the "Related" button.
pub const BUTTON_RELATED: &str = "Related";

/// Label of the topic button of an answer; `{topic}` is the topic name.
pub const BUTTON_TOPIC: &str = "Topic: {topic}";

/// Label of the button that opens the topic list.
pub const BUTTON_TOPICS: &str = "All topics";

/// Label of the button back to the topic list.
pub const BUTTON_BACK: &str = "« Topics";

/// Error printed (not sent) when `TELOXIDE_TOKEN` is missing.
pub const NO_TOKEN: &str = "TELOXIDE_TOKEN is not set: get a token from @BotFather and export it";

/// Error printed (not sent) when `--webhook-url` is given without `--listen`.
pub const WEBHOOK_NEEDS_LISTEN: &str =
    "--webhook-url needs --listen ADDR (the local address Telegram's requests reach)";

/// The follow-ups that continue the last answer (compared lowercase,
/// without surrounding punctuation).
pub const FOLLOW_UPS: &[&str] = &[
    "more",
    "more please",
    "tell me more",
    "go on",
    "continue",
    "why",
    "and",
    "what else",
    "anything else",
    "/more",
];

/// Topic names shown for the topic ids of the corpus.
pub const TOPIC_NAMES: &[(&str, &str)] = &[
    ("security", "Security and terrorism"),
    ("information-security", "Information security"),
    ("drugs", "Drug trafficking"),
    ("economy", "Economy and trade"),
    ("transport", "Transport"),
    ("expansion", "New members"),
    ("global-role", "Global role"),
    ("principles", "Principles"),
    ("summits", "Summits"),
    ("culture", "Culture and the press"),
];

/// Example questions offered by `/start` and when the bot does not know.
pub const EXAMPLE_QUESTIONS: &[&str] = crate::text::EXAMPLE_QUESTIONS;

/// Months for the source line's date.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
