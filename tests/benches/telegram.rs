//! Answered messages per second, end to end: updates go into the fake
//! Telegram Bot API, the real dispatcher of `sco-bot telegram` polls them,
//! answers each question and sends the reply back to the fake. Telegram's
//! outgoing limits and the per-user flood limit are lifted, so this
//! measures the bot, not the limits (with them, the ceiling is 30 messages
//! a second by design).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use briefing_tests::fake_telegram::{Chat, FakeTelegram};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sco_bot::assistant::Assistant;
use sco_bot::corpus::Corpus;
use sco_bot::telegram::flood::FloodConfig;
use sco_bot::telegram::state::StateStore;
use sco_bot::telegram::{self, BotConfig, Listen, RetryConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;

const TOKEN: &str = "123456:BENCH-token-for-the-fake-server";

/// Messages per iteration: one question from each of 500 chats (the
/// messages of one chat are answered in order, each after the last).
const N_CHATS: i64 = 500;
const N_PER_CHAT: usize = 1;

const QUESTIONS: [&str; 4] = [
    "How many terrorist crimes were thwarted in 2013-2017?",
    "What is the Shanghai spirit?",
    "What does the road transport agreement do?",
    "Do more countries want to join the SCO?",
];

fn end_to_end(c: &mut Criterion) {
    let assistant = Arc::new(Assistant::new(&Corpus::embedded().unwrap()).unwrap());
    let config = BotConfig {
        limits: Limits {
            messages_per_sec_chat: 1_000_000,
            messages_per_min_chat: 1_000_000,
            messages_per_min_channel_or_supergroup: 1_000_000,
            messages_per_sec_overall: 1_000_000,
        },
        flood: FloodConfig { max_messages: usize::MAX - 1, window: Duration::from_secs(60) },
        retry: RetryConfig::default(),
        polling_timeout: Duration::from_secs(1),
        handle_signals: false,
    };
    let fake = FakeTelegram::start(TOKEN);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let storage = StateStore::Memory.open().unwrap();
    let url = url::Url::parse(&fake.url()).unwrap();
    let shutdown = runtime.block_on(async {
        let bot = telegram::throttle(Bot::new(TOKEN).set_api_url(url), &config);
        let mut dispatcher = telegram::dispatcher(bot.clone(), assistant, config.clone(), storage);
        let shutdown = dispatcher.shutdown_token();
        tokio::spawn(async move {
            telegram::serve(&mut dispatcher, bot, &config, Listen::Polling).await
        });
        shutdown
    });
    fake.wait_until("the first getUpdates", Duration::from_secs(30), |f| {
        !f.calls("getUpdates").is_empty()
    });

    let n_messages = N_CHATS as usize * N_PER_CHAT;
    let mut group = c.benchmark_group("telegram");
    group.throughput(Throughput::Elements(n_messages as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("answered messages, end to end through the fake Bot API", |b| {
        b.iter_custom(|iterations| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iterations {
                let before = fake.n_sent();
                let started = Instant::now();
                for round in 0..N_PER_CHAT {
                    for chat in 0..N_CHATS {
                        let question = QUESTIONS[(round + chat as usize) % QUESTIONS.len()];
                        fake.user_says(&Chat::private(10_000 + chat), 10_000 + chat, question);
                    }
                }
                fake.wait_until("every answer", Duration::from_secs(60), |f| {
                    f.n_sent() >= before + n_messages
                });
                elapsed += started.elapsed();
                assert_eq!(fake.n_sent(), before + n_messages);
            }
            elapsed
        });
    });
    group.finish();
    // Stops the dispatcher (its future is not awaited: see the e2e tests).
    drop(shutdown.shutdown());
    drop(runtime);
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
