"""Decode pixel data, and refuse to return an array the header does not describe.

:func:`read_pixels` returns the stored pixel values of one file or data set,
or raises a typed :class:`~medlab.dicom.errors.DicomError` naming the file
and the fix; it never lets a decoder's own exception through and never
returns a silently reshaped array:

- before decoding, uncompressed pixel data must have the length that
  Rows x Columns x frames x samples x bits describe. Trailing zero bytes
  shorter than one frame are padding (PS3.5 8.1.1 asks for one, some writers
  add more): they are ignored, as pydicom does, with a ``UserWarning`` that
  names the file and both byte counts; fewer bytes, or extra bytes that are
  not zero or make a whole frame, are refused. Compressed data must start
  with a code stream whose image size (JPEG, JPEG-LS, JPEG 2000 or RLE)
  matches Rows and Columns;
- after decoding, the array must have the shape the header announces;
- a missing header value the decoder needs (Bits Allocated, ...) or a
  disagreement is :class:`~medlab.dicom.errors.HeaderMismatchError`, whose
  message gives the header's values and says what to check (Rows, Columns,
  SamplesPerPixel, BitsAllocated, NumberOfFrames against the length of the
  pixel data, and the transfer syntax); a
  stream that every installed decoder rejects is
  :class:`~medlab.dicom.errors.PixelDecodeError`; a syntax without an
  installed decoder is :class:`~medlab.dicom.errors.DecoderMissingError`,
  with the ``pip install`` that adds one.

Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import math
import struct
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from .errors import DecoderMissingError, HeaderMismatchError, MissingPixelDataError, PixelDecodeError
from .reading import PathLike, _has_pixels, _label, read_dataset

#: Packages that provide pydicom's decoding plugins, for error messages.
PLUGIN_PACKAGES: dict[str, str] = {
    "pylibjpeg": "pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg pylibjpeg-rle",
    "pillow": "pillow",
    "pyjpegls": "pyjpegls",
    "gdcm": "python-gdcm",
    "pydicom": "pydicom",
}

# What to install for each family of transfer syntaxes (first choice).
_SYNTAX_PACKAGES: tuple[tuple[str, str], ...] = (
    ("JPEG-LS", "pyjpegls"),
    ("JPEG 2000", "pylibjpeg pylibjpeg-openjpeg"),
    ("High-Throughput JPEG 2000", "pylibjpeg pylibjpeg-openjpeg"),
    ("JPEG", "pylibjpeg pylibjpeg-libjpeg"),
    ("RLE", "pylibjpeg pylibjpeg-rle"),
)


def _install_hint(transfer_syntax: pydicom.uid.UID) -> str:
    """The ``pip install`` command that adds a decoder for ``transfer_syntax``."""
    name = getattr(transfer_syntax, "name", str(transfer_syntax))
    for key, packages in _SYNTAX_PACKAGES:
        if key in name:
            return f"pip install {packages}"
    return "pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg pyjpegls"


def _decoder_plugins(transfer_syntax: pydicom.uid.UID) -> tuple[str, ...] | None:
    """Installed pydicom plugins that decode ``transfer_syntax``.

    ``()``: pydicom knows the syntax but no plugin for it is installed;
    ``None``: this pydicom version has no decoder for the syntax at all.
    """
    from pydicom.pixels import get_decoder

    try:
        decoder = get_decoder(transfer_syntax)
    except NotImplementedError:
        return None
    if not transfer_syntax.is_compressed:
        return ("pydicom",)
    return tuple(decoder.available_plugins)


def decoders_for(transfer_syntax: pydicom.uid.UID | str) -> tuple[str, ...]:
    """Names of the installed pydicom plugins that can decode ``transfer_syntax``.

    ``("pydicom",)`` for uncompressed syntaxes; ``()`` when none is installed
    (or when pydicom has no decoder for the syntax at all).

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    return _decoder_plugins(pydicom.uid.UID(transfer_syntax)) or ()


