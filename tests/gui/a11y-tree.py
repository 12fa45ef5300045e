#!/usr/bin/python3
# a11y-tree.py: what a screen reader finds in the running app (AT-SPI, through pyatspi)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: a11y-tree.py PID SCREEN [--tables]
# Walks every shown window of the application of PID and prints each focusable, visible
# control without a usable name: none, a GTK type name ("GtkButton"), digits alone, or a
# name that ends by saying its beginning again. With --tables, the screen shows tables (a
# report's), each of which must read as one: named, its column titles named, and each row
# named by its cells, each with its column's title (GTK 4.8 gives a screen reader no
# AT-SPI Table interface to ask a cell's column of).
# Exits 0 when there is none, 1 when there are, 2 when the AT-SPI bus or the application
# cannot be reached.

import re
import sys

try:
    import pyatspi
except ImportError as e:
    print(f"pyatspi is missing (package python3-pyatspi): {e}")
    sys.exit(2)

pid = int(sys.argv[1])
screen = sys.argv[2]

try:
    desktop = pyatspi.Registry.getDesktop(0)
    apps = [desktop.getChildAtIndex(i) for i in range(desktop.childCount)]
except Exception as e:
    print(f"The AT-SPI bus cannot be reached: {e}")
    sys.exit(2)

app = None
for a in apps:
    try:
        if a is not None and a.get_process_id() == pid:
            app = a
    except Exception:
        pass
if app is None:
    print(f"The application (pid {pid}) is not on the AT-SPI bus; found {len(apps)} others")
    sys.exit(2)

unusable = re.compile(r"^(\s*|Gtk[A-Za-z]+|Adw[A-Za-z]+|[0-9\s.,]+)$")
# GTK 4.8 says a row's title after the label the program gave it: "Note added, today Note
# added".
said_twice = re.compile(r"^(.{4,}?)\b.* \1$")
bad = []
seen = 0
# What a person operates; containers that take the focus to pass it on (scrolled windows,
# lists) are named by what they hold.
CONTROLS = {"push button", "toggle button", "check box", "radio button", "combo box",
            "text", "entry", "password text", "spin button", "slider", "switch",
            "list item", "table row", "menu item", "link"}


def walk(node, path, depth=0, closed_popup=False):
    global seen
    if node is None or depth > 60:
        return
    try:
        states = node.getState()
    except Exception:
        return
    # GTK 4.8 says "showing" of windows only: below them "visible" (neither hidden nor
    # on a stack page not shown) is what a screen reader goes by.
    if not (states.contains(pyatspi.STATE_SHOWING) or states.contains(pyatspi.STATE_VISIBLE)):
        return
    role = node.getRoleName()
    # The list of a drop-down's popup, which GTK 4.8 keeps in the tree while it is closed,
    # is reached only when it opens; a screen reader reads its items by their text.
    if role == "combo box" and not states.contains(pyatspi.STATE_EXPANDED):
        closed_popup = True
    if closed_popup and role == "list":
        return
    if (role in CONTROLS and states.contains(pyatspi.STATE_FOCUSABLE) and
            states.contains(pyatspi.STATE_SENSITIVE)):
        seen += 1
        name = node.name or ""
        if unusable.match(name):
            bad.append(f"{path}/{role} named {name!r}")
        elif said_twice.match(name):
            bad.append(f"{path}/{role} named twice over: {name!r}")
    if role in ("table", "tree table"):
        tables.append((node, path))
    for i in range(node.childCount):
        named = f"[{node.name}]" if node.name else ""
        walk(node.getChildAtIndex(i), f"{path}/{role}{named}", depth + 1, closed_popup)


def children(node):
    return [node.getChildAtIndex(i) for i in range(node.childCount)]


def check_table(table, path):
    """A table a screen reader can read: named; a row of column titles, each named; each
    row named by its label and its cells, a column title with each value."""
    where = f"{path}/{table.getRoleName()}[{table.name}]"
    if unusable.match(table.name or ""):
        bad.append(f"{where}: a table without a name")
    kids = children(table)
    titles = [k for k in kids if k.getRoleName() == "table row"]
    if not titles:
        bad.append(f"{where}: no row of column titles")
        return
    names = [t.name or "" for t in children(titles[0])]
    if len(names) < 2 or any(unusable.match(n) for n in names[1:]):
        bad.append(f"{where}: column titles without names: {names!r}")
    rows = [r for k in kids if k.getRoleName() == "list" for r in children(k)
            if r.getRoleName() == "table row"]
    if not rows:
        bad.append(f"{where}: no rows")
    for r in rows:
        name = r.name or ""
        if unusable.match(name) or not any(n and n in name for n in names[1:]):
            bad.append(f"{where}: a row not named by its cells and their columns: {name!r}")
    print(f"{screen}: table {table.name!r}: columns {names!r}; {len(rows)} rows, the first "
          f"{rows[0].name if rows else None!r}")


tables = []
for i in range(app.childCount):
    walk(app.getChildAtIndex(i), "")
if "--tables" in sys.argv[3:]:
    if not tables:
        bad.append("no table")
    for table, path in tables:
        check_table(table, path)

print(f"{screen}: {seen} focusable controls")
for b in bad:
    print(f"{screen}: no usable name: {b}")
sys.exit(1 if bad or seen == 0 else 0)
