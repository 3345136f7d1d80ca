import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { ReactNode, useState } from 'react';

/** One DORA key: its value, tier, definition and trend; "Show deployments" expands what it counts. */
export function DoraFigure(props: {
  title: string;
  value: string;
  tier: string | null;
  definition: string;
  chart: ReactNode;
  children: ReactNode;
}) {
  const { title, value, tier, definition, chart, children } = props;
  const [open, setOpen] = useState(false);
  return (
    <Box component="section" aria-label={title} mb={2}>
      <Typography variant="subtitle2">{title}</Typography>
      <Typography variant="h5">{value}</Typography>
      <Typography variant="caption" color="textSecondary">
        Tier: {tier ?? 'none (no change deployments)'}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {definition}
      </Typography>
      {chart}
      <Button
        size="small"
        aria-expanded={open}
        onClick={() => setOpen(o => !o)}
      >
        {open ? 'Hide deployments' : `Show deployments: ${title}`}
      </Button>
      {open && children}
    </Box>
  );
}
