#!/usr/bin/env python3
# check-review-status.py SRCDIR: every catalog of po/LINGUAS says in its header who reviewed
# it. X-Review-Status is either "machine translation, not reviewed by a native speaker"
# (then a "# Review: machine translation" comment says so to anyone opening the file) or
# "reviewed by NAME <EMAIL> on YYYY-MM-DD" (see po/GLOSSARY.md, "Review").
import os
import re
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalog  # noqa: E402

MACHINE = 'machine translation, not reviewed by a native speaker'
REVIEWED = re.compile(r'reviewed by [^<>]*\S <[^<>@\s]+@[^<>\s]+> on \d{4}-\d{2}-\d{2}$')


def main():
  src = sys.argv[1]
  with open(os.path.join(src, 'po', 'LINGUAS'), encoding='utf-8') as f:
    langs = [w for line in f if not line.startswith('#') for w in line.split()]
  if not langs:
    print('po/LINGUAS lists no language', file=sys.stderr)
    return 1
  status = 0
  for lang in langs:
    fields, comments = catalog.header(os.path.join(src, 'po', lang + '.po'))
    value = fields.get('X-Review-Status')
    if value is None:
      print('%s: the header has no X-Review-Status line' % lang, file=sys.stderr)
      status = 1
    elif value == MACHINE:
      if not any(c.startswith('# Review: machine translation') for c in comments):
        print('%s: machine translation without the "# Review: machine translation" comment'
              % lang, file=sys.stderr)
        status = 1
      else:
        print('%s: %s' % (lang, value))
    elif REVIEWED.match(value):
      if any(c.startswith('# Review: machine translation') for c in comments):
        print('%s: reviewed, but the header comment still says machine translation' % lang,
              file=sys.stderr)
        status = 1
      else:
        print('%s: %s' % (lang, value))
    else:
      print('%s: X-Review-Status "%s" is neither "%s" nor "reviewed by NAME <EMAIL> on '
            'YYYY-MM-DD"' % (lang, value, MACHINE), file=sys.stderr)
      status = 1
  return status


if __name__ == '__main__':
  sys.exit(main())
