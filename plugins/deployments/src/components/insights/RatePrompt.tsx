import { ResponseError } from '@backstage/errors';
import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FeedbackContext } from '@paved/plugin-deployments-common';
import { useMemo, useState } from 'react';
import useObservable from 'react-use/esm/useObservable';
import { useDeploymentsApi } from '../hooks';

/** Where the prompt remembers, per user's browser, what was rated or dismissed. */
export const FEEDBACK_BUCKET = 'deployments.feedback';

/** The key the prompt remembers an action under: its deployment or task id. */
export const feedbackKey = (context: FeedbackContext) =>
  `${context.action}:${context.deploymentId ?? context.taskId}`;

/**
 * "How was this …? 1–5", with an optional comment: asked once, never
 * blocking (an inline strip, not a dialog), closed for good by rating or
 * dismissing. A 409 (rated already, e.g. in another browser) closes it too;
 * any other refusal is shown and the strip can still be dismissed.
 */
export function RatePrompt(props: {
  question: string;
  context: FeedbackContext;
}) {
  const { question, context } = props;
  const api = useDeploymentsApi();
  const storage = useApi(coreApis.storage);
  const bucket = useMemo(() => storage.forBucket(FEEDBACK_BUCKET), [storage]);
  const key = feedbackKey(context);
  const changes = useMemo(() => bucket.observe$<string>(key), [bucket, key]);
  const remembered = useObservable(changes, bucket.snapshot<string>(key));
  const [rating, setRating] = useState<number>();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const [sent, setSent] = useState(false);

  if (remembered.value && !sent) return null;
  if (sent) {
    return (
      <Typography variant="body2" role="status">
        Thank you for your feedback.
      </Typography>
    );
  }

  const close = (how: 'rated' | 'dismissed') => bucket.set(key, how);
  const send = async () => {
    if (!rating) return;
    try {
      await api.createFeedback({
        rating,
        category: context.action,
        comment: comment.trim() || undefined,
        context,
      });
      setSent(true);
      await close('rated');
    } catch (e) {
      if (e instanceof ResponseError && e.statusCode === 409) {
        setSent(true);
        await close('rated');
        return;
      }
      setError(e as Error);
    }
  };

  return (
    <Paper variant="outlined" role="region" aria-label={question}>
      <Box p={1.5} display="flex" flexWrap="wrap" alignItems="center">
        <Typography variant="body2" style={{ marginRight: 12 }}>
          {question}
        </Typography>
        {[1, 2, 3, 4, 5].map(n => (
          <Button
            key={n}
            size="small"
            variant={rating === n ? 'contained' : 'outlined'}
            aria-pressed={rating === n}
            aria-label={`Rate ${n} of 5`}
            onClick={() => setRating(n)}
            style={{ minWidth: 36, marginRight: 4 }}
          >
            {n}
          </Button>
        ))}
        {rating && (
          <>
            <TextField
              size="small"
              id={`feedback-comment-${key}`}
              label="Comment (optional)"
              value={comment}
              inputProps={{ maxLength: 2000 }}
              onChange={e => setComment(e.target.value)}
              style={{ marginLeft: 8, minWidth: 240 }}
            />
            <Button size="small" color="primary" onClick={send}>
              Send
            </Button>
          </>
        )}
        <IconButton
          size="small"
          aria-label="Dismiss"
          onClick={() => close('dismissed')}
          style={{ marginLeft: 'auto' }}
        >
          ×
        </IconButton>
      </Box>
      {error && (
        <Typography variant="body2" color="error" style={{ padding: 8 }}>
          Could not send the rating: {error.message}
        </Typography>
      )}
    </Paper>
  );
}
