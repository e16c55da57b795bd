"""Write the extraction contract (`kg extract` JSON lines) of some papers, for comparing two versions
of the extractor byte for byte:

    PYTHONPATH=/path/to/old python3 bench/extraction_output.py /tmp/c2000.jsonl /tmp/old.jsonl
    PYTHONPATH=$PWD python3 bench/extraction_output.py /tmp/c2000.jsonl /tmp/new.jsonl
    cmp /tmp/old.jsonl /tmp/new.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg.extract.pipeline import extract_papers
from kg.readers import read_papers
from loaders.files import write_extractions


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, output = Path(sys.argv[1]), Path(sys.argv[2])
    write_extractions(extract_papers(read_papers([source]).papers), output)


if __name__ == "__main__":
    main()
