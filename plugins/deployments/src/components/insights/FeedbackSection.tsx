import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Feedback, FeedbackList } from '@paved/plugin-deployments-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { absoluteTime, displayRef } from '../format';
import { useDeploymentsApi } from '../hooks';
import { InsightsWindow } from './format';

type Action = 'create-service' | 'production-deploy';
const ACTIONS: Record<Action, string> = {
  'production-deploy': 'Production deploy',
  'create-service': 'Create Service',
};

const columns: TableColumn<Feedback>[] = [
  { title: 'When', render: f => absoluteTime(f.createdAt) },
  { title: 'Rating', field: 'rating' },
  { title: 'Action', render: f => ACTIONS[f.context.action] },
  { title: 'Service', render: f => displayRef(f.context.entityRef) },
  { title: 'By', render: f => displayRef(f.user) },
  { title: 'Comment', render: f => f.comment ?? '' },
];

function WeeklyAverages(props: { list: FeedbackList }) {
  if (props.list.weekly.length === 0) return null;
  return (
    <ul aria-label="Average rating per action per week">
      {props.list.weekly.map(w => (
        <li key={`${w.action}-${w.weekStart}`}>
          <Typography variant="body2" component="span">
            {ACTIONS[w.action as Action] ?? w.action}, week of{' '}
            {absoluteTime(w.weekStart)}: {w.average.toFixed(1)} ({w.count}{' '}
            ratings)
          </Typography>
        </li>
      ))}
    </ul>
  );
}

/**
 * The platform team's feedback list with its filters. Everyone else is
 * refused by the backend (403): then the section says so in one line.
 */
export function FeedbackSection(props: { window: InsightsWindow }) {
  const api = useDeploymentsApi();
  const [action, setAction] = useState<Action | ''>('');
  const [entityRef, setEntityRef] = useState('');
  const list = useAsync(
    () =>
      api.listFeedback({
        window: props.window,
        action: action || undefined,
        entityRef: entityRef.trim() || undefined,
      }),
    [api, props.window, action, entityRef],
  );
  const forbidden =
    list.error instanceof ResponseError && list.error.statusCode === 403;
  if (forbidden) {
    return (
      <Typography variant="body2" color="textSecondary">
        Developer feedback is visible to the platform team only.
      </Typography>
    );
  }
  return (
    <InfoCard title="Developer feedback">
      <TextField
        select
        id="feedback-action"
        label="Action"
        value={action}
        onChange={e => setAction(e.target.value as Action | '')}
        style={{ minWidth: 200, marginRight: 16 }}
      >
        <MenuItem value="">All actions</MenuItem>
        {Object.entries(ACTIONS).map(([value, label]) => (
          <MenuItem key={value} value={value}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id="feedback-entity"
        label="Service (entity ref)"
        placeholder="component:default/orders-api"
        value={entityRef}
        onChange={e => setEntityRef(e.target.value)}
      />
      {list.loading && <Progress />}
      {list.error && (
        <ResponseErrorPanel
          error={list.error}
          title="Could not load the feedback"
        />
      )}
      {list.value && (
        <>
          <WeeklyAverages list={list.value} />
          <Table<Feedback>
            options={{ paging: false, search: false, toolbar: false }}
            columns={columns}
            data={list.value.items}
            emptyContent="No feedback in this window."
          />
        </>
      )}
    </InfoCard>
  );
}
