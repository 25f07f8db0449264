/** One entry of an artifact listing. */
export interface FileInfo {
  /** Relative to the listed root (run artifact root, or the listed directory for the proxy). */
  readonly path: string;
  readonly isDir: boolean;
  /** Bytes; absent for directories. */
  readonly fileSize?: number;
}

/** MLflow's JSON for a file info. */
export interface FileInfoJSON {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** File info → MLflow JSON. */
export function fileInfoToJSON(f: FileInfo): FileInfoJSON {
  const out: FileInfoJSON = { path: f.path, is_dir: f.isDir };
  if (!f.isDir && f.fileSize !== undefined) out.file_size = f.fileSize;
  return out;
}

/** MLflow JSON → file info. */
export function fileInfoFromJSON(j: FileInfoJSON): FileInfo {
  return j.file_size === undefined
    ? { path: j.path, isDir: Boolean(j.is_dir) }
    : { path: j.path, isDir: Boolean(j.is_dir), fileSize: Number(j.file_size) };
}
