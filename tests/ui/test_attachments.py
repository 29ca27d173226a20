"""Files in the web front: a customer attaches a photo to a question (and sees a file that is
not one refused in plain words); the vendor sees its thumbnail, which opens the photo full
size, and answers with a PDF dropped on the reply box."""
import io
import uuid

from PIL import Image
from playwright.sync_api import expect

from tests.ui.conftest import screenshot


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (180, 140, 60)).save(out, "JPEG")
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

    # not a picture: refused in plain words, and the question waits for it to be removed
    dialog.locator("input[type=file]").set_input_files(
        [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just text\n" * 50}])
    expect(dialog.locator(".files")).to_contain_text("Only JPEG, PNG, WebP and GIF images and PDF documents")
    dialog.get_by_role("button", name="Send question").click()
    expect(dialog.get_by_role("alert").first).to_contain_text("Wait until the files are uploaded")
    dialog.get_by_role("button", name="Remove notes.jpg").click()
    expect(attach).to_be_focused()

    dialog.locator("input[type=file]").set_input_files(
        [{"name": f"scratch-{tag}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}])
    expect(dialog.locator(".files")).to_contain_text("Ready to send")
    dialog.get_by_role("button", name="Send question").click()
    expect(dialog.get_by_role("heading", name="Your question was sent")).to_be_visible()

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    center.locator(".thread-row").filter(has_text=question).get_by_role("button").click()
    image = center.get_by_role("link", name=f"Open scratch-{tag}.jpg full size")
    expect(image).to_be_visible()
    thumbnail = image.get_by_role("img", name=f"scratch-{tag}.jpg")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320
    full = vendor.request.get(image.get_attribute("href"))
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(full.body())).size == (900, 600)
    screenshot(vendor, "vendor-attachment")

    # the answer: a PDF dropped on the reply box, sent by keyboard
    reply = center.locator("form.reply")
    data = reply.evaluate_handle(
        """(form, bytes) => { const transfer = new DataTransfer();
             transfer.items.add(new File([new Uint8Array(bytes)], 'invoice.pdf', {type: 'application/pdf'}));
             return transfer; }""", list(PDF))
    reply.dispatch_event("drop", {"dataTransfer": data})
    expect(reply.locator(".files")).to_contain_text("Ready to send")
    center.get_by_label("Your reply").fill("Covered: here is the warranty.")
    center.get_by_role("button", name="Send reply").focus()
    vendor.keyboard.press("Enter")
    sent = center.locator(".message").filter(has_text="Covered: here is the warranty.")
    expect(sent.get_by_role("link", name="invoice.pdf")).to_be_visible()
    expect(reply.locator(".files li")).to_have_count(0)
