#!/usr/bin/env python3
"""Differential check of Anxin's CBV 2.0 event hash IDs against the reference implementation.

The reference is the PyPI package `epcis-event-hash-generator` (pip install
epcis-event-hash-generator; it runs offline). This script hashes every event of some EPCIS 2.0
documents with both the reference and Anxin, and reports each event whose hash IDs differ,
with both pre-hash strings. It exits with status 1 on any mismatch and 2 on a usage or
tool error.

Usage:
    scripts/hash-differential.py [--command CMD] FILE_OR_FOLDER...
        Checks the given documents (.json, .jsonld, .xml; folders are searched recursively).
    scripts/hash-differential.py [--command CMD] --random N [--seed S] [--keep DIR]
        Generates N random, valid EPCIS 2.0 JSON-LD events (all five types; EPCs as EPC URNs
        and as GS1 Digital Links with valid check digits; quantities with units; business
        transactions; sources and destinations; sensor reports; ILMD; nested extensions;
        random time zone offsets), writes them as documents of up to 500 events into a temporary
        folder (or DIR, kept afterwards) and checks them.
    scripts/hash-differential.py --reference-only ...
        Runs only the reference, to see which events it accepts (useful to check the
        generator, and before the Anxin command exists).
    scripts/hash-differential.py --record OUT.jsonl FILE...
        Runs only the reference and writes, for each event, one JSON line with the file name,
        the event's number, its hash ID and its pre-hash string (how the unit tests' expected
        values in crates/anxin-epcis/tests/fixtures/hash/ are made).

The Anxin side is a command, by default `cargo run -q -p anxin-cli -- epcis hash`, which is
called as `CMD FILE` and must print one hash ID per event, one per line, in document order
(a line that does not start with `ni:///` stands for an event it could not hash), and as
`CMD --pre-hash FILE` to print the pre-hash strings the same way. Give another command with
--command (it is split like a shell command line) and another pre-hash flag with
--pre-hash-flag.

Events the reference cannot hash (it drops them with an error in its log) are counted and
skipped; so are documents it cannot read at all. Documents the Anxin command fails on and
events Anxin's reader refuses (a line without a hash ID) are listed and counted, but are not
mismatches: they say something about the reader's validation, not about the hash.

Known divergences. Where the reference gives one event different IDs depending on how it is
spelled (JSON-LD or XML, EPC URN or Digital Link), Anxin follows the reading the spellings share.
So that everything else is still compared exactly, this script hands the reference a copy of the
document with that spelling rewritten, and counts each rewrite in its summary:
  - json-boolean: the reference prints a JSON `true` as `True` (Python's spelling) but an XML
    `true` as `true`. JSON booleans inside events are given to it as "true" and "false".
  - json-null: the reference prints a JSON `null` as `None`; an empty XML element is empty.
    JSON nulls inside events are given to it as "".
  - json-context-prefix: the reference expands only the prefixes a document declares itself,
    not those of the standard EPCIS context, so the JSON name `cbvmda:lotNumber` stays
    unexpanded while the XML element of that name is expanded. It is told the prefixes
    `cbvmda` and `gs1` of the standard context.
  - json-prefixed-value: in JSON only, the reference expands *values* whose prefix the document
    declares (`"ex:product"` becomes `http://ns.example.com/epcis/product`, even in a plain text
    field); XML values and Anxin keep them as written. That expansion is turned off.
  - json-vocabulary-curie: in a vocabulary field (bizStep, sensor report type, component, …)
    the reference leaves a JSON `gs1:Temperature` or `cbv:Comp-x` as written, though the
    standard context makes it an IRI, and expands the same CURIE in XML. It is given the full
    URI (`https://gs1.org/voc/Temperature`).
  - json-event-id: the reference ignores `eventID` but hashes the same identifier written
    with JSON-LD's own name for it, `id`. It is given as `eventID`.
  - json-type-annotation: the reference hashes a JSON-LD type annotation of a sensor element
    (`"type": "epcis:SensorElement"`, which GS1's examples carry) as if it were data. It is
    removed.
  - xml-rdfs-comment: the reference ignores `rdfs:comment` members in JSON (and Anxin ignores
    them everywhere) but hashes an `rdfs:comment` element in XML. It is removed.
  - xml-xsi-type: the reference counts an `xsi:type` attribute of an extension element as part
    of the value; it is an annotation (GS1's example event_with_identical_hash_id_6.xml is meant
    to hash like _1.xml), and JSON-LD has no such attribute. It is removed.
  - xml-component: the reference rewrites CBV URNs of most vocabularies to web URIs, but not
    sensor components (`urn:epcglobal:cbv:comp:x`) nor bare words (`x`), while in JSON it
    expands the bare word to `https://ref.gs1.org/cbv/Comp-x`. Standard components are given
    to it as `cbv:Comp-x`, which it expands.
  - xml-nil-quantity: the reference writes `<quantity xsi:nil="true"/>` as a leftover
    `quantityElementquantity{…XMLSchema-instance}nil=true` at the end of the string; a nil
    quantity is an absent one. The element is removed.
  - grai-12-digit-prefix: the reference's pattern for a GRAI URN whose company prefix has 12
    digits (and so an empty asset type, `urn:epc:id:grai:123456789012..7`) wants three dots,
    so it keeps such a URN as written while it converts the same GRAI written as a Digital
    Link. Such URNs are given to it as Digital Links. (Its id patterns for GRAI, GDTI and SGCN
    with 12-digit prefixes have the same defect and are not rewritten.)
Divergences no rewrite hides, so the generator avoids them and a mismatch in a real document
may come from them:
  - in JSON the reference replaces *any* string value equal to the last part of a CBV web URI
    used anywhere in the same document (an extension value "x" becomes
    `https://ref.gs1.org/cbv/Comp-x` when some sensor report has component "x");
  - in XML it expands `gs1:` and `cbv:` prefixes in every value, extensions included;
  - it treats a JSON extension whose name ends in `List` as a list of its singular;
  - it orders a JSON business transaction's `type` and id in the document's key order, and
    cannot hash a transaction without a type;
  - it drops an event with a timestamp that rounds up to the next second (`.9995`) or with an
    infinite number;
  - GS1 identifiers (Anxin uses anxin_gs1::canonical_digital_link): the reference accepts
    Digital Links with a wrong check digit, keeps `/254/0` in an SGLN link, leaves `'`, `;` and
    `=` unencoded and keeps a link's own percent-encoding (or refuses it), where anxin-gs1
    follows the Digital Link standard;
  - GS1's simple context maps sensor alert words to `https://ref.gs1.org/voc/` (a typo for
    `https://gs1.org/voc/`), so the reference leaves `ALARM_CONDITION` bare for documents that
    use it.

JSON-LD contexts: the reference has the two standard EPCIS contexts built in and fetches any
other from the network. Give local copies with --context URL=FILE, e.g. for GS1's examples
that use https://gs1.github.io/EPCIS/epcis-context-simple.jsonld.
"""

