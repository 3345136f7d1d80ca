import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { deploymentsApiRef } from '../api';
import {
  build,
  entityRef,
  fakeDeploymentsApi,
  responseError,
} from '../testUtils/fakeApi';
import { DeployDialog } from './DeployDialog';

// The Deploy dialog offers the entity's built images first.

jest.setTimeout(30_000);
const FIRST_RENDER = { timeout: 15_000 };
const NEW_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function renderDialog(api = fakeDeploymentsApi()) {
  renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <DeployDialog open onClose={() => {}} entityRef={entityRef} />
    </TestApiProvider>,
  );
  return api;
}

describe('DeployDialog with builds', () => {
  it('offers the succeeded builds, newest first, and deploys the chosen one', async () => {
    const newest = build({
      id: 'b-3',
      commitSha: NEW_SHA,
      commitMessage: 'Faster checkout',
      image: `registry.paved.local/orders-api:${NEW_SHA}`,
      finishedAt: new Date(Date.now() - 2 * 60_000).toISOString(),
    });
    const older = build({
      finishedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    });
    const api = renderDialog(
      fakeDeploymentsApi({
        listBuilds: jest.fn(async () => ({ items: [newest, older] })),
      }),
    );
    const dialog = await screen.findByRole(
      'dialog',
      { name: 'Deploy orders-api' },
      FIRST_RENDER,
    );
    const select = await within(dialog).findByRole('combobox', {
      name: 'Built image',
    });
    expect(api.listBuilds).toHaveBeenCalledWith(entityRef, {
      status: 'succeeded',
      limit: 20,
    });
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      'a1b2c3d Faster checkout · 2 minutes ago',
      '3f2c1e0 Add the orders endpoint · 3 hours ago',
      'Another image (enter a reference)',
    ]);
    // The newest is chosen; no reference to type.
    expect(select).toHaveValue('b-3');
    expect(within(dialog).getByText(newest.image!)).toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/^Image/)).not.toBeInTheDocument();

    await userEvent.selectOptions(select, 'b-1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    expect(
      within(dialog).getByText(`Deploy ${older.image} to staging?`),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        'Built from 3f2c1e0 Add the orders endpoint · 3 hours ago',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(api.deploy).toHaveBeenCalledWith({
      entityRef,
      environment: 'staging',
      image: older.image,
      replicas: undefined,
    });
  });

  it('still takes a free-form reference', async () => {
    const api = renderDialog(
      fakeDeploymentsApi({
        listBuilds: jest.fn(async () => ({ items: [build()] })),
      }),
    );
    const dialog = await screen.findByRole('dialog', {}, FIRST_RENDER);
    await userEvent.selectOptions(
      await within(dialog).findByRole('combobox', { name: 'Built image' }),
      'other',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /^Image/ }),
      'registry.paved.local/orders-api:hotfix-1',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy to staging' }),
    );
    expect(api.deploy).toHaveBeenCalledWith(
      expect.objectContaining({
        image: 'registry.paved.local/orders-api:hotfix-1',
      }),
    );
  });

  it('falls back to the reference when the builds cannot be listed', async () => {
    renderDialog(
      fakeDeploymentsApi({
        listBuilds: jest.fn(async () => {
          throw await responseError(500, 'database is down');
        }),
      }),
    );
    const dialog = await screen.findByRole('dialog', {}, FIRST_RENDER);
    expect(
      await within(dialog).findByText(/built images could not be listed/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('textbox', { name: /^Image/ }),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByRole('combobox', { name: 'Built image' }),
    ).not.toBeInTheDocument();
  });
});
