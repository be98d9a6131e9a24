//! The terminal chat: line editing and history on a terminal, plain lines
//! when stdin is piped.

use crate::assistant::{Assistant, Reply};
use crate::text;
use std::collections::VecDeque;
use std::io::{BufRead, Write};

/// Renders a reply for people: the answer, the source line, the journalist's
/// question it replies to, and a hint when `more` has something.
pub fn render(reply: &Reply) -> String {
    let mut out = reply.text.clone();
    if reply.answered {
        let s = &reply.source;
        let parts: Vec<&str> =
            [s.speaker.as_str(), s.role.as_str(), s.event.as_str(), s.date.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect();
        if !parts.is_empty() {
            out.push_str(&format!("\n  — {}", parts.join(", ")));
        }
        if let Some(question) = &reply.turn_question {
            out.push_str(&format!("\n  {} \"{}\"", text::ANSWERING, question.replace('\n', " ")));
        }
        if !reply.more.is_empty() {
            out.push_str(&format!("\n  {}", text::MORE_HINT));
        }
    }
    out
}

/// What the chat does with one input line.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Quit,
    Output(String),
}

/// The chat's state: the rest of the last answer.
#[derive(Debug, Default)]
struct Session {
    more: VecDeque<String>,
    asked: bool,
}

impl Session {
    fn handle(&mut self, assistant: &Assistant, line: &str) -> Action {
        let input = line.trim();
        match input.to_lowercase().as_str() {
            "/quit" | "/exit" | "/q" => return Action::Quit,
            "/help" | "/h" | "/?" => return Action::Output(text::HELP.to_owned()),
            "/topics" => return Action::Output(topics()),
            "more" | "/more" | "more." | "more please" => {
                return Action::Output(match self.more.pop_front() {
                    Some(chunk) if self.more.is_empty() => chunk,
                    Some(chunk) => format!("{chunk}\n  {}", text::MORE_HINT),
                    None if self.asked => text::NO_MORE.to_owned(),
                    None => text::NOTHING_YET.to_owned(),
                });
            }
            _ => {}
        }
        if input.starts_with('/') && !input.contains(' ') {
            return Action::Output(text::UNKNOWN_COMMAND.to_owned());
        }
        let reply = assistant.answer(input);
        self.asked = true;
        self.more = reply.more.iter().cloned().collect();
        Action::Output(render(&reply))
    }
}

fn topics() -> String {
    let mut out = text::TOPICS_HEADING.to_owned();
    for (topic, example) in text::TOPICS {
        out.push_str(&format!("\n  {topic:<22} {example}"));
    }
    out
}

/// Runs the chat until `/quit` or end of input. On a terminal it uses
/// `rustyline` (line editing, history); otherwise it reads plain lines.
pub fn run(assistant: &Assistant, terminal: bool) -> anyhow::Result<()> {
    let mut session = Session::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}", text::WELCOME)?;
    if terminal {
        let mut editor = rustyline::DefaultEditor::new()?;
        loop {
            match editor.readline(text::PROMPT) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    match session.handle(assistant, &line) {
                        Action::Quit => break,
                        Action::Output(reply) => writeln!(out, "{reply}\n")?,
                    }
                }
                Err(
                    rustyline::error::ReadlineError::Interrupted
                    | rustyline::error::ReadlineError::Eof,
                ) => break,
                Err(error) => return Err(error.into()),
            }
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            match session.handle(assistant, &line) {
                Action::Quit => break,
                Action::Output(reply) => writeln!(out, "{reply}\n")?,
            }
        }
    }
    writeln!(out, "{}", text::BYE)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::corpus::Corpus;

    #[test]
    fn commands_and_more_follow_the_session() {
        let assistant = Assistant::new(&Corpus::embedded().unwrap()).unwrap();
        let mut session = Session::default();
        assert_eq!(
            session.handle(&assistant, "more"),
            Action::Output(text::NOTHING_YET.to_owned())
        );
        assert_eq!(session.handle(&assistant, "/help"), Action::Output(text::HELP.to_owned()));
        assert_eq!(session.handle(&assistant, " /QUIT "), Action::Quit);
        assert_eq!(
            session.handle(&assistant, "/nope"),
            Action::Output(text::UNKNOWN_COMMAND.to_owned())
        );
        let Action::Output(topics) = session.handle(&assistant, "/topics") else {
            panic!("topics")
        };
        assert!(topics.contains("information-security"));
        let Action::Output(answer) =
            session.handle(&assistant, "How many terrorist training camps were liquidated?")
        else {
            panic!("answer")
        };
        let answer = answer.replace('\u{a0}', " ");
        assert!(answer.contains("over 500 terrorist training camps were liquidated"), "{answer}");
        assert!(answer.contains("Vladimir Norov"));
        let mut n_more = 0;
        while let Action::Output(chunk) = session.handle(&assistant, "more") {
            if chunk == text::NO_MORE {
                break;
            }
            n_more += 1;
            assert!(n_more < 20);
        }
        assert!(n_more >= 1);
    }
}
