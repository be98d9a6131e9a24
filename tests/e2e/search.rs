//! `briefing index` and `briefing search`: the CLI contract on a generated corpus, run on the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tests::briefing;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const TOPICS: &[&str] = &[
    "trade and investment between the member states",
    "security cooperation against terrorism",
    "the transport corridor and new railway routes",
    "drug trafficking across the borders",
    "cultural exchange and tourism",
];

/// A corpus: nested text files with a few paragraphs each, and a JSONL file.
fn corpus(dir: &Path) {
    for n in 0..40 {
        let mut text = String::new();
        for p in 0..5 {
            let topic = TOPICS[(n * 3 + p) % TOPICS.len()];
            text.push_str(&format!("Paragraph {p} of talk {n} is about {topic}."));
            if (n + p) % 4 == 0 {
                text.push_str(&format!(" It mentions {topic} twice: {topic}."));
            }
            text.push_str("\n\n");
        }
        let path = dir.join(format!("talks/{}/talk{n:02}.txt", n % 4));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut jsonl = String::new();
    for n in 0..20 {
        let topic = TOPICS[n % TOPICS.len()];
        jsonl.push_str(&format!(
            "{{\"id\": \"news-{n}\", \"text\": \"News item {n}: {topic}.\"}}\n"
        ));
    }
    std::fs::write(dir.join("news.jsonl"), jsonl).unwrap();
}

fn run(args: &[&str]) -> Output {
    briefing().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn index(input: &Path, out: &Path, threads: &str) -> Output {
    let output =
        run(&["index", s(input), "--out", s(out), "--threads", threads, "--unit-bytes", "500"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    output
}

#[test]
fn the_index_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input);
    let one = dir.path().join("one");
    let three = dir.path().join("three");
    let output = index(&input, &one, "1");
    index(&input, &three, "3");
    for file in ["index.bin", "texts.bin"] {
        assert!(
            std::fs::read(one.join(file)).unwrap() == std::fs::read(three.join(file)).unwrap(),
            "{file}"
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["index.bin", "texts.bin"], "no temporary files left");
    let err = text(&output.stderr);
    assert!(err.contains("220 paragraphs") && err.contains("index:"), "{err}");
    // The index has no use for sentence boundaries, so it does not count them.
    assert!(!err.contains("sentences"), "{err}");
}

#[test]
fn search_prints_the_best_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input);
    let idx = dir.path().join("idx");
    index(&input, &idx, "2");

    let output = run(&["search", s(&idx), "railway routes", "--top", "3", "--json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines: Vec<String> = text(&output.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1);
    let result: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(result["query"], "railway routes");
    let hits = result["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    for hit in hits {
        assert_eq!(hit.as_object().unwrap().len(), 3, "{hit}");
        assert!(hit["doc"].as_str().unwrap().starts_with("talks/"), "{hit}");
        assert!(hit["paragraph"].as_str().unwrap().starts_with('p'));
    }
    // The paragraphs that say it twice come first.
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores[0] >= scores[1] && scores[1] >= scores[2] && scores[2] > 0.0, "{scores:?}");
    let top_doc = hits[0]["doc"].as_str().unwrap();
    let top_par = hits[0]["paragraph"].as_str().unwrap();
    let top_text = std::fs::read_to_string(input.join(top_doc)).unwrap();
    let idx_of: usize = top_par[1..].parse().unwrap();
    let paragraph = top_text.split("\n\n").nth(idx_of).unwrap();
    assert!(paragraph.contains("twice"), "{paragraph}");

    // Human output: rank, score, names and the text; --explain adds the breakdown.
    let output = run(&["search", s(&idx), "railway routes", "--top", "2", "--explain"]);
    assert!(output.status.success());
    let human = text(&output.stdout);
    assert!(human.starts_with(&format!("1. {:.4}  {top_doc}  {top_par}\n", scores[0])), "{human}");
    assert!(human.contains(paragraph), "{human}");
    assert!(
        human.contains("railway") && human.contains("idf") && human.contains("tf 3"),
        "{human}"
    );

    // No match, and stopwords only.
    for query in ["zebra", "the and of"] {
        let output = run(&["search", s(&idx), query, "--json"]);
        assert!(output.status.success());
        let result: Value = serde_json::from_str(text(&output.stdout).trim()).unwrap();
        assert_eq!(result["hits"].as_array().unwrap().len(), 0, "{query}");
    }
}

#[test]
fn a_file_of_queries_gives_one_json_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input);
    let idx = dir.path().join("idx");
    index(&input, &idx, "2");
    let queries = dir.path().join("queries.txt");
    std::fs::write(
        &queries,
        "terrorism\nnews tourism\n\nzebra\ninvestment between member states\n",
    )
    .unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let args = [
            "search",
            s(&idx),
            "--queries",
            s(&queries),
            "--top",
            "5",
            "--json",
            "--threads",
            threads,
        ];
        let output = run(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let err = text(&output.stderr);
        assert!(err.contains("5 queries in") && err.contains("queries/s"), "{err}");
        outputs.push(output.stdout);
    }
    assert!(outputs[0] == outputs[1], "thread count does not change the results");
    let results: Vec<Value> =
        text(&outputs[0]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let queries: Vec<&str> = results.iter().map(|r| r["query"].as_str().unwrap()).collect();
    assert_eq!(
        queries,
        ["terrorism", "news tourism", "", "zebra", "investment between member states"]
    );
    let n_hits: Vec<usize> = results.iter().map(|r| r["hits"].as_array().unwrap().len()).collect();
    assert_eq!(n_hits, [5, 5, 0, 0, 5]);
    assert_eq!(results[1]["hits"][0]["doc"], "news-4", "{}", results[1]);
}

#[test]
fn bad_indexes_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = run(&["search", s(&dir.path().join("nope")), "query"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).starts_with("briefing: cannot load index"),
        "{}",
        text(&missing.stderr)
    );

    let input = dir.path().join("in");
    corpus(&input);
    let idx = dir.path().join("idx");
    index(&input, &idx, "1");
    let path = idx.join("index.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let damaged = run(&["search", s(&idx), "query"]);
    assert_eq!(damaged.status.code(), Some(1));
    assert!(text(&damaged.stderr).contains("checksum"), "{}", text(&damaged.stderr));

    let usage = run(&["search", s(&idx)]);
    assert_eq!(usage.status.code(), Some(2), "a query or --queries is required");

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("a.txt"), "").unwrap();
    let nothing = run(&["index", s(&empty), "--out", s(&dir.path().join("idx2"))]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(!dir.path().join("idx2/index.bin").exists());
}
