#!/usr/bin/python3
"""Independent reader of an MLflow file-store tree (``mlruns``), written from the layout in
lablog's MLflow compatibility reference (sections 7.2, 7.3 and 18), not from lablog's code.

Usage: check_mlruns.py <root>

Walks the whole tree, asserts the layout and formats file for file (directory names, the key
set and value types of every meta.yaml, quoting, metric line format, raw param/tag files) and
prints one JSON document: what the tree holds, plus ``errors``, the list of every violation.
Needs PyYAML (Debian's /usr/bin/python3 has it).
"""
import hashlib
import json
import os
import re
import sys

import yaml

ERRORS = []

EXP_REQUIRED = {"artifact_location", "creation_time", "experiment_id", "last_update_time", "lifecycle_stage", "name"}
EXP_OPTIONAL = {"tags"}
RUN_REQUIRED = {
    "artifact_uri", "end_time", "entry_point_name", "experiment_id", "lifecycle_stage", "run_id", "run_name",
    "source_name", "source_type", "source_version", "start_time", "status", "tags", "user_id",
}
RUN_OPTIONAL = {"deleted_time", "run_uuid"}
DATASET_KEYS = {"digest", "name", "profile", "schema", "source", "source_type"}
INPUT_KEYS = {"destination_id", "destination_type", "source_id", "source_type", "tags"}
MODEL_REQUIRED = {"aliases", "creation_timestamp", "description", "last_updated_timestamp", "name"}
MODEL_OPTIONAL = {"deployment_job_id", "deployment_job_state"}
VERSION_REQUIRED = {
    "aliases", "creation_timestamp", "current_stage", "description", "last_updated_timestamp", "name", "run_id",
    "run_link", "source", "status", "status_message", "storage_location", "user_id", "version",
}
VERSION_OPTIONAL = {"model_id", "deployment_job_state", "metrics", "params"}
RESERVED_EXP_DIRS = {"tags", "datasets", "traces", "models"}
RUN_SUBDIRS = {"metrics", "params", "tags", "artifacts", "inputs", "outputs"}
STAGES = {"None", "Staging", "Production", "Archived", "Deleted_Internal"}
METRIC_LINE = re.compile(r"^(\d+) (\S+) (-?\d+)(?: (\S+) (\S+))?$")


def err(path, msg):
    ERRORS.append(f"{path}: {msg}")


def md5(*parts):
    h = hashlib.md5()
    for p in parts:
        h.update(p.encode("utf-8"))
    return h.hexdigest()


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def load_meta(path, required, optional=frozenset()):
    """Loads a meta.yaml, checks its key set and that it is exactly what PyYAML's safe_dump writes."""
    if not os.path.isfile(path):
        err(path, "missing meta.yaml")
        return None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        err(path, "not a mapping")
        return None
    keys = set(data)
    if not required <= keys:
        err(path, f"missing keys {sorted(required - keys)}")
    if keys - required - set(optional):
        err(path, f"unexpected keys {sorted(keys - required - set(optional))}")
    # MLflow's write_yaml: sorted keys, block style, unicode as is (PyYAML folds lines at 80
    # columns; the comparison does not, both read back the same).
    canonical = yaml.safe_dump(data, default_flow_style=False, allow_unicode=True, sort_keys=True, width=10**9)
    if text != canonical:
        err(path, f"not PyYAML's block style with sorted keys:\n{text!r}\n!=\n{canonical!r}")
    return data


