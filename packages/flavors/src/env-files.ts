/**
 * The Python environment files MLflow writes beside a pyfunc model (ref §8.1), so that
 * `mlflow models serve` / `mlflow.pyfunc.spark_udf` can rebuild an environment for a model
 * lablog saved: `conda.yaml`, `python_env.yaml`, `requirements.txt`.
 *
 * lablog runs no Python, so versions it cannot know are left open: `mlflow` is unpinned unless
 * a version is given, and build dependencies (`pip`, `setuptools`, `wheel`) are unpinned.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pyYamlDump } from './py-yaml.js';

/** File names, as MLflow's `_CONDA_ENV_FILE_NAME`, `_PYTHON_ENV_FILE_NAME`, `_REQUIREMENTS_FILE_NAME`. */
export const CONDA_ENV_FILE = 'conda.yaml';
export const PYTHON_ENV_FILE = 'python_env.yaml';
export const REQUIREMENTS_FILE = 'requirements.txt';

/**
 * The Python version written when none is given: a CPython release every recent MLflow,
 * onnx (≥ 1.13) and onnxruntime publish wheels for.
 */
export const DEFAULT_PYTHON_VERSION = '3.11.9';

/** What the environment files say. */
export interface PythonEnvSpec {
  /** e.g. `3.11.9` (default {@link DEFAULT_PYTHON_VERSION}). */
  pythonVersion?: string;
  /** Pin for `mlflow` (unpinned when absent). */
  mlflowVersion?: string;
  /** More pip requirements, e.g. `onnx==1.17.0`. */
  requirements: readonly string[];
}

/**
 * Writes `conda.yaml`, `python_env.yaml` and `requirements.txt` into `dir`, formatted as MLflow
 * formats them (`yaml.safe_dump`; `python_env.yaml` in MLflow's key order; no trailing newline
 * in requirements.txt). Returns the `env` entry for the `python_function` flavor.
 */
export async function writePythonEnvFiles(dir: string, spec: PythonEnvSpec): Promise<{ conda: string; virtualenv: string }> {
  const python = spec.pythonVersion ?? DEFAULT_PYTHON_VERSION;
  const pip = [spec.mlflowVersion ? `mlflow==${spec.mlflowVersion}` : 'mlflow', ...spec.requirements];
  const conda = {
    name: 'mlflow-env',
    channels: ['conda-forge'],
    dependencies: [`python=${python}`, 'pip', { pip }],
  };
  const pythonEnv = { python, build_dependencies: ['pip', 'setuptools', 'wheel'], dependencies: ['-r requirements.txt'] };
  await writeFile(join(dir, CONDA_ENV_FILE), pyYamlDump(conda), 'utf8');
  await writeFile(join(dir, PYTHON_ENV_FILE), pyYamlDump(pythonEnv, { sortKeys: false }), 'utf8');
  await writeFile(join(dir, REQUIREMENTS_FILE), pip.join('\n'), 'utf8');
  return { conda: CONDA_ENV_FILE, virtualenv: PYTHON_ENV_FILE };
}
