# catalog.py: read a gettext .po file into its entries (no dependency beyond Python).
import re

_ESCAPES = {'n': '\n', 't': '\t', '"': '"', '\\': '\\'}


def _unquote(text):
  text = text.strip()
  if len(text) < 2 or text[0] != '"' or text[-1] != '"':
    raise ValueError('not a quoted string: %s' % text)
  return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def entries(path):
  """The active entries of PATH (obsolete #~ ones left out), header included, as dicts with
  msgctxt (or None), msgid, msgid_plural (or None), msgstr (list of forms), comments (lines)
  and line (where the entry starts)."""
  result = []
  current = None
  field = None
  with open(path, encoding='utf-8') as f:
    lines = f.read().split('\n')
  for number, line in enumerate(lines, 1):
    if line.startswith('#~'):
      continue
    if not line.strip():
      if current is not None and current['msgid'] is not None:
        result.append(current)
      current = None
      continue
    if current is None:
      current = {'msgctxt': None, 'msgid': None, 'msgid_plural': None, 'msgstr': [],
                 'comments': [], 'line': number}
    if line.startswith('#'):
      current['comments'].append(line)
      continue
    m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
    if m:
      field = m.group(1)
      value = _unquote(m.group(3))
      if field == 'msgstr':
        current['msgstr'].append(value)
      else:
        current[field] = value
    elif line.startswith('"') and field is not None:
      if field == 'msgstr':
        current['msgstr'][-1] += _unquote(line)
      else:
        current[field] += _unquote(line)
    else:
      raise ValueError('%s:%d: cannot read this line' % (path, number))
  if current is not None and current['msgid'] is not None:
    result.append(current)
  return result


def header(path):
  """The header fields of PATH as a dict, and its comment lines."""
  for entry in entries(path):
    if entry['msgid'] == '' and entry['msgctxt'] is None:
      fields = {}
      for line in entry['msgstr'][0].split('\n'):
        if ':' in line:
          key, value = line.split(':', 1)
          fields[key.strip()] = value.strip()
      return fields, entry['comments']
  return {}, []
