"""Text folding and keyword tables shared by code and link finding."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

MAX_SCAN = 60_000  # characters of body text looked at


# -- text folding ---------------------------------------------------------------------

@cache
def _fold_table() -> dict[int, str]:
    """Upper-case and Latin/Vietnamese letters to lower-case ASCII, one char for one."""
    table: dict[int, str] = {}
    for cp in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(cp)
        low = char.lower() if len(char.lower()) == 1 else char
        base = "d" if low == "đ" else unicodedata.normalize("NFD", low)[0]
        if base.isascii() and base.isalpha() and base != char:
            table[cp] = base
    return table


def fold(text: str) -> str:
    return text.translate(_fold_table())


def prepare(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# -- keywords ---------------------------------------------------------------------------
# Weight: phrases. Matched on folded text (so "ma xac nhan" finds "mã xác nhận");
# a phrase written "=word" must match with its diacritics ("=mã" is not "mà").
# Spaces also match hyphens; longer phrases win over their parts.

_CODE_WORDS = """
3.0: verification code, verify code, security code, confirmation code, authentication code,
  auth code, one time code, one time password, one time passcode, one time pin, otp, otp code,
  passcode, login code, log in code, sign in code, signin code, 2fa code, two factor code,
  access code, activation code, your code, the code, this code, following code, code below,
  pin, pin code, verification pin, temporary code, single use code, code is, security pin,
  ma xac nhan, ma xac minh, ma xac thuc, ma otp, ma kich hoat, ma bao mat, ma dang nhap,
  ma cua ban, ma pin, nhap ma, ma mot lan, mat khau mot lan, ma duoi day, ma nay, ma so xac nhan
2.0: code, =mã, codes, verification, ma so
1.2: verify, confirm, authenticate, two factor, 2fa, two step, enter, expires, expire, valid for,
  do not share, don't share, never share, xac nhan, xac minh, xac thuc, het han, hieu luc,
  khong chia se, dung chia se, nhap, login, sign in, dang nhap, su dung
1.0: use, type, paste, copy
-3.0: order, orders, order number, order no, order id, invoice, receipt, ticket, booking,
  booking reference, reservation, confirmation number, confirmation no, tracking, tracking number,
  shipment, reference, ref, account number, account no, acct, customer id, customer number,
  member id, membership, transaction, transaction id, phone, telephone, tel, call, call us,
  hotline, fax, mobile, zip, zip code, postal code, postcode, area code, country code, street,
  st, ave, avenue, suite, road, rd, blvd, po box, price, total, subtotal, amount, tax, vat, qty,
  quantity, sku, item, model, serial, version, build, promo, promo code, coupon, coupon code,
  discount, discount code, voucher, voucher code, gift code, gift card, referral, referral code,
  color, colour, hex, copyright, flight, seat, gate, room, floor, apt, points, balance,
  card ending, ending in, last 4, vnd, usd, eur, source code, qr code, code of conduct,
  case number, ticket number, issue, pull request, commit, no., nr., id, year, years,
  don hang, ma don hang, so don hang, hoa don, ma hoa don, so dien thoai, sdt, dien thoai,
  lien he, tong dai, tong, tong cong, tong tien, thanh tien, =giá, =phí, dia chi, =đường,
  =phường, =quận, buu chinh, ma buu chinh, giao dich, ma giao dich, =vé, ma ve, dat cho,
  ma dat cho, khuyen mai, ma khuyen mai, giam gia, ma giam gia, so tai khoan, =năm, van don,
  ma van don, so luong, =thẻ, =màu, ma mau, ma so thue, ma khach hang, ma san pham, ma vung,
  ma nhan vien, ma qr, ma nguon, =tháng, =ngày, chuyen bay, =ghế, =phòng, =tầng, diem, so du
-2.0: reply, stop, store, merchant, terminal, counter, student id, mssv, thue bao, so the
"""


@dataclass(frozen=True, slots=True)
class Keyword:
    start: int
    end: int
    weight: float


def _key(phrase: str) -> str:
    return re.sub(r"[\s\-]+", " ", phrase).replace("'", "").replace("\u2019", "")  # and the curly apostrophe


@cache
def _keyword_table() -> tuple[re.Pattern[str], dict[str, tuple[float, str | None]]]:
    entries: dict[str, tuple[float, str | None]] = {}
    patterns: list[str] = []
    for block in re.split(r"\n(?=-?\d)", _CODE_WORDS.strip()):
        weight, _, phrases = block.partition(":")
        for phrase in (p.strip() for p in phrases.split(",")):
            exact = phrase[1:] if phrase.startswith("=") else None
            written = fold(exact) if exact else phrase
            entries[_key(written)] = (float(weight), exact)
            parts = (re.escape(part).replace("'", "['\u2019]?") for part in re.split(r"[\s\-]+", written))
            patterns.append(r"[\s\-]+".join(parts))
    body = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z])"), entries


def find_keywords(text: str, folded: str) -> list[Keyword]:
    """Keyword hits in ``folded`` (same length as ``text``), longest phrase first."""
    pattern, entries = _keyword_table()
    found: list[Keyword] = []
    for match in pattern.finditer(folded):
        weight, exact = entries.get(_key(match.group()), (0.0, None))
        if exact is not None and text[match.start():match.end()].lower() != exact:
            continue
        if weight:
            found.append(Keyword(match.start(), match.end(), weight))
    return found


