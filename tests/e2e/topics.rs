//! `briefing topics train|eval|predict|cv`: the CLI contract, run on the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tests::{briefing, run_with_stdin};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Output, Stdio};

const SUBJECTS: &[&str] = &[
    "the summit",
    "the charter",
    "the council",
    "the treaty",
    "the bank",
    "the forum",
    "the railway",
    "the festival",
    "the exercise",
    "the secretariat",
];

const TEMPLATES: &[(&str, &str)] = &[
    ("Who signed {}?", "HUM"),
    ("Who chaired {} last year?", "HUM"),
    ("Where is {} based?", "LOC"),
    ("Which city hosted {}?", "LOC"),
    ("How many countries joined {}?", "NUM"),
    ("When was {} founded?", "NUM"),
];

/// JSONL of generated questions: the even subjects for training, the odd ones for testing.
fn data(parity: usize) -> String {
    let mut out = String::new();
    for (idx, subject) in SUBJECTS.iter().enumerate().filter(|(i, _)| i % 2 == parity) {
        for (template, label) in TEMPLATES {
            let text = template.replace("{}", subject);
            let line = serde_json::json!({ "text": text, "label": label, "id": idx });
            out.push_str(&format!("{line}\n"));
        }
    }
    out
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

fn run(args: &[&str]) -> Output {
    briefing().args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assert_success(output: &Output) {
    assert!(output.status.success(), "exit {:?}, stderr: {}", output.status, stderr(output));
}

/// Trains a model on the generated training set and returns (dir, model path, test path).
fn trained(extra: &[&str]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let train = write(dir.path(), "train.jsonl", &data(0));
    let test = write(dir.path(), "test.jsonl", &data(1));
    let model = dir.path().join("model.json").to_str().unwrap().to_owned();
    let mut args = vec!["topics", "train", "--data", &train, "--out", &model];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_success(&output);
    assert!(stderr(&output).contains("trained on 30 examples, 3 labels"), "{}", stderr(&output));
    (dir, model, test)
}

#[test]
fn train_eval_predict_round_trip() {
    let (_dir, model, test) = trained(&["--seed", "3"]);

    let output = run(&["topics", "eval", "--model", &model, "--data", &test, "--json"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.contains("precision  recall  f1-score  support"), "{text}");
    assert!(text.contains("confusion matrix"), "{text}");
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["n"], 30);
    assert_eq!(last["accuracy"], 1.0);
    assert_eq!(last["macro_f1"], 1.0);
    assert_eq!(last["labels"], serde_json::json!(["HUM", "LOC", "NUM"]));
    assert_eq!(last["confusion"][0], serde_json::json!([10, 0, 0, 0]));

    let questions = "Who signed the accord?\nWhere is the museum based?\n\nHow many countries joined the pact?\n";
    let output =
        run_with_stdin(briefing().args(["topics", "predict", "--model", &model]), questions);
    assert_success(&output);
    let records: Vec<serde_json::Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 4);
    let texts: Vec<&str> = records.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts, questions.lines().collect::<Vec<_>>());
    let labels: Vec<&str> = records.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels[0], "HUM");
    assert_eq!(labels[1], "LOC");
    assert_eq!(labels[3], "NUM");
    for record in &records {
        let confidence = record["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confidence), "{record}");
        assert!(record.get("top").is_none());
    }

    let output = run_with_stdin(
        briefing().args(["topics", "predict", "--model", &model, "--top", "2", "--reject", "1.0"]),
        "Who signed the accord?\n",
    );
    assert_success(&output);
    let record: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(record["label"], serde_json::Value::Null, "{record}");
    assert_eq!(record["top"][0][0], "HUM");
    assert_eq!(record["top"].as_array().unwrap().len(), 2);
}

#[test]
fn cross_validation_prints_folds_and_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let train = write(dir.path(), "all.jsonl", &(data(0) + &data(1)));
    let output = run(&["topics", "cv", "--data", &train, "--folds", "3", "--json"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.starts_with("fold  examples  accuracy  macro-F1"), "{text}");
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["n"], 60);
    assert_eq!(last["folds"], 3);
    assert!(last["accuracy"].as_f64().unwrap() > 0.9, "{last}");
}

#[test]
fn the_same_seed_gives_the_same_model_for_any_thread_count() {
    let (_a, model_a, _) = trained(&["--seed", "9", "--threads", "1"]);
    let (_b, model_b, _) = trained(&["--seed", "9", "--threads", "2"]);
    assert_eq!(std::fs::read(model_a).unwrap(), std::fs::read(model_b).unwrap());
}

#[test]
fn bad_input_fails_with_the_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad =
        write(dir.path(), "bad.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\"}\n");
    let model = dir.path().join("model.json").to_str().unwrap().to_owned();
    let output = run(&["topics", "train", "--data", &bad, "--out", &model]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), format!("briefing: {bad}: line 2: missing field \"label\"\n"));
    assert!(!Path::new(&model).exists());

    let empty = write(dir.path(), "empty.jsonl", "\n");
    let output = run(&["topics", "train", "--data", &empty, "--out", &model]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no examples"), "{}", stderr(&output));

    let (_dir, model, _) = trained(&[]);
    let unknown = write(
        dir.path(),
        "unknown.jsonl",
        "{\"text\": \"Who?\", \"label\": \"HUM\"}\n{\"text\": \"What?\", \"label\": \"DESC\"}\n",
    );
    let output = run(&["topics", "eval", "--model", &model, "--data", &unknown]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "briefing: {unknown}: line 2: label \"DESC\" is not one of the model's labels (HUM, LOC, NUM)\n"
        )
    );

    let not_a_model = write(dir.path(), "model.txt", "hello");
    let output = run(&["topics", "predict", "--model", &not_a_model]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with(&format!("briefing: {not_a_model}: invalid model file")));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [
        &["topics", "train", "--data", "x.jsonl"][..],
        &["topics", "frobnicate"],
        &["topics", "cv", "--data", "x.jsonl", "--folds", "1"],
        &["topics", "predict", "--model", "m", "--threads", "0"],
        &["topics", "predict", "--model", "m", "--reject", "1.5"],
        &["topics", "train", "--data", "x", "--out", "y", "--char-ngrams", "5-3"],
        &["topics", "train", "--data", "x", "--out", "y", "--c", "-1"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
    }
    let output = run(&["topics", "--help"]);
    assert_success(&output);
    assert!(stdout(&output).contains("train"));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let (_dir, model, _) = trained(&[]);
    let mut child = briefing()
        .args(["topics", "predict", "--model", &model])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for _ in 0..20_000 {
            if stdin.write_all(b"Who signed the charter?\n").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("\"label\":\"HUM\""), "{first}");
    drop(reader);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stderr(&output), "");
}
