#!/usr/bin/env python3
# check-man.py: every command and option a program's --help lists is in its manual page.
#
#   check-man.py PAGE PROGRAM [--per-command] [--settings FILE]
#
# The commands are the lines of the "Commands:" section of PROGRAM --help; each must head
# an entry (.TP) of PAGE. Every option of PROGRAM --help must be in PAGE. With
# --per-command, PROGRAM COMMAND --help is read too, and each option it lists must be in
# that command's own entry. With --settings, every [group] and key= of the example settings
# FILE must be in PAGE. Prints what is missing and exits 1; exits 0 when nothing is.
import os
import re
import subprocess
import sys

OPTION = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*)')


def roff_text(line):
    line = re.sub(r'\\f[BIRP]', '', line)
    line = line.replace('\\-', '-').replace('\\e', '\\').replace('\\(en', '-')
    line = line.replace('\\&', '')
    return re.sub(r'^\.(B|I|BR|RB|BI|IB|IR|RI)\s+', '', line).replace('"', '')


def entries(page):
    """The .TP entries of PAGE: (head, text of head and body)."""
    result = []
    lines = open(page, encoding='utf-8').read().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith('.TP') and i + 1 < len(lines):
            head = roff_text(lines[i + 1])
            body = [head]
            i += 2
            while i < len(lines) and not re.match(r'\.(TP|SS|SH)\b', lines[i]):
                body.append(roff_text(lines[i]))
                i += 1
            result.append((head, '\n'.join(body)))
        else:
            i += 1
    return result


def run_help(program, *args):
    env = dict(os.environ, LC_ALL='C', LANGUAGE='')
    out = subprocess.run([program, *args, '--help'], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f'{program} {" ".join(args)} --help failed ({out.returncode}):\n{out.stdout}')
    return out.stdout


def commands(help_text):
    """The commands of the "Commands:" section: the words before the first option or
    argument, such as "migrate" or "user add"."""
    found = []
    section = re.search(r'^Commands:\n(.*?)(?:\n\n|\Z)', help_text, re.M | re.S)
    if section is None:
        return found
    for line in section.group(1).splitlines():
        m = re.match(r'  ([a-z][^ ]*(?: [^ ]+)*?)(?:  |$)', line)
        if m is None:
            continue
        words = []
        for word in m.group(1).split(' '):
            if not re.fullmatch(r'[a-z][a-z-]*', word):
                break
            words.append(word)
        if words:
            found.append(' '.join(words))
    return found


def main():
    args = sys.argv[1:]
    per_command = '--per-command' in args
    if per_command:
        args.remove('--per-command')
    settings = None
    if '--settings' in args:
        i = args.index('--settings')
        settings = args[i + 1]
        del args[i:i + 2]
    page, program = args
    text = '\n'.join(roff_text(l) for l in open(page, encoding='utf-8').read().splitlines())
    items = entries(page)
    missing = []

    help_text = run_help(program)
    for option in sorted(set(OPTION.findall(help_text))):
        if option not in text:
            missing.append(f'option {option} (from {program} --help)')

    for command in commands(help_text):
        own = [body for head, body in items
               if head == command or head.startswith(command + ' ')]
        if not own:
            missing.append(f'an entry for the command "{command}"')
            continue
        if per_command:
            listed = re.findall(r'^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)',
                                run_help(program, command), re.M)
            for option in sorted(set(listed)):
                if option != '--help' and not any(option in body for body in own):
                    missing.append(f'option {option} in the entry of "{command}"')

    if settings is not None:
        for line in open(settings, encoding='utf-8'):
            m = re.match(r'(\[[a-z]+\])\s*$|([a-z][a-z-]*)=', line)
            if m is not None and (m.group(1) or m.group(2)) not in text:
                missing.append(f'setting {m.group(1) or m.group(2)} (from {settings})')

    for what in missing:
        print(f'{os.path.basename(page)} lacks {what}')
    if not missing:
        print(f'{os.path.basename(page)}: every command, option and setting is there')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
