"""Issue 21, the newer doors: hostile images and the uploads one person may make.

A corpus of hostile files (tests/fixtures/hostile_images.py, made by the test) goes through both
doors of the running system: `POST /v1/uploads` over real HTTP, and replies by mail over SMTP to
the inbound process. Each file is taken or refused with a 4xx, never a 5xx; a mail is posted
with a note naming each file it could not take, never answered with a retry for a file it will
never take.
"""
import io
from collections import Counter

from PIL import Image

from services.common import attachment_files
from tests.e2e.test_attachments import upload
from tests.fixtures.hostile_images import TAKEN, corpus, mpo
from tests.inbound_mail.test_reply_by_mail import Conversation, send, with_files



def stored_image(stack, upload_id: str) -> Image.Image:
    data = attachment_files.bucket(stack.db).open_download_stream(upload_id).read()
    return Image.open(io.BytesIO(data))


def test_every_hostile_file_uploaded_is_taken_or_refused_with_a_4xx(world):
    outcomes, wrong = Counter(), []
    for number, hostile in enumerate(corpus()):
        customer, _ = world.customer(f"hostile{number}")  # one person each: the corpus is no flood
        answer = upload(world, customer, hostile.name, hostile.data)
        outcomes["5xx" if answer.status_code >= 500 else "taken" if answer.status_code == TAKEN else "refused"] += 1
        if answer.status_code != hostile.expected:
            wrong.append((hostile.name, hostile.why, hostile.expected, answer.status_code, answer.text[:200]))
        elif answer.status_code >= 400:
            assert set(answer.json()["error"]) == {"code", "message", "details"}, answer.text  # the API's error shape
    print(f"\nhostile uploads: {len(corpus())} files, {outcomes['taken']} taken, {outcomes['refused']} refused, "
          f"{outcomes['5xx']} 5xx")
    assert not wrong, "\n".join(map(str, wrong))
    assert len(corpus()) >= 30 and outcomes["5xx"] == 0


def test_an_animation_s_frames_count_toward_the_pixel_limit_and_the_refusal_names_it(world):
    from tests.fixtures.hostile_images import animation, gif_with_pixel_frames
    customer, _ = world.customer("frames")
    refused = upload(world, customer, "frames60.gif", gif_with_pixel_frames(60))
    assert refused.status_code == 422, refused.text
    assert "40,000,000 pixels, every frame counted" in refused.json()["error"]["message"]
    too_many = upload(world, customer, "flicker.gif", animation("GIF", (8, 8), 101))
    assert too_many.status_code == 422 and "at most 100" in too_many.json()["error"]["message"], too_many.text
    # an animation within both limits stays one
    moving = upload(world, customer, "moving.gif", animation("GIF", (40, 30), 3))
    assert moving.status_code == 201, moving.text
    assert stored_image(world.stack, moving.json()["id"]).n_frames == 3


def test_a_phone_s_multi_picture_jpeg_keeps_its_first_picture(world):
    customer, _ = world.customer("phone")
    taken = upload(world, customer, "IMG_0001.JPG", mpo(2), "image/jpeg")
    assert taken.status_code == 201, taken.text
    assert taken.json()["content_type"] == "image/jpeg" and taken.json()["name"] == "IMG_0001.JPG"
    kept = stored_image(world.stack, taken.json()["id"])
    assert kept.format == "JPEG" and getattr(kept, "n_frames", 1) == 1
    red, green, blue = kept.convert("RGB").getpixel((10, 10))
    assert red > 150 and green < 60, "the first picture (red) is the one kept"


def test_a_file_no_decoder_can_read_is_a_422_unreadable_file(world):
    customer, _ = world.customer("reader")
    for hostile in corpus():
        if hostile.name in ("cut.gif", "crc.png", "palette-png.png"):
            refused = upload(world, customer, hostile.name, hostile.data)
            assert refused.status_code == 422, (hostile.name, refused.text)
            assert refused.json()["error"]["code"] == "unreadable_file", (hostile.name, refused.text)


def reply_with(stack, conversation: Conversation, files: list) -> tuple[int, dict]:
    reply_to = conversation.to_customer["Reply-To"]
    raw = with_files(conversation.customer_email, reply_to, "Here are the files.",
                     [(hostile.name, "application/octet-stream", hostile.data) for hostile in files])
    code, _ = send(stack, raw, conversation.customer_email, reply_to)
    last = stack.call("GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100",
                      conversation.vendor).json()["items"][-1]
    return code, last


def test_every_hostile_file_by_mail_is_attached_or_named_and_the_reply_is_posted(stack):
    files = corpus()
    outcomes, wrong = Counter(), []
    # Five files a mail (a message's most), three mails a conversation: one customer's 15 files
    # stay within the uploads a minute.
    for start in range(0, len(files), 15):
        conversation = Conversation(stack)
        for batch_start in range(start, min(start + 15, len(files)), 5):
            batch = files[batch_start:batch_start + 5]
            code, message = reply_with(stack, conversation, batch)
            if code != 250 or not message["text"].startswith("Here are the files."):
                outcomes["mail not posted"] += 1
                wrong.append(([hostile.name for hostile in batch], code, message["text"][:100]))
                continue
            attached = {file["name"].rsplit(".", 1)[0] for file in message["attachments"]}
            for hostile in batch:
                stem = hostile.name.rsplit(".", 1)[0]
                named = f"- {hostile.name}: " in message["text"]
                outcomes["taken" if stem in attached else "refused" if named else "lost"] += 1
                if (stem in attached) != (hostile.expected == TAKEN) or (stem in attached) == named:
                    wrong.append((hostile.name, hostile.why, hostile.expected, sorted(attached), message["text"]))
    print(f"\nhostile files by mail: {len(files)} files, {outcomes['taken']} attached, {outcomes['refused']} "
          f"named as not taken, {outcomes['lost']} lost, {outcomes['mail not posted']} mails not posted")
    assert not wrong, "\n".join(map(str, wrong))


def test_a_reply_with_a_phone_s_photo_is_posted_with_the_photo(stack):
    conversation = Conversation(stack)
    code, message = reply_with(stack, conversation, [h for h in corpus() if h.name == "phone.mpo"])
    assert code == 250
    assert [file["name"] for file in message["attachments"]] == ["phone.jpg"], message
