#!/usr/bin/env python3
# check-glossary.py SRCDIR: every catalog renders the glossary terms of po/GLOSSARY.md as
# agreed. For each term, each msgid matching the term's English pattern (and not its
# exception, matched as written: case counts) must have translations that contain the language's rendering or one of its
# listed inflections (case-insensitive), in every plural form; no translation uses a
# word that the glossary lists under "Words not used" for its language; and no Arabic or
# Urdu translation starts left to right without a right-to-left mark.
import os
import re
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalog  # noqa: E402


# Arabic-script short vowels and shadda, written in some words and not in others.
HARAKAT = re.compile('[\u064b-\u0652\u0670]')


def fold(text):
  """TEXT compared without regard to case, mnemonic underscores or short-vowel marks."""
  return HARAKAT.sub('', text.replace('_', '')).casefold()


def cells(line):
  """The cells of a Markdown table row; "\\|" stands for a "|" inside a cell."""
  parts = re.split(r'(?<!\\)\|', line.strip())[1:-1]
  return [p.strip().replace('\\|', '|') for p in parts]


def code(cell):
  cell = cell.strip()
  if cell.startswith('`') and cell.endswith('`'):
    return cell[1:-1]
  return cell


def read_glossary(path):
  """(terms, renderings, avoided): terms maps a term to (pattern, exception or None) in the
  order of the glossary; renderings maps a language to {term: [accepted forms]}; avoided
  maps a language to [(word no translation uses, the word to use)]."""
  terms = {}
  renderings = {}
  avoided = {}
  section = None
  lang = None
  with open(path, encoding='utf-8') as f:
    for number, line in enumerate(f, 1):
      if line.startswith('## '):
        section = line[3:].strip().lower()
        lang = None
        continue
      if line.startswith('### ') and section == 'renderings':
        lang = line[4:].split()[0]
        renderings[lang] = {}
        continue
      if not line.startswith('|') or re.match(r'\|\s*-', line):
        continue
      row = cells(line)
      if row and row[0].lower() in ('term', 'language'):
        continue
      if section == 'terms':
        if len(row) != 3:
          raise SystemExit('%s:%d: a term row has 3 cells' % (path, number))
        terms[row[0]] = (re.compile(code(row[1]), re.IGNORECASE),
                         re.compile(code(row[2])) if code(row[2]) else None)
      elif section == 'words not used':
        if len(row) != 3:
          raise SystemExit('%s:%d: a "words not used" row has 3 cells' % (path, number))
        avoided.setdefault(row[0], []).append((fold(row[1]), row[2]))
      elif section == 'renderings' and lang is not None:
        if len(row) != 3:
          raise SystemExit('%s:%d: a rendering row has 3 cells' % (path, number))
        forms = [row[1]] + [w.strip() for w in row[2].split(',')]
        renderings[lang][row[0]] = [fold(w) for w in forms if w]
  return terms, renderings, avoided


# Right-to-left catalogs: a translation that starts with a left-to-right word, or with a
# %s that may be one ("Caseload …", "%s …"), starts with U+200F RIGHT-TO-LEFT MARK, or
# GTK and Pango take the paragraph for left to right and scramble it.
RTL_LANGS = ('ar', 'ur')
FIRST_STRONG = re.compile(
    r'%(?:\d+\$)?[-#0 +\']*\d*(?:\.\d+)?(?:hh|h|ll|l|L|q|j|z|t)?([a-zA-Z%])'
    r'|([A-Za-z\u00c0-\u024f])'
    r'|([\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200f\u061c\u202b\u202e\u2067])')


def starts_left_to_right(text):
  for m in FIRST_STRONG.finditer(text):
    if m.group(3):
      return False
    if m.group(2) or m.group(1) == 's':
      return True
  return False


def main():
  src = sys.argv[1]
  glossary = os.path.join(src, 'po', 'GLOSSARY.md')
  terms, renderings, avoided = read_glossary(glossary)
  if not terms:
    print('po/GLOSSARY.md lists no term', file=sys.stderr)
    return 1
  with open(os.path.join(src, 'po', 'LINGUAS'), encoding='utf-8') as f:
    langs = [w for line in f if not line.startswith('#') for w in line.split()]
  status = 0
  for lang in langs:
    table = renderings.get(lang)
    if table is None:
      print('%s: po/GLOSSARY.md has no renderings for this language' % lang, file=sys.stderr)
      status = 1
      continue
    missing = [t for t in terms if not table.get(t)]
    unknown = [t for t in table if t not in terms]
    if missing or unknown:
      print('%s: po/GLOSSARY.md lacks a rendering of %s; renders unknown terms %s'
            % (lang, missing, unknown), file=sys.stderr)
      status = 1
      continue
    po = os.path.join(src, 'po', lang + '.po')
    checked = 0
    bad = 0
    for entry in catalog.entries(po):
      if not entry['msgid']:
        continue
      if lang in RTL_LANGS and any(t and starts_left_to_right(t) for t in entry['msgstr']):
        print('po/%s.po:%d: starts left to right without U+200F (RIGHT-TO-LEFT MARK): %s'
              % (lang, entry['line'], entry['msgstr'][0][:80].replace('\n', ' ')),
              file=sys.stderr)
        bad += 1
      english = entry['msgid'] + '\n' + (entry['msgid_plural'] or '')
      for term, (pattern, exception) in terms.items():
        if not pattern.search(english) or (exception and exception.search(english)):
          continue
        checked += 1
        forms = table[term]
        for text in entry['msgstr']:
          folded = fold(text)
          if text and not any(form in folded for form in forms):
            print('po/%s.po:%d: "%s" is rendered "%s" in the glossary, not here: %s => %s'
                  % (lang, entry['line'], term, forms[0], entry['msgid'][:80].replace('\n', ' '),
                     text[:80].replace('\n', ' ')), file=sys.stderr)
            bad += 1
            break
      for word, instead in avoided.get(lang, []):
        for text in entry['msgstr']:
          if word in fold(text):
            print('po/%s.po:%d: "%s" is not used in this language (write %s): %s'
                  % (lang, entry['line'], word, instead, text[:80].replace('\n', ' ')),
                  file=sys.stderr)
            bad += 1
            break
    if bad:
      status = 1
    print('%s: %d glossary uses checked, %d not as agreed' % (lang, checked, bad))
  return status


if __name__ == '__main__':
  sys.exit(main())
