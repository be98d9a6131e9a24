//! The Telegram front end: `sco-bot telegram` answers in Telegram chats
//! with the one [`Assistant::answer`](crate::assistant::Assistant::answer).
//!
//! - [`handler_tree::schema`] is the handler tree; [`dispatcher`] builds
//!   teloxide's dispatcher around it with its dependencies
//!   (`Arc<Assistant>`, [`BotConfig`], the dialogue storage, the flood
//!   guard), a default handler and an error handler that log;
//!   [`serve`] registers the commands and runs long polling or a webhook.
//! - [`handlers`] answer commands, questions, follow-ups and buttons;
//!   [`views`] compose each reply from the assistant's public API;
//!   [`render`] escapes and splits HTML; [`callback`] encodes buttons;
//!   [`send`] retries and skips blocked chats; [`flood`] limits incoming
//!   messages per user; [`state`] keeps each chat's dialogue;
//!   [`text`] holds every string sent.
//! - Nothing here reads the environment except [`run`]'s caller, and the
//!   token is never logged: errors are passed through [`Redactor`].

pub mod callback;
pub mod flood;
pub mod handler_tree;
pub mod handlers;
pub mod render;
pub mod send;
pub mod state;
pub mod text;
pub mod views;

use crate::assistant::Assistant;
use flood::{FloodConfig, FloodGuard};
use state::{ChatStorage, StateStore};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::update_listeners::{Polling, webhooks};

pub use handler_tree::{Command, schema};

/// The bot as the handlers see it: teloxide's `Bot` behind the `Throttle`
/// adaptor, which keeps outgoing messages within Telegram's limits and
/// retries on 429.
pub type TgBot = Throttle<Bot>;

/// The dispatcher [`dispatcher`] builds.
pub type TgDispatcher = Dispatcher<TgBot, anyhow::Error, DefaultKey>;

/// Retries of failed requests (network errors, Telegram 5xx, 429).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The delay before the first retry; it doubles each time.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    /// Six attempts, 0.5 s doubling to at most 30 s.
    fn default() -> RetryConfig {
        RetryConfig {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// How the bot behaves toward Telegram; the defaults are Telegram's real
/// limits, tests use short delays.
#[derive(Clone, Debug)]
pub struct BotConfig {
    /// Outgoing limits (the `Throttle` adaptor).
    pub limits: Limits,
    /// Incoming limit per user.
    pub flood: FloodConfig,
    /// Retries of failed requests, and the polling backoff.
    pub retry: RetryConfig,
    /// The long-polling timeout.
    pub polling_timeout: Duration,
    /// Whether Ctrl-C stops the dispatcher (off in tests).
    pub handle_signals: bool,
}

impl Default for BotConfig {
    /// About 1 message a second per chat, 20 a minute per group, 30 a
    /// second overall; 20 incoming messages a minute per user; 10 s polls.
    fn default() -> BotConfig {
        BotConfig {
            limits: Limits {
                messages_per_sec_chat: 1,
                messages_per_min_chat: 20,
                messages_per_min_channel_or_supergroup: 20,
                messages_per_sec_overall: 30,
            },
            flood: FloodConfig::default(),
            retry: RetryConfig::default(),
            polling_timeout: Duration::from_secs(10),
            handle_signals: true,
        }
    }
}

/// Removes the bot token (and its secret half) from text before it is
/// logged.
///
/// ```
/// use sco_bot::telegram::Redactor;
/// let redactor = Redactor::new("123456:ABC-secret");
/// assert_eq!(
///     redactor.redact("error for url (https://api.telegram.org/bot123456:ABC-secret/GetMe)"),
///     "error for url (https://api.telegram.org/bot<token>/GetMe)"
/// );
/// ```
#[derive(Clone)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(..)")
    }
}