# ------------------------------------------------------------------ header checks
def _int(ds: Dataset, keyword: str, name: str, default: int | None = None) -> int:
    value = ds.get(keyword, default)
    if value is None or value == "":
        problem, fix = "missing", "The file was written incompletely"
    else:
        try:
            return int(value)
        except (TypeError, ValueError):
            problem, fix = f"{value!r}, not a whole number", "Fix the header"
    raise HeaderMismatchError(
        f"{name}: {keyword} is {problem}; the pixel data cannot be interpreted "
        f"without it. {fix}, or export the file again from its source."
    )


def _expected_shape(ds: Dataset, name: str) -> tuple[int, ...]:
    rows, cols = _int(ds, "Rows", name), _int(ds, "Columns", name)
    samples = _int(ds, "SamplesPerPixel", name, 1)
    frames = max(1, _int(ds, "NumberOfFrames", name, 1))
    shape = (rows, cols) + ((samples,) if samples > 1 else ())
    return ((frames,) if frames > 1 else ()) + shape


#: What to check when a header disagrees with its pixel data (HeaderMismatchError).
_CHECK = ("Check Rows, Columns, SamplesPerPixel, BitsAllocated and NumberOfFrames against "
          "the length of the pixel data (Rows x Columns x SamplesPerPixel x BitsAllocated/8 "
          "bytes per frame, times NumberOfFrames), and that the TransferSyntaxUID says how "
          "the pixels are really stored (compressed or not, byte order); correct the value "
          "that is wrong if you know it, or export the file again from its source.")


