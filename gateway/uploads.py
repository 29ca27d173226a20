"""Uploads: the body of `POST /v1/uploads` streamed into GridFS, then checked by what it is.

The bytes go to the database from here, not over the broker (README "Attachments"): the
multipart body is parsed as it arrives and each piece written to a GridFS file (`raw`) a chunk
at a time, so a 10 MB file never sits whole in a worker's memory. Then it is judged by its
content alone, never its name or Content-Type: its first bytes say what it is (`filetype`);
anything but a JPEG, PNG, WebP or GIF image or a PDF is a 415. A PDF is kept as it came. An
image is decoded and written again by Pillow (its EXIF, GPS position and comments stay
behind), with a 320 px thumbnail; an image that declares more pixels than
ATTACHMENT_MAX_PIXELS is a 422 before a pixel is decoded (a decompression bomb). A file whose
name says one type and whose bytes another is kept as what it is, under a name that says so.

Decoding does hold an image's pixels (at most ATTACHMENT_MAX_PIXELS × 4 bytes), so a worker
decodes two images at a time at most.
"""
import io
import re
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import PurePosixPath

import filetype
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.formparser import parse_form_data

from services.common import attachment_files
from services.common.clock import new_id, now
from services.common.errors import MessageCenterError, ValidationFailed
from services.common.mongo import connect

# The multipart envelope around the file: boundaries, part headers, a long file name.
ENVELOPE_BYTES = 16 * 1024
# What the form parser holds at once, undecided (it reads 64 KiB at a time): never the file.
PARSER_BUFFER_BYTES = 256 * 1024
SNIFF_BYTES = 262  # filetype reads no further
THUMBNAIL_PIXELS = 320
NAME_MAX = 200
EXTENSION = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
             "application/pdf": ".pdf"}
PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
DECODING = threading.BoundedSemaphore(2)
SPOOL_BYTES = 1024 * 1024

_database = None
_database_lock = threading.Lock()


class UnsupportedFile(MessageCenterError):
    code, status = "unsupported_media_type", 415


class FileTooLarge(MessageCenterError):
    code, status = "payload_too_large", 413


def database():
    """The worker process's own client, made on first use (after gunicorn forked it)."""
    global _database
    with _database_lock:
        if _database is None:
            settings = current_app.config["SETTINGS"]
            _database = connect(settings)[settings.MONGO_DB]
    return _database


def receive(request, owner: dict) -> dict:
    """Read the request's `file` into GridFS, check it, keep it: the upload's file document."""
    settings = current_app.config["SETTINGS"]
    limit = settings.ATTACHMENT_MAX_BYTES
    # This route alone takes more than the gateway's 64 KiB: one file and its envelope.
    request.max_content_length = limit + ENVELOPE_BYTES
    sink = RawSink(database(), owner, limit,
                   now() + timedelta(hours=settings.UPLOAD_TTL_HOURS))
    try:
        _, _, files = parse_form_data(request.environ, stream_factory=sink.open,
                                      max_content_length=request.max_content_length,
                                      max_form_memory_size=PARSER_BUFFER_BYTES, max_form_parts=8)
        sent = files.get("file")
        if sent is None or sink.grid_in is None:
            raise ValidationFailed("Send the file in the multipart field `file`.",
                                   {"file": ["Missing data for required field."]})
        sink.finish()
        return Checked(database(), sink.grid_in._id, _shown_name(sent.filename), owner, settings).keep()
    finally:
        sink.discard()


class RawSink:
    """The place werkzeug's form parser writes the file part to: a GridFS file, chunk by chunk."""

    def __init__(self, db, owner: dict, limit: int, expires_at):
        self.db, self.owner, self.limit, self.expires_at = db, owner, limit, expires_at
        self.grid_in = None
        self.written = 0
        self.finished = False

    def open(self, total_content_length, content_type, filename, content_length=None):
        if self.grid_in is not None:
            raise ValidationFailed("Send one file per upload.", {"file": ["One file per upload."]})
        # A raw file expires like an unused upload: one a worker left behind is swept.
        self.grid_in = attachment_files.open_upload(
            self.db, new_id(), "raw", attachment_files.metadata("raw", None, self.owner, self.expires_at))
        return self

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise FileTooLarge(f"A file may have at most {self.limit} bytes.",
                               {"file": [f"At most {self.limit} bytes."]})
        self.grid_in.write(data)
        return len(data)

    def seek(self, *args):  # the parser rewinds what it wrote; the bytes are read back from GridFS
        return 0

    def close(self):
        pass

    def finish(self):
        self.grid_in.close()
        self.finished = True

    def discard(self):
        """A raw file goes once checked, kept or not (Checked.keep keeps a PDF's under its id)."""
        if self.grid_in is None:
            return
        if not self.finished:
            self.grid_in.abort()
            return
        raw = self.db[attachment_files.FILES].find_one({"_id": self.grid_in._id}, {"metadata.variant": 1})
        if raw is not None and raw["metadata"]["variant"] == "raw":
            attachment_files.bucket(self.db).delete(self.grid_in._id)


