//! The handler tree: which updates reach which handler. It depends only on
//! what the dispatcher is given (`Arc<Assistant>`, [`BotConfig`](super::BotConfig),
//! the dialogue storage and the flood guard); it reads no environment and
//! no files.

use super::handlers;
use super::state::{ChatStorage, State};
use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::utils::command::BotCommands;

/// The bot's commands; their doc comments are the menu (setMyCommands) and
/// `/help`.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// What I know, with example questions.
    Start(String),
    /// How to ask me, and my commands.
    Help,
    /// The topics I can answer, as buttons.
    Topics,
    /// My source and how to cite it.
    About,
    /// Ask a question, e.g. /ask What is the Shanghai spirit?
    Ask(String),
}

impl Command {
    /// `(command, description)` of each command, in menu order.
    #[must_use]
    pub fn menu() -> Vec<(String, String)> {
        Command::bot_commands()
            .into_iter()
            .map(|c| (c.command.trim_start_matches('/').to_owned(), c.description))
            .collect()
    }
}

/// The handler tree: messages addressed to the bot (all of them in a
/// private chat; in groups commands, mentions and replies to the bot),
/// then the flood check, the chat's dialogue, and commands before
/// questions; button presses likewise.
#[must_use]
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .filter(handlers::addressed_to_me)
        .filter_async(handlers::not_flooded)
        .enter_dialogue::<Update, ChatStorage, State>()
        .branch(dptree::entry().filter_command::<Command>().endpoint(handlers::command))
        .branch(dptree::endpoint(handlers::message));
    let buttons = Update::filter_callback_query()
        .filter_async(handlers::not_flooded)
        .enter_dialogue::<Update, ChatStorage, State>()
        .endpoint(handlers::callback);
    dptree::entry().branch(messages).branch(buttons)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn parses_commands() {
        let parse = |text: &str| Command::parse(text, "sco_test_bot").ok();
        assert_eq!(parse("/start"), Some(Command::Start(String::new())));
        assert_eq!(parse("/help"), Some(Command::Help));
        assert_eq!(parse("/topics@sco_test_bot"), Some(Command::Topics));
        assert_eq!(
            parse("/ask What is the Shanghai spirit?"),
            Some(Command::Ask("What is the Shanghai spirit?".into()))
        );
        assert_eq!(parse("/ask"), Some(Command::Ask(String::new())));
        assert_eq!(parse("/ask@other_bot hi"), None);
        assert_eq!(parse("/nope"), None);
    }

    #[test]
    fn the_menu_comes_from_the_doc_comments() {
        let menu = Command::menu();
        let names: Vec<&str> = menu.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["start", "help", "topics", "about", "ask"]);
        assert!(menu.iter().all(|(_, d)| !d.is_empty()));
    }
}
