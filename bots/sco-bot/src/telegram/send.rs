//! Sending to Telegram: retries with backoff on network errors, Telegram
//! 5xx and 429, skipping chats that blocked the bot, and views sent as one
//! or more HTML messages.

use super::render::MAX_MESSAGE_UTF16;
use super::views::View;
use super::{BotConfig, RetryConfig, TgBot};
use std::future::{Future, IntoFuture};
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, MessageId, ParseMode, ReplyParameters};
use teloxide::{ApiError, RequestError};

/// How a request failed, for retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying after a delay (network, 5xx, 429).
    Transient,
    /// The chat is gone for the bot: it blocked the bot, left, or was deleted.
    ChatGone,
    /// Anything else: a bug or a bad request; not retried.
    Permanent,
}

/// Sorts an error.
#[must_use]
pub fn classify(error: &RequestError) -> Failure {
    match error {
        RequestError::Network(_) | RequestError::RetryAfter(_) | RequestError::Io(_) => {
            Failure::Transient
        }
        // A proxy's HTML error page instead of Telegram's JSON.
        RequestError::InvalidJson { .. } => Failure::Transient,
        RequestError::Api(api) => match api {
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::ChatNotFound
            | ApiError::GroupDeactivated
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots
            | ApiError::NotEnoughRightsToPostMessages => Failure::ChatGone,
            ApiError::Unknown(description) if is_server_error(description) => Failure::Transient,
            _ => Failure::Permanent,
        },
        RequestError::MigrateToChatId(_) => Failure::Permanent,
    }
}

