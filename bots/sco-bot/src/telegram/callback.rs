//! What an inline button does, and its `callback_data` codec: short ASCII
//! strings of at most 64 bytes (Telegram's limit) that carry indices, never
//! text, so a button still works after a restart and a forged one is
//! rejected.
//!
//! ```
//! use sco_bot::telegram::callback::Action;
//! let action = Action::Related(vec![12, 7, 30]);
//! assert_eq!(action.encode(), "r:12.7.30");
//! assert_eq!(Action::decode("r:12.7.30"), Some(action));
//! assert_eq!(Action::decode("<script>"), None);
//! ```

/// Telegram's limit on `callback_data`, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// The largest index a button may carry.
const MAX_INDEX: usize = 999_999;

/// What a button does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The whole answer turn of a passage (`f:P`).
    Full(usize),
    /// The next best answers: these passages (`r:P.P.P`).
    Related(Vec<usize>),
    /// Open a passage as an answer (`p:P`).
    Passage(usize),
    /// The questions of a topic, in a new message (`t:T`).
    Topic(usize),
    /// The questions of a topic, replacing the message (`u:T`).
    TopicHere(usize),
    /// The topic list, in a new message (`ts`).
    Topics,
    /// The topic list, replacing the message (`us`).
    TopicsHere,
    /// Ask the `Q`-th bank question of passage `P` (`q:P.Q`).
    Question(usize, usize),
    /// Ask the example question of a topic (`x:T`).
    TopicExample(usize),
    /// Ask an example question (`e:E`).
    Example(usize),
}

impl Action {
    /// The callback data; at most [`MAX_CALLBACK_BYTES`] bytes (a related
    /// list is cut to fit).
    #[must_use]
    pub fn encode(&self) -> String {
        match self {
            Action::Full(p) => format!("f:{p}"),
            Action::Related(passages) => {
                let mut out = String::from("r:");
                for (i, p) in passages.iter().enumerate() {
                    let item = if i == 0 { p.to_string() } else { format!(".{p}") };
                    if out.len() + item.len() > MAX_CALLBACK_BYTES {
                        break;
                    }
                    out.push_str(&item);
                }
                out
            }
            Action::Passage(p) => format!("p:{p}"),
            Action::Topic(t) => format!("t:{t}"),
            Action::TopicHere(t) => format!("u:{t}"),
            Action::Topics => "ts".to_owned(),
            Action::TopicsHere => "us".to_owned(),
            Action::Question(p, q) => format!("q:{p}.{q}"),
            Action::TopicExample(t) => format!("x:{t}"),
            Action::Example(e) => format!("e:{e}"),
        }
    }

    /// Parses callback data; `None` for anything [`Action::encode`] does not
    /// produce (indices are checked against the corpus by the caller).
    #[must_use]
    pub fn decode(data: &str) -> Option<Action> {
        if data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        match data {
            "ts" => return Some(Action::Topics),
            "us" => return Some(Action::TopicsHere),
            _ => {}
        }
        let (kind, rest) = data.split_once(':')?;
        let numbers = rest.split('.').map(index).collect::<Option<Vec<usize>>>()?;
        match (kind, numbers.as_slice()) {
            ("f", [p]) => Some(Action::Full(*p)),
            ("r", [_, ..]) => Some(Action::Related(numbers)),
            ("p", [p]) => Some(Action::Passage(*p)),
            ("t", [t]) => Some(Action::Topic(*t)),
            ("u", [t]) => Some(Action::TopicHere(*t)),
            ("q", [p, q]) => Some(Action::Question(*p, *q)),
            ("x", [t]) => Some(Action::TopicExample(*t)),
            ("e", [e]) => Some(Action::Example(*e)),
            _ => None,
        }
    }
}

/// A decimal index without sign, leading zeros or other characters.
fn index(text: &str) -> Option<usize> {
    let canonical = !text.is_empty()
        && text.len() <= 6
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten().filter(|n| *n <= MAX_INDEX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(action: Action, data: &str) {
        assert_eq!(action.encode(), data);
        assert!(data.len() <= MAX_CALLBACK_BYTES);
        assert_eq!(Action::decode(data), Some(action));
    }

    #[test]
    fn round_trips() {
        check(Action::Full(0), "f:0");
        check(Action::Related(vec![3]), "r:3");
        check(Action::Related(vec![999_999, 5, 17]), "r:999999.5.17");
        check(Action::Passage(41), "p:41");
        check(Action::Topic(9), "t:9");
        check(Action::TopicHere(2), "u:2");
        check(Action::Topics, "ts");
        check(Action::TopicsHere, "us");
        check(Action::Question(12, 3), "q:12.3");
        check(Action::TopicExample(4), "x:4");
        check(Action::Example(2), "e:2");
    }

    #[test]
    fn related_lists_are_cut_to_64_bytes() {
        let data = Action::Related(vec![999_999; 20]).encode();
        assert!(data.len() <= MAX_CALLBACK_BYTES, "{}", data.len());
        assert_eq!(Action::decode(&data), Some(Action::Related(vec![999_999; 9])));
    }

    #[test]
    fn rejects_anything_else() {
        for data in [
            "",
            ":",
            "f",
            "f:",
            "f:-1",
            "f:+1",
            "f:01",
            "f:1.2",
            "f:1234567",
            "f: 1",
            "F:1",
            "r:",
            "r:1..2",
            "q:1",
            "q:1.2.3",
            "z:1",
            "ts ",
            "<b>x</b>",
            "f:١",
            "f:1\u{200b}",
        ] {
            assert_eq!(Action::decode(data), None, "{data:?}");
        }
        assert_eq!(Action::decode(&format!("r:{}", "1.".repeat(40))), None);
    }
}
