//! A fake Telegram Bot API on `127.0.0.1` for end-to-end tests of a bot.
//!
//! A real bot is pointed at [`FakeTelegram::url`] (teloxide:
//! `Bot::set_api_url`). The server answers `POST /bot{TOKEN}/{Method}`
//! (method names matched case-insensitively, as teloxide sends PascalCase)
//! for `getMe`, `getUpdates` (long polling over the updates a test pushes),
//! `sendMessage`, `editMessageText`, `answerCallbackQuery`,
//! `setMyCommands`, `getWebhookInfo`, `setWebhook` and `deleteWebhook`. It
//! records every request, checks outgoing texts the way Telegram does
//! (HTML parse mode, 4096 UTF-16 code units, 64-byte `callback_data`) and
//! injects [`Fault`]s on demand: 5xx, 429 with `retry_after`, 403, 400 and
//! slow replies. [`FakeTelegram::push_raw`] feeds a malformed update.
//!
//! The server runs on its own thread and runtime, so it keeps serving
//! whatever the test's runtime does; every wait is bounded.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The bot's user id in the fake.
pub const BOT_ID: i64 = 4_242_424_242;

/// The bot's username in the fake.
pub const BOT_USERNAME: &str = "sco_test_bot";

/// How long an empty `getUpdates` waits for an update at most.
const EMPTY_POLL_WAIT: Duration = Duration::from_millis(50);

/// A fault injected into the next call of a method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// An HTTP 5xx (or other) status with Telegram's JSON error body.
    Status(u16),
    /// 429 Too Many Requests with `parameters.retry_after` seconds.
    RetryAfter(u32),
    /// 403: the user blocked the bot.
    Blocked,
    /// 400 with this description.
    BadRequest(String),
    /// Answers normally after this delay.
    Delay(Duration),
}

/// One request the bot made.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method, lowercase (`sendmessage`).
    pub method: String,
    /// The JSON parameters (`{}` when there were none).
    pub body: Value,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// Telegram's error description, when it failed.
    pub error: Option<String>,
    /// When it arrived.
    pub at: Instant,
}

/// A message the bot sent (a successful `sendMessage`).
#[derive(Clone, Debug)]
pub struct BotMessage {
    /// The chat.
    pub chat_id: i64,
    /// Its message id.
    pub message_id: i64,
    /// The text as sent (HTML when `parse_mode` is HTML).
    pub html: String,
    /// The text as users see it (tags removed, entities decoded).
    pub text: String,
    /// The message it replies to, if any.
    pub reply_to: Option<i64>,
    /// The reply markup as sent.
    pub reply_markup: Option<Value>,
    /// The `Message` the fake returned (to build button presses).
    pub json: Value,
}

impl BotMessage {
    /// The inline buttons: `(label, callback_data)`, row by row.
    #[must_use]
    pub fn buttons(&self) -> Vec<(String, String)> {
        buttons(self.reply_markup.as_ref())
    }

    /// The `callback_data` of the button whose label starts with `label`.
    ///
    /// # Panics
    ///
    /// When there is no such button.
    #[must_use]
    pub fn button(&self, label: &str) -> String {
        self.buttons()
            .into_iter()
            .find(|(l, _)| l.starts_with(label))
            .map(|(_, data)| data)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons()))
    }
}

/// The inline buttons of a reply markup.
#[must_use]
pub fn buttons(markup: Option<&Value>) -> Vec<(String, String)> {
    let Some(rows) = markup.and_then(|m| m["inline_keyboard"].as_array()) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(Value::as_array)
        .flatten()
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A chat of the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chat {
    /// Its id (negative for groups).
    pub id: i64,
    /// `private`, `group` or `supergroup`.
    pub kind: &'static str,
}

impl Chat {
    /// A private chat with user `id` (the chat id is the user id).
    #[must_use]
    pub fn private(id: i64) -> Chat {
        Chat { id, kind: "private" }
    }

    /// A supergroup.
    #[must_use]
    pub fn supergroup(id: i64) -> Chat {
        Chat { id, kind: "supergroup" }
    }

    /// A basic group.
    #[must_use]
    pub fn group(id: i64) -> Chat {
        Chat { id, kind: "group" }
    }

    /// Telegram's `Chat` object.
    #[must_use]
    pub fn json(&self) -> Value {
        match self.kind {
            "private" => json!({"id": self.id, "type": "private", "first_name": "Tester"}),
            kind => json!({"id": self.id, "type": kind, "title": "Test group"}),
        }
    }
}

/// Telegram's `User` object of a (human) user.
#[must_use]
pub fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Tester", "language_code": "en"})
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "SCO Test", "username": BOT_USERNAME})
}

