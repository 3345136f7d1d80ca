import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { AdoptionSection } from './AdoptionSection';
import { DoraScope, DoraSection } from './DoraSection';
import { FeedbackSection } from './FeedbackSection';
import { INSIGHTS_WINDOWS, InsightsWindow } from './format';

const SCOPES: Record<DoraScope, string> = {
  organisation: 'Organisation',
  team: 'Per team',
  service: 'Per service',
};

/** The "Insights" page (`/insights`): DORA, adoption, and for the platform team the feedback. */
export function InsightsPage() {
  const [days, setDays] = useState<InsightsWindow>(30);
  const [scope, setScope] = useState<DoraScope>('organisation');
  return (
    <Page themeId="tool">
      <Header
        title="Insights"
        subtitle="DORA's four keys, golden-path adoption and developer feedback, from Paved's own records"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <TextField
              select
              id="insights-window"
              label="Window"
              value={days}
              onChange={e => setDays(Number(e.target.value) as InsightsWindow)}
              style={{ minWidth: 160, marginRight: 16 }}
            >
              {INSIGHTS_WINDOWS.map(w => (
                <MenuItem key={w} value={w}>
                  Last {w} days
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              id="insights-scope"
              label="Scope"
              value={scope}
              onChange={e => setScope(e.target.value as DoraScope)}
              style={{ minWidth: 160 }}
            >
              {Object.entries(SCOPES).map(([value, label]) => (
                <MenuItem key={value} value={value}>
                  {label}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12}>
            <DoraSection window={days} scope={scope} />
          </Grid>
          <Grid item xs={12}>
            <AdoptionSection window={days} />
          </Grid>
          <Grid item xs={12}>
            <FeedbackSection window={days} />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
