//! `sco-bot telegram`: the real handler tree and dispatcher of the sco-bot
//! library, polling a fake Telegram Bot API on 127.0.0.1
//! (`briefing_tests::fake_telegram`). Replies are checked against the
//! constants of `sco_bot::telegram::text`; the fake rejects what Telegram
//! would (bad HTML, over 4096 UTF-16 code units, `callback_data` over 64
//! bytes), so every test also checks that no request was rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tests::fake_telegram::{BotMessage, Chat, FakeTelegram, Fault, Request};
use sco_bot::assistant::Assistant;
use sco_bot::corpus::Corpus;
use sco_bot::telegram::flood::FloodConfig;
use sco_bot::telegram::render::escape;
use sco_bot::telegram::state::StateStore;
use sco_bot::telegram::{self, BotConfig, Listen, RetryConfig, text};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;

const TOKEN: &str = "123456:TEST-token-for-the-fake-server";

/// The bound of every wait: a broken bot fails a test, it never hangs it.
const WAIT: Duration = Duration::from_secs(30);

/// The embedded SCO assistant, built once.
fn sco() -> Arc<Assistant> {
    static ASSISTANT: OnceLock<Arc<Assistant>> = OnceLock::new();
    Arc::clone(
        ASSISTANT.get_or_init(|| Arc::new(Assistant::new(&Corpus::embedded().unwrap()).unwrap())),
    )
}

/// Telegram's limits raised and delays shortened, so tests take seconds.
fn fast() -> BotConfig {
    BotConfig {
        limits: Limits {
            messages_per_sec_chat: 1000,
            messages_per_min_chat: 60_000,
            messages_per_min_channel_or_supergroup: 60_000,
            messages_per_sec_overall: 10_000,
        },
        flood: FloodConfig::default(),
        retry: RetryConfig {
            attempts: 8,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(400),
        },
        polling_timeout: Duration::from_secs(1),
        handle_signals: false,
    }
}

/// A bot running on its own runtime against a fake.
struct Running {
    fake: FakeTelegram,
    runtime: tokio::runtime::Runtime,
    shutdown: ShutdownToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Starts the bot against a new fake.
fn start() -> Running {
    start_with(FakeTelegram::start(TOKEN), fast(), sco(), &StateStore::Memory)
}

fn start_with(
    fake: FakeTelegram,
    config: BotConfig,
    assistant: Arc<Assistant>,
    store: &StateStore,
) -> Running {
    let running = launch(&fake.url(), config, assistant, store);
    fake.wait_until("the first getUpdates", WAIT, |f| !f.calls("getUpdates").is_empty());
    Running { fake, runtime: running.0, shutdown: running.1, task: running.2 }
}

type Launched =
    (tokio::runtime::Runtime, ShutdownToken, tokio::task::JoinHandle<anyhow::Result<()>>);

/// Starts the real dispatcher against the Bot API at `url`.
fn launch(url: &str, config: BotConfig, assistant: Arc<Assistant>, store: &StateStore) -> Launched {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let storage = store.open().unwrap();
    let url = url::Url::parse(url).unwrap();
    let (shutdown, task) = runtime.block_on(async move {
        let bot = telegram::throttle(Bot::new(TOKEN).set_api_url(url), &config);
        let mut dispatcher = telegram::dispatcher(bot.clone(), assistant, config.clone(), storage);
        let shutdown = dispatcher.shutdown_token();
        let task = tokio::spawn(async move {
            telegram::serve(&mut dispatcher, bot, &config, Listen::Polling).await
        });
        (shutdown, task)
    });
    (runtime, shutdown, task)
}

impl Running {
    /// Sends `text` from the user of a private chat and returns the next reply.
    fn ask(&self, chat_id: i64, text: &str) -> BotMessage {
        let n = self.fake.sent_to(chat_id).len();
        self.fake.user_says(&Chat::private(chat_id), chat_id, text);
        self.fake.wait_for_messages(chat_id, n + 1, WAIT).pop().unwrap()
    }

    /// Presses a button under `message` and returns the next new message.
    fn press(&self, message: &BotMessage, data: &str) -> BotMessage {
        let n = self.fake.sent_to(message.chat_id).len();
        self.fake.user_presses(message, message.chat_id, data);
        self.fake.wait_for_messages(message.chat_id, n + 1, WAIT).pop().unwrap()
    }