#[derive(Debug, Default)]
struct Inner {
    /// Updates not yet confirmed by an offset, oldest first.
    updates: VecDeque<Value>,
    next_update_id: i64,
    next_message_id: i64,
    next_query_id: u64,
    requests: Vec<Request>,
    sent: Vec<BotMessage>,
    faults: BTreeMap<String, VecDeque<Fault>>,
    chats: BTreeMap<i64, Value>,
    webhook_url: String,
}

#[derive(Debug)]
struct Shared {
    token: String,
    inner: Mutex<Inner>,
    new_update: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The fake server; it stops when dropped.
#[derive(Debug)]
pub struct FakeTelegram {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeTelegram {
    /// Starts a fake on a random port of 127.0.0.1 that accepts `token`.
    ///
    /// # Panics
    ///
    /// When the server cannot start.
    #[must_use]
    pub fn start(token: &str) -> FakeTelegram {
        FakeTelegram::start_on(token, "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")))
    }

    /// Starts a fake on `addr` (to bring a server up where a bot already
    /// looks for it).
    ///
    /// # Panics
    ///
    /// When the server cannot start.
    #[must_use]
    pub fn start_on(token: &str, addr: SocketAddr) -> FakeTelegram {
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            inner: Mutex::new(Inner {
                next_update_id: 1000,
                next_message_id: 1,
                ..Inner::default()
            }),
            new_update: Notify::new(),
        });
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let state = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("fake telegram runtime: {e}"));
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .unwrap_or_else(|e| panic!("fake telegram cannot bind {addr}: {e}"));
                let _ = addr_tx.send(listener.local_addr().unwrap_or(addr));
                let app = Router::new().route("/{bot}/{method}", post(handle)).with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
            // Connections still open (a long poll) are dropped here.
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("fake telegram did not start: {e}"));
        FakeTelegram { addr, shared, stop: Some(stop_tx), thread: Some(thread) }
    }

    /// The Bot API base URL to give the bot (`http://127.0.0.1:PORT/`).
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address the fake listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues an update (its `update_id` is set) and returns its id.
    pub fn push_raw(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.shared.lock();
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            update["update_id"] = json!(id);
            for chat in [&update["message"]["chat"], &update["callback_query"]["message"]["chat"]] {
                if let Some(chat_id) = chat["id"].as_i64() {
                    inner.chats.insert(chat_id, chat.clone());
                }
            }
            inner.updates.push_back(update);
            id
        };
        self.shared.new_update.notify_waiters();
        id
    }

    fn next_message_id(&self) -> i64 {
        let mut inner = self.shared.lock();
        let id = inner.next_message_id;
        inner.next_message_id += 1;
        id
    }

    /// A text message from `user_id` in `chat`; returns its message id.
    pub fn user_says(&self, chat: &Chat, user_id: i64, text: &str) -> i64 {
        self.user_message(chat, user_id, json!({"text": text}))
    }

    /// A text message replying to `to` (a message the bot sent).
    pub fn user_replies(&self, chat: &Chat, user_id: i64, to: &BotMessage, text: &str) -> i64 {
        self.user_message(chat, user_id, json!({"text": text, "reply_to_message": to.json}))
    }

    /// A message with these fields (`text`, `sticker`, `entities`, ...).
    pub fn user_message(&self, chat: &Chat, user_id: i64, fields: Value) -> i64 {
        let message_id = self.next_message_id();
        let mut message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": chat.json(),
            "from": user(user_id),
        });
        if let (Some(message), Some(fields)) = (message.as_object_mut(), fields.as_object()) {
            message.extend(fields.clone());
        }
        self.push_raw(json!({"message": message}));
        message_id
    }

    /// A press on a button with `data` under `message`, by `user_id`;
    /// returns the callback query id.
    pub fn user_presses(&self, message: &BotMessage, user_id: i64, data: &str) -> String {
        let id = {
            let mut inner = self.shared.lock();
            inner.next_query_id += 1;
            format!("q{}", inner.next_query_id)
        };
        self.push_raw(json!({"callback_query": {
            "id": id,
            "from": user(user_id),
            "message": message.json,
            "chat_instance": "test",
            "data": data,
        }}));
        id
    }

    /// Makes the next call of `method` (any case) fail with `fault`; faults
    /// of one method apply in order.
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.shared.lock().faults.entry(method.to_ascii_lowercase()).or_default().push_back(fault);
    }

    /// Sets a webhook, as if a previous run had left one.
    pub fn set_webhook(&self, url: &str) {
        url.clone_into(&mut self.shared.lock().webhook_url);
    }

    /// Every request so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// The requests of `method` (any case).
    #[must_use]
    pub fn calls(&self, method: &str) -> Vec<Request> {
        let method = method.to_ascii_lowercase();
        self.shared.lock().requests.iter().filter(|r| r.method == method).cloned().collect()
    }

    /// Messages the bot sent, in order.
    #[must_use]
    pub fn sent(&self) -> Vec<BotMessage> {
        self.shared.lock().sent.clone()
    }

    /// How many messages the bot sent.
    #[must_use]
    pub fn n_sent(&self) -> usize {
        self.shared.lock().sent.len()
    }

    /// Messages the bot sent to `chat_id`, in order.
    #[must_use]
    pub fn sent_to(&self, chat_id: i64) -> Vec<BotMessage> {
        self.shared.lock().sent.iter().filter(|m| m.chat_id == chat_id).cloned().collect()
    }

    /// Waits until `done` holds for the requests so far, at most `timeout`.
    ///
    /// # Panics
    ///
    /// On timeout, listing the requests.
    pub fn wait_until(&self, what: &str, timeout: Duration, done: impl Fn(&FakeTelegram) -> bool) {
        let started = Instant::now();
        while !done(self) {
            if started.elapsed() > timeout {
                let requests: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {} {:?} {}", r.method, r.status, r.error, r.body))
                    .collect();
                panic!(
                    "timed out after {timeout:?} waiting for {what}; requests:\n{}",
                    requests.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until the bot has sent `n` messages to `chat_id` and returns them.
    ///
    /// # Panics
    ///
    /// On timeout.
    pub fn wait_for_messages(&self, chat_id: i64, n: usize, timeout: Duration) -> Vec<BotMessage> {
        self.wait_until(&format!("{n} messages to chat {chat_id}"), timeout, |fake| {
            fake.sent_to(chat_id).len() >= n
        });
        self.sent_to(chat_id)
    }

    /// Whether every update pushed so far has been fetched and confirmed.
    #[must_use]
    pub fn all_updates_confirmed(&self) -> bool {
        self.shared.lock().updates.is_empty()
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A Telegram error response.
fn error(status: u16, description: &str, parameters: Option<Value>) -> (u16, Value) {
    let mut body = json!({"ok": false, "error_code": status, "description": description});
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    (status, body)
}

fn ok(result: Value) -> (u16, Value) {
    (200, json!({"ok": true, "result": result}))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = method.to_ascii_lowercase();
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = content_type.split_once("boundary=").map(|(_, b)| b.trim_matches('"'));
    let body: Value = if body.is_empty() {
        json!({})
    } else if let Some(boundary) = boundary {
        multipart_fields(&body, boundary)
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| json!({"<unparsed>": String::from_utf8_lossy(&body)}))
    };
    let at = Instant::now();
    let (status, reply) = if bot.strip_prefix("bot") != Some(shared.token.as_str()) {
        error(401, "Unauthorized", None)
    } else {
        let fault = shared.lock().faults.get_mut(&method).and_then(VecDeque::pop_front);
        match fault {
            Some(Fault::Status(status)) => error(status, reason(status), None),
            Some(Fault::RetryAfter(seconds)) => error(
                429,
                &format!("Too Many Requests: retry after {seconds}"),
                Some(json!({"retry_after": seconds})),
            ),
            Some(Fault::Blocked) => error(403, "Forbidden: bot was blocked by the user", None),
            Some(Fault::BadRequest(description)) => error(400, &description, None),
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                answer(&shared, &method, &body).await
            }
            None => answer(&shared, &method, &body).await,
        }
    };
    let error =
        (status != 200).then(|| reply["description"].as_str().unwrap_or_default().to_owned());
    shared.lock().requests.push(Request { method, body, status, error, at });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(reply)).into_response()
}

/// The text fields of a `multipart/form-data` body (teloxide sends
/// `setWebhook` so), as a JSON object of strings.
fn multipart_fields(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = head.split("name=\"").nth(1).and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        fields.insert(name.to_owned(), json!(value.strip_suffix("\r\n").unwrap_or(value)));
    }
    Value::Object(fields)
}

fn reason(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// The normal answer to a method.
async fn answer(shared: &Shared, method: &str, body: &Value) -> (u16, Value) {
    match method {
        "getme" => {
            let mut me = bot_user();
            if let Some(me) = me.as_object_mut() {
                me.extend([
                    ("can_join_groups".to_owned(), json!(true)),
                    ("can_read_all_group_messages".to_owned(), json!(false)),
                    ("supports_inline_queries".to_owned(), json!(false)),
                    ("can_connect_to_business".to_owned(), json!(false)),
                    ("has_main_web_app".to_owned(), json!(false)),
                ]);
            }
            ok(me)
        }
        "getwebhookinfo" => {
            let url = shared.lock().webhook_url.clone();
            ok(json!({"url": url, "has_custom_certificate": false, "pending_update_count": 0}))
        }
        "setwebhook" => {
            shared.lock().webhook_url = body["url"].as_str().unwrap_or_default().to_owned();
            ok(json!(true))
        }
        "deletewebhook" => {
            shared.lock().webhook_url.clear();
            ok(json!(true))
        }
        "getupdates" => get_updates(shared, body).await,
        "sendmessage" => send_message(shared, body),
        "editmessagetext" => edit_message_text(shared, body),
        "answercallbackquery" => {
            let text = body["text"].as_str().unwrap_or_default();
            if text.chars().count() > 200 {
                return error(400, "Bad Request: MESSAGE_TOO_LONG", None);
            }
            ok(json!(true))
        }
        "setmycommands" => {
            let valid = body["commands"].as_array().is_some_and(|commands| {
                commands.iter().all(|c| {
                    let name = c["command"].as_str().unwrap_or_default();
                    let description = c["description"].as_str().unwrap_or_default();
                    (1..=32).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && (1..=256).contains(&description.chars().count())
                })
            });
            if valid {
                ok(json!(true))
            } else {
                error(400, "Bad Request: BOT_COMMAND_INVALID", None)
            }
        }
        _ => error(404, "Not Found: method not found", None),
    }
}

async fn get_updates(shared: &Shared, body: &Value) -> (u16, Value) {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let limit = body["limit"].as_u64().map_or(100, |l| l.clamp(1, 100)) as usize;
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
    let deadline = Instant::now() + timeout.min(EMPTY_POLL_WAIT).max(Duration::from_millis(5));
    loop {
        // Register for a wake-up before looking, so a push in between is not missed.
        let notified = shared.new_update.notified();
        {
            let mut inner = shared.lock();
            while inner
                .updates
                .front()
                .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
            {
                inner.updates.pop_front();
            }
            if !inner.updates.is_empty() || Instant::now() >= deadline {
                let batch: Vec<Value> = inner.updates.iter().take(limit).cloned().collect();
                return ok(Value::Array(batch));
            }
        }
        let _ = tokio::time::timeout_at(deadline.into(), notified).await;
    }
}

/// Telegram's checks of an outgoing text; the visible text or an error.
fn check_text(body: &Value) -> Result<String, String> {
    let text = body["text"].as_str().unwrap_or_default();
    let visible = match body["parse_mode"].as_str() {
        Some("HTML") => {
            visible_html(text).map_err(|e| format!("Bad Request: can't parse entities: {e}"))?
        }
        Some(other) => return Err(format!("Bad Request: unsupported parse_mode {other}")),
        None => text.to_owned(),
    };
    if visible.trim().is_empty() {
        return Err("Bad Request: message text is empty".to_owned());
    }
    if visible.chars().map(char::len_utf16).sum::<usize>() > 4096 {
        return Err("Bad Request: message is too long".to_owned());
    }
    for (_, data) in buttons(Some(&body["reply_markup"])) {
        if data.is_empty() || data.len() > 64 {
            return Err("Bad Request: BUTTON_DATA_INVALID".to_owned());
        }
    }
    Ok(visible)
}

fn send_message(shared: &Shared, body: &Value) -> (u16, Value) {
    let visible = match check_text(body) {
        Ok(visible) => visible,
        Err(description) => return error(400, &description, None),
    };
    let Some(chat_id) = body["chat_id"].as_i64() else {
        return error(400, "Bad Request: chat not found", None);
    };
    let mut inner = shared.lock();
    let message_id = inner.next_message_id;
    inner.next_message_id += 1;
    let chat = inner
        .chats
        .get(&chat_id)
        .cloned()
        .unwrap_or_else(|| json!({"id": chat_id, "type": "private", "first_name": "Tester"}));
    let mut message = json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": chat,
        "from": bot_user(),
        "text": visible,
    });
    if !body["reply_markup"].is_null() {
        message["reply_markup"] = body["reply_markup"].clone();
    }
    inner.sent.push(BotMessage {
        chat_id,
        message_id,
        html: body["text"].as_str().unwrap_or_default().to_owned(),
        text: visible,
        reply_to: body["reply_parameters"]["message_id"].as_i64(),
        reply_markup: (!body["reply_markup"].is_null()).then(|| body["reply_markup"].clone()),
        json: message.clone(),
    });
    ok(message)
}

