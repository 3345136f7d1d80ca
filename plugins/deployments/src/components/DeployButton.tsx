import Button from '@material-ui/core/Button';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Deployment,
  deploymentCreatePermission,
} from '@paved/plugin-deployments-common';
import { useState } from 'react';
import { DeployDialog } from './DeployDialog';

export interface DeployButtonProps {
  entityRef: string;
  environmentsHref?: string;
  onChange?: (deployment: Deployment) => void;
}

/**
 * "Deploy", opening the deploy dialog. Not shown to users who may not
 * deploy the entity; disabled while that is being checked.
 */
export function DeployButton(props: DeployButtonProps) {
  const { entityRef, environmentsHref, onChange } = props;
  const [open, setOpen] = useState(false);
  const { loading, allowed } = usePermission({
    permission: deploymentCreatePermission,
    resourceRef: entityRef,
  });
  if (!loading && !allowed) return null;
  return (
    <>
      <Button
        color="primary"
        variant="contained"
        disabled={loading}
        onClick={() => setOpen(true)}
      >
        Deploy
      </Button>
      <DeployDialog
        open={open}
        onClose={() => setOpen(false)}
        entityRef={entityRef}
        environmentsHref={environmentsHref}
        onChange={onChange}
      />
    </>
  );
}
