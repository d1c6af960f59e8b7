"""Unit tests of tmtui.extract: code forms, decoys, links, bounds."""

from __future__ import annotations

import pytest

from tests.support.scaling import assert_linear, growth
from tmtui.extract import CodeMatch, best_link, find_code, rank_links
from tmtui.extract.text import MAX_SCAN
from tmtui.render import Link, html_to_text


def code_in(body: str, subject: str = "Hello") -> str | None:
    match = find_code(subject, html_to_text(body).text)
    return match.value if match else None


@pytest.mark.parametrize(("body", "expected"), [
    ("<p>Your verification code is 482913.</p>", "482913"),
    ("<p>Your code: 8304</p>", "8304"),
    ("<p>Security code: 5093742</p>", "5093742"),
    ("<p>Your OTP is 48291376</p>", "48291376"),
    ("<p>Your verification code is 482 913</p>", "482913"),
    ("<p>Your verification code is 482-913</p>", "482913"),
    ("<p>Your code:</p><table><tr><td>4</td><td>8</td><td>2</td><td>9</td></tr></table>", "4829"),
    ("<p>Enter this code: 55 31 29</p>", "553129"),
    ("<p>G-719304 is your Google verification code.</p>", "G-719304"),
    ("<p>Your confirmation code is</p><p>Q7X-4MP</p>", "Q7X-4MP"),
    ("<p>Here is your Steam Guard code:</p><p>F7K2Q</p>", "F7K2Q"),
    ("<p>Use 834201 to sign in to Acme.</p>", "834201"),
    ("<p>Mã xác nhận của bạn là 482913</p>", "482913"),
    ("<p>Ma xac nhan cua ban la 482913</p>", "482913"),
    ("<p>Mã OTP: 903 184</p>", "903184"),
    ("<p>320947 là mã xác minh của bạn.</p>", "320947"),
])
def test_code_forms(body: str, expected: str) -> None:
    assert code_in(body) == expected


@pytest.mark.parametrize("body", [
    "<p>Order #482913 has shipped.</p>",
    "<p>Order number: 482913</p>",
    "<p>Total: $4829.13, paid $1299</p>",
    "<p>Tổng tiền: 1.299.000đ, giá 129000đ</p>",
    "<p>Meeting at 10:30 on 2024-03-05, room 4012.</p>",
    "<p>Call us at (555) 123-4567 or +84 912 345 678.</p>",
    "<p>Hotline: 1900 1221</p>",
    "<p>742 Evergreen Terrace, Springfield, IL 62704</p>",
    "<p>Brand colour #1A2B3C and #123456.</p>",
    "<p>© 2024 Acme Inc.</p>",
    "<p>Since 1998 we have served 12000 customers.</p>",
    "<p>Nhập mã giảm giá GIAM50K để được giảm 50.000đ</p>",
    "<p>Mà bạn ơi, 482913 người đã đăng ký.</p>",  # "mà" (but) is not "mã" (code)
    "<p>Tracking number: 1Z999AA10123456784</p>",
    "<p>Your card ending in 4821 was charged.</p>",
    "<p>Hello, nothing to see here.</p>",
])
def test_decoys_are_not_codes(body: str) -> None:
    assert code_in(body) is None


def test_code_in_the_subject_only() -> None:
    match = find_code("123456 is your verification code", "Thanks for signing up.")
    assert match is not None and match.value == "123456" and match.in_subject


def test_the_code_wins_over_decoys_around_it() -> None:
    body = ("<p>Your One-Time Password (OTP) for the payment of USD 249.99 to MERCHANT 4471203 "
            "using card ending 4821 is <b>739104</b>.</p><p>Date: 05-Mar-2024 10:42:17</p>")
    assert code_in(body) == "739104"


