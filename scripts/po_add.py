"""Add Vietnamese translations to locale/vi/LC_MESSAGES/django.po and recompile the .mo.

    python scripts/po_add.py FRAGMENT.po

FRAGMENT.po holds msgid/msgstr pairs (plain .po syntax, no header needed). Entries already in the
catalogue get the fragment's msgstr; new ones are appended. A file lock lets several people (or
helpers) run it at once. `make messages` afterwards adds the source references.
"""

import fcntl
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def main(fragment_path: str) -> None:
    fragment = polib.pofile(fragment_path)
    with open(ROOT / "locale" / ".po_add.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        catalogue = polib.pofile(str(CATALOGUE), wrapwidth=0)
        added = updated = 0
        for entry in fragment:
            if not entry.msgid:
                continue
            current = catalogue.find(entry.msgid, msgctxt=entry.msgctxt)
            if current is None:
                catalogue.append(
                    polib.POEntry(
                        msgid=entry.msgid,
                        msgid_plural=entry.msgid_plural,
                        msgstr=entry.msgstr,
                        msgstr_plural=entry.msgstr_plural,
                        msgctxt=entry.msgctxt,
                        flags=[f for f in entry.flags if f != "fuzzy"],
                    )
                )
                added += 1
            else:
                current.msgstr, current.msgstr_plural = entry.msgstr, entry.msgstr_plural
                if "fuzzy" in current.flags:
                    current.flags.remove("fuzzy")
                updated += 1
        catalogue.save(str(CATALOGUE))
        catalogue.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
    print(f"{added} added, {updated} updated")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/po_add.py FRAGMENT.po")
    main(sys.argv[1])
