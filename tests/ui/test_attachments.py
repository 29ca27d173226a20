"""Files in the web front: a customer attaches a photo to a question (and sees a file that is
not one refused in plain words, and one too large refused before it is sent); the vendor sees
its thumbnail, which opens the photo in the page's viewer (the arrow keys go between the
message's pictures), and answers with a PDF dropped on the reply box."""

import io
import re
import uuid

from PIL import Image
from playwright.sync_api import expect

from tests.ui.conftest import screenshot


def photo_bytes(size=(900, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 140, 60)).save(out, "JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_photo_goes_with_a_question_and_the_vendor_answers_with_a_pdf(open_page, stack):
    tag = uuid.uuid4().hex[:6]
    question = f"Is this scratch covered? ({tag})"

    customer = open_page("/ui/demo/storefront")
    ask = customer.locator("mc-ask-question[product-id='101']")
    ask.get_by_role("button", name="Ask a question").click()
    dialog = ask.get_by_role("dialog", name="Ask the vendor about this product")
    dialog.get_by_label("Your question").fill(question)
    attach = dialog.get_by_role("button", name="Attach files")
    expect(attach).to_be_visible()

    # not a picture: refused in plain words before it is sent, and the question waits for it to be removed
    dialog.locator("input[type=file]").set_input_files(
        [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just text\n" * 50}]
    )
    expect(dialog.locator(".files")).to_contain_text("Only JPEG, PNG, WebP and GIF images and PDF documents")
    dialog.get_by_role("button", name="Send question").click()
    expect(dialog.get_by_role("alert").first).to_contain_text("Wait until the files are uploaded")
    dialog.get_by_role("button", name="Remove notes.jpg").click()
    expect(attach).to_be_focused()

    dialog.locator("input[type=file]").set_input_files(
        [{"name": f"scratch-{tag}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    expect(dialog.locator(".files")).to_contain_text("Ready to send")
    dialog.get_by_role("button", name="Send question").click()
    expect(dialog.get_by_role("heading", name="Your question was sent")).to_be_visible()

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    center.locator(".thread-row").filter(has_text=question).get_by_role("button").click()
    image = center.get_by_role("button", name=f"Open scratch-{tag}.jpg")
    expect(image).to_be_visible()
    thumbnail = image.locator("img")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320

    # The photo opens in the page, titled with its real name; Escape gives the focus back.
    image.focus()
    vendor.keyboard.press("Enter")
    viewer = center.get_by_role("dialog", name=f"scratch-{tag}.jpg")
    expect(viewer).to_be_visible()
    full = viewer.get_by_role("img", name=f"scratch-{tag}.jpg")
    expect(full).to_be_visible()
    vendor.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=full.element_handle())
    assert full.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [900, 600]
    answer = vendor.request.get(full.get_attribute("src"))
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(answer.body())).size == (900, 600)
    screenshot(vendor, "image-viewer")
    vendor.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(image).to_be_focused()
    screenshot(vendor, "vendor-attachment")

    # the answer: a PDF dropped on the reply box, sent by keyboard
    reply = center.locator("form.reply")
    data = reply.evaluate_handle(
        """(form, bytes) => { const transfer = new DataTransfer();
             transfer.items.add(new File([new Uint8Array(bytes)], 'invoice.pdf', {type: 'application/pdf'}));
             return transfer; }""",
        list(PDF),
    )
    reply.dispatch_event("drop", {"dataTransfer": data})
    expect(reply.locator(".files")).to_contain_text("Ready to send")
    center.get_by_label("Your reply").fill("Covered: here is the warranty.")
    center.get_by_role("button", name="Send reply").focus()
    vendor.keyboard.press("Enter")
    sent = center.locator(".message").filter(has_text="Covered: here is the warranty.")
    expect(sent.get_by_role("link", name="invoice.pdf")).to_be_visible()
    expect(reply.locator(".files li")).to_have_count(0)


def test_a_file_too_large_is_refused_before_it_is_sent_and_photos_are_viewed_in_the_page(open_page, stack):
    tag = uuid.uuid4().hex[:6]
    question = f"Which of these fits? ({tag})"
    limit = stack.call("GET", "/v1/uploads/limits").json()["max_bytes"]

    customer = open_page("/ui/demo/storefront?product_id=201", 390)
    uploads = []
    customer.on(
        "request",
        lambda request: request.method == "POST" and "/v1/uploads" in request.url and uploads.append(request.url),
    )
    ask = customer.locator("mc-ask-question[product-id='201']")
    ask.get_by_role("button", name="Ask a question").click()
    dialog = ask.get_by_role("dialog", name="Ask the vendor about this product")
    expect(dialog).to_contain_text("up to 5 files of 10 MB each")  # the gateway's limit, as it says it
    dialog.get_by_label("Your question").fill(question)
    dialog.locator("input[type=file]").set_input_files(
        [{"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (limit + 1)}]
    )
    expect(dialog.locator(".files")).to_contain_text("The file is larger than 10 MB")
    assert uploads == []  # not a byte of it sent
    dialog.get_by_role("button", name="Remove huge.jpg").click()
    dialog.locator("input[type=file]").set_input_files(
        [
            {"name": f"front-{tag}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes((900, 600))},
            {"name": f"side-{tag}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes((600, 900))},
        ]
    )
    expect(dialog.locator(".files li.done")).to_have_count(2)
    assert len(uploads) == 2
    dialog.get_by_label("Your question").press("Control+Enter")
    expect(dialog.get_by_role("heading", name="Your question was sent")).to_be_visible()

    vendor = open_page("/ui/demo/vendor?vendor=2", 390)
    center = vendor.locator("mc-message-center")
    center.locator(".thread-row").filter(has_text=question).get_by_role("button").click()
    # Read now: the view is drawn again once, which would take a focused button away.
    expect(center.locator(".thread-row").filter(has_text=question)).not_to_have_class(re.compile(r"\bunread\b"))
    front = center.get_by_role("button", name=f"Open front-{tag}.jpg")
    front.focus()
    vendor.keyboard.press("Enter")
    viewer = center.get_by_role("dialog", name=f"front-{tag}.jpg")
    expect(viewer).to_be_visible()
    expect(viewer).to_contain_text("Picture 1 of 2")
    vendor.keyboard.press("ArrowRight")
    expect(center.get_by_role("dialog", name=f"side-{tag}.jpg")).to_be_visible()
    expect(center.locator("dialog.viewer")).to_contain_text("Picture 2 of 2")
    vendor.keyboard.press("ArrowRight")  # round to the first
    expect(center.get_by_role("dialog", name=f"front-{tag}.jpg")).to_be_visible()
    vendor.keyboard.press("ArrowLeft")
    expect(center.get_by_role("dialog", name=f"side-{tag}.jpg")).to_be_visible()
    screenshot(vendor, "image-viewer")
    vendor.keyboard.press("Escape")
    expect(center.locator("dialog.viewer")).to_be_hidden()
    expect(front).to_be_focused()