    /// Stops the dispatcher gracefully (in-flight answers finish) and checks
    /// that nothing the bot sent was rejected.
    fn stop(self) -> FakeTelegram {
        let Running { fake, runtime, shutdown, task } = self;
        runtime.block_on(async {
            // `shutdown` is refused while the dispatcher is still starting: retry.
            // Its future is not awaited: teloxide can finish before that future
            // first polls, and then it never wakes; `serve` returning is the signal.
            let started = std::time::Instant::now();
            while shutdown.shutdown().is_err() && !task.is_finished() {
                assert!(started.elapsed() < WAIT, "the dispatcher never started");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::timeout(WAIT, task).await.expect("serve did not return").unwrap().unwrap();
        });
        assert_no_rejections(&fake.requests());
        fake
    }
}

/// Fails on any request the fake rejected as Telegram would (bad HTML,
/// too long, bad button data), ignoring injected faults.
fn assert_no_rejections(requests: &[Request]) {
    for request in requests {
        if let Some(error) = &request.error {
            assert!(
                !error.starts_with("Bad Request: can't parse")
                    && !error.contains("too long")
                    && !error.contains("BUTTON_DATA")
                    && !error.contains("is empty")
                    && !error.contains("COMMAND_INVALID"),
                "Telegram would reject {}: {error}\n{}",
                request.method,
                request.body
            );
        }
    }
}

/// `text` as a user sees it in the message (constants are HTML or plain).
fn visible(html: &str) -> String {
    briefing_tests::fake_telegram::visible_html(html).unwrap()
}

/// The data of every button of a message.
fn datas(message: &BotMessage) -> Vec<String> {
    message.buttons().into_iter().map(|(_, d)| d).collect()
}

#[test]
fn start_up_registers_the_menu_and_long_polls() {
    let bot = start();
    let fake = bot.stop();
    let methods: Vec<String> = fake.requests().iter().map(|r| r.method.clone()).collect();
    for method in ["getme", "setmycommands", "getwebhookinfo", "getupdates"] {
        assert!(methods.iter().any(|m| m == method), "{method} not called: {methods:?}");
    }
    // No webhook was set, so none is deleted.
    assert!(!methods.iter().any(|m| m == "deletewebhook"));
    let commands = &fake.calls("setMyCommands")[0].body["commands"];
    let names: Vec<&str> =
        commands.as_array().unwrap().iter().map(|c| c["command"].as_str().unwrap()).collect();
    assert_eq!(names, ["start", "help", "topics", "about", "ask"]);
    let poll = &fake.calls("getUpdates")[0].body;
    assert_eq!(poll["timeout"], 1, "{poll}");
    assert!(poll.get("offset").is_some(), "{poll}");
}

#[test]
fn polling_removes_a_webhook_left_by_a_previous_run() {
    let fake = FakeTelegram::start(TOKEN);
    fake.set_webhook("https://old.example.org/hook");
    let bot = start_with(fake, fast(), sco(), &StateStore::Memory);
    let reply = bot.ask(123, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let fake = bot.stop();
    let methods: Vec<String> = fake.requests().iter().map(|r| r.method.clone()).collect();
    let position = |m: &str| methods.iter().position(|x| x == m).unwrap();
    assert!(position("getwebhookinfo") < position("deletewebhook"), "{methods:?}");
    assert!(position("deletewebhook") < position("getupdates"), "{methods:?}");
}

#[test]
fn start_shows_the_source_and_three_example_questions() {
    let bot = start();
    let reply = bot.ask(101, "/start");
    assert!(reply.text.starts_with(&visible(text::START)), "{}", reply.text);
    assert!(reply.text.contains("— Vladimir Norov, SCO Secretary-General"), "{}", reply.text);
    assert!(reply.text.contains("22 April 2019"), "{}", reply.text);
    let buttons = reply.buttons();
    assert_eq!(buttons.len(), 4, "{buttons:?}");
    for (i, example) in text::EXAMPLE_QUESTIONS.iter().enumerate() {
        assert_eq!(buttons[i], (example.to_string(), format!("e:{i}")));
    }
    assert_eq!(buttons[3], (text::BUTTON_TOPICS.to_owned(), "ts".to_owned()));
    // An example button answers its question.
    let answer = bot.press(&reply, "e:0");
    let expected = sco().answer(text::EXAMPLE_QUESTIONS[0]);
    assert!(expected.answered);
    assert!(answer.text.starts_with(&expected.text), "{}", answer.text);
    bot.stop();
}

#[test]
fn a_question_gets_the_answer_its_source_and_buttons() {
    let bot = start();
    let question = "How many terrorist crimes were thwarted in 2013-2017?";
    let expected = sco().answer(question);
    assert!(expected.answered);
    let reply = bot.ask(102, question);
    assert!(reply.text.starts_with(&expected.text), "{}", reply.text);
    assert!(reply.html.contains(&escape(&expected.text)), "{}", reply.html);
    assert!(
        reply.text.contains("— Vladimir Norov, SCO Secretary-General, news conference with the SCO Press Club at the SCO Secretariat, 22 April 2019"),
        "{}",
        reply.text
    );
    let turn_question = expected.turn_question.clone().unwrap();
    assert!(reply.text.contains(&format!("{} “", text::IN_REPLY_TO)), "{}", reply.text);
    assert!(
        reply.text.contains(turn_question.split_whitespace().next().unwrap()),
        "{}",
        reply.text
    );
    let labels: Vec<String> = reply.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels[0], text::BUTTON_FULL);
    assert_eq!(labels[1], text::BUTTON_RELATED);
    assert!(labels[2].starts_with("Topic: "), "{labels:?}");
    let request = bot.fake.calls("sendMessage").pop().unwrap();
    assert_eq!(request.body["parse_mode"], "HTML");
    bot.stop();
}

#[test]
fn an_unanswerable_question_says_so_and_offers_examples_and_topics() {
    let bot = start();
    let question = "What is the capital of Peru?";
    let expected = sco().answer(question);
    assert!(!expected.answered, "{}", expected.text);
    let reply = bot.ask(103, question);
    assert!(reply.text.starts_with(sco_bot::text::NOT_IN_TRANSCRIPT), "{}", reply.text);
    assert!(reply.text.contains(&visible(text::TRY_EXAMPLES)), "{}", reply.text);
    let data = datas(&reply);
    for i in 0..text::EXAMPLE_QUESTIONS.len() {
        assert!(data.contains(&format!("e:{i}")), "{data:?}");
    }
    assert_eq!(data.last().map(String::as_str), Some("ts"));
    // "All topics" lists the topics.
    let topics = bot.press(&reply, "ts");
    assert_eq!(topics.text, visible(text::TOPICS));
    assert_eq!(topics.buttons().len(), text::TOPIC_NAMES.len());
    bot.stop();
}

#[test]
fn every_button_works() {
    let bot = start();
    let chat = 104;
    let answer = bot.ask(chat, "How many terrorist crimes were thwarted in 2013-2017?");
    let assistant = sco();

    // Full answer: the journalist's question and every paragraph of the turn.
    let full = bot.press(&answer, &answer.button(text::BUTTON_FULL));
    assert!(full.text.starts_with(&visible(text::FULL_ANSWER)), "{}", full.text);
    let idx: usize = answer.button(text::BUTTON_FULL).trim_start_matches("f:").parse().unwrap();
    for i in telegram::views::turn_passages(assistant.index(), idx) {
        let paragraph = &assistant.index().passages()[i].text;
        assert!(full.text.contains(paragraph.as_str()), "missing {paragraph}");
    }

    // Related: the next best answers, each a button that opens it.
    let related = bot.press(&answer, &answer.button(text::BUTTON_RELATED));
    assert!(related.text.starts_with(&visible(text::RELATED)), "{}", related.text);
    let (label, data) = related.buttons().first().cloned().unwrap();
    assert!(label.starts_with("1. "), "{label}");
    assert!(data.starts_with("p:"), "{data}");
    let passage = bot.press(&related, &data);
    let passage_idx: usize = data.trim_start_matches("p:").parse().unwrap();
    assert!(passage.text.starts_with(assistant.index().passages()[passage_idx].text.as_str()));
    assert!(passage.text.contains("— Vladimir Norov"), "{}", passage.text);

    // The topic: its questions, each a button that answers it.
    let topic = bot.press(&answer, &answer.button("Topic: "));
    assert!(topic.text.ends_with("Tap a question for the answer."), "{}", topic.text);
    let questions = topic.buttons();
    assert!(questions.len() >= 2, "{questions:?}");
    assert_eq!(questions.last().unwrap(), &(text::BUTTON_BACK.to_owned(), "us".to_owned()));
    let (question, data) = questions[1].clone();
    assert!(data.starts_with("q:"), "{data}");
    let answered = bot.press(&topic, &data);
    let expected = assistant.answer(&question);
    assert!(expected.answered, "{question}");
    assert!(answered.text.starts_with(&expected.text), "{}", answered.text);

    // Every press was acknowledged.
    assert_eq!(bot.fake.calls("answerCallbackQuery").len(), 5);
    bot.stop();
}

#[test]
fn the_topic_menu_edits_itself_in_place() {
    let bot = start();
    let chat = 105;
    let menu = bot.ask(chat, "/topics");
    assert_eq!(menu.text, visible(text::TOPICS));
    bot.fake.user_presses(&menu, chat, "u:0");
    bot.fake.wait_until("the menu edited", WAIT, |f| f.calls("editMessageText").len() == 1);
    let edited = bot.fake.sent_to(chat).pop().unwrap();
    assert_eq!(edited.message_id, menu.message_id);
    assert!(edited.text.starts_with(text::TOPIC_NAMES[0].1), "{}", edited.text);
    assert!(edited.buttons().iter().any(|(_, d)| d == "x:0"), "{:?}", edited.buttons());
    // Back to the list, in place again.
    bot.fake.user_presses(&edited, chat, "us");
    bot.fake.wait_until("the menu edited back", WAIT, |f| f.calls("editMessageText").len() == 2);
    let back = bot.fake.sent_to(chat).pop().unwrap();
    assert_eq!(back.text, visible(text::TOPICS));
    assert_eq!(bot.fake.sent_to(chat).len(), 1, "no new message");
    // The topic's example question answers.
    let example = bot.press(&edited, "x:0");
    let (_, question) =
        sco_bot::text::TOPICS.iter().find(|(t, _)| *t == text::TOPIC_NAMES[0].0).unwrap();
    assert!(example.text.starts_with(&sco().answer(question).text), "{}", example.text);
    bot.stop();
}

#[test]
fn a_stale_or_forged_button_gets_a_polite_notice() {
    let bot = start();
    let chat = 106;
    let menu = bot.ask(chat, "/topics");
    for data in ["f:999999", "<b>x</b>", "e:99", "q:0.99"] {
        bot.fake.user_presses(&menu, chat, data);
    }
    bot.fake
        .wait_until("four acknowledgements", WAIT, |f| f.calls("answerCallbackQuery").len() == 4);
    for call in bot.fake.calls("answerCallbackQuery") {
        assert_eq!(call.body["text"], text::BUTTON_EXPIRED);
        assert_eq!(call.body["show_alert"], true);
    }
    assert_eq!(bot.fake.sent_to(chat).len(), 1);
    bot.stop();
}

#[test]
fn help_about_ask_and_unknown_commands() {
    let bot = start();
    let chat = 107;
    let help = bot.ask(chat, "/help");
    assert!(help.text.starts_with(&visible(text::HELP)), "{}", help.text);
    for (command, description) in telegram::Command::menu() {
        assert!(help.text.contains(&format!("/{command} — {description}")), "{}", help.text);
    }
    let about = bot.ask(chat, "/about");
    assert!(about.text.starts_with(&visible(text::ABOUT)), "{}", about.text);
    assert!(about.text.contains("Vladimir Norov (SCO Secretary-General)"), "{}", about.text);
    assert!(about.text.contains(&visible(text::ABOUT_CITE)), "{}", about.text);

    let usage = bot.ask(chat, "/ask");
    assert_eq!(usage.text, visible(text::ASK_USAGE));
    let asked = bot.ask(chat, "/ask What is the Shanghai spirit?");
    assert!(
        asked.text.starts_with(&sco().answer("What is the Shanghai spirit?").text),
        "{}",
        asked.text
    );

    assert_eq!(bot.ask(chat, "/weather").text, text::UNKNOWN_COMMAND);
    let n = bot.fake.sent_to(chat).len();
    bot.fake.user_message(
        &Chat::private(chat),
        chat,
        serde_json::json!({"sticker": {
            "file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
            "is_animated": false, "is_video": false
        }}),
    );
    let sticker = bot.fake.wait_for_messages(chat, n + 1, WAIT).pop().unwrap();
    assert_eq!(sticker.text, text::TEXT_ONLY);
    bot.stop();
}

#[test]
fn in_groups_it_answers_commands_mentions_and_replies_to_itself_only() {
    let bot = start();
    let group = Chat::supergroup(-1_001_000_000_001);
    let question = "What is the Shanghai spirit?";
    let expected = sco().answer(question).text;
    // Not for the bot: chatter, another bot's command, a bot's message.
    bot.fake.user_says(&group, 11, question);
    bot.fake.user_says(&group, 11, "/ask@other_bot What is the Shanghai spirit?");
    bot.fake.user_message(
        &group,
        12,
        serde_json::json!({
            "text": "@sco_test_bot hello",
            "from": {"id": 12, "is_bot": true, "first_name": "Other", "username": "other_bot"}
        }),
    );
    // For the bot: a mention.
    let mention = bot.fake.user_says(&group, 11, &format!("@sco_test_bot {question}"));
    let replies = bot.fake.wait_for_messages(group.id, 1, WAIT);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].reply_to, Some(mention), "answers in the thread");
    assert!(replies[0].text.starts_with(&expected), "{}", replies[0].text);
    // A reply to the bot's message, a command with the bot's name, a bare command.
    let reply = bot.fake.user_replies(
        &group,
        13,
        &replies[0],
        "What does the road transport agreement do?",
    );
    let replies = bot.fake.wait_for_messages(group.id, 2, WAIT);
    assert_eq!(replies[1].reply_to, Some(reply));
    let command = bot.fake.user_says(&group, 13, "/ask@sco_test_bot What is the Shanghai spirit?");
    let replies = bot.fake.wait_for_messages(group.id, 3, WAIT);
    assert_eq!(replies[2].reply_to, Some(command));
    assert!(replies[2].text.starts_with(&expected));
    bot.fake.user_says(&group, 13, "/topics");
    let replies = bot.fake.wait_for_messages(group.id, 4, WAIT);
    assert_eq!(replies[3].text, visible(text::TOPICS));
    // A basic group follows the same rules.
    let basic = Chat::group(-77);
    bot.fake.user_says(&basic, 14, "just talking");
    bot.fake.user_says(&basic, 14, &format!("@SCO_TEST_BOT {question}"));
    let replies = bot.fake.wait_for_messages(basic.id, 1, WAIT);
    assert!(replies[0].text.starts_with(&expected));
    let fake = bot.stop();
    assert_eq!(fake.sent_to(group.id).len(), 4);
    assert_eq!(fake.sent_to(basic.id).len(), 1);
}

