#!/usr/bin/python3
# a11y-tree.py: what a screen reader finds in the running app (AT-SPI, through pyatspi)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: a11y-tree.py PID SCREEN
# Walks every shown window of the application of PID and prints each focusable, visible
# control without a usable name: none, a GTK type name ("GtkButton"), digits alone, or a
# name that ends by saying its beginning again.
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
    for i in range(node.childCount):
        named = f"[{node.name}]" if node.name else ""
        walk(node.getChildAtIndex(i), f"{path}/{role}{named}", depth + 1, closed_popup)


for i in range(app.childCount):
    walk(app.getChildAtIndex(i), "")

print(f"{screen}: {seen} focusable controls")
for b in bad:
    print(f"{screen}: no usable name: {b}")
sys.exit(1 if bad or seen == 0 else 0)
