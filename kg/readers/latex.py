"""LaTeX in titles and abstracts (arXiv, BibTeX) folded to readable Unicode text.

`\\'e` -> é, `$\\alpha$` -> α, `\\emph{BERT}` -> BERT, `{SQuAD}` -> SQuAD, `\\%` -> %, `--` -> –,
`\\cite{x}` dropped. One regex pass with bounded repeats: linear in the length of the text.
The folded text is what is stored, so extraction offsets are exact in it.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "b": "\u0331", "d": "\u0323",
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "th": "þ", "ng": "ŋ",
}
_GREEK = dict(zip(("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
                   "sigma tau upsilon phi chi psi omega").split(), "αβγδϵζηθικλμνξοπρστυϕχψω", strict=True))
_SYMBOLS = {
    **_GREEK,
    **{name.capitalize(): letter.upper() for name, letter in _GREEK.items() if name not in ("epsilon", "phi")},
    "Phi": "Φ", "epsilon": "ε", "phi": "φ",
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς", "varpi": "ϖ",
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷", "leq": "≤", "le": "≤", "geq": "≥",
    "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡",
    "propto": "∝", "ll": "≪", "gg": "≫", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "mapsto": "↦", "infty": "∞",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃",
    "emptyset": "∅", "ell": "ℓ", "circ": "∘", "star": "⋆", "ast": "∗", "dagger": "†", "prime": "′",
    "ldots": "…", "dots": "…", "cdots": "⋯", "textasciitilde": "~", "textbackslash": "\\",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘", "S": "§",
    "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™", "pounds": "£",
    "euro": "€", "degree": "°", "quad": " ", "qquad": " ", "LaTeX": "LaTeX", "TeX": "TeX",
    "log": "log", "exp": "exp", "max": "max", "min": "min", "arg": "arg", "sin": "sin", "cos": "cos",
}
# Commands whose braced argument stays as plain text, or that only switch fonts and sizes.
_DROP_NAME = set(
    "emph textbf textit texttt textsc textrm textsf textsl textup textnormal text mathrm mathbf mathit "
    "mathcal mathbb mathsf mathtt mathfrak mathscr operatorname boldsymbol bm underline overline "
    "mbox hbox fbox url nolinkurl em bf it tt sc rm sf sl up normalfont small footnotesize "
    "scriptsize tiny large Large LARGE huge Huge normalsize left right big Big bigg Bigg displaystyle "
    "textstyle limits nolimits noindent newline linebreak par hfill vspace hspace ensuremath "
    "mathring hat widehat tilde widetilde bar vec dot ddot check breve acute grave".split()
)

_TOKEN = re.compile(
    r"""(?P<accent>\\(?P<a1>['"`^~=.])[ ]{0,3}(?:\{[ ]{0,3}(?P<l1>\\?[A-Za-z])[ ]{0,3}\}|(?P<l2>\\?[A-Za-z])))"""
    r"""|(?P<accent2>\\(?P<a2>[uvHckrbd])"""
    r"""(?:\{[ ]{0,3}(?P<l3>\\?[A-Za-z])[ ]{0,3}\}|[ ]{1,3}(?P<l4>[A-Za-z])(?![A-Za-z])))"""
    r"""|(?P<drop>\\(?:cite[a-zA-Z]{0,10}|ref|eqref|autoref|cref|Cref|label)\*?(?:\[[^\]]{0,200}\]){0,2}\{[^{}]{0,500}\})"""
    r"""|\\(?P<escaped>[%&$#_{}])"""
    r"""|\\(?P<space>[,;: ])|(?P<nothing>\\[!/\[\]()])|(?P<newline>\\\\)"""
    r"""|\\(?P<command>[A-Za-z]{1,40})\*?"""
    r"""|(?P<dash>-{2,3})|(?P<lquote>``)|(?P<rquote>'')|(?P<tilde>~)|(?P<group>[{}$])""",
    re.VERBOSE,
)


def _letter(raw: str) -> str:
    return {"\\i": "i", "\\j": "j"}.get(raw, raw.lstrip("\\"))


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind in ("accent", "accent2"):
        mark = _ACCENTS[match["a1"] or match["a2"]]
        letter = _letter(match["l1"] or match["l2"] or match["l3"] or match["l4"])
        return unicodedata.normalize("NFC", letter + mark)
    if kind == "escaped":
        return match["escaped"]
    if kind in ("space", "newline"):
        return " "
    if kind == "command":
        name = match["command"]
        if name in _LETTERS:
            return _LETTERS[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        return "" if name in _DROP_NAME else name
    if kind == "dash":
        return "—" if len(match["dash"]) == 3 else "–"
    if kind == "lquote":
        return "“"
    if kind == "rquote":
        return "”"
    if kind == "tilde":
        return " "
    return ""  # drop, nothing, group


_TRIGGER = re.compile(r"[\\{}$~`'-]")  # every token starts with one of these


def fold_latex(text: str) -> str:
    """Readable text from LaTeX source; text without backslashes, braces or dollars is unchanged
    except for `--`, ``` `` ```, `''` and `~`.

    The token pattern is tried only where a token can start (a C-speed scan finds those places),
    so plain prose costs almost nothing.
    """
    out: list[str] = []
    pos = 0
    for trigger in _TRIGGER.finditer(text):
        start = trigger.start()
        if start < pos:
            continue
        token = _TOKEN.match(text, start)
        if token is None:
            continue
        out.append(text[pos:start])
        if token.lastgroup == "drop":  # '\\cite{x}' goes with the space before it: 'see~\\cite{x}.' -> 'see.'
            while out and not out[-1].strip():
                out.pop()
            if out:
                out[-1] = out[-1].rstrip()
        out.append(_replace(token))
        pos = token.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)