/// A question whose answer has a continuation for "more".
fn question_with_more() -> (String, sco_bot::assistant::Reply) {
    let assistant = sco();
    let candidates = text::EXAMPLE_QUESTIONS
        .iter()
        .chain(sco_bot::text::TOPICS.iter().map(|(_, q)| q))
        .map(|q| q.to_string());
    candidates
        .map(|q| (q.clone(), assistant.answer(&q)))
        .find(|(_, r)| r.answered && r.more.len() >= 2)
        .expect("a question with a continuation of two chunks or more")
}

#[test]
fn more_continues_the_last_answer() {
    let bot = start();
    let chat = 108;
    assert_eq!(bot.ask(chat, "more").text, text::NOTHING_YET);
    let (question, expected) = question_with_more();
    let answer = bot.ask(chat, &question);
    assert!(answer.text.contains(&visible(text::MORE_HINT)), "{}", answer.text);
    let first = bot.ask(chat, "Tell me more");
    assert!(first.text.starts_with(&expected.more[0]), "{}", first.text);
    assert_eq!(first.buttons()[0].0, text::BUTTON_FULL);
    let second = bot.ask(chat, "why?");
    assert!(second.text.starts_with(&expected.more[1]), "{}", second.text);
    for _ in 2..expected.more.len() {
        bot.ask(chat, "more");
    }
    assert_eq!(bot.ask(chat, "more").text, text::NO_MORE);
    // Another chat has its own state.
    assert_eq!(bot.ask(chat + 1000, "more").text, text::NOTHING_YET);
    bot.stop();
}