fn edit_message_text(shared: &Shared, body: &Value) -> (u16, Value) {
    let visible = match check_text(body) {
        Ok(visible) => visible,
        Err(description) => return error(400, &description, None),
    };
    let (Some(chat_id), Some(message_id)) = (body["chat_id"].as_i64(), body["message_id"].as_i64())
    else {
        return error(400, "Bad Request: message to edit not found", None);
    };
    let mut inner = shared.lock();
    let Some(sent) =
        inner.sent.iter_mut().find(|m| m.chat_id == chat_id && m.message_id == message_id)
    else {
        return error(400, "Bad Request: message to edit not found", None);
    };
    if sent.html == body["text"].as_str().unwrap_or_default()
        && sent.reply_markup.as_ref() == Some(&body["reply_markup"])
    {
        return error(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            None,
        );
    }
    sent.html = body["text"].as_str().unwrap_or_default().to_owned();
    sent.text.clone_from(&visible);
    sent.reply_markup = (!body["reply_markup"].is_null()).then(|| body["reply_markup"].clone());
    sent.json["text"] = json!(visible);
    sent.json["reply_markup"] = body["reply_markup"].clone();
    sent.json["edit_date"] = json!(unix_now());
    ok(sent.json.clone())
}

/// The tags Telegram's HTML parse mode accepts.
const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
];

