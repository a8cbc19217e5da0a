"""The checkpoint format both engines share: one .npz file, no pickle.

A checkpoint holds the network's arrays under their state_dict names and, under the key
ARCHITECTURE_KEY, a 0-d unicode array with the JSON of the network's architecture plus
{"format": FORMAT_VERSION}. A network saved by either engine (nn or nn.fast) is read by the
same two functions, so it loads into the other.
"""

import json
import os

import numpy as np

ARCHITECTURE_KEY = "__architecture__"
FORMAT_VERSION = 1


def checkpoint_path(path):
    """The path a checkpoint is written to: `path`, with ".npz" added when it lacks it."""
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


def write_checkpoint(path, architecture, state):
    """Write `state` ({name: array}) and `architecture` (a JSON-serialisable dict) to a .npz
    file; returns the path written."""
    path = checkpoint_path(path)
    metadata = dict(architecture, format=FORMAT_VERSION)
    np.savez(path, **{ARCHITECTURE_KEY: np.array(json.dumps(metadata))}, **state)
    return path


def read_checkpoint(path):
    """(architecture, state) from a checkpoint written by write_checkpoint."""
    with np.load(path, allow_pickle=False) as archive:
        if ARCHITECTURE_KEY not in archive.files:
            raise ValueError(f"{path} is not a network checkpoint: "
                             f"no {ARCHITECTURE_KEY!r} entry")
        architecture = json.loads(str(archive[ARCHITECTURE_KEY]))
        state = {name: archive[name] for name in archive.files if name != ARCHITECTURE_KEY}
    architecture.pop("format", None)
    return architecture, state
