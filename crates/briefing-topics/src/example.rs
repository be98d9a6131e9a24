//! Labelled examples and their JSONL form (`{"text": str, "label": str}` per line).

use crate::{Error, Result};
use std::io::BufRead;
use std::path::Path;

/// A text with its label.
///
/// ```
/// use briefing_topics::Example;
/// let example = Example::new("Where is Tashkent?", "LOC");
/// assert_eq!(example.label, "LOC");
/// assert_eq!(example.line, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The text to classify.
    pub text: String,
    /// Its label.
    pub label: String,
    /// The 1-based line it was read from, if it came from JSONL; used in error messages.
    pub line: Option<usize>,
}

impl Example {
    /// An example made in code (no source line).
    pub fn new(text: impl Into<String>, label: impl Into<String>) -> Example {
        Example { text: text.into(), label: label.into(), line: None }
    }

    /// `line N` for an example read from a file, else `example N` from its position `idx`.
    pub(crate) fn location(&self, idx: usize) -> String {
        match self.line {
            Some(line) => format!("line {line}"),
            None => format!("example {}", idx + 1),
        }
    }
}

/// Reads a JSONL file of `{"text": str, "label": str}` objects, one per line.
///
/// Blank lines are skipped and other fields are ignored. Every example remembers its line.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; otherwise [`Error::WithPath`] around
/// [`Error::Line`] for the first line that is not such an object (its line number and what is
/// wrong), or around [`Error::Empty`] when the file holds no example.
pub fn read_jsonl(path: &Path) -> Result<Vec<Example>> {
    let file =
        std::fs::File::open(path).map_err(|error| Error::Io { path: path.to_path_buf(), error })?;
    parse_jsonl(std::io::BufReader::new(file)).map_err(|error| error.with_path(path))
}

/// Parses JSONL examples from a reader; see [`read_jsonl`].
///
/// ```
/// use briefing_topics::parse_jsonl;
/// let data = "{\"text\": \"hi there\", \"label\": \"greeting\"}\n\n{\"text\": \"bye\"}\n";
/// let error = parse_jsonl(data.as_bytes()).unwrap_err();
/// assert_eq!(error.to_string(), "line 3: missing field \"label\"");
/// ```
///
/// # Errors
///
/// [`Error::Line`] for the first unusable line, [`Error::Empty`] when there is no example, and
/// [`Error::Io`] (with an empty path) when reading fails.
pub fn parse_jsonl(reader: impl BufRead) -> Result<Vec<Example>> {
    let mut examples = Vec::new();
    for (line_idx, line) in reader.lines().enumerate() {
        let line_no = line_idx + 1;
        let line = line.map_err(|source| match source.kind() {
            std::io::ErrorKind::InvalidData => {
                Error::Line { line: line_no, message: "not valid UTF-8".to_owned() }
            }
            _ => Error::Io { path: Default::default(), error: source },
        })?;
        if line.trim().is_empty() {
            continue;
        }
        examples.push(parse_line(&line, line_no)?);
    }
    if examples.is_empty() {
        return Err(Error::Empty("the input has no {\"text\", \"label\"} lines".to_owned()));
    }
    Ok(examples)
}

fn parse_line(line: &str, line_no: usize) -> Result<Example> {
    let fail = |message: String| Error::Line { line: line_no, message };
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| fail(format!("invalid JSON: {}", json_reason(&e))))?;
    let Some(object) = value.as_object() else {
        return Err(fail("expected a JSON object with \"text\" and \"label\"".to_owned()));
    };
    let field = |name: &str| match object.get(name) {
        None => Err(fail(format!("missing field {name:?}"))),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(fail(format!("field {name:?} must be a string"))),
    };
    let text = field("text")?;
    let label = field("label")?;
    if label.trim().is_empty() {
        return Err(fail("empty label".to_owned()));
    }
    Ok(Example { text, label, line: Some(line_no) })
}

/// serde_json's message without its "at line 1 column N" suffix, plus the column.
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let reason = message.split(" at line ").next().unwrap_or(&message);
    format!("{reason} (column {})", error.column())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn check_error(input: &str, expect: &str) {
        let error = parse_jsonl(input.as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), expect);
    }

    #[test]
    fn reads_lines_with_their_numbers() {
        let input =
            "{\"text\":\"a b\",\"label\":\"x\",\"id\":7}\n\n  \n{\"label\":\"y\",\"text\":\"\"}\n";
        let examples = parse_jsonl(input.as_bytes()).unwrap();
        assert_eq!(
            examples,
            [
                Example { text: "a b".into(), label: "x".into(), line: Some(1) },
                Example { text: String::new(), label: "y".into(), line: Some(4) },
            ]
        );
    }

    #[test]
    fn malformed_lines_name_their_line() {
        check_error("", "no examples: the input has no {\"text\", \"label\"} lines");
        check_error("\n \n", "no examples: the input has no {\"text\", \"label\"} lines");
        check_error(
            "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": \"b\", \"label\": }\n",
            "line 2: invalid JSON: expected value (column 24)",
        );
        check_error("[1, 2]", "line 1: expected a JSON object with \"text\" and \"label\"");
        check_error("{\"text\": 3, \"label\": \"x\"}", "line 1: field \"text\" must be a string");
        check_error("{\"text\": \"a\"}", "line 1: missing field \"label\"");
        check_error("{\"text\": \"a\", \"label\": \" \"}", "line 1: empty label");
        check_error(
            "\n\n{\"text\": \"a\", \"label\": \"x\"",
            "line 3: invalid JSON: EOF while parsing an object (column 26)",
        );
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let input = b"{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"\xff\",\"label\":\"x\"}\n";
        let error = parse_jsonl(&input[..]).unwrap_err();
        assert_eq!(error.to_string(), "line 2: not valid UTF-8");
    }

    #[test]
    fn read_jsonl_adds_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("train.jsonl");
        std::fs::write(&path, "{\"text\":\"a\",\"label\":\"x\"}\nnot json\n").unwrap();
        let error = read_jsonl(&path).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{}: line 2: invalid JSON: expected ident (column 2)", path.display())
        );
        let missing = dir.path().join("missing.jsonl");
        let error = read_jsonl(&missing).unwrap_err();
        assert!(error.to_string().starts_with(&format!("{}: ", missing.display())), "{error}");
    }
}
