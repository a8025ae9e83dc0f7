"""Atom feed (RFC 4287) of announcements and result publications, built with ElementTree.

Office text may hold characters XML 1.0 does not allow (C0 controls other than tab, line feed
and carriage return, lone surrogates, U+FFFE/U+FFFF): ElementTree would write them raw and the
feed would not be well-formed. :func:`xml_text` drops them from every text node and attribute
(the sitemap uses it too).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..model import Model
from . import labels
from . import view as v

ATOM = "http://www.w3.org/2005/Atom"
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow."""
    return _XML_ILLEGAL.sub("", text)


def _clean(root: ET.Element) -> None:
    for el in root.iter():
        if el.text:
            el.text = xml_text(el.text)
        if el.tail:
            el.tail = xml_text(el.tail)
        for key, value in el.attrib.items():
            el.attrib[key] = xml_text(value)


def build_feed(model: Model, view: v.PublicView, limit: int = 50) -> bytes:
    base = model.portal.site_url or "/"
    if not base.endswith("/"):
        base += "/"
    events = []
    for tv in view.tasks:
        if tv.announce:
            events.append((tv.announce["time"], "announce", tv))
        if tv.publish:
            events.append((tv.publish["time"], "publish", tv))
        if tv.cancel:
            events.append((tv.cancel["time"], "cancel", tv))
    events.sort(key=lambda e: (e[0], e[2].task.id, e[1]), reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-CN"})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{model.portal.office_name} 双随机抽查公示"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base
    ET.SubElement(feed, f"{{{ATOM}}}link", {"href": base})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": base + "feed.xml"})
    updated = events[0][0] if events else f"{view.as_of.isoformat()}T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = model.portal.office_name
    kinds = {"announce": "抽查任务公告", "publish": "检查结果公告", "cancel": "任务取消"}
    for time, kind, tv in events[:limit]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{kinds[kind]}：{tv.task.title}"
        url = f"{base}tasks/{tv.task.id}/" + ("#results" if kind == "publish" else "")
        ET.SubElement(entry, f"{{{ATOM}}}link", {"href": url})
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}tasks/{tv.task.id}/#{kind}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = time
        if kind == "announce":
            summary = (f"{labels.directed(tv.task)}；抽查事项：{labels.items(model, tv.task)}；"
                       f"检查时间 {tv.task.inspect_start} 至 {tv.task.inspect_end}。")
        elif kind == "publish":
            summary = (f"已公示 {len(tv.results or ())} 户检查结果；"
                       f"{labels.PUBLICATION[tv.publication.kind][0]}。")
        else:
            summary = f"原因：{tv.cancel.get('reason', '') if tv.cancel else ''}"
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    _clean(feed)
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                      xml_declaration=False) + b"\n"
