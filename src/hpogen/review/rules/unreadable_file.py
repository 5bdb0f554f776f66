from __future__ import annotations

from ..package import ReviewedPackage
from ..rule import Example, Rule


class UnreadableFile(Rule):
    """Flags a package file the reviewer cannot read as text.

    ## What it does
    Reports a file that is binary, not UTF-8, over 1 MB, unreadable, or a symbolic link that
    points outside the reviewed folder (the link is never followed).

    ## Why is this bad?
    Python and uv read source and config files as UTF-8 text. A binary or mis-encoded file fails
    at import or install time on the GPU runner, and a link out of the package makes the package
    depend on a machine it will not be copied to.

    ## Example
    ```
    src/model.py saved as Latin-1: "# Schätzung" -> bytes 0xE4
    ```

    ## Use instead
    ```
    src/model.py saved as UTF-8, a regular file inside the package
    ```
    """

    code = "HPG001"
    name = "unreadable-file"
    message = "{path} {problem}"
    fix_title = "Save the file as UTF-8 text inside the package"
    modes = frozenset({"base", "derived", "train"})
    VALID = [Example({"src/model.py": "# Schätzung in UTF-8\n"})]
    INVALID = [
        Example({"src/model.py": "# Sch\xe4tzung\n".encode("latin-1")}),
        Example({"src/evaluate.py": b"\x00\x01\x02binary"}),
        Example({"train.py": b"\x89PNG\r\n\x1a\n\x00"}, mode="train"),
    ]

    def check(self, package: ReviewedPackage):
        for relative in package.listing:
            source = package.file(relative)
            if source is not None and source.problem is not None:
                yield self.finding(relative, path=relative, problem=source.problem)
