//! `briefing process`: the CLI contract on generated corpora, run on the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tests::briefing;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A small transcript: title, date line, lead, then question/answer turns.
fn transcript(n: usize) -> String {
    let mut text = format!(
        "Press conference number {n}\n22.04.2019 10:00\n\nThe minister met the press in Tashkent.\n\n"
    );
    for turn in 0..4 {
        text.push_str(&format!("What about trade route {turn} and security?\n"));
        text.push_str(&format!(
            "Trade grew by {turn}0 percent. The members agreed on route {n}-{turn}, and the councils’ cooperation continues.\n\n"
        ));
    }
    text
}

/// Writes `contents` to `dir/name`, creating parent directories.
fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// A corpus with nested directories, Markdown, JSONL (with and without ids) and gzip files.
fn corpus(dir: &Path) {
    for n in 0..24 {
        write(dir, &format!("talks/{}/t{n:02}.txt", n % 3), transcript(n).as_bytes());
    }
    write(
        dir,
        "notes/readme.md",
        b"# Notes\n\nSome *markdown* notes about the summit.\n\nA second paragraph.\n",
    );
    write(dir, "archive/old.txt.gz", &gzip(transcript(99).as_bytes()));
    let mut jsonl = String::new();
    for n in 0..30 {
        if n % 7 == 3 {
            jsonl.push_str(&format!(
                "{{\"text\": \"Line without id {n}. Economy and transport.\"}}\n"
            ));
        } else {
            jsonl.push_str(&format!("{{\"id\": \"speech-{n}\", \"text\": \"Speech {n} opens.\\n\\nIt ends on drugs policy {n}.\"}}\n"));
        }
    }
    write(dir, "speeches.jsonl", jsonl.as_bytes());
    write(dir, "more/speeches.jsonl.gz", &gzip(jsonl.as_bytes()));
    write(dir, "ignored.html", b"<p>not read</p>");
}

fn process(args: &[&str]) -> Output {
    briefing().arg("process").args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "5"] {
        let out = dir.path().join(format!("out-{threads}.jsonl"));
        // Tiny units, so that many run at once and finish out of order.
        let output =
            process(&[s(&input), "--out", s(&out), "--threads", threads, "--unit-bytes", "700"]);
        assert!(output.status.success(), "{}", stderr(&output));
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert!(outputs[0] == outputs[1] && outputs[1] == outputs[2]);
    let whole = dir.path().join("whole.jsonl");
    assert!(process(&[s(&input), "--out", s(&whole)]).status.success());
    assert!(std::fs::read(&whole).unwrap() == outputs[0], "unit size does not change the output");
}