def _header_values(ds: Dataset) -> str:
    keys = ("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "NumberOfFrames")
    values = ", ".join(f"{k} {ds.get(k, '(absent)')}" for k in keys)
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    return f"{values}; transfer syntax {getattr(syntax, 'name', syntax or '(absent)')}"


def _mismatch(name: str, what: str, ds: Dataset | None = None,
              hint: str = "") -> HeaderMismatchError:
    values = f" Header: {_header_values(ds)}." if ds is not None else ""
    return HeaderMismatchError(
        f"{name}: the header disagrees with the pixel data ({what}), so the image would "
        f"come out wrongly shaped.{values} {_CHECK}{hint}"
    )


def _check_native_length(ds: Dataset, name: str) -> None:
    keyword = next(k for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
                   if k in ds)
    photometric = str(ds.get("PhotometricInterpretation", "") or "")
    if not photometric:
        raise HeaderMismatchError(f"{name}: PhotometricInterpretation is missing; the "
                                  "pixel values cannot be interpreted. Export the file again.")
    shape = _expected_shape(ds, name)
    bits = _int(ds, "BitsAllocated", name)
    pixels = math.prod(shape)
    expected = (pixels + 7) // 8 if bits == 1 else pixels * (bits // 8)
    if photometric == "YBR_FULL_422":  # PS3.3 C.7.6.3.1.2: two values per pixel
        expected = expected // 3 * 2
    data = ds[keyword].value or b""
    actual = len(data)
    if actual in (expected, expected + expected % 2):
        return
    extra = actual - expected
    frame = max(1, expected // max(1, _int(ds, "NumberOfFrames", name, 1)))
    if 0 < extra < frame and not any(data[expected:]):  # PS3.5 8.1.1: trailing padding
        warnings.warn(
            f"{name}: {keyword} holds {actual} bytes where the header describes "
            f"{expected}; the {extra} trailing bytes are all zero (padding) and are "
            f"ignored. To remove them: ds.{keyword} = ds.{keyword}[:{expected}]",
            UserWarning, stacklevel=3)
        return
    dims = "x".join(str(s) for s in shape)
    what = f"{dims} pixels of {bits} bits need {expected} bytes, {keyword} holds {actual}"
    hint = ""
    if extra < 0:
        what += f": {-extra} bytes short"
    elif extra < frame:
        what += f": {extra} bytes more, not all zero, so not padding"
        hint = (f" If you know the extra bytes are padding all the same, keep the first "
                f"{expected}: ds.{keyword} = ds.{keyword}[:{expected}]")
    raise _mismatch(name, what, ds, hint)


def _codestream_size(frame: bytes, syntax: pydicom.uid.UID) -> tuple[int, int] | int | None:
    """Image size stored in the first frame's code stream, when it can be parsed.

    ``(rows, columns)`` for JPEG, JPEG-LS and JPEG 2000; the number of pixels
    of the first segment for RLE (which stores no rows or columns); ``None``
    for anything else.
    """
    if syntax == pydicom.uid.RLELossless:
        from pydicom.pixels.decoders.rle import _rle_decode_segment, _rle_parse_header

        offsets = _rle_parse_header(frame[:64]) + [len(frame)]
        return len(_rle_decode_segment(frame[offsets[0]:offsets[1]]))
    if frame.startswith(b"\xff\xd8"):  # JPEG, JPEG-LS: SOI then a SOF segment
        from pydicom.pixels.utils import _get_jpg_parameters

        info = _get_jpg_parameters(frame)
        return (info["height"], info["width"]) if info.get("height") else None
    start = frame.find(b"\xff\x4f\xff\x51")  # JPEG 2000: SOC then SIZ
    if start >= 0 and len(frame) >= start + 24:
        xsiz, ysiz, xo, yo = struct.unpack(">4I", frame[start + 8:start + 24])
        rows, cols = ysiz - yo, xsiz - xo
        # Rows and Columns are 16-bit: anything else is not a SIZ segment we can trust
        return (rows, cols) if 0 < rows <= 0xFFFF and 0 < cols <= 0xFFFF else None
    return None


def _check_encapsulated(ds: Dataset, syntax: pydicom.uid.UID, name: str) -> None:
    from pydicom.encaps import get_frame

    rows, cols = _int(ds, "Rows", name), _int(ds, "Columns", name)
    try:
        n = max(1, int(ds.get("NumberOfFrames", 1) or 1))
        size = _codestream_size(get_frame(ds.PixelData, 0, number_of_frames=n), syntax)
    except Exception as exc:  # noqa: BLE001 - malformed items or fragments
        raise PixelDecodeError(
            f"{name}: the compressed pixel data is malformed ({type(exc).__name__}: {exc}). "
            "Copy or export the file again from its source."
        ) from exc
    if isinstance(size, int):  # RLE: one segment per byte of each sample
        if size not in (rows * cols, rows * cols + 1):
            raise _mismatch(name, f"the header says {rows}x{cols} = {rows * cols} pixels, "
                                  f"the first RLE segment holds {size}", ds)
    elif size is not None and size != (rows, cols):
        raise _mismatch(name, f"the header says {rows}x{cols}, the compressed image "
                              f"is {size[0]}x{size[1]}", ds)


# ----------------------------------------------------------------------- decoding
def read_pixels(source: PathLike | Dataset, plugin: str | None = None) -> np.ndarray:
    """Decoded stored pixel values of a file or dataset (no rescale, no windowing).

    ``plugin`` forces one pydicom decoding plugin (``"pylibjpeg"``, ``"pillow"``,
    ``"pyjpegls"``, ``"gdcm"``, ``"pydicom"``). Every failure is a typed error
    naming the file: :class:`MissingPixelDataError`, :class:`DecoderMissingError`
    (naming the package to install), :class:`TruncatedFileError` (from
    :func:`read_dataset`), :class:`HeaderMismatchError` (the header is missing
    a value or disagrees with the stored pixels: the array would be
    reshaped wrongly) or :class:`PixelDecodeError` (every decoder rejects it).
    Uncompressed pixel data with trailing zero padding (less than one frame)
    is read with a ``UserWarning`` naming the file and both byte counts.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    if isinstance(source, Dataset):
        ds, name = source, _label(getattr(source, "filename", None))
    else:
        ds, name = read_dataset(source), _label(source)
    if not _has_pixels(ds):
        sop = ds.get("SOPClassUID")
        kind = f"SOP class {getattr(sop, 'name', sop or '?')}"
        if "Rows" in ds or "Image Storage" in str(getattr(sop, "name", "")):
            raise MissingPixelDataError(
                f"{name}: no Pixel Data element, although the header describes an image "
                f"({kind}): the file was probably cut before its pixel data (an "
                "interrupted copy) or exported without it. Copy it again from its source."
            )
        raise MissingPixelDataError(
            f"{name}: no Pixel Data element ({kind}). It is a header-only or non-image "
            "object: read its header with read_dataset(..., stop_before_pixels=True), "
            "or find the image file it refers to."
        )
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        raise HeaderMismatchError(f"{name}: no Transfer Syntax UID, so the pixel encoding "
                                  "is unknown; read the file with read_dataset.")
    ts = pydicom.uid.UID(meta.TransferSyntaxUID)
    _check_decoder(ts, name, plugin)
    if ts.is_encapsulated and "PixelData" in ds:
        _check_encapsulated(ds, ts, name)
    else:
        _check_native_length(ds, name)
    expected = _expected_shape(ds, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if plugin is not None:
                ds.pixel_array_options(decoding_plugin=plugin)
            arr = ds.pixel_array
    except (AttributeError, KeyError) as exc:
        raise HeaderMismatchError(
            f"{name}: the header lacks a value needed to read the pixels ({exc}). "
            "Export the file again from its source."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - decoders raise RuntimeError, ValueError, ...
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = " ".join(lines) if lines else type(exc).__name__
        raise PixelDecodeError(
            f"{name}: the pixel data ('{ts.name}') cannot be decoded ({detail[:400]}). "
            "The stream is corrupt or unusual: copy the file again from its source, or "
            "try another decoder, for example pip install python-gdcm and "
            "read_pixels(path, plugin='gdcm')."
        ) from exc
    finally:
        if plugin is not None:
            ds.pixel_array_options(decoding_plugin="")
    if tuple(arr.shape) != expected:
        raise _mismatch(name, f"the header announces shape {expected}, the decoder "
                              f"returned {tuple(arr.shape)}", ds)
    return arr


def _check_decoder(ts: pydicom.uid.UID, name: str, plugin: str | None) -> None:
    available = _decoder_plugins(ts)
    if available is None:
        if any(k in ts.name for k in ("MPEG", "HEVC", "H.264", "H.265")):
            fix = ("It is a video stream: extract it with pydicom.encaps.generate_frames "
                   "and decode it with a video library, for example PyAV (pip install av).")
        else:
            fix = ("Upgrade pydicom (pip install -U pydicom) or convert the file to an "
                   "uncompressed syntax with a tool that reads it (for example gdcmconv "
                   "--raw).")
        raise DecoderMissingError(
            f"{name}: pydicom {pydicom.__version__} has no decoder for the transfer syntax "
            f"'{ts.name}' ({ts}). {fix}"
        )
    if not available or (plugin is not None and plugin not in available):
        wanted = f"the '{plugin}' plugin" if plugin else "any installed plugin"
        hint = f"pip install {PLUGIN_PACKAGES.get(plugin, plugin)}" if plugin else _install_hint(ts)
        raise DecoderMissingError(
            f"{name}: its transfer syntax '{ts.name}' ({ts}) cannot be decoded by {wanted}"
            f" (installed plugins for it: {', '.join(available) or 'none'}). "
            f"Install one: {hint}"
        )


def frames(ds: Dataset, pixels: np.ndarray | None = None) -> np.ndarray:
    """Pixel data as ``(frames, rows, columns[, samples])``, single-frame files too.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    arr = read_pixels(ds) if pixels is None else pixels
    n = int(ds.get("NumberOfFrames", 1) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    if n == 1 and arr.ndim == (3 if samples > 1 else 2):
        arr = arr[None]
    return arr


__all__ = ["PLUGIN_PACKAGES", "decoders_for", "frames", "read_pixels"]