import argparse
import datetime
import hashlib
import json
import logging
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile

try:
    from epcis_event_hash_generator import events_from_file_reader, hash_generator, json_to_py
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("the reference is not installed: pip install epcis-event-hash-generator")

DEFAULT_COMMAND = "cargo run -q -p anxin-cli -- epcis hash"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Prefixes of the standard EPCIS context that the reference does not know (see json-context-prefix).
STANDARD_PREFIXES = {"cbvmda": "urn:epcglobal:cbv:mda:", "gs1": "https://gs1.org/voc/"}
COMPONENTS = [
    "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
    "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude",
]


# JSON fields whose values are CBV or GS1 vocabulary terms, as (parent key, key), and the CURIE
# prefixes the standard context defines for them (see json-vocabulary-curie).
VOCABULARY_FIELDS = {
    ("eventList", "bizStep"), ("eventList", "disposition"), ("event", "bizStep"), ("event", "disposition"),
    ("persistentDisposition", "set"), ("persistentDisposition", "unset"), ("bizTransactionList", "type"),
    ("sourceList", "type"), ("destinationList", "type"), ("sensorReport", "type"), ("sensorReport", "exception"),
    ("sensorReport", "component"),
}
VOCABULARY_CURIES = {"cbv:": "https://ref.gs1.org/cbv/", "gs1:": "https://gs1.org/voc/"}


# How often each rewrite of the top of this file was needed, per run of check().
REWRITES = {}


def _count(counts, key, n=1):
    counts[key] = counts.get(key, 0) + n


# ---------------------------------------------------------------------------------------------
# The reference, fed one event at a time so that an event it rejects does not shift the others.
# ---------------------------------------------------------------------------------------------

def _grai_link(match):
    """The Digital Link of a GRAI URN whose company prefix has 12 digits (grai-12-digit-prefix)."""
    body = "0" + match.group(1)
    return "https://id.gs1.org/8003/%s%s%s" % (body, check_digit(body), match.group(2))


GRAI_12 = re.compile(r"^urn:epc:id:grai:(\d{12})\.\.(.+)$")