#[test]
fn records_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input);
    let out = dir.path().join("out.jsonl");
    let stats = dir.path().join("stats.json");
    let output = process(&[s(&input), "--out", s(&out), "--stats", s(&stats)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&out);

    // Walk order: sorted paths; ids relative to the input root.
    let docs: Vec<&str> = records.iter().map(|r| r["doc"].as_str().unwrap()).collect();
    let mut first_seen: Vec<&str> = Vec::new();
    for doc in &docs {
        if first_seen.last() != Some(doc) {
            first_seen.push(doc);
        }
    }
    assert_eq!(first_seen[0], "archive/old.txt.gz");
    assert_eq!(
        first_seen[1], "speech-0",
        "JSONL documents keep their ids, gzip or not: {first_seen:?}"
    );
    assert!(first_seen.contains(&"more/speeches.jsonl.gz:4"), "{first_seen:?}");
    assert!(first_seen.contains(&"notes/readme.md"));
    assert!(first_seen.contains(&"talks/0/t00.txt"));
    assert!(
        first_seen.contains(&"speeches.jsonl:4"),
        "a line without id is FILE:LINE: {first_seen:?}"
    );
    assert!(!docs.iter().any(|d| d.contains("ignored")));
    let talks: Vec<&&str> = first_seen.iter().filter(|d| d.starts_with("talks/")).collect();
    let mut sorted = talks.clone();
    sorted.sort();
    assert_eq!(talks, sorted);

    // Every field, and spans that point into the original text.
    for record in &records {
        let keys: Vec<&str> = record.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 6, "{record}");
        for key in ["doc", "paragraph", "span", "text", "n_tokens", "topic"] {
            assert!(record.get(key).is_some(), "{key} in {record}");
        }
        assert!(record["topic"].is_null());
        assert!(record["paragraph"].as_str().unwrap().starts_with('p'));
        let doc = record["doc"].as_str().unwrap();
        if doc.starts_with("talks/") {
            let original = std::fs::read_to_string(input.join(doc)).unwrap();
            let span = record["span"].as_array().unwrap();
            let (start, end) =
                (span[0].as_u64().unwrap() as usize, span[1].as_u64().unwrap() as usize);
            assert_eq!(&original[start..end], record["text"].as_str().unwrap());
        }
    }
    let t00: Vec<&Value> = records.iter().filter(|r| r["doc"] == "talks/0/t00.txt").collect();
    assert_eq!(t00.len(), 11);
    assert_eq!(t00[3]["text"], "What about trade route 0 and security?");
    assert_eq!(t00[3]["n_tokens"], 7);
    assert_eq!(t00[3]["paragraph"], "p3");
    let speech: Vec<&Value> = records.iter().filter(|r| r["doc"] == "speech-1").collect();
    assert_eq!(speech.len(), 4, "two paragraphs, in the plain and the gzip file");
    assert_eq!(speech[1]["span"], serde_json::json!([17, 43]));

    // The summary on stderr and as JSON.
    let err = stderr(&output);
    assert!(err.contains("paragraphs") && err.contains("MB/s"), "{err}");
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(stats["paragraphs"], records.len());
    assert_eq!(stats["files"], 28);
    assert_eq!(stats["files_ok"], 28);
    assert_eq!(stats["files_skipped"], 1);
    assert_eq!(stats["errors"], 0);
    let n_tokens: u64 = records.iter().map(|r| r["n_tokens"].as_u64().unwrap()).sum();
    assert_eq!(stats["tokens"], n_tokens);
    assert!(stats["vocabulary"].as_u64().unwrap() > 20);
    assert!(stats["sentences"].as_u64().unwrap() >= records.len() as u64);
    for key in ["bytes", "seconds", "mb_per_s", "documents", "topics"] {
        assert!(stats.get(key).is_some(), "{key}");
    }
}

#[test]
fn bad_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input, "good.txt", transcript(1).as_bytes());
    write(&input, "binary.txt", b"PK\x03\x04\x00\x00binary\x00data");
    write(&input, "latin1.txt", b"caf\xe9 au lait\n");
    write(&input, "empty.txt", b"");
    write(&input, "empty.jsonl", b"");
    write(
        &input,
        "truncated.jsonl",
        b"{\"id\": \"a\", \"text\": \"Fine line.\"}\n{\"id\": \"b\", \"text\": \"cut he",
    );
    let mut huge = b"{\"id\": \"huge\", \"text\": \"".to_vec();
    huge.resize(50 * 1024 * 1024, b'a');
    huge.extend_from_slice(b"\"}\n{\"id\": \"after\", \"text\": \"After the long line.\"}\n");
    write(&input, "huge.jsonl", &huge);
    drop(huge);
    write(&input, "bad.txt.gz", &gzip(b"some text")[..12]);
    let locked = write(&input, "locked.txt", transcript(2).as_bytes());
    let unreadable = make_unreadable(&locked);

    let out = dir.path().join("out.jsonl");
    let stats = dir.path().join("stats.json");
    let output = process(&[s(&input), "--out", s(&out), "--stats", s(&stats)]);
    let err = stderr(&output);
    assert!(output.status.success(), "some files were processed: {err}");
    let p = |name: &str| input.join(name).display().to_string();
    for expected in [
        format!("briefing: {}: binary data: nul byte at byte offset 4", p("binary.txt")),
        format!("briefing: {}: invalid utf-8 at byte offset 3", p("latin1.txt")),
        format!("briefing: {}: file is empty", p("empty.txt")),
        format!("briefing: {}: file is empty", p("empty.jsonl")),
        format!(
            "briefing: {}: line 2: invalid json at column 27: EOF while parsing a string",
            p("truncated.jsonl")
        ),
        format!("briefing: {}: line 1: line is longer than 16777216 bytes", p("huge.jsonl")),
        format!("briefing: {}: invalid or truncated gzip data", p("bad.txt.gz")),
        format!("briefing: {}: {}", unreadable.display(), "permission denied"),
    ] {
        let expected = if expected.ends_with("permission denied")
            && !is_permission_test(&locked, &unreadable)
        {
            format!("briefing: {}: no such file or directory", unreadable.display())
        } else {
            expected
        };
        assert!(
            err.lines().any(|line| line.starts_with(&expected)),
            "missing {expected:?} in:\n{err}"
        );
    }
    let docs: Vec<String> =
        records(&out).iter().map(|r| r["doc"].as_str().unwrap().to_owned()).collect();
    assert!(docs.contains(&"good.txt".to_owned()));
    assert!(docs.contains(&"a".to_owned()), "the good line of a truncated file is kept");
    assert!(docs.contains(&"after".to_owned()), "the line after a 50 MB line is kept");
    assert!(
        !docs
            .iter()
            .any(|d| d == "huge" || d == "b" || d.starts_with("locked") || d.starts_with("binary"))
    );
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let n_failed = if is_permission_test(&locked, &unreadable) { 6 } else { 5 };
    assert_eq!(stats["files_failed"], n_failed, "{stats}");
    assert_eq!(stats["errors"], 8, "{stats}");
}

