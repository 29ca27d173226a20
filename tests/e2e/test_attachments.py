"""Files on messages through the gateway, on the real stack: uploaded, checked by their bytes,
carried by a question and an answer, fetched by who may read the thread (and nobody else),
by signed links that expire, in ranges; named in the mail and found by search."""

import io
import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image

from services.common import attachment_urls
from services.common.config import Settings
from tests.fixtures.callers import CALLER_SIGNING_KEY

GPS = ExifTags.IFD.GPSInfo


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS)  # the test's own file has it
    return out.getvalue()


def png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 30, 128)).save(out, "PNG")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes that claim width × height pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] "
        b"/Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def upload(world, token, name, data, content_type="application/octet-stream"):
    return world.stack.call("POST", "/v1/uploads", token, files={"file": (name, data, content_type)})


@pytest.fixture
def shop(world):
    company = world.vendor("shop")
    customer, customer_id = world.customer("ann")
    return {
        "company": company,
        "product": world.product("lamp", company),
        "customer": customer,
        "customer_id": customer_id,
        "staff": world.staff(company),
    }


def ask_with(world, shop, *upload_ids, message=""):
    answer = world.stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": shop["product"]},
            "message": message,
            "attachments": list(upload_ids),
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_photo_goes_with_a_question_without_its_gps_position_and_the_vendor_sees_it(world, shop):
    sent = upload(world, shop["customer"], "IMG_0042.jpg", jpeg_with_gps(), "image/jpeg")
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert photo["content_type"] == "image/jpeg" and photo["name"] == "IMG_0042.jpg" and photo["size"] > 0

    started = ask_with(world, shop, photo["id"])  # files alone: no text
    carried = started["message"]["attachments"]
    assert [(f["id"], f["name"], f["content_type"]) for f in carried] == [(photo["id"], "IMG_0042.jpg", "image/jpeg")]

    # the vendor reads the thread, and its files by the links the answer carries, without a token
    thread = world.stack.call("GET", f"/v1/threads/{started['thread']['id']}", shop["staff"]).json()
    shown = thread["messages"]["items"][0]["attachments"][0]
    original = world.stack.call("GET", shown["url"])
    assert original.status_code == 200, original.text
    assert original.headers["Content-Type"] == "image/jpeg"
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert original.headers["Content-Security-Policy"] == "sandbox"
    assert original.headers["Content-Disposition"].startswith("inline")
    kept = Image.open(io.BytesIO(original.content))
    assert kept.size == (800, 600)
    assert not kept.getexif().get_ifd(GPS) and ExifTags.Base.Make not in kept.getexif()
    assert b"SpyCam" not in original.content

    small = world.stack.call("GET", shown["thumbnail_url"])
    assert small.status_code == 200
    assert max(Image.open(io.BytesIO(small.content)).size) == 320

    # with a token, as the thread's rules say
    assert world.stack.call("GET", f"/v1/attachments/{photo['id']}", shop["customer"]).status_code == 200
    assert world.stack.call("GET", f"/v1/attachments/{photo['id']}").status_code == 401

    # the vendor's mail names the file; search finds its name
    mails = world.stack.mail.wait_for_to(f"sales-{shop['company']}@vendors.test", 1)
    assert "IMG_0042.jpg" in mails[0].get_body(("plain",)).get_content()
    found = world.inbox(shop["staff"], q="IMG_0042")["items"]
    assert [item["id"] for item in found] == [started["thread"]["id"]]


def test_another_vendor_and_another_customer_get_404_and_a_link_stops_working(world, shop):
    photo = upload(world, shop["customer"], "lamp.png", png(), "image/png").json()
    ask_with(world, shop, photo["id"], message="This one")
    rival_shop = world.vendor("rival")
    dan, _ = world.customer("dan")
    for stranger in (world.staff(rival_shop, "rival-staff"), dan):
        for path in (f"/v1/attachments/{photo['id']}", f"/v1/attachments/{photo['id']}/thumbnail"):
            refused = world.stack.call("GET", path, stranger)
            assert refused.status_code == 404, refused.text
            assert refused.json()["error"]["code"] == "not_found"

    key = attachment_urls.url_key(Settings(CALLER_SIGNING_KEY=CALLER_SIGNING_KEY))
    fresh = attachment_urls.signed_path(key, photo["id"])
    assert world.stack.call("GET", fresh).status_code == 200
    expired = attachment_urls.signed_path(key, photo["id"], now=time.time() - attachment_urls.LINK_SECONDS - 1)
    answer = world.stack.call("GET", expired)
    assert answer.status_code == 403 and "expired" in answer.json()["error"]["message"]
    # a link for the thumbnail is no link for the original; a forged one is nothing
    thumbnail_link = attachment_urls.signed_path(key, photo["id"], "thumbnail")
    assert world.stack.call("GET", thumbnail_link.replace("/thumbnail", "")).status_code == 403
    assert world.stack.call("GET", attachment_urls.signed_path("guessed-key", photo["id"])).status_code == 403


def test_a_pdf_downloads_as_an_attachment_and_answers_ranges(world, shop):
    thread_id = world.ask(shop["customer"], "product", shop["product"], "Where is the invoice?")
    invoice = upload(world, shop["staff"], "invoice 7.pdf", pdf()).json()
    assert invoice["content_type"] == "application/pdf"
    posted = world.stack.call(
        "POST",
        f"/v1/threads/{thread_id}/messages",
        shop["staff"],
        json={"body": "Attached.", "attachments": [invoice["id"]]},
    )
    assert posted.status_code == 201, posted.text
    shown = posted.json()["attachments"][0]
    assert shown["thumbnail_url"] is None

    whole = world.stack.call("GET", shown["url"])
    assert whole.status_code == 200 and whole.content == pdf()
    assert whole.headers["Content-Disposition"].startswith("attachment;")
    assert "invoice%207.pdf" in whole.headers["Content-Disposition"]
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = world.stack.call("GET", shown["url"], headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == b"%PDF-1.4"
    assert part.headers["Content-Range"] == f"bytes 0-7/{len(pdf())}"
    tail = world.stack.call("GET", shown["url"], headers={"Range": "bytes=-6"})
    assert tail.status_code == 206 and tail.content == pdf()[-6:]
    beyond = world.stack.call("GET", shown["url"], headers={"Range": f"bytes={len(pdf()) + 10}-"})
    assert beyond.status_code == 416

    # the event reached the webhooks' payload path too: the customer's mail names the file
    mails = world.stack.mail.wait_for_to(f"{shop['customer_id']}@buyers.test", 1)
    assert any("invoice 7.pdf" in mail.get_body(("plain",)).get_content() for mail in mails)