def test_confidence_and_context() -> None:
    clear = find_code("Your code", "Your verification code is 482913.")
    assert isinstance(clear, CodeMatch) and 0.7 <= clear.confidence <= 0.99
    assert clear.context == "Your verification code is 482913." and clear.raw == "482913"
    weak = find_code("Hi", "Your code\n\n\n\nwas sent. Also: 2024 and 9921 and 4417")
    assert weak is None or weak.confidence < clear.confidence


def test_context_is_sanitised() -> None:
    match = find_code("x", "Your code \x1b[31mis 482913 \x07now\x1b]0;title\x07")
    assert match is not None and match.context == "Your code is 482913 ␇now"


def test_a_huge_body_costs_no_more_than_its_start() -> None:
    para = ("Order 48213 shipped on 2024-03-05 at 10:42 for $129.99. Call 555-123-4567. "
            "Your verification code is 482913. See https://x.example/track?id=99812 [3] ")

    def body(size: int) -> str:
        return para * (size // len(para))

    def extract(text: str) -> CodeMatch | None:
        rank_links([], text)
        return find_code("Hello", text)

    match = assert_linear(body, MAX_SCAN, extract)  # the part that is read: linear
    assert match is not None and match.value == "482913"
    start, huge = body(MAX_SCAN), body(10 * MAX_SCAN)
    ratio = growth(lambda: extract(start), lambda: extract(huge))
    assert ratio < 4, f"10x the body cost {ratio:.1f}x: the text past MAX_SCAN was read"


def test_links_are_ranked_action_first_unsubscribe_last() -> None:
    links = [Link(1, "https://shop.test/unsubscribe?u=1", "Unsubscribe"),
             Link(2, "https://www.facebook.com/shop", "Facebook"),
             Link(3, "https://shop.test/blog", "Our blog"),
             Link(4, "https://u1.ct.sendgrid.net/ls/click?upn=abc", "Verify email address")]
    ranked = rank_links(links, text="Verify email address [4]\n\nOur blog [3] Facebook [2] Unsubscribe [1]")
    assert [r.number for r in ranked] == [4, 3, 2, 1]
    assert [r.kind for r in ranked] == ["action", "other", "other", "unsubscribe"]
    assert ranked[0].url == "https://u1.ct.sendgrid.net/ls/click?upn=abc" and ranked[0].tracking
    best = best_link(links)
    assert best is not None and best.number == 4


@pytest.mark.parametrize(("label", "url"), [
    ("Reset password", "https://a.test/r/8812"),
    ("Click here", "https://a.test/account/confirm?token=1"),
    ("Đặt lại mật khẩu", "https://a.test/x"),
    ("Kích hoạt tài khoản", "https://a.test/x"),
    ("", "https://click.a.test/CL0/https:%2F%2Fa.test%2Fverification%2Fq7"),
])
def test_action_links(label: str, url: str) -> None:
    best = best_link([Link(1, url, label), Link(2, "https://a.test/help", "Help")])
    assert best is not None and best.url == url


def test_no_action_link_means_none() -> None:
    links = [Link(1, "https://a.test/orders/1", "View your order"),
             Link(2, "https://a.test/unsubscribe", "Unsubscribe"),
             Link(3, "https://a.test/login/recover/cancel", "let us know")]
    assert best_link(links, text="View your order [1]\nIf you didn't request this, let us know [3].") is None
    assert best_link([]) is None


def test_bare_urls_in_plain_text() -> None:
    text = "To reset your password, visit:\nhttps://a.test/reset?t=9f8e.\n\nHome: https://a.test"
    best = best_link([], text=text)
    assert best is not None and best.url == "https://a.test/reset?t=9f8e" and best.number is None
    assert [r.url for r in rank_links(["javascript:alert(1)", "https://a.test/x"])] == ["https://a.test/x"]


def test_a_decoy_word_in_the_next_sentence_does_not_hide_the_code() -> None:
    # Found by hand: "Order" after the full stop belongs to #12345, not to the code.
    match = find_code("Your sign-up code", "Use 639204 to verify. Order #12345.\n\nVerify [1]")
    assert match is not None and match.value == "639204"
