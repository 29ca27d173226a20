"""A file someone attaches, judged by its bytes and kept in the attachments bucket.

Two doors lead here: an upload through the gateway (gateway/uploads.py) and a file in a mail
replying to a notification. Both hand over the bytes as a seekable file on local disk (never
whole in memory) and get back the kept file's document, or a refusal a person understands.

A file is judged by its content alone, never its name or Content-Type: its first bytes say what
it is (`filetype`); anything but a JPEG, PNG, WebP or GIF image or a PDF is a 415. A PDF is kept
as it came. An image is decoded and written again by Pillow (its EXIF, GPS position and
comments stay behind; its orientation is applied first), with a 320 px thumbnail. A file whose
name says one type and whose bytes another is kept as what it is, under a name that says so.

An image costs what its header promises, never more: every frame of an animation is decoded
onto the whole canvas and written again, so its frames × width × height must be within
ATTACHMENT_MAX_PIXELS, and its frames within ATTACHMENT_MAX_FRAMES, or it is a 422 before a
pixel is decoded (a decompression bomb, by its size or by its frames). Counting the frames reads
the blocks' lengths only (Pillow's `n_frames`: no pixel is decoded; 61 frames took 1 ms, a
10 MB GIF of 500,000 frames 0.85 s, about what reading it takes). A multi-picture JPEG (a
phone's MPO) keeps its first picture, as browsers show it. Whatever a decoder raises on a
crafted file is a 422 `unreadable_file`, never a 500.

Decoding holds an image's pixels (at most ATTACHMENT_MAX_PIXELS × 4 bytes), so a process
decodes two images at a time at most.
"""

import re
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import PurePosixPath
from typing import IO

import filetype
from PIL import GifImagePlugin, Image, ImageOps

from services.common import attachment_files
from services.common.clock import new_id, now
from services.common.config import Settings
from services.common.errors import MessageCenterError, ValidationFailed
from services.common.mongo import Db, Document

SNIFF_BYTES = 262  # filetype reads no further
THUMBNAIL_PIXELS = 320
NAME_MAX = 200
EXTENSION = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
}
PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
CONTENT_TYPE = {pillow: content_type for content_type, pillow in PILLOW_FORMAT.items()}
DECODING = threading.BoundedSemaphore(2)
# A GIF's later frames stay palette images while they share the first one's palette (Pillow's
# default makes each an RGB canvas, which writing it again must quantize back: 4.6 s for ten
# frames of 2000 × 2000, against 0.14 s so). Process-wide, and only this module decodes GIFs.
GifImagePlugin.LOADING_STRATEGY = GifImagePlugin.LoadingStrategy.RGB_AFTER_DIFFERENT_PALETTE_ONLY
# An encoded image waits here (memory up to this, then disk) before it goes to the database.
SPOOL_BYTES = 1024 * 1024
# PNG's zlib effort: level 1 keeps nearly all of the default's compression on screenshots and
# diagrams (what PNGs attached to messages are) at a fraction of its time.
PNG_COMPRESS_LEVEL = 1


class UnsupportedFile(MessageCenterError):
    code, status = "unsupported_media_type", 415


class FileTooLarge(MessageCenterError):
    code, status = "payload_too_large", 413


class UnreadableFile(ValidationFailed):
    """The bytes say an image, and no decoder makes one of them: damaged, truncated or crafted."""

    code = "unreadable_file"

    def __init__(self, problem: object) -> None:
        super().__init__("The image is damaged and cannot be read.", {"file": [str(problem)[:200] or "Unreadable."]})


def spool(directory: str | None = None) -> IO[bytes]:
    """Where a file being received waits to be judged: memory for a small one, the disk beyond."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=directory or None)


def shown_name(sent: str | None) -> str:
    """The last part of the name the client gave, without control characters, cut short."""
    name = PurePosixPath((sent or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "file"
    return name[-NAME_MAX:]


def keep_file(db: Db, source: IO[bytes], sent_name: str | None, owner: Document, settings: Settings) -> Document:
    """Judge `source` (a readable, seekable binary file) and keep it as an upload of `owner`
    ({role, user_id}), expiring after UPLOAD_TTL_HOURS unless a message takes it: the kept
    file's document (attachment_files.described shows it)."""
    return _Judged(db, shown_name(sent_name), owner, settings).keep(source)