#[test]
fn nothing_processed_fails_and_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input, "empty.txt", b"");
    write(&input, "binary.md", b"\x00\x01\x02");
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "previous run\n").unwrap();
    let output = process(&[s(&input), s(&dir.path().join("missing")), "--out", s(&out)]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("nothing could be processed"), "{err}");
    assert!(err.contains("missing: no such file or directory"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous run\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left behind");

    // An output that cannot be written is an error too.
    write(&input, "good.txt", transcript(3).as_bytes());
    let output = process(&[s(&input), "--out", s(&dir.path().join("no/such/dir/out.jsonl"))]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot write"), "{}", stderr(&output));
}

#[test]
fn an_interrupted_run_never_leaves_a_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for n in 0..100 {
        write(&input, &format!("t{n:03}.txt"), transcript(n).repeat(10).as_bytes());
    }
    let full = dir.path().join("full.jsonl");
    assert!(process(&[s(&input), "--out", s(&full), "--threads", "1"]).status.success());
    let full = std::fs::read(&full).unwrap();
    for delay_ms in [20, 150] {
        let out = dir.path().join(format!("killed-{delay_ms}.jsonl"));
        let mut child = briefing()
            .args(["process", s(&input), "--out", s(&out), "--threads", "1"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        // Either the run finished (the whole output) or it did not (no file under the final name).
        if out.exists() {
            assert!(std::fs::read(&out).unwrap() == full, "a partial file under the final name");
        }
    }
    assert!(!full.is_empty());
}

#[test]
fn topics_label_paragraphs_with_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut train = String::new();
    for n in 0..20 {
        train.push_str(&format!(
            "{{\"text\": \"trade and economy growth {n}\", \"label\": \"economy\"}}\n"
        ));
        train.push_str(&format!(
            "{{\"text\": \"terrorism and security threats {n}\", \"label\": \"security\"}}\n"
        ));
    }
    let data = write(dir.path(), "train.jsonl", train.as_bytes());
    let model = dir.path().join("model.bin");
    let output = briefing()
        .args(["topics", "train", "--data", s(&data), "--out", s(&model)])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let input = write(
        dir.path(),
        "in/a.txt",
        b"Trade and economy grew.\n\nTerrorism threats and security were discussed.\n",
    );
    let out = dir.path().join("out.jsonl");
    let stats = dir.path().join("stats.json");
    let output =
        process(&[s(&input), "--out", s(&out), "--topics", s(&model), "--stats", s(&stats)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let topics: Vec<Value> = records(&out).iter().map(|r| r["topic"].clone()).collect();
    assert_eq!(topics, [Value::from("economy"), Value::from("security")]);
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(stats["topics"], serde_json::json!({"economy": 1, "security": 1}));
}

/// Makes `path` unreadable: `chmod 000`, which root ignores, so for root it
/// is replaced by a dangling symlink (unreadable for another reason).
/// Returns the path the error will name.
fn make_unreadable(path: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(path).is_err() {
        return path.to_path_buf();
    }
    std::fs::remove_file(path).unwrap();
    let link = path.with_file_name("dangling.txt");
    std::os::unix::fs::symlink(path.with_file_name("gone.txt"), &link).unwrap();
    link
}

fn is_permission_test(locked: &Path, unreadable: &Path) -> bool {
    locked == unreadable
}

/// A gzip member holding `data` in stored (uncompressed) deflate blocks.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