def _rewrite_json(value, counts, key=None, parent_key=None):
    """Rewrites the JSON spellings the reference reads differently from XML (see the top)."""
    if isinstance(value, bool):
        _count(counts, "json-boolean")
        return "true" if value else "false"
    if value is None:
        _count(counts, "json-null")
        return ""
    if isinstance(value, list):
        return [_rewrite_json(item, counts, key, parent_key) for item in value]
    if isinstance(value, dict):
        value = dict(value)
        if key in ("eventList", "event") and "id" in value:
            _count(counts, "json-event-id")
            value.setdefault("eventID", value.pop("id"))
        if key == "sensorElementList" and "type" in value:
            _count(counts, "json-type-annotation")
            del value["type"]
        return {item_key: _rewrite_json(item, counts, item_key, key) for item_key, item in value.items()}
    if isinstance(value, str):
        if (parent_key, key) in VOCABULARY_FIELDS and value.startswith(tuple(VOCABULARY_CURIES)):
            _count(counts, "json-vocabulary-curie")
            prefix, rest = value.split(":", 1)
            return VOCABULARY_CURIES[prefix + ":"] + rest
        if GRAI_12.match(value):
            _count(counts, "grai-12-digit-prefix")
            return GRAI_12.sub(_grai_link, value)
    return value


def _reference_copy_json(path, folder, counts):
    with open(path, encoding="utf-8") as file:
        text = file.read()
    document = json.loads(text)
    body = document.get("epcisBody", {})
    for key in ("eventList", "event"):
        if key in body:
            body[key] = _rewrite_json(body[key], counts, key)
    if any(re.search(r'"%s:' % prefix, text) for prefix in STANDARD_PREFIXES):
        _count(counts, "json-context-prefix")
    copy_path = os.path.join(folder, "reference.jsonld")
    with open(copy_path, "w", encoding="utf-8") as file:
        json.dump(document, file)
    return copy_path


def _rewrite_component(match, counts):
    value = match.group(2)
    word = value
    for prefix in ("urn:epcglobal:cbv:comp:", "https://ref.gs1.org/cbv/Comp-"):
        if value.startswith(prefix):
            word = value[len(prefix):]
    if word not in COMPONENTS:
        return match.group(0)
    _count(counts, "xml-component")
    return '%s"cbv:Comp-%s"' % (match.group(1), word)


def _reference_copy_xml(path, folder, counts):
    with open(path, encoding="utf-8") as file:
        text = file.read()
    text, n_xsi = re.subn(r'\s+xsi:type\s*=\s*"[^"]*"', "", text)
    if n_xsi:
        _count(counts, "xml-xsi-type", n_xsi)
    text = re.sub(r'(\bcomponent\s*=\s*)"([^"]*)"', lambda match: _rewrite_component(match, counts), text)
    text, n_comment = re.subn(r"<rdfs:comment\b[^>]*?(/>|>.*?</rdfs:comment>)", "", text, flags=re.S)
    if n_comment:
        _count(counts, "xml-rdfs-comment", n_comment)
    text, n_nil = re.subn(r'<quantity\s+xsi:nil\s*=\s*"true"\s*/>', "", text)
    if n_nil:
        _count(counts, "xml-nil-quantity", n_nil)
    text, n_grai = re.subn(r">\s*(urn:epc:id:grai:\d{12}\.\..+?)\s*<",
                           lambda match: ">%s<" % GRAI_12.sub(_grai_link, match.group(1)), text)
    if n_grai:
        _count(counts, "grai-12-digit-prefix", n_grai)
    copy_path = os.path.join(folder, "reference.xml")
    with open(copy_path, "w", encoding="utf-8") as file:
        file.write(text)
    return copy_path


def _install_reference_patches(contexts, counts):
    """Turns off the reference's expansion of prefixed JSON values (json-prefixed-value) and
    lets it load JSON-LD contexts from local files."""
    expand = json_to_py._namespace_replace

    def expand_names_only(text, is_value=False):
        if is_value:
            if isinstance(text, str) and expand(text, True) != text:
                _count(counts, "json-prefixed-value")
            return text
        return expand(text)

    json_to_py._namespace_replace = expand_names_only
    if contexts:
        from pyld import jsonld
        fallback = jsonld.get_document_loader()

        def loader(url, options=None):
            if url in contexts:
                with open(contexts[url], encoding="utf-8") as file:
                    return {"contentType": "application/ld+json", "contextUrl": None,
                            "documentUrl": url, "document": json.load(file)}
            return fallback(url, options or {})

        jsonld.set_document_loader(loader)


def reference_hashes(path, counts):
    """Returns a list with one (hash ID, pre-hash) per event, (None, None) for events the
    reference cannot hash; or None when it cannot read the document at all."""
    with tempfile.TemporaryDirectory() as folder:
        if path.lower().endswith(".xml"):
            reference_path = _reference_copy_xml(path, folder, counts)
        else:
            reference_path = _reference_copy_json(path, folder, counts)
        # The reference keeps declared prefixes in a module-level table; start each document
        # afresh, with the standard context's prefixes known.
        json_to_py._namespaces.clear()
        json_to_py._namespaces.update({prefix: "{%s}" % iri for prefix, iri in STANDARD_PREFIXES.items()})
        try:
            events = events_from_file_reader.event_list_from_file(reference_path)
        except Exception:  # noqa: BLE001 - the reference raises anything on bad input
            return None
    if not events or not events[2]:
        return None
    results = []
    for event in events[2]:
        try:
            prehashes = hash_generator.derive_prehashes_from_events(("EventList", "", [event]), "")
        except Exception:  # noqa: BLE001
            prehashes = []
        if not prehashes:
            results.append((None, None))
            continue
        digest = hashlib.sha256(prehashes[0].encode("utf-8")).hexdigest()
        results.append(("ni:///sha-256;%s?ver=CBV2.0" % digest, prehashes[0]))
    return results


