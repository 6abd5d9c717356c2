import { describe, expect, it } from 'vitest';
import { pickKeyFile, type KeyDialogOptions } from '../../../../electron/app/key-file-dialog.ts';

describe('files.pickKeyFile (the native dialog handed in)', () => {
  it('opens in the current key\'s folder, else ~/.ssh, else home; returns the chosen file or nothing when cancelled', async () => {
    const seen: KeyDialogOptions[] = [];
    const answer = (r: { canceled: boolean; filePaths: string[] }) => async (o: KeyDialogOptions) => (seen.push(o), r);
    expect(await pickKeyFile(answer({ canceled: false, filePaths: ['/home/a/.ssh/id_ed25519'] }), undefined, '/home/a', () => true)).toBe('/home/a/.ssh/id_ed25519');
    expect(seen[0]).toMatchObject({ defaultPath: '/home/a/.ssh', properties: expect.arrayContaining(['openFile', 'showHiddenFiles']) });
    expect(await pickKeyFile(answer({ canceled: true, filePaths: [] }), '/keys/old/id_rsa', '/home/a', () => true)).toBeUndefined();
    expect(seen[1]!.defaultPath).toBe('/keys/old');
    await pickKeyFile(answer({ canceled: true, filePaths: [] }), undefined, '/home/a', () => false);
    expect(seen[2]!.defaultPath).toBe('/home/a');
  });
});