/// Parses Telegram HTML as Telegram does (strictly): the visible text, or
/// what is wrong. Every `<`, `>` and `&` outside a tag or entity is an error.
///
/// ```
/// use briefing_tests::fake_telegram::visible_html;
/// assert_eq!(visible_html("<b>a &lt; b</b> &amp; c").unwrap(), "a < b & c");
/// assert!(visible_html("<b>open").is_err());
/// assert!(visible_html("a < b").is_err());
/// assert!(visible_html("<script>x</script>").is_err());
/// ```
///
/// # Errors
///
/// A message naming the problem.
pub fn visible_html(html: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end =
                    rest.find('>').ok_or_else(|| format!("unclosed tag at {:?}", short(rest)))?;
                let tag = rest.get(1..end).unwrap_or_default();
                rest = rest.get(end + 1..).unwrap_or_default();
                if let Some(name) = tag.strip_prefix('/') {
                    match open.pop() {
                        Some(top) if top == name.trim() => {}
                        top => {
                            return Err(format!(
                                "can't find end tag corresponding to start tag {top:?} (got </{name}>)"
                            ));
                        }
                    }
                } else {
                    let name = tag.split_whitespace().next().unwrap_or_default();
                    if !TAGS.contains(&name) {
                        return Err(format!("unsupported start tag \"{name}\""));
                    }
                    open.push(name.to_owned());
                }
            }
            '&' => {
                let end = rest
                    .find(';')
                    .filter(|&e| e <= 10)
                    .ok_or_else(|| format!("bad entity at {:?}", short(rest)))?;
                let entity = rest.get(..=end).unwrap_or_default();
                let decoded = match entity {
                    "&lt;" => '<',
                    "&gt;" => '>',
                    "&amp;" => '&',
                    "&quot;" => '"',
                    numeric => numeric
                        .strip_prefix("&#")
                        .and_then(|n| n.strip_suffix(';'))
                        .and_then(|n| n.parse::<u32>().ok())
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("unsupported entity {numeric:?}"))?,
                };
                out.push(decoded);
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '>' => return Err("unescaped \">\"".to_owned()),
            c => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
        }
    }
    if let Some(tag) = open.pop() {
        return Err(format!("can't find end tag corresponding to start tag \"{tag}\""));
    }
    Ok(out)
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}
