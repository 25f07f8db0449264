/**
 * The lazy loader of the optional peer `onnxruntime-node` (kept apart so that no public
 * declaration file names onnxruntime types).
 */
import { LablogError } from '@lablog/tracking';
import type * as Ort from 'onnxruntime-node';

/** The onnxruntime-node module. */
export type OrtModule = typeof Ort;

let ortLoading: Promise<OrtModule> | undefined;

/**
 * Imports onnxruntime-node on first use.
 * @throws LablogError NOT_IMPLEMENTED when it is not installed.
 */
export function loadOrt(): Promise<OrtModule> {
  ortLoading ??= import('onnxruntime-node').then(
    (m) => ('InferenceSession' in m ? m : ((m as { default?: OrtModule }).default ?? m)) as OrtModule,
    (e: Error) => {
      ortLoading = undefined;
      throw new LablogError(`The onnx flavor needs onnxruntime-node: npm install onnxruntime-node. (${e.message})`, 'NOT_IMPLEMENTED');
    },
  );
  return ortLoading;
}
