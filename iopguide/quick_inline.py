"""Python-Markdown's inline pass, without trying patterns that cannot match.

Python-Markdown tries each of its fifteen inline patterns, in order, on every piece of text, and
that was the largest single cost of converting a page. Most patterns need a character that most
text lacks: a link needs `[`, code a backtick, an entity `&`. Checking for that character with
`in` costs a fraction of running the pattern's regular expression, so a pattern whose character
is absent is passed over. The output is the same byte for byte: a regular expression that needs a
character cannot match a text without it, and passing over a pattern has the effect a failed
match has. Text only loses characters as patterns match, to placeholders none of these
characters are in, so what a text lacks at first it lacks to the end.

Patterns are recognised by their exact regular expression, so a pattern this table does not know,
or one a later Python-Markdown rewrites, is simply always tried, as before.
"""
from __future__ import annotations

from markdown import util
from markdown.treeprocessors import InlineProcessor

# A pattern's regular expression → the strings of which a text must hold one for it to match.
NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code
    r"\\(.)": ("\\",),  # a backslash escape
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote reference
    r"(?<!\!)\[": ("[",),  # links, written out or by reference
    r"\!\[": ("![",),  # images, written out or by reference
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("://",),  # <https://…>
    r"<([^<> !]+@[^@<> ]+)>": ("@",),  # <name@example.org>
    r"  \n": ("  \n",),  # two spaces at the end of a line: a line break
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
    r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*|_": ("*", "_"),  # emphasis
}


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, passing over the patterns a text cannot match."""

    def run(self, tree, ancestors=None):
        # A list, as the registry is sorted again on every lookup by position, which the loop does
        # once per pattern and piece of text.
        self.inlinePatterns = list(self.md.inlinePatterns)
        self.needs = [NEEDS.get(getattr(pattern, "pattern", None)) for pattern in self.inlinePatterns]
        return super().run(tree, ancestors)

    # Python-Markdown's private method (the name it has after name mangling), with the check added.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self.inlinePatterns, self.needs
        startIndex = 0
        while patternIndex < len(patterns):
            need = needs[patternIndex]
            if need is not None:
                for character in need:
                    if character in data:
                        break
                else:
                    patternIndex, startIndex = patternIndex + 1, 0
                    continue
            data, matched, startIndex = self._InlineProcessor__applyPattern(patterns[patternIndex], data,
                                                                            patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data
