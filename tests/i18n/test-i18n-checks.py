#!/usr/bin/env python3
# test-i18n-checks.py SRCDIR: the glossary and review-status checks pass on the catalogs as
# they are, and fail on a copy with a deliberately broken entry or header.
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def run(check, root):
  result = subprocess.run([sys.executable, os.path.join(HERE, check), root],
                          capture_output=True, text=True)
  return result.returncode, result.stderr


def expect(what, condition):
  print('%s: %s' % ('ok' if condition else 'FAILED', what))
  if not condition:
    failures.append(what)


def edit(path, pattern, replacement):
  with open(path, encoding='utf-8') as f:
    text = f.read()
  changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
  if count != 1:
    raise SystemExit('%s: no match for %s' % (path, pattern))
  with open(path, 'w', encoding='utf-8') as f:
    f.write(changed)


def copy_of(src):
  root = tempfile.mkdtemp(prefix='caseload-i18n-')
  shutil.copytree(os.path.join(src, 'po'), os.path.join(root, 'po'))
  return root


def main():
  src = sys.argv[1]
  for check in ('check-glossary.py', 'check-review-status.py'):
    status, err = run(check, src)
    expect('%s passes on the catalogs' % check, status == 0)

  # An advocate rendered as an assistant is caught, with the file and the term.
  root = copy_of(src)
  try:
    edit(os.path.join(root, 'po', 'ur.po'), r'^(msgid "Advocate"\nmsgstr )".*"$',
         r'\1"معاون"')
    status, err = run('check-glossary.py', root)
    expect('a glossary term rendered otherwise fails', status == 1)
    expect('the failure names the catalog and the term',
           'po/ur.po:' in err and '"advocate"' in err)
  finally:
    shutil.rmtree(root)

  # An Urdu sentence that starts with "Caseload" but no right-to-left mark fails.
  root = copy_of(src)
  try:
    edit(os.path.join(root, 'po', 'ur.po'), r'\u200f(Caseload اس وقت)', r'\1')
    status, err = run('check-glossary.py', root)
    expect('a right-to-left translation starting left to right fails',
           status == 1 and 'po/ur.po:' in err and 'U+200F' in err)
  finally:
    shutil.rmtree(root)

  # A police command is checked although "COMMAND" (the command line's placeholder) is an
  # exception: exceptions are matched as written.
  root = copy_of(src)
  try:
    edit(os.path.join(root, 'po', 'fr.po'), r'^(msgid "Default Command"\nmsgstr )".*"$',
         r'\1"Commandement par défaut"')
    status, err = run('check-glossary.py', root)
    expect('a police command rendered otherwise fails',
           status == 1 and 'po/fr.po:' in err and '"command"' in err)
  finally:
    shutil.rmtree(root)

  # A Mainland word in zh_TW is caught.
  root = copy_of(src)
  try:
    edit(os.path.join(root, 'po', 'zh_TW.po'), r'^(msgid "Print"\nmsgstr )".*"$', r'\1"打印"')
    status, err = run('check-glossary.py', root)
    expect('a word the glossary says is not used fails', status == 1 and '打印' in err)
  finally:
    shutil.rmtree(root)

  # A language the glossary does not cover fails.
  root = copy_of(src)
  try:
    edit(os.path.join(root, 'po', 'GLOSSARY.md'), r'^### ko .*$', '### xx (nobody)')
    status, err = run('check-glossary.py', root)
    expect('a language without renderings fails', status == 1 and 'ko:' in err)
  finally:
    shutil.rmtree(root)

  # A header without its review status, or claiming a review while still marked as
  # machine translation, fails; a signed review without that mark passes.
  root = copy_of(src)
  try:
    po = os.path.join(root, 'po', 'fr.po')
    edit(po, r'^"X-Review-Status: .*"\n', '')
    status, err = run('check-review-status.py', root)
    expect('a catalog without X-Review-Status fails', status == 1 and 'fr:' in err)
    edit(po, r'^("Plural-Forms: .*"\n(?:".*"\n)*?)(?=\n|#)',
         r'\1"X-Review-Status: reviewed by Ana Ruiz <ana@example.org> on 2027-01-15\\n"\n')
    status, err = run('check-review-status.py', root)
    expect('a review claimed under the machine-translation comment fails',
           status == 1 and 'fr:' in err)
    edit(po, r'^# Review: machine translation.*\n# A reviewer .*\n', '')
    status, err = run('check-review-status.py', root)
    expect('a signed review passes', status == 0)
    edit(po, r'reviewed by Ana Ruiz <ana@example.org> on 2027-01-15', 'reviewed')
    status, err = run('check-review-status.py', root)
    expect('a review without name, address and day fails', status == 1)
  finally:
    shutil.rmtree(root)

  return 1 if failures else 0


if __name__ == '__main__':
  sys.exit(main())
