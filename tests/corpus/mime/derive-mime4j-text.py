#!/usr/bin/env python3
"""Derives mime4j-text-parts.tsv from mime4j's raw event traces.

expected.jsonl gives mime4j's decoded leaf parts by path ("1", "1_2", ...)
but not their content types. This finds, in each upstream *.mime4j.xml
trace, the part a reader's client shows as the text: the first text/plain
leaf (else the first text/html) in depth-first order, not inside an attached
message/rfc822 and not Content-Disposition: attachment; the rule baton's
src/message.c states. Run once, by hand, against the shared corpus:

    python3 derive-mime4j-text.py /path/to/corpora/mime/expected > mime4j-text-parts.tsv

Output: file <TAB> part path <TAB> content type (lowercase, no parameters),
or "-" for both when the message has no such part.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def fields(header):
    out = {}
    for field in header.findall("field") if header is not None else []:
        name, _, value = (field.text or "").strip().partition(":")
        out.setdefault(name.strip().lower(), value.strip())
    return out


def content_type(hdr, default):
    value = hdr.get("content-type")
    if not value:
        return default
    return value.split(";")[0].strip().lower() or default


def is_attachment(hdr):
    return hdr.get("content-disposition", "").split(";")[0].strip().lower() == "attachment"


def leaves(entity, path, default):
    """(path, type, attachment) of each leaf, depth first, not into message/rfc822."""
    hdr = fields(entity.find("header"))
    ctype = content_type(hdr, default)
    multipart = entity.find("multipart")
    if multipart is not None:
        child_default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        for i, part in enumerate(multipart.findall("body-part"), 1):
            yield from leaves(part, f"{path}_{i}", child_default)
        return
    yield path, ctype, is_attachment(hdr)


def main(expected_dir):
    for trace in sorted(glob.glob(os.path.join(expected_dir, "*.mime4j.xml"))):
        name = os.path.basename(trace)[: -len(".mime4j.xml")]
        raw = open(trace, "rb").read().decode("latin-1")
        raw = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", raw)
        root = ET.fromstring(raw)
        found = ("-", "-")
        parts = list(leaves(root, "1", "text/plain"))
        for wanted in ("text/plain", "text/html"):
            hit = [(p, t) for p, t, att in parts if t == wanted and not att]
            if hit:
                found = hit[0]
                break
        print(f"{name}\t{found[0]}\t{found[1]}")


if __name__ == "__main__":
    main(sys.argv[1])