/// Telegram's descriptions of its 5xx responses (teloxide does not keep
/// the status code).
fn is_server_error(description: &str) -> bool {
    let lower = description.to_ascii_lowercase();
    [
        "internal server error",
        "bad gateway",
        "service unavailable",
        "gateway timeout",
        "too many requests",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

impl RetryConfig {
    /// The delay before retry number `attempt` (0-based): doubling from
    /// `base_delay`, at most `max_delay`.
    #[must_use]
    pub fn delay(&self, attempt: u32) -> std::time::Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Runs `request` until it succeeds, fails for good, or `config.attempts`
/// are used up; a 429 waits its `retry_after`, other transient failures
/// the backoff delay.
pub async fn with_retry<T, F, Fut>(
    config: &RetryConfig,
    what: &str,
    mut request: F,
) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 0;
    loop {
        let error = match request().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        attempt += 1;
        if classify(&error) != Failure::Transient || attempt >= config.attempts {
            return Err(error);
        }
        let delay = match &error {
            RequestError::RetryAfter(seconds) => seconds.duration(),
            _ => config.delay(attempt - 1),
        };
        tracing::warn!(request = what, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
        tokio::time::sleep(delay).await;
    }
}

/// What became of a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Sent: the id of its last message.
    Sent(MessageId),
    /// The chat is gone for the bot (blocked, kicked); nothing was sent.
    ChatGone,
    /// The view was empty.
    Nothing,
}

/// Sends a view as one or more messages (split at [`MAX_MESSAGE_UTF16`]),
/// the first replying to `reply_to`, the buttons under the last.
pub async fn send_view(
    bot: &TgBot,
    config: &BotConfig,
    chat: ChatId,
    view: &View,
    reply_to: Option<MessageId>,
) -> Result<Delivery, RequestError> {
    let parts = view.message.split(MAX_MESSAGE_UTF16);
    let n_parts = parts.len();
    let mut chat = chat;
    let mut delivery = Delivery::Nothing;
    for (i, part) in parts.into_iter().enumerate() {
        let keyboard = if i + 1 == n_parts { view.keyboard.clone() } else { None };
        let reply = if i == 0 { reply_to } else { None };
        let make = |chat: ChatId| {
            let part = part.clone();
            let keyboard = keyboard.clone();
            move || {
                let mut request = bot
                    .send_message(chat, part.clone())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(no_preview());
                if let Some(keyboard) = keyboard.clone() {
                    request = request.reply_markup(keyboard);
                }
                if let Some(id) = reply {
                    request = request
                        .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
                }
                request.into_future()
            }
        };
        let result = match with_retry(&config.retry, "sendMessage", make(chat)).await {
            // The group became a supergroup: send there instead.
            Err(RequestError::MigrateToChatId(to)) => {
                tracing::info!(chat_id = chat.0, to = to.0, "group migrated to a supergroup");
                chat = to;
                with_retry(&config.retry, "sendMessage", make(chat)).await
            }
            other => other,
        };
        match result {
            Ok(message) => delivery = Delivery::Sent(message.id),
            Err(error) if classify(&error) == Failure::ChatGone => {
                tracing::info!(chat_id = chat.0, error = %error, "chat unavailable (blocked or left); skipped");
                return Ok(Delivery::ChatGone);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(delivery)
}

/// Replaces a message with a view (one part), or sends the view anew when
/// the message cannot be edited.
pub async fn edit_view(
    bot: &TgBot,
    config: &BotConfig,
    chat: ChatId,
    message_id: MessageId,
    view: &View,
) -> Result<Delivery, RequestError> {
    let parts = view.message.split(MAX_MESSAGE_UTF16);
    let [html] = parts.as_slice() else {
        return send_view(bot, config, chat, view, None).await;
    };
    let result = with_retry(&config.retry, "editMessageText", || {
        let mut request = bot
            .edit_message_text(chat, message_id, html.clone())
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(keyboard) = view.keyboard.clone() {
            request = request.reply_markup(keyboard);
        }
        request.into_future()
    })
    .await;
    match result {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {
            Ok(Delivery::Sent(message_id))
        }
        Err(RequestError::Api(ApiError::MessageCantBeEdited | ApiError::MessageToEditNotFound)) => {
            send_view(bot, config, chat, view, None).await
        }
        Err(error) if classify(&error) == Failure::ChatGone => {
            tracing::info!(chat_id = chat.0, error = %error, "chat unavailable (blocked or left); skipped");
            Ok(Delivery::ChatGone)
        }
        Err(error) => Err(error),
    }
}

/// Stops the spinner of a button, optionally with a short notice.
pub async fn answer_callback(
    bot: &TgBot,
    config: &BotConfig,
    query: &CallbackQuery,
    notice: Option<&str>,
) -> Result<(), RequestError> {
    let result = with_retry(&config.retry, "answerCallbackQuery", || {
        let mut request = bot.answer_callback_query(query.id.clone());
        if let Some(notice) = notice {
            request = request.text(notice).show_alert(true);
        }
        request.into_future()
    })
    .await;
    match result {
        Ok(_) => Ok(()),
        // Too old to answer (over 15 minutes): nothing to stop.
        Err(RequestError::Api(ApiError::Unknown(ref d))) if d.contains("query is too old") => {
            Ok(())
        }
        Err(error) => Err(error),
    }
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sorts_errors() {
        assert_eq!(
            classify(&RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(3))),
            Failure::Transient
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
            Failure::Transient
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown("Internal Server Error".into()))),
            Failure::Transient
        );
        assert_eq!(classify(&RequestError::Api(ApiError::BotBlocked)), Failure::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::UserDeactivated)), Failure::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::MessageTextIsEmpty)), Failure::Permanent);
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown("Bad Request: odd".into()))),
            Failure::Permanent
        );
    }

    #[test]
    fn backs_off_exponentially_up_to_the_cap() {
        let config = RetryConfig {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        let delays: Vec<u128> = (0..5).map(|a| config.delay(a).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 500, 500]);
        assert_eq!(config.delay(100), Duration::from_millis(500));
    }

    #[tokio::test]
    async fn retries_transient_errors_only() {
        let config =
            RetryConfig { attempts: 3, base_delay: Duration::ZERO, max_delay: Duration::ZERO };
        let mut calls = 0;
        let result: Result<u8, _> = with_retry(&config, "test", || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(RequestError::Api(ApiError::Unknown("Bad Gateway".into())))
                } else {
                    Ok(7)
                }
            }
        })
        .await;
        assert_eq!(result.ok(), Some(7));
        assert_eq!(calls, 3);

        let mut calls = 0;
        let result: Result<u8, _> = with_retry(&config, "test", || {
            calls += 1;
            async { Err(RequestError::Api(ApiError::BotBlocked)) }
        })
        .await;
        assert!(matches!(result, Err(RequestError::Api(ApiError::BotBlocked))));
        assert_eq!(calls, 1);

        let mut calls = 0;
        let result: Result<u8, _> = with_retry(&config, "test", || {
            calls += 1;
            async { Err(RequestError::Api(ApiError::Unknown("Service Unavailable".into()))) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 3);
    }
}