class _Judged:
    def __init__(self, db: Db, name: str, owner: Document, settings: Settings) -> None:
        self.db, self.name, self.owner, self.settings = db, name, owner, settings
        self.files = db[attachment_files.FILES]
        self.expires = now() + timedelta(hours=settings.UPLOAD_TTL_HOURS)

    def keep(self, source: IO[bytes]) -> Document:
        source.seek(0)
        kind = filetype.guess(source.read(SNIFF_BYTES))
        content_type = kind.mime if kind else None
        if content_type not in attachment_files.ACCEPTED_TYPES:
            raise UnsupportedFile(
                "Only JPEG, PNG, WebP and GIF images and PDF documents can be attached; this file is none of them.",
                {"file": [f"Not an accepted kind of file ({content_type or 'unknown'})."]},
            )
        name = _named_as(self.name, content_type)
        source.seek(0)
        if content_type == "application/pdf":
            return self._write(
                new_id(),
                name,
                source,
                attachment_files.metadata("original", content_type, self.owner, self.expires, thumbnail_id=None),
            )
        with DECODING:
            return self._keep_image(source, name, content_type)

    def _keep_image(self, source: IO[bytes], name: str, content_type: str) -> Document:
        image, animated = self._opened(source, content_type)
        upload_id, thumbnail_id = new_id(), new_id()
        thumbnail, thumbnail_format, original = self._encoded(image, content_type, animated)
        with thumbnail, original:
            self._write(
                thumbnail_id,
                "thumbnail",
                thumbnail,
                attachment_files.metadata(
                    "thumbnail", CONTENT_TYPE[thumbnail_format], self.owner, None, original_id=upload_id
                ),
            )
            try:
                return self._write(
                    upload_id,
                    name,
                    original,
                    attachment_files.metadata(
                        "original", content_type, self.owner, self.expires, thumbnail_id=thumbnail_id
                    ),
                )
            except BaseException:
                attachment_files.bucket(self.db).delete(thumbnail_id)  # nothing else would ever remove it
                raise

    def _opened(self, source: IO[bytes], content_type: str) -> tuple[Image.Image, bool]:
        """The image, judged by its header alone, and whether it is an animation to keep whole."""
        pixels, most_frames = self.settings.ATTACHMENT_MAX_PIXELS, self.settings.ATTACHMENT_MAX_FRAMES
        bomb = ValidationFailed(
            f"The image is too large: at most {pixels:,} pixels, every frame counted.",
            {"file": [f"At most {pixels} pixels (frames × width × height)."]},
        )
        # Pillow refuses twice its limit as it opens; between once and twice it only warns, and
        # the check below refuses (a warnings filter would be process-wide, across threads).
        Image.MAX_IMAGE_PIXELS = pixels
        try:
            image = Image.open(source)
            # A multi-picture JPEG is its first picture; other formats' frames are an animation.
            frames = 1 if content_type == "image/jpeg" else getattr(image, "n_frames", 1)
        except Image.DecompressionBombError:
            raise bomb
        except Exception as error:  # a crafted header can make a decoder raise anything
            raise UnreadableFile(error)
        if frames > most_frames:
            raise ValidationFailed(
                f"The image has too many frames: at most {most_frames}.",
                {"file": [f"At most {most_frames} frames ({frames} sent)."]},
            )
        if frames * image.width * image.height > pixels:  # the header says so: nothing is decoded yet
            raise bomb
        return image, frames > 1

    def _encoded(self, image: Image.Image, content_type: str, animated: bool) -> tuple[IO[bytes], str, IO[bytes]]:
        """(the thumbnail, its format, the original), each written again into a spool; every
        pixel is decoded here, so whatever a decoder raises is the file's fault."""
        thumbnail: IO[bytes] | None = None
        original: IO[bytes] | None = None
        try:
            if not animated:
                image = ImageOps.exif_transpose(image)  # the EXIF goes; the way up it gave stays
            image.info = {
                key: value
                for key, value in image.info.items()
                if key in ("transparency", "duration", "loop", "background", "icc_profile")
            }
            small = _thumbnail(image, animated)
            thumbnail_format = "PNG" if small.mode in ("RGBA", "LA", "P") else "JPEG"
            thumbnail = _encode(small, thumbnail_format)
            original = _encode(image, PILLOW_FORMAT[content_type], animated)
            return thumbnail, thumbnail_format, original
        except Exception as error:
            for written in (thumbnail, original):
                if written is not None:
                    written.close()
            raise UnreadableFile(error)

    def _write(self, file_id: str, name: str, source: IO[bytes], metadata: Document) -> Document:
        stored = attachment_files.open_upload(self.db, file_id, name, metadata)
        try:
            shutil.copyfileobj(source, stored, attachment_files.CHUNK_BYTES)
        except BaseException:
            stored.abort()
            raise
        stored.close()
        kept = self.files.find_one({"_id": file_id})
        assert kept is not None  # written and closed just above
        return kept


def _encode(image: Image.Image, image_format: str, animated: bool = False) -> IO[bytes]:
    """`image` written again into a spool (no EXIF: only what is passed is written)."""
    options: dict[str, object] = {"exif": b""}
    if image_format == "JPEG":
        options.update(quality=90)
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
    elif image_format == "WEBP":
        options.update(quality=90)
    elif image_format == "PNG":
        options.update(compress_level=PNG_COMPRESS_LEVEL)
    elif image_format == "GIF":
        options.pop("exif")
    if animated:
        options.update(save_all=True)
    encoded = spool()
    try:
        image.save(encoded, image_format, **options)
    except BaseException:
        encoded.close()
        raise
    encoded.seek(0)
    return encoded


def _thumbnail(image: Image.Image, animated: bool) -> Image.Image:
    first = _first_frame(image) if animated else image
    if first.mode not in ("RGB", "RGBA", "L", "LA"):
        first = first.convert("RGBA" if "transparency" in image.info or first.mode in ("PA", "P") else "RGB")
    scale = min(1.0, THUMBNAIL_PIXELS / max(first.size))
    size = (max(1, round(first.width * scale)), max(1, round(first.height * scale)))
    # Shrunk straight from the image (no copy of its pixels), by whole steps first, then finely.
    return first.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)


def _first_frame(image: Image.Image) -> Image.Image:
    image.seek(0)
    return image.convert("RGBA")


def _named_as(name: str, content_type: str) -> str:
    """The name, its extension saying what the file is (a PNG sent as `photo.pdf` is `photo.png`)."""
    extension = EXTENSION[content_type]
    stem, dot, given = name.rpartition(".")
    if dot and given.lower() in ("jpg", "jpeg") and content_type == "image/jpeg":
        return name
    if dot and "." + given.lower() == extension:
        return name
    return f"{stem if dot and stem else name}{extension}"