#[test]
fn state_in_sqlite_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::Sqlite(dir.path().join("state.db"));
    let (question, expected) = question_with_more();
    let bot = start_with(FakeTelegram::start(TOKEN), fast(), sco(), &store);
    bot.ask(109, &question);
    bot.stop();
    let bot = start_with(FakeTelegram::start(TOKEN), fast(), sco(), &store);
    let more = bot.ask(109, "more");
    assert!(more.text.starts_with(&expected.more[0]), "{}", more.text);
    bot.stop();
}

/// Four questions with different answers.
const QUESTIONS: [&str; 4] = [
    "How many terrorist crimes were thwarted in 2013-2017?",
    "What is the Shanghai spirit?",
    "What does the road transport agreement do?",
    "What will happen at the Bishkek summit?",
];

#[test]
fn a_flood_of_200_messages_from_50_chats_is_answered_once_each_in_order() {
    let bot = start();
    let assistant = sco();
    let answers: Vec<String> = QUESTIONS.iter().map(|q| assistant.answer(q).text).collect();
    assert!(answers.iter().all(|a| !a.is_empty()));
    for round in 0..4 {
        for chat in 0..50_i64 {
            let q = (round + chat as usize) % 4;
            bot.fake.user_says(&Chat::private(1_000 + chat), 1_000 + chat, QUESTIONS[q]);
        }
    }
    bot.fake.wait_until("200 answers", WAIT, |f| f.n_sent() >= 200);
    let fake = bot.stop();
    assert_eq!(fake.sent().len(), 200);
    for chat in 0..50_i64 {
        let sent = fake.sent_to(1_000 + chat);
        assert_eq!(sent.len(), 4, "chat {chat}");
        for (round, message) in sent.iter().enumerate() {
            let q = (round + chat as usize) % 4;
            assert!(
                message.text.starts_with(&answers[q]),
                "chat {chat} round {round}: {}",
                message.text
            );
        }
    }
}

