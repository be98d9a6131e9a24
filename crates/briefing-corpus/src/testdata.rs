//! Small inline fixtures shared by the crate's tests (like ripgrep's `hay.rs`).

/// A plain transcript: title, date line, two lead paragraphs (no blank line
/// between them), then three turns. No-break spaces and curly quotes included.
/// Paragraphs: p0 title, p1 date, p2-p3 lead, p4 question, p5-p6 answer,
/// p7 question, p8-p10 answer, p11-p12 question, p13 answer.
pub(crate) const TRANSCRIPT: &str = "\
Ann Lee: the region\u{2019}s role will be growing
03.05.2021 14:05

Minister Ann Lee met\u{a0}the press at\u{a0}the ministry.
She answered questions from the \u{201c}Daily\u{201d} and other media.

What are your expectations from the summit? Will it bring anything new?

Each summit opens a new page. We expect\u{a0}progress.
The leaders will sign three agreements.

What is the region\u{2019}s role today?

It grows every year.

It is bigger than before. Trade is up.
Transport is next.
Is that all?
Can you say more?

No. That is all for today.";

/// Plain-text paragraphs, one per line, long lines and no transcript shape.
pub(crate) const PLAIN_LINES: &str = "\
The committee met on Monday to review the budget for the next year and agreed on most of the items that were left open.
Members asked for more details on transport spending. The chair promised a report.

A second meeting is planned for the spring.
";

/// Hard-wrapped prose: blank lines separate three paragraphs.
pub(crate) const PLAIN_WRAPPED: &str = "\
The committee met on Monday to review the budget for the
next year and agreed on most of the items that were left
open after the autumn session.

Members asked for more details on transport spending, and
the chair promised a report by the end of the month.

A second meeting is planned for the spring.
";

/// A `Q:`/`A:` transcript with a header, a two-paragraph answer and a label-only line.
pub(crate) const MARKED_QA: &str = "\
Talk with the mayor
10.10.2022

Q: Why did the bridge close?
A: Because of repairs.
They end in May.
Q:
And the tram?
A: It runs as usual.
";

/// A transcript with speaker labels; its first line looks like a label but is the title.
pub(crate) const MARKED_SPEAKERS: &str = "\
Ann Lee: our region will keep growing
03.05.2021 14:05

MODERATOR: Welcome to the briefing. Let us start.
REPORTER (DAILY): What is the plan for roads?
LEE: We will build two roads.
Both open next year.

MODERATOR: Next question, please.
Ben Ode: And the budget?
LEE: It is approved.
";

/// A marked transcript without a title, where the answerer speaks the most.
pub(crate) const MARKED_NO_META: &str = "\
HOST: How was the trip?
GUEST: Long, but it was worth every hour of it. We saw the new port.
HOST: Would you go again?
GUEST: Yes, next year, with the whole team and the new ministers.
";

/// Three JSONL documents and four bad lines.
/// Line 1: ok; 2: blank; 3: not JSON; 4: ok (numeric id, metadata);
/// 5: no text; 6: text not a string; 7: not an object; 8: empty text; 9: ok (no id).
pub(crate) const JSONL: &str = r#"{"id": "a", "text": "First doc. It has two sentences.", "speaker": "Ann Lee", "score": 3}

{"id": "b", "text": broken}
{"id": 7, "text": "Para one.\n\nPara two.", "date": "2020-01-02", "tags": ["x"], "ok": true, "none": null}
{"id": "c"}
{"text": 5}
["text"]
{"text": "   "}
{"text": "Last one."}
"#;