class Checked:
    """One raw upload judged by its bytes and kept as what it is."""

    def __init__(self, db, raw_id: str, name: str, owner: dict, settings):
        self.db, self.raw_id, self.name, self.owner, self.settings = db, raw_id, name, owner, settings
        self.bucket = attachment_files.bucket(db)
        self.files = db[attachment_files.FILES]

    def keep(self) -> dict:
        # Buffered: Pillow expects a read to give all it asks for, across the chunks' seams.
        with io.BufferedReader(attachment_files.StoredFile(self.db, self.raw_id), attachment_files.CHUNK_BYTES) as raw:
            kind = filetype.guess(raw.read(SNIFF_BYTES))
            content_type = kind.mime if kind else None
            if content_type not in attachment_files.ACCEPTED_TYPES:
                raise UnsupportedFile("Only JPEG, PNG, WebP and GIF images and PDF documents can be attached; "
                                      "this file is none of them.",
                                      {"file": [f"Not an accepted kind of file ({content_type or 'unknown'})."]})
            name = _named_as(self.name, content_type)
            if content_type == "application/pdf":
                return self._keep_as_it_came(name, content_type)
            raw.seek(0)
            with DECODING:
                return self._keep_image(raw, name, content_type)

    def _keep_as_it_came(self, name: str, content_type: str) -> dict:
        self.files.update_one({"_id": self.raw_id}, {"$set": {
            "filename": name, "metadata.variant": "original", "metadata.content_type": content_type}})
        return self.files.find_one({"_id": self.raw_id})

    def _keep_image(self, raw, name: str, content_type: str) -> dict:
        image = self._opened(raw)
        animated = getattr(image, "n_frames", 1) > 1
        try:
            if not animated:
                image = ImageOps.exif_transpose(image)  # the EXIF goes; the way up it gave stays
            image.info = {key: value for key, value in image.info.items()
                          if key in ("transparency", "duration", "loop", "background", "icc_profile")}
            upload_id, thumbnail_id = new_id(), new_id()
            expires = now() + timedelta(hours=self.settings.UPLOAD_TTL_HOURS)
            thumbnail_type = self._store(thumbnail_id, "thumbnail", _thumbnail(image), None,
                                         attachment_files.metadata("thumbnail", None, self.owner, None,
                                                                   original_id=upload_id))
            self._store(upload_id, name, image, PILLOW_FORMAT[content_type],
                        attachment_files.metadata("original", content_type, self.owner, expires,
                                                  thumbnail_id=thumbnail_id), animated)
            self.files.update_one({"_id": thumbnail_id}, {"$set": {"metadata.content_type": thumbnail_type}})
            return self.files.find_one({"_id": upload_id})
        except (OSError, ValueError, SyntaxError) as error:  # what Pillow raises for damaged data
            raise ValidationFailed("The image is damaged and cannot be read.", {"file": [str(error)[:200]]})

    def _opened(self, raw) -> Image.Image:
        pixels = self.settings.ATTACHMENT_MAX_PIXELS
        bomb = ValidationFailed(f"The image is too large: at most {pixels:,} pixels.",
                                {"file": [f"At most {pixels} pixels (width × height)."]})
        # Pillow refuses twice its limit as it opens; between once and twice it only warns, and
        # the check below refuses (a warnings filter would be process-wide, across threads).
        Image.MAX_IMAGE_PIXELS = pixels
        try:
            image = Image.open(raw)
        except Image.DecompressionBombError:
            raise bomb
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise ValidationFailed("The image is damaged and cannot be read.", {"file": [str(error)[:200]]})
        if image.width * image.height > pixels:  # the header says so: nothing is decoded yet
            raise bomb
        return image

    def _store(self, file_id: str, name: str, image: Image.Image, image_format: str | None, metadata: dict,
               animated: bool = False) -> str:
        """Encode `image` (no EXIF: only what is passed is written) into GridFS; its content type."""
        if image_format is None:  # a thumbnail: PNG when it has transparency, else JPEG
            image_format = "PNG" if image.mode in ("RGBA", "LA", "P") else "JPEG"
        options = {"exif": b""}
        if image_format == "JPEG":
            options.update(quality=90)
            if image.mode not in ("RGB", "L", "CMYK"):
                image = image.convert("RGB")
        elif image_format == "WEBP":
            options.update(quality=90)
        if animated:
            options.update(save_all=True)
        if image_format == "GIF":
            options.pop("exif")
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as encoded:
            image.save(encoded, image_format, **options)
            encoded.seek(0)
            stored = attachment_files.open_upload(self.db, file_id, name, metadata)
            shutil.copyfileobj(encoded, stored, attachment_files.CHUNK_BYTES)
            stored.close()
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}[image_format]


def _thumbnail(image: Image.Image) -> Image.Image:
    first = image.copy() if getattr(image, "n_frames", 1) == 1 else _first_frame(image)
    if first.mode not in ("RGB", "RGBA", "L", "LA"):
        first = first.convert("RGBA" if "transparency" in image.info or first.mode in ("PA", "P") else "RGB")
    first.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    return first


def _first_frame(image: Image.Image) -> Image.Image:
    image.seek(0)
    return image.convert("RGBA")


def _shown_name(sent: str | None) -> str:
    """The last part of the name the client gave, without control characters, cut short."""
    name = PurePosixPath((sent or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "file"
    return name[-NAME_MAX:]


def _named_as(name: str, content_type: str) -> str:
    """The name, its extension saying what the file is (a PNG sent as `photo.pdf` is `photo.png`)."""
    extension = EXTENSION[content_type]
    stem, dot, given = name.rpartition(".")
    if dot and given.lower() in ("jpg", "jpeg") and content_type == "image/jpeg":
        return name
    if dot and "." + given.lower() == extension:
        return name
    return f"{stem if dot and stem else name}{extension}"

