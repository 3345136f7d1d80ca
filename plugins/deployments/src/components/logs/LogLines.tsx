import { LogLine } from '@paved/plugin-deployments-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import { useEffect, useRef, useState } from 'react';

/** Lines rendered at first; "Show earlier lines" adds this many more. */
export const LOG_PAGE = 500;
/** Longer lines show this much, with "expand". */
export const LONG_LINE = 2_000;

const useStyles = makeStyles(theme => ({
  list: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    maxHeight: '70vh',
    overflowY: 'auto',
    background: theme.palette.background.default,
    padding: theme.spacing(1),
  },
  line: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    margin: 0,
  },
  meta: { color: theme.palette.text.secondary, marginRight: theme.spacing(1) },
}));

function Line({ line, showPod }: { line: LogLine; showPod: boolean }) {
  const classes = useStyles();
  const [expanded, setExpanded] = useState(false);
  const long = line.text.length > LONG_LINE && !expanded;
  return (
    <pre className={classes.line} data-testid="log-line">
      <span className={classes.meta}>{line.time.slice(11, 23)}</span>
      {showPod && <span className={classes.meta}>{line.pod}</span>}
      {long ? line.text.slice(0, LONG_LINE) : line.text}
      {long && (
        <Button size="small" onClick={() => setExpanded(true)}>
          expand ({line.text.length - LONG_LINE} more characters)
        </Button>
      )}
    </pre>
  );
}

/**
 * The lines, oldest first: only the last LOG_PAGE are in the DOM until the
 * user asks for earlier ones, so a full buffer renders quickly. While
 * following, the view stays at the bottom unless the user scrolled up.
 */
export function LogLines(props: {
  lines: LogLine[];
  /** Lines dropped before `lines[0]`: keys stay with their line as the buffer turns. */
  dropped: number;
  showPod: boolean;
  following: boolean;
}) {
  const { lines, dropped, showPod, following } = props;
  const classes = useStyles();
  const [shown, setShown] = useState(LOG_PAGE);
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const visible = lines.slice(Math.max(0, lines.length - shown));
  const hidden = lines.length - visible.length;

  useEffect(() => {
    const el = list.current;
    if (el && following && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines, following]);

  return (
    <div
      ref={list}
      className={classes.list}
      role="log"
      aria-label="Log lines"
      onScroll={e => {
        const el = e.currentTarget;
        atBottom.current =
          el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {hidden > 0 && (
        <Box mb={1}>
          <Button size="small" onClick={() => setShown(n => n + LOG_PAGE)}>
            Show {Math.min(hidden, LOG_PAGE)} earlier lines ({hidden} hidden)
          </Button>
        </Box>
      )}
      {visible.map((line, i) => (
        <Line key={dropped + hidden + i} line={line} showPod={showPod} />
      ))}
    </div>
  );
}
