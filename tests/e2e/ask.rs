//! `sco-bot ask` and the terminal chat: the contract, run on the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tests::{binary, run_with_stdin};
use serde_json::Value;
use std::process::{Command, Output};

fn sco_bot() -> Command {
    Command::new(binary("sco-bot", "sco-bot"))
}

/// Standard output with the transcript's no-break spaces and curly
/// apostrophes made plain, so tests can quote it.
fn stdout(output: &Output) -> String {
    plain(&String::from_utf8(output.stdout.clone()).unwrap())
}

fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ").replace('\u{2019}', "'")
}

/// Runs `sco-bot ask --json` on `lines` and returns one record per line.
fn ask_json(lines: &[&str]) -> Vec<Value> {
    let mut input = lines.join("\n");
    input.push('\n');
    let output = run_with_stdin(sco_bot().args(["ask", "--json"]), &input);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let records: Vec<Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), lines.len());
    records
}

/// Checks the contract fields and types of one record.
fn check_contract(record: &Value) {
    assert!(record["question"].is_string(), "{record}");
    assert!(record["answered"].is_boolean(), "{record}");
    assert!(record["answer"].is_string(), "{record}");
    assert!(record["passage"].is_string(), "{record}");
    assert!(record["turn_question"].is_string() || record["turn_question"].is_null(), "{record}");
    assert!(record["topic"].is_string(), "{record}");
    let confidence = record["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence), "{record}");
    for key in ["speaker", "role", "event", "date"] {
        assert!(record["source"][key].is_string(), "{record}");
    }
    assert!(
        record["answer"].as_str().unwrap().chars().count() <= 600
            || !record["answered"].as_bool().unwrap()
    );
}

/// Asserts a clear abstention with a non-empty message.
fn check_abstains(record: &Value) {
    check_contract(record);
    assert_eq!(record["answered"], false, "{record}");
    assert!(!record["answer"].as_str().unwrap().trim().is_empty(), "{record}");
}

#[test]
fn ask_answers_a_question_with_its_source() {
    let output = sco_bot()
        .args(["ask", "How many terrorist training camps were liquidated?"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("over 500 terrorist training camps were liquidated"), "{text}");
    assert!(
        text.contains("Vladimir Norov")
            && text.contains("SCO Secretary-General")
            && text.contains("2019-04-22"),
        "{text}"
    );
    assert!(text.contains("The fight against terrorism has become a key aspect"), "{text}");
}

#[test]
fn ask_finds_what_an_abbreviation_stands_for_and_capitals_stand_for_their_states() {
    let records = ask_json(&[
        "what does rats stand for",
        "How did bringing New Delhi and Islamabad on board change the organisation?",
    ]);
    assert_eq!(records[0]["answered"], true, "{}", records[0]);
    let answer = records[0]["answer"].as_str().unwrap_or_default();
    assert!(answer.contains("Regional Anti-Terrorist Structure (RATS)"), "{answer}");
    assert_eq!(records[1]["answered"], true, "{}", records[1]);
    let answer = records[1]["answer"].as_str().unwrap_or_default();
    assert!(answer.contains("India and Pakistan"), "{answer}");
}

#[test]
fn ask_answers_where_with_a_venue_but_which_country_not_with_a_body() {
    let records = ask_json(&[
        "where did norov hold the press conference",
        "What country does Vladimir Norov come from?",
    ]);
    assert_eq!(records[0]["answered"], true, "{}", records[0]);
    let answer = records[0]["answer"].as_str().unwrap_or_default();
    assert!(answer.contains("at the SCO Secretariat"), "{answer}");
    // The transcript names no country of his; the SCO Secretariat is none.
    assert_eq!(records[1]["answered"], false, "{}", records[1]);
}

#[test]
fn ask_answers_who_holds_a_post_only_with_a_persons_name() {
    let records =
        ask_json(&["who is the secretary-general of the sco", "Who is the head of RATS?"]);
    assert_eq!(records[0]["answered"], true, "{}", records[0]);
    let answer = records[0]["answer"].as_str().unwrap_or_default();
    assert!(answer.contains("Vladimir Norov"), "{answer}");
    // The transcript names nobody at the head of RATS.
    assert_eq!(records[1]["answered"], false, "{}", records[1]);
}

#[test]
fn ask_json_keeps_input_order_and_the_contract() {
    let questions = [
        "How many tons of explosives were confiscated?",
        "What is the Shanghai spirit?",
        "",
        "Where will the SCO Heads of State Council meet this year?",
    ];
    let records = ask_json(&questions);
    for (record, question) in records.iter().zip(questions) {
        check_contract(record);
        assert_eq!(record["question"], question);
    }
    assert_eq!(records[0]["answered"], true);
    assert!(records[0]["answer"].as_str().unwrap().contains("50 tons of explosives"));
    assert!(
        records[0]["passage"].as_str().unwrap().contains(records[0]["answer"].as_str().unwrap())
    );
    assert_eq!(records[0]["source"]["date"], "2019-04-22");
    assert_eq!(records[0]["source"]["speaker"], "Vladimir Norov");
    assert!(records[0]["turn_question"].as_str().unwrap().contains("fight against terrorism"));
    assert_eq!(records[1]["answered"], true);
    assert!(records[1]["answer"].as_str().unwrap().contains("Shanghai spirit"));
    check_abstains(&records[2]);
    assert_eq!(records[3]["answered"], true);
    assert!(records[3]["answer"].as_str().unwrap().contains("Bishkek"));
}

#[test]
fn ask_json_abstains_on_unanswered_and_off_topic_questions() {
    let records = ask_json(&[
        "What is the SCO's annual budget?",
        "what's the weather in Paris tomorrow",
        "   ",
    ]);
    for record in &records {
        check_abstains(record);
    }
    assert_eq!(records[1]["topic"], "off-topic");
    assert!(records[0]["answer"].as_str().unwrap().contains("does not say"));
    // The topic model tells chit-chat from an SCO question the transcript does not answer.
    assert!(records[1]["answer"].as_str().unwrap().contains("not seem to be about the SCO"));
    assert!(!records[0]["answer"].as_str().unwrap().contains("not seem to be about the SCO"));
}

#[test]
fn small_talk_gets_a_friendly_reply_and_a_greeting_before_a_question_does_not_hide_it() {
    let records = ask_json(&[
        "Hello there!",
        "thanks, bye!",
        "who are you?",
        "hi, what is the shanghai spirit?",
    ]);
    for record in &records[..3] {
        check_abstains(record);
        assert_eq!(record["topic"], "off-topic");
        assert!(!record["answer"].as_str().unwrap().contains("does not say"), "{record}");
    }
    assert!(records[0]["answer"].as_str().unwrap().starts_with("Hello!"));
    assert!(records[1]["answer"].as_str().unwrap().starts_with("Goodbye!"));
    assert!(records[2]["answer"].as_str().unwrap().starts_with("I am a bot"));
    assert_eq!(records[3]["answered"], true);
    assert!(records[3]["answer"].as_str().unwrap().contains("Shanghai spirit"));
}

#[test]
fn ask_json_labels_each_question_with_its_topic() {
    let records = ask_json(&[
        "how many terrorist training camps were destroyed",
        "what does the road transport agreement do",
        "what is the shanghai spirit",
        "hi there, how are you?",
    ]);
    let topics: Vec<&str> = records.iter().map(|r| r["topic"].as_str().unwrap()).collect();
    assert_eq!(topics, ["security", "transport", "principles", "off-topic"]);
}

#[test]
fn bad_input_gets_a_clear_refusal_never_a_panic() {
    let huge = "terrorism ".repeat(10_500);
    let inputs = [
        huge.as_str(),
        "🙂🙂🙂 👍",
        "?!?! ... ---",
        "Что такое ШОС и кто его генеральный секретарь?",
        "上海合作组织是什么",
        "how many\u{7} camps\u{1b}[2J",
        "<script>alert('x')</script>",
        "<b>How many camps?</b>",
    ];
    let records = ask_json(&inputs);
    for (record, input) in records.iter().zip(inputs) {
        check_abstains(record);
        assert_eq!(record["question"], input);
    }
    let messages: Vec<&str> = records.iter().map(|r| r["answer"].as_str().unwrap()).collect();
    assert!(messages[0].contains("too long"), "{}", messages[0]);
    assert!(messages[1].contains("in words"));
    assert!(messages[3].contains("English") && messages[4].contains("English"));
    assert!(messages[5].contains("control characters"));
    assert!(messages[6].contains("HTML") && messages[7].contains("HTML"));
}

#[test]
fn bad_usage_exits_2() {
    let output = sco_bot().arg("ask").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
    let output = sco_bot().args(["ask", "--no-such-flag"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = sco_bot().arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn chat_over_piped_stdin_handles_commands_and_more() {
    let input = "/help\n/topics\nmore\nHow many terrorist training camps were liquidated?\nmore\nmore\n\
                 What is the SCO's annual budget?\n/nonsense\n/quit\nnever read\n";
    let output = run_with_stdin(&mut sco_bot(), input);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = stdout(&output);
    assert!(text.contains("/topics"), "help: {text}");
    assert!(text.contains("information-security") && text.contains("transport"), "topics: {text}");
    assert!(text.contains("Ask a question first"), "more before asking: {text}");
    assert!(text.contains("over 500 terrorist training camps were liquidated"), "{text}");
    assert!(text.contains("To hone practical skills"), "more continues the answer: {text}");
    assert!(text.contains("does not say"), "{text}");
    assert!(text.contains("Unknown command"), "{text}");
    assert!(text.trim_end().ends_with("Goodbye."), "{text}");
    assert!(!text.contains("never read"));
}

#[test]
fn corpus_flag_loads_another_corpus() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("talk.txt"),
        "The river council looks ahead\n04.05.2021 10:00\n\nWhat did the council build?\n\
         The council built 40 kilometres of new levees along the river.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("talk.meta.json"),
        r#"{"speaker": "Anna Berg", "role": "Council Chair", "event": "press briefing", "date": "2021-05-04"}"#,
    )
    .unwrap();
    let output = run_with_stdin(
        sco_bot().arg("--corpus").arg(dir.path()).args(["ask", "--json"]),
        "How many kilometres of levees were built?\n",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let record: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    check_contract(&record);
    assert_eq!(record["answered"], true, "{record}");
    assert!(record["answer"].as_str().unwrap().contains("40 kilometres"));
    assert_eq!(record["source"]["speaker"], "Anna Berg");
}
