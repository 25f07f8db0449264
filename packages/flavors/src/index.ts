/**
 * @lablog/flavors — MLflow's model format for TypeScript: `MLmodel`, signatures, input examples,
 * the `onnx` and `tfjs` flavors, and `saveModel` / `logModel` / `loadModel`.
 *
 * Framework packages are optional peers loaded on first use: `onnxruntime-node` for loading onnx
 * models, `@tensorflow/tfjs` (or tfjs-node) for the tfjs flavor. Every export is listed by name.
 */

// The contract the scoring server codes against
export type { TensorDtype, TensorStorage, Tensor, ModelInput, ModelOutput, InferenceParams } from './tensor.js';
export type { TensorSpec, ColumnSpec, Schema, ParamSpec, ModelSignature } from './signature.js';
export type { LoadedModel } from './loaded-model.js';

// Tensors
export { shapeSize, allocStorage, dtypeOfStorage, makeTensor, isTensor, castTensor, tensorToNested, tensorFromNested } from './tensor-utils.js';

// MLmodel and signatures
export type { Mlmodel, FlavorConfig, SavedInputExampleInfo, NewMlmodelOptions } from './mlmodel.js';
export {
  MLMODEL_FILE_NAME,
  newMlmodel,
  formatUtcTimeCreated,
  setSignature,
  getSignature,
  mlmodelToYaml,
  mlmodelFromYaml,
  readMlmodel,
  writeMlmodel,
  mlmodelTagsDict,
} from './mlmodel.js';
export type { SignatureDict } from './signature-json.js';
export {
  TENSOR_DTYPES,
  COLUMN_TYPES,
  validateSchema,
  schemaToJson,
  schemaFromJson,
  paramsToJson,
  paramsFromJson,
  signatureToDict,
  signatureFromDict,
} from './signature-json.js';
export { inferSignatureFromTfjsModel, inferSignatureFromOnnx, inferSignatureFromArrowSchema } from './infer-signature.js';
export { enforceSignature, canCastSafely } from './enforce-signature.js';

// Input examples and environment files
export type { InputExample, SaveInputExampleOptions, InputExampleFiles } from './input-example.js';
export {
  INPUT_EXAMPLE_FILE,
  SERVING_INPUT_EXAMPLE_FILE,
  isArrowTable,
  arrowTableToSplit,
  inputExampleFiles,
  saveInputExample,
} from './input-example.js';
export type { PythonEnvSpec } from './env-files.js';
export { CONDA_ENV_FILE, PYTHON_ENV_FILE, REQUIREMENTS_FILE, DEFAULT_PYTHON_VERSION, writePythonEnvFiles } from './env-files.js';

// Python-compatible serialization
export type { PyJsonValue } from './py-json.js';
export { PyFloat, pyJsonDumps, pythonFloatRepr, pythonJsonString } from './py-json.js';
export type { PyYamlValue, PyYamlDumpOptions } from './py-yaml.js';
export { pyYamlDump } from './py-yaml.js';

// The onnx flavor
export type { OnnxModelSource, OnnxSaveOptions, SavedFlavor } from './onnx/onnx-save.js';
export {
  ONNX_FLAVOR,
  ONNX_MODEL_FILE,
  DEFAULT_ONNX_PROVIDERS,
  DEFAULT_ONNX_VERSION,
  ONNX_SESSION_OPTION_KEYS,
  isOnnxModelSource,
  onnxBytes,
  onnxVersionFor,
  validateOnnxSessionOptions,
  saveOnnxFlavor,
} from './onnx/onnx-save.js';
export type { LoadOnnxOptions } from './onnx/onnx-load.js';
export { ORT_PROVIDER_NAMES, loadOnnxFlavor } from './onnx/onnx-load.js';
export type { OnnxDim, OnnxValueInfo, OnnxModelHeader } from './onnx/onnx-proto.js';
export { readOnnxHeader, encodeOnnxModel } from './onnx/onnx-proto.js';
export type { MlpLayer, BuildMlpOptions } from './onnx/build-mlp.js';
export { ONNX_ELEM_TYPES, buildMlpOnnx } from './onnx/build-mlp.js';

// The tfjs flavor
export type { TfjsTensorLike } from './tfjs/convert.js';
export { isTfjsTensorLike, tensorFromTfjs } from './tfjs/convert.js';
export type { TfjsLayersModelLike } from './tfjs/tfjs-flavor.js';
export { TFJS_FLAVOR, TFJS_DATA_DIR, TFJS_WEIGHTS_FILE, isTfjsLayersModel, saveTfjsFlavor, loadTfjsFlavor, tfjsDtype } from './tfjs/tfjs-flavor.js';

// Save, log, load
export type { SaveableModel, SaveFlavor, SaveModelOptions } from './save-model.js';
export { saveModel, detectFlavor, directorySize } from './save-model.js';
export type { LogModelOptions, LogModelResult } from './log-model.js';
export { logModel, recordLoggedModel } from './log-model.js';
export type { DownloadModelOptions, LocalModel } from './model-uri.js';
export { downloadModel } from './model-uri.js';
export type { LoadModelOptions } from './load-model.js';
export { LOADABLE_FLAVORS, loadModel } from './load-model.js';
