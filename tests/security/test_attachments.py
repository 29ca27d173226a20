"""Hostile uploads: a file is judged by its bytes, never its name or Content-Type; a bomb, a
file too large and someone else's upload are refused in plain words."""

import io

from PIL import Image

from tests.e2e.test_attachments import png, png_declaring, upload


def test_a_png_named_pdf_is_kept_as_the_png_it_is(world):
    customer, _ = world.customer("ann")
    sent = upload(world, customer, "report.pdf", png(), "application/pdf")
    assert sent.status_code == 201, sent.text
    assert sent.json()["content_type"] == "image/png" and sent.json()["name"] == "report.png"


def test_a_text_file_named_jpg_is_refused_with_415(world):
    customer, _ = world.customer("ann")
    for name, data in (
        ("cat.jpg", b"just some text, not a picture\n" * 20),
        ("page.gif", b"<html><script>alert(1)</script></html>"),
        ("empty.png", b""),
    ):
        refused = upload(world, customer, name, data, "image/jpeg")
        assert refused.status_code == 415, (name, refused.text)
        assert refused.json()["error"]["code"] == "unsupported_media_type"
        assert "JPEG, PNG, WebP and GIF" in refused.json()["error"]["message"]


def test_a_decompression_bomb_is_refused_with_422_before_it_is_decoded(world):
    customer, _ = world.customer("ann")
    bomb = png_declaring(20000, 20000)
    assert len(bomb) < 1000
    refused = upload(world, customer, "bomb.png", bomb, "image/png")
    assert refused.status_code == 422, refused.text
    assert "too large" in refused.json()["error"]["message"] and "pixels" in refused.json()["error"]["message"]


def test_a_file_one_byte_over_the_limit_is_refused_with_413(world):
    customer, _ = world.customer("ann")
    limit = 10 * 1024 * 1024
    head = io.BytesIO()
    Image.new("RGB", (8, 8)).save(head, "PNG")
    refused = upload(world, customer, "huge.png", head.getvalue().ljust(limit + 1, b"\0"), "image/png")
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["code"] == "payload_too_large"
    # exactly the limit is no 413 (it is no valid PNG either, so the bytes are judged: 422)
    at_limit = upload(world, customer, "huge.png", head.getvalue().ljust(limit, b"\0"), "image/png")
    assert at_limit.status_code in (201, 422), at_limit.text


def test_an_upload_of_many_parts_is_refused_for_what_it_is_not_for_its_size(world):
    customer, _ = world.customer("ann")
    parts = {f"field{number}": (None, "x") for number in range(20)}
    refused = world.stack.call("POST", "/v1/uploads", customer, files={"file": ("a.png", png()), **parts})
    assert refused.status_code == 413, refused.text
    assert "more than 8 parts" in refused.json()["error"]["message"]
    assert "larger than" not in refused.json()["error"]["message"]


def test_other_bodies_keep_the_64_kib_limit(world):
    customer, _ = world.customer("ann")
    shop = world.vendor("shop")
    thread = world.ask(customer, "company", shop, "Hello")
    answer = world.post(customer, thread, "x" * (70 * 1024))
    assert answer.status_code == 413


def test_someone_elses_upload_cannot_be_attached(world):
    ann, _ = world.customer("ann")
    dan, _ = world.customer("dan")
    shop = world.vendor("shop")
    photo = upload(world, ann, "mine.png", png(), "image/png").json()
    answer = world.stack.call(
        "POST",
        "/v1/threads",
        dan,
        json={
            "type": "vendor_to_customer",
            "object": {"type": "company", "id": shop},
            "message": "look",
            "attachments": [photo["id"]],
        },
    )
    assert answer.status_code == 422, answer.text
    assert "attachments" in answer.json()["error"]["details"]
    # nor may it be fetched by its id before a message carries it, even by its uploader
    assert world.stack.call("GET", f"/v1/attachments/{photo['id']}", ann).status_code == 404


def test_an_upload_needs_a_token_and_the_file_field(world):
    assert world.stack.call("POST", "/v1/uploads", files={"file": ("a.png", png())}).status_code == 401
    customer, _ = world.customer("ann")
    missing = world.stack.call("POST", "/v1/uploads", customer, files={"other": ("a.png", png())})
    assert missing.status_code == 422 and "file" in missing.json()["error"]["details"]
    system = world.system
    assert upload(world, system, "a.png", png()).status_code == 403