impl Redactor {
    /// A redactor for `token`.
    #[must_use]
    pub fn new(token: &str) -> Redactor {
        let mut secrets = vec![token.to_owned()];
        if let Some((_, secret)) = token.split_once(':')
            && secret.len() >= 8
        {
            secrets.push(secret.to_owned());
        }
        secrets.retain(|s| !s.is_empty());
        Redactor { secrets }
    }

    /// `text` with the token replaced by `<token>`.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "<token>");
        }
        out
    }
}

/// Logs errors of handlers and of the update listener, token redacted; the
/// dispatcher goes on.
#[derive(Debug)]
struct LogErrors {
    what: &'static str,
    redactor: Redactor,
}

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for LogErrors {
    fn handle_error(self: Arc<Self>, error: E) -> futures_boxed::BoxFuture<()> {
        let message = self.redactor.redact(&format!("{error:#}"));
        tracing::error!(source = self.what, error = %message, "request failed");
        Box::pin(std::future::ready(()))
    }
}

mod futures_boxed {
    //! The boxed future type of teloxide's `ErrorHandler`.
    /// A boxed, sendable future.
    pub type BoxFuture<T> =
        std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;
}

/// Wraps `bot` in the `Throttle` adaptor with `config.limits` (spawns its
/// worker: call inside a tokio runtime).
#[must_use]
pub fn throttle(bot: Bot, config: &BotConfig) -> TgBot {
    Throttle::new_spawn(bot, config.limits)
}

/// The dispatcher: [`schema`] with its dependencies, a default handler and
/// an error handler that log, and Ctrl-C handling when
/// `config.handle_signals`. Updates of one chat are handled in order,
/// chats in parallel.
#[must_use]
pub fn dispatcher(
    bot: TgBot,
    assistant: Arc<Assistant>,
    config: BotConfig,
    storage: Arc<ChatStorage>,
) -> TgDispatcher {
    let redactor = Redactor::new(bot.inner().token());
    let flood = Arc::new(FloodGuard::new(config.flood));
    let builder = Dispatcher::builder(bot, schema())
        .dependencies(dptree::deps![assistant, config.clone(), storage, flood])
        .default_handler(|update: Arc<Update>| async move {
            tracing::debug!(update_id = update.id.0, "update not handled");
        })
        .error_handler(Arc::new(LogErrors { what: "handler", redactor }));
    if config.handle_signals { builder.enable_ctrlc_handler().build() } else { builder.build() }
}

/// How updates arrive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listen {
    /// Long polling (getUpdates).
    Polling,
    /// A webhook: Telegram posts to `url`, which reaches `address`.
    Webhook {
        /// The public HTTPS URL set with setWebhook.
        url: url::Url,
        /// The local address the webhook server listens on.
        address: SocketAddr,
    },
}

/// Checks the token (getMe), registers the command menu (setMyCommands)
/// and dispatches updates until the dispatcher is shut down. Start-up
/// requests are retried like any other.
pub async fn serve(
    dispatcher: &mut TgDispatcher,
    bot: TgBot,
    config: &BotConfig,
    listen: Listen,
) -> anyhow::Result<()> {
    let redactor = Redactor::new(bot.inner().token());
    let me =
        send::with_retry(&config.retry, "getMe", || bot.get_me().into_future()).await.map_err(
            |e| anyhow::anyhow!("cannot log in to Telegram: {}", redactor.redact(&e.to_string())),
        )?;
    tracing::info!(username = me.username(), "logged in to Telegram");
    // Telegram documents command names without the slash.
    let commands: Vec<teloxide::types::BotCommand> = Command::menu()
        .into_iter()
        .map(|(command, description)| teloxide::types::BotCommand::new(command, description))
        .collect();
    let registered = send::with_retry(&config.retry, "setMyCommands", || {
        bot.set_my_commands(commands.clone()).into_future()
    })
    .await;
    if let Err(e) = registered {
        tracing::warn!(error = %redactor.redact(&e.to_string()), "cannot register the command menu");
    }
    let listener_errors =
        Arc::new(LogErrors { what: "update listener", redactor: redactor.clone() });
    let result = match listen {
        Listen::Polling => {
            let retry = config.retry.clone();
            let polling = Polling::builder(bot)
                .timeout(config.polling_timeout)
                .backoff_strategy(move |n_errors| retry.delay(n_errors))
                .delete_webhook()
                .await
                .build();
            dispatcher.try_dispatch_with_listener(polling, listener_errors).await
        }
        Listen::Webhook { url, address } => {
            let listener =
                webhooks::axum(bot, webhooks::Options::new(address, url)).await.map_err(|e| {
                    anyhow::anyhow!("cannot set the webhook: {}", redactor.redact(&e.to_string()))
                })?;
            dispatcher.try_dispatch_with_listener(listener, listener_errors).await
        }
    };
    result
        .map_err(|e| anyhow::anyhow!("dispatching failed: {}", redactor.redact(&e.to_string())))?;
    tracing::info!("stopped");
    Ok(())
}