#[test]
fn a_flooding_user_gets_one_note_not_an_answer_each() {
    let bot = start();
    let group = Chat::supergroup(-1_001_000_000_002);
    for _ in 0..25 {
        bot.fake.user_says(&group, 21, "@sco_test_bot What is the Shanghai spirit?");
    }
    // Another user's message after the flood: handled after it (one chat, in order).
    let last = bot.fake.user_says(&group, 22, "@sco_test_bot What is the Shanghai spirit?");
    bot.fake.wait_until("the other user's answer", WAIT, |f| {
        f.sent_to(group.id).iter().any(|m| m.reply_to == Some(last))
    });
    let fake = bot.stop();
    let sent = fake.sent_to(group.id);
    let notes = sent.iter().filter(|m| m.text == visible(text::FLOOD)).count();
    assert_eq!(notes, 1);
    assert_eq!(sent.len(), 20 + 1 + 1, "20 answers, one note, the other user's answer");
}

#[test]
fn hostile_messages_get_safe_well_formed_replies() {
    let bot = start();
    let hostile = [
        "<b>bold</b><script>alert(1)</script>".to_owned(),
        "</i></b><a href=\"javascript:alert(1)\">x</a> & &amp; &lt;".to_owned(),
        "*bold* _italic_ [link](http://evil.example) `code` ||spoiler||".to_owned(),
        "a".repeat(4096),
        "What is the Shanghai spirit? ".repeat(140),
        "\u{200b}\u{200d}What\u{200b} is the \u{202e}Shanghai spirit?\u{202c}".to_owned(),
        "\u{200f}\u{202b}ما هي منظمة شنغهاي للتعاون؟".to_owned(),
        "😀🔥🇺🇿".to_owned(),
        "Что такое ШОС?".to_owned(),
        "上海合作组织是什么？".to_owned(),
        "Qu'est-ce que l'OCS ?".to_owned(),
        "\u{0}\u{7}\u{1b}[31m".to_owned(),
        "@sco_test_bot".to_owned(),
        "   ".to_owned(),
    ];
    for (i, message) in hostile.iter().enumerate() {
        let chat = 2_000 + i as i64;
        let reply = bot.ask(chat, message);
        assert!(!reply.text.trim().is_empty(), "{message:?}");
        assert!(!reply.text.contains("<script>"), "{message:?}: {}", reply.text);
    }
    let fake = bot.stop();
    // stop() checked that Telegram would accept every reply.
    assert!(fake.calls("sendMessage").iter().all(|r| r.status == 200));
}

