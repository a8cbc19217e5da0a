"""Gradescope's results.json for the graded parts, to upload as it is.

The format (Gradescope autograder specifications): a top-level "score" (the total), "output"
(shown above the tests), "visibility" and "stdout_visibility", and "tests", one per part with
"name", "score", "max_score", "status" ("passed" or "failed") and "output" (every property of
the part, one line each, with the failures' messages).
"""

from __future__ import annotations

import json

from gan.course.grading import score_table


def results(part_results):
    """The results.json dictionary of a list of `PartResult`."""
    tests = [{"name": result.name, "score": result.score, "max_score": result.max_score,
              "status": "passed" if result.passed else "failed", "output": result.report(),
              "visibility": "visible"}
             for result in part_results]
    return {"score": round(sum(test["score"] for test in tests), 2),
            "output": score_table(part_results),
            "visibility": "visible",
            "stdout_visibility": "visible",
            "tests": tests}


def write(part_results, path):
    """Write results.json to `path`."""
    with open(path, "w", encoding="utf-8") as file:
        json.dump(results(part_results), file, indent=2)
        file.write("\n")
