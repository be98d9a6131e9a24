//! Small talk: messages that greet, thank, say goodbye or ask what the bot
//! is. They are not questions about the transcript, so they get a short
//! friendly reply instead of "the transcript does not say".
//!
//! Only a whole message counts ("hi there!", "thanks a lot", "who are
//! you?"); a greeting in front of a question ("hi, who runs the SCO?") is a
//! question and goes to retrieval.

use crate::text;

/// The kinds of small talk the bot answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmallTalk {
    /// "hi", "hello there", "good morning", "how are you".
    Greeting,
    /// "thanks", "thank you so much", "ok great".
    Thanks,
    /// "bye", "see you", "good night".
    Farewell,
    /// "who are you", "what can you do", "help".
    Identity,
}

/// Words that make a message small talk of one kind.
const GREETING_WORDS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "howdy",
    "greetings",
    "yo",
    "morning",
    "afternoon",
    "evening",
    "sup",
];
const THANKS_WORDS: &[&str] = &[
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "appreciated",
    "appreciate",
    "great",
    "awesome",
    "perfect",
    "cool",
    "nice",
    "ok",
    "okay",
    "helpful",
];
const FAREWELL_WORDS: &[&str] = &["bye", "goodbye", "cya", "later", "night", "farewell"];

/// Words that may go with them without making the message a question.
const FILLERS: &[&str] = &[
    "there", "bot", "a", "lot", "so", "much", "very", "you", "again", "all", "everyone", "mate",
    "friend", "good", "oh", "well", "that", "that's", "thats", "is", "was", "it", "really", "see",
    "for", "the", "help", "info", "answer", "and", "how", "are", "doing", "today", "man", "sir",
    "now", "then", "soon",
];

/// Whole questions about the bot itself.
const IDENTITY_PHRASES: &[&str] = &[
    "who are you",
    "what are you",
    "what is this",
    "what's this",
    "what can you do",
    "what do you do",
    "what do you know",
    "what can i ask",
    "what can i ask you",
    "what should i ask",
    "how does this work",
    "are you a bot",
    "are you a robot",
    "are you human",
    "help",
    "help me",
];

/// Longer messages are never small talk.
const MAX_WORDS: usize = 8;

impl SmallTalk {
    /// The kind of small talk `message` is, if it is small talk as a whole.
    pub fn detect(message: &str) -> Option<SmallTalk> {
        let lowered = message.to_lowercase().replace('’', "'");
        let words: Vec<&str> = lowered
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .map(|w| w.trim_matches('\''))
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() || words.len() > MAX_WORDS {
            return None;
        }
        if IDENTITY_PHRASES.contains(&words.join(" ").as_str()) {
            return Some(SmallTalk::Identity);
        }
        let mut kind = None;
        for word in &words {
            let this = if GREETING_WORDS.contains(word) {
                SmallTalk::Greeting
            } else if THANKS_WORDS.contains(word) {
                SmallTalk::Thanks
            } else if FAREWELL_WORDS.contains(word) {
                SmallTalk::Farewell
            } else if FILLERS.contains(word) {
                continue;
            } else {
                return None;
            };
            // "thanks, bye" ends the conversation: the farewell wins; a
            // greeting never overrides thanks or a farewell.
            kind = Some(match (kind, this) {
                (None, this) => this,
                (Some(SmallTalk::Farewell), _) | (_, SmallTalk::Farewell) => SmallTalk::Farewell,
                (Some(SmallTalk::Thanks), _) | (_, SmallTalk::Thanks) => SmallTalk::Thanks,
                (Some(previous), _) => previous,
            });
        }
        kind.or_else(|| phrase(&words))
    }

    /// The bot's reply.
    pub fn reply(self) -> &'static str {
        match self {
            SmallTalk::Greeting => text::SMALLTALK_GREETING,
            SmallTalk::Thanks => text::SMALLTALK_THANKS,
            SmallTalk::Farewell => text::SMALLTALK_FAREWELL,
            SmallTalk::Identity => text::SMALLTALK_IDENTITY,
        }
    }
}

/// Small talk made only of filler words: "how are you", "see you".
fn phrase(words: &[&str]) -> Option<SmallTalk> {
    match words {
        ["how", "are", "you", ..] => Some(SmallTalk::Greeting),
        ["see", "you", ..] => Some(SmallTalk::Farewell),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_messages_of_small_talk_are_recognised() {
        for (message, kind) in [
            ("hi", SmallTalk::Greeting),
            ("Hello there!", SmallTalk::Greeting),
            ("good morning", SmallTalk::Greeting),
            ("hi there, how are you today?", SmallTalk::Greeting),
            ("How are you?", SmallTalk::Greeting),
            ("thanks!", SmallTalk::Thanks),
            ("Thank you so much", SmallTalk::Thanks),
            ("ok great, that's helpful", SmallTalk::Thanks),
            ("hi, thanks", SmallTalk::Thanks),
            ("thanks, bye!", SmallTalk::Farewell),
            ("See you later", SmallTalk::Farewell),
            ("see you", SmallTalk::Farewell),
            ("good night", SmallTalk::Farewell),
            ("Who are you?", SmallTalk::Identity),
            ("what can you do", SmallTalk::Identity),
            ("What’s this?", SmallTalk::Identity),
            ("help!", SmallTalk::Identity),
        ] {
            assert_eq!(SmallTalk::detect(message), Some(kind), "{message}");
        }
    }

    #[test]
    fn questions_with_a_greeting_are_not_small_talk() {
        for message in [
            "hi, who runs the SCO?",
            "thanks, and how many tons of explosives were seized?",
            "hello how many members does the sco have",
            "good",
            "the",
            "",
            "!!!",
            "what do you know about drugs",
            "is the SCO doing a good job",
            "hi hi hi hi hi hi hi hi hi",
        ] {
            assert_eq!(SmallTalk::detect(message), None, "{message}");
        }
    }

    #[test]
    fn every_kind_has_its_own_reply() {
        let replies = [
            SmallTalk::Greeting.reply(),
            SmallTalk::Thanks.reply(),
            SmallTalk::Farewell.reply(),
            SmallTalk::Identity.reply(),
        ];
        for (i, reply) in replies.iter().enumerate() {
            assert!(!reply.is_empty());
            assert!(!replies[i + 1..].contains(reply), "{reply}");
        }
    }
}