#[test]
fn recovers_from_a_server_error() {
    // teloxide itself waits 10 s after any 5xx before reporting it.
    let bot = start();
    bot.fake.fail_next("sendMessage", Fault::Status(502));
    let reply = bot.ask(110, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let calls = bot.fake.calls("sendMessage");
    assert_eq!(calls.iter().map(|c| c.status).collect::<Vec<_>>(), [502, 200]);
    bot.stop();
}

#[test]
fn honours_retry_after() {
    let bot = start();
    bot.fake.fail_next("getUpdates", Fault::RetryAfter(1));
    bot.fake.fail_next("sendMessage", Fault::RetryAfter(1));
    let reply = bot.ask(111, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let calls = bot.fake.calls("sendMessage");
    assert_eq!(calls.iter().map(|c| c.status).collect::<Vec<_>>(), [429, 200]);
    assert!(
        calls[1].at.duration_since(calls[0].at) >= Duration::from_millis(900),
        "retried too early"
    );
    bot.stop();
}

#[test]
fn survives_slow_replies() {
    let bot = start();
    bot.fake.fail_next("getUpdates", Fault::Delay(Duration::from_millis(700)));
    bot.fake.fail_next("sendMessage", Fault::Delay(Duration::from_millis(700)));
    let reply = bot.ask(112, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let fake = bot.stop();
    assert_eq!(fake.sent_to(112).len(), 1, "answered exactly once");
}

#[test]
fn skips_a_malformed_update() {
    let bot = start();
    bot.fake.push_raw(serde_json::json!({"message": {"message_id": "not a number", "chat": 5}}));
    bot.fake.push_raw(serde_json::json!({"no_known_kind": true}));
    let reply = bot.ask(113, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    bot.stop();
}

#[test]
fn a_failing_handler_is_logged_and_the_bot_goes_on() {
    let bot = start();
    bot.fake
        .fail_next("sendMessage", Fault::BadRequest("Bad Request: something unexpected".into()));
    bot.fake.user_says(&Chat::private(114), 114, "What is the Shanghai spirit?");
    bot.fake.wait_until("the failed send", WAIT, |f| !f.calls("sendMessage").is_empty());
    let reply = bot.ask(114, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let statuses: Vec<u16> = bot.fake.calls("sendMessage").iter().map(|c| c.status).collect();
    assert_eq!(statuses, [400, 200], "a bad request is not retried");
    bot.stop();
}

#[test]
fn a_user_who_blocked_the_bot_is_skipped() {
    let bot = start();
    bot.fake.fail_next("sendMessage", Fault::Blocked);
    bot.fake.user_says(&Chat::private(115), 115, "What is the Shanghai spirit?");
    bot.fake.wait_until("the blocked send", WAIT, |f| !f.calls("sendMessage").is_empty());
    let reply = bot.ask(116, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let fake = bot.stop();
    let to_blocked =
        fake.calls("sendMessage").into_iter().filter(|c| c.body["chat_id"] == 115).count();
    assert_eq!(to_blocked, 1, "not retried");
    assert!(fake.sent_to(115).is_empty());
}

#[test]
fn waits_for_telegram_to_come_up() {
    // A port with nothing listening: requests fail with network errors.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (runtime, shutdown, task) =
        launch(&format!("http://{addr}/"), fast(), sco(), &StateStore::Memory);
    std::thread::sleep(Duration::from_millis(300));
    let fake = FakeTelegram::start_on(TOKEN, addr);
    fake.wait_until("the first getUpdates", WAIT, |f| !f.calls("getUpdates").is_empty());
    let bot = Running { fake, runtime, shutdown, task };
    let reply = bot.ask(117, "What is the Shanghai spirit?");
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    bot.stop();
}

#[test]
fn shutdown_finishes_the_answers_in_flight() {
    let bot = start();
    bot.fake.fail_next("sendMessage", Fault::Delay(Duration::from_millis(500)));
    bot.fake.user_says(&Chat::private(118), 118, "What is the Shanghai spirit?");
    bot.fake.wait_until("the update fetched", WAIT, |f| {
        f.calls("getUpdates").iter().any(|r| r.body["offset"].as_i64().is_some_and(|o| o > 1000))
    });
    let fake = bot.stop();
    assert_eq!(fake.sent_to(118).len(), 1, "the answer in flight was sent before stopping");
}

/// A corpus with one long answer turn: three paragraphs of 30 sentences.
fn long_corpus(dir: &std::path::Path) -> Arc<Assistant> {
    let paragraph = |topic: &str| {
        (0..30)
            .map(|i| format!("The {topic} of the valley number {i} carry water, silt & fish to the <lower> plains every spring."))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let transcript = format!(
        "Rivers of the region: a long talk\n01.02.2020 10:00\n\nThe minister met the press.\n\n\
         What did the minister say about the rivers of the region?\n\n{}\n\n{}\n\n{}\n",
        paragraph("rivers"),
        paragraph("streams"),
        paragraph("brooks")
    );
    std::fs::write(dir.join("rivers.txt"), transcript).unwrap();
    std::fs::write(
        dir.join("rivers.meta.json"),
        r#"{"title": "Rivers of the region", "speaker": "A Minister", "role": "Minister of Water", "event": "press conference", "date": "2020-02-01"}"#,
    )
    .unwrap();
    Arc::new(Assistant::new(&Corpus::from_dir(dir).unwrap()).unwrap())
}

#[test]
fn an_over_long_answer_is_split_on_sentence_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let assistant = long_corpus(dir.path());
    let index = assistant.index();
    let first = (0..index.passages().len())
        .find(|&i| index.passages()[i].text.starts_with("The rivers"))
        .unwrap();
    let turn = telegram::views::turn_passages(index, first);
    assert_eq!(turn.len(), 3, "one turn of three paragraphs");
    let bot =
        start_with(FakeTelegram::start(TOKEN), fast(), Arc::clone(&assistant), &StateStore::Memory);
    let chat = 119;
    let start = bot.ask(chat, "/start");
    bot.fake.user_presses(&start, chat, &format!("f:{first}"));
    bot.fake.wait_until("the parts of the full answer", WAIT, |f| {
        f.sent_to(chat).iter().skip(1).any(|m| m.text.contains("— A Minister"))
    });
    let parts: Vec<BotMessage> = bot.fake.sent_to(chat).into_iter().skip(1).collect();
    assert!(parts.len() >= 2, "{} parts", parts.len());
    for (i, part) in parts.iter().enumerate() {
        let n_units: usize = part.text.chars().map(char::len_utf16).sum();
        assert!(n_units <= 4096, "part {i} has {n_units} UTF-16 code units");
        assert!(
            part.text.trim_end().ends_with('.') || part.text.contains("— A Minister"),
            "part {i} cut mid-sentence"
        );
        if i + 1 < parts.len() {
            assert!(part.buttons().is_empty(), "buttons only under the last part");
        }
    }
    let all: String = parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" ");
    for &i in &turn {
        for sentence in index.passages()[i].text.split(". ") {
            assert!(all.contains(sentence), "lost {sentence:?}");
        }
    }
    bot.stop();
}

#[test]
fn webhook_mode_receives_updates_by_post() {
    use std::io::{Read, Write};
    let fake = FakeTelegram::start(TOKEN);
    let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let config = fast();
    let storage = StateStore::Memory.open().unwrap();
    let api = url::Url::parse(&fake.url()).unwrap();
    let hook = url::Url::parse(&format!("http://{address}/hook")).unwrap();
    let (shutdown, task) = runtime.block_on(async move {
        let bot = telegram::throttle(Bot::new(TOKEN).set_api_url(api), &config);
        let mut dispatcher = telegram::dispatcher(bot.clone(), sco(), config.clone(), storage);
        let shutdown = dispatcher.shutdown_token();
        let listen = Listen::Webhook { url: hook, address };
        let task =
            tokio::spawn(
                async move { telegram::serve(&mut dispatcher, bot, &config, listen).await },
            );
        (shutdown, task)
    });
    fake.wait_until("setWebhook", WAIT, |f| !f.calls("setWebhook").is_empty());
    let set = fake.calls("setWebhook").pop().unwrap().body;
    assert_eq!(set["url"], format!("http://{address}/hook"));
    let secret = set["secret_token"].as_str().unwrap().to_owned();
    let update = serde_json::json!({"update_id": 1, "message": {
        "message_id": 1, "date": 1_700_000_000,
        "chat": Chat::private(121).json(),
        "from": briefing_tests::fake_telegram::user(121),
        "text": "What is the Shanghai spirit?"
    }})
    .to_string();
    // Telegram's POST, retried until the webhook server is up.
    let status = (0..200)
        .find_map(|_| {
            let mut stream = std::net::TcpStream::connect(address).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(20));
                None
            })?;
            let request = format!(
                "POST /hook HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
                 X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{update}",
                update.len()
            );
            stream.write_all(request.as_bytes()).ok()?;
            let mut response = String::new();
            stream.read_to_string(&mut response).ok()?;
            response.split_whitespace().nth(1).map(str::to_owned)
        })
        .expect("the webhook server never answered");
    assert_eq!(status, "200");
    let reply = fake.wait_for_messages(121, 1, WAIT).pop().unwrap();
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let bot = Running { fake, runtime, shutdown, task };
    bot.stop();
}

#[test]
fn the_binary_logs_outcomes_never_the_token_and_stops_on_sigterm() {
    use std::process::{Command, Stdio};
    let fake = FakeTelegram::start(TOKEN);
    let mut child = Command::new(briefing_tests::binary("sco-bot", "sco-bot"))
        .args(["telegram", "--api-url", &fake.url()])
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("SCO_BOT_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    fake.wait_until("the first getUpdates", WAIT, |f| !f.calls("getUpdates").is_empty());
    fake.user_says(&Chat::private(122), 122, "What is the Shanghai spirit?");
    let reply = fake.wait_for_messages(122, 1, WAIT).pop().unwrap();
    assert!(reply.text.starts_with(&sco().answer("What is the Shanghai spirit?").text));
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < WAIT, "sco-bot did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let stderr = without_ansi(&stderr);
    assert!(status.success(), "{status}: {stderr}");
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(!stderr.contains(secret), "the token was logged");
    assert!(stderr.contains("chat_id=122"), "{stderr}");
    assert!(stderr.contains("latency_ms="), "{stderr}");
    assert!(stderr.contains("outcome=\"answered\""), "{stderr}");
    assert_no_rejections(&fake.requests());
}

/// `text` without ANSI escape sequences (colours).
fn without_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters, then a final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