# ---------------------------------------------------------------------------------------------
# Anxin.
# ---------------------------------------------------------------------------------------------

def anxin_lines(command, path, extra=()):
    """The lines the Anxin command prints for `path`, or None (after saying why) when it fails."""
    argv = shlex.split(command) + list(extra) + [path]
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as error:
        raise RuntimeError("cannot run %s: %s" % (argv[0], error)) from error
    if completed.returncode != 0:
        print("unreadable by Anxin  %s: %s" % (path, completed.stderr.strip()[-500:]))
        return None
    return completed.stdout.splitlines()


# ---------------------------------------------------------------------------------------------
# The comparison.
# ---------------------------------------------------------------------------------------------

def documents(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, _, files in sorted(os.walk(path)):
                for name in sorted(files):
                    if name.lower().endswith((".json", ".jsonld", ".xml")):
                        yield os.path.join(root, name)
        else:
            yield path


def check(paths, args):
    summary = {"documents": 0, "unreadable by reference": 0, "unreadable by Anxin": 0, "events": 0, "agree": 0,
               "rejected by reference": 0, "rejected by Anxin": 0, "mismatches": 0}
    rewrites = REWRITES
    rewrites.clear()
    records = []
    for path in documents(paths):
        summary["documents"] += 1
        reference = reference_hashes(path, rewrites)
        if reference is None:
            summary["unreadable by reference"] += 1
            print("skip  %s: the reference cannot read it" % path)
            continue
        summary["events"] += len(reference)
        summary["rejected by reference"] += sum(1 for hash_id, _ in reference if hash_id is None)
        if args.reference_only or args.record:
            for index, (hash_id, prehash) in enumerate(reference):
                if hash_id is None:
                    print("rejected  %s event %d" % (path, index + 1))
                elif args.record:
                    records.append({"file": os.path.basename(path), "event": index + 1,
                                    "hash_id": hash_id, "pre_hash": prehash})
            continue
        ours = anxin_lines(args.command, path)
        if ours is None:
            summary["unreadable by Anxin"] += 1
            continue
        ours_pre = None
        if len(ours) != len(reference):
            print("MISMATCH %s: the reference sees %d events, Anxin printed %d lines" % (path, len(reference), len(ours)))
            summary["mismatches"] += 1
            continue
        for index, ((ref_id, ref_pre), our_id) in enumerate(zip(reference, ours)):
            if ref_id is None:
                continue
            if our_id.strip() == ref_id:
                summary["agree"] += 1
                continue
            if not our_id.startswith("ni:///"):
                summary["rejected by Anxin"] += 1
                print("rejected by Anxin  %s event %d: %s" % (path, index + 1, our_id.strip()))
                continue
            summary["mismatches"] += 1
            if ours_pre is None:
                ours_pre = anxin_lines(args.command, path, [args.pre_hash_flag]) or []
            our_pre = ours_pre[index] if index < len(ours_pre) else "(none)"
            print("MISMATCH %s event %d" % (path, index + 1))
            print("  reference %s\n  anxin     %s" % (ref_id, our_id.strip()))
            print("  reference pre-hash: %s" % ref_pre)
            print("  anxin pre-hash:     %s" % our_pre)
            at = next((i for i, (a, b) in enumerate(zip(ref_pre, our_pre)) if a != b), min(len(ref_pre), len(our_pre)))
            print("  first difference at character %d: reference …%s… anxin …%s…" % (
                at, ref_pre[max(0, at - 40):at + 60], our_pre[max(0, at - 40):at + 60]))
    if args.record:
        with open(args.record, "w", encoding="utf-8") as file:
            for record in records:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
    for key, value in summary.items():
        print("%-24s %d" % (key, value))
    if summary["documents"] and summary["unreadable by Anxin"] == summary["documents"] - summary["unreadable by reference"]:
        raise RuntimeError("Anxin could read none of the documents; is the command right?")
    for key, value in sorted(rewrites.items()):
        print("rewritten for reference: %-20s %d" % (key, value))
    return summary["mismatches"]


# ---------------------------------------------------------------------------------------------
# Random events.
# ---------------------------------------------------------------------------------------------

BIZ_STEPS = ["accepting", "arriving", "commissioning", "decommissioning", "departing", "destroying",
             "inspecting", "loading", "packing", "receiving", "repackaging", "sampling", "shipping",
             "storing", "transporting", "unloading", "unpacking", "sensor_reporting", "creating_class_instance"]
DISPOSITIONS = ["active", "in_progress", "in_transit", "conformant", "non_conformant", "recalled",
                "sellable_accessible", "sellable_not_accessible", "expired", "destroyed", "container_closed",
                "completeness_verified", "damaged", "returned", "unknown"]
BTT = ["po", "desadv", "inv", "bol", "prodorder", "recadv", "cert", "testprd", "testres"]
SDT = ["owning_party", "possessing_party", "location"]
MEASUREMENTS = ["Temperature", "RelativeHumidity", "Mass", "Pressure", "Illuminance", "Count", "Length",
                "MassConcentration", "Dimensionless", "Speed"]
UOMS = ["KGM", "GRM", "LTR", "MLT", "EA", "CT", "MTR", "TNE", "H87"]
SENSOR_UOMS = ["CEL", "FAH", "KEL", "P1", "KGM", "A97", "LUX", "MTR", "KMH"]
EXTENSION_NAMESPACES = [
    ("anxin", "https://ns.anxin.example/epcis/"),   # ends in "/": placed inside its element
    ("gb", "https://ns.anxin.example/gb/"),
    ("lab", "urn:anxin:lab"),                        # no "/": left for the end of the string
]
EXTENSION_NAMES = ["labReportId", "formulaRegistration", "licenceNumber", "rawMilkProtein", "batchNote",
                   "operatorName", "sourceFarm", "transactionRef", "coldChain", "inspection", "scores",
                   "bestBefore", "readings", "milkSource"]
EXTENSION_WORDS = ["合格", "批次A", "Zhang San", "ok-7", "lot 2024/05", "QA passed", "奶源牧场", "v1.2",
                   "0123", "23.0", "1e5", "-0", "12.50", "  padded  ", ""]
SERIAL_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"
HOSTS = ["https://id.gs1.org", "https://qr.anxin.example", "https://example.com/dl", "http://id.gs1.org"]


def check_digit(body):
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


class Generator:
    """Random but valid EPCIS 2.0 JSON-LD events; deterministic for a seed."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def digits(self, n):
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def serial(self, n_max=20):
        return "".join(self.rng.choice(SERIAL_CHARS) for _ in range(self.rng.randint(1, n_max)))

    def company_prefix(self):
        length = self.rng.choice([6, 7, 7, 8, 9, 9, 10, 11, 12])
        return self.rng.choice(["69", "69", "40", "06", "95"]) + self.digits(length - 2)

    def host(self):
        return self.rng.choice(HOSTS)

    def query(self):
        return self.rng.choice(["", "", "", "?17=261231", "?linkType=gs1:pip"])

    def gtin_parts(self):
        prefix = self.company_prefix()
        indicator = self.rng.choice("0000123")
        item = self.digits(12 - len(prefix))
        body = indicator + prefix + item
        return prefix, indicator + item, body + check_digit(body)

    def sgtin(self):
        prefix, item, gtin = self.gtin_parts()
        serial = self.serial()
        if self.rng.random() < 0.5:
            return "urn:epc:id:sgtin:%s.%s.%s" % (prefix, item, serial)
        written_gtin = gtin[1:] if gtin.startswith("0") and self.rng.random() < 0.2 else gtin
        lot = "/10/" + self.serial(10) if self.rng.random() < 0.1 else ""
        return "%s/01/%s%s/21/%s%s" % (self.host(), written_gtin, lot, serial, self.query())

    def product_class(self):
        prefix, item, gtin = self.gtin_parts()
        choice = self.rng.random()
        if choice < 0.35:
            return "urn:epc:class:lgtin:%s.%s.%s" % (prefix, item, self.serial(12))
        if choice < 0.5:
            return "urn:epc:idpat:sgtin:%s.%s.*" % (prefix, item)
        if choice < 0.85:
            return "%s/01/%s/10/%s%s" % (self.host(), gtin, self.serial(12), self.query())
        return "%s/01/%s" % (self.host(), gtin)

    def sscc(self):
        prefix = self.company_prefix()
        extension = self.rng.choice("0123456789")
        serial_ref = self.digits(16 - len(prefix))
        body = extension + prefix + serial_ref
        if self.rng.random() < 0.5:
            return "urn:epc:id:sscc:%s.%s%s" % (prefix, extension, serial_ref)
        return "%s/00/%s%s" % (self.host(), body + check_digit(body), self.query())

    def sgln(self):
        prefix = self.company_prefix()
        location_ref = self.digits(12 - len(prefix))
        gln = prefix + location_ref + check_digit(prefix + location_ref)
        extension = self.rng.choice(["0", "0", "1", "12", "A7", self.serial(6)])
        if self.rng.random() < 0.5:
            return "urn:epc:id:sgln:%s.%s.%s" % (prefix, location_ref, extension)
        tail = "" if extension == "0" else "/254/" + extension
        return "%s/414/%s%s" % (self.host(), gln, tail)

    def pgln(self):
        prefix = self.company_prefix()
        party_ref = self.digits(12 - len(prefix))
        if self.rng.random() < 0.5:
            return "urn:epc:id:pgln:%s.%s" % (prefix, party_ref)
        return "%s/417/%s" % (self.host(), prefix + party_ref + check_digit(prefix + party_ref))

    def giai(self):
        prefix = self.company_prefix()
        asset = self.serial(min(18, 30 - len(prefix)))
        if self.rng.random() < 0.5:
            return "urn:epc:id:giai:%s.%s" % (prefix, asset)
        return "%s/8004/%s%s" % (self.host(), prefix, asset)

    def grai(self):
        prefix = self.company_prefix()
        asset_type = self.digits(12 - len(prefix))
        serial = self.serial(16)
        if self.rng.random() < 0.5:
            return "urn:epc:id:grai:%s.%s.%s" % (prefix, asset_type, serial)
        body = "0" + prefix + asset_type
        return "%s/8003/%s%s" % (self.host(), body + check_digit(body), serial)

    def gdti(self):
        prefix = self.company_prefix()
        document_type = self.digits(12 - len(prefix))
        serial = self.digits(self.rng.randint(1, 12))
        if self.rng.random() < 0.5:
            return "urn:epc:id:gdti:%s.%s.%s" % (prefix, document_type, serial)
        body = prefix + document_type
        return "%s/253/%s%s" % (self.host(), body + check_digit(body), serial)

    def instance(self):
        return self.rng.choice([self.sgtin, self.sgtin, self.sgtin, self.sscc, self.grai, self.giai])()

    def offset(self):
        minutes = self.rng.choice([0, 0, 0, 30, 45])
        hours = self.rng.randint(-12, 14 if minutes == 0 else 13)
        sign = "-" if hours < 0 else "+"
        return "%s%02d:%02d" % (sign, abs(hours), minutes)

    def timestamp(self, offset=None):
        seconds = self.rng.randint(1420070400, 1893456000)  # 2015 to 2030
        offset = offset or self.offset()
        sign = -1 if offset[0] == "-" else 1
        local = seconds + sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
        civil = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=local)
        digits = self.rng.choice([0, 0, 3, 3, 3, 1, 2, 4, 6, 9])
        fraction = ("." + self.digits(digits)) if digits else ""
        zone = "Z" if offset in ("+00:00", "-00:00") and self.rng.random() < 0.5 else offset
        return civil.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone

    def number(self):
        return self.rng.choice([
            self.rng.randint(0, 5000),
            round(self.rng.uniform(0, 1000), self.rng.randint(0, 4)),
            float(self.rng.randint(1, 300)),
            self.rng.choice([1e-7, 2.5e-5, 0.0001, 1e20, 12.50, 0.1, 1234567.891]),
        ])

    def quantity_element(self):
        element = {"epcClass": self.product_class()}
        if self.rng.random() < 0.85:
            element["quantity"] = self.number()
            if self.rng.random() < 0.7:
                element["uom"] = self.rng.choice(UOMS)
        return element

    def term(self, words, custom):
        if self.rng.random() < 0.1:
            return "https://ns.anxin.example/%s/%s" % (custom, self.serial(6).lower())
        return self.rng.choice(words)

    def extension_value(self, depth, prefixes):
        choice = self.rng.random()
        if depth < 3 and choice < 0.12:
            return {self.extension_name(prefixes): self.extension_value(depth + 1, prefixes)
                    for _ in range(self.rng.randint(0, 3))}
        if depth < 3 and choice < 0.22:
            return [self.extension_value(depth + 1, prefixes) for _ in range(self.rng.randint(0, 3))]
        if choice < 0.30:
            return self.number()
        if choice < 0.34:
            return self.rng.random() < 0.5
        if choice < 0.36:
            return None
        if choice < 0.45:
            return self.rng.choice([self.sgtin, self.sgln, self.product_class])()
        if choice < 0.50:
            return self.timestamp()
        return self.rng.choice(EXTENSION_WORDS)

    def extension_name(self, prefixes):
        return "%s:%s" % (self.rng.choice(prefixes), self.rng.choice(EXTENSION_NAMES))

    def extensions(self, target, n_max, prefixes=("anxin", "anxin", "gb", "lab")):
        for _ in range(self.rng.randint(0, n_max)):
            target[self.extension_name(prefixes)] = self.extension_value(0, prefixes)

    def location(self):
        location = {"id": self.sgln()}
        if self.rng.random() < 0.2:
            self.extensions(location, 2)
        return location

    def sensor_element(self):
        element = {}
        if self.rng.random() < 0.8:
            metadata = {}
            for key in ("time", "startTime", "endTime"):
                if self.rng.random() < 0.5:
                    metadata[key] = self.timestamp()
            if self.rng.random() < 0.6:
                metadata["deviceID"] = self.giai()
            for key in ("deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"):
                if self.rng.random() < 0.25:
                    metadata[key] = "https://data.anxin.example/%s/%s" % (key.lower(), self.serial(8))
            if self.rng.random() < 0.2:
                self.extensions(metadata, 2)
            element["sensorMetadata"] = metadata
        reports = []
        for _ in range(self.rng.randint(1, 3)):
            report = {"type": self.rng.choice(MEASUREMENTS)}
            if self.rng.random() < 0.1:
                report["exception"] = self.rng.choice(["ALARM_CONDITION", "ERROR_CONDITION"])
            if self.rng.random() < 0.3:
                report["deviceID"] = self.giai()
            if self.rng.random() < 0.3:
                report["time"] = self.timestamp()
            if self.rng.random() < 0.8:
                report["value"] = self.number()
            for key in ("minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"):
                if self.rng.random() < 0.15:
                    report[key] = self.number()
            if self.rng.random() < 0.1:
                report["component"] = self.rng.choice(COMPONENTS)
            if self.rng.random() < 0.1:
                report["stringValue"] = self.rng.choice(EXTENSION_WORDS[:8])
            if self.rng.random() < 0.1:
                report["booleanValue"] = self.rng.random() < 0.5
            if self.rng.random() < 0.1:
                report["hexBinaryValue"] = "".join(self.rng.choice("0123456789abcdef") for _ in range(8))
            if self.rng.random() < 0.05:
                report["uriValue"] = self.rng.choice([self.sgtin(), "https://data.anxin.example/u/1"])
            if self.rng.random() < 0.05:
                report["microorganism"] = "https://www.ncbi.nlm.nih.gov/taxonomy/%d" % self.rng.randint(1, 99999)
            if self.rng.random() < 0.05:
                report["chemicalSubstance"] = "https://identifiers.org/inchikey:%s" % self.serial(14).upper()
            if self.rng.random() < 0.6:
                report["uom"] = self.rng.choice(SENSOR_UOMS)
            if self.rng.random() < 0.15:
                self.extensions(report, 2)
            reports.append(report)
        element["sensorReport"] = reports
        if self.rng.random() < 0.15:
            self.extensions(element, 2)
        return element

    def event(self):
        kind = self.rng.choice(["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
                                "AssociationEvent"])
        offset = self.offset()
        event = {"type": kind, "eventTime": self.timestamp(offset), "eventTimeZoneOffset": offset}
        if self.rng.random() < 0.2:
            event["eventID"] = "urn:uuid:%08x-0000-4000-8000-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(48))
        if self.rng.random() < 0.2:
            event["recordTime"] = self.timestamp()
        if self.rng.random() < 0.1:
            event["certificationInfo"] = (["https://cert.anxin.example/c/%d" % self.rng.randint(1, 99)
                                           for _ in range(self.rng.randint(1, 3))]
                                          if self.rng.random() < 0.5 else "https://cert.anxin.example/c/1")
        if self.rng.random() < 0.05:
            event["errorDeclaration"] = {"declarationTime": self.timestamp(), "reason": "incorrect_data",
                                         "correctiveEventIDs": ["urn:uuid:00000000-0000-4000-8000-000000000001"]}
        action = self.rng.choice(["ADD", "OBSERVE", "DELETE"])
        epcs = lambda: [self.instance() for _ in range(self.rng.randint(0, 4))]  # noqa: E731
        quantities = lambda: [self.quantity_element() for _ in range(self.rng.randint(0, 3))]  # noqa: E731
        if kind == "ObjectEvent":
            event["epcList"] = epcs() or [self.sgtin()]
            if self.rng.random() < 0.4:
                event["quantityList"] = quantities()
            event["action"] = action
        elif kind == "AggregationEvent":
            event["parentID"] = self.sscc()
            event["childEPCs"] = epcs()
            if self.rng.random() < 0.4:
                event["childQuantityList"] = quantities()
            event["action"] = action
        elif kind == "TransactionEvent":
            if self.rng.random() < 0.4:
                event["parentID"] = self.sscc()
            event["epcList"] = epcs()
            if self.rng.random() < 0.4:
                event["quantityList"] = quantities()
            event["action"] = action
        elif kind == "TransformationEvent":
            event["inputEPCList"] = epcs()
            event["inputQuantityList"] = quantities()
            event["outputEPCList"] = epcs()
            event["outputQuantityList"] = quantities()
            if self.rng.random() < 0.5:
                event["transformationID"] = "urn:anxin:transformation:%s" % self.serial(10)
        else:
            event["parentID"] = self.rng.choice([self.grai, self.giai])()
            event["childEPCs"] = [self.giai() for _ in range(self.rng.randint(0, 3))]
            if self.rng.random() < 0.3:
                event["childQuantityList"] = quantities()
            event["action"] = action
        for key in [key for key, value in event.items() if value == []]:
            del event[key]
        if self.rng.random() < 0.8:
            event["bizStep"] = self.term(BIZ_STEPS, "bizstep")
        if self.rng.random() < 0.7:
            event["disposition"] = self.term(DISPOSITIONS, "disp")
        if self.rng.random() < 0.1:
            event["persistentDisposition"] = {key: [self.rng.choice(DISPOSITIONS) for _ in range(self.rng.randint(1, 2))]
                                              for key in ("set", "unset") if self.rng.random() < 0.7}
        if self.rng.random() < 0.8:
            event["readPoint"] = self.location()
        if self.rng.random() < 0.7:
            event["bizLocation"] = self.location()
        if kind == "TransactionEvent" or self.rng.random() < 0.3:
            event["bizTransactionList"] = [
                {"type": self.term(BTT, "btt"),
                 "bizTransaction": self.rng.choice([self.gdti(), "urn:anxin:po:%s" % self.serial(8),
                                                    "https://erp.anxin.example/po/%s" % self.serial(8)])}
                for _ in range(self.rng.randint(1, 3))]
        for key, field in (("sourceList", "source"), ("destinationList", "destination")):
            if self.rng.random() < 0.3:
                entries = []
                for _ in range(self.rng.randint(1, 3)):
                    kind_of_party = self.rng.choice(SDT)
                    identifier = self.sgln() if kind_of_party == "location" else self.pgln()
                    entries.append({"type": kind_of_party, field: identifier})
                event[key] = entries
        if self.rng.random() < 0.25:
            event["sensorElementList"] = [self.sensor_element() for _ in range(self.rng.randint(1, 2))]
        if (kind == "ObjectEvent" and action == "ADD") or kind == "TransformationEvent":
            if self.rng.random() < 0.5:
                event["ilmd"] = {}
                self.extensions(event["ilmd"], 4, ("anxin", "gb", "lab", "cbvmda"))
        if self.rng.random() < 0.5:
            self.extensions(event, 4)
        return event

    def document(self, n_events):
        return {
            "@context": [EPCIS_CONTEXT] + [{prefix: iri} for prefix, iri in EXTENSION_NAMESPACES],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-01T00:00:00Z",
            "epcisBody": {"eventList": [self.event() for _ in range(n_events)]},
        }


def random_check(args):
    generator = Generator(args.seed)
    folder = args.keep or tempfile.mkdtemp(prefix="hash-differential-")
    os.makedirs(folder, exist_ok=True)
    paths = []
    remaining, index = args.random, 0
    while remaining > 0:
        n_events = min(500, remaining)
        path = os.path.join(folder, "random-%d-%03d.jsonld" % (args.seed, index))
        with open(path, "w", encoding="utf-8") as file:
            json.dump(generator.document(n_events), file, ensure_ascii=False, indent=1)
        paths.append(path)
        remaining -= n_events
        index += 1
    print("generated %d events in %s (seed %d)" % (args.random, folder, args.seed))
    try:
        return check(paths, args)
    finally:
        if not args.keep:
            for path in paths:
                os.unlink(path)
            os.rmdir(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="EPCIS documents or folders of them")
    parser.add_argument("--command", default=DEFAULT_COMMAND, help="the Anxin hash command (default: %(default)s)")
    parser.add_argument("--pre-hash-flag", default="--pre-hash", help="flag that makes the command print pre-hash strings")
    parser.add_argument("--random", type=int, metavar="N", help="check N random events")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random events (default: %(default)s)")
    parser.add_argument("--keep", metavar="DIR", help="write the random documents to DIR and keep them")
    parser.add_argument("--reference-only", action="store_true", help="run only the reference")
    parser.add_argument("--record", metavar="OUT", help="run only the reference and write its results to OUT")
    parser.add_argument("--context", action="append", default=[], metavar="URL=FILE",
                        help="let the reference load the JSON-LD context URL from FILE (it has only two built in)")
    args = parser.parse_intermixed_args()
    if not args.paths and not args.random:
        parser.error("give documents, or --random N")
    logging.disable(logging.CRITICAL)
    contexts = dict(pair.split("=", 1) for pair in args.context)
    _install_reference_patches(contexts, REWRITES)
    try:
        mismatches = check(args.paths, args) if args.paths else 0
        if args.random:
            mismatches += random_check(args)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 2
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
