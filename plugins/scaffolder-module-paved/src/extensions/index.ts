import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';
import { ServiceNamePicker, validateServiceName } from './ServiceNamePicker';

export const serviceNamePickerField = FormFieldBlueprint.make({
  name: 'service-name-picker',
  params: {
    field: async () =>
      createFormField({
        name: 'ServiceNamePicker',
        component: ServiceNamePicker,
        validation: validateServiceName,
      }),
  },
});
