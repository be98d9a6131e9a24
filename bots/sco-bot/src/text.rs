//! Every user-facing string of the bot.

/// Shown when the chat starts.
pub const WELCOME: &str = "Ask me about the SCO: I answer from SCO Secretary-General Vladimir Norov's news \
conference of 22 April 2019. Type /help for help, /topics for what I know, /quit to leave.";

/// The chat prompt.
pub const PROMPT: &str = "you> ";

/// Shown by `/help`.
pub const HELP: &str = "\
Ask a question in your own words, for example \"How many terrorist camps were destroyed?\".
I answer with the sentences of the transcript that answer it, and where they come from.
  more      the rest of the last answer
  /topics   what I can answer, with example questions
  /help     this help
  /quit     leave (also Ctrl-D)";

/// Heading of `/topics`.
pub const TOPICS_HEADING: &str = "I can answer questions on these topics (with an example each):";

/// The topics the transcript covers, with an example question each.
pub const TOPICS: &[(&str, &str)] = &[
    ("security", "What has the SCO achieved against terrorism?"),
    ("information-security", "How many online resources did RATS block in 2017?"),
    ("drugs", "What did the SCO adopt against drug trafficking?"),
    ("economy", "What is the SCO's main economic task?"),
    ("transport", "What does the road transport agreement do?"),
    ("expansion", "Do more countries want to join the SCO?"),
    ("global-role", "What is the SCO's role in global governance?"),
    ("principles", "What is the Shanghai spirit?"),
    ("summits", "What will happen at the Bishkek summit?"),
    ("culture", "Who held the news conference, and where?"),
];

/// Said when the transcript does not answer the question.
pub const NOT_IN_TRANSCRIPT: &str = "The transcript does not say. I only know what SCO Secretary-General \
Vladimir Norov said at his news conference of 22 April 2019.";

/// Added when the topic model finds the message is not about the SCO.
pub const OFF_TOPIC: &str = "Your message does not seem to be about the SCO.";

/// Introduces a related question the transcript does answer.
pub const RELATED: &str = "A related question I can answer:";

/// Introduces example questions.
pub const EXAMPLES: &str = "You could ask, for example:";

/// Example questions shown when the bot does not know.
pub const EXAMPLE_QUESTIONS: &[&str] = &[
    "How many terrorist crimes were thwarted in 2013-2017?",
    "What is the Shanghai spirit?",
    "What does the road transport agreement do?",
];

/// Reply to a greeting.
pub const SMALLTALK_GREETING: &str = "Hello! Ask me about the SCO: I answer from SCO Secretary-General \
Vladimir Norov's news conference of 22 April 2019, for example \"What is the Shanghai spirit?\" \
Type /topics to see what I can answer.";

/// Reply to thanks.
pub const SMALLTALK_THANKS: &str =
    "You're welcome. Ask me another question about the SCO whenever you like.";

/// Reply to a goodbye.
pub const SMALLTALK_FAREWELL: &str = "Goodbye! Come back with more questions about the SCO.";

/// Reply to "who are you?".
pub const SMALLTALK_IDENTITY: &str = "I am a bot that answers questions about the Shanghai \
Cooperation Organisation with the sentences of SCO Secretary-General Vladimir Norov's news \
conference of 22 April 2019, and tells you plainly when the transcript has no answer. Ask in your \
own words; type /topics to see what I can answer.";

/// Suggests the topic list.
pub const SEE_TOPICS: &str = "Type /topics to see what I can answer.";

/// Answer to an empty message.
pub const EMPTY: &str =
    "Please type a question about the SCO, for example: \"What is the Shanghai spirit?\"";

/// Answer to an over-long message; `{max}` is replaced by the limit.
pub const TOO_LONG: &str =
    "That message is too long. Please ask one question, in at most {max} characters.";

/// Answer to a message without words (emoji, punctuation).
pub const NO_WORDS: &str =
    "I need a question in words, for example: \"Who is the SCO Secretary-General?\"";

/// Answer to a message in another script.
pub const OTHER_LANGUAGE: &str = "I can only answer questions in English. Please ask again in English, for example: \"What is the Shanghai spirit?\"";

/// Answer to a message with control characters.
pub const CONTROL_CHARACTERS: &str =
    "The message contains control characters. Please send a plain-text question.";

/// Answer to a message that looks like HTML or markup.
pub const MARKUP: &str = "The message looks like HTML or code. Please send a plain-text question.";

/// Answer to `more` when there is nothing more.
pub const NO_MORE: &str = "That is all the transcript says on it.";

/// Answer to `more` before any answer.
pub const NOTHING_YET: &str = "Ask a question first; `more` then continues the answer.";

/// Answer to an unknown slash command.
pub const UNKNOWN_COMMAND: &str = "Unknown command. Type /help for help.";

/// Said when leaving the chat.
pub const BYE: &str = "Goodbye.";

/// Introduces the journalist's question an answer replies to.
pub const ANSWERING: &str = "In reply to:";

/// Says that `more` continues.
pub const MORE_HINT: &str = "(type `more` for the rest of this answer)";

/// Usage error of `ask` without a question.
pub const ASK_USAGE: &str = "usage: sco-bot ask \"QUESTION\" | sco-bot ask --json < questions.txt";
