import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { serviceNamePickerField } from './extensions';

/** Paved's form fields for the scaffolder's golden-path templates. */
export const scaffolderModulePaved = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [serviceNamePickerField],
});
