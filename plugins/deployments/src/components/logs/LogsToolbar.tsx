import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';

/** What the Logs tab can read: the last N lines, or since a time ago (the API's `since`). */
export const RANGES = [
  { value: 'tail:100', label: 'Last 100 lines' },
  { value: 'tail:1000', label: 'Last 1,000 lines' },
  { value: '5m', label: 'Since 5 minutes ago' },
  { value: '15m', label: 'Since 15 minutes ago' },
  { value: '1h', label: 'Since 1 hour ago' },
  { value: '6h', label: 'Since 6 hours ago' },
  { value: '24h', label: 'Since 24 hours ago' },
];

function Choice(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <TextField
      select
      id={`logs-${props.label.toLocaleLowerCase('en-US')}`}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      size="small"
      variant="outlined"
      style={{ minWidth: 180, marginRight: 16 }}
    >
      {props.options.map(o => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </TextField>
  );
}

/** The Logs tab's choices: environment, pod, container, range, and Follow. */
export function LogsToolbar(props: {
  environments: string[];
  environment: string;
  onEnvironment: (value: string) => void;
  pods: string[];
  pod: string;
  onPod: (value: string) => void;
  containers: string[];
  container: string;
  onContainer: (value: string) => void;
  range: string;
  onRange: (value: string) => void;
  follow: boolean;
  onFollow: (value: boolean) => void;
}) {
  const named = (values: string[]) => values.map(v => ({ value: v, label: v }));
  return (
    <Box display="flex" flexWrap="wrap" alignItems="center" mb={2}>
      <Choice
        label="Environment"
        value={props.environment}
        onChange={props.onEnvironment}
        options={named(props.environments)}
      />
      <Choice
        label="Pod"
        value={props.pod}
        onChange={props.onPod}
        options={[{ value: '', label: 'All pods' }, ...named(props.pods)]}
      />
      <Choice
        label="Container"
        value={props.container}
        onChange={props.onContainer}
        options={[
          { value: '', label: "The service's" },
          ...named(props.containers),
        ]}
      />
      <Choice
        label="Lines"
        value={props.range}
        onChange={props.onRange}
        options={RANGES}
      />
      <FormControlLabel
        control={
          <Switch
            checked={props.follow}
            onChange={e => props.onFollow(e.target.checked)}
            color="primary"
          />
        }
        label="Follow"
      />
    </Box>
  );
}