def read_raw(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def read_key_files(root):
    """Files under root as {key: raw content}; keys rebuilt with '/' from nested directories."""
    out = {}
    if not os.path.isdir(root):
        return out
    for dirpath, _, files in os.walk(root):
        for name in files:
            full = os.path.join(dirpath, name)
            key = os.path.relpath(full, root).replace(os.sep, "/")
            out[key] = read_raw(full)
    return dict(sorted(out.items()))


def check_metric_file(path, key):
    text = read_raw(path)
    points = []
    if not text.endswith("\n"):
        err(path, "metric file does not end with a newline")
    for line in text.split("\n")[:-1]:
        m = METRIC_LINE.match(line)
        if not m:
            err(path, f"bad metric line {line!r}")
            continue
        ts, value, step, ds_name, ds_digest = m.groups()
        try:
            as_float = float(value)
        except ValueError:
            err(path, f"value {value!r} is not a Python float")
            continue
        if repr(as_float) != value:
            err(path, f"value {value!r} is not Python's str(float) ({repr(as_float)!r})")
        point = [int(ts), value, int(step)]
        if ds_name is not None:
            point += [ds_name, ds_digest]
        points.append(point)
    return points


def check_run(run_dir, exp_id, exp_meta, exp_datasets):
    run_id = os.path.basename(run_dir)
    if not re.fullmatch(r"[0-9a-f]{32}", run_id):
        err(run_dir, "run directory is not a uuid4 hex")
    meta = load_meta(os.path.join(run_dir, "meta.yaml"), RUN_REQUIRED, RUN_OPTIONAL) or {}
    raw = read_raw(os.path.join(run_dir, "meta.yaml"))
    if f"experiment_id: '{exp_id}'\n" not in raw:
        err(run_dir, "experiment_id is not the quoted id of the parent directory")
    if meta.get("run_id") != run_id or meta.get("run_uuid", run_id) != run_id:
        err(run_dir, "run_id / run_uuid differ from the directory name")
    if not is_int(meta.get("status")) or not 1 <= meta["status"] <= 5:
        err(run_dir, f"status {meta.get('status')!r} is not an int 1..5")
    if meta.get("source_type") != 4 or not is_int(meta.get("source_type")):
        err(run_dir, "source_type is not the int 4")
    for k in ("entry_point_name", "source_name", "source_version"):
        if meta.get(k) != "":
            err(run_dir, f"{k} is not ''")
    if meta.get("tags") != []:
        err(run_dir, "tags is not []")
    if not is_int(meta.get("start_time")):
        err(run_dir, "start_time is not an int")
    if meta.get("end_time") is not None and not is_int(meta.get("end_time")):
        err(run_dir, "end_time is neither null nor an int")
    stage = meta.get("lifecycle_stage")
    if stage not in ("active", "deleted"):
        err(run_dir, f"lifecycle_stage {stage!r}")
    if stage == "deleted" and not is_int(meta.get("deleted_time")):
        err(run_dir, "deleted run without an int deleted_time")
    if stage == "active" and meta.get("deleted_time") is not None:
        err(run_dir, "active run with a deleted_time")
    if meta.get("artifact_uri") != f"{exp_meta.get('artifact_location')}/{run_id}/artifacts":
        err(run_dir, "artifact_uri is not <experiment artifact_location>/<run_id>/artifacts")
    for entry in os.listdir(run_dir):
        full = os.path.join(run_dir, entry)
        if os.path.isdir(full) and entry not in RUN_SUBDIRS:
            err(full, "unexpected directory in a run")
        if os.path.isfile(full) and entry != "meta.yaml":
            err(full, "unexpected file in a run")
    metrics = {}
    mdir = os.path.join(run_dir, "metrics")
    for key in read_key_files(mdir):
        metrics[key] = check_metric_file(os.path.join(mdir, *key.split("/")), key)
    inputs = []
    idir = os.path.join(run_dir, "inputs")
    if os.path.isdir(idir):
        for input_id in sorted(os.listdir(idir)):
            imeta = load_meta(os.path.join(idir, input_id, "meta.yaml"), INPUT_KEYS) or {}
            src = imeta.get("source_id")
            if imeta.get("source_type") != "DATASET" or imeta.get("destination_type") != "RUN":
                err(idir, "input is not DATASET -> RUN")
            if input_id != md5(str(src), run_id):
                err(idir, f"input directory {input_id} is not md5(dataset_id + run_id)")
            if imeta.get("destination_id") != src:
                err(idir, "destination_id does not repeat source_id (MLflow's quirk)")
            if src not in exp_datasets:
                err(idir, f"input points at unknown dataset {src}")
            if not isinstance(imeta.get("tags"), dict):
                err(idir, "input tags is not a map")
            ds = exp_datasets.get(src, {})
            inputs.append({"dataset": ds.get("name"), "digest": ds.get("digest"), "tags": imeta.get("tags")})
    return run_id, {
        "name": meta.get("run_name"),
        "status": meta.get("status"),
        "lifecycle_stage": stage,
        "has_deleted_time": is_int(meta.get("deleted_time")),
        "user_id": meta.get("user_id"),
        "start_time": meta.get("start_time"),
        "end_time": meta.get("end_time"),
        "metrics": metrics,
        "params": read_key_files(os.path.join(run_dir, "params")),
        "tags": read_key_files(os.path.join(run_dir, "tags")),
        "inputs": sorted(inputs, key=lambda i: (i["dataset"] or "", i["digest"] or "")),
    }


def check_experiment(exp_dir, trashed):
    exp_id = os.path.basename(exp_dir)
    if not (exp_id == "0" or re.fullmatch(r"[1-9][0-9]{17}", exp_id)):
        err(exp_dir, "experiment id is neither '0' nor an 18-digit integer")
    meta = load_meta(os.path.join(exp_dir, "meta.yaml"), EXP_REQUIRED, EXP_OPTIONAL) or {}
    raw = read_raw(os.path.join(exp_dir, "meta.yaml"))
    if f"experiment_id: '{exp_id}'\n" not in raw:
        err(exp_dir, "experiment_id is not written quoted")
    if meta.get("experiment_id") != exp_id:
        err(exp_dir, "experiment_id differs from the directory name")
    for k in ("creation_time", "last_update_time"):
        if not is_int(meta.get(k)):
            err(exp_dir, f"{k} is not an int")
    if meta.get("lifecycle_stage") != ("deleted" if trashed else "active"):
        err(exp_dir, f"lifecycle_stage {meta.get('lifecycle_stage')!r} does not match the location")
    if not str(meta.get("artifact_location", "")).startswith("file://"):
        err(exp_dir, "artifact_location is not a file:// URI")
    datasets = {}
    ddir = os.path.join(exp_dir, "datasets")
    if os.path.isdir(ddir):
        for ds_id in sorted(os.listdir(ddir)):
            ds = load_meta(os.path.join(ddir, ds_id, "meta.yaml"), DATASET_KEYS) or {}
            if ds_id != md5(str(ds.get("name")), str(ds.get("digest"))):
                err(ddir, f"dataset directory {ds_id} is not md5(name + digest)")
            datasets[ds_id] = ds
    runs = {}
    for entry in sorted(os.listdir(exp_dir)):
        full = os.path.join(exp_dir, entry)
        if os.path.isfile(full):
            if entry != "meta.yaml":
                err(full, "unexpected file in an experiment")
            continue
        if entry in RESERVED_EXP_DIRS:
            continue
        run_id, run = check_run(full, exp_id, meta, datasets)
        runs[run_id] = run
    return exp_id, {
        "name": meta.get("name"),
        "lifecycle_stage": meta.get("lifecycle_stage"),
        "trashed": trashed,
        "tags": read_key_files(os.path.join(exp_dir, "tags")),
        "datasets": sorted([d.get("name"), d.get("digest"), d.get("source_type")] for d in datasets.values()),
        "runs": runs,
    }


def check_registry(models_dir):
    out = {}
    for name in sorted(os.listdir(models_dir)):
        mdir = os.path.join(models_dir, name)
        meta = load_meta(os.path.join(mdir, "meta.yaml"), MODEL_REQUIRED, MODEL_OPTIONAL) or {}
        if meta.get("name") != name:
            err(mdir, "name differs from the directory name")
        alias_files = read_key_files(os.path.join(mdir, "aliases"))
        if meta.get("aliases") != alias_files:
            err(mdir, f"meta aliases {meta.get('aliases')!r} differ from aliases/ {alias_files!r}")
        versions = {}
        for entry in sorted(os.listdir(mdir)):
            vdir = os.path.join(mdir, entry)
            if not entry.startswith("version-"):
                if entry not in ("meta.yaml", "tags", "aliases"):
                    err(vdir, "unexpected entry in a registered model")
                continue
            v = load_meta(os.path.join(vdir, "meta.yaml"), VERSION_REQUIRED, VERSION_OPTIONAL) or {}
            if not is_int(v.get("version")) or entry != f"version-{v.get('version')}":
                err(vdir, "version is not the int of the directory name")
            if v.get("current_stage") not in STAGES:
                err(vdir, f"current_stage {v.get('current_stage')!r}")
            if v.get("status") != "READY" or v.get("name") != name:
                err(vdir, "status is not READY or name differs")
            if not isinstance(v.get("aliases"), list):
                err(vdir, "aliases is not a list")
            if v.get("last_updated_timestamp", 0) > meta.get("last_updated_timestamp", 0):
                err(vdir, "version updated after its registered model's last_updated_timestamp")
            versions[str(v.get("version"))] = {
                "stage": v.get("current_stage"),
                "source": v.get("source"),
                "storage_location": v.get("storage_location"),
                "run_id": v.get("run_id"),
                "description": v.get("description"),
                "tags": read_key_files(os.path.join(vdir, "tags")),
            }
        out[name] = {
            "description": meta.get("description"),
            "aliases": alias_files,
            "tags": read_key_files(os.path.join(mdir, "tags")),
            "versions": versions,
        }
    return out


def main(root):
    experiments = {}
    for entry in sorted(os.listdir(root)):
        full = os.path.join(root, entry)
        if entry in (".trash", "models"):
            continue
        if not os.path.isdir(full):
            err(full, "unexpected file at the root")
            continue
        exp_id, exp = check_experiment(full, False)
        experiments[exp_id] = exp
    trash = os.path.join(root, ".trash")
    if not os.path.isdir(trash):
        err(root, "no .trash directory")
    else:
        for entry in sorted(os.listdir(trash)):
            exp_id, exp = check_experiment(os.path.join(trash, entry), True)
            experiments[exp_id] = exp
    models = os.path.join(root, "models")
    registry = check_registry(models) if os.path.isdir(models) else {}
    if experiments.get("0", {}).get("name") != "Default":
        err(root, "no default experiment '0' named Default")
    print(json.dumps({"experiments": experiments, "registry": registry, "errors": ERRORS}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
