/** Reserved `mlflow.*` tag names (mlflow/utils/mlflow_tags.py) that lablog reads or writes. */
export const MLFLOW_RUN_NAME = 'mlflow.runName';
export const MLFLOW_USER = 'mlflow.user';
export const MLFLOW_SOURCE_NAME = 'mlflow.source.name';
export const MLFLOW_SOURCE_TYPE = 'mlflow.source.type';
export const MLFLOW_GIT_COMMIT = 'mlflow.source.git.commit';
export const MLFLOW_GIT_BRANCH = 'mlflow.source.git.branch';
export const MLFLOW_GIT_REPO_URL = 'mlflow.source.git.repoURL';
export const MLFLOW_PARENT_RUN_ID = 'mlflow.parentRunId';
export const MLFLOW_RUN_NOTE = 'mlflow.note.content';
export const MLFLOW_LOGGED_MODELS = 'mlflow.log-model.history';
export const MLFLOW_AUTOLOGGING = 'mlflow.autologging';
export const MLFLOW_DATASET_CONTEXT = 'mlflow.data.context';
