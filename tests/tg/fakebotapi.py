"""A fake Telegram Bot API for offline tests: the same logic at PTB's seam and over real HTTP.

    FakeTelegram      the server side: answers Bot API methods like Telegram, records every
                      call, rejects what Telegram rejects, and can be told to fail a chat
                      (429 Too Many Requests, 403 blocked) or a method.
    FakeRequest       a `telegram.request.BaseRequest` that hands each request to a
                      FakeTelegram (as PTB's own tests do with `OfflineRequest`).
    FakeBotApiServer  the same FakeTelegram served over HTTP on 127.0.0.1, for end-to-end tests
                      with `Bot(base_url=...)`; `getUpdates` long-polls like Telegram, and once
                      the bot has called setWebhook, updates are POSTed to the webhook instead,
                      with the secret header, retried on failure like Telegram (and repeated on
                      purpose when asked: Telegram repeats an update it got no answer for).
    make_*            factories for real `telegram.Update` objects (and `*_data` for the JSON
                      that `getUpdates` delivers).

Nothing here is a mock of python-telegram-bot: the bot sends real requests and parses real
responses, so a misspelled method or a malformed reply fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from telegram import Bot, Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
BOT_ID = 123456789
BOT_USERNAME = "briefbot_test_bot"
MAX_TEXT = 4096  # after entity parsing, in UTF-16 code units as Telegram counts
MAX_CALLBACK_DATA = 64  # bytes
MAX_INLINE_RESULTS = 50

# Parameters whose value is text even when it looks like JSON ("123", "true").
TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "description",
        "short_description",
        "message_text",
        "inline_message_id",
        "language_code",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
    }
)
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendChatAction",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
    }
)


class TelegramRefusal(Exception):
    """What Telegram answers with ok=false: an HTTP code and a description."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(description: str) -> TelegramRefusal:
    return TelegramRefusal(400, f"Bad Request: {description}")


# --- Telegram's HTML subset -------------------------------------------------------------------

# https://core.telegram.org/bots/api#html-style
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL_RE = re.compile(r"[<&]")
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _byte_offset(text: str, i: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:i].encode("utf-8"))


def parse_html(html: str) -> str:
    """The plain text of `html` as Telegram would show it, or TelegramRefusal like Telegram's.

    Stricter than Telegram's parser in one place, as the Bot API documentation asks: a bare
    '&' that does not start an entity is refused, so unescaped corpus text is caught.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(html):
        special = _SPECIAL_RE.search(html, i)
        if special is None:
            out.append(html[i:])
            break
        out.append(html[i : special.start()])
        i = special.start()
        ch = html[i]
        if ch == "<":
            m = _TAG_RE.match(html, i)
            if m is None:
                raise bad_request(
                    f"can't parse entities: Unclosed start tag at byte offset {_byte_offset(html, i)}"
                )
            closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if closing:
                if not stack:
                    raise bad_request(
                        f"can't parse entities: Unexpected end tag at byte offset {_byte_offset(html, i)}"
                    )
                if stack[-1] != name:
                    raise bad_request(
                        f"can't parse entities: Unmatched end tag at byte offset {_byte_offset(html, i)}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name not in ALLOWED_TAGS:
                    raise bad_request(
                        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {_byte_offset(html, i)}'
                    )
                found = {a.group(1).lower() for a in _ATTR_RE.finditer(attrs)}
                if name == "a" and "href" not in found:
                    raise bad_request(
                        f"can't parse entities: Can't find href attribute in tag a at byte offset {_byte_offset(html, i)}"
                    )
                if name == "span" and 'class="tg-spoiler"' not in attrs.replace("'", '"'):
                    raise bad_request(
                        f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(html, i)}'
                    )
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY_RE.match(html, i)
            if m is None:
                raise bad_request(
                    f"can't parse entities: Unsupported HTML entity at byte offset {_byte_offset(html, i)}; "
                    "escape '&' as '&amp;'"
                )
            if m.group(1):
                out.append(NAMED_ENTITIES[m.group(1)])
            else:
                out.append(chr(int(m.group(2) or m.group(3), 10 if m.group(2) else 16)))
            i = m.end()
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: Any, parse_mode: Any) -> str:
    """Check a message text like Telegram does and return what the user would see."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    if parse_mode is not None and str(parse_mode).upper() == "HTML":
        text = parse_html(text)
    elif parse_mode is not None and str(parse_mode).upper() not in ("MARKDOWN", "MARKDOWNV2"):
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return  # ReplyKeyboardMarkup / ForceReply / remove: not checked further
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            kinds = {
                "callback_data",
                "url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
            }
            if not kinds & set(button):
                raise bad_request("can't parse inline keyboard button: a button needs an action")


