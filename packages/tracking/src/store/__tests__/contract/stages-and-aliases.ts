/**
 * Registry contract: stages, latest versions and aliases (ref §5.2, §6.2, §6.3).
 */
import { describe, expect, it } from 'vitest';
import type { RegistryContext } from './registry-context.js';
import { modelWithVersions } from './registry-context.js';
import { expectError, uniqueName } from './helpers.js';
import type { ModelVersion } from '../../../entities/model-version.js';

const stageOf = async (ctx: () => RegistryContext, name: string, version: string): Promise<string> =>
  (await ctx().store.getModelVersion(name, version)).currentStage;

/** Stage transitions with archiving, getLatestVersions, and aliases. */
export function addStageAndAliasTests(ctx: () => RegistryContext): void {
  describe('stages', () => {
    it('canonicalises stage names case-insensitively', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      const cases: [string, string][] = [['staging', 'Staging'], ['PRODUCTION', 'Production'], ['archived', 'Archived'], ['none', 'None'], ['Staging', 'Staging']];
      for (const [input, canonical] of cases) {
        const v = await store.transitionModelVersionStage(name, '1', input, false);
        expect(v.currentStage).toBe(canonical);
        expect(await stageOf(ctx, name, '1')).toBe(canonical);
      }
    });

    it('rejects an unknown stage with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      await expectError(store.transitionModelVersionStage(name, '1', 'bogus', false), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/i);
      await expectError(store.transitionModelVersionStage(name, '1', 'Deleted_Internal', false), 'INVALID_PARAMETER_VALUE');
      expect(await stageOf(ctx, name, '1')).toBe('None');
    });

    it('archive_existing_versions moves the other versions in the target stage to Archived', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 4);
      await store.transitionModelVersionStage(name, '1', 'Production', false);
      await store.transitionModelVersionStage(name, '2', 'Staging', false);
      await store.transitionModelVersionStage(name, '3', 'Production', false);
      expect(await stageOf(ctx, name, '1')).toBe('Production');
      const before = (await store.getModelVersion(name, '1')).lastUpdatedTimestamp;
      const v4 = await store.transitionModelVersionStage(name, '4', 'production', true);
      expect(v4.currentStage).toBe('Production');
      expect(await stageOf(ctx, name, '1')).toBe('Archived');
      expect(await stageOf(ctx, name, '3')).toBe('Archived');
      expect(await stageOf(ctx, name, '2')).toBe('Staging');
      expect((await store.getModelVersion(name, '1')).lastUpdatedTimestamp).toBeGreaterThanOrEqual(before);
      await store.transitionModelVersionStage(name, '1', 'Staging', true);
      expect(await stageOf(ctx, name, '2')).toBe('Archived');
      expect(await stageOf(ctx, name, '4')).toBe('Production');
    });

    it('refuses archive_existing_versions for the None and Archived stages', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.transitionModelVersionStage(name, '1', 'Archived', false);
      // MLflow answers these with a code-less 500 (INTERNAL_ERROR); lablog may answer bad input with a 4xx.
      await expectError(store.transitionModelVersionStage(name, '2', 'None', true), ['INVALID_PARAMETER_VALUE', 'INTERNAL_ERROR']);
      await expectError(store.transitionModelVersionStage(name, '2', 'Archived', true), ['INVALID_PARAMETER_VALUE', 'INTERNAL_ERROR']);
      expect(await stageOf(ctx, name, '2')).toBe('None');
      expect(await stageOf(ctx, name, '1')).toBe('Archived');
    });

    it('getLatestVersions returns the highest version per requested stage (all stages when none given)', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 6);
      await store.transitionModelVersionStage(name, '1', 'Production', false);
      await store.transitionModelVersionStage(name, '2', 'Staging', false);
      await store.transitionModelVersionStage(name, '3', 'Production', false);
      await store.transitionModelVersionStage(name, '4', 'Staging', false);
      await store.deleteModelVersion(name, '4');
      const summary = (vs: ModelVersion[]): Record<string, string> => Object.fromEntries(vs.map((v) => [v.currentStage, v.version]));
      const all = await store.getLatestVersions(name);
      expect(all).toHaveLength(3);
      expect(summary(all)).toEqual({ Production: '3', Staging: '2', None: '6' });
      expect(summary(await store.getLatestVersions(name, []))).toEqual({ Production: '3', Staging: '2', None: '6' });
      expect(summary(await store.getLatestVersions(name, ['staging']))).toEqual({ Staging: '2' });
      expect(summary(await store.getLatestVersions(name, ['Production', 'NONE']))).toEqual({ Production: '3', None: '6' });
      expect(await store.getLatestVersions(name, ['Archived'])).toEqual([]);
      await expectError(store.getLatestVersions(name, ['bogus']), 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('aliases', () => {
    it('sets an alias, reads the version by it, and shows it on the model and the version', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.setRegisteredModelAlias(name, 'champion', '1');
      const v = await store.getModelVersionByAlias(name, 'champion');
      expect(v).toMatchObject({ name, version: '1' });
      expect(v.aliases).toEqual(['champion']);
      expect((await store.getModelVersion(name, '1')).aliases).toEqual(['champion']);
      expect((await store.getModelVersion(name, '2')).aliases).toEqual([]);
      expect((await store.getRegisteredModel(name)).aliases).toEqual([{ alias: 'champion', version: '1' }]);
    });

    it('moves an alias that is set again; a version may carry several aliases', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.setRegisteredModelAlias(name, 'champion', '1');
      await store.setRegisteredModelAlias(name, 'champion', '2');
      await store.setRegisteredModelAlias(name, 'best', '2');
      expect((await store.getModelVersionByAlias(name, 'champion')).version).toBe('2');
      expect((await store.getModelVersion(name, '1')).aliases).toEqual([]);
      expect([...(await store.getModelVersion(name, '2')).aliases].sort()).toEqual(['best', 'champion']);
      const aliases = [...(await store.getRegisteredModel(name)).aliases].sort((a, b) => a.alias.localeCompare(b.alias));
      expect(aliases).toEqual([{ alias: 'best', version: '2' }, { alias: 'champion', version: '2' }]);
    });

    it('deletes an alias; an unknown alias is INVALID_PARAMETER_VALUE "Registered model alias X not found."', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      await store.setRegisteredModelAlias(name, 'champion', '1');
      await store.deleteRegisteredModelAlias(name, 'champion');
      await expectError(store.getModelVersionByAlias(name, 'champion'), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
      await expectError(store.getModelVersionByAlias(name, 'never'), 'INVALID_PARAMETER_VALUE', 'Registered model alias never not found.');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([]);
      expect((await store.getModelVersion(name, '1')).aliases).toEqual([]);
    });

    it('rejects reserved and malformed alias names with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      for (const alias of ['latest', 'LATEST', 'Latest']) {
        await expectError(store.setRegisteredModelAlias(name, alias, '1'), 'INVALID_PARAMETER_VALUE', 'reserved');
      }
      for (const alias of ['v1', 'V12']) {
        await expectError(store.setRegisteredModelAlias(name, alias, '1'), 'INVALID_PARAMETER_VALUE', 'reserved');
      }
      for (const alias of ['a b', 'a/b', 'a.b', '', 'x'.repeat(256)]) {
        await expectError(store.setRegisteredModelAlias(name, alias, '1'), 'INVALID_PARAMETER_VALUE');
      }
      await store.setRegisteredModelAlias(name, 'v1-candidate_2', '1');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([{ alias: 'v1-candidate_2', version: '1' }]);
    });

    it('refuses an alias to an unknown version or model with RESOURCE_DOES_NOT_EXIST', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 1);
      await expectError(store.setRegisteredModelAlias(name, 'champion', '9'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.setRegisteredModelAlias(uniqueName('ghost'), 'champion', '1'), 'RESOURCE_DOES_NOT_EXIST');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([]);
    });

    it('deleting a version removes its aliases', async () => {
      const { store } = ctx();
      const name = uniqueName('model');
      await modelWithVersions(store, name, 2);
      await store.setRegisteredModelAlias(name, 'champion', '1');
      await store.setRegisteredModelAlias(name, 'challenger', '2');
      await store.deleteModelVersion(name, '1');
      await expectError(store.getModelVersionByAlias(name, 'champion'), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
      expect((await store.getRegisteredModel(name)).aliases).toEqual([{ alias: 'challenger', version: '2' }]);
      expect((await store.getModelVersionByAlias(name, 'challenger')).version).toBe('2');
    });
  });
}