/// The `sco-bot telegram` options.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The Bot API base URL (default: $TELOXIDE_API_URL, else Telegram's).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Receive updates at this public HTTPS URL (a webhook) instead of long polling.
    #[arg(long, value_name = "URL", requires = "listen")]
    pub webhook_url: Option<String>,
    /// The local address of the webhook server, e.g. 0.0.0.0:8443.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Where chats' state is kept: `memory`, or `sqlite:PATH` to survive restarts.
    #[arg(long, value_name = "STORE", default_value = "memory")]
    pub state: StateStore,
}

/// What `run` takes from the environment (read by `main`).
#[derive(Clone, Default)]
pub struct Environment {
    /// `TELOXIDE_TOKEN`.
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`.
    pub api_url: Option<String>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("token", &self.token.as_ref().map(|_| "<token>"))
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// Runs the bot until Ctrl-C or SIGTERM, then finishes the answers in
/// flight and returns.
pub fn run(assistant: Assistant, args: &Args, environment: Environment) -> anyhow::Result<()> {
    let token = environment
        .token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| anyhow::anyhow!(text::NO_TOKEN))?;
    let api_url = match args.api_url.clone().or(environment.api_url) {
        Some(url) => Some(
            url::Url::parse(&url).map_err(|e| anyhow::anyhow!("bad Bot API URL {url:?}: {e}"))?,
        ),
        None => None,
    };
    let listen = match (&args.webhook_url, args.listen) {
        (Some(url), Some(address)) => Listen::Webhook {
            url: url::Url::parse(url)
                .map_err(|e| anyhow::anyhow!("bad webhook URL {url:?}: {e}"))?,
            address,
        },
        (Some(_), None) => anyhow::bail!(text::WEBHOOK_NEEDS_LISTEN),
        (None, _) => Listen::Polling,
    };
    let storage = args.state.open()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let mut bot = Bot::new(token);
        if let Some(url) = api_url {
            bot = bot.set_api_url(url);
        }
        let config = BotConfig::default();
        let bot = throttle(bot, &config);
        let mut dispatcher = dispatcher(bot.clone(), Arc::new(assistant), config.clone(), storage);
        stop_on_sigterm(&dispatcher);
        serve(&mut dispatcher, bot, &config, listen).await
    })
}

/// Shuts the dispatcher down gracefully on SIGTERM (Ctrl-C is handled by
/// the dispatcher itself).
fn stop_on_sigterm(dispatcher: &TgDispatcher) {
    #[cfg(unix)]
    {
        let token = dispatcher.shutdown_token();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut terminate) = signal(SignalKind::terminate()) else { return };
            if terminate.recv().await.is_some() {
                tracing::info!("SIGTERM received: finishing the answers in flight, then stopping");
                // `shutdown` changes the state at once; its future is not awaited
                // because it can miss the wake-up when dispatching ends first
                // (`serve` returning is what ends the program).
                drop(token.shutdown());
            }
        });
    }
    #[cfg(not(unix))]
    let _ = dispatcher;
}