# --- The fake server ---------------------------------------------------------------------------


@dataclass
class Call:
    """One Bot API request as the fake saw it."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    error: str | None = None  # Telegram's description when the request was refused
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Fault:
    code: int
    description: str
    times: int
    retry_after: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None


class FakeTelegram:
    """The Bot API as the bot sees it: one instance per test, inspected through `calls`."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.bot_user: dict[str, Any] = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Briefbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.commands: dict[str, list[dict[str, Any]]] = {}  # json(scope) -> commands
        self.webhook: dict[str, Any] | None = None
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._blocked: set[int] = set()
        self._chat_faults: dict[int, _Fault] = {}
        self._method_faults: dict[str, _Fault] = {}
        self._lock = threading.Lock()
        self._new_update = threading.Event()
        self.latency = 0.0  # seconds each answer is delayed, to simulate a network

    # -- steering the fake --

    def block(self, chat_id: int) -> None:
        """The user of `chat_id` blocked the bot: every send answers 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def flood(self, chat_id: int, *, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` sends to `chat_id` answer 429 Too Many Requests."""
        self._chat_faults[chat_id] = _Fault(
            429, f"Too Many Requests: retry after {retry_after}", times, retry_after
        )

    def fail(
        self,
        method: str,
        *,
        code: int = 400,
        description: str,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """The next `times` calls of `method` (those whose params satisfy `when`, if given)
        are refused with `description` (e.g. 'Bad Request: chat not found')."""
        self._method_faults[method] = _Fault(code, description, times, when=when)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (a `*_data` dict) for getUpdates; returns its update_id."""
        with self._lock:
            update = self.stamp(update)
            self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def stamp(self, update: dict[str, Any]) -> dict[str, Any]:
        """A copy of `update` with the next update_id, as Telegram numbers what it delivers."""
        return {**update, "update_id": next(self._update_ids)}

    # -- reading what the bot did --

    def requests(self, method: str | None = None, *, ok: bool | None = True) -> list[Call]:
        """Calls of `method` (all methods when None); by default only those Telegram accepted."""
        return [
            c
            for c in list(self.calls)
            if (method is None or c.method == method) and (ok is None or c.ok == ok)
        ]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Accepted sendMessage calls, to `chat_id` when given."""
        return [
            c
            for c in self.requests("sendMessage")
            if chat_id is None or c.params.get("chat_id") == chat_id
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params["text"]) for c in self.sent(chat_id)]

    def last(self, method: str = "sendMessage") -> Call:
        calls = self.requests(method)
        assert calls, f"the bot made no accepted {method} call; calls: {self.methods()}"
        return calls[-1]

    def methods(self) -> list[str]:
        return [c.method if c.ok else f"{c.method}!" for c in self.calls]

    def clear(self) -> None:
        self.calls.clear()

    # -- answering --

    async def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, Telegram's JSON)."""
        call = Call(method=method, params=params)
        self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            result = await self._dispatch(method, params)
        except TelegramRefusal as refusal:
            call.ok, call.error = False, refusal.description
            return refusal.code, refusal.payload()
        return 200, {"ok": True, "result": result}

    async def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        fault = self._method_faults.get(method)
        if fault is not None and (fault.when is None or fault.when(p)):
            self._consume(self._method_faults, method, fault)
            raise TelegramRefusal(fault.code, fault.description)
        chat_id = p.get("chat_id")
        if method in SENDING_METHODS and isinstance(chat_id, int):
            if chat_id in self._blocked:
                raise TelegramRefusal(403, "Forbidden: bot was blocked by the user")
            fault = self._chat_faults.get(chat_id)
            if fault is not None:
                self._consume(self._chat_faults, chat_id, fault)
                raise TelegramRefusal(
                    fault.code, fault.description, {"retry_after": fault.retry_after}
                )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise TelegramRefusal(404, "Not Found")
        return await handler(p) if asyncio.iscoroutinefunction(handler) else handler(p)

    @staticmethod
    def _consume(faults: dict[Any, _Fault], key: Any, fault: _Fault) -> None:
        fault.times -= 1
        if fault.times <= 0:
            del faults[key]

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            if isinstance(chat_id, str) and chat_id.startswith("@"):
                return {"id": -1001, "type": "channel", "title": chat_id[1:]}
            raise bad_request("chat not found")
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Ada"}
        return {"id": chat_id, "type": "supergroup", "title": "World news", "is_forum": True}

    def _m_getMe(self, p: dict[str, Any]) -> Any:
        return self.bot_user

    def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p.get("chat_id"))
        visible = visible_text(p.get("text"), p.get("parse_mode"))
        check_reply_markup(p.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": visible,
        }
        if p.get("reply_markup") and "inline_keyboard" in p["reply_markup"]:
            message["reply_markup"] = p["reply_markup"]
        if p.get("message_thread_id") is not None:
            message["message_thread_id"] = p["message_thread_id"]
            message["is_topic_message"] = True
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        visible = visible_text(p.get("text"), p.get("parse_mode"))
        check_reply_markup(p.get("reply_markup"))
        if p.get("inline_message_id") is not None:
            return True
        key = (p.get("chat_id"), p.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise bad_request("message to edit not found")
        markup = p.get("reply_markup")
        if message["text"] == visible and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message = dict(message, text=visible, edit_date=int(time.time()))
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        self.messages[key] = message  # type: ignore[index]
        return message

    def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        check_reply_markup(p.get("reply_markup"))
        key = (p.get("chat_id"), p.get("message_id"))
        if key not in self.messages:
            raise bad_request("message to edit not found")
        return self.messages[key]

    def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        if not p.get("callback_query_id"):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(p.get("text", ""))) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        return True

    def _m_answerInlineQuery(self, p: dict[str, Any]) -> Any:
        results = p.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse JSON encoded inline query results")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        for r in results:
            if not r.get("id") or len(str(r["id"]).encode()) > 64:
                raise bad_request("RESULT_ID_INVALID")
            if r.get("type") == "article":
                if not str(r.get("title", "")).strip():
                    raise bad_request("RESULT_TITLE_EMPTY")
                content = r.get("input_message_content") or {}
                visible_text(content.get("message_text"), content.get("parse_mode"))
            check_reply_markup(r.get("reply_markup"))
        return True

    def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.dumps(p.get("scope", {"type": "default"}), sort_keys=True)
        self.commands[scope] = commands
        return True

    def _m_getMyCommands(self, p: dict[str, Any]) -> Any:
        return self.commands.get(
            json.dumps(p.get("scope", {"type": "default"}), sort_keys=True), []
        )

    def _m_deleteMyCommands(self, p: dict[str, Any]) -> Any:
        self.commands.pop(json.dumps(p.get("scope", {"type": "default"}), sort_keys=True), None)
        return True

    def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        self._chat(p.get("chat_id"))
        return True

    def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        url = str(p.get("url", ""))
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(p)
        return True

    def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}  # fmt: skip

    def _m_close(self, p: dict[str, Any]) -> Any:
        return True

    def _m_logOut(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise TelegramRefusal(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while True:
            with self._lock:
                # An offset confirms every update before it, as in Telegram.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                batch = self._updates[:limit]
                self._new_update.clear()
            if batch or time.monotonic() >= deadline:
                return batch
            # Poll briefly rather than wait on an event so the fake works from any thread/loop.
            await asyncio.sleep(0.001)


def decode_params(raw: dict[str, str]) -> dict[str, Any]:
    """Bot API parameters as sent on the wire (JSON values, plain strings) -> Python values."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in TEXT_PARAMS:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except (ValueError, TypeError):
            out[key] = value
    return out


def method_from_url(url: str, token: str) -> str | None:
    """'https://api.telegram.org/bot<token>/sendMessage' -> 'sendMessage'; None for a bad token."""
    path = urlsplit(url).path
    prefix, _, method = path.rpartition("/")
    if not prefix.endswith(f"/bot{token}"):
        return None
    return method


class FakeRequest(BaseRequest):
    """PTB's network seam: every request goes to a FakeTelegram instead of the internet."""

    def __init__(self, api: FakeTelegram) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = method_from_url(url, self.api.token)
        if api_method is None:
            return 401, json.dumps(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}
            ).encode()
        raw = request_data.json_parameters if request_data is not None else {}
        code, payload = await self.api.handle(api_method, decode_params(raw))
        return code, json.dumps(payload).encode()


# --- Over real HTTP ------------------------------------------------------------------------------


# Seconds Telegram waits before trying a webhook delivery again after an error or a non-2xx
# answer; it then gives up on the update (Telegram keeps trying for longer; a test should not).
WEBHOOK_RETRY_DELAYS = (0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
WEBHOOK_MAX_CONNECTIONS = 40  # setWebhook's max_connections default
WEBHOOK_TIMEOUT = 30.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookPost:
    """One POST of an update to the bot's webhook."""

    update_id: int
    chat_id: int | None
    attempt: int  # 1, 2, ... for this update: retries after failures and repeats count up
    repeat: bool  # sent again on purpose after the bot had accepted it
    status: int  # the HTTP status; 0 when there was no answer (refused, reset, timed out)
    at: float  # time.monotonic() when the POST started
    took: float  # seconds until the answer (or the failure)

    def accepted(self) -> bool:
        return 200 <= self.status < 300


class FakeBotApiServer:
    """FakeTelegram over HTTP/1.1 (keep-alive) on 127.0.0.1; `base_url` goes to Bot(base_url=...).

    Updates given to `deliver` (or POST /_fake/schedule) reach the bot the way Telegram would
    send them: by getUpdates, or, while a webhook is set, by POST to `webhook_target` (default:
    the URL the bot registered; a test points it at the proxy that stands for that URL).
    """

    def __init__(self, api: FakeTelegram) -> None:
        self.api = api
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections: set[asyncio.Task[Any]] = set()
        self.pushed: dict[str, float] = {}  # chat id -> when its scheduled update was queued
        self.webhook_target: str | None = None
        self.posts: list[WebhookPost] = []
        self.retry_delays: tuple[float, ...] = WEBHOOK_RETRY_DELAYS
        self._client: httpx.AsyncClient | None = None
        self._webhook_slots: asyncio.Semaphore | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Keep-alive connections stay open until their tasks are cancelled.
            for task in self._connections:
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                verb, target, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                code, payload = await self._answer(verb, target, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode("latin-1")
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _answer(
        self, verb: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        if target.startswith("/_fake/"):
            return await self._control(target, body)
        method = method_from_url(target, self.api.token)
        if method is None:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        ctype = headers.get("content-type", "")
        raw: dict[str, str] = dict(parse_qsl(urlsplit(target).query))
        if "application/json" in ctype and body:
            raw.update(
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
            )
        elif body:
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return await self.api.handle(method, decode_params(raw))

    async def _control(self, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Steering over HTTP, for a fake server in another process (benchmarks, e2e tests).

        POST /_fake/schedule {"updates": [...], "rate": 300 | null, "repeat": [i, ...]}: deliver
        the updates at that rate (all at once when null), from this process so the bot's
        process does no load work; by webhook while one is set, and then updates[i] for each i
        in "repeat" is delivered a second time after the bot accepted it.
        GET /_fake/calls[?offset=N][&texts=1]: every call (from the Nth) as [method, chat_id,
        ok, monotonic time(, text)] and when each scheduled update was queued, by chat id.
        time.monotonic is system-wide on Linux.
        GET /_fake/posts[?offset=N]: every webhook POST as [update_id, chat_id, attempt, repeat,
        status, monotonic time, seconds taken].
        GET /_fake/webhook: what the bot registered with setWebhook (null when none) and the
        target; POST /_fake/webhook {"target": "http://..." | null}: where to POST updates.
        POST /_fake/clear: forget the calls and posts.
        """
        parts = urlsplit(target)
        action = parts.path.removeprefix("/_fake/")
        query = dict(parse_qsl(parts.query))
        offset = int(query.get("offset", 0))
        if action == "schedule":
            data = json.loads(body)
            updates, repeat = data["updates"], frozenset(data.get("repeat") or ())
            self._spawn(self._schedule(updates, data.get("rate"), repeat))
            return 200, {"ok": True, "result": len(updates)}
        if action == "calls":
            calls = [
                [c.method, c.params.get("chat_id"), c.ok, c.at] for c in self.api.calls[offset:]
            ]
            if query.get("texts"):
                for call, row in zip(self.api.calls[offset:], calls, strict=False):
                    row.append(call.params.get("text"))
            return 200, {"ok": True, "result": {"calls": calls, "pushed": self.pushed}}
        if action == "posts":
            posts = [
                [p.update_id, p.chat_id, p.attempt, p.repeat, p.status, p.at, p.took]
                for p in self.posts[offset:]
            ]
            return 200, {"ok": True, "result": posts}
        if action == "webhook":
            if body:
                self.webhook_target = json.loads(body).get("target")
            return 200, {
                "ok": True,
                "result": {"registered": self.api.webhook, "target": self.webhook_target},
            }
        if action == "clear":
            self.api.clear()
            self.pushed = {}
            self.posts = []
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(
        self,
        updates: list[dict[str, Any]],
        *,
        rate: float | None = None,
        repeat: Collection[int] = (),
    ) -> list[int]:
        """Deliver `updates` as Telegram would (see the class) and wait until every webhook
        POST is answered or given up; returns their update_ids."""
        return await self._schedule(updates, rate, frozenset(repeat))

    async def _schedule(
        self,
        updates: list[dict[str, Any]],
        rate: float | None,
        repeat: frozenset[int] = frozenset(),
    ) -> list[int]:
        start = time.monotonic()
        ids: list[int] = []
        posting: list[asyncio.Task[None]] = []
        for i, update in enumerate(updates):
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.pushed[str(_update_chat_id(update))] = time.monotonic()
            if self.api.webhook is not None:
                stamped = self.api.stamp(update)
                ids.append(stamped["update_id"])
                posting.append(asyncio.create_task(self._post(stamped, again=i in repeat)))
            else:
                ids.append(self.api.push_update(update))
        await asyncio.gather(*posting)
        return ids

    async def _post(self, update: dict[str, Any], *, again: bool) -> None:
        """POST one update until the bot accepts it; then, when `again`, once more."""
        webhook = self.api.webhook or {}
        url = self.webhook_target or str(webhook.get("url", ""))
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(webhook["secret_token"])
        if self._client is None:
            connections = int(webhook.get("max_connections") or WEBHOOK_MAX_CONNECTIONS)
            self._webhook_slots = asyncio.Semaphore(connections)
            self._client = httpx.AsyncClient(
                timeout=WEBHOOK_TIMEOUT,
                limits=httpx.Limits(max_connections=connections),
            )
        assert self._webhook_slots is not None
        body = json.dumps(update).encode()
        attempt = 0
        for repeat in (False, True) if again else (False,):
            for delay in (*self.retry_delays, None):
                attempt += 1
                async with self._webhook_slots:
                    status, started = 0, time.monotonic()
                    try:
                        response = await self._client.post(url, content=body, headers=headers)
                        status = response.status_code
                    except httpx.HTTPError:
                        pass
                post = WebhookPost(
                    update_id=int(update["update_id"]),
                    chat_id=_update_chat_id(update),
                    attempt=attempt,
                    repeat=repeat,
                    status=status,
                    at=started,
                    took=time.monotonic() - started,
                )
                self.posts.append(post)
                if post.accepted() or delay is None:
                    break
                await asyncio.sleep(delay)


def _update_chat_id(update: dict[str, Any]) -> int | None:
    chat = update.get("message") or update.get("callback_query", {}).get("message") or {}
    chat_id = chat.get("chat", {}).get("id")
    return int(chat_id) if chat_id is not None else None


@contextlib.asynccontextmanager
async def serving(api: FakeTelegram) -> AsyncIterator[FakeBotApiServer]:
    """Serve `api` on 127.0.0.1 in the current event loop for the duration of the block."""
    server = FakeBotApiServer(api)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@contextlib.contextmanager
def serving_in_thread(api: FakeTelegram) -> Iterator[FakeBotApiServer]:
    """Serve `api` from its own thread and event loop (benchmarks: keeps server work off the bot's loop)."""
    loop = asyncio.new_event_loop()
    server = FakeBotApiServer(api)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        # Close the keep-alive connections still being served before the loop goes.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


# --- Updates -------------------------------------------------------------------------------------

_ids = itertools.count(1000)
USER_ID = 42
ADMIN_ID = 7


def user_data(user_id: int = USER_ID, first_name: str = "Ada") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def chat_data(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Ada"}
    return {"id": chat_id, "type": "supergroup", "title": "World news", "is_forum": True}


def message_data(
    text: str,
    *,
    chat_id: int = USER_ID,
    user_id: int | None = None,
    thread_id: int | None = None,
    reply_to_bot: bool = False,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `message` update as Telegram delivers it (command and mention entities filled in)."""
    user_id = user_id if user_id is not None else (chat_id if chat_id > 0 else USER_ID)
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "from": user_data(user_id),
        "chat": chat_data(chat_id),
        "date": int(time.time()),
        "text": text,
    }
    found = entities if entities is not None else _entities(text)
    if found:
        message["entities"] = found
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
    if reply_to_bot:
        message["reply_to_message"] = {
            "message_id": next(_ids),
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Briefbot",
                "username": BOT_USERNAME,
            },
            "chat": chat_data(chat_id),
            "date": int(time.time()) - 60,
            "text": "An earlier answer.",
        }
        if thread_id is not None:
            message["reply_to_message"]["message_thread_id"] = thread_id
    return {"message": message}


def _entities(text: str) -> list[dict[str, Any]]:
    """Telegram's bot_command and mention entities, with UTF-16 offsets."""
    out = []
    for m in re.finditer(r"(?<!\S)(/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|(@[A-Za-z0-9_]{5,})", text):
        kind = "bot_command" if m.group(1) else "mention"
        out.append(
            {
                "type": kind,
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
        )
    return out


def callback_data_update(
    data: str,
    *,
    chat_id: int = USER_ID,
    user_id: int | None = None,
    message_text: str = "An earlier answer.",
    message_id: int | None = None,
    thread_id: int | None = None,
) -> dict[str, Any]:
    """A `callback_query` update: `user_id` pressed a button with `data` under a bot message."""
    user_id = user_id if user_id is not None else (chat_id if chat_id > 0 else USER_ID)
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next(_ids),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Briefbot", "username": BOT_USERNAME},
        "chat": chat_data(chat_id),
        "date": int(time.time()) - 5,
        "text": message_text,
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": user_data(user_id),
            "chat_instance": "-99",
            "message": message,
            "data": data,
        }
    }


def inline_query_data(query: str, *, user_id: int = USER_ID) -> dict[str, Any]:
    return {
        "inline_query": {
            "id": str(next(_ids)),
            "from": user_data(user_id),
            "query": query,
            "offset": "",
            "chat_type": "private",
        }
    }


def to_update(data: dict[str, Any], bot: Bot) -> Update:
    """A real `telegram.Update` from update JSON, bound to `bot` (so replies go to the fake)."""
    data = dict(data)
    data.setdefault("update_id", next(_ids))
    update = Update.de_json(data, bot)
    assert update is not None
    return update


def make_message(text: str, bot: Bot, **kwargs: Any) -> Update:
    """A plain message update (see `message_data` for chat_id, user_id, thread_id, reply_to_bot)."""
    return to_update(message_data(text, **kwargs), bot)


def make_command_update(command: str, bot: Bot, **kwargs: Any) -> Update:
    """'/brief kursk' as a user would send it, with its bot_command entity."""
    assert command.startswith("/"), command
    return to_update(message_data(command, **kwargs), bot)


def make_callback_query(data: str, bot: Bot, **kwargs: Any) -> Update:
    return to_update(callback_data_update(data, **kwargs), bot)


def make_inline_query(query: str, bot: Bot, **kwargs: Any) -> Update:
    return to_update(inline_query_data(query, **kwargs), bot)


async def _serve_forever(port: int, webhook_target: str | None, latency: float) -> None:
    api = FakeTelegram()
    api.latency = latency
    server = FakeBotApiServer(api)
    server.webhook_target = webhook_target
    await server.start(port)
    print(server.port, flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """`python -m tests.tg.fakebotapi [PORT] [--webhook-target URL] [--latency S]`: serve until
    killed (steered over HTTP, see FakeBotApiServer._control); prints the port first."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("port", type=int, nargs="?", default=0)
    parser.add_argument("--webhook-target", default=None, help="POST updates here, not the URL set")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.port, args.webhook_target, args.latency))


if __name__ == "__main__":
    main()
